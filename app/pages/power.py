"""Power page: batteries, sources and RAPL from sysfs; UPower, power profiles and sleep from the system bus."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelection, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from hwinspector.collectors.remote_sensors import RemotePowerSource, link_fetch
from hwinspector.collectors.sensors import PowerReading, PowerSource, SensorPoller
from hwinspector.i18n import N_, _, ngettext
from hwinspector.models.live_table import FractionRole, LevelRole, SearchRole, quantity
from hwinspector.models.power import (
    RaplColumn,
    RaplModel,
    SupplyColumn,
    SupplyModel,
    supply_kind,
    supply_sections,
    supply_state,
    time_estimate,
)
from hwinspector.pages.base import Page, empty_state, not_live_text
from hwinspector.pages.power_services import ProfilesPanel, SleepPanel
from hwinspector.pages.power_upower import UPowerPanel
from hwinspector.pages.remote_readings import PollerSwitch, link_down_text
from hwinspector.probes.machine.snapshot import Snapshot
from hwinspector.probes.power.powercap import RAPL_ROOT_ONLY_REASON
from hwinspector.probes.power.supply import PowerSupply
from hwinspector.report.open_bundle import captured_text
from hwinspector.widgets import dim, note_style
from hwinspector.widgets.bar_delegate import BarDelegate
from hwinspector.widgets.battery_card import BatteryCard
from hwinspector.widgets.device_tree_view import TextFilterProxy
from hwinspector.widgets.explained_view import ExplainedView
from hwinspector.widgets.live_property_table import LivePropertyTable
from hwinspector.widgets.reading_table import reading_table
from hwinspector.widgets.status_icons import status_icon

if TYPE_CHECKING:
    from hwinspector.bus_bridge import BusBridge
    from hwinspector.probes.remote.client import RemoteLink

RAPL_ROOT_ONLY_HELP = N_(
    "<b>Processor power needs permission.</b> Since Linux 5.10 the RAPL energy counters "
    "(<tt>energy_uj</tt>) are readable by root only: unprivileged energy readings are a side channel "
    "that leaks what the processor computes (PLATYPUS, CVE-2020-8694 and CVE-2020-8695). "
    "To see package, core, uncore, DRAM and platform power, run hwinspector as root, or install the "
    "opt-in udev rule <tt>packaging/udev/60-hwinspector-rapl.rules</tt>, which lets members of the "
    "<tt>hwinspector</tt> group read the counters. It is off by default because it reopens that side "
    "channel to those users: install it only where they are trusted with it (see "
    "<tt>packaging/udev/README.md</tt>)."
)


UPOWER_PREFIX = "/org/freedesktop/UPower/"


def _searchable(index: QModelIndex | QPersistentModelIndex) -> str:
    return str(index.data(SearchRole) or "")


class PowerPage(Page):
    page_id = "power"
    title = N_("Power")
    order = 50
    description = N_("Batteries, power sources and processor power; UPower devices, power profiles and sleep")

    def __init__(self, parent: QWidget | None = None, *, sysfs: Path = Path("/sys")) -> None:
        super().__init__(parent)
        self._live: bool | None = None  # None until a snapshot says where we are looking
        self.reading: PowerReading | None = None
        self.readings_shown = 0
        self.snapshot: Snapshot | None = None
        # this machine's poller, or one reading a remote machine over its ssh link (File → Connect…)
        self.pollers = PollerSwitch(
            self,
            SensorPoller(PowerSource(sysfs), "power-poller", self),
            self._reading_arrived,
            lambda link: RemotePowerSource(link_fetch(link), link.host),
            "power-remote-poller",
        )

        self.supply_model = SupplyModel(self)
        self.supply_proxy = TextFilterProxy(_searchable, self)
        self.supply_proxy.setSourceModel(self.supply_model)
        self.supply_view = reading_table(self.supply_proxy, name=_("Power supplies"))
        self.supply_view.setItemDelegateForColumn(SupplyColumn.LEVEL, BarDelegate(FractionRole, LevelRole, self))
        self.supply_view.selectionModel().selectionChanged.connect(self._on_selection)
        self.supplies = ExplainedView(self.supply_view)
        sbox = QGroupBox(_("Power supplies"))
        QVBoxLayout(sbox).addWidget(self.supplies)

        self.rapl_model = RaplModel(self)
        self.rapl_proxy = TextFilterProxy(_searchable, self)
        self.rapl_proxy.setSourceModel(self.rapl_model)
        self.rapl_view = reading_table(self.rapl_proxy, name=_("Processor power (RAPL)"))
        self.rapl_note = QLabel(_(RAPL_ROOT_ONLY_HELP))
        self.rapl_note.setWordWrap(True)
        self.rapl_note.setTextFormat(Qt.TextFormat.RichText)
        self.rapl_note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.rapl_note.setStyleSheet(note_style("info"))
        self.rapl_note.hide()
        self.rapl = ExplainedView(self.rapl_view)
        rbox = QGroupBox(_("Processor power (RAPL)"))
        rl = QVBoxLayout(rbox)
        rl.addWidget(self.rapl_note)
        rl.addWidget(self.rapl, 1)

        self.details = LivePropertyTable()
        self.details.clear(_("Select a power supply to see every property."))

        self.summary = QLabel()
        f = self.summary.font()
        f.setPointSizeF(f.pointSizeF() * 1.15)
        f.setBold(True)
        self.summary.setFont(f)
        self.no_battery = QLabel(_("No battery: this machine runs on mains power only."))
        dim(self.no_battery)
        self.cards: dict[str, BatteryCard] = {}
        self.sources = SourcesBox()
        self._cards_row = QHBoxLayout()
        self._cards_row.setContentsMargins(0, 0, 0, 0)
        self._cards_row.addWidget(self.no_battery)
        self._cards_row.addWidget(self.sources, 1)

        left = QSplitter(Qt.Orientation.Vertical)
        left.addWidget(sbox)
        left.addWidget(rbox)
        left.setSizes([180, 300])
        self._left = left
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(self.details)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        split.setSizes([640, 420])
        content = QWidget()
        cl = QVBoxLayout(content)
        cl.setContentsMargins(0, 0, 0, 0)
        cl.addWidget(self.summary)
        cl.addLayout(self._cards_row)
        cl.addWidget(split, 1)

        self.upower = UPowerPanel()
        self.profiles = ProfilesPanel()
        self.sleep = SleepPanel()
        services = QWidget()
        sl = QHBoxLayout(services)
        sl.setContentsMargins(0, 0, 0, 0)
        sl.addWidget(self.profiles, 1)
        sl.addWidget(self.sleep, 1)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName(_(self.title))
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(content, _("Supplies (kernel)"))
        self.tabs.addTab(self.upower, "UPower")
        self.tabs.addTab(services, _("Profiles and sleep"))

        self.empty = empty_state(_("Waiting for the source to load…"))
        self.empty.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.body = QStackedWidget()
        self.body.addWidget(self.empty)
        self.body.addWidget(self.tabs)
        self._content = self.tabs
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
        if isinstance(reading, PowerReading):
            self.show_reading(reading)

    def set_snapshot(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        src = snapshot.source
        self._live = self.pollers.reads(snapshot)
        if self._live:
            self.body.setCurrentWidget(self._content)
            if self.readings_shown < 2:
                self.mark_waiting()  # the poller's readings are what this page shows
            if self.isVisible():
                self.poller.start()
            return
        self.poller.stop()
        self.mark_shown()  # the explanation below is what a dump or a bundle gives this page
        if src.is_remote and src.kind == "bundle":
            self.empty.setTextFormat(Qt.TextFormat.PlainText)
            self.empty.setText(link_down_text(snapshot, "power"))
            self.body.setCurrentWidget(self.empty)
            return
        if src.kind == "bundle":  # one captured reading, not a live one: say what the bundle holds
            self.empty.setTextFormat(Qt.TextFormat.PlainText)
            self.empty.setText(captured_text(snapshot, "power", _("Power")))
            self.body.setCurrentWidget(self.empty)
            return
        self.empty.setText(
            not_live_text(
                snapshot,
                _("Power supplies"),
                _("power_supply and powercap"),
                _("battery, adapter and processor power are"),
                _(
                    "UPower's devices and history, power profiles and sleep states come from the live machine's system "
                    "services: they are not part of this source."
                ),
            )
        )
        self.body.setCurrentWidget(self.empty)

    def set_filter(self, text: str) -> None:
        self.supply_proxy.set_text(text)
        self.rapl_proxy.set_text(text)
        self.upower.set_filter(text)

    def set_bus(self, bus: BusBridge) -> None:
        """UPower, power profiles and sleep from the main window's one system-bus bridge."""
        for panel in (self.upower, self.profiles, self.sleep):
            panel.set_bus(bus)

    def select_path(self, path: str) -> None:
        if path.startswith(UPOWER_PREFIX):  # a UPower object path: that device on the UPower tab
            self.tabs.setCurrentWidget(self.upower)
            self.upower.select_device(path)
            return
        for row, s in enumerate(self.supply_model.rows()):
            if path in (s.devpath, s.device, s.path):
                self.supply_view.selectRow(self.supply_proxy.mapFromSource(self.supply_model.index(row, 0)).row())
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

    def selected_supply(self) -> PowerSupply | None:
        idx = self.supply_view.currentIndex()
        if not idx.isValid():
            return None
        return self.supply_model.row_at(self.supply_proxy.mapToSource(idx).row())

    def show_reading(self, reading: PowerReading) -> None:
        """Show one reading from the collector (GUI thread)."""
        if self._live is False:
            return  # a reading still in flight when a dump was opened
        self.reading = reading
        self.readings_shown += 1
        # watts and residency need a second reading: the first is a part of the picture
        self.mark_shown(complete=self.readings_shown >= 2)
        self.upower.add_kernel_reading(reading)
        selected = self.selected_supply()
        if self.supply_model.set_rows(reading.supplies):
            self._fit_supplies()
        if reading.supplies_error:
            self.supplies.explain(reading.supplies_error)
        elif not reading.supplies:
            self.supplies.explain(
                _(
                    "The kernel reports no power supply: no battery, no ACPI adapter, no USB-C power source. "
                    "Desktops without ACPI power devices and virtual machines look like this."
                )
            )
        else:
            self.supplies.show_view()
        names = [s.name for s in reading.supplies]
        keep = selected.name if selected is not None and selected.name in names else None
        if keep is None and reading.supplies:
            batteries = [s.name for s in reading.supplies if s.is_battery]
            keep = (batteries or names)[0]
        current = self.selected_supply()
        if keep is not None and (current is None or current.name != keep):
            self._select_name(keep)
        else:
            self._show_details()
        self._show_cards(reading.supplies)
        self._show_rapl(reading)

    def _fit_supplies(self) -> None:
        view = self.supply_view
        view.resizeColumnsToContents()
        # USB-C sources have long kernel names (ucsi-source-psy-USBC000:001): the middle can go
        view.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        view.setColumnWidth(SupplyColumn.NAME, min(view.columnWidth(SupplyColumn.NAME), 170))
        # the last column stretches into whatever is left: from a small start, so nothing scrolls sideways
        view.setColumnWidth(SupplyColumn.MODEL, 60)
        # as tall as its rows (a desktop has one supply, a laptop two or three), the rest for RAPL
        rows = min(max(1, self.supply_model.rowCount()), 8)
        header = view.horizontalHeader().sizeHint().height()
        view.setMinimumHeight(header + rows * view.verticalHeader().defaultSectionSize() + 2 * view.frameWidth() + 2)
        total = sum(self._left.sizes())
        if total > 0:
            top = min(view.minimumHeight() + 48, total // 2)
            self._left.setSizes([top, total - top])

    def _select_name(self, name: str) -> None:
        row = next(i for i, s in enumerate(self.supply_model.rows()) if s.name == name)
        proxy_row = self.supply_proxy.mapFromSource(self.supply_model.index(row, 0)).row()
        if proxy_row >= 0:
            self.supply_view.selectRow(proxy_row)

    def _on_selection(self, _sel: QItemSelection, _desel: QItemSelection) -> None:
        self._show_details()

    def _show_details(self) -> None:
        s = self.selected_supply()
        if s is None:
            self.details.clear(
                _("Select a power supply to see every property.") if self.supply_model.rowCount() else ""
            )
            return
        self.details.update_content(f"{s.name} — {supply_kind(s)}", supply_sections(s))

    def _show_cards(self, supplies: tuple[PowerSupply, ...]) -> None:
        batteries = [s for s in supplies if s.is_battery]
        for name in [n for n in self.cards if n not in {b.name for b in batteries}]:
            self.cards.pop(name).deleteLater()
        for pos, b in enumerate(batteries):
            card = self.cards.get(b.name)
            if card is None:
                card = BatteryCard()
                card.setMinimumWidth(300)
                card.setMaximumWidth(520)
                self.cards[b.name] = card
                self._cards_row.insertWidget(pos, card, 1)
            self._fill_card(card, b)
        self.no_battery.setVisible(not batteries and bool(supplies))
        self.sources.set_sources([s for s in supplies if not s.is_battery])
        self.summary.setText(_summary(supplies))

    def _fill_card(self, card: BatteryCard, b: PowerSupply) -> None:
        model = " ".join(x for x in (b.manufacturer, b.model_name) if x)
        title = f"{b.name} · {model}" if model else b.name
        if b.scope == "Device":
            title += _(" (a device's battery)")
        state = supply_state(b)
        if b.power_watts is not None:
            state += f" · {quantity(b.power_watts, 'W')}"
        elif b.is_battery and b.status in ("Charging", "Discharging"):
            state += _(" · power not reported")
        estimate, _unused = time_estimate(b)
        health = (
            _("Health not reported")
            if b.health_percent is None
            else _("Health {health_percent:.1f} %").format(health_percent=b.health_percent)
        )
        detail = []
        if b.energy_now_wh is not None and b.energy_full_wh is not None:
            design = (
                _(", {energy_full_design_wh:.1f} new").format(energy_full_design_wh=b.energy_full_design_wh)
                if b.energy_full_design_wh is not None
                else ""
            )
            detail.append(
                _("{energy_now_wh:.1f} of {energy_full_wh:.1f} Wh{design}").format(
                    energy_now_wh=b.energy_now_wh, energy_full_wh=b.energy_full_wh, design=design
                )
            )
        elif b.charge_now_ah is not None and b.charge_full_ah is not None:
            design = (
                _(", {charge_full_design_ah:.2f} new").format(charge_full_design_ah=b.charge_full_design_ah)
                if b.charge_full_design_ah is not None
                else ""
            )
            detail.append(
                _("{charge_now_ah:.2f} of {charge_full_ah:.2f} Ah{design}").format(
                    charge_now_ah=b.charge_now_ah, charge_full_ah=b.charge_full_ah, design=design
                )
            )
        if b.cycle_count is not None:
            detail.append(ngettext("{n} cycle", "{n} cycles", b.cycle_count).format(n=b.cycle_count))
        if b.technology:
            detail.append(b.technology)
        if b.voltage_volts is not None:
            detail.append(quantity(b.voltage_volts, "V"))
        card.set_state(
            title,
            b.capacity_percent,
            b.status == "Charging",
            state,
            estimate,
            b.health_percent,
            health,
            " · ".join(detail),
        )

    def _show_rapl(self, reading: PowerReading) -> None:
        if self.rapl_model.set_rows(reading.rapl):
            self.rapl_view.resizeColumnsToContents()
            self.rapl_view.setColumnWidth(RaplColumn.POWER, max(self.rapl_view.columnWidth(RaplColumn.POWER), 90))
        self.rapl_note.setVisible(any(r.reason == RAPL_ROOT_ONLY_REASON for r in reading.rapl))
        if reading.rapl_error:
            self.rapl.explain(reading.rapl_error)
        else:
            self.rapl.show_view()


class SourcesBox(QGroupBox):
    """AC adapters and USB-C ports beside the battery cards: plugged in or not, and what they give."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(_("External power"), parent)
        self._grid = QGridLayout(self)
        self._grid.setColumnStretch(1, 1)
        self._rows: dict[str, tuple[QLabel, QLabel]] = {}

    def set_sources(self, sources: list[PowerSupply]) -> None:
        names = [s.name for s in sources]
        if names != list(self._rows):
            for icon, text in self._rows.values():
                icon.deleteLater()
                text.deleteLater()
            self._rows = {}
            for i, name in enumerate(names):
                icon, text = QLabel(), QLabel()
                text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                self._grid.addWidget(icon, i, 0)
                self._grid.addWidget(text, i, 1)
                self._rows[name] = (icon, text)
        for s in sources:
            icon, text = self._rows[s.name]
            icon.setPixmap(status_icon("ok" if s.online else "na").pixmap(16, 16))
            line = f"{supply_kind(s)} <b>{s.name}</b>: {supply_state(s)}"
            if s.online:
                if s.voltage_volts is not None:
                    line += f" · {quantity(s.voltage_volts, 'V', 1)}"
                if s.current_max_amps:
                    line += _(" · up to {quantity}").format(quantity=quantity(s.current_max_amps, "A", 1))
                if s.power_watts:
                    line += f" · {quantity(s.power_watts, 'W', 1)}"
            text.setText(line)
            text.setToolTip(s.path)
        self._grid.setRowStretch(len(sources), 1)
        self.setVisible(bool(sources))


def _summary(supplies: tuple[PowerSupply, ...]) -> str:
    if not supplies:
        return _("No power supplies reported by the kernel.")
    sources = [s for s in supplies if not s.is_battery and s.scope != "Device" and s.online]
    batteries = [s for s in supplies if s.is_battery and s.scope != "Device"]
    if sources:
        text = _("On external power ({names})").format(names=", ".join(s.name for s in sources))
    elif any(b.status == "Discharging" for b in batteries):
        text = _("On battery")
    else:
        text = _("Power source not reported")
    draw = [b.power_watts for b in batteries if b.power_watts is not None and b.status == "Discharging"]
    if draw:
        text += _(" · the system draws {quantity} from its battery").format(quantity=quantity(sum(draw), "W"))
    return text
