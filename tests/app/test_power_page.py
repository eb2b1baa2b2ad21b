"""Power page: batteries, sources and RAPL watts shown from fake sysfs trees, root-only counters, dumps."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from PySide6.QtCore import QAbstractItemModel, Qt

from hwinspector.collectors.sensors import PowerReading, PowerSource
from hwinspector.models.live_table import ValueRole
from hwinspector.models.power import RaplColumn, SupplyColumn, format_duration, time_estimate
from hwinspector.pages.power import PowerPage
from hwinspector.probes.machine.snapshot import Snapshot, Source
from hwinspector.probes.power.powercap import RAPL_ROOT_ONLY_REASON
from tests.probes.sysfs_builder import acpi_ac, acpi_battery, call_unprivileged, rapl_zone, shared_tmp

LIVE = Snapshot(Source("live", "live machine"), ())
DUMP = Snapshot(Source("udevadm", "TOSHIBA_NVME.txt", "/tmp/TOSHIBA_NVME.txt"), ())
RANGE = 262143328850
ZONES = ("intel-rapl:0", "intel-rapl:0:0", "intel-rapl:0:1", "intel-rapl:0:2", "intel-rapl:1")
LAPTOP = Path(__file__).resolve().parent.parent / "data" / "umockdev" / "laptop.umockdev"


def laptop(sysfs: Path) -> None:
    """An energy-based battery with power_now, a charge-based one without it, an adapter, five RAPL zones."""
    acpi_battery(
        sysfs, "BAT0",
        status="Discharging", present=1, technology="Li-ion", cycle_count=137, capacity=74,
        capacity_level="Normal", energy_now=38420000, energy_full=51240000, energy_full_design=56000000,
        power_now=8372000, voltage_now=15648000, voltage_min_design=15200000,
        manufacturer="Samsung SDI", model_name="DELL W7NKD78", serial_number=8179,
    )  # fmt: skip
    acpi_battery(
        sysfs, "CMB1", acpi="PNP0C0A:01",
        status="Discharging", present=1, capacity=50, charge_now=2000000, charge_full=4000000,
        charge_full_design=5000000, voltage_now=12000000, current_now=-1500000,
    )  # fmt: skip
    acpi_ac(sysfs, "ADP1", online=0)
    rapl_zone(
        sysfs, "intel-rapl:0", "package-0", RANGE - 3_000_000,
        constraint_0_name="long_term", constraint_0_power_limit_uw=15000000,
        constraint_0_time_window_us=27983872,
        constraint_1_name="short_term", constraint_1_power_limit_uw=44000000,
        constraint_1_time_window_us=2440,
    )  # fmt: skip
    rapl_zone(sysfs, "intel-rapl:0:0", "core", 1_000_000)
    rapl_zone(sysfs, "intel-rapl:0:1", "uncore", 1_000_000)
    rapl_zone(sysfs, "intel-rapl:0:2", "dram", 1_000_000)
    rapl_zone(sysfs, "intel-rapl:1", "psys", 1_000_000)


def write_in_place(path: Path, value: object) -> None:
    # same inode, as sysfs does: the RAPL meter keeps its counter files open
    with open(path, "r+") as f:
        f.truncate(0)
        f.write(f"{value}\n")


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def texts(model: QAbstractItemModel, column: int) -> list[str]:
    return [str(model.index(r, column).data() or "") for r in range(model.rowCount())]


def row_of(page: PowerPage, name: str) -> int:
    return next(i for i, s in enumerate(page.supply_model.rows()) if s.name == name)


@pytest.fixture
def page(qtbot, tmp_path: Path):  # type: ignore[no-untyped-def]
    laptop(tmp_path)
    p = PowerPage(sysfs=tmp_path)
    qtbot.addWidget(p)
    yield p
    p.shutdown()


def show_live(page: PowerPage, qtbot, readings: int = 2) -> None:  # type: ignore[no-untyped-def]
    page.set_snapshot(LIVE)
    assert not page.settled()
    page.show()
    qtbot.waitUntil(lambda: page.readings_shown >= readings, timeout=10000)


def test_values_shown_equal_sysfs_in_proper_units(page: PowerPage, qtbot, qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    show_live(page, qtbot)
    assert page.settled()
    model = page.supply_model
    assert texts(model, SupplyColumn.NAME) == ["ADP1", "BAT0", "CMB1"]
    bat = row_of(page, "BAT0")
    cells = {col: str(model.index(bat, col).data()) for col in SupplyColumn}
    assert cells[SupplyColumn.STATE] == "Discharging"
    assert cells[SupplyColumn.LEVEL] == "74 %"
    assert cells[SupplyColumn.POWER] == "8.37 W"  # power_now 8372000 µW
    assert cells[SupplyColumn.VOLTAGE] == "15.648 V"  # voltage_now 15648000 µV
    assert cells[SupplyColumn.HEALTH] == "91.5 %"  # 51.24 / 56.00 Wh
    assert cells[SupplyColumn.MODEL] == "Samsung SDI DELL W7NKD78"
    assert model.index(bat, SupplyColumn.POWER).data(ValueRole) == pytest.approx(8.372)
    assert str(model.index(row_of(page, "ADP1"), SupplyColumn.STATE).data()) == "offline"
    # every property in the details, in proper units
    page.select_path("/devices/LNXSYSTM:00/LNXSYBUS:00/PNP0C0A:00")
    rows = page.details.rows()
    for row in [
        ("Charge", "Energy now", "38.42 Wh"),
        ("Charge", "Energy full (design)", "56.00 Wh"),
        ("Charge", "Cycle count", "137"),
        ("Charge", "Time estimate", "4 h 35 min left"),  # 38.42 Wh / 8.372 W = 4.589 h
        ("Electrical", "Voltage min (design)", "15.200 V"),
        ("General", "Serial number", "8179"),
    ]:
        assert row in rows
    card = page.cards["BAT0"]
    assert card.percent.text() == "74 %"
    assert card.state.text() == "Discharging · 8.37 W"
    assert card.estimate.text() == "4 h 35 min left"
    assert card.health.format() == "Health 91.5 %"
    assert card.detail.text() == "38.4 of 51.2 Wh, 56.0 new · 137 cycles · Li-ion · 15.65 V"
    assert page.summary.text() == "On battery · the system draws 26.37 W from its battery"
    qtmodeltester.check(page.supply_model, force_py=True)
    qtmodeltester.check(page.rapl_model, force_py=True)


def test_battery_without_power_now_shows_voltage_times_current(page: PowerPage, qtbot) -> None:  # type: ignore[no-untyped-def]
    show_live(page, qtbot)
    cmb = row_of(page, "CMB1")
    power = page.supply_model.index(cmb, SupplyColumn.POWER)
    assert power.data() == "18.00 W"  # 12 V times 1.5 A (current_now is negative while discharging)
    assert "voltage" in str(power.data(Qt.ItemDataRole.ToolTipRole))
    assert page.cards["CMB1"].estimate.text() == "1 h 20 min left"  # 2 Ah / 1.5 A


def test_no_made_up_power(tmp_path: Path, qtbot) -> None:  # type: ignore[no-untyped-def]
    # ACPI firmware reporting 0 W while discharging, and a battery with no power or current at all
    acpi_battery(tmp_path, "BAT0", status="Discharging", capacity=60, energy_now=30000000, power_now=0)
    acpi_battery(tmp_path, "BAT1", acpi="PNP0C0A:01", status="Discharging", capacity=40, energy_now=9000000)
    page = PowerPage(sysfs=tmp_path)
    qtbot.addWidget(page)
    try:
        show_live(page, qtbot, 1)
        for name in ("BAT0", "BAT1"):
            cell = page.supply_model.index(row_of(page, name), SupplyColumn.POWER)
            assert cell.data() == "—"
            assert cell.data(Qt.ItemDataRole.ToolTipRole)  # why: the probe's note
            assert page.cards[name].state.text() == "Discharging · power not reported"
            assert page.cards[name].estimate.text() == ""
        assert page.rapl.explaining() and "powercap" in page.rapl.message.text()
    finally:
        page.shutdown()


def test_rapl_watts_from_counter_deltas_across_wrap(tmp_path: Path, qtbot) -> None:  # type: ignore[no-untyped-def]
    laptop(tmp_path)
    clock = FakeClock()
    source = PowerSource(tmp_path, clock)
    page = PowerPage(sysfs=tmp_path)
    qtbot.addWidget(page)
    page.set_snapshot(LIVE)
    page.show_reading(source.read())
    assert texts(page.rapl_model, RaplColumn.POWER) == ["measuring…"] * 5
    clock.now += 0.5
    pkg = tmp_path / "class/powercap/intel-rapl:0/energy_uj"
    write_in_place(pkg, 2_000_000)  # wrapped: 3 J up to max_energy_range_uj, then 2 J
    write_in_place(tmp_path / "class/powercap/intel-rapl:0:0/energy_uj", 3_500_000)
    page.show_reading(source.read())
    source.close()
    assert texts(page.rapl_model, RaplColumn.POWER) == ["10.00 W", "5.00 W", "0.00 W", "0.00 W", "0.00 W"]
    assert texts(page.rapl_model, RaplColumn.DOMAIN) == ["package-0", "    core", "    uncore", "    dram", "psys"]
    assert str(page.rapl_model.index(0, RaplColumn.LIMITS).data()) == "PL1 15 W / 28 s · PL2 44 W"
    assert not page.rapl_note.isVisibleTo(page)


def _two_readings(sysfs: Path) -> PowerReading:
    source = PowerSource(sysfs)
    source.read()
    reading = source.read()
    source.close()
    return reading


def test_root_only_rapl_says_why_and_never_zero(qtbot) -> None:  # type: ignore[no-untyped-def]
    # Linux >= 5.10: energy_uj is mode 0400; read by an unprivileged user for a real EACCES
    with shared_tmp() as sysfs:
        laptop(sysfs)
        for zone in ZONES:
            (sysfs / "class/powercap" / zone / "energy_uj").chmod(0o400)
        reading = call_unprivileged(_two_readings, sysfs)
    page = PowerPage()
    qtbot.addWidget(page)
    page.set_snapshot(LIVE)
    page.show_reading(reading)
    powers = texts(page.rapl_model, RaplColumn.POWER)
    assert powers == ["root only"] * 5
    assert not any(re.search(r"\b0(\.0+)? ?W\b", t) for t in powers)
    assert page.rapl_model.index(0, RaplColumn.POWER).data(Qt.ItemDataRole.ToolTipRole) == RAPL_ROOT_ONLY_REASON
    assert page.rapl_model.index(0, RaplColumn.POWER).data(ValueRole) is None
    note = page.rapl_note.text()
    assert page.rapl_note.isVisibleTo(page)
    for needle in ("root", "Linux 5.10", "CVE-2020-8694", "packaging/udev/60-hwinspector-rapl.rules", "off by default"):
        assert needle in note
    # the rest of the page keeps working
    assert str(page.supply_model.index(row_of(page, "BAT0"), SupplyColumn.POWER).data()) == "8.37 W"


def test_values_update_in_place_and_new_supplies_appear(page: PowerPage, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    show_live(page, qtbot)
    resets: list[int] = []
    changes: list[int] = []
    page.supply_model.modelReset.connect(lambda: resets.append(1))
    page.supply_model.dataChanged.connect(lambda *_: changes.append(1))
    bat = tmp_path / "class/power_supply/BAT0"
    write_in_place(bat / "power_now", 10468000)
    cell = page.supply_model.index(row_of(page, "BAT0"), SupplyColumn.POWER)
    qtbot.waitUntil(lambda: cell.data() == "10.47 W", timeout=5000)
    assert changes and not resets
    assert page.cards["BAT0"].state.text() == "Discharging · 10.47 W"
    # a USB-C source appears: the row set changed, the model resets and lists it
    acpi_ac(tmp_path, "ucsi-source-psy-USBC000:001", online=1, acpi="USBC000:00")
    qtbot.waitUntil(lambda: "ucsi-source-psy-USBC000:001" in texts(page.supply_model, 0), timeout=5000)
    assert resets
    assert page.summary.text().startswith("On external power (ucsi-source-psy-USBC000:001)")


def test_polls_only_while_shown(page: PowerPage, qtbot) -> None:  # type: ignore[no-untyped-def]
    show_live(page, qtbot)
    page.hide()
    assert not page.poller.polling
    qtbot.wait(300)  # a reading already on its way may still land
    count = page.readings_shown
    qtbot.wait(1500)
    assert page.readings_shown == count
    page.show()
    qtbot.waitUntil(lambda: page.readings_shown > count, timeout=5000)


def test_dump_source_shows_the_empty_state(page: PowerPage, qtbot) -> None:  # type: ignore[no-untyped-def]
    page.set_snapshot(DUMP)
    page.show()
    assert page.settled()  # nothing to wait for
    assert page.body.currentWidget() is page.empty
    text = page.empty.text()
    assert "not part of a udevadm dump" in text and "TOSHIBA_NVME.txt" in text and "Show live machine" in text
    qtbot.wait(600)
    assert page.readings_shown == 0 and not page.poller.polling
    # back to the live machine: polling starts
    page.set_snapshot(LIVE)
    qtbot.waitUntil(lambda: page.readings_shown >= 1, timeout=5000)
    assert page.body.currentWidget() is not page.empty


def test_filter_rows(page: PowerPage, qtbot) -> None:  # type: ignore[no-untyped-def]
    show_live(page, qtbot)
    page.set_filter("bat0")
    assert texts(page.supply_proxy, 0) == ["BAT0"]
    page.set_filter("uncore")
    assert texts(page.rapl_proxy, RaplColumn.DOMAIN) == ["    uncore"]
    assert page.supply_proxy.rowCount() == 0
    page.set_filter("")
    assert page.supply_proxy.rowCount() == 3 and page.rapl_proxy.rowCount() == 5


def test_missing_power_supply_class_is_explained(tmp_path: Path, qtbot) -> None:  # type: ignore[no-untyped-def]
    page = PowerPage(sysfs=tmp_path)
    qtbot.addWidget(page)
    page.set_snapshot(LIVE)
    page.show_reading(PowerSource(tmp_path).read())
    assert page.supplies.explaining() and "CONFIG_POWER_SUPPLY" in page.supplies.message.text()
    assert page.rapl.explaining()


def test_durations() -> None:
    assert format_duration(30) == "under a minute"
    assert format_duration(59 * 60) == "59 min"
    assert format_duration(4 * 3600 + 35 * 60 + 10) == "4 h 35 min"


def test_time_to_full_while_charging(tmp_path: Path) -> None:
    acpi_battery(tmp_path, "BAT0", status="Charging", energy_now=20000000, energy_full=50000000, power_now=15000000)
    (s,) = PowerSource(tmp_path).read().supplies
    assert time_estimate(s) == ("2 h 00 min until full", pytest.approx(7200.0))


@pytest.mark.umockdev
def test_laptop_recording_through_libudevs_sysfs(qtbot) -> None:  # type: ignore[no-untyped-def]
    """Under umockdev the page reads /sys like on the live laptop: values equal the recorded attributes."""
    if "umockdev" not in os.environ.get("LD_PRELOAD", ""):
        pytest.skip("needs umockdev-wrapper around the test process (the umockdev pass of make test)")
    import gi

    gi.require_version("UMockdev", "1.0")
    from gi.repository import UMockdev

    tb = UMockdev.Testbed.new()
    tb.add_from_file(str(LAPTOP))
    page = PowerPage()
    qtbot.addWidget(page)
    try:
        show_live(page, qtbot)
        recorded = _recorded_attrs("/devices/LNXSYSTM:00/LNXSYBUS:00/PNP0C0A:00/power_supply/BAT0")
        bat = row_of(page, "BAT0")
        model = page.supply_model
        assert model.index(bat, SupplyColumn.POWER).data(ValueRole) == int(recorded["power_now"]) / 1e6
        assert model.index(bat, SupplyColumn.LEVEL).data() == f"{recorded['capacity']} %"
        assert model.index(bat, SupplyColumn.VOLTAGE).data(ValueRole) == int(recorded["voltage_now"]) / 1e6
        assert ("Charge", "Cycle count", recorded["cycle_count"]) in page.details.rows()
        assert texts(page.rapl_model, RaplColumn.DOMAIN) == ["package-0", "    core", "    uncore", "    dram", "psys"]
        # the recording's counters stand still: a real 0 W, never "root only" (umockdev files are readable)
        assert set(texts(page.rapl_model, RaplColumn.POWER)) == {"0.00 W"}
    finally:
        page.shutdown()
        del tb


def _recorded_attrs(devpath: str) -> dict[str, str]:
    attrs: dict[str, str] = {}
    inside = False
    for line in LAPTOP.read_text().splitlines():
        if line.startswith("P: "):
            inside = line[3:] == devpath
        elif inside and line.startswith("A: "):
            key, _, value = line[3:].partition("=")
            attrs[key] = value.removesuffix("\\n")
    return attrs


def test_thread_runs_only_while_shown(page: PowerPage, qtbot) -> None:  # type: ignore[no-untyped-def]
    show_live(page, qtbot, 1)
    assert page.poller.running()
    for _ in range(20):  # quick page switching: stop and start while the last read is finishing
        page.hide()
        page.show()
    count = page.readings_shown
    qtbot.waitUntil(lambda: page.readings_shown >= count + 2, timeout=5000)
    page.hide()
    qtbot.waitUntil(lambda: not page.poller.running(), timeout=5000)
    page.shutdown()
    page.show()
    assert not page.poller.running() and not page.poller.polling
