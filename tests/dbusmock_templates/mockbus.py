"""A private system bus for tests: dbus-daemon dies with the test process, the mocks die with the bus.

python-dbusmock's PrivateDBus leaves its daemon running when pytest is killed; this one asks the kernel to
send it SIGTERM when its parent goes (PR_SET_PDEATHSIG), and every SpawnedMock exits when its bus does.
"""

from __future__ import annotations

import asyncio
import ctypes
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import dbus
import pytest
from dbusmock import BusType, SpawnedMock

from hwinspector.probes.services.bus import BusEvent, ServiceUpdate, SystemBusWatcher, TimelineEvent

TEMPLATES = Path(__file__).resolve().parent
SWITCHEROO_TEMPLATE = str(TEMPLATES / "switcheroo_control.py")
FWUPD_TEMPLATE = str(TEMPLATES / "fwupd.py")
BOLT_TEMPLATE = str(TEMPLATES / "bolt.py")
PR_SET_PDEATHSIG = 1
CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path={socket}</listen>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


def _die_with_parent() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class PrivateSystemBus:
    """A dbus-daemon of type "system" on a socket of its own, and the mocks spawned on it."""

    def __init__(self) -> None:
        # A short directory: unix socket paths are limited to 108 bytes, pytest's tmp_path can be longer.
        self.dir = Path(tempfile.mkdtemp(prefix="hwi-bus-"))
        self.socket = self.dir / "system_bus_socket"
        self.address = f"unix:path={self.socket}"
        self._daemon: subprocess.Popen[bytes] | None = None
        self.mocks: list[SpawnedMock] = []

    def start(self) -> None:
        config = self.dir / "system.conf"
        config.write_text(CONFIG.format(socket=self.socket))
        self._daemon = subprocess.Popen(
            ["dbus-daemon", f"--config-file={config}", "--nofork", "--print-address=1"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,  # "Failed to set fd limit" when not root, and similar chatter
            preexec_fn=_die_with_parent,
        )
        assert self._daemon.stdout is not None
        line = self._daemon.stdout.readline()  # printed once it listens
        self._daemon.stdout.close()
        assert line.startswith(b"unix:"), line

    def spawn(self, template: str, parameters: Mapping[str, Any] | None = None) -> SpawnedMock:
        """A mock from a template on this bus (DBUS_SYSTEM_BUS_ADDRESS must name it: see the fixture)."""
        assert os.environ.get("DBUS_SYSTEM_BUS_ADDRESS") == self.address
        log = (self.dir / f"{Path(template).stem}-{len(self.mocks)}.log").open("wb")
        try:
            mock = SpawnedMock.spawn_with_template(
                template, dict(parameters or {}), bustype=BusType.SYSTEM, stdout=log, stderr=subprocess.STDOUT
            )
        finally:
            log.close()
        self.mocks.append(mock)
        return mock

    def kill(self, mock: SpawnedMock) -> None:
        """The service crashes: SIGKILL, and wait until the bus has noticed its name is gone."""
        mock.process.kill()
        mock.process.wait(5)
        if mock in self.mocks:
            self.mocks.remove(mock)

    def stop(self) -> None:
        for mock in self.mocks:
            mock.terminate()
        self.mocks.clear()
        if self._daemon is not None:
            self._daemon.terminate()
            try:
                self._daemon.wait(3)
            except subprocess.TimeoutExpired:
                self._daemon.kill()
                self._daemon.wait(3)
            self._daemon = None
        shutil.rmtree(self.dir, ignore_errors=True)


def private_system_bus(monkeypatch: pytest.MonkeyPatch) -> Iterator[PrivateSystemBus]:
    """Fixture body: ``system_bus = pytest.fixture(private_system_bus)`` in a test module."""
    bus = PrivateSystemBus()
    try:
        bus.start()
        monkeypatch.setenv("DBUS_SYSTEM_BUS_ADDRESS", bus.address)
        yield bus
    finally:
        bus.stop()


# --- running a SystemBusWatcher in a test ---------------------------------------------------------------


class Events:
    def __init__(self) -> None:
        self.all: list[BusEvent] = []

    def __call__(self, event: BusEvent) -> None:
        self.all.append(event)

    def latest(self, service: str) -> Any:
        found = [e.data for e in self.all if isinstance(e, ServiceUpdate) and e.service == service]
        return found[-1] if found else None

    def updates(self, service: str) -> list[Any]:
        return [e.data for e in self.all if isinstance(e, ServiceUpdate) and e.service == service]

    def timeline(self) -> list[TimelineEvent]:
        return [e for e in self.all if isinstance(e, TimelineEvent)]


async def until(predicate: Callable[[], bool], timeout_s: float = 5.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")
        await asyncio.sleep(0.02)


def run_watcher(scenario: Callable[[SystemBusWatcher, Events], Awaitable[None]], **kwargs: Any) -> Events:
    events = Events()

    async def main() -> None:
        watcher = SystemBusWatcher(events, **kwargs)
        task = asyncio.ensure_future(watcher.watch())
        try:
            await scenario(watcher, events)
        finally:
            watcher.close()
            await asyncio.wait_for(task, 5)

    asyncio.run(main())
    return events


# --- UPower devices modelled on real `upower -d` outputs (see upower/ in the shared corpus) -------------

UPOWER_DEVICE = "org.freedesktop.UPower.Device"
UPOWER_TYPES: dict[str, Any] = {
    "NativePath": dbus.String, "Vendor": dbus.String, "Model": dbus.String, "Serial": dbus.String,
    "UpdateTime": dbus.UInt64, "Type": dbus.UInt32, "PowerSupply": dbus.Boolean, "HasHistory": dbus.Boolean,
    "HasStatistics": dbus.Boolean, "Online": dbus.Boolean, "Energy": dbus.Double, "EnergyEmpty": dbus.Double,
    "EnergyFull": dbus.Double, "EnergyFullDesign": dbus.Double, "EnergyRate": dbus.Double, "Voltage": dbus.Double,
    "ChargeCycles": dbus.Int32, "Luminosity": dbus.Double, "TimeToEmpty": dbus.Int64, "TimeToFull": dbus.Int64,
    "Percentage": dbus.Double, "Temperature": dbus.Double, "IsPresent": dbus.Boolean, "State": dbus.UInt32,
    "IsRechargeable": dbus.Boolean, "Capacity": dbus.Double, "Technology": dbus.UInt32,
    "WarningLevel": dbus.UInt32, "BatteryLevel": dbus.UInt32, "IconName": dbus.String,
    "ChargeStartThreshold": dbus.UInt32, "ChargeEndThreshold": dbus.UInt32,
    "ChargeThresholdEnabled": dbus.Boolean, "ChargeThresholdSupported": dbus.Boolean,
}  # fmt: skip
# What upowerd exports for a device before anything is known: every property, zero or empty.
UPOWER_DEFAULTS: dict[str, Any] = {
    **dict.fromkeys(("NativePath", "Vendor", "Model", "Serial", "IconName"), ""),
    **{k: False for k, t in UPOWER_TYPES.items() if t is dbus.Boolean},
    **{k: 0 for k, t in UPOWER_TYPES.items() if t not in (dbus.Boolean, dbus.String)},
    "ChargeCycles": -1,
    "WarningLevel": 1,
    "BatteryLevel": 1,
}


def upower_props(props: Mapping[str, Any]) -> dbus.Dictionary:
    merged = {**UPOWER_DEFAULTS, **props}
    return dbus.Dictionary({k: UPOWER_TYPES[k](v) for k, v in merged.items()}, signature="sv")


# ThinkPad T480-class with two batteries, AC and a Bluetooth mouse: crypt0rr/kb `upower -d` (daemon 0.99.11)
T480: dict[str, dict[str, Any]] = {
    "line_power_AC": {
        "NativePath": "AC", "PowerSupply": True, "UpdateTime": 1598117597, "Type": 1, "Online": True,
        "IconName": "ac-adapter-symbolic",
    },
    "battery_BAT0": {
        "NativePath": "BAT0", "Vendor": "LGC", "Model": "01AV489", "Serial": "471", "PowerSupply": True,
        "UpdateTime": 1598118347, "HasHistory": True, "HasStatistics": True, "Type": 2, "IsPresent": True,
        "IsRechargeable": True, "State": 1, "Energy": 8.3, "EnergyFull": 18.74, "EnergyFullDesign": 23.94,
        "EnergyRate": 0.0, "Voltage": 11.47, "Percentage": 44.0, "Capacity": 78.279, "Technology": 2,
        "IconName": "battery-good-charging-symbolic", "ChargeStartThreshold": 75, "ChargeEndThreshold": 80,
        "ChargeThresholdEnabled": True, "ChargeThresholdSupported": True,
    },
    "battery_BAT1": {
        "NativePath": "BAT1", "Vendor": "LGC", "Model": "01AV490", "Serial": "821", "PowerSupply": True,
        "UpdateTime": 1598118347, "HasHistory": True, "HasStatistics": True, "Type": 2, "IsPresent": True,
        "IsRechargeable": True, "State": 1, "Energy": 14.88, "EnergyFull": 21.64, "EnergyFullDesign": 23.94,
        "EnergyRate": 21.031, "Voltage": 12.609, "TimeToFull": 1158, "Percentage": 68.0, "Capacity": 90.3926,
        "Technology": 2, "IconName": "battery-full-charging-symbolic",
    },
    "mouse_dev_E3_FA_54_FF_5A_86": {
        "NativePath": "/org/bluez/hci0/dev_E3_FA_54_FF_5A_86", "Model": "MX Ergo", "Serial": "E3:FA:54:FF:5A:86",
        "HasHistory": True, "Type": 5, "IsPresent": True, "Percentage": 100.0, "IconName": "battery-missing-symbolic",
    },
}  # fmt: skip
# Peripherals as UPower reports them over BlueZ and HID++: a keyboard, a headset and a phone.
PERIPHERALS: dict[str, dict[str, Any]] = {
    "keyboard_dev_C4_30_8A_11_22_33": {
        "NativePath": "/org/bluez/hci0/dev_C4_30_8A_11_22_33", "Model": "K380 Multi-Device Keyboard",
        "Serial": "C4:30:8A:11:22:33", "Type": 6, "IsPresent": True, "Percentage": 70.0, "State": 2,
        "IsRechargeable": False, "IconName": "battery-good-symbolic", "UpdateTime": 1730797900,
    },
    "headset_dev_14_3F_A6_44_55_66": {
        "NativePath": "/org/bluez/hci0/dev_14_3F_A6_44_55_66", "Model": "WH-1000XM4", "Serial": "14:3F:A6:44:55:66",
        "Type": 17, "IsPresent": True, "Percentage": 80.0, "State": 2, "IsRechargeable": True,
        "IconName": "battery-full-symbolic", "UpdateTime": 1730797900,
    },
    "phone_dev_58_24_29_77_88_99": {
        "NativePath": "/org/bluez/hci0/dev_58_24_29_77_88_99", "Model": "Pixel 7", "Serial": "58:24:29:77:88:99",
        "Type": 8, "IsPresent": True, "Percentage": 55.0, "State": 2, "IsRechargeable": True,
        "IconName": "battery-good-symbolic", "UpdateTime": 1730797900,
    },
}  # fmt: skip
# ThinkPad W520, Debian 12: nashrullahalifauzi/w520 upower-battery.md (worn SANYO battery at 49.8 %)
W520_BAT0: dict[str, Any] = {
    "NativePath": "BAT0", "Vendor": "SANYO", "Model": "42T4799", "Serial": "21903", "PowerSupply": True,
    "UpdateTime": 1730797996, "HasHistory": True, "HasStatistics": True, "Type": 2, "IsPresent": True,
    "IsRechargeable": True, "State": 2, "Energy": 17.8, "EnergyFull": 46.44, "EnergyFullDesign": 93.24,
    "EnergyRate": 15.136, "Voltage": 11.761, "TimeToEmpty": 4320, "Percentage": 38.0, "Capacity": 49.8069,
    "Technology": 1, "IconName": "battery-good-symbolic",
}  # fmt: skip


def history_rows(now: float | None = None) -> dict[str, list[tuple[int, float, int]]]:
    """Charge and rate history spread over a week, newest first, the W520's values (discharging = 2)."""
    t = int(now if now is not None else time.time())
    ages = (30, 60, 1800, 7200, 90000, 200000)
    return {
        "charge": [(t - a, 38.0 + i, 2) for i, a in enumerate(ages)],
        "rate": [(t - a, round(15.136 + 0.5 * i, 3), 2) for i, a in enumerate(ages)],
    }


def add_upower_device(upower: SpawnedMock, name: str, props: Mapping[str, Any], with_history: bool = True) -> str:
    """Add a device with every property upowerd exports; GetHistory answers from history_rows()."""
    path = f"/org/freedesktop/UPower/devices/{name}"
    rows = history_rows()
    # UPower keeps at most `resolution` points of the last `timespan` seconds (up_history_get_data).
    # (A loop, not a comprehension: dbusmock exec()s this with separate locals a comprehension cannot see.)
    history = (
        f"ret = []\nfor r in {rows!r}[args[0]]:\n    if r[0] >= time.time() - args[1]:\n        ret.append(r)\n"
        "ret = ret[: args[2]]"
    )
    methods = [("Refresh", "", "", ""), ("GetStatistics", "s", "a(dd)", "ret = []")]
    if with_history:
        methods.append(("GetHistory", "suu", "a(udu)", history))
    upower.obj.AddObject(path, UPOWER_DEVICE, upower_props(props), methods, dbus_interface="org.freedesktop.DBus.Mock")
    upower.obj.EmitSignal("org.freedesktop.UPower", "DeviceAdded", "o", [dbus.ObjectPath(path)])
    return path


def set_device_props(path: str, props: Mapping[str, Any]) -> None:
    """Change properties on a mocked device; dbusmock emits PropertiesChanged like upowerd does."""
    bus = dbus.bus.BusConnection(os.environ["DBUS_SYSTEM_BUS_ADDRESS"])
    try:
        obj = bus.get_object("org.freedesktop.UPower", path)
        for k, v in props.items():
            obj.Set(UPOWER_DEVICE, k, UPOWER_TYPES[k](v), dbus_interface="org.freedesktop.DBus.Properties")
    finally:
        bus.close()


def spawn_upower(
    bus: PrivateSystemBus, devices: Mapping[str, Mapping[str, Any]], on_battery: bool = False
) -> SpawnedMock:
    upower = bus.spawn("upower", {"DaemonVersion": "0.99.20", "OnBattery": on_battery})
    for name, props in devices.items():
        add_upower_device(upower, name, props)
    return upower
