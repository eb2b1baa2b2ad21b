"""Qt models for the Drivers page: the problems table and the driver → devices tree."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from enum import IntEnum

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from hwinspector.i18n import N_, _, localize
from hwinspector.models.live_table import ItemRole, LiveTreeModel
from hwinspector.probes.devices.drivers import Binding, Problem
from hwinspector.probes.devices.tree import Device
from hwinspector.widgets.status_icons import status_icon

AnyIndex = QModelIndex | QPersistentModelIndex


class ProblemColumn(IntEnum):
    DEVICE = 0
    KIND = 1
    DETAIL = 2
    CANDIDATES = 3
    MODALIAS = 4


_PROBLEM_HEADERS = (N_("Device"), N_("Problem"), N_("Detail"), N_("Could be bound by"), N_("Modalias"))
_KIND_WORDS = {
    "unbound": N_("No driver"),
    "firmware": N_("Firmware failed"),
    "deferred": N_("Probe deferred"),
    "taint": N_("Kernel tainted"),
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
            return _(_PROBLEM_HEADERS[section])
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
                return _(_KIND_WORDS.get(p.kind, p.kind))
            if col == ProblemColumn.DETAIL:
                return localize(p.detail)
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


_BINDING_HEADERS = (N_("Driver / device"), N_("Module"), N_("Version"), N_("Devices"))


class BindingsModel(LiveTreeModel[Binding, "Device | str"]):
    """Top level: one row per driver. Children: the devices bound to it (a path where the source has no
    such device). A new reading of the same drivers and devices updates cells, keeping what is expanded."""

    headers = _BINDING_HEADERS

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._devices: Mapping[str, Device] = {}

    def parent_key(self, item: Binding) -> Hashable:
        return item.bus, item.driver

    def child_key(self, item: Device | str) -> Hashable:
        return _path_of(item)

    def set_bindings(self, bindings: Sequence[Binding], devices: Mapping[str, Device]) -> None:
        self._devices = dict(devices)
        self.set_tree(bindings, [[self._devices.get(p, p) for p in b.devices] for b in bindings])

    def binding_at(self, index: AnyIndex) -> Binding | None:
        if not index.isValid():
            return None
        parent_row = index.internalId() - 1 if index.internalId() else index.row()
        return self._parents[parent_row] if 0 <= parent_row < len(self._parents) else None

    def device_path_at(self, index: AnyIndex) -> str | None:
        if not index.isValid() or index.internalId() == 0:
            return None
        return _path_of(self._children[index.internalId() - 1][index.row()])

    def parent_cell(self, item: Binding, column: int, role: int) -> object:
        if role == Qt.ItemDataRole.DisplayRole:
            if column == BindingColumn.DRIVER:
                return item.driver
            if column == BindingColumn.MODULE:
                return item.module or "—"
            if column == BindingColumn.VERSION:
                return item.module_version or item.srcversion or ""
            return str(len(item.devices))
        if role == Qt.ItemDataRole.ToolTipRole:
            module = item.module or _("built into the kernel, or not recorded in this source")
            return _("bus: {bus}\nmodule: {module}").format(bus=item.bus or "?", module=module)
        return None

    def child_cell(self, parent: Binding, item: Device | str, column: int, role: int) -> object:
        dev = item if isinstance(item, Device) else None
        if role == Qt.ItemDataRole.DisplayRole:
            if column == BindingColumn.DRIVER:
                return dev.name if dev else item
            if column == BindingColumn.DEVICES:
                return dev.sysname if dev else ""
            return ""
        if role == Qt.ItemDataRole.ToolTipRole:
            return _path_of(item)
        return None


def _path_of(item: Device | str) -> str:
    return item.path if isinstance(item, Device) else item
