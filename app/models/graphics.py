"""The Graphics page's model: one lane per GPU, its chain elements as children, each with its full detail."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from hwinspector.i18n import _
from hwinspector.models.graphics_elements import COLUMNS, ChainElement, ChainPicture, Issue, Lane
from hwinspector.models.graphics_lanes import build_picture, chain_text
from hwinspector.probes.graphics.stack import GraphicsStack
from hwinspector.widgets.chain_view import ChainRole
from hwinspector.widgets.status_icons import status_icon

__all__ = [
    "COLUMNS",
    "ChainElement",
    "ChainPicture",
    "ElementRole",
    "GraphicsChainModel",
    "Issue",
    "Lane",
    "LaneRole",
    "build_picture",
    "chain_text",
]

AnyIndex = QModelIndex | QPersistentModelIndex
ElementRole = Qt.ItemDataRole.UserRole + 1  # the ChainElement of a box
LaneRole = Qt.ItemDataRole.UserRole + 2  # the Lane of a top-level row


@dataclass(frozen=True, slots=True)
class _Shape:
    lanes: tuple[tuple[str, tuple[str, ...]], ...]


def _shape(picture: ChainPicture) -> _Shape:
    return _Shape(tuple((lane.key, tuple(e.key for e in lane.elements)) for lane in picture.lanes))


class GraphicsChainModel(QAbstractItemModel):
    """Top level: lanes (internal id 0). Children: their elements (internal id 1 + lane row). One column."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.picture = ChainPicture((), ())

    def set_stack(self, stack: GraphicsStack) -> None:
        self.set_picture(build_picture(stack))

    def set_picture(self, picture: ChainPicture) -> None:
        """Same lanes and elements as before: values change in place; else the model is reset."""
        if _shape(picture) == _shape(self.picture):
            self.picture = picture
            for r, lane in enumerate(picture.lanes):
                top = self.index(r, 0)
                self.dataChanged.emit(top, top)
                if lane.elements:
                    self.dataChanged.emit(self.index(0, 0, top), self.index(len(lane.elements) - 1, 0, top))
            return
        self.beginResetModel()
        self.picture = picture
        self.endResetModel()

    def lanes(self) -> tuple[Lane, ...]:
        return self.picture.lanes

    def element(self, key: str) -> ChainElement | None:
        return next((e for lane in self.picture.lanes for e in lane.elements if e.key == key), None)

    def index_of(self, key: str) -> QModelIndex:
        for r, lane in enumerate(self.picture.lanes):
            for c, e in enumerate(lane.elements):
                if e.key == key:
                    return self.index(c, 0, self.index(r, 0))
        return QModelIndex()

    def element_at(self, index: AnyIndex) -> ChainElement | None:
        if not index.isValid() or index.internalId() == 0:
            return None
        return self.picture.lanes[index.internalId() - 1].elements[index.row()]

    # --- QAbstractItemModel ----------------------------------------------------------------------------

    def index(self, row: int, column: int, parent: AnyIndex = QModelIndex()) -> QModelIndex:
        if column != 0:
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, 0, 0) if 0 <= row < len(self.picture.lanes) else QModelIndex()
        if parent.internalId() != 0 or parent.column() != 0:
            return QModelIndex()
        elements = self.picture.lanes[parent.row()].elements
        return self.createIndex(row, 0, parent.row() + 1) if 0 <= row < len(elements) else QModelIndex()

    def parent(self, index: AnyIndex = QModelIndex()) -> QModelIndex:  # type: ignore[override]
        if not index.isValid() or index.internalId() == 0:
            return QModelIndex()
        return self.createIndex(index.internalId() - 1, 0, 0)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:
        if not parent.isValid():
            return len(self.picture.lanes)
        if parent.internalId() != 0 or parent.column() != 0:
            return 0
        return len(self.picture.lanes[parent.row()].elements)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:
        return 1

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and section == 0:
            return _("Graphics chain")
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        e = self.element_at(index)
        if e is None:
            lane = self.picture.lanes[index.row()]
            if role == Qt.ItemDataRole.DisplayRole:
                return lane.title
            if role == ChainRole.LINES:
                return [lane.subtitle] if lane.subtitle else []
            if role == ChainRole.STATUS:
                return lane.status
            if role == Qt.ItemDataRole.DecorationRole:
                return status_icon(lane.status)
            if role == LaneRole:
                return lane
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return e.title
        if role == Qt.ItemDataRole.ToolTipRole:
            return "\n".join([f"{e.caption}: {e.title}", *e.lines, *(p.detail for p in e.problems)])
        if role == Qt.ItemDataRole.DecorationRole:
            return status_icon(e.status)
        if role == ChainRole.KEY:
            return e.key
        if role == ChainRole.CAPTION:
            return e.caption
        if role == ChainRole.LINES:
            return list(e.lines)
        if role == ChainRole.STATUS:
            return e.status
        if role == ChainRole.PROBLEMS:
            return [(p.severity, p.detail) for p in e.problems]
        if role == ChainRole.COLUMN:
            return e.column
        if role == ChainRole.ROW:
            return e.row
        if role == ChainRole.LINKS:
            return list(e.links)
        if role == ChainRole.ACTIVE:
            return e.active
        if role == ChainRole.SEARCH:
            return e.search_text()
        if role == ElementRole:
            return e
        return None
