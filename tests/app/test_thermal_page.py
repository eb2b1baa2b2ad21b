"""Thermal page: hwmon inputs in proper units, failing and stale inputs, zones, cooling, CPU frequency and idle."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QAbstractItemModel, QModelIndex, Qt

from hwinspector.collectors.sensors import CPU, FIRST_INTERVAL_S, MAX_DUTY, SensorPoller, ThermalSource, next_interval_s
from hwinspector.models.cpu import RATE, USAGE, FreqColumn
from hwinspector.models.live_table import FractionRole, ItemRole, LevelRole, ValueRole
from hwinspector.models.thermal import CoolingColumn, SensorColumn, ZoneColumn
from hwinspector.pages.thermal import CPU_TAB, SENSORS_TAB, ThermalPage
from hwinspector.probes.machine.snapshot import Snapshot, Source
from hwinspector.probes.power.hwmon import HwmonChip
from tests.probes.sysfs_builder import (
    cooling_device,
    cpu,
    hwmon,
    make_eio,
    make_enxio,
    platform_device,
    thermal_zone,
)

LIVE = Snapshot(Source("live", "live machine"), ())
DUMP = Snapshot(Source("umockdev", "laptop.umockdev", "/tmp/laptop.umockdev"), ())
LAPTOP = Path(__file__).resolve().parent.parent / "data" / "umockdev" / "laptop.umockdev"

HWP = {
    "scaling_cur_freq": 1800035, "scaling_min_freq": 400000, "scaling_max_freq": 3400000,
    "cpuinfo_min_freq": 400000, "cpuinfo_max_freq": 3400000, "base_frequency": 1600000,
    "scaling_driver": "intel_pstate", "scaling_governor": "powersave",
    "energy_performance_preference": "balance_performance",
}  # fmt: skip


def idle_states(c1_time: int, c6_time: int) -> list[dict[str, object]]:
    return [
        {"name": "POLL", "desc": "CPUIDLE CORE POLL IDLE", "latency": 0, "residency": 0, "usage": 54, "time": 2205},
        {"name": "C1", "desc": "MWAIT 0x00", "latency": 2, "residency": 2, "usage": 1000, "time": c1_time},
        {"name": "C6", "desc": "MWAIT 0x20", "latency": 85, "residency": 200, "usage": 500, "time": c6_time},
    ]


def machine(sysfs: Path) -> None:
    coretemp = platform_device(sysfs, "coretemp.0", "coretemp")
    hwmon(sysfs, 3, coretemp, {
        "name": "coretemp",
        "temp1_label": "Package id 0", "temp1_input": 53000, "temp1_max": 100000, "temp1_crit": 100000,
        "temp1_crit_alarm": 0,
        "temp2_label": "Core 0", "temp2_input": 52000, "temp2_crit": 100000,
        "temp3_label": "Core 1", "temp3_input": 101000, "temp3_crit": 100000, "temp3_crit_alarm": 1,
    })  # fmt: skip
    meter = platform_device(sysfs, "meter.0", "meter")
    hw = hwmon(sysfs, 6, meter, {
        "name": "meter",
        "fan1_label": "Processor Fan", "fan1_input": 2435, "fan1_min": 0, "fan1_max": 4900,
        "in0_input": 15648, "curr1_input": 1234, "power1_input": 8372000, "energy1_input": 5000000,
        "temp1_input": 45000, "temp2_input": 0, "temp3_input": 0,
    })  # fmt: skip
    make_eio(hw / "temp2_input")
    make_enxio(hw / "temp3_input")
    thermal_zone(sysfs, 0, {
        "type": "acpitz", "temp": 47000, "policy": "step_wise", "mode": "enabled",
        "trip_point_0_type": "critical", "trip_point_0_temp": 107000, "trip_point_0_hyst": 0,
        "trip_point_1_type": "passive", "trip_point_1_temp": 45000, "trip_point_1_hyst": 2000,
    }, acpi="LNXTHERM:00")  # fmt: skip
    thermal_zone(sysfs, 1, {"type": "x86_pkg_temp", "temp": 53000, "trip_point_0_type": "passive",
                            "trip_point_0_temp": 0})  # fmt: skip
    cooling_device(sysfs, 0, "Processor", 2, 3)
    cooling_device(sysfs, 1, "intel_powerclamp", -1, 50)
    cpu(sysfs, 0, HWP, idle_states(1_000_000, 5_000_000))
    cpu(sysfs, 1, {**HWP, "scaling_cur_freq": 900021}, idle_states(1_000_000, 5_000_000), online=1)


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def children(model: QAbstractItemModel, row: int) -> dict[str, dict[int, str]]:
    parent = model.index(row, 0)
    out = {}
    for r in range(model.rowCount(parent)):
        cells = {c: str(model.index(r, c, parent).data() or "") for c in range(model.columnCount())}
        out[cells[0]] = cells
    return out


def chip_row(page: ThermalPage, sensors_id: str) -> int:
    return next(i for i, c in enumerate(page.hwmon_model.parent_items()) if c.sensors_id == sensors_id)


@pytest.fixture
def page(qtbot, tmp_path: Path):  # type: ignore[no-untyped-def]
    machine(tmp_path)
    p = ThermalPage(sysfs=tmp_path)
    qtbot.addWidget(p)
    yield p
    p.shutdown()


def show_live(page: ThermalPage, qtbot, readings: int = 1) -> None:  # type: ignore[no-untyped-def]
    page.set_snapshot(LIVE)
    page.show()
    qtbot.waitUntil(lambda: page.readings_shown >= readings, timeout=10000)


def test_every_input_in_proper_units(page: ThermalPage, qtbot, qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    show_live(page, qtbot)
    model = page.hwmon_model
    assert [c.sensors_id for c in model.parent_items()] == ["coretemp-isa-0000", "meter-isa-0000"]
    core = children(model, chip_row(page, "coretemp-isa-0000"))
    assert core["Package id 0"][SensorColumn.VALUE] == "53.0 °C"
    assert core["Package id 0"][SensorColumn.MAX] == "100.0 °C"
    assert core["Package id 0"][SensorColumn.CRIT] == "100.0 °C"
    assert core["Package id 0"][SensorColumn.STATUS] == "ok"
    meter = children(model, chip_row(page, "meter-isa-0000"))
    assert meter["Processor Fan"][SensorColumn.VALUE] == "2435 RPM"
    assert (meter["Processor Fan"][SensorColumn.MIN], meter["Processor Fan"][SensorColumn.MAX]) == ("0 RPM", "4900 RPM")
    assert meter["in0"][SensorColumn.VALUE] == "15.648 V"
    assert meter["curr1"][SensorColumn.VALUE] == "1.234 A"
    assert meter["power1"][SensorColumn.VALUE] == "8.37 W"
    assert meter["energy1"][SensorColumn.VALUE] == "5.0 J"
    assert meter["temp1"][SensorColumn.VALUE] == "45.0 °C"
    assert page.sensor_count.text() == "2 chips, 11 inputs, 2 failing (marked, with the error)"
    qtmodeltester.check(page.hwmon_model, force_py=True)
    qtmodeltester.check(page.zones_model, force_py=True)
    qtmodeltester.check(page.cooling_model, force_py=True)


def test_failing_inputs_are_marked_not_hidden(page: ThermalPage, qtbot) -> None:  # type: ignore[no-untyped-def]
    show_live(page, qtbot)
    row = chip_row(page, "meter-isa-0000")
    meter = children(page.hwmon_model, row)
    assert meter["temp2"][SensorColumn.VALUE] == "—"
    assert meter["temp2"][SensorColumn.STATUS] == "EIO: read failed (I/O error on the bus)"
    assert meter["temp3"][SensorColumn.STATUS] == "ENXIO: not available on this machine"
    parent = page.hwmon_model.index(row, 0)
    levels = {
        str(page.hwmon_model.index(r, 0, parent).data()): page.hwmon_model.index(r, SensorColumn.STATUS, parent).data(
            LevelRole
        )
        for r in range(page.hwmon_model.rowCount(parent))
    }
    assert levels["temp2"] == levels["temp3"] == "error"
    # an alarm raised by the chip is shown as such
    core = children(page.hwmon_model, chip_row(page, "coretemp-isa-0000"))
    assert core["Core 1"][SensorColumn.STATUS] == "alarm: crit_alarm"


def test_input_failing_after_a_good_read_is_marked_stale(tmp_path: Path, qtbot) -> None:  # type: ignore[no-untyped-def]
    machine(tmp_path)
    source = ThermalSource(tmp_path)
    page = ThermalPage(sysfs=tmp_path)
    qtbot.addWidget(page)
    page.set_snapshot(LIVE)
    page.show_reading(source.read())
    make_eio(tmp_path / "class/hwmon/hwmon3/temp2_input")
    page.show_reading(source.read())
    core = children(page.hwmon_model, chip_row(page, "coretemp-isa-0000"))
    assert core["Core 0"][SensorColumn.VALUE] == "52.0 °C"  # the last good value…
    status = core["Core 0"][SensorColumn.STATUS]
    assert status.startswith("EIO: read failed") and "showing the value read at" in status  # …marked stale
    row = chip_row(page, "coretemp-isa-0000")
    cell = page.hwmon_model.index(1, SensorColumn.VALUE, page.hwmon_model.index(row, 0))
    assert cell.data(ValueRole) is None  # the number behind it is not passed off as a reading
    assert cell.data(Qt.ItemDataRole.ForegroundRole) is not None


def test_zones_trips_and_cooling(page: ThermalPage, qtbot) -> None:  # type: ignore[no-untyped-def]
    show_live(page, qtbot)
    zones = page.zones_model
    assert [str(zones.index(r, 0).data()) for r in range(zones.rowCount())] == [
        "acpitz (thermal_zone0)", "x86_pkg_temp (thermal_zone1)",
    ]  # fmt: skip
    assert str(zones.index(0, ZoneColumn.TEMP).data()) == "47.0 °C"
    assert str(zones.index(0, ZoneColumn.DETAIL).data()) == "step_wise"
    trips = children(zones, 0)
    assert trips["trip 0: critical"][ZoneColumn.TEMP] == "107.0 °C"
    assert trips["trip 0: critical"][ZoneColumn.STATE] == "60.0 °C to go"
    assert trips["trip 1: passive"][ZoneColumn.DETAIL] == "hyst. 2.0 °C"
    assert trips["trip 1: passive"][ZoneColumn.STATE] == "reached"  # 47 °C ≥ 45 °C
    assert children(zones, 1)["trip 0: passive"][ZoneColumn.STATE] == "not set"
    cooling = page.cooling_model
    assert [str(cooling.index(r, CoolingColumn.STATE).data()) for r in range(2)] == ["2 / 3", "off / 50"]
    assert cooling.index(0, CoolingColumn.STATE).data(FractionRole) == pytest.approx(2 / 3)
    assert cooling.index(1, CoolingColumn.STATE).data(FractionRole) == 0


def test_cpu_frequency_and_idle_residency_from_deltas(tmp_path: Path, qtbot, qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    machine(tmp_path)
    clock = FakeClock()
    source = ThermalSource(tmp_path, clock)
    source.parts = frozenset({CPU})
    page = ThermalPage(sysfs=tmp_path)
    qtbot.addWidget(page)
    page.set_snapshot(LIVE)
    page.show_reading(source.read())
    freq = page.freq_model
    assert [str(freq.index(r, FreqColumn.CURRENT).data()) for r in range(2)] == ["1800 MHz", "900 MHz"]
    assert str(freq.index(0, FreqColumn.POLICY).data()) == "400\u20133400 MHz"
    assert str(freq.index(0, FreqColumn.EPP).data()) == "balance_performance"
    assert freq.index(0, FreqColumn.CURRENT).data(FractionRole) == pytest.approx(1800.035 / 3400)
    idle = page.idle_model
    assert [idle.headerData(c, Qt.Orientation.Horizontal) for c in range(idle.columnCount())] == [
        "CPU", "Active", "POLL\n0 µs", "C1\n2 µs", "C6\n85 µs",
    ]  # fmt: skip
    assert str(idle.index(0, 3).data()) == "…"  # one reading is no interval
    # half a second later cpu0 spent 0.1 s in C1 and 0.25 s in C6, entering C6 50 times
    clock.now += 0.5
    state = tmp_path / "devices/system/cpu/cpu0/cpuidle"
    (state / "state1/time").write_text("1100000\n")
    (state / "state2/time").write_text("5250000\n")
    (state / "state2/usage").write_text("550\n")
    page.show_reading(source.read())
    assert [str(idle.index(0, c).data()) for c in range(idle.columnCount())] == [
        "cpu0", "30.0 %", "0.0 %", "20.0 %", "50.0 %",
    ]  # fmt: skip
    assert str(idle.index(1, 1).data()) == "100.0 %"  # cpu1's counters stood still: it never idled
    assert page.idle_note.text().startswith("Time in each state over the last 0.5 s")
    page.idle_metric.setCurrentIndex(page.idle_metric.findData(RATE))
    assert str(idle.index(0, 4).data()) == "100/s"
    page.idle_metric.setCurrentIndex(page.idle_metric.findData(USAGE))
    assert str(idle.index(0, 4).data()) == "550"
    qtmodeltester.check(page.freq_model, force_py=True)
    qtmodeltester.check(page.idle_model, force_py=True)


def test_tabs_choose_what_is_read(page: ThermalPage, qtbot) -> None:  # type: ignore[no-untyped-def]
    show_live(page, qtbot)
    assert page.reading is not None and CPU not in page.reading.parts
    assert page.freq_model.rowCount() == 0
    page.select_path("/devices/system/cpu/cpu1")
    assert page.tabs.currentIndex() == CPU_TAB

    def measured() -> bool:
        return page.idle_model.rowCount() == 2 and str(page.idle_model.index(0, 1).data()) != "…"

    qtbot.waitUntil(measured, timeout=5000)
    assert page.reading.parts == frozenset({CPU})
    page.select_path("/devices/platform/coretemp.0")
    assert page.tabs.currentIndex() == SENSORS_TAB
    chip = page.hwmon_view.currentIndex().data(ItemRole)
    assert isinstance(chip, HwmonChip) and chip.name == "coretemp"


def test_filter_keeps_a_chips_inputs(page: ThermalPage, qtbot) -> None:  # type: ignore[no-untyped-def]
    show_live(page, qtbot)
    page.set_filter("coretemp")
    proxy = page.hwmon_proxy
    assert proxy.rowCount() == 1
    assert proxy.rowCount(proxy.index(0, 0)) == 3
    page.set_filter("fan")
    assert proxy.rowCount() == 1 and proxy.rowCount(proxy.index(0, 0)) == 1
    assert page.zones_proxy.rowCount() == 0
    page.set_filter("")
    assert proxy.rowCount() == 2 and page.zones_proxy.rowCount() == 2


def test_values_update_in_place(page: ThermalPage, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    show_live(page, qtbot)
    resets: list[int] = []
    page.hwmon_model.modelReset.connect(lambda: resets.append(1))
    (tmp_path / "class/hwmon/hwmon3/temp1_input").write_text("61000\n")
    parent = page.hwmon_model.index(chip_row(page, "coretemp-isa-0000"), 0)
    cell = page.hwmon_model.index(0, SensorColumn.VALUE, parent)
    qtbot.waitUntil(lambda: cell.data() == "61.0 °C", timeout=5000)
    assert not resets


def test_dump_source_shows_the_empty_state(page: ThermalPage, qtbot) -> None:  # type: ignore[no-untyped-def]
    page.set_snapshot(DUMP)
    page.show()
    assert page.body.currentWidget() is page.empty
    assert "not part of a umockdev dump" in page.empty.text()
    assert "umockdev-run -d laptop.umockdev -- hwinspector" in page.empty.text()
    qtbot.wait(600)
    assert page.readings_shown == 0


def test_machine_without_sensors_is_explained(tmp_path: Path, qtbot) -> None:  # type: ignore[no-untyped-def]
    page = ThermalPage(sysfs=tmp_path)
    qtbot.addWidget(page)
    page.set_snapshot(LIVE)
    source = ThermalSource(tmp_path)
    page.show_reading(source.read())
    source.parts = frozenset({CPU})
    page.show_reading(source.read())
    assert page.hwmon.explaining() and "hwmon" in page.hwmon.message.text()
    assert page.zones.explaining() and "thermal" in page.zones.message.text()
    assert page.freq.explaining() and page.idle.explaining()


# --- the recorded laptop, with lm-sensors as the oracle ------------------------------------------------


def _sensors_json() -> dict[str, Any]:
    # an empty configuration: labels and values from the kernel only, as our page shows them
    empty = Path(os.environ.get("TMPDIR", "/tmp")) / "hwinspector-empty-sensors.conf"
    empty.write_text("")
    proc = subprocess.run(["sensors", "-c", str(empty), "-j"], capture_output=True, text=True, timeout=60, check=True)
    result: dict[str, Any] = json.loads(proc.stdout)
    return result


@pytest.mark.umockdev
@pytest.mark.skipif(shutil.which("sensors") is None, reason="needs lm-sensors' sensors")
def test_laptop_recording_matches_sensors(qtbot) -> None:  # type: ignore[no-untyped-def]
    """Every value `sensors -j` prints for the recorded laptop is on the page, with its label and limits."""
    if "umockdev" not in os.environ.get("LD_PRELOAD", ""):
        pytest.skip("needs umockdev-wrapper around the test process (the umockdev pass of make test)")
    import gi

    gi.require_version("UMockdev", "1.0")
    from gi.repository import UMockdev

    tb = UMockdev.Testbed.new()
    tb.add_from_file(str(LAPTOP))
    page = ThermalPage()
    qtbot.addWidget(page)
    try:
        show_live(page, qtbot)
        theirs = _sensors_json()  # libsensors reads the same testbed through umockdev's preload
        model = page.hwmon_model
        shown: dict[tuple[str, str], QModelIndex] = {}
        for row, chip in enumerate(model.parent_items()):
            parent = model.index(row, 0)
            for r in range(model.rowCount(parent)):
                shown[(chip.sensors_id, str(model.index(r, 0, parent).data()))] = model.index(r, 0, parent)
        compared = 0
        for chip_name, features in theirs.items():
            for label, subs in features.items():
                if label == "Adapter":
                    continue
                idx = shown.get((chip_name, label))
                assert idx is not None, f"{chip_name}/{label} from sensors is not on the page"
                for sub, value in subs.items():
                    suffix = sub.split("_", 1)[1]
                    column = {"input": SensorColumn.VALUE, "max": SensorColumn.MAX, "crit": SensorColumn.CRIT}
                    if suffix not in column:
                        continue
                    cell = idx.siblingAtColumn(column[suffix])
                    number = float(str(cell.data()).split()[0])
                    assert abs(number - value) <= 0.051, f"{chip_name}/{label}/{sub}: {cell.data()} vs {value}"
                    compared += 1
        assert compared >= 25
        assert {c.sensors_id for c in model.parent_items()} >= set(theirs)
    finally:
        page.shutdown()
        del tb


class SlowSource:
    """A source whose reading takes 60 ms, like every idle state of a 64-CPU server."""

    def __init__(self) -> None:
        self.reads = 0

    def open(self) -> None: ...

    def close(self) -> None: ...

    def read(self) -> object:
        time.sleep(0.06)
        self.reads += 1
        return self.reads


def test_slow_readings_stretch_the_interval(qapp: Any) -> None:
    source = SlowSource()
    poller = SensorPoller(source, "slow-poller")
    poller.start()  # the first reading now, the next after the interval
    try:
        deadline = time.monotonic() + 5
        while source.reads < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.05)
        # 60 ms of reading at no more than MAX_DUTY of a core: not the usual quarter second
        assert poller.next_interval_s >= 0.06 / MAX_DUTY > FIRST_INTERVAL_S
        assert next_interval_s(1, 0.001) == FIRST_INTERVAL_S
    finally:
        poller.shutdown()
    assert not poller.running()
