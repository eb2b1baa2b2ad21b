"""The Power page's UPower tab: every device UPower knows, its stored history beside the kernel's live draw."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelection, QModelIndex, QPersistentModelIndex, Qt, QTimer
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSplitter, QVBoxLayout, QWidget

from hwinspector.collectors.sensors import PowerReading
from hwinspector.i18n import N_, _, localize
from hwinspector.models.live_table import FractionRole, LevelRole, SearchRole
from hwinspector.models.upower import (
    PowerDrawLog,
    UPowerColumn,
    UPowerDeviceModel,
    battery_draw_watts,
    device_name,
    unix_time_of,
    upower_sections,
    upower_summary,
)
from hwinspector.pages.power_services import WAITING, fit_rows
from hwinspector.probes.services.bus import HISTORY_SPANS_S, UPowerDevice, UPowerHistory, UPowerInfo
from hwinspector.widgets import dim
from hwinspector.widgets.bar_delegate import BarDelegate
from hwinspector.widgets.device_tree_view import TextFilterProxy
from hwinspector.widgets.explained_view import ExplainedView
from hwinspector.widgets.history_plot import HistoryPlot
from hwinspector.widgets.live_property_table import LivePropertyTable
from hwinspector.widgets.reading_table import reading_table

if TYPE_CHECKING:
    from hwinspector.bus_bridge import BusBridge

SPANS = ((N_("Last hour"), "hour"), (N_("Last day"), "day"), (N_("Last week"), "week"))
RESOLUTION = 200  # points UPower returns per history (it averages within each step)
HISTORY_REFRESH_MS = 60_000  # upowerd adds a history point at most every 30 s (UP_HISTORY_SAVE_INTERVAL)


def _searchable(index: QModelIndex | QPersistentModelIndex) -> str:
    return str(index.data(SearchRole) or "")


class UPowerPanel(QWidget):
    """Every device UPower knows, the selected one's stored history beside the kernel's live draw, and details."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.bus: BusBridge | None = None
        self.info: UPowerInfo | None = None
        self.draw_log = PowerDrawLog()
        self.kernel_note = _("no kernel reading yet")
        self.history: dict[str, UPowerHistory] = {}  # "charge"/"rate" for the selected device and span
        self._wanted: str | None = None  # a device to select once UPower lists it (--select, navigation)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.model = UPowerDeviceModel(self)
        self.proxy = TextFilterProxy(_searchable, self)
        self.proxy.setSourceModel(self.model)
        self.view = reading_table(self.proxy)
        self.view.setItemDelegateForColumn(UPowerColumn.CHARGE, BarDelegate(FractionRole, LevelRole, self))
        self.view.selectionModel().selectionChanged.connect(self._on_selection)

        self.span_box = QComboBox()
        for label, key in SPANS:
            self.span_box.addItem(_(label), key)
        self.span_box.currentIndexChanged.connect(self._span_changed)
        self.plot = HistoryPlot()
        self.plot.setMinimumHeight(180)
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        dim(self.caption)
        self.history_title = QLabel(_("History"))
        bold = self.history_title.font()
        bold.setBold(True)
        self.history_title.setFont(bold)
        hbox = QWidget()
        hl = QVBoxLayout(hbox)
        hl.setContentsMargins(0, 0, 0, 0)
        top = QHBoxLayout()
        top.addWidget(self.history_title, 1)
        top.addWidget(self.span_box)
        hl.addLayout(top)
        hl.addWidget(self.plot, 1)
        hl.addWidget(self.caption)
        self.details = LivePropertyTable()
        self.details.clear(_("Select a device to see every property UPower has."))
        bottom = QSplitter(Qt.Orientation.Horizontal)
        bottom.addWidget(hbox)
        bottom.addWidget(self.details)
        bottom.setStretchFactor(0, 3)
        bottom.setStretchFactor(1, 2)
        bottom.setSizes([700, 420])
        self.split = QSplitter(Qt.Orientation.Vertical)
        self.split.addWidget(self.view)
        self.split.addWidget(bottom)
        self.split.setStretchFactor(1, 1)
        content = QWidget()
        cl = QVBoxLayout(content)
        cl.setContentsMargins(0, 0, 0, 0)
        cl.addWidget(self.summary)
        cl.addWidget(self.split, 1)
        self.body = ExplainedView(content)
        self.body.explain(WAITING)
        QVBoxLayout(self).addWidget(self.body)
        self.timer = QTimer(self)
        self.timer.setInterval(HISTORY_REFRESH_MS)
        self.timer.timeout.connect(self._refresh_if_shown)
        self.timer.start()

    def set_bus(self, bus: BusBridge) -> None:
        self.bus = bus
        bus.upower_changed.connect(self.show_upower)
        bus.history_ready.connect(self.show_history)
        latest = bus.latest("upower")
        if isinstance(latest, UPowerInfo):
            self.show_upower(latest)

    # --- UPower's devices ----------------------------------------------------------------------

    def show_upower(self, info: UPowerInfo) -> None:
        first = self.info is None or not self.info.available
        self.info = info
        if not info.available:
            self.model.set_rows([])
            self.body.explain(_("UPower: not available: {reason}").format(reason=localize(info.reason)))
            return
        self.body.show_view()
        self.summary.setText(upower_summary(info))
        selected = self.selected_device()
        if self.model.set_rows(info.devices):
            fit_rows(self.view, self.model.rowCount(), 10)
            self.view.setColumnWidth(UPowerColumn.DEVICE, min(self.view.columnWidth(UPowerColumn.DEVICE), 260))
        want = self._wanted or (selected.path if selected is not None else None)
        if want is None or info.device(want) is None:
            batteries = [d.path for d in info.devices if d.is_battery and d.power_supply]
            want = next(iter(batteries or [d.path for d in info.devices]), None)
        if want is not None and (selected is None or selected.path != want):
            self._wanted = None
            self.select_device(want)  # the selection change asks for its history
        else:
            self._show_details()
            if first:  # UPower (re)appeared with the same device selected
                self.request_history()

    def selected_device(self) -> UPowerDevice | None:
        idx = self.view.currentIndex()
        if not idx.isValid():
            return None
        return self.model.row_at(self.proxy.mapToSource(idx).row())

    def select_device(self, path: str) -> bool:
        """Select a UPower object path; remembered until UPower lists it."""
        for row, d in enumerate(self.model.rows()):
            if d.path == path:
                proxy_row = self.proxy.mapFromSource(self.model.index(row, 0)).row()
                if proxy_row >= 0:
                    self.view.selectRow(proxy_row)
                    return True
        self._wanted = path
        return False

    def _on_selection(self, _sel: QItemSelection, _desel: QItemSelection) -> None:
        self._show_details()
        self.history = {}
        self.request_history()

    def _show_details(self) -> None:
        d = self.selected_device()
        if d is None:
            self.details.clear(_("Select a device to see every property UPower has."))
            return
        self.details.update_content(device_name(d), upower_sections(d))

    def set_filter(self, text: str) -> None:
        self.proxy.set_text(text)

    # --- history -------------------------------------------------------------------------------

    def span_s(self) -> int:
        return HISTORY_SPANS_S[str(self.span_box.currentData())]

    def _span_changed(self, _i: int) -> None:
        self.history = {}
        self.request_history()

    def request_history(self) -> None:
        """Ask UPower for the selected device's charge and rate history (answers come as history_ready)."""
        d = self.selected_device()
        self._redraw()
        if d is None or self.bus is None or not d.has_history:
            return
        for kind in ("charge", "rate"):
            self.bus.request_history(d.path, kind, self.span_s(), RESOLUTION)

    def _refresh_if_shown(self) -> None:
        if self.isVisible():
            self.request_history()

    def show_history(self, hist: UPowerHistory) -> None:
        d = self.selected_device()
        if d is None or hist.path != d.path or hist.timespan_s != self.span_s():
            return  # an answer for a device or span no longer shown
        self.history[hist.kind] = hist
        self._redraw()

    def add_kernel_reading(self, reading: PowerReading) -> None:
        """The kernel's battery draw (power_supply power_now) from the page's own sysfs poller."""
        watts = battery_draw_watts(reading.supplies)
        if watts is not None:
            self.draw_log.add(unix_time_of(reading.taken_at), watts)
            self.kernel_note = _("kernel: battery power from /sys/class/power_supply, while this page is open")
        elif reading.supplies_error:
            self.kernel_note = f"kernel: {reading.supplies_error}"
        else:
            self.kernel_note = _("kernel: no battery reports its power in /sys/class/power_supply")
        if self.isVisible():
            self._redraw()

    def _redraw(self) -> None:
        now = time.time()
        span = self.span_s()
        self.plot.set_window(now - span, now)
        self.plot.set_kernel_power(*self.draw_log.since(now - span))
        d = self.selected_device()
        charge, rate = self.history.get("charge"), self.history.get("rate")
        for hist, setter in ((charge, self.plot.set_charge), (rate, self.plot.set_rate)):
            points = hist.points if hist is not None and hist.available else ()
            setter([p.time_unix for p in points], [p.value for p in points])
        message = ""
        if d is None:
            message = _("Select a device to see its history.")
        elif not d.has_history:
            message = _("UPower keeps no history for {device_name}.").format(device_name=device_name(d))
        elif charge is not None and rate is not None:
            failed = [h.reason for h in (charge, rate) if not h.available]
            if failed:
                message = _("History not available: {failed}").format(failed=failed[0])
            elif not charge.points and not rate.points:
                message = _("UPower has no history for {device_name} in this span.").format(device_name=device_name(d))
        self.plot.set_message(message)
        title = _("History") if d is None else _("History of {device_name}").format(device_name=device_name(d))
        self.history_title.setText(title)
        counts = self.plot.counts()
        self.caption.setText(
            _("UPower: {charge} charge and {rate} power points · {kernel_note} ({kernel} points)").format(
                charge=counts["charge"], rate=counts["rate"], kernel_note=self.kernel_note, kernel=counts["kernel"]
            )
        )
