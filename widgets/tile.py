"""A live tile: one headline number in large type, its caption and a line of detail, for presentation mode."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QAccessible, QColor, QPainter, QPainterPath, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from hwinspector.i18n import _
from hwinspector.widgets import accessible, dim


def blend(a: QColor, b: QColor, share_of_b: float) -> QColor:
    t = min(max(share_of_b, 0.0), 1.0)
    return QColor(
        round(a.red() * (1 - t) + b.red() * t),
        round(a.green() * (1 - t) + b.green() * t),
        round(a.blue() * (1 - t) + b.blue() * t),
    )


def panel_color(palette: QPalette) -> QColor:
    """A card's background: the window colour moved a little towards the text colour (any theme)."""
    return blend(palette.color(QPalette.ColorRole.Window), palette.color(QPalette.ColorRole.WindowText), 0.07)


class Tile(QWidget):
    """Shows what it is handed: caption, value, unit, detail; ``set_scale`` sizes the type in pixels."""

    accessible_role = QAccessible.Role.Grouping  # widgets.accessible: a reading, said as its name

    def __init__(self, caption: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        accessible.install()
        self._caption = caption
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.caption = QLabel(caption.upper())
        dim(self.caption)
        self.value = QLabel("—")
        self.value.setTextFormat(Qt.TextFormat.PlainText)
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        dim(self.detail)
        self.accent: QColor | None = None
        lay = QVBoxLayout(self)
        lay.addWidget(self.caption)
        lay.addWidget(self.value)
        lay.addWidget(self.detail)
        lay.addStretch(1)
        self.set_scale(16)

    def set_scale(self, px: int) -> None:
        """Caption at ``px``, the value at 3.2 times that; margins follow."""
        for label, factor, bold in ((self.caption, 0.8, True), (self.value, 3.2, True), (self.detail, 0.8, False)):
            f = label.font()
            f.setPixelSize(max(8, round(px * factor)))
            f.setBold(bold)
            label.setFont(f)
        m = round(px * 0.9)
        lay = self.layout()
        if lay is not None:
            lay.setContentsMargins(m + round(px * 0.3), m, m, m)
            lay.setSpacing(round(px * 0.25))
        self.setFixedHeight(round(px * 8.2))

    def set_value(self, value: str, detail: str = "", accent: QColor | None = None) -> None:
        self.value.setText(value)
        self.detail.setText(detail)
        self.accent = accent
        self.setAccessibleName(
            _("{caption}: {value}. {detail}").format(caption=self._caption, value=value, detail=detail)
        )
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        r = QRectF(self.rect()).adjusted(1, 1, -1, -1)
        radius = min(12.0, r.height() / 8)
        p.setPen(QPen(blend(pal.color(QPalette.ColorRole.Window), pal.color(QPalette.ColorRole.WindowText), 0.25), 1))
        p.setBrush(panel_color(pal))
        p.drawRoundedRect(r, radius, radius)
        if self.accent is not None:
            paint_stripe(p, r, radius, self.accent, max(4.0, self.caption.font().pixelSize() / 3))
        p.end()


def paint_stripe(p: QPainter, r: QRectF, radius: float, color: QColor, width: float) -> None:
    """A coloured band down the left edge of a rounded panel, clipped to its corners."""
    path = QPainterPath()
    path.addRoundedRect(r, radius, radius)
    p.save()
    p.setClipPath(path)
    p.fillRect(QRectF(r.left(), r.top(), width, r.height()), color)
    p.restore()
