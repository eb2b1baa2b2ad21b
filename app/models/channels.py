"""The telemetry channel browser: devices with their channels, checkable, unreadable ones explained."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from enum import IntEnum

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt, Signal

from hwinspector.i18n import N_, _
from hwinspector.models.live_table import ItemRole, LiveTreeModel
from hwinspector.probes.telemetry.channels import Channel

AnyIndex = QModelIndex | QPersistentModelIndex
ChannelRole = ItemRole  # the Channel behind a child row (a device row gives its name)


class ChannelColumn(IntEnum):
    NAME = 0
    UNIT = 1
    RATE = 2


class ChannelModel(LiveTreeModel[str, Channel]):
    """Top level: devices. Children: their channels, checkable when readable."""

    headers = (N_("Channel"), N_("Unit"), N_("Max rate"))
    selection_changed = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._checked: set[str] = set()

    def parent_key(self, item: str) -> str:
        return item

    def child_key(self, item: Channel) -> str:
        return item.id

    def set_channels(self, channels: Sequence[Channel], checked: Iterable[str] = ()) -> None:
        groups: dict[str, list[Channel]] = {}
        for ch in channels:
            groups.setdefault(ch.device, []).append(ch)
        devices = sorted(groups, key=str.lower)
        readable = {c.id for c in channels if c.readable}
        self.beginResetModel()  # a new catalogue: the check marks change with it
        self._checked = set(checked) & readable
        self._parents, self._children = devices, [groups[d] for d in devices]
        self.endResetModel()

    def checked(self) -> list[Channel]:
        return [c for c in self.all_channels() if c.id in self._checked]

    def all_channels(self) -> list[Channel]:
        return [c for chans in self._children for c in chans]

    def set_checked(self, ids: Iterable[str]) -> None:
        self._checked = set(ids) & {c.id for c in self.all_channels() if c.readable}
        self._emit_all()
        self.selection_changed.emit()

    def _emit_all(self) -> None:
        for r in range(len(self._parents)):
            parent = self.index(r, 0)
            self.dataChanged.emit(parent, parent)
            n = self.rowCount(parent)
            if n:
                self.dataChanged.emit(self.index(0, 0, parent), self.index(n - 1, 0, parent))

    def channel_at(self, index: AnyIndex) -> Channel | None:
        if not index.isValid() or index.internalId() == 0:
            return None
        return self._children[index.internalId() - 1][index.row()]

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

    def parent_cell(self, item: str, column: int, role: int) -> object:
        chans = self._children[self._parents.index(item)]
        if role == Qt.ItemDataRole.DisplayRole and column == ChannelColumn.NAME:
            return f"{item} ({len(chans)})"
        if role == Qt.ItemDataRole.CheckStateRole and column == ChannelColumn.NAME:
            n = sum(c.id in self._checked for c in chans)
            if n == 0:
                return Qt.CheckState.Unchecked
            return Qt.CheckState.Checked if n == sum(c.readable for c in chans) else Qt.CheckState.PartiallyChecked
        return None

    def child_cell(self, parent: str, item: Channel, column: int, role: int) -> object:
        if role == Qt.ItemDataRole.DisplayRole:
            if column == ChannelColumn.NAME:
                return item.label
            if column == ChannelColumn.UNIT:
                return item.unit
            return _("{max_rate_hz:g} Hz").format(max_rate_hz=item.max_rate_hz)
        if role == Qt.ItemDataRole.CheckStateRole and column == ChannelColumn.NAME and item.readable:
            return Qt.CheckState.Checked if item.id in self._checked else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.ToolTipRole:
            text = _("{id}\n{path}\n{kind}, sensible max {max_rate_hz:g} Hz").format(
                id=item.id, path=item.path, kind=item.kind, max_rate_hz=item.max_rate_hz
            )
            return text if item.readable else _("{text}\nnot readable: {reason}").format(text=text, reason=item.reason)
        return None

    def setData(self, index: AnyIndex, value: object, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.CheckStateRole or not index.isValid() or index.column() != 0:
            return False
        on = value in (Qt.CheckState.Checked, Qt.CheckState.Checked.value, 2)
        ch = self.channel_at(index)
        targets = [ch] if ch is not None else self._children[index.row()]
        for c in targets:
            if c.readable:
                (self._checked.add if on else self._checked.discard)(c.id)
        self._emit_all()
        self.selection_changed.emit()
        return True
