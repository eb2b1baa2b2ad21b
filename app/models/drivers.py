"""Qt models for the Drivers page: the problems table and the driver → devices tree."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from enum import IntEnum

from PySide6.QtCore import (
    QAbstractItemModel,
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

from hwinspector.probes.devices import Device
from hwinspector.probes.drivers import Binding, Problem
from hwinspector.widgets.status_icons import status_icon

AnyIndex = QModelIndex | QPersistentModelIndex
ItemRole = Qt.ItemDataRole.UserRole + 1


class ProblemColumn(IntEnum):
    DEVICE = 0
    KIND = 1
    DETAIL = 2
    CANDIDATES = 3
    MODALIAS = 4


_PROBLEM_HEADERS = ("Device", "Problem", "Detail", "Could be bound by", "Modalias")
_KIND_WORDS = {
    "unbound": "No driver",
    "firmware": "Firmware failed",
    "deferred": "Probe deferred",
    "taint": "Kernel tainted",
}


class ProblemsModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Problem] = []

    def set_problems(self, problems: Sequence[Problem]) -> None:
        self.beginResetModel()
        self._rows = list(problems)
        self.endResetModel()

    def problem_at(self, row: int) -> Problem:
        return self._rows[row]

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(ProblemColumn)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(ProblemColumn)
        ):
            return _PROBLEM_HEADERS[section]
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        p = self._rows[index.row()]
        col = ProblemColumn(index.column())
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if col == ProblemColumn.DEVICE:
                return p.name or p.path or ""
            if col == ProblemColumn.KIND:
                return _KIND_WORDS.get(p.kind, p.kind)
            if col == ProblemColumn.DETAIL:
                return p.detail
            if col == ProblemColumn.CANDIDATES:
                return ", ".join(p.candidates)
            return p.modalias or ""
        if role == Qt.ItemDataRole.DecorationRole and col == ProblemColumn.DEVICE:
            return status_icon(p.severity)
        if role == ItemRole:
            return p
        return None


class BindingColumn(IntEnum):
    DRIVER = 0
    MODULE = 1
    VERSION = 2
    DEVICES = 3


_BINDING_HEADERS = ("Driver / device", "Module", "Version", "Devices")


class BindingsModel(QAbstractItemModel):
    """Top level: one row per driver. Children: the devices bound to it.

    Internal ids: 0 for driver rows; 1 + driver row for device rows (so a child knows its parent).
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Binding] = []
        self._devices: Mapping[str, Device] = {}

    def set_bindings(self, bindings: Sequence[Binding], devices: Mapping[str, Device]) -> None:
        self.beginResetModel()
        self._rows = list(bindings)
        self._devices = dict(devices)
        self.endResetModel()

    def binding_at(self, index: AnyIndex) -> Binding | None:
        if not index.isValid():
            return None
        parent_row = index.internalId() - 1 if index.internalId() else index.row()
        return self._rows[parent_row] if 0 <= parent_row < len(self._rows) else None

    def device_path_at(self, index: AnyIndex) -> str | None:
        if not index.isValid() or index.internalId() == 0:
            return None
        b = self._rows[index.internalId() - 1]
        return b.devices[index.row()]

    def index(self, row: int, column: int, parent: AnyIndex = QModelIndex()) -> QModelIndex:
        if not 0 <= column < len(BindingColumn):
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, 0) if 0 <= row < len(self._rows) else QModelIndex()
        if parent.internalId() != 0 or parent.column() != 0:
            return QModelIndex()
        b = self._rows[parent.row()]
        return self.createIndex(row, column, parent.row() + 1) if 0 <= row < len(b.devices) else QModelIndex()

    def parent(self, index: AnyIndex = QModelIndex()) -> QModelIndex:  # type: ignore[override]
        if not index.isValid() or index.internalId() == 0:
            return QModelIndex()
        return self.createIndex(index.internalId() - 1, 0, 0)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:
        if not parent.isValid():
            return len(self._rows)
        if parent.internalId() != 0 or parent.column() != 0:
            return 0
        return len(self._rows[parent.row()].devices)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:
        return len(BindingColumn)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(BindingColumn)
        ):
            return _BINDING_HEADERS[section]
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        col = BindingColumn(index.column())
        if index.internalId() == 0:
            b = self._rows[index.row()]
            if role == Qt.ItemDataRole.DisplayRole:
                if col == BindingColumn.DRIVER:
                    return b.driver
                if col == BindingColumn.MODULE:
                    return b.module or "—"
                if col == BindingColumn.VERSION:
                    return b.module_version or b.srcversion or ""
                return str(len(b.devices))
            if role == Qt.ItemDataRole.ToolTipRole:
                module = b.module or "built into the kernel, or not recorded in this source"
                return f"bus: {b.bus or '?'}\nmodule: {module}"
            if role == ItemRole:
                return b
            return None
        path = self.device_path_at(index)
        dev = self._devices.get(path or "")
        if role == Qt.ItemDataRole.DisplayRole:
            if col == BindingColumn.DRIVER:
                return dev.name if dev else path
            if col == BindingColumn.DEVICES:
                return dev.sysname if dev else ""
            return ""
        if role == Qt.ItemDataRole.ToolTipRole:
            return path
        if role == ItemRole:
            return dev
        return None
