"""Base models for live readings: rows keyed by identity, so a new reading is dataChanged, not a reset."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Generic, TypeVar

from PySide6.QtCore import QAbstractItemModel, QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from hwinspector.i18n import Text, _

AnyIndex = QModelIndex | QPersistentModelIndex
R = TypeVar("R")
P = TypeVar("P")
C = TypeVar("C")

ItemRole = Qt.ItemDataRole.UserRole + 1  # the probe dataclass (or reading) behind the row
SearchRole = Qt.ItemDataRole.UserRole + 2  # the text the page's search field matches
FractionRole = Qt.ItemDataRole.UserRole + 3  # 0..1 for a level bar, where the cell has one
LevelRole = Qt.ItemDataRole.UserRole + 4  # "ok" / "warning" / "error": the cell's status
ValueRole = Qt.ItemDataRole.UserRole + 5  # the raw number, in the unit the header says

_DISPLAY = Qt.ItemDataRole.DisplayRole


def _header(headers: Sequence[str], section: int, orientation: Qt.Orientation, role: int) -> object:
    if orientation == Qt.Orientation.Horizontal and role == _DISPLAY and 0 <= section < len(headers):
        return _(headers[section])
    return None


class LiveTableModel(QAbstractTableModel, Generic[R]):
    """A table over a list of immutable rows. Subclasses give ``headers``, ``key`` and ``cell``."""

    headers: tuple[str, ...] = ()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[R] = []

    def key(self, row: R) -> Hashable:
        raise NotImplementedError

    def cell(self, row: R, column: int, role: int) -> object:
        raise NotImplementedError

    def search_text(self, row: R) -> str:
        return " ".join(str(self.cell(row, c, _DISPLAY) or "") for c in range(self.columnCount()))

    def set_rows(self, rows: Sequence[R], force_reset: bool = False) -> bool:
        """Take a new reading; True when the row set changed and the model was reset."""
        new = list(rows)
        if not force_reset and [self.key(r) for r in new] == [self.key(r) for r in self._rows]:
            changed = [i for i, (a, b) in enumerate(zip(self._rows, new, strict=True)) if a != b]
            self._rows = new
            if changed:
                last = self.columnCount() - 1
                self.dataChanged.emit(self.index(min(changed), 0), self.index(max(changed), last))
            return False
        self.beginResetModel()
        self._rows = new
        self.endResetModel()
        return True

    def rows(self) -> list[R]:
        return list(self._rows)

    def row_at(self, row: int) -> R:
        return self._rows[row]

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.headers)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> object:
        return _header(self.headers, section, orientation, role)

    def data(self, index: AnyIndex, role: int = _DISPLAY) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == ItemRole:
            return row
        if role == SearchRole:
            return self.search_text(row)
        return self.cell(row, index.column(), role)


class LiveTreeModel(QAbstractItemModel, Generic[P, C]):
    """Two levels: parent rows (a chip, a zone) holding child rows (its inputs, its trip points).

    Internal ids: 0 for a parent row, 1 + the parent's row for a child, so a child knows its parent.
    """

    headers: tuple[str, ...] = ()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._parents: list[P] = []
        self._children: list[list[C]] = []

    def parent_key(self, item: P) -> Hashable:
        raise NotImplementedError

    def child_key(self, item: C) -> Hashable:
        raise NotImplementedError

    def parent_cell(self, item: P, column: int, role: int) -> object:
        raise NotImplementedError

    def child_cell(self, parent: P, item: C, column: int, role: int) -> object:
        raise NotImplementedError

    def search_text(self, parent: P, child: C | None) -> str:
        """Children carry their parent's text too, so a search for a chip keeps all its inputs."""
        text = " ".join(str(self.parent_cell(parent, c, _DISPLAY) or "") for c in range(len(self.headers)))
        if child is not None:
            text += " " + " ".join(
                str(self.child_cell(parent, child, c, _DISPLAY) or "") for c in range(len(self.headers))
            )
        return text

    def _shape(self, parents: Sequence[P], children: Sequence[Sequence[C]]) -> list[tuple[Hashable, list[Hashable]]]:
        return [(self.parent_key(p), [self.child_key(c) for c in cs]) for p, cs in zip(parents, children, strict=True)]

    def set_tree(self, parents: Sequence[P], children: Sequence[Sequence[C]]) -> bool:
        """Take a new reading; True when the structure changed and the model was reset."""
        new_p, new_c = list(parents), [list(cs) for cs in children]
        if self._shape(new_p, new_c) != self._shape(self._parents, self._children):
            self.beginResetModel()
            self._parents, self._children = new_p, new_c
            self.endResetModel()
            return True
        old_p, old_c = self._parents, self._children
        self._parents, self._children = new_p, new_c
        last = len(self.headers) - 1
        changed = [i for i, (a, b) in enumerate(zip(old_p, new_p, strict=True)) if a != b]
        if changed:
            self.dataChanged.emit(self.index(min(changed), 0), self.index(max(changed), last))
        for prow, (a_cs, b_cs) in enumerate(zip(old_c, new_c, strict=True)):
            moved = [i for i, (a, b) in enumerate(zip(a_cs, b_cs, strict=True)) if a != b]
            if moved:
                top = self.index(prow, 0)
                self.dataChanged.emit(self.index(min(moved), 0, top), self.index(max(moved), last, top))
        return False

    def parent_items(self) -> list[P]:
        return list(self._parents)

    def child_items(self, row: int) -> list[C]:
        return list(self._children[row])

    def index(self, row: int, column: int, parent: AnyIndex = QModelIndex()) -> QModelIndex:
        if not 0 <= column < len(self.headers):
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, 0) if 0 <= row < len(self._parents) else QModelIndex()
        if parent.internalId() != 0 or parent.column() != 0 or not 0 <= parent.row() < len(self._parents):
            return QModelIndex()
        if 0 <= row < len(self._children[parent.row()]):
            return self.createIndex(row, column, parent.row() + 1)
        return QModelIndex()

    def parent(self, index: AnyIndex = QModelIndex()) -> QModelIndex:  # type: ignore[override]
        if not index.isValid() or index.internalId() == 0:
            return QModelIndex()
        return self.createIndex(index.internalId() - 1, 0, 0)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:
        if not parent.isValid():
            return len(self._parents)
        if parent.internalId() != 0 or parent.column() != 0:
            return 0
        return len(self._children[parent.row()])

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:
        return len(self.headers)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> object:
        return _header(self.headers, section, orientation, role)

    def data(self, index: AnyIndex, role: int = _DISPLAY) -> object:
        if not index.isValid():
            return None
        pid = index.internalId()
        prow = index.row() if pid == 0 else pid - 1
        if not 0 <= prow < len(self._parents):
            return None
        parent = self._parents[prow]
        if pid == 0:
            if role == ItemRole:
                return parent
            if role == SearchRole:
                return self.search_text(parent, None)
            return self.parent_cell(parent, index.column(), role)
        children = self._children[prow]
        if not 0 <= index.row() < len(children):
            return None
        child = children[index.row()]
        if role == ItemRole:
            return child
        if role == SearchRole:
            return self.search_text(parent, child)
        return self.child_cell(parent, child, index.column(), role)


def quantity(value: float | None, unit: str, digits: int = 2) -> str:
    """``12.35 W``; an em dash where there is no value (never a made-up 0)."""
    if value is None:
        return "—"
    # the window's locale writes the number (12,35 W in German) once l10n.install has run; Python's before
    text = Text("{value:.{digits}f}").format(value=value, digits=digits)
    return f"{text} {unit}".rstrip() if unit else text
