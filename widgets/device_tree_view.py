"""A tree view for device models: filter proxy, expansion kept across resets, keyboard friendly."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTreeView, QWidget

AnyIndex = QModelIndex | QPersistentModelIndex


class TextFilterProxy(QSortFilterProxyModel):
    """Keeps rows whose searchable text contains every word typed; parents of hits stay visible."""

    def __init__(self, text_of: Callable[[AnyIndex], str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._text_of = text_of
        self._words: list[str] = []
        self.setRecursiveFilteringEnabled(True)

    def set_text(self, text: str) -> None:
        words = text.lower().split()
        if words == self._words:
            return
        # Qt 6.10 replaced invalidateFilter() with the begin/endFilterChange pair.
        if hasattr(self, "beginFilterChange"):
            self.beginFilterChange()
            self._words = words
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self._words = words
            self.invalidateRowsFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: AnyIndex) -> bool:
        if not self._words:
            return True
        model = self.sourceModel()
        idx = model.index(source_row, 0, source_parent)
        hay = self._text_of(idx).lower()
        return all(w in hay for w in self._words)


class DeviceTreeView(QTreeView):
    """QTreeView that remembers which rows were expanded by a key role across model resets."""

    def __init__(self, key_role: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._key_role = key_role
        self._expanded: set[str] = set()
        self._watched: set[int] = set()
        self.setUniformRowHeights(True)
        self.setAlternatingRowColors(True)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setAllColumnsShowFocus(True)
        self.header().setStretchLastSection(False)
        self.expanded.connect(lambda i: self._expanded.add(self._key(i)))
        self.collapsed.connect(lambda i: self._expanded.discard(self._key(i)))

    def _key(self, index: AnyIndex) -> str:
        value = index.data(self._key_role)
        return str(value) if value is not None else f"#{index.data()}"

    def setModel(self, model: QAbstractItemModel | None) -> None:
        super().setModel(model)
        if model is not None:
            if id(model) not in self._watched:  # a model set again (filter on, filter off) is watched once
                self._watched.add(id(model))
                model.modelReset.connect(self._restore)
                model.layoutChanged.connect(self._restore)
            header = self.header()
            header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
            last = model.columnCount() - 1
            for c in range(1, last):
                header.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
            # Sized from the rows in view, not Qt's default of 1,000 rows: measuring them asks the model
            # for each row's text, a call into Python per cell, after every hotplug batch (the largest
            # share of the event loop's stall in a storm of a thousand uevents).
            header.setResizeContentsPrecision(0)
            # The last column holds long kernel names (ucsi-source-psy-USBC000:001): a fixed, user-resizable
            # width keeps the readable name in view; the full text is in the tooltip and details.
            header.setSectionResizeMode(last, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(last, 130)

    def restore_expanded(self) -> None:
        """Expand again the rows that were expanded (after the model was swapped)."""
        self._restore()

    def _restore(self) -> None:
        model = self.model()
        if model is None or not self._expanded:
            return
        stack = [QModelIndex()]
        while stack:
            parent = stack.pop()
            for r in range(model.rowCount(parent)):
                idx = model.index(r, 0, parent)
                if self._key(idx) in self._expanded:
                    self.setExpanded(idx, True)
                    stack.append(idx)
