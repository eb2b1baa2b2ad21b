"""Devices page: the live device tree, by bus topology or by kind, with every property of a device."""

from __future__ import annotations

import time
from collections.abc import Sequence

from PySide6.QtCore import QItemSelection, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from hwinspector import l10n
from hwinspector.i18n import N_, _, localize, ngettext
from hwinspector.models.device_tree import DeviceRole, DeviceTreeModel, PathRole
from hwinspector.pages.base import Page
from hwinspector.probes.devices.drivers import Problem
from hwinspector.probes.devices.hotplug import HotplugEvent
from hwinspector.probes.devices.naming import PLUMBING_KINDS
from hwinspector.probes.devices.tree import Device
from hwinspector.probes.machine.snapshot import Snapshot
from hwinspector.widgets import dim
from hwinspector.widgets.device_tree_view import DeviceTreeView, TextFilterProxy
from hwinspector.widgets.property_table import PropertyTable, Section

MAX_EVENT_LOG = 500


def _searchable(index: QModelIndex | QPersistentModelIndex) -> str:
    dev = index.data(DeviceRole)
    if isinstance(dev, Device):
        return " ".join(
            x or "" for x in (dev.name, dev.subsystem, dev.driver, dev.path, dev.kind, dev.modalias, dev.devnode)
        )
    return str(index.data() or "")


def device_sections(dev: Device, problems: Sequence[Problem] = ()) -> list[Section]:
    general = [
        (_("Name"), dev.name),
        (_("Kind"), _(dev.kind)),
        (_("Device path"), dev.path),
        (_("sysfs path"), f"/sys{dev.path}"),
        (_("Subsystem"), dev.subsystem or "—"),
        (_("Device type"), dev.devtype or "—"),
        (_("Driver"), dev.driver or _("none")),
        (_("Module"), dev.module or (_("built-in or unknown") if dev.driver else "—")),
        (_("Device node"), dev.devnode or "—"),
        (_("Modalias"), dev.modalias or "—"),
        (_("Parent"), dev.parent or "—"),
    ]
    sections: list[Section] = [(_("General"), general)]
    if problems:
        sections.append((_("Problems"), [(p.kind, localize(p.detail)) for p in problems]))
    sections.append((_("udev properties"), sorted(dev.properties.items())))
    sections.append((_("sysfs attributes"), sorted(dev.attributes.items())))
    if dev.binary_attributes:
        sections.append((_("Binary attributes (hex)"), sorted(dev.binary_attributes.items())))
    if dev.errors:
        unreadable = [(name, why) for name, _unused, why in (e.partition(": ") for e in dev.errors)]
        sections.append((_("Unreadable attributes"), unreadable))
    return sections


class DevicesPage(Page):
    page_id = "devices"
    title = N_("Devices")
    order = 20
    follows_hotplug = True
    description = N_("Every device the kernel knows, by bus or by kind")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._snapshot: Snapshot | None = None
        self._problems: dict[str, list[Problem]] = {}
        self.models = {"topology": DeviceTreeModel("topology", self), "kind": DeviceTreeModel("kind", self)}
        self.proxies = {k: TextFilterProxy(_searchable, self) for k in self.models}
        self.views: dict[str, DeviceTreeView] = {}
        self._stack = QStackedWidget()
        for key, model in self.models.items():
            self.proxies[key].setSourceModel(model)
            view = DeviceTreeView(PathRole)
            view.setAccessibleName(_("Devices by connection") if key == "topology" else _("Devices by kind"))
            self.views[key] = view
            self._attach(key, filtering=False)
            self._stack.addWidget(view)

        self._by_bus = QPushButton(_("By connection"))
        self._by_bus.setToolTip(_("The bus topology: the sysfs hierarchy under /sys/devices (Ctrl+1)"))
        self._by_kind = QPushButton(_("By kind"))
        self._by_kind.setToolTip(_("Grouped the way people look for devices (Ctrl+2)"))
        group = QButtonGroup(self)
        for i, b in enumerate((self._by_kind, self._by_bus)):
            b.setCheckable(True)
            group.addButton(b, i)
        self._by_kind.setChecked(True)
        self._stack.setCurrentWidget(self.views["kind"])
        group.idClicked.connect(lambda i: self.show_view("kind" if i == 0 else "topology"))
        expand = QPushButton(_("Expand all"))
        expand.clicked.connect(lambda: self.current_view().expandAll())
        collapse = QPushButton(_("Collapse all"))
        collapse.clicked.connect(lambda: self.current_view().collapseAll())
        self.count_label = QLabel()
        self.monitor_label = QLabel()
        dim(self.monitor_label)
        bar = QHBoxLayout()
        for w in (self._by_kind, self._by_bus, expand, collapse):
            bar.addWidget(w)
        bar.addSpacing(12)
        bar.addWidget(self.count_label)
        bar.addStretch(1)
        bar.addWidget(self.monitor_label)

        self.details = PropertyTable()
        self.details.clear(_("Select a device to see every udev property and sysfs attribute."))
        self.event_log = QListWidget()
        self.event_log.setToolTip(_("Hotplug events, newest first"))
        self.event_log.setAccessibleName(_("Recent hotplug events"))
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self.details)
        log_box = QWidget()
        lb = QVBoxLayout(log_box)
        lb.setContentsMargins(0, 0, 0, 0)
        self.event_title = QLabel(_("Recent hotplug events: none yet"))
        lb.addWidget(self.event_title)
        lb.addWidget(self.event_log)
        right.addWidget(log_box)
        right.setSizes([500, 140])
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self._stack)
        split.addWidget(right)
        split.setSizes([700, 420])
        lay = QVBoxLayout(self)
        lay.addLayout(bar)
        lay.addWidget(split, 1)
        QShortcut(QKeySequence("Ctrl+1"), self, lambda: self._by_bus.click())
        QShortcut(QKeySequence("Ctrl+2"), self, lambda: self._by_kind.click())

    # --- Page API ------------------------------------------------------------------------------

    def set_snapshot(self, snapshot: Snapshot) -> None:
        selected = self.selected_path()
        self._snapshot = snapshot
        self._index_problems(snapshot)
        status = {p: _worst(ps) for p, ps in self._problems.items()}
        for model in self.models.values():
            model.set_devices(snapshot.devices, status)
        self._expand_defaults()
        if not snapshot.source.is_live:
            self.monitor_label.setText(_("from {label} — no live updates").format(label=snapshot.source.label))
        self._update_count()
        if selected:
            self.select_path(selected)
        self.mark_shown()

    def apply_hotplug(self, events: Sequence[HotplugEvent], snapshot: Snapshot) -> None:
        self._snapshot = snapshot
        self._index_problems(snapshot)
        for model in self.models.values():
            model.apply_events(events)
            model.set_status({p: _worst(ps) for p, ps in self._problems.items()})
        stamp = l10n.clock_time(time.time())
        self.event_log.setUpdatesEnabled(False)
        for ev in events[-MAX_EVENT_LOG:]:
            name = ev.device.name if ev.device else ev.path.rsplit("/", 1)[-1]
            self.event_log.insertItem(0, f"{stamp}  {ev.action:<7} {name}  ({ev.path})")
        while self.event_log.count() > MAX_EVENT_LOG:
            self.event_log.takeItem(self.event_log.count() - 1)
        self.event_log.setUpdatesEnabled(True)
        self.event_title.setText(
            _("Recent hotplug events ({count}, newest first)").format(count=self.event_log.count())
        )
        self._update_count()
        path = self.selected_path()
        if path and any(ev.path == path for ev in events):
            self._show_details(path)

    def set_filter(self, text: str) -> None:
        filtering = bool(text.split())
        selected = self.selected_path()
        swapped = False
        for key, proxy in self.proxies.items():
            proxy.set_text(text)
            if filtering != (self.views[key].model() is proxy):
                self._attach(key, filtering)
                swapped = True
            if text:
                self.views[key].expandAll()
        if selected and swapped:  # a new model has no current row: keep the one the user had
            self.select_path(selected)
        self._update_count()

    def select_path(self, path: str) -> None:
        key = self.current_key()
        src = self.models[key].index_for_path(path)
        idx = self._view_index(key, src)
        if idx.isValid():
            view = self.views[key]
            view.setCurrentIndex(idx)
            view.scrollTo(idx)

    def set_monitor_state(self, text: str) -> None:
        self.monitor_label.setText(text)

    # --- helpers -------------------------------------------------------------------------------

    def _expand_defaults(self) -> None:
        kinds = self.views["kind"]
        model = self.models["kind"]
        for kind in {d.kind for d in model.walk()} - PLUMBING_KINDS:
            kinds.setExpanded(self._view_index("kind", model.group_index(kind)), True)
        self.views["topology"].expandToDepth(1)

    def _attach(self, key: str, filtering: bool) -> None:
        """The view shows the filter proxy only while a filter is typed. Without one the proxy would
        only pass rows through, at a price: each cell painted costs a second call into Python (the
        proxy asks the model for the index before the data), the largest share of a repaint in a
        hotplug storm."""
        view = self.views[key]
        view.setModel(self.proxies[key] if filtering else self.models[key])
        view.selectionModel().selectionChanged.connect(self._on_selection)
        view.restore_expanded()

    def _view_index(self, key: str, src: QModelIndex) -> QModelIndex:
        proxy = self.proxies[key]
        return proxy.mapFromSource(src) if self.views[key].model() is proxy else src

    def current_key(self) -> str:
        return "kind" if self._stack.currentWidget() is self.views["kind"] else "topology"

    def current_view(self) -> DeviceTreeView:
        return self.views[self.current_key()]

    def show_view(self, key: str) -> None:
        path = self.selected_path()
        self._stack.setCurrentWidget(self.views[key])
        (self._by_kind if key == "kind" else self._by_bus).setChecked(True)
        if path:
            self.select_path(path)

    def selected_path(self) -> str | None:
        idx = self.current_view().currentIndex()
        value = idx.data(PathRole) if idx.isValid() else None
        return str(value) if value else None

    def _index_problems(self, snapshot: Snapshot) -> None:
        self._problems = {}
        for p in snapshot.problems:
            if p.path:
                self._problems.setdefault(p.path, []).append(p)

    def _update_count(self) -> None:
        total = len(self.models["topology"].device_paths())
        problems = sum(1 for ps in self._problems.values() if ps)
        text = ngettext("{n} device", "{n} devices", total).format(n=total)
        if problems:
            text += _(", {problems} with problems").format(problems=problems)
        self.count_label.setText(text)

    def _on_selection(self, selected: QItemSelection, _deselected: QItemSelection) -> None:
        idxs = selected.indexes()
        path = idxs[0].data(PathRole) if idxs else None
        if path:
            self._show_details(str(path))

    def _show_details(self, path: str) -> None:
        dev = self._snapshot.device(path) if self._snapshot else None
        if dev is None:
            self.details.clear(_("This device is gone."))
            return
        self.details.set_content(dev.name, device_sections(dev, self._problems.get(path, [])))


def _worst(problems: Sequence[Problem]) -> str:
    return "error" if any(p.severity == "error" for p in problems) else "warning"
