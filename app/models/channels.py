"""The telemetry channel browser: devices with their channels, checkable, unreadable ones explained."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import IntEnum

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal

from hwinspector.probes.channels import Channel

AnyIndex = QModelIndex | QPersistentModelIndex
ChannelRole = Qt.ItemDataRole.UserRole + 1


class ChannelColumn(IntEnum):
    NAME = 0
    UNIT = 1
    RATE = 2


_HEADERS = ("Channel", "Unit", "Max rate")


class ChannelModel(QAbstractItemModel):
    """Top level: devices (internal id 0). Children: their channels (internal id 1 + device row)."""

    selection_changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._devices: list[tuple[str, list[Channel]]] = []
        self._checked: set[str] = set()

    def set_channels(self, channels: Sequence[Channel], checked: Iterable[str] = ()) -> None:
        self.beginResetModel()
        groups: dict[str, list[Channel]] = {}
        for ch in channels:
            groups.setdefault(ch.device, []).append(ch)
        self._devices = sorted(groups.items(), key=lambda kv: kv[0].lower())
        readable = {c.id for c in channels if c.readable}
        self._checked = set(checked) & readable
        self.endResetModel()

    def checked(self) -> list[Channel]:
        return [c for _, chans in self._devices for c in chans if c.id in self._checked]

    def all_channels(self) -> list[Channel]:
        return [c for _, chans in self._devices for c in chans]

    def set_checked(self, ids: Iterable[str]) -> None:
        self._checked = set(ids) & {c.id for c in self.all_channels() if c.readable}
        self._emit_all()
        self.selection_changed.emit()

    def _emit_all(self) -> None:
        for r in range(len(self._devices)):
            parent = self.index(r, 0)
            self.dataChanged.emit(parent, parent)
            n = self.rowCount(parent)
            if n:
                self.dataChanged.emit(self.index(0, 0, parent), self.index(n - 1, 0, parent))

    def channel_at(self, index: AnyIndex) -> Channel | None:
        if not index.isValid() or index.internalId() == 0:
            return None
        return self._devices[index.internalId() - 1][1][index.row()]

    # --- QAbstractItemModel ----------------------------------------------------------------------

    def index(self, row: int, column: int, parent: AnyIndex = QModelIndex()) -> QModelIndex:
        if not 0 <= column < len(ChannelColumn):
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, 0) if 0 <= row < len(self._devices) else QModelIndex()
        if parent.internalId() != 0 or parent.column() != 0:
            return QModelIndex()
        chans = self._devices[parent.row()][1]
        return self.createIndex(row, column, parent.row() + 1) if 0 <= row < len(chans) else QModelIndex()

    def parent(self, index: AnyIndex = QModelIndex()) -> QModelIndex:  # type: ignore[override]
        if not index.isValid() or index.internalId() == 0:
            return QModelIndex()
        return self.createIndex(index.internalId() - 1, 0, 0)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:
        if not parent.isValid():
            return len(self._devices)
        if parent.internalId() != 0 or parent.column() != 0:
            return 0
        return len(self._devices[parent.row()][1])

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:
        return len(ChannelColumn)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < 3:
            return _HEADERS[section]
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        ch = self.channel_at(index)
        if ch is None:
            return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable
        if not ch.readable:
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return base | Qt.ItemFlag.ItemIsUserCheckable if index.column() == 0 else base

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid():
            return None
        col = ChannelColumn(index.column())
        ch = self.channel_at(index)
        if ch is None:
            device, chans = self._devices[index.row()]
            if role == Qt.ItemDataRole.DisplayRole and col == ChannelColumn.NAME:
                return f"{device} ({len(chans)})"
            if role == Qt.ItemDataRole.CheckStateRole and col == ChannelColumn.NAME:
                n = sum(c.id in self._checked for c in chans)
                if n == 0:
                    return Qt.CheckState.Unchecked
                return Qt.CheckState.Checked if n == sum(c.readable for c in chans) else Qt.CheckState.PartiallyChecked
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            if col == ChannelColumn.NAME:
                return ch.label
            if col == ChannelColumn.UNIT:
                return ch.unit
            return f"{ch.max_rate_hz:g} Hz"
        if role == Qt.ItemDataRole.CheckStateRole and col == ChannelColumn.NAME and ch.readable:
            return Qt.CheckState.Checked if ch.id in self._checked else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.ToolTipRole:
            text = f"{ch.id}\n{ch.path}\n{ch.kind}, sensible max {ch.max_rate_hz:g} Hz"
            return text if ch.readable else f"{text}\nnot readable: {ch.reason}"
        if role == ChannelRole:
            return ch
        return None

    def setData(self, index: AnyIndex, value: object, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.CheckStateRole or not index.isValid() or index.column() != 0:
            return False
        on = value in (Qt.CheckState.Checked, Qt.CheckState.Checked.value, 2)
        ch = self.channel_at(index)
        targets = [ch] if ch is not None else self._devices[index.row()][1]
        for c in targets:
            if c.readable:
                (self._checked.add if on else self._checked.discard)(c.id)
        self._emit_all()
        self.selection_changed.emit()
        return True
