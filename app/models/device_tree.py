"""The device tree model: bus topology or grouped by kind, updated in place by hotplug events."""

from __future__ import annotations

import bisect
import time
from collections.abc import Iterable, Mapping, Sequence
from enum import IntEnum

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QObject, QPersistentModelIndex, Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QFont

from hwinspector.i18n import N_, _
from hwinspector.probes.devices.hotplug import HotplugEvent
from hwinspector.probes.devices.naming import kind_rank
from hwinspector.probes.devices.tree import Device
from hwinspector.widgets.status_icons import status_icon

AnyIndex = QModelIndex | QPersistentModelIndex
HIGHLIGHT_SECONDS = 4.0
# Above this many changes in one batch a reset is cheaper for the view than row-by-row signals.
RESET_THRESHOLD = 300
_COLORS = {"add": QColor(46, 158, 68, 70), "change": QColor(216, 155, 0, 70)}


class Column(IntEnum):
    NAME = 0
    SUBSYSTEM = 1
    DRIVER = 2
    DEVICE = 3


HEADERS = {
    Column.NAME: N_("Name"),
    Column.SUBSYSTEM: N_("Subsystem"),
    Column.DRIVER: N_("Driver"),
    Column.DEVICE: N_("Device"),
}
DeviceRole = Qt.ItemDataRole.UserRole + 1
PathRole = Qt.ItemDataRole.UserRole + 2
StatusRole = Qt.ItemDataRole.UserRole + 3
N_COLUMNS = len(Column)
# The roles data() answers. A view asks for about eight per cell on every paint; the rest are turned
# away before any work (a paint of the tree calls into Python over a thousand times).
_ANSWERED = frozenset(
    int(r)
    for r in (
        Qt.ItemDataRole.DisplayRole,
        Qt.ItemDataRole.DecorationRole,
        Qt.ItemDataRole.ToolTipRole,
        Qt.ItemDataRole.BackgroundRole,
        Qt.ItemDataRole.FontRole,
        DeviceRole,
        PathRole,
        StatusRole,
    )
)


class _Node:
    __slots__ = ("children", "device", "key", "label", "parent", "row", "sort_key")

    def __init__(self, key: str, parent: _Node | None, device: Device | None = None, label: str = "") -> None:
        self.key = key
        self.parent = parent
        self.device = device
        self.label = label
        self.children: list[_Node] = []
        self.row = 0
        self.sort_key: tuple[str, ...] = ()


class DeviceTreeModel(QAbstractItemModel):
    """``mode`` "topology": the sysfs hierarchy; "kind": groups such as "Display adapters"."""

    def __init__(self, mode: str = "topology", parent: QObject | None = None) -> None:
        super().__init__(parent)
        if mode not in ("topology", "kind"):
            raise ValueError(f"unknown mode {mode!r}")
        self.mode = mode
        self._root = _Node("", None)
        self._nodes: dict[str, _Node] = {}  # devpath or "kind:<name>" -> node
        self._status: dict[str, str] = {}
        self._highlight: dict[str, tuple[str, float]] = {}
        self._changed: set[str] | None = None  # collecting changed rows during a batch
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._expire_highlights)

    # --- building ----------------------------------------------------------------------------------

    def _sort_key(self, node: _Node) -> tuple[str, ...]:
        if node.device is None:
            return (f"{kind_rank(node.label):03d}", node.label.lower())
        if self.mode == "kind":
            return (node.device.name.lower(), node.device.path)
        return tuple(node.device.path.split("/"))

    def _parent_node(self, dev: Device) -> _Node:
        if self.mode == "kind":
            key = f"kind:{dev.kind}"
            group = self._nodes.get(key)
            if group is None:
                group = _Node(key, self._root, None, dev.kind)
                group.sort_key = self._sort_key(group)
                self._insert_child(self._root, group, notify=self._building is False)
                self._nodes[key] = group
            return group
        if dev.parent and dev.parent in self._nodes:
            return self._nodes[dev.parent]
        return self._root

    _building = False

    def _insert_child(self, parent: _Node, node: _Node, notify: bool) -> None:
        keys = [c.sort_key for c in parent.children]
        pos = bisect.bisect(keys, node.sort_key)
        if notify:
            self.beginInsertRows(self._index_of(parent), pos, pos)
        parent.children.insert(pos, node)
        for i in range(pos, len(parent.children)):
            parent.children[i].row = i
        node.parent = parent
        if notify:
            self.endInsertRows()

    def _remove_node(self, node: _Node, notify: bool) -> None:
        parent = node.parent
        if parent is None:
            return
        if notify:
            self.beginRemoveRows(self._index_of(parent), node.row, node.row)
        del parent.children[node.row]
        for i in range(node.row, len(parent.children)):
            parent.children[i].row = i
        if notify:
            self.endRemoveRows()
        stack = [node]
        while stack:
            n = stack.pop()
            self._nodes.pop(n.key, None)
            stack.extend(n.children)
        if self.mode == "kind" and parent is not self._root and not parent.children:
            self._remove_node(parent, notify)

    def _add_device(self, dev: Device, notify: bool) -> None:
        node = _Node(dev.path, None, dev)
        node.sort_key = self._sort_key(node)
        self._nodes[dev.path] = node
        self._insert_child(self._parent_node(dev), node, notify)
        if self.mode == "topology":
            # A child that arrived before its parent (out-of-order events) moves under it now.
            for orphan in [c for c in self._root.children if c.device and c.device.parent == dev.path]:
                self._move(orphan, node, notify)

    def _move(self, node: _Node, new_parent: _Node, notify: bool) -> None:
        """Re-insert ``node`` with its whole subtree under ``new_parent``."""
        self._remove_node(node, notify)
        self._nodes[node.key] = node
        self._reindex(node)
        self._insert_child(new_parent, node, notify)

    def set_devices(self, devices: Sequence[Device], status: Mapping[str, str] | None = None) -> None:
        self.beginResetModel()
        self._building = True
        self._root = _Node("", None)
        self._nodes = {}
        self._status = dict(status or {})
        for dev in sorted(devices, key=lambda d: d.path.split("/")):
            self._add_device(dev, notify=False)
        self._building = False
        self.endResetModel()

    def set_status(self, status: Mapping[str, str]) -> None:
        """Per-device problem severity ("error" / "warning"); others show as ok."""
        changed = set(self._status) ^ set(status) | {k for k in status if self._status.get(k) != status[k]}
        self._status = dict(status)
        self._emit_rows_changed(changed)

    # --- hotplug -----------------------------------------------------------------------------------

    def apply_events(self, events: Sequence[HotplugEvent]) -> None:
        now = time.monotonic()
        if len(events) > RESET_THRESHOLD:
            devices = {p: n.device for p, n in self._nodes.items() if n.device is not None}
            for ev in events:
                if ev.action == "remove":
                    devices.pop(ev.path, None)
                    self._highlight.pop(ev.path, None)
                elif ev.device is not None:
                    self._highlight[ev.path] = ("add" if ev.path not in devices else "change", now)
                    devices[ev.path] = ev.device
            self.set_devices(list(devices.values()), self._status)
        else:
            # Changed rows are announced once per parent at the end, not one signal each: the rows
            # inserted in between would move them anyway, and a view re-reads a range at once.
            self._changed = set()
            try:
                for ev in events:
                    self._apply_one(ev, now)
            finally:
                changed, self._changed = self._changed, None
            self._emit_rows_changed(changed)
        self._schedule_expiry()

    def _apply_one(self, ev: HotplugEvent, now: float) -> None:
        node = self._nodes.get(ev.path)
        if ev.action == "remove" or ev.device is None:
            if node is not None:
                self._remove_node(node, notify=True)
            self._highlight.pop(ev.path, None)
            return
        if node is None:
            self._add_device(ev.device, notify=True)
            self._highlight[ev.path] = ("add", now)
            return
        old = node.device
        assert old is not None
        if self.mode == "kind" and old.kind != ev.device.kind:
            self._remove_node(node, notify=True)
            self._add_device(ev.device, notify=True)
        else:
            node.device = ev.device
            new_key = self._sort_key(node)
            if new_key != node.sort_key:
                # Renamed: its place among the siblings changes. Kind groups hold no subtrees and
                # may vanish with their last member, so there the row is simply added anew.
                if self.mode == "kind":
                    self._remove_node(node, notify=True)
                    self._add_device(ev.device, notify=True)
                else:
                    parent = node.parent
                    assert parent is not None
                    node.sort_key = new_key
                    self._move(node, parent, notify=True)
            else:
                self._emit_row_changed(ev.path)
        self._highlight[ev.path] = ("change", now)

    def _reindex(self, node: _Node) -> None:
        stack = list(node.children)
        while stack:
            n = stack.pop()
            self._nodes[n.key] = n
            stack.extend(n.children)

    def _schedule_expiry(self) -> None:
        if self._highlight:
            soonest = min(t for _unused, t in self._highlight.values()) + HIGHLIGHT_SECONDS - time.monotonic()
            self._timer.start(max(50, int(soonest * 1000) + 20))

    def _expire_highlights(self) -> None:
        now = time.monotonic()
        expired = [p for p, (_unused, t) in self._highlight.items() if now - t >= HIGHLIGHT_SECONDS]
        for p in expired:
            del self._highlight[p]
        self._emit_rows_changed(expired)
        self._schedule_expiry()

    def highlighted(self) -> dict[str, str]:
        return {p: a for p, (a, _unused) in self._highlight.items()}

    def _emit_rows_changed(self, paths: Iterable[str]) -> None:
        """One dataChanged per parent, spanning its changed rows: after a storm hundreds of highlights
        expire at once, and a signal per row costs the views a relayout each."""
        rows: dict[int, tuple[_Node, int, int]] = {}
        for path in paths:
            node = self._nodes.get(path)
            if node is None or node.parent is None:
                continue
            parent = node.parent
            lo, hi = rows.get(id(parent), (parent, node.row, node.row))[1:]
            rows[id(parent)] = (parent, min(lo, node.row), max(hi, node.row))
        for parent, lo, hi in rows.values():
            self.dataChanged.emit(
                self.createIndex(lo, 0, parent.children[lo]), self.createIndex(hi, N_COLUMNS - 1, parent.children[hi])
            )

    def _emit_row_changed(self, path: str) -> None:
        if self._changed is not None:
            self._changed.add(path)
            return
        node = self._nodes.get(path)
        if node is not None and node.parent is not None:
            left = self.createIndex(node.row, 0, node)
            right = self.createIndex(node.row, len(Column) - 1, node)
            self.dataChanged.emit(left, right)

    # --- queries -----------------------------------------------------------------------------------

    def group_index(self, kind: str) -> QModelIndex:
        node = self._nodes.get(f"kind:{kind}")
        return self._index_of(node) if node is not None else QModelIndex()

    def device_paths(self) -> set[str]:
        return {p for p, n in self._nodes.items() if n.device is not None}

    def device_at(self, index: AnyIndex) -> Device | None:
        node = self._node(index)
        return node.device if node is not None else None

    def index_for_path(self, path: str) -> QModelIndex:
        node = self._nodes.get(path)
        return self._index_of(node) if node is not None else QModelIndex()

    def walk(self) -> Iterable[Device]:
        stack = list(reversed(self._root.children))
        while stack:
            n = stack.pop()
            if n.device is not None:
                yield n.device
            stack.extend(reversed(n.children))

    # --- QAbstractItemModel ------------------------------------------------------------------------

    def _node(self, index: AnyIndex) -> _Node | None:
        if not index.isValid():
            return None
        node = index.internalPointer()
        return node if isinstance(node, _Node) else None

    def _index_of(self, node: _Node) -> QModelIndex:
        if node is self._root or node.parent is None:
            return QModelIndex()
        return self.createIndex(node.row, 0, node)

    def index(self, row: int, column: int, parent: AnyIndex = QModelIndex()) -> QModelIndex:
        pnode = self._node(parent) or self._root
        if parent.isValid() and parent.column() != 0:
            return QModelIndex()
        if 0 <= row < len(pnode.children) and 0 <= column < N_COLUMNS:
            return self.createIndex(row, column, pnode.children[row])
        return QModelIndex()

    def parent(self, index: AnyIndex = QModelIndex()) -> QModelIndex:  # type: ignore[override]
        node = self._node(index)
        if node is None or node.parent is None or node.parent is self._root:
            return QModelIndex()
        return self.createIndex(node.parent.row, 0, node.parent)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:
        if parent.isValid() and parent.column() != 0:
            return 0
        node = self._node(parent) or self._root
        return len(node.children)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:
        return N_COLUMNS

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(Column)
        ):
            return _(HEADERS[Column(section)])
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if role not in _ANSWERED:
            return None
        node = self._node(index)
        if node is None:
            return None
        col = index.column()
        dev = node.device
        if dev is None:  # a group row
            if role == Qt.ItemDataRole.DisplayRole and col == Column.NAME:
                return f"{_(node.label)} ({len(node.children)})"
            if role == Qt.ItemDataRole.FontRole:
                f = QFont()
                f.setBold(True)
                return f
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            if col == Column.NAME:
                return dev.name
            if col == Column.SUBSYSTEM:
                return dev.subsystem or ""
            if col == Column.DRIVER:
                return dev.driver or ""
            return dev.sysname
        if role == Qt.ItemDataRole.DecorationRole and col == Column.NAME:
            return status_icon(self._status_of(dev))
        if role == Qt.ItemDataRole.ToolTipRole:
            status = self._status_of(dev)
            return f"{dev.path}\nstatus: {status}" + (
                _("\n{n} attribute(s) unreadable").format(n=len(dev.errors)) if dev.errors else ""
            )
        if role == Qt.ItemDataRole.BackgroundRole and dev.path in self._highlight:
            return QBrush(_COLORS[self._highlight[dev.path][0]])
        if role == DeviceRole:
            return dev
        if role == PathRole:
            return dev.path
        if role == StatusRole:
            return self._status_of(dev)
        return None

    def _status_of(self, dev: Device) -> str:
        return self._status.get(dev.path) or ("info" if dev.errors else "ok")
