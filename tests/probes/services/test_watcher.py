"""The watcher on a private system bus: absence, live changes, services that come, crash and come back."""

from __future__ import annotations

import asyncio
import itertools
import time
from pathlib import Path
from typing import Any

import dbus
import pytest

from hwinspector.probes.services.bus import (
    SERVICES,
    FirmwareInfo,
    SleepInfo,
    SwitcherooInfo,
    SystemBusWatcher,
    UPowerInfo,
)
from tests.dbusmock_templates.mockbus import (
    FWUPD_TEMPLATE,
    SWITCHEROO_TEMPLATE,
    W520_BAT0,
    Events,
    PrivateSystemBus,
    private_system_bus,
    run_watcher,
    set_device_props,
    spawn_upower,
    until,
)

system_bus = pytest.fixture(private_system_bus)
BAT0 = "/org/freedesktop/UPower/devices/battery_BAT0"


def test_no_system_bus_every_service_says_so_once(tmp_path: Path) -> None:
    socket = tmp_path / "missing_socket"
    (tmp_path / "power").mkdir()
    (tmp_path / "power" / "mem_sleep").write_text("s2idle [deep]\n")

    async def scenario(w: SystemBusWatcher, ev: Events) -> None:
        await until(lambda: all(ev.latest(s) is not None for s in SERVICES), what="five updates")
        await asyncio.sleep(0.5)  # several reconnect attempts: the same state is not announced again

    ev = run_watcher(scenario, address=f"unix:path={socket}", sysfs=tmp_path, reconnect_s=0.1)
    why = f"no system bus ({socket}: No such file or directory)"
    for s in SERVICES:
        assert len(ev.updates(s)) == 1, s
        data = ev.latest(s)
        part = data.logind if isinstance(data, SleepInfo) else data
        assert part.available is False and part.reason == why
    sleep = ev.latest("logind")
    assert sleep.kernel.mem_sleep == ("s2idle", "deep") and sleep.kernel.mem_sleep_selected == "deep"


def test_bus_that_appears_later_is_connected(system_bus: PrivateSystemBus, tmp_path: Path) -> None:
    later = PrivateSystemBus()

    async def scenario(w: SystemBusWatcher, ev: Events) -> None:
        await until(lambda: ev.latest("upower") is not None, what="the first 'no bus' state")
        assert ev.latest("upower").available is False
        later.start()
        await until(lambda: ev.latest("upower").reason.startswith("UPower is not"), what="the bus, connected")

    try:
        ev = run_watcher(scenario, address=later.address, sysfs=tmp_path, reconnect_s=0.1, timeout_s=2)
    finally:
        later.stop()
    assert "no system bus" in ev.updates("upower")[0].reason
    assert "org.freedesktop.UPower" in ev.latest("upower").reason  # ServiceUnknown's own message


def test_battery_changes_arrive_through_properties_changed(system_bus: PrivateSystemBus, tmp_path: Path) -> None:
    spawn_upower(system_bus, {"battery_BAT0": W520_BAT0}, on_battery=True)

    def bat0(ev: Events) -> Any:
        info = ev.latest("upower")
        return info.device(BAT0) if isinstance(info, UPowerInfo) else None

    async def scenario(w: SystemBusWatcher, ev: Events) -> None:
        await until(lambda: bat0(ev) is not None, what="BAT0")
        assert bat0(ev).percentage == 38.0
        reads = w.current("upower")
        await asyncio.to_thread(set_device_props, BAT0, {"Percentage": 37.0, "Energy": 17.2, "EnergyRate": 9.5})
        await until(lambda: bat0(ev).energy_rate_watts == 9.5, what="the new rate")
        assert w.current("upower") is not reads

    ev = run_watcher(scenario, sysfs=tmp_path)
    last = ev.latest("upower").device(BAT0)
    assert (last.percentage, last.energy_wh, last.energy_rate_watts) == (37.0, 17.2, 9.5)
    # three properties changed within milliseconds: coalesced, never one update per property
    assert len(ev.updates("upower")) <= 3


def test_service_appears_crashes_and_restarts(system_bus: PrivateSystemBus, tmp_path: Path) -> None:
    def complete(ev: Events) -> bool:
        return bool(ev.latest("switcheroo").available and len(ev.latest("switcheroo").gpus) == 2)

    async def scenario(w: SystemBusWatcher, ev: Events) -> None:
        await until(lambda: ev.latest("switcheroo") is not None, what="the first state")
        assert ev.latest("switcheroo").available is False
        mock = await asyncio.to_thread(system_bus.spawn, SWITCHEROO_TEMPLATE)
        await until(lambda: complete(ev), what="switcheroo-control to appear with its GPUs")
        system_bus.kill(mock)
        await until(lambda: not ev.latest("switcheroo").available, what="switcheroo-control to vanish")
        await asyncio.to_thread(system_bus.spawn, SWITCHEROO_TEMPLATE)
        await until(lambda: complete(ev), what="switcheroo-control to come back")

    ev = run_watcher(scenario, sysfs=tmp_path)
    updates = ev.updates("switcheroo")
    transitions = [d for i, d in enumerate(updates) if i == 0 or d.available != updates[i - 1].available]
    assert [d.available for d in transitions] == [False, True, False, True]
    assert "not installed or not running" in transitions[0].reason
    assert transitions[2].reason == "switcheroo-control stopped (net.hadess.SwitcherooControl left the system bus)"
    assert [g.default for g in ev.latest("switcheroo").gpus] == [True, False]


def test_switcheroo_gpu_change_is_live(system_bus: PrivateSystemBus, tmp_path: Path) -> None:
    mock = system_bus.spawn(SWITCHEROO_TEMPLATE)
    one = dbus.Array(
        [
            dbus.Dictionary(
                {
                    "Name": "AMD Radeon 780M",
                    "Environment": dbus.Array(["DRI_PRIME", "pci-0000_c4_00_0"], signature="s"),
                    "Default": dbus.Boolean(True),
                },
                signature="sv",
            )
        ],
        signature="a{sv}",
    )

    async def scenario(w: SystemBusWatcher, ev: Events) -> None:
        await until(lambda: isinstance(ev.latest("switcheroo"), SwitcherooInfo) and ev.latest("switcheroo").available)
        assert ev.latest("switcheroo").has_dual_gpu is True
        await asyncio.to_thread(mock.obj.SetGPUs, one, dbus_interface="org.freedesktop.DBus.Mock")
        await until(lambda: len(ev.latest("switcheroo").gpus) == 1, what="the GPU list to shrink")

    ev = run_watcher(scenario, sysfs=tmp_path)
    info = ev.latest("switcheroo")
    assert info.has_dual_gpu is False
    assert info.gpus[0].environment == (("DRI_PRIME", "pci-0000_c4_00_0"),) and info.gpus[0].discrete is False


def test_slow_service_times_out_with_a_reason_and_others_go_on(system_bus: PrivateSystemBus, tmp_path: Path) -> None:
    system_bus.spawn(FWUPD_TEMPLATE, {"Delay": 3.0})
    spawn_upower(system_bus, {"battery_BAT0": W520_BAT0})

    async def scenario(w: SystemBusWatcher, ev: Events) -> None:
        started = time.monotonic()
        await until(lambda: ev.latest("upower") is not None and ev.latest("upower").available, what="UPower")
        assert time.monotonic() - started < 1.0  # not held up by the hung fwupd
        await until(lambda: ev.latest("fwupd") is not None, timeout_s=4, what="fwupd's answer or timeout")

    ev = run_watcher(scenario, sysfs=tmp_path, timeout_s=1.0)
    fw = ev.latest("fwupd")
    assert isinstance(fw, FirmwareInfo) and fw.devices == ()
    assert fw.devices_reason == "org.freedesktop.fwupd did not answer GetDevices within 1 s (it may be busy or hung)"


def test_fwupd_signals_trigger_a_reread(system_bus: PrivateSystemBus, tmp_path: Path) -> None:
    mock = system_bus.spawn(FWUPD_TEMPLATE)
    dock = dbus.Dictionary(
        {"DeviceId": "d0c4", "Name": "ThinkPad Thunderbolt 4 Dock", "Vendor": "Lenovo", "Version": "1.0.12"},
        signature="sv",
    )

    async def scenario(w: SystemBusWatcher, ev: Events) -> None:
        await until(lambda: ev.latest("fwupd") is not None and ev.latest("fwupd").available, what="fwupd")
        count = len(ev.latest("fwupd").devices)
        await asyncio.to_thread(mock.obj.AddDevice, dock, dbus_interface="org.freedesktop.DBus.Mock")
        await until(lambda: len(ev.latest("fwupd").devices) == count + 1, what="the dock")

    ev = run_watcher(scenario, sysfs=tmp_path)
    assert ev.latest("fwupd").devices[-1].name == "ThinkPad Thunderbolt 4 Dock"


def test_no_system_bus_is_asked_again_ever_less_often(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a bus the watcher backs off (up to twelve intervals) instead of waking every interval."""
    from hwinspector.probes.services import watcher

    attempts: list[float] = []
    real_connect = watcher.SystemBus.connect

    async def counting_connect(*args: Any, **kwargs: Any) -> Any:  # a spy: the real connect runs
        attempts.append(time.monotonic())
        return await real_connect(*args, **kwargs)

    monkeypatch.setattr(watcher.SystemBus, "connect", staticmethod(counting_connect))

    async def scenario(w: SystemBusWatcher, ev: Events) -> None:
        await asyncio.sleep(2.0)

    run_watcher(scenario, address=f"unix:path={tmp_path / 'missing'}", sysfs=tmp_path, reconnect_s=0.05)
    # every 50 ms would be 40 attempts in 2 s; doubling up to 0.6 s apart: about 7
    assert 4 <= len(attempts) <= 10, len(attempts)
    gaps = [b - a for a, b in itertools.pairwise(attempts)]
    assert max(gaps) >= 0.5
