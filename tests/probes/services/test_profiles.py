"""power-profiles-daemon on a private system bus: profiles, holds, switching allowed and refused."""

from __future__ import annotations

import asyncio
from pathlib import Path

import dbus
import pytest
from dbusmock import SpawnedMock

from hwinspector.probes.services.bus import PowerProfiles, ProfileSwitchResult, SystemBusWatcher, read_power_report
from tests.dbusmock_templates.mockbus import Events, PrivateSystemBus, private_system_bus, run_watcher, until

system_bus = pytest.fixture(private_system_bus)
PPD = "org.freedesktop.UPower.PowerProfiles"
LEGACY = "net.hadess.PowerProfiles"
# What power-profiles-daemon answers when polkit says no (check_action_permission in src/power-profiles-daemon.c)
REFUSAL = "Not Authorized: org.freedesktop.UPower.PowerProfiles.switch-profile"


def refuse_switching(mock: SpawnedMock) -> None:
    """Make Properties.Set fail the way the real daemon does for an unauthorised caller."""
    code = f"raise dbus.exceptions.DBusException({REFUSAL!r}, name='org.freedesktop.DBus.Error.AccessDenied')"
    mock.obj.AddMethod(
        "org.freedesktop.DBus.Properties", "Set", "ssv", "", code, dbus_interface="org.freedesktop.DBus.Mock"
    )


def profiles(ev: Events) -> PowerProfiles | None:
    data = ev.latest("power-profiles")
    return data if isinstance(data, PowerProfiles) and data.available else None


def test_profiles_drivers_and_holds(system_bus: PrivateSystemBus) -> None:
    mock = system_bus.spawn("upower_power_profiles_daemon", {"ActiveProfile": "power-saver"})
    mock.obj.HoldProfile("performance", "compiling", "org.gnome.Builder", dbus_interface=PPD)
    pp = read_power_report(timeout_s=5).profiles
    assert pp.available and pp.bus_name == PPD
    assert pp.active_profile == "power-saver"
    assert [p.name for p in pp.profiles] == ["power-saver", "balanced", "performance"]
    assert {p.driver for p in pp.profiles} == {"dbusmock"}
    assert [(h.profile, h.reason, h.application_id) for h in pp.holds] == [
        ("performance", "compiling", "org.gnome.Builder")
    ]


def test_cpu_and_platform_drivers_of_newer_daemons(system_bus: PrivateSystemBus) -> None:
    """power-profiles-daemon 0.20 names a CPU and a platform driver per profile (and "multiple" as Driver)."""
    mock = system_bus.spawn("upower_power_profiles_daemon")
    entries = [
        {"Profile": name, "Driver": "multiple", "CpuDriver": "amd_pstate", "PlatformDriver": platform}
        for name, platform in (("power-saver", "platform_profile"), ("balanced", "platform_profile"))
    ]
    profiles = dbus.Array([dbus.Dictionary(e, signature="sv") for e in entries], signature="a{sv}")
    mock.obj.Set(PPD, "Profiles", profiles, dbus_interface="org.freedesktop.DBus.Properties")
    pp = read_power_report(timeout_s=5).profiles
    assert [(p.name, p.driver, p.cpu_driver, p.platform_driver) for p in pp.profiles] == [
        ("power-saver", "multiple", "amd_pstate", "platform_profile"),
        ("balanced", "multiple", "amd_pstate", "platform_profile"),
    ]


def test_older_daemon_name_is_used_when_the_new_one_is_absent(system_bus: PrivateSystemBus) -> None:
    system_bus.spawn("power_profiles_daemon", {"ActiveProfile": "performance"})
    pp = read_power_report(timeout_s=5).profiles
    assert pp.available and pp.bus_name == LEGACY and pp.active_profile == "performance"


def test_absent_daemon_is_a_quiet_reason(system_bus: PrivateSystemBus) -> None:
    pp = read_power_report(timeout_s=5).profiles
    assert not pp.available
    assert pp.reason.startswith("power-profiles-daemon is not installed or not running (")
    assert LEGACY in pp.reason  # the last name asked


def test_switch_allowed_changes_profile_and_marks_the_timeline(system_bus: PrivateSystemBus, tmp_path: Path) -> None:
    system_bus.spawn("upower_power_profiles_daemon")
    results: list[ProfileSwitchResult] = []

    async def scenario(w: SystemBusWatcher, ev: Events) -> None:
        await until(lambda: profiles(ev) is not None, what="profiles")
        results.append(await w.set_power_profile("performance"))
        await until(lambda: profiles(ev).active_profile == "performance", what="the new profile")
        await asyncio.sleep(0.2)  # a second PropertiesChanged or re-read must not add a second event

    ev = run_watcher(scenario, sysfs=tmp_path)
    assert results == [ProfileSwitchResult("performance", True)]
    assert [(e.kind, e.text) for e in ev.timeline()] == [("profile", "power profile balanced → performance")]


def test_switch_refused_reports_the_daemons_answer(system_bus: PrivateSystemBus, tmp_path: Path) -> None:
    mock = system_bus.spawn("upower_power_profiles_daemon")
    refuse_switching(mock)
    results: list[ProfileSwitchResult] = []

    async def scenario(w: SystemBusWatcher, ev: Events) -> None:
        await until(lambda: profiles(ev) is not None, what="profiles")
        results.append(await w.set_power_profile("performance"))
        await asyncio.sleep(0.2)

    ev = run_watcher(scenario, sysfs=tmp_path)
    (result,) = results
    assert not result.ok
    assert result.error_name == "org.freedesktop.DBus.Error.AccessDenied"
    assert result.message == REFUSAL
    assert REFUSAL in result.text and "org.freedesktop.DBus.Error.AccessDenied" in result.text
    assert profiles(ev).active_profile == "balanced"
    assert ev.timeline() == []


def test_degraded_performance_and_external_switches_are_events(system_bus: PrivateSystemBus, tmp_path: Path) -> None:
    mock = system_bus.spawn("upower_power_profiles_daemon")

    def set_prop(name: str, value: str) -> None:
        mock.obj.Set(PPD, name, dbus.String(value), dbus_interface="org.freedesktop.DBus.Properties")

    async def scenario(w: SystemBusWatcher, ev: Events) -> None:
        await until(lambda: profiles(ev) is not None, what="profiles")
        await asyncio.to_thread(set_prop, "PerformanceDegraded", "lap-detected")
        await until(lambda: len(ev.timeline()) == 1, what="the degraded event")
        await asyncio.to_thread(set_prop, "ActiveProfile", "power-saver")  # powerprofilesctl, GNOME, …
        await until(lambda: len(ev.timeline()) == 2, what="the switch event")
        await asyncio.to_thread(set_prop, "PerformanceDegraded", "")
        await until(lambda: len(ev.timeline()) == 3, what="the recovery event")

    ev = run_watcher(scenario, sysfs=tmp_path)
    assert [e.text for e in ev.timeline()] == [
        "performance degraded: lap-detected",
        "power profile balanced → power-saver",
        "performance no longer degraded",
    ]
    times = [e.t_monotonic_ns for e in ev.timeline()]
    assert times == sorted(times) and times[0] > 0
    assert profiles(ev).performance_degraded == ""
