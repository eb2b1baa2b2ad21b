"""`hwinspector power` and `hwinspector firmware` against mocked system services, and without a bus."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.dbusmock_templates.mockbus import (
    FWUPD_TEMPLATE,
    PERIPHERALS,
    SWITCHEROO_TEMPLATE,
    T480,
    PrivateSystemBus,
    private_system_bus,
    spawn_upower,
)

system_bus = pytest.fixture(private_system_bus)


def cli(*args: str, rc: int = 0, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "hwinspector", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **(env or {})},
        check=False,
    )
    assert proc.returncode == rc, proc.stderr
    return proc


@pytest.fixture
def laptop(system_bus: PrivateSystemBus) -> PrivateSystemBus:
    spawn_upower(system_bus, {**T480, **PERIPHERALS})
    system_bus.spawn("upower_power_profiles_daemon", {"ActiveProfile": "power-saver"})
    system_bus.spawn("logind", {"CanHibernate": "no"})
    system_bus.spawn(SWITCHEROO_TEMPLATE)
    system_bus.spawn(FWUPD_TEMPLATE)
    return system_bus


def test_power_json(laptop: PrivateSystemBus) -> None:
    doc = json.loads(cli("power", "--json").stdout)
    assert set(doc) == {"upower", "power_profiles", "sleep", "switcheroo", "kernel_power_supply"}
    up = doc["upower"]
    assert up["available"] and up["daemon_version"] == "0.99.20"
    by_path = {d["path"].rsplit("/", 1)[1]: d for d in up["devices"]}
    assert set(by_path) == set(T480) | set(PERIPHERALS)
    bat1 = by_path["battery_BAT1"]
    assert (bat1["energy_wh"], bat1["energy_full_design_wh"], bat1["capacity_percent"]) == (14.88, 23.94, 90.3926)
    assert bat1["time_to_full_s"] == 1158 and bat1["state"] == "charging"
    assert by_path["battery_BAT0"]["charge_end_threshold_percent"] == 80
    assert doc["power_profiles"]["active_profile"] == "power-saver"
    assert [p["name"] for p in doc["power_profiles"]["profiles"]] == ["power-saver", "balanced", "performance"]
    can = dict(doc["sleep"]["logind"]["can"])
    assert can["Suspend"] == "yes" and can["Hibernate"] == "no"
    assert set(doc["sleep"]["kernel"]) >= {"states", "mem_sleep", "mem_sleep_selected"}
    assert [g["default"] for g in doc["switcheroo"]["gpus"]] == [True, False]
    assert set(doc["kernel_power_supply"]) == {"available", "reason", "supplies"}


def test_power_human(laptop: PrivateSystemBus) -> None:
    out = cli("power").stdout
    assert "UPower 0.99.20: on battery no, lid open" in out
    assert "BAT1 (LGC 01AV490)" in out and "19 min" in out and "90.4%" in out
    assert "MX Ergo" in out and "WH-1000XM4" in out
    assert "BAT0: charge thresholds 75 to 80 % (enabled)" in out
    assert "active power-saver" in out
    assert "CanHibernate no" in out
    assert "* Intel Corporation TigerLake-LP GT2 [Iris Xe Graphics]  DRI_PRIME=pci-0000_00_02_0" in out


def test_firmware_json_and_human(laptop: PrivateSystemBus) -> None:
    doc = json.loads(cli("firmware", "--json").stdout)["fwupd"]
    assert doc["available"] and doc["host_security_id"] == "HSI:1! (v1.9.16)"
    names = [d["name"] for d in doc["devices"]]
    assert names == ["System Firmware", "UEFI dbx", "Samsung SSD 980 PRO 1TB", "Intel Management Engine"]
    assert doc["devices"][0]["flags"][:2] == ["internal", "updatable"]
    attrs = {a["appstream_id"]: a for a in doc["security_attrs"]}
    assert attrs["org.fwupd.hsi.Uefi.SecureBoot"]["result"] == "enabled"
    out = cli("firmware").stdout
    assert "host security ID HSI:1! (v1.9.16)" in out
    assert "Samsung SSD 980 PRO 1TB" in out and "5B2QGXA7" in out
    assert "FAIL  not-supported  Encrypted RAM" in out


def test_services_absent_is_exit_0_with_reasons(system_bus: PrivateSystemBus) -> None:
    out = cli("power").stdout
    assert "UPower: not available: UPower is not installed or not running" in out
    assert "GPUs (switcheroo-control): not available:" in out
    doc = json.loads(cli("firmware", "--json").stdout)["fwupd"]
    assert doc["available"] is False and "fwupd is not installed or not running" in doc["reason"]


def test_no_system_bus(tmp_path: Path) -> None:
    env = {"DBUS_SYSTEM_BUS_ADDRESS": f"unix:path={tmp_path / 'gone'}"}
    why = f"no system bus ({tmp_path / 'gone'}: No such file or directory)"
    out = cli("power", env=env).stdout
    assert f"UPower: not available: {why}" in out and f"logind: not available: {why}" in out
    assert f"fwupd: not available: {why}" in cli("firmware", env=env).stdout


def test_usage_errors_exit_2() -> None:
    assert "--timeout must be positive" in cli("power", "--timeout", "0", rc=2).stderr
    assert "unrecognized arguments" in cli("firmware", "--bogus", rc=2).stderr
