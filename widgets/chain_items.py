"""The drawn parts of a ChainView: a lane's background and heading, a box, an arrow between boxes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from PySide6.QtCore import QPersistentModelIndex, QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFontMetrics, QPainter, QPainterPath, QPalette, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsItem, QGraphicsSceneMouseEvent, QStyleOptionGraphicsItem, QWidget

from hwinspector.widgets.status_icons import COLORS, status_icon

if TYPE_CHECKING:
    from hwinspector.widgets.chain_view import ChainView

PAD = 7.0
COL_GAP = 22.0
ROW_GAP = 10.0
LANE_GAP = 14.0
LANE_PAD = 8.0
MIN_BOX_W = 124.0
MAX_BOX_W = 240.0
MAX_LINES = 3
ICON = 14
FOCUS_GAP = 4.0  # the focus ring's distance from the current box


@dataclass(slots=True)
class Box:
    key: str
    index: QPersistentModelIndex
    caption: str
    title: str
    lines: list[str]
    status: str
    problems: list[tuple[str, str]]
    column: int
    row: int
    links: list[str]
    active: bool
    search: str
    lane: int
    rect: QRectF = field(default_factory=QRectF)


class LaneItem(QGraphicsItem):
    def __init__(self, rect: QRectF, title: str, subtitle: str, status: str, shade: bool, view: ChainView) -> None:
        super().__init__()
        self.rect, self.title, self.subtitle, self.status, self.shade, self.view = (
            rect,
            title,
            subtitle,
            status,
            shade,
            view,
        )
        self.setZValue(-2)

    def boundingRect(self) -> QRectF:
        return self.rect

    def paint(self, p: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        pal = self.view.palette()
        base = pal.color(QPalette.ColorRole.Base)
        alt = pal.color(QPalette.ColorRole.AlternateBase)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(QPen(pal.color(QPalette.ColorRole.Mid), 1))
        p.setBrush(alt if self.shade else base)
        p.drawRoundedRect(self.rect, 8, 8)
        head = self.view.header_font
        fm = QFontMetrics(head)
        x = self.rect.left() + LANE_PAD
        y = self.rect.top() + LANE_PAD / 2
        status_icon(self.status).paint(p, int(x), int(y + (fm.height() - ICON) / 2), ICON, ICON)
        x += ICON + 6
        p.setFont(head)
        p.setPen(pal.color(QPalette.ColorRole.Text))
        room = self.rect.right() - LANE_PAD - x
        title = fm.elidedText(self.title, Qt.TextElideMode.ElideRight, int(room))
        p.drawText(QPointF(x, y + fm.ascent()), title)
        if self.subtitle:
            x += fm.horizontalAdvance(title) + 12
            small = self.view.font()
            sfm = QFontMetrics(small)
            p.setFont(small)
            p.setPen(self.view.dim_color())
            text = sfm.elidedText(self.subtitle, Qt.TextElideMode.ElideRight, int(self.rect.right() - LANE_PAD - x))
            p.drawText(QPointF(x, y + fm.ascent()), text)


class BoxItem(QGraphicsItem):
    def __init__(self, box: Box, view: ChainView) -> None:
        super().__init__()
        self.box, self.view = box, view
        self.setToolTip(
            "\n".join([f"{box.caption}: {box.title}" if box.caption else box.title, *box.lines])
            + "".join(f"\n{'⚠' if s == 'warning' else '✖' if s == 'error' else 'ⓘ'} {t}" for s, t in box.problems)
        )
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def boundingRect(self) -> QRectF:
        return self.box.rect.adjusted(-FOCUS_GAP - 2, -FOCUS_GAP - 2, FOCUS_GAP + 2, FOCUS_GAP + 2)

    def paint(self, p: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        b, v = self.box, self.view
        pal = v.palette()
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        current = v.current_key() == b.key
        faded = not v.matches(b)
        p.setOpacity(0.35 if faded else 1.0)
        border = QColor(COLORS[b.status]) if b.status in ("warning", "error") else pal.color(QPalette.ColorRole.Mid)
        pen = QPen(pal.color(QPalette.ColorRole.Highlight), 2.5) if current else QPen(border, 1.5)
        if not b.active:
            pen.setStyle(Qt.PenStyle.DashLine)
        p.setPen(pen)
        p.setBrush(pal.color(QPalette.ColorRole.Base) if b.active else pal.color(QPalette.ColorRole.Window))
        p.drawRoundedRect(b.rect, 6, 6)
        if current and v.hasFocus():
            # the keyboard focus: a ring outside the box, apart from the selection's colour and the status border
            p.setPen(QPen(pal.color(QPalette.ColorRole.WindowText), 1.5, Qt.PenStyle.DotLine))
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawRoundedRect(b.rect.adjusted(-FOCUS_GAP, -FOCUS_GAP, FOCUS_GAP, FOCUS_GAP), 8, 8)
        x0 = b.rect.left() + PAD
        width = b.rect.width() - 2 * PAD
        y = b.rect.top() + PAD
        small, small_fm = v.caption_font, QFontMetrics(v.caption_font)
        if b.caption:
            p.setFont(small)
            p.setPen(v.dim_color())
            p.drawText(
                QPointF(x0, y + small_fm.ascent()),
                small_fm.elidedText(b.caption, Qt.TextElideMode.ElideRight, int(width - ICON - 4)),
            )
        status_icon(b.status).paint(p, int(b.rect.right() - PAD - ICON), int(y - 1), ICON, ICON)
        y += small_fm.height() + 1
        text = pal.color(QPalette.ColorRole.Text) if b.active else v.dim_color()
        p.setFont(v.title_font)
        p.setPen(text)
        for line in v.title_lines(b):
            tfm = QFontMetrics(v.title_font)
            p.drawText(QPointF(x0, y + tfm.ascent()), line)
            y += tfm.height()
        fm = QFontMetrics(v.font())
        p.setFont(v.font())
        p.setPen(text)
        for line in v.shown_lines(b):
            p.drawText(QPointF(x0, y + fm.ascent()), line)
            y += fm.height()
        for severity, lines in v.problem_lines(b):
            y += 2
            status_icon(severity).paint(p, int(x0), int(y + (fm.height() - 12) / 2), 12, 12)
            p.setPen(QColor(COLORS.get(severity, COLORS["info"])).darker(115))
            for line in lines:
                p.drawText(QPointF(x0 + 16, y + fm.ascent()), line)
                y += fm.height()

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        self.view.select_key(self.box.key)


class EdgeItem(QGraphicsItem):
    def __init__(self, a: QRectF, b: QRectF, active: bool, view: ChainView) -> None:
        super().__init__()
        self.start = QPointF(a.right(), a.top() + min(a.height() / 2, 22))
        self.end = QPointF(b.left(), b.top() + min(b.height() / 2, 22))
        self.active, self.view = active, view
        self.setZValue(-1)
        mid = (self.start.x() + self.end.x()) / 2
        path = QPainterPath(self.start)
        path.cubicTo(QPointF(mid, self.start.y()), QPointF(mid, self.end.y()), self.end - QPointF(6, 0))
        self.path = path

    def boundingRect(self) -> QRectF:
        return self.path.boundingRect().adjusted(-8, -8, 8, 8)

    def paint(self, p: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        color = self.view.dim_color()
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        pen = QPen(color, 1.6 if self.active else 1.0)
        if not self.active:
            pen.setStyle(Qt.PenStyle.DashLine)
        p.setPen(pen)
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawPath(self.path)
        tip = self.end
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QBrush(color))
        p.drawPolygon(QPolygonF([tip, tip - QPointF(8, 4), tip - QPointF(8, -4)]))
