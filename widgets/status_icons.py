"""Status icons drawn in code at the size and pixel ratio asked for, so they stay crisp at any scale.

Each status has its own shape as well as its colour (a tick in a circle, a triangle, a cross, an "i", a dash):
colour is never the only signal. The icon's ``name()`` says its status (``hwinspector-status-warning``), so
the text a screen reader hears for a table cell can say it too (``widgets.accessible.cell_text``).
"""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QPointF, QRect, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QIcon, QIconEngine, QPainter, QPainterPath, QPen, QPixmap

from hwinspector.i18n import N_

COLORS = {
    "ok": "#2e9e44",
    "warning": "#d89b00",
    "error": "#d0302f",
    "info": "#3574c4",
    "unknown": "#8a8a8a",
    "na": "#8a8a8a",
}
# The status in words, for screen readers (the icon's shape says it to the eye).
WORDS = {
    "ok": N_("OK"),
    "warning": N_("warning"),
    "error": N_("error"),
    "info": N_("information"),
    "na": N_("not applicable"),
    "unknown": N_("unknown"),
}
NAME_PREFIX = "hwinspector-status-"
_ENGINES: list[QIconEngine] = []  # Qt owns an engine through its icon; Python keeps every one it made alive too


def draw_status(p: QPainter, rect: QRectF, status: str) -> None:
    """The status symbol inside ``rect`` (a square), in vectors: sharp at any size and device pixel ratio."""
    size = min(rect.width(), rect.height())
    ox, oy = rect.left() + (rect.width() - size) / 2, rect.top() + (rect.height() - size) / 2
    p.save()
    p.translate(ox, oy)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    color = QColor(COLORS.get(status, COLORS["unknown"]))
    m = size * 0.08
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(color)
    if status == "warning":
        path = QPainterPath()
        path.moveTo(QPointF(size / 2, m))
        path.lineTo(QPointF(size - m, size - m))
        path.lineTo(QPointF(m, size - m))
        path.closeSubpath()
        p.drawPath(path)
    else:
        p.drawEllipse(QRectF(m, m, size - 2 * m, size - 2 * m))
    pen = QPen(QColor("white"), max(1.5, size / 9))
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    p.setPen(pen)
    c = size / 2
    if status == "ok":
        p.drawPolyline([QPointF(size * 0.3, c), QPointF(size * 0.45, size * 0.66), QPointF(size * 0.72, size * 0.34)])
    elif status == "error":
        d = size * 0.2
        p.drawLine(QPointF(c - d, c - d), QPointF(c + d, c + d))
        p.drawLine(QPointF(c + d, c - d), QPointF(c - d, c + d))
    elif status == "warning":
        p.drawLine(QPointF(c, size * 0.38), QPointF(c, size * 0.64))
        p.drawPoint(QPointF(c, size * 0.78))
    elif status == "info":
        p.drawLine(QPointF(c, size * 0.45), QPointF(c, size * 0.72))
        p.drawPoint(QPointF(c, size * 0.28))
    else:
        p.drawLine(QPointF(size * 0.32, c), QPointF(size * 0.68, c))
    p.restore()


class _StatusEngine(QIconEngine):
    """Paints the symbol for whatever size and device pixel ratio a view asks (no upscaled bitmap)."""

    def __init__(self, status: str) -> None:
        super().__init__()
        self.status = status

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        if mode == QIcon.Mode.Disabled:
            painter.setOpacity(painter.opacity() * 0.45)
        draw_status(painter, QRectF(rect), self.status)

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        return self.scaledPixmap(size, mode, state, 1.0)

    def scaledPixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State, scale: float) -> QPixmap:
        pm = QPixmap(max(1, round(size.width() * scale)), max(1, round(size.height() * scale)))
        pm.setDevicePixelRatio(scale)
        pm.fill(Qt.GlobalColor.transparent)
        p = QPainter(pm)
        self.paint(p, QRect(0, 0, size.width(), size.height()), mode, state)
        p.end()
        return pm

    def actualSize(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QSize:
        side = min(size.width(), size.height())
        return QSize(side, side)

    def clone(self) -> QIconEngine:
        return _engine(self.status)

    def iconName(self) -> str:
        return NAME_PREFIX + self.status

    def key(self) -> str:
        return "hwinspector-status"


def _engine(status: str) -> _StatusEngine:
    engine = _StatusEngine(status)
    _ENGINES.append(engine)
    return engine


@cache
def status_icon(status: str) -> QIcon:
    """Icon for "ok", "warning", "error", "info", "na" or "unknown"."""
    return QIcon(_engine(status))


def status_of(icon: object) -> str | None:
    """The status a status icon shows (None for any other icon or value)."""
    if isinstance(icon, QIcon) and icon.name().startswith(NAME_PREFIX):
        return icon.name()[len(NAME_PREFIX) :]
    return None
