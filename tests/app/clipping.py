"""Is any text cut off? A check on a shown widget tree (offscreen is enough)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractButton, QGroupBox, QLabel, QWidget

SLACK = 2  # pixels: rounding at fractional scale factors


def _elided_on_purpose(label: QLabel) -> bool:
    """A label that shortens its text itself keeps the whole text in its tooltip."""
    return "…" in label.text() and bool(label.toolTip())


def clipped(root: QWidget) -> list[str]:
    """Visible texts that do not fit the room they were given: every label and button fits its text, or wraps
    it into the height it has, or elides it on purpose; group box titles fit their box."""
    bad = []
    for w in root.findChildren(QWidget):
        if not w.isVisible() or w.width() <= 1:
            continue
        if isinstance(w, QLabel) and w.text().strip() and w.pixmap().isNull() and not _elided_on_purpose(w):
            rich = w.textFormat() == Qt.TextFormat.RichText
            if w.wordWrap():
                need = w.heightForWidth(w.width())
                if w.height() + SLACK < need:
                    bad.append(f"label cut at the bottom ({w.height()} < {need}): {w.text()[:60]!r}")
            else:
                hint = w.minimumSizeHint()
                if not rich and w.width() + SLACK < hint.width():
                    bad.append(f"label cut at the side ({w.width()} < {hint.width()}): {w.text()[:60]!r}")
                if w.height() + SLACK < hint.height():
                    bad.append(f"label cut at the bottom ({w.height()} < {hint.height()}): {w.text()[:60]!r}")
        if isinstance(w, QAbstractButton) and w.text():
            hint = w.minimumSizeHint()
            if w.width() + SLACK < hint.width():
                bad.append(f"button cut ({w.width()} < {hint.width()}): {w.text()[:60]!r}")
            elif w.height() + SLACK < hint.height():
                bad.append(f"button cut at the bottom ({w.height()} < {hint.height()}): {w.text()[:60]!r}")
        if isinstance(w, QGroupBox) and w.title():
            need = w.fontMetrics().horizontalAdvance(w.title().replace("&", "")) + 2 * w.fontMetrics().height()
            if w.width() + SLACK < need:
                bad.append(f"group title cut ({w.width()} < {need}): {w.title()[:60]!r}")
    return bad
