"""Reusable Qt views. They show data handed to them and never read the system."""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QWidget

# A note's tint over the window colour: information blue, warning amber, refusal red.
_NOTE_TINTS: dict[str, tuple[str, float]] = {
    "info": ("#3574c4", 0.12),
    "warning": ("#d89b00", 0.22),
    "error": ("#d0302f", 0.14),
}


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


def note_style(kind: str = "info", palette: QPalette | None = None) -> str:
    """A style sheet for a tinted note: the window colour tinted towards the kind's hue, the window's text
    colour on it (so it is as readable as the theme: light, dark or high contrast), and a border line."""
    pal = palette if palette is not None else QApplication.palette()
    hue, share = _NOTE_TINTS.get(kind, _NOTE_TINTS["info"])
    base, text, tint = pal.color(QPalette.ColorRole.Window), pal.color(QPalette.ColorRole.WindowText), QColor(hue)
    bg = QColor(
        round(base.red() * (1 - share) + tint.red() * share),
        round(base.green() * (1 - share) + tint.green() * share),
        round(base.blue() * (1 - share) + tint.blue() * share),
    )
    return (
        f"background: {bg.name()}; color: {text.name()}; padding: 6px; border-radius: 4px;"
        f" border: 1px solid {hue}; border-left: 4px solid {hue};"
    )
