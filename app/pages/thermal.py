"""Thermal page: every hwmon sensor, thermal zones and cooling, CPU frequency and idle states, read live."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from hwinspector.collectors.remote_sensors import RemoteThermalSource, link_fetch
from hwinspector.collectors.sensors import CPU, SENSORS, ZONES, SensorPoller, ThermalReading, ThermalSource
from hwinspector.i18n import N_, _
from hwinspector.models.cpu import METRICS, CpuFreqModel, FreqColumn, IdleModel
from hwinspector.models.live_table import FractionRole, ItemRole, LevelRole, SearchRole
from hwinspector.models.thermal import CoolingColumn, CoolingModel, HwmonModel, SensorColumn, ZonesModel
from hwinspector.pages.base import Page, empty_state, not_live_text
from hwinspector.pages.remote_readings import PollerSwitch, link_down_text
from hwinspector.probes.machine.snapshot import Snapshot
from hwinspector.probes.power.cpu import CpuFreq
from hwinspector.probes.power.hwmon import HwmonChip
from hwinspector.report.open_bundle import captured_text
from hwinspector.widgets import dim
from hwinspector.widgets.bar_delegate import BarDelegate
from hwinspector.widgets.device_tree_view import TextFilterProxy
from hwinspector.widgets.explained_view import ExplainedView
from hwinspector.widgets.reading_table import reading_table

if TYPE_CHECKING:
    from hwinspector.probes.remote.client import RemoteLink

AnyIndex = QModelIndex | QPersistentModelIndex
SENSORS_TAB, CPU_TAB = 0, 1
NO_CHIPS = N_("No hardware monitoring chip is registered: no hwmon driver is loaded (usual in virtual machines).")
NO_ZONES = N_("No thermal zone is registered: no ACPI thermal zone and no platform thermal driver.")
NO_COOLING = N_("No cooling device is registered (fans, processor throttling, idle injection).")


def _searchable(index: AnyIndex) -> str:
    return str(index.data(SearchRole) or "")


def _proxy(model: QAbstractItemModel, parent: QWidget) -> TextFilterProxy:
    proxy = TextFilterProxy(_searchable, parent)
    proxy.setSourceModel(model)
    return proxy


def _tree(proxy: TextFilterProxy, name: str) -> QTreeView:
    view = QTreeView()
    view.setAccessibleName(name)
    view.setModel(proxy)
    view.setUniformRowHeights(True)
    view.setAlternatingRowColors(True)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setAllColumnsShowFocus(True)
    return view


def _group(title: str, *widgets: QWidget) -> QGroupBox:
    box = QGroupBox(title)
    lay = QVBoxLayout(box)
    for i, w in enumerate(widgets):
        lay.addWidget(w, 1 if i == len(widgets) - 1 else 0)
    return box


class ThermalPage(Page):
    page_id = "thermal"
    title = N_("Thermal")
    order = 60
    description = N_("Temperatures, fans, voltages, thermal zones and cooling, CPU frequency and idle states")

    def __init__(self, parent: QWidget | None = None, *, sysfs: Path = Path("/sys")) -> None:
        super().__init__(parent)
        self._live: bool | None = None
        self.reading: ThermalReading | None = None
        self.readings_shown = 0
        self.snapshot: Snapshot | None = None
        # this machine's poller, or one reading a remote machine over its ssh link (File → Connect…)
        self.pollers = PollerSwitch(
            self,
            SensorPoller(ThermalSource(sysfs), "thermal-poller", self),
            self._reading_arrived,
            lambda link: RemoteThermalSource(link_fetch(link), link.host),
            "thermal-remote-poller",
        )

        self.hwmon_model = HwmonModel(self)
        self.hwmon_proxy = _proxy(self.hwmon_model, self)
        self.hwmon_view = _tree(self.hwmon_proxy, _("Hardware monitoring chips (hwmon)"))
        self.hwmon = ExplainedView(self.hwmon_view)
        self.zones_model = ZonesModel(self)
        self.zones_proxy = _proxy(self.zones_model, self)
        self.zones_view = _tree(self.zones_proxy, _("Thermal zones and trip points"))
        self.zones = ExplainedView(self.zones_view)
        self.cooling_model = CoolingModel(self)
        self.cooling_proxy = _proxy(self.cooling_model, self)
        self.cooling_view = reading_table(self.cooling_proxy, name=_("Cooling devices"))
        self.cooling_view.setItemDelegateForColumn(CoolingColumn.STATE, BarDelegate(FractionRole, LevelRole, self))
        self.cooling = ExplainedView(self.cooling_view)
        self.sensor_count = QLabel()
        dim(self.sensor_count)
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(_group(_("Thermal zones and trip points"), self.zones))
        right.addWidget(_group(_("Cooling devices"), self.cooling))
        right.setSizes([330, 270])
        sensors = QSplitter(Qt.Orientation.Horizontal)
        sensors.addWidget(_group(_("Hardware monitoring chips (hwmon)"), self.sensor_count, self.hwmon))
        sensors.addWidget(right)
        sensors.setSizes([560, 480])

        self.freq_model = CpuFreqModel(self)
        self.freq_proxy = _proxy(self.freq_model, self)
        self.freq_view = reading_table(self.freq_proxy, name=_("Frequency per CPU (cpufreq)"))
        self.freq_view.setItemDelegateForColumn(FreqColumn.CURRENT, BarDelegate(FractionRole, None, self))
        self.freq = ExplainedView(self.freq_view)
        self.freq_summary = QLabel()
        self.freq_summary.setWordWrap(True)
        self.idle_model = IdleModel(self)
        self.idle_proxy = _proxy(self.idle_model, self)
        self.idle_view = reading_table(self.idle_proxy, name=_("Idle states per CPU (cpuidle)"))
        self.idle_view.horizontalHeader().setStretchLastSection(False)
        self.idle_view.setItemDelegate(BarDelegate(FractionRole, LevelRole, self))
        self.idle = ExplainedView(self.idle_view)
        self.idle_metric = QComboBox()
        for key, text in METRICS.items():
            self.idle_metric.addItem(text, key)
        self.idle_metric.currentIndexChanged.connect(
            lambda _i: self.idle_model.set_metric(str(self.idle_metric.currentData()))
        )
        mrow = QHBoxLayout()
        show = QLabel(_("Show:"))
        show.setBuddy(self.idle_metric)
        mrow.addWidget(show)
        mrow.addWidget(self.idle_metric)
        self.idle_note = QLabel()
        dim(self.idle_note)
        mrow.addWidget(self.idle_note, 1)
        idle_top = QWidget()
        idle_top.setLayout(mrow)
        cpu = QSplitter(Qt.Orientation.Vertical)
        cpu.addWidget(_group(_("Frequency per CPU (cpufreq)"), self.freq_summary, self.freq))
        cpu.addWidget(_group(_("Idle states per CPU (cpuidle)"), idle_top, self.idle))
        cpu.setSizes([330, 330])

        self.tabs = QTabWidget()
        self.tabs.setAccessibleName(_(self.title))
        self.tabs.addTab(sensors, _("Sensors and zones"))
        self.tabs.addTab(cpu, _("CPU frequency and idle"))
        self.tabs.currentChanged.connect(self._tab_changed)
        self.poller.set_parts(self._parts())

        self.empty = empty_state(_("Waiting for the source to load…"))
        self.empty.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.body = QStackedWidget()
        self.body.addWidget(self.empty)
        self.body.addWidget(self.tabs)
        lay = QVBoxLayout(self)
        lay.addWidget(self.body)

    # --- Page API ------------------------------------------------------------------------------

    @property
    def poller(self) -> SensorPoller:
        return self.pollers.current

    def set_remote(self, link: RemoteLink | None) -> None:
        """Read the remote machine's sensors over this link, at this machine's cadence (None: link down)."""
        if self.pollers.set_link(link):
            self.poller.stop()
            self.readings_shown = 0
            if self.snapshot is not None:
                self.set_snapshot(self.snapshot)

    def _reading_arrived(self, reading: object) -> None:
        if isinstance(reading, ThermalReading):
            self.show_reading(reading)

    def set_snapshot(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        src = snapshot.source
        self._live = self.pollers.reads(snapshot)
        if self._live:
            self.body.setCurrentWidget(self.tabs)
            if self.readings_shown < 2:
                self.mark_waiting()  # the poller's readings are what this page shows
            if self.isVisible():
                self.poller.start()
            return
        self.poller.stop()
        self.mark_shown()  # the explanation below is what a dump or a bundle gives this page
        if src.is_remote and src.kind == "bundle":
            self.empty.setTextFormat(Qt.TextFormat.PlainText)
            self.empty.setText(link_down_text(snapshot, "thermal"))
            self.body.setCurrentWidget(self.empty)
            return
        if src.kind == "bundle":  # one captured reading, not a live one: say what the bundle holds
            self.empty.setTextFormat(Qt.TextFormat.PlainText)
            self.empty.setText(captured_text(snapshot, "thermal", _("Thermal")))
            self.body.setCurrentWidget(self.empty)
            return
        self.empty.setText(
            not_live_text(
                snapshot,
                _("Sensor readings"),
                _("hwmon, thermal and cpu"),
                _("temperatures, fans, thermal zones and CPU states are"),
            )
        )
        self.body.setCurrentWidget(self.empty)

    def set_filter(self, text: str) -> None:
        for proxy in (self.hwmon_proxy, self.zones_proxy, self.cooling_proxy, self.freq_proxy, self.idle_proxy):
            proxy.set_text(text)
        if text:
            self.hwmon_view.expandAll()
            self.zones_view.expandAll()

    def select_path(self, path: str) -> None:
        """A CPU's devpath opens the CPU tab on it; a device with a hwmon chip selects the chip."""
        prefix = "/devices/system/cpu/cpu"
        if path.startswith(prefix) and path[len(prefix) :].isdigit():
            self.tabs.setCurrentIndex(CPU_TAB)
            cpu = int(path[len(prefix) :])
            for row, f in enumerate(self.freq_model.rows()):
                if f.cpu == cpu:
                    idx = self.freq_proxy.mapFromSource(self.freq_model.index(row, 0))
                    self.freq_view.selectRow(idx.row())
            return
        for row, chip in enumerate(self.hwmon_model.parent_items()):
            if path in (chip.device, chip.path) or (chip.device or "").startswith(path + "/"):
                self.tabs.setCurrentIndex(SENSORS_TAB)
                idx = self.hwmon_proxy.mapFromSource(self.hwmon_model.index(row, 0))
                self.hwmon_view.setCurrentIndex(idx)
                self.hwmon_view.scrollTo(idx)
                return

    def shutdown(self) -> None:
        self.pollers.shutdown()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._live:
            self.poller.start()

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self.poller.stop()

    # --- readings ------------------------------------------------------------------------------

    def _parts(self) -> frozenset[str]:
        return frozenset({CPU} if self.tabs.currentIndex() == CPU_TAB else {SENSORS, ZONES})

    def _tab_changed(self, _index: int) -> None:
        self.poller.set_parts(self._parts())

    def _metric_changed(self, _index: int) -> None:
        self.idle_model.set_metric(str(self.idle_metric.currentData()))

    def show_reading(self, reading: ThermalReading) -> None:
        """Show one reading from the collector (GUI thread); parts not read this time stay as they were."""
        if self._live is False:
            return
        self.reading = reading
        self.readings_shown += 1
        # watts and residency need a second reading: the first is a part of the picture
        self.mark_shown(complete=self.readings_shown >= 2)
        if SENSORS in reading.parts:
            self._show_sensors(reading)
        if ZONES in reading.parts:
            if self.zones_model.set_zones(reading.zones):
                self.zones_view.expandAll()
                _fit(self.zones_view, 0)
            if self.cooling_model.set_rows(reading.cooling):
                self.cooling_view.resizeColumnsToContents()
            _explain(self.zones, reading.zones_error, bool(reading.zones), _(NO_ZONES))
            _explain(self.cooling, reading.zones_error, bool(reading.cooling), _(NO_COOLING))
        if CPU in reading.parts:
            self._show_cpu(reading)

    def _show_sensors(self, reading: ThermalReading) -> None:
        if self.hwmon_model.set_chips(reading.chips):
            self.hwmon_view.expandAll()
            _fit(self.hwmon_view, SensorColumn.SENSOR)
        _explain(self.hwmon, reading.chips_error, bool(reading.chips), _(NO_CHIPS))
        self.sensor_count.setVisible(bool(reading.chips))
        inputs = sum(len(c.inputs) for c in reading.chips)
        failing = sum(1 for c in reading.chips for i in c.inputs if i.error not in (None, "no input"))
        text = _("{n} chips, {inputs} inputs").format(n=len(reading.chips), inputs=inputs)
        if failing:
            text += _(", {failing} failing (marked, with the error)").format(failing=failing)
        self.sensor_count.setText(text)

    def _show_cpu(self, reading: ThermalReading) -> None:
        if self.freq_model.set_rows(reading.cpufreq):
            self.freq_view.resizeColumnsToContents()
            self.freq_view.setColumnWidth(FreqColumn.CURRENT, max(90, self.freq_view.columnWidth(FreqColumn.CURRENT)))
        if reading.cpufreq_error:
            self.freq.explain(reading.cpufreq_error)
            self.freq_summary.hide()
        else:
            self.freq.show_view()
            self.freq_summary.setText(_freq_summary(reading.cpufreq))
            self.freq_summary.show()
        if self.idle_model.set_idle(reading.idle):
            header = self.idle_view.horizontalHeader()
            header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
            header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        if reading.idle_error:
            self.idle.explain(reading.idle_error)
        else:
            self.idle.show_view()
        over = (
            _("measuring…")
            if reading.idle_interval_s is None
            else _("over the last {idle_interval_s:.1f} s").format(idle_interval_s=reading.idle_interval_s)
        )
        self.idle_note.setText(
            _("Time in each state {over}; each column header gives the state's exit latency.").format(over=over)
        )

    def hwmon_chip_at(self, row: int) -> HwmonChip | None:
        item = self.hwmon_model.index(row, 0).data(ItemRole)
        return item if isinstance(item, HwmonChip) else None


def _explain(where: ExplainedView, error: str | None, rows: bool, empty: str) -> None:
    if error or not rows:
        where.explain(error or empty)
    else:
        where.show_view()


def _fit(view: QTreeView, column: int) -> None:
    for col in range(view.model().columnCount()):
        view.resizeColumnToContents(col)
    view.setColumnWidth(column, min(view.columnWidth(column) + 12, 320))


def _freq_summary(freqs: tuple[CpuFreq, ...]) -> str:
    """One line for what is usually the same on every CPU: driver, governor, EPP."""
    online = [f for f in freqs if f.online and f.error is None]
    if not online:
        return _("No CPU reports its frequency.")

    def same(values: list[str | None]) -> str:
        distinct = sorted({v for v in values if v})
        return distinct[0] if len(distinct) == 1 else ("mixed: " + ", ".join(distinct) if distinct else "—")

    current = [f.cur_mhz for f in online if f.cur_mhz is not None]
    parts = [
        _("Driver {same}").format(same=same([f.driver for f in online])),
        f"governor {same([f.governor for f in online])}",
        f"EPP {same([f.epp for f in online])}",
        _("{n} of {n2} CPUs report a frequency").format(n=len(online), n2=len(freqs)),
    ]
    if current:
        parts.append(_("now {current:.0f}–{current2:.0f} MHz").format(current=min(current), current2=max(current)))
    return " · ".join(parts)
