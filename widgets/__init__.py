"""Reusable Qt views. They show data handed to them and never read the system."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QWidget


def dim(widget: QWidget) -> QWidget:
    """Secondary text: the text colour blended towards the background, readable in light and dark themes."""
    pal = widget.palette()
    text, base = pal.color(QPalette.ColorRole.WindowText), pal.color(QPalette.ColorRole.Window)
    mixed = QColor(
        (3 * text.red() + 2 * base.red()) // 5,
        (3 * text.green() + 2 * base.green()) // 5,
        (3 * text.blue() + 2 * base.blue()) // 5,
    )
    pal.setColor(QPalette.ColorRole.WindowText, mixed)
    widget.setPalette(pal)
    return widget
