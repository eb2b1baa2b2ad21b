"""An item delegate that draws a thin level bar under a cell's text (cooling state, residency, frequency)."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem, QWidget

from hwinspector.widgets.status_icons import COLORS

BAR_HEIGHT = 4


class BarDelegate(QStyledItemDelegate):
    """Reads a fraction 0..1 from ``fraction_role``; cells without one are drawn as usual.

    ``level_role``, when given, holds "ok", "warning" or "error" to colour the bar; otherwise the
    palette's highlight colour is used. The bar sits under the text so the text keeps its contrast.
    """

    def __init__(self, fraction_role: int, level_role: int | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._fraction_role = fraction_role
        self._level_role = level_role

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().paint(painter, option, index)
        fraction = index.data(self._fraction_role)
        if not isinstance(fraction, (int, float)):
            return
        fraction = min(1.0, max(0.0, float(fraction)))
        level = index.data(self._level_role) if self._level_role is not None else None
        color = QColor(COLORS[level]) if isinstance(level, str) and level in COLORS else None
        if color is None:
            color = option.palette.color(QPalette.ColorRole.Highlight)
        rect = option.rect.adjusted(4, 0, -4, -2)
        track = QRectF(rect.left(), rect.bottom() - BAR_HEIGHT + 1, rect.width(), BAR_HEIGHT)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        faint = QColor(color)
        faint.setAlpha(50)
        painter.setBrush(faint)
        painter.drawRoundedRect(track, 2, 2)
        if fraction > 0:
            painter.setBrush(color)
            painter.drawRoundedRect(
                QRectF(track.left(), track.top(), max(2.0, track.width() * fraction), BAR_HEIGHT), 2, 2
            )
        painter.restore()
