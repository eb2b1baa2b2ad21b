"""Lanes of linked boxes drawn from an item model: each top-level row a lane, its children the boxes."""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, QRect, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAccessible,
    QColor,
    QFocusEvent,
    QFont,
    QFontMetrics,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPalette,
    QResizeEvent,
)
from PySide6.QtWidgets import QFrame, QGraphicsScene, QGraphicsView, QWidget

from hwinspector.i18n import _
from hwinspector.widgets import accessible
from hwinspector.widgets.chain_items import (
    COL_GAP,
    LANE_GAP,
    LANE_PAD,
    MAX_BOX_W,
    MAX_LINES,
    MIN_BOX_W,
    PAD,
    ROW_GAP,
    Box,
    BoxItem,
    EdgeItem,
    LaneItem,
)
from hwinspector.widgets.status_icons import WORDS


class ChainRole(IntEnum):
    """What the view reads from its model. Lanes use Display, LINES (a subtitle) and STATUS."""

    KEY = Qt.ItemDataRole.UserRole + 40  # str, unique among boxes
    CAPTION = Qt.ItemDataRole.UserRole + 41  # small heading above the title ("CONNECTOR")
    LINES = Qt.ItemDataRole.UserRole + 42  # list[str] under the title
    STATUS = Qt.ItemDataRole.UserRole + 43  # "ok" | "warning" | "error" | "info" | "na"
    PROBLEMS = Qt.ItemDataRole.UserRole + 44  # list[tuple[severity, text]], drawn in the box
    COLUMN = Qt.ItemDataRole.UserRole + 45  # int
    ROW = Qt.ItemDataRole.UserRole + 46  # int, within the lane; boxes of one row share a height
    LINKS = Qt.ItemDataRole.UserRole + 47  # list[str]: keys of the boxes this one leads to
    ACTIVE = Qt.ItemDataRole.UserRole + 48  # bool; inactive boxes are drawn compact and dimmed
    SEARCH = Qt.ItemDataRole.UserRole + 49  # str the filter matches against


def _list(value: object) -> list[str]:
    return [str(v) for v in value] if isinstance(value, (list, tuple)) else []


class ChainView(QGraphicsView):
    """Draws the model's lanes left to right; click or arrow keys move the current box.

    Right follows a link downstream, Left goes back upstream, Up and Down move within a column and
    across lanes, Home and End jump to the first and last box.
    """

    current_changed = Signal(str)  # key of the current box ("" when none)
    accessible_role = QAccessible.Role.List  # widgets.accessible: the boxes are its items
    accessible_item_role = QAccessible.Role.ListItem

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        accessible.install()
        self.setAccessibleDescription(
            _("Arrow keys move between boxes: Right follows a link, Left goes back, Home and End jump to the ends")
        )
        self._lanes: list[str] = []
        self.setScene(QGraphicsScene(self))
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setBackgroundBrush(self.palette().brush(QPalette.ColorRole.Window))
        self._model: QAbstractItemModel | None = None
        self._boxes: dict[str, Box] = {}
        self._order: list[str] = []
        self._items: dict[str, BoxItem] = {}
        self._current = ""
        self._filter = ""
        self.box_width = MIN_BOX_W
        self.caption_font = QFont(self.font())
        self.caption_font.setPointSizeF(self.font().pointSizeF() * 0.8)
        self.caption_font.setCapitalization(QFont.Capitalization.AllUppercase)
        self.caption_font.setLetterSpacing(QFont.SpacingType.PercentageSpacing, 104)
        self.title_font = QFont(self.font())
        self.title_font.setBold(True)
        self.header_font = QFont(self.title_font)
        self.header_font.setPointSizeF(self.font().pointSizeF() * 1.05)
        self._relayout = QTimer(self)
        self._relayout.setSingleShot(True)
        self._relayout.setInterval(0)
        self._relayout.timeout.connect(self.relayout)

    # --- model ---------------------------------------------------------------------------------------

    def setModel(self, model: QAbstractItemModel) -> None:
        self._model = model
        for sig in (model.modelReset, model.rowsInserted, model.rowsRemoved, model.layoutChanged, model.dataChanged):
            sig.connect(self._schedule)
        self.relayout()

    def model(self) -> QAbstractItemModel | None:
        return self._model

    def _schedule(self, *_: object) -> None:
        self._relayout.start()

    # --- queries (the page and tests use these) --------------------------------------------------------

    def keys(self) -> list[str]:
        """Every box, in reading order (lane, row, column)."""
        return list(self._order)

    def box_rect(self, key: str) -> QRectF:
        return QRectF(self._boxes[key].rect)

    def links(self, key: str) -> list[str]:
        return list(self._boxes[key].links)

    def current_key(self) -> str:
        return self._current

    def current_index(self) -> QModelIndex:
        box = self._boxes.get(self._current)
        m = self._model
        if box is None or m is None or not box.index.isValid():
            return QModelIndex()
        return m.index(box.index.row(), box.index.column(), box.index.parent())

    def dim_color(self) -> QColor:
        pal = self.palette()
        t, b = pal.color(QPalette.ColorRole.Text), pal.color(QPalette.ColorRole.Base)
        return QColor(
            (3 * t.red() + 2 * b.red()) // 5, (3 * t.green() + 2 * b.green()) // 5, (3 * t.blue() + 2 * b.blue()) // 5
        )

    # --- selection and filter ------------------------------------------------------------------------------

    def select_key(self, key: str) -> bool:
        if key and key not in self._boxes:
            return False
        if key != self._current:
            old, self._current = self._current, key
            for k in (old, key):
                if k in self._items:
                    self._items[k].update()
            self.current_changed.emit(key)
            accessible.item_focused(self, key, self._order)
        if key in self._items:
            self.ensureVisible(self._items[key].box.rect, 16, 16)
        return True

    # --- what assistive technology reads (widgets.accessible) ---------------------------------------

    def accessible_items(self) -> list[str]:
        return list(self._order)

    def accessible_item(self, key: str) -> accessible.AccessibleItem | None:
        """A box in words: caption, title and status as its name; lines, problems and lane as its description."""
        b = self._boxes.get(key)
        if b is None:
            return None
        status = _(WORDS.get(b.status, b.status))
        title = _("{caption}: {title}").format(caption=b.caption, title=b.title) if b.caption else b.title
        name = _("{title}, {status}").format(title=title, status=status)
        if not b.active:
            name = _("{name} (inactive)").format(name=name)
        parts = list(b.lines)
        parts += [_("{severity}: {problem}").format(severity=_(WORDS.get(s, s)), problem=t) for s, t in b.problems]
        if 0 <= b.lane < len(self._lanes) and self._lanes[b.lane]:
            parts.append(_("in {lane}").format(lane=self._lanes[b.lane]))
        r = self.mapFromScene(b.rect).boundingRect()
        top_left = self.viewport().mapToGlobal(r.topLeft())
        return accessible.AccessibleItem(name, "; ".join(parts), QRect(top_left, r.size()), key == self._current)

    def set_filter(self, text: str) -> None:
        """Fade every box whose text does not contain ``text``."""
        self._filter = text.strip().lower()
        self.scene().update()

    def matches(self, box: Box) -> bool:
        return not self._filter or self._filter in box.search

    def matching_keys(self) -> list[str]:
        return [k for k in self._order if self.matches(self._boxes[k])]

    # --- text layout ---------------------------------------------------------------------------------

    def _wrap(self, text: str, fm: QFontMetrics, width: float, max_lines: int) -> list[str]:
        words, lines, cur = text.split(), [], ""
        for w in words:
            trial = f"{cur} {w}".strip()
            if fm.horizontalAdvance(trial) <= width or not cur:
                cur = trial
            else:
                lines.append(cur)
                cur = w
        if cur:
            lines.append(cur)
        if len(lines) > max_lines:
            lines = [*lines[: max_lines - 1], " ".join(lines[max_lines - 1 :])]
        return [fm.elidedText(x, Qt.TextElideMode.ElideRight, int(width)) for x in lines] or [""]

    def title_lines(self, b: Box) -> list[str]:
        return self._wrap(b.title, QFontMetrics(self.title_font), self.box_width - 2 * PAD, 2 if b.active else 1)

    def shown_lines(self, b: Box) -> list[str]:
        """Each line wrapped to at most two; inactive boxes show only their first line."""
        fm = QFontMetrics(self.font())
        out: list[str] = []
        for line in b.lines[: MAX_LINES if b.active else 1]:
            out += self._wrap(line, fm, self.box_width - 2 * PAD, 2 if b.active else 1)
        return out

    def problem_lines(self, b: Box) -> list[tuple[str, list[str]]]:
        fm = QFontMetrics(self.font())
        return [(s, self._wrap(t, fm, self.box_width - 2 * PAD - 16, 3)) for s, t in b.problems]

    def _box_height(self, b: Box) -> float:
        fm = QFontMetrics(self.font())
        h = 2 * PAD + QFontMetrics(self.caption_font).height() + 1
        h += len(self.title_lines(b)) * QFontMetrics(self.title_font).height()
        h += len(self.shown_lines(b)) * fm.height()
        h += sum(2 + len(lines) * fm.height() for _, lines in self.problem_lines(b))
        return h

    # --- layout --------------------------------------------------------------------------------------

    def _read(self) -> list[tuple[str, str, str, list[Box]]]:
        m = self._model
        lanes: list[tuple[str, str, str, list[Box]]] = []
        if m is None:
            return lanes
        for li in range(m.rowCount()):
            lane = m.index(li, 0)
            boxes = []
            for bi in range(m.rowCount(lane)):
                ix = m.index(bi, 0, lane)
                boxes.append(
                    Box(
                        key=str(ix.data(ChainRole.KEY)),
                        index=QPersistentModelIndex(ix),
                        caption=str(ix.data(ChainRole.CAPTION) or ""),
                        title=str(ix.data(Qt.ItemDataRole.DisplayRole) or ""),
                        lines=_list(ix.data(ChainRole.LINES)),
                        status=str(ix.data(ChainRole.STATUS) or "ok"),
                        problems=[(str(s), str(t)) for s, t in (ix.data(ChainRole.PROBLEMS) or [])],
                        column=int(ix.data(ChainRole.COLUMN) or 0),
                        row=int(ix.data(ChainRole.ROW) or 0),
                        links=_list(ix.data(ChainRole.LINKS)),
                        active=ix.data(ChainRole.ACTIVE) is not False,
                        search=str(ix.data(ChainRole.SEARCH) or "").lower(),
                        lane=li,
                    )
                )
            subtitle = " · ".join(_list(lane.data(ChainRole.LINES)))
            lanes.append((str(lane.data() or ""), subtitle, str(lane.data(ChainRole.STATUS) or "ok"), boxes))
        return lanes

    def _columns(self, lanes: Sequence[tuple[str, str, str, list[Box]]]) -> dict[int, int]:
        """Column of the model -> column drawn: columns no lane uses take no room."""
        used = sorted({b.column for *_, boxes in lanes for b in boxes})
        return {c: i for i, c in enumerate(used)}

    def relayout(self) -> None:
        """Rebuild the scene from the model (coalesced after model signals; tests may call it directly)."""
        self._relayout.stop()
        scene = self.scene()
        scene.clear()
        self._items.clear()
        lanes = self._read()
        place = self._columns(lanes)
        ncols = max(len(place), 1)
        room = self.viewport().width() - 2 * LANE_PAD - (ncols - 1) * COL_GAP - 4
        self.box_width = max(MIN_BOX_W, min(MAX_BOX_W, room / max(ncols, 1)))
        head_h = QFontMetrics(self.header_font).height() + LANE_PAD
        width = 2 * LANE_PAD + ncols * self.box_width + (ncols - 1) * COL_GAP
        y = 0.0
        self._boxes = {}
        self._order = []
        for li, (title, subtitle, status, boxes) in enumerate(lanes):
            top = y
            y += head_h
            rows = sorted({b.row for b in boxes})
            heights = {r: max(self._box_height(b) for b in boxes if b.row == r) for r in rows}
            row_y: dict[int, float] = {}
            for r in rows:
                row_y[r] = y
                y += heights[r] + ROW_GAP
            for b in sorted(boxes, key=lambda b: (b.row, b.column)):
                x = LANE_PAD + place[b.column] * (self.box_width + COL_GAP)
                b.rect = QRectF(x, row_y[b.row], self.box_width, self._box_height(b))
                self._boxes[b.key] = b
                self._order.append(b.key)
            y += LANE_PAD - ROW_GAP if boxes else LANE_PAD
            scene.addItem(LaneItem(QRectF(0, top, width, y - top), title, subtitle, status, li % 2 == 1, self))
            y += LANE_GAP
        for b in self._boxes.values():
            item = BoxItem(b, self)
            scene.addItem(item)
            self._items[b.key] = item
            for k in b.links:
                target = self._boxes.get(k)
                if target is not None and target.column > b.column:
                    scene.addItem(EdgeItem(b.rect, target.rect, b.active and target.active, self))
        scene.setSceneRect(QRectF(0, 0, width, max(y - LANE_GAP, 0)))
        self._lanes = [title for title, *_rest in lanes]
        if self._current and self._current not in self._boxes:
            self._current = ""
            self.current_changed.emit("")
        accessible.items_changed(self, set(self._boxes))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._schedule()

    # --- keyboard and mouse -------------------------------------------------------------------------

    def _upstream(self, key: str) -> list[str]:
        return [k for k in self._order if key in self._boxes[k].links]

    def neighbour(self, key: str, direction: Qt.Key) -> str:
        """The box an arrow key moves to from ``key`` (itself when there is none)."""
        b = self._boxes[key]

        def nearest(candidates: list[str]) -> str:
            if not candidates:
                return key
            return min(candidates, key=lambda k: (abs(self._boxes[k].rect.center().y() - b.rect.center().y()), k))

        if direction == Qt.Key.Key_Right:
            return nearest([k for k in b.links if k in self._boxes])
        if direction == Qt.Key.Key_Left:
            return nearest(self._upstream(key))
        down = direction == Qt.Key.Key_Down
        same_col = [
            k
            for k in self._order
            if self._boxes[k].column == b.column
            and (self._boxes[k].rect.top() > b.rect.top() if down else self._boxes[k].rect.top() < b.rect.top())
        ]
        if same_col:
            return min(same_col, key=lambda k: abs(self._boxes[k].rect.top() - b.rect.top()))
        lane = b.lane + (1 if down else -1)
        other = [k for k in self._order if self._boxes[k].lane == lane]
        if not other:
            return key
        return min(
            other, key=lambda k: (abs(self._boxes[k].column - b.column), self._boxes[k].row * (1 if down else -1))
        )

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = Qt.Key(event.key())
        if not self._order:
            super().keyPressEvent(event)
            return
        if key == Qt.Key.Key_Home:
            self.select_key(self._order[0])
        elif key == Qt.Key.Key_End:
            self.select_key(self._order[-1])
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_Up, Qt.Key.Key_Down):
            self.select_key(self.neighbour(self._current, key) if self._current else self._order[0])
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def focusInEvent(self, event: QFocusEvent) -> None:
        super().focusInEvent(event)
        if not self._current and self._order:
            self.select_key(self._order[0])
        elif self._current:
            accessible.item_focused(self, self._current, self._order)
        self._update_current()

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self._update_current()

    def _update_current(self) -> None:
        """The current box draws a focus ring while the view has the focus (keyboard users see where they are)."""
        item = self._items.get(self._current)
        if item is not None:
            item.update()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self.setFocus()  # before the box takes the click: arrow keys go on from the clicked box
        super().mousePressEvent(event)
