"""UPower over a private system bus: our model against what the real `upower -d` client prints."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from hwinspector.probes.services.bus import UPowerDevice, read_history, read_power_report
from tests.dbusmock_templates.mockbus import (
    PERIPHERALS,
    T480,
    W520_BAT0,
    PrivateSystemBus,
    history_rows,
    private_system_bus,
    spawn_upower,
)

system_bus = pytest.fixture(private_system_bus)
needs_upower = pytest.mark.skipif(shutil.which("upower") is None, reason="the upower client is not installed")

SCENARIOS: dict[str, tuple[dict[str, dict[str, Any]], bool]] = {
    "t480-with-peripherals": ({**T480, **PERIPHERALS}, False),
    "w520-discharging": (
        {
            "line_power_AC": {"NativePath": "AC", "PowerSupply": True, "Type": 1, "Online": False},
            "battery_BAT0": W520_BAT0,
        },
        True,
    ),
}
UNITS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}


def upower_dump() -> str:
    env = {**os.environ, "LC_ALL": "C", "TZ": "UTC"}
    proc = subprocess.run(["upower", "-d"], capture_output=True, text=True, timeout=20, env=env, check=True)
    return proc.stdout


def parse_upower_dump(text: str) -> tuple[dict[str, dict[str, Any]], dict[str, str]]:
    """`upower -d` as {object path: {key: text, "kind": …, "history": {kind: [(t, v, state)]}}} and the daemon."""
    devices: dict[str, dict[str, Any]] = {}
    daemon: dict[str, str] = {}
    cur: dict[str, Any] | None = None
    history: list[tuple[int, float, str]] | None = None
    for line in text.splitlines():
        if not line.strip():
            continue
        if line.startswith("Device: "):
            cur, history = devices.setdefault(line[8:].strip(), {"history": {}}), None
        elif line.startswith("Daemon:"):
            cur, history = daemon, None
        elif m := re.match(r"^  History \((\w+)\):$", line):
            assert cur is not None
            history = cur["history"].setdefault(m[1], [])
        elif history is not None and (m := re.match(r"^\s+(\d+)\s+([-\d.]+)\s+(\S+)$", line)):
            history.append((int(m[1]), float(m[2]), m[3]))
        elif ":" in line:
            assert cur is not None
            key, _, value = line.strip().partition(":")
            cur[key.strip()] = value.strip()
        else:
            assert cur is not None
            cur["kind"] = line.strip()
    return devices, daemon


def yes(text: str) -> bool:
    assert text in ("yes", "no"), text
    return text == "yes"


def number(text: str, unit: str) -> float:
    value, _, rest = text.partition(unit)
    assert rest in ("", " (should be ignored)"), text
    return float(value)


def assert_same(dev: UPowerDevice, printed: dict[str, Any]) -> None:
    """Every line `upower` prints for a device has its value in our model (nothing printed is ignored)."""
    approx = pytest.approx
    for key, text in printed.items():
        if key == "history":
            continue
        elif key in ("native-path", "vendor", "model", "serial"):
            assert getattr(dev, key.replace("-", "_")) == text, key
        elif key in ("power supply", "has history", "has statistics", "present", "rechargeable", "online"):
            attr = {"power supply": "power_supply", "has history": "has_history", "has statistics": "has_statistics"}
            assert getattr(dev, attr.get(key, key)) is yes(text), key
        elif key == "updated":
            when = dt.datetime.strptime(text.split(" (")[0], "%a %b %d %H:%M:%S %Y").replace(tzinfo=dt.timezone.utc)
            assert (dev.updated_unix or 0) == int(when.timestamp()), key
        elif key in ("kind", "state", "warning-level", "technology", "battery-level"):
            assert getattr(dev, key.replace("-", "_")) == text, key
        elif key in ("energy", "energy-empty", "energy-full", "energy-full-design"):
            assert getattr(dev, key.replace("-", "_") + "_wh") == approx(number(text, " Wh"), rel=1e-5), key
        elif key == "energy-rate":
            assert dev.energy_rate_watts == approx(number(text, " W"), rel=1e-5), key
        elif key == "voltage":
            assert dev.voltage_volts == approx(number(text, " V"), rel=1e-5), key
        elif key == "temperature":
            assert dev.temperature_celsius == approx(number(text, " degrees C"), rel=1e-5), key
        elif key == "percentage":
            assert (dev.percentage or 0.0) == approx(number(text, "%"), rel=1e-5), key
        elif key == "capacity":
            assert dev.capacity_percent == approx(number(text, "%"), rel=1e-5), key
        elif key == "charge-cycles":
            assert dev.charge_cycles == (None if text == "N/A" else int(text)), key
        elif key in ("time to empty", "time to full"):
            value, unit = text.split()
            ours = dev.time_to_empty_s if key == "time to empty" else dev.time_to_full_s
            assert ours is not None and abs(ours - float(value) * UNITS[unit]) <= 0.05 * UNITS[unit], key
        elif key == "icon-name":
            assert f"'{dev.icon_name}'" == text, key
        elif key in ("charge-start-threshold", "charge-end-threshold"):
            ours = getattr(dev, key.replace("-", "_") + "_percent")
            assert ours == int(text.rstrip("%")), key
        elif key in ("charge-threshold-enabled", "charge-threshold-supported"):
            assert getattr(dev, key.replace("-", "_")) is yes(text), key
        else:
            pytest.fail(f"upower prints {key!r} ({text!r}) and our model has no counterpart")


@needs_upower
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_power_model_equals_upower_client(system_bus: PrivateSystemBus, scenario: str) -> None:
    devices, on_battery = SCENARIOS[scenario]
    spawn_upower(system_bus, devices, on_battery=on_battery)
    printed, daemon = parse_upower_dump(upower_dump())
    info = read_power_report(timeout_s=5).upower
    assert info.available, info.reason
    ours = {d.path: d for d in info.devices}
    assert info.display_device is not None
    ours[info.display_device.path] = info.display_device
    assert set(ours) == set(printed)
    assert len(info.devices) == len(devices)
    for path, dev in ours.items():
        assert_same(dev, printed[path])
    assert daemon == {
        "daemon-version": info.daemon_version,
        "on-battery": "yes" if info.on_battery else "no",
        "lid-is-closed": "yes" if info.lid_is_closed else "no",
        "lid-is-present": "yes" if info.lid_is_present else "no",
        "critical-action": info.critical_action,
    }
    # the history upower prints for each device is what GetHistory gives us with the same arguments
    for path, dev in ours.items():
        for kind, rows in printed[path]["history"].items():
            hist = read_history(path, kind, 120, 10, timeout_s=5)
            assert hist.available, hist.reason
            assert [(p.time_unix, p.value, p.state) for p in hist.points] == [
                (t, pytest.approx(v, abs=5e-4), s) for t, v, s in rows
            ]
        assert bool(printed[path]["history"]) == dev.has_history


def test_model_keeps_what_upower_leaves_unset(system_bus: PrivateSystemBus) -> None:
    spawn_upower(system_bus, {**T480, **PERIPHERALS})
    info = read_power_report(timeout_s=5).upower
    by_name = {d.path.rsplit("/", 1)[1]: d for d in info.devices}
    bat0, bat1, ac = by_name["battery_BAT0"], by_name["battery_BAT1"], by_name["line_power_AC"]
    assert (bat0.charge_start_threshold_percent, bat0.charge_end_threshold_percent) == (75, 80)
    assert bat0.charge_threshold_enabled is True and bat0.charge_threshold_supported is True
    # BAT1 does not support thresholds: no numbers at all rather than zeros
    assert bat1.charge_threshold_supported is False and bat1.charge_start_threshold_percent is None
    assert bat1.time_to_full_s == 1158 and bat1.time_to_empty_s is None and bat1.charge_cycles is None
    assert ac.online is True and ac.percentage is None and ac.energy_wh is None and ac.kind == "line-power"
    kinds = {d.kind: d for d in info.devices}
    assert {"mouse", "keyboard", "headset", "phone"} <= set(kinds)
    assert kinds["mouse"].percentage == 100.0 and kinds["mouse"].energy_wh is None
    assert kinds["mouse"].power_supply is False and kinds["headset"].model == "WH-1000XM4"
    assert UPowerDevice.IDENTIFYING_FIELDS == ("serial",)


@pytest.mark.parametrize(("span", "expected"), [(3600, 3), (86400, 4), (7 * 86400, 6)])
def test_history_for_last_hour_day_week(system_bus: PrivateSystemBus, span: int, expected: int) -> None:
    spawn_upower(system_bus, {"battery_BAT0": W520_BAT0})
    path = "/org/freedesktop/UPower/devices/battery_BAT0"
    charge = read_history(path, "charge", span, 150, timeout_s=5)
    assert charge.available, charge.reason
    assert len(charge.points) == expected  # the mock keeps points of the last `span` seconds, like upowerd
    want = history_rows()["charge"][:expected]
    assert [p.value for p in charge.points] == [v for _, v, _ in want]
    assert all(p.state == "discharging" for p in charge.points)
    rate = read_history(path, "rate", span, 2, timeout_s=5)
    assert [p.value for p in rate.points] == [v for _, v, _ in history_rows()["rate"][:2]]  # resolution caps it


def test_history_of_a_device_without_history_says_why(system_bus: PrivateSystemBus) -> None:
    spawn_upower(system_bus, {})
    hist = read_history("/org/freedesktop/UPower/devices/battery_BAT9", "charge", 3600, timeout_s=5)
    assert not hist.available and hist.points == ()
    assert "UPower history" in hist.reason


def test_no_system_bus_is_a_reason_not_an_error(tmp_path: Path) -> None:
    missing = tmp_path / "no_bus_socket"
    report = read_power_report(address=f"unix:path={missing}", timeout_s=2, sysfs=tmp_path)
    for part in (report.upower, report.profiles, report.sleep.logind, report.switcheroo):
        assert part.available is False
        assert part.reason == f"no system bus ({missing}: No such file or directory)"
    hist = read_history("/org/freedesktop/UPower/devices/battery_BAT0", "rate", 60, address=f"unix:path={missing}")
    assert not hist.available and "no system bus" in hist.reason


def _corpus_block(path: Path) -> str:
    """The command output inside a Markdown-wrapped corpus file."""
    text = path.read_text()
    return text.split("```", 2)[1].split("\n", 1)[1]


@needs_upower
def test_mock_batteries_reproduce_the_corpus(system_bus: PrivateSystemBus, corpus: Path) -> None:
    """The modelled devices print, through the real client, what the real machines printed."""
    t480_md = (corpus / "upower/crypt0rr-kb/content/commands/unix/upower/index.md").read_text()
    t480_text = t480_md.split("$ upower -d\n", 1)[1].split("```", 1)[0]
    w520_text = "Device: /org/freedesktop/UPower/devices/battery_BAT0\n" + _corpus_block(
        corpus / "upower/nashrullahalifauzi-w520_thinkpad-w520/upower-battery.md"
    )
    for text, devices in ((t480_text, T480), (w520_text, {"battery_BAT0": W520_BAT0})):
        real, _ = parse_upower_dump(text)
        mock = spawn_upower(system_bus, devices)
        ours, _ = parse_upower_dump(upower_dump())
        compared = 0
        for path, fields in real.items():
            if path.endswith("/DisplayDevice"):
                continue  # upowerd computes it from the others; the mock's is left empty
            for key, value in fields.items():
                if key in ("updated", "history"):
                    continue  # relative time in the recorder's locale; history timestamps are from then
                assert ours[path][key] == value, (path, key)
                compared += 1
        assert compared > 20
        system_bus.kill(mock)
