"""Qt models of the GPU panel: one GPU's readings grouped by quantity with units, and the GPU's clients."""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from hwinspector.i18n import N_, _
from hwinspector.probes.gpu.model import Gpu, GpuClient
from hwinspector.probes.gpu.units import QUANTITIES, format_value, split_key

Index = QModelIndex | QPersistentModelIndex
RawRole = Qt.ItemDataRole.UserRole + 1


class ReadingColumn(IntEnum):
    QUANTITY = 0
    DOMAIN = 1
    VALUE = 2
    SOURCE = 3


READING_HEADERS = (N_("Reading"), N_("Domain"), N_("Value"), N_("Source"))


class GpuReadingsModel(QAbstractTableModel):
    """Rows: one reading each, ordered by quantity then domain; absences at the end with their reason."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[tuple[str, str, str, str, float | None]] = []

    def set_gpu(self, gpu: Gpu | None) -> None:
        rows: list[tuple[str, str, str, str, float | None]] = []
        if gpu is not None and not gpu.asleep:
            for r in sorted(gpu.readings, key=lambda r: r.key):
                quantity, _unit, domain = split_key(r.key)
                if quantity == "residency" and r.key.startswith("residency_ms"):
                    continue  # the running total behind the share shown
                title = _(QUANTITIES[quantity]) if quantity in QUANTITIES else quantity
                rows.append((title, domain or "-", format_value(r.key, r.value), r.source, r.value))
            for a in gpu.absent:
                quantity, _unit, domain = split_key(a.key)
                title = _(QUANTITIES[quantity]) if quantity in QUANTITIES else quantity
                rows.append((title, domain or "-", _("not available"), a.reason, None))
        if [r[:2] for r in rows] == [r[:2] for r in self._rows]:
            self._rows = rows
            if rows:
                self.dataChanged.emit(self.index(0, 0), self.index(len(rows) - 1, len(ReadingColumn) - 1))
            return
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(ReadingColumn)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return row[index.column()]
        if role == RawRole and index.column() == ReadingColumn.VALUE:
            return row[4]
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() == ReadingColumn.VALUE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _(READING_HEADERS[section]) if 0 <= section < len(READING_HEADERS) else None
        return None


class ClientColumn(IntEnum):
    PID = 0
    COMMAND = 1
    GPU = 2
    NODE = 3
    BUSY = 4
    MEMORY = 5


CLIENT_HEADERS = (N_("PID"), N_("Command"), N_("GPU"), N_("Node"), N_("Busy"), N_("Memory"))


def _memory(c: GpuClient) -> str:
    parts = [
        f"{k} {v / 1024:.0f} MiB" for k, v in sorted(c.memory_kib.items()) if not k.startswith(("total-", "shared-"))
    ]
    return ", ".join(parts)


class GpuClientsModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._clients: list[GpuClient] = []

    def set_clients(self, clients: list[GpuClient]) -> None:
        self.beginResetModel()  # the process set changes between looks: a reset is the honest update
        self._clients = list(clients)
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._clients)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(ClientColumn)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._clients):
            return None
        c = self._clients[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            busy = "-" if c.busy_percent is None else f"{c.busy_percent:.0f} %"
            return (str(c.pid), c.command, c.pci_address, c.node or "-", busy, _memory(c))[col]
        if role == RawRole:
            return (c.pid, c.command, c.pci_address, c.node, c.busy_percent, dict(c.memory_kib))[col]
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return _(CLIENT_HEADERS[section]) if 0 <= section < len(CLIENT_HEADERS) else None
        return None
