"""Power page, UPower tab: the model against `upower -d`, history, live changes, the service coming and going."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from hwinspector.models.live_table import ValueRole
from hwinspector.models.upower import PowerDrawLog, UPowerColumn, switcheroo_section
from hwinspector.pages.power import PowerPage
from hwinspector.probes.machine.snapshot import Snapshot, Source
from hwinspector.probes.services.bus import SwitcherooInfo, read_power_report
from tests.app.bus_pages import WAIT_MS, power_tree
from tests.app.bus_pages import make_page as make_page_body
from tests.app.test_power_page import laptop
from tests.dbusmock_templates.mockbus import (
    SWITCHEROO_TEMPLATE,
    W520_BAT0,
    PrivateSystemBus,
    history_rows,
    private_system_bus,
    set_device_props,
    spawn_upower,
)
from tests.probes.services.test_upower import SCENARIOS, UNITS, number, parse_upower_dump, upower_dump, yes

system_bus = pytest.fixture(private_system_bus)
make_page = pytest.fixture(make_page_body)
needs_upower = pytest.mark.skipif(shutil.which("upower") is None, reason="the upower client is not installed")
BAT0 = "/org/freedesktop/UPower/devices/battery_BAT0"


def upower_ready(page: PowerPage, devices: int) -> bool:
    info = page.upower.info
    return info is not None and info.available and page.upower.model.rowCount() == devices


# --- UPower against the real client -----------------------------------------------------------------


def assert_row_equals_upower(model: Any, row: int, printed: dict[str, Any]) -> None:
    """Each value `upower -d` prints for a device is in the page model's row or its details, nothing else."""

    def value(col: UPowerColumn) -> Any:
        return model.index(row, col).data(ValueRole)

    def text(col: UPowerColumn) -> str:
        return str(model.index(row, col).data() or "")

    approx = pytest.approx
    assert value(UPowerColumn.KIND) == printed["kind"]
    assert value(UPowerColumn.WARNING) == printed.get("warning-level", "unknown")
    if "online" in printed:
        assert value(UPowerColumn.STATE) is yes(printed["online"])
        assert text(UPowerColumn.STATE) == ("online" if yes(printed["online"]) else "offline")
    elif "state" in printed:  # the client leaves it out for some kinds (a headset)
        assert value(UPowerColumn.STATE) == printed["state"]
        assert text(UPowerColumn.STATE) == printed["state"].replace("-", " ")
    if "percentage" in printed:
        pct = number(printed["percentage"], "%")
        assert value(UPowerColumn.CHARGE) == approx(pct, rel=1e-5)
        assert text(UPowerColumn.CHARGE) == f"{pct:.0f} %"
    else:
        assert value(UPowerColumn.CHARGE) is None
    columns = {
        "energy": (UPowerColumn.ENERGY, " Wh", "{:.2f} Wh"),
        "energy-full": (UPowerColumn.FULL, " Wh", "{:.2f} Wh"),
        "energy-full-design": (UPowerColumn.DESIGN, " Wh", "{:.2f} Wh"),
        "energy-rate": (UPowerColumn.RATE, " W", "{:.2f} W"),
        "voltage": (UPowerColumn.VOLTAGE, " V", "{:.3f} V"),
        "capacity": (UPowerColumn.HEALTH, "%", "{:.1f} %"),
    }
    for key, (col, unit, fmt) in columns.items():
        if key in printed:
            assert value(col) == approx(number(printed[key], unit), rel=1e-5), key
            assert text(col) == fmt.format(number(printed[key], unit)), key
        else:
            assert value(col) is None, key
    cycles = printed.get("charge-cycles", "N/A")
    assert value(UPowerColumn.CYCLES) == (None if cycles == "N/A" else int(cycles))
    for key in ("time to empty", "time to full"):
        if key in printed:
            amount, unit = printed[key].split()
            assert abs(value(UPowerColumn.TIME) - float(amount) * UNITS[unit]) <= 0.05 * UNITS[unit]
            assert text(UPowerColumn.TIME).endswith("left" if key == "time to empty" else "until full")
    # clients before UPower 1.90 print no thresholds: then only the mock's own values can be compared
    if "charge-threshold-supported" in printed and yes(printed["charge-threshold-supported"]):
        start, end = (int(printed[k].rstrip("%")) for k in ("charge-start-threshold", "charge-end-threshold"))
        assert value(UPowerColumn.THRESHOLDS) == (start, end, yes(printed["charge-threshold-enabled"]))
        on = "on" if yes(printed["charge-threshold-enabled"]) else "off"
        assert text(UPowerColumn.THRESHOLDS) == f"{start}-{end} % ({on})"
    elif "charge-threshold-supported" in printed:
        assert value(UPowerColumn.THRESHOLDS) is None


def details_of(page: PowerPage, path: str) -> dict[str, str]:
    page.upower.select_device(path)
    return {k: v for _, k, v in page.upower.details.rows()}


DETAIL_KEYS = {
    "native-path": "Native path", "vendor": "Vendor", "model": "Model", "serial": "Serial",
    "power supply": "Powers the machine", "has history": "Has history", "has statistics": "Has statistics",
    "present": "Present", "rechargeable": "Rechargeable", "online": "Online", "state": "State",
    "warning-level": "Warning level", "technology": "Technology", "energy": "Energy",
    "energy-empty": "Energy when empty", "energy-full": "Energy when full",
    "energy-full-design": "Energy full (design)", "energy-rate": "Energy rate", "voltage": "Voltage",
    "percentage": "Percentage", "capacity": "Capacity (health)", "charge-cycles": "Charge cycles",
    "icon-name": "Icon", "charge-start-threshold": "Start charging below", "charge-end-threshold": "Stop charging at",
    "charge-threshold-enabled": "Enabled", "charge-threshold-supported": "Supported",
    "time to empty": "Time to empty", "time to full": "Time to full", "battery-level": "Battery level",
}  # fmt: skip


def assert_details_equal_upower(details: dict[str, str], printed: dict[str, Any]) -> None:
    for key, shown in printed.items():
        if key in ("history", "kind", "updated"):
            continue
        label = DETAIL_KEYS[key]  # a KeyError here: upower prints something the page does not show
        if shown in ("N/A", "''") or (key == "battery-level" and shown == "none"):  # nothing to show
            assert label not in details, key
        elif shown in ("yes", "no"):
            assert details[label] == shown, key
        elif key == "icon-name":
            assert f"'{details[label]}'" == shown
        elif key in ("time to empty", "time to full"):
            assert details[label]  # minutes, as format_duration writes them (checked in the row)
        elif (num := shown.split()[0].rstrip("%")).replace(".", "", 1).isdigit():
            ours = float(details[label].split()[0])
            assert ours == pytest.approx(float(num), abs=0.051), key  # shown to 0.01 Wh, 0.1 %, 1 mV
        else:
            assert details[label] == shown, key


@needs_upower
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_page_model_equals_upower_client(
    qtbot: Any, system_bus: PrivateSystemBus, make_page: Any, scenario: str, qtmodeltester: Any
) -> None:
    devices, on_battery = SCENARIOS[scenario]
    spawn_upower(system_bus, devices, on_battery=on_battery)
    printed, daemon = parse_upower_dump(upower_dump())
    page, _ = make_page()
    qtbot.waitUntil(lambda: upower_ready(page, len(devices)), timeout=WAIT_MS)
    model = page.upower.model
    rows = {model.index(r, 0).data(ValueRole): r for r in range(model.rowCount())}
    assert set(rows) | {"/org/freedesktop/UPower/devices/DisplayDevice"} == set(printed)
    for path, row in rows.items():
        assert_row_equals_upower(model, row, printed[path])
        assert_details_equal_upower(details_of(page, path), printed[path])
    if scenario == "t480-with-peripherals":  # thresholds as the mock sets them (T480 BAT0: 75 to 80 %, on)
        assert model.index(rows[BAT0], UPowerColumn.THRESHOLDS).data() == "75-80 % (on)"
        assert model.index(rows[BAT0.replace("BAT0", "BAT1")], UPowerColumn.THRESHOLDS).data() == ""
    summary = page.upower.summary.text()
    assert summary.startswith(f"UPower {daemon['daemon-version']} · ")
    assert ("on battery" if yes(daemon["on-battery"]) else "on external power") in summary
    assert f"at critical level: {daemon['critical-action']}" in summary
    qtmodeltester.check(model, force_py=True)


def test_history_for_hour_day_week_next_to_the_kernel_draw(
    qtbot: Any, system_bus: PrivateSystemBus, make_page: Any, tmp_path: Path
) -> None:
    laptop(tmp_path)  # the kernel side: BAT0 draws 8.372 W (power_now), CMB1 12 V times 1.5 A
    spawn_upower(system_bus, {"battery_BAT0": W520_BAT0})
    page, _ = make_page()
    page.tabs.setCurrentWidget(page.upower)
    panel = page.upower
    qtbot.waitUntil(lambda: upower_ready(page, 1) and len(panel.history) == 2, timeout=WAIT_MS)
    assert panel.selected_device() is not None and panel.selected_device().path == BAT0
    want = history_rows()
    for i, (span, expected) in enumerate(((3600, 3), (86400, 4), (7 * 86400, 6))):
        panel.span_box.setCurrentIndex(i)

        def answered(s: int = span) -> bool:
            return len(panel.history) == 2 and all(h.timespan_s == s for h in panel.history.values())

        qtbot.waitUntil(answered, timeout=WAIT_MS)
        assert panel.plot.counts()["charge"] == expected == panel.plot.counts()["rate"]
        # UPower sends newest first; the plot runs oldest to newest
        assert list(panel.plot.charge.yData) == [v for _, v, _ in want["charge"][:expected]][::-1]
        assert list(panel.plot.rate.yData) == [v for _, v, _ in want["rate"][:expected]][::-1]
        low, high = panel.plot.getPlotItem().vb.viewRange()[0]
        assert high - low == pytest.approx(span, rel=0.01)
    # the kernel's live battery draw sits on the same power axis
    qtbot.waitUntil(lambda: panel.plot.counts()["kernel"] >= 2, timeout=WAIT_MS)
    assert panel.plot.kernel.yData[-1] == pytest.approx(8.372 + 18.0)
    assert "kernel: battery power from /sys/class/power_supply" in panel.caption.text()


def test_battery_change_updates_the_row_in_place(qtbot: Any, system_bus: PrivateSystemBus, make_page: Any) -> None:
    spawn_upower(system_bus, {"battery_BAT0": W520_BAT0}, on_battery=True)
    page, _ = make_page()
    qtbot.waitUntil(lambda: upower_ready(page, 1), timeout=WAIT_MS)
    model = page.upower.model
    resets: list[int] = []
    model.modelReset.connect(lambda: resets.append(1))
    set_device_props(BAT0, {"Percentage": 31.0, "EnergyRate": 17.25, "TimeToEmpty": 2400})
    qtbot.waitUntil(lambda: model.index(0, UPowerColumn.RATE).data() == "17.25 W", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: model.index(0, UPowerColumn.TIME).data() == "40 min left", timeout=WAIT_MS)
    assert model.index(0, UPowerColumn.CHARGE).data() == "31 %"
    assert not resets
    assert ("Electrical", "Energy rate", "17.25 W") in page.upower.details.rows()


def test_services_vanish_and_return_while_the_rest_keeps_working(
    qtbot: Any, system_bus: PrivateSystemBus, make_page: Any
) -> None:
    system_bus.spawn("upower_power_profiles_daemon")
    page, _ = make_page()
    qtbot.waitUntil(lambda: page.upower.info is not None and page.profiles.profiles is not None, timeout=WAIT_MS)
    assert page.upower.body.explaining()
    assert page.upower.body.message.text().startswith("UPower: not available: UPower is not installed or not running")
    assert not page.profiles.body.explaining()
    upower = spawn_upower(system_bus, {"battery_BAT0": W520_BAT0})
    qtbot.waitUntil(lambda: upower_ready(page, 1), timeout=WAIT_MS)
    assert not page.upower.body.explaining()
    system_bus.kill(upower)
    qtbot.waitUntil(lambda: page.upower.body.explaining(), timeout=WAIT_MS)
    assert page.upower.body.message.text() == (
        "UPower: not available: UPower stopped (org.freedesktop.UPower left the system bus)"
    )
    assert page.upower.model.rowCount() == 0 and not page.profiles.body.explaining()
    spawn_upower(system_bus, {"battery_BAT0": W520_BAT0})
    qtbot.waitUntil(lambda: upower_ready(page, 1), timeout=WAIT_MS)
    assert page.upower.model.index(0, UPowerColumn.DEVICE).data() == "BAT0 (SANYO 42T4799)"


def test_no_system_bus_every_section_says_why(qtbot: Any, make_page: Any, tmp_path: Path) -> None:
    missing = tmp_path / "no_bus_socket"
    power_tree(tmp_path, state="freeze mem\n", mem_sleep="[s2idle] deep\n")
    page, _ = make_page(address=f"unix:path={missing}")
    qtbot.waitUntil(lambda: page.sleep.info is not None and page.profiles.profiles is not None, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: page.upower.info is not None, timeout=WAIT_MS)
    why = f"no system bus ({missing}: No such file or directory)"
    assert page.upower.body.message.text() == f"UPower: not available: {why}"
    assert page.profiles.body.message.text() == f"power-profiles-daemon: not available: {why}"
    assert page.sleep.logind.message.text() == f"systemd-logind: not available: {why}"
    # the kernel's part needs no bus
    assert "<tt>/sys/power/mem_sleep</tt>: [s2idle] deep" in page.sleep.kernel.text()
    assert page.sleep.note.isVisibleTo(page.sleep) and "mem_sleep_default=deep" in page.sleep.note.text()
    # and the sysfs side of the page still reads
    qtbot.waitUntil(lambda: page.readings_shown >= 1, timeout=WAIT_MS)


def test_dump_source_says_services_are_not_part_of_it(qtbot: Any) -> None:
    page = PowerPage()
    qtbot.addWidget(page)
    page.set_snapshot(Snapshot(Source("udevadm", "UdevDb.txt", "/tmp/UdevDb.txt"), ()))
    assert page.body.currentWidget() is page.empty
    assert "power profiles and sleep states come from the live machine's system services" in page.empty.text()
    assert "not part of this source" in page.empty.text()


def test_select_path_takes_a_upower_object_path(qtbot: Any, system_bus: PrivateSystemBus, make_page: Any) -> None:
    ac = {"NativePath": "AC", "PowerSupply": True, "Type": 1, "Online": True}
    spawn_upower(system_bus, {"line_power_AC": ac, "battery_BAT0": W520_BAT0})
    page, _ = make_page()
    page.select_path("/org/freedesktop/UPower/devices/line_power_AC")  # before UPower answered: remembered
    assert page.tabs.currentWidget() is page.upower
    qtbot.waitUntil(lambda: upower_ready(page, 2), timeout=WAIT_MS)
    selected = page.upower.selected_device()
    assert selected is not None and selected.path.endswith("line_power_AC")
    assert page.upower.plot.message.text() == "UPower keeps no history for AC."
    page.set_filter("sanyo")
    assert page.upower.proxy.rowCount() == 1


# --- small parts --------------------------------------------------------------------------------------


def test_power_draw_log_keeps_an_hour_and_minute_means_before() -> None:
    log = PowerDrawLog(recent_s=60, bucket_s=10)
    for i in range(100):
        log.add(1000.0 + i, float(i))
    t, w = log.since(0)
    # 0..29 folded into 10-second means; 30..38 wait in the open bucket; the last minute kept one by one
    assert t[:3] == [1004.5, 1014.5, 1024.5] and w[:3] == [4.5, 14.5, 24.5]
    assert w[3:] == [float(i) for i in range(30, 100)] and len(log) == 73
    assert log.since(1090) == ([1000.0 + i for i in range(90, 100)], [float(i) for i in range(90, 100)])


def test_switcheroo_section_for_the_graphics_page(system_bus: PrivateSystemBus) -> None:
    system_bus.spawn(SWITCHEROO_TEMPLATE)
    sw = read_power_report(timeout_s=5).switcheroo
    title, rows = switcheroo_section(sw)
    assert title == "GPUs (switcheroo-control)"
    assert rows[0] == ("Dual GPU", "yes" if sw.has_dual_gpu else "no")
    default = sw.default_gpu
    assert default is not None
    assert any(k.startswith("GPU ") and v.startswith(default.name) and "default" in v for k, v in rows)
    assert switcheroo_section(SwitcherooInfo.unavailable("no system bus"))[1] == [
        ("switcheroo-control", "not available: no system bus")
    ]
