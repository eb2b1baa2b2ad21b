"""Status icons drawn in code so they stay crisp at any scale and follow the palette."""

from __future__ import annotations

from functools import cache

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPainterPath, QPen, QPixmap

COLORS = {
    "ok": "#2e9e44",
    "warning": "#d89b00",
    "error": "#d0302f",
    "info": "#3574c4",
    "unknown": "#8a8a8a",
    "na": "#8a8a8a",
}


def _pixmap(status: str, size: int) -> QPixmap:
    pm = QPixmap(size, size)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    color = QColor(COLORS.get(status, COLORS["unknown"]))
    m = size * 0.08
    r = QRectF(m, m, size - 2 * m, size - 2 * m)
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
        p.drawEllipse(r)
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
    p.end()
    return pm


@cache
def status_icon(status: str) -> QIcon:
    """Icon for "ok", "warning", "error", "info", "na" or "unknown"."""
    icon = QIcon()
    for size in (16, 24, 32, 48):
        icon.addPixmap(_pixmap(status, size))
    return icon
