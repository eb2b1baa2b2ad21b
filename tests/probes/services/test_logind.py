"""Sleep: logind's answers, inhibitors and session on a private system bus, and /sys/power from fake trees."""

from __future__ import annotations

import os
from pathlib import Path

import dbus
import pytest
from dbusmock import SpawnedMock

from hwinspector.probes.services.bus import SleepInfo, SystemBusWatcher, read_kernel_sleep, read_power_report
from tests.dbusmock_templates.mockbus import Events, PrivateSystemBus, private_system_bus, run_watcher, until

system_bus = pytest.fixture(private_system_bus)
MANAGER = "org.freedesktop.login1.Manager"
CAN = {"CanSuspend": "yes", "CanHibernate": "no", "CanHybridSleep": "na", "CanSuspendThenHibernate": "challenge"}


def power_tree(root: Path, **files: str) -> Path:
    (root / "power").mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (root / "power" / name).write_text(text)
    return root


def test_kernel_sleep_states_from_sysfs(tmp_path: Path) -> None:
    root = power_tree(
        tmp_path, state="freeze mem disk\n", mem_sleep="s2idle [deep]\n", disk="[platform] shutdown reboot suspend\n"
    )
    k = read_kernel_sleep(root)
    assert k.states == ("freeze", "mem", "disk")
    assert (k.mem_sleep, k.mem_sleep_selected) == (("s2idle", "deep"), "deep")
    assert (k.disk[:2], k.disk_selected) == (("platform", "shutdown"), "platform")
    assert k.errors == ()


def test_kernel_sleep_survives_missing_and_unreadable_files(tmp_path: Path) -> None:
    root = power_tree(tmp_path, state="freeze mem\n")
    (root / "power" / "mem_sleep").mkdir()  # reading it fails with EISDIR, as an EIO would
    k = read_kernel_sleep(root)
    assert k.states == ("freeze", "mem") and k.mem_sleep == () and k.mem_sleep_selected is None
    assert k.disk == ()  # no CONFIG_HIBERNATION: absent, not an error
    assert k.errors == ("mem_sleep: Is a directory",)
    assert read_kernel_sleep(tmp_path / "nothing").states == ()


def add_session(logind: SpawnedMock, sid: str, session_type: str, active: bool) -> str:
    path = logind.obj.AddSession(sid, "seat0", dbus.UInt32(os.getuid()), "tester", active)
    bus = dbus.bus.BusConnection(os.environ["DBUS_SYSTEM_BUS_ADDRESS"])
    try:
        session = bus.get_object("org.freedesktop.login1", path)
        session.Set("org.freedesktop.login1.Session", "Type", session_type, dbus_interface=dbus.PROPERTIES_IFACE)
    finally:
        bus.close()
    return str(path)


def test_logind_capabilities_inhibitors_and_session(system_bus: PrivateSystemBus, tmp_path: Path) -> None:
    logind = system_bus.spawn("logind", CAN)
    add_session(logind, "c2", "wayland", True)
    # an inhibitor lives as long as its file descriptor is open
    fd = logind.obj.Inhibit("sleep:idle", "Zoom", "Meeting in progress", "delay", dbus_interface=MANAGER)
    try:
        root = power_tree(tmp_path, state="freeze mem\n", mem_sleep="[s2idle]\n")
        report = read_power_report(timeout_s=5, sysfs=root, environ={"XDG_SESSION_ID": "c2"})
    finally:
        os.close(fd.take())
    sleep = report.sleep
    assert sleep.kernel.mem_sleep_selected == "s2idle"
    lg = sleep.logind
    assert lg.available, lg.reason
    assert lg.can == (
        ("Suspend", "yes"),
        ("Hibernate", "no"),
        ("HybridSleep", "na"),
        ("SuspendThenHibernate", "challenge"),
    )
    assert lg.can_do("Hibernate") == "no"
    (inh,) = lg.inhibitors
    assert (inh.what, inh.who, inh.why, inh.mode) == ("sleep:idle", "Zoom", "Meeting in progress", "delay")
    assert (inh.uid, inh.pid) == (1000, 123456)  # what the logind template records for every inhibitor
    assert lg.session is not None
    assert (lg.session.id, lg.session.type, lg.session.found_by) == ("c2", "wayland", "XDG_SESSION_ID")
    assert lg.session.seat == "seat0" and lg.session.active is True


def test_session_without_xdg_session_id_prefers_the_graphical_one(system_bus: PrivateSystemBus) -> None:
    logind = system_bus.spawn("logind")
    add_session(logind, "3", "tty", False)
    add_session(logind, "5", "x11", True)
    lg = read_power_report(timeout_s=5, environ={}).sleep.logind
    assert lg.session is not None
    assert (lg.session.id, lg.session.type, lg.session.found_by) == ("5", "x11", "ListSessions")


def test_no_session_says_what_was_tried(system_bus: PrivateSystemBus) -> None:
    system_bus.spawn("logind")
    lg = read_power_report(timeout_s=5, environ={"XDG_SESSION_ID": "9"}).sleep.logind
    assert lg.available and lg.session is None
    assert lg.session_reason.startswith("no logind session for this process (GetSession(9): ")
    assert "GetSessionByPID" in lg.session_reason


def test_prepare_for_sleep_is_a_timeline_event(system_bus: PrivateSystemBus, tmp_path: Path) -> None:
    logind = system_bus.spawn("logind")

    def emit(going: bool) -> None:
        logind.obj.EmitSignal(
            MANAGER, "PrepareForSleep", "b", [dbus.Boolean(going)], dbus_interface="org.freedesktop.DBus.Mock"
        )

    async def scenario(w: SystemBusWatcher, ev: Events) -> None:
        await until(lambda: isinstance(ev.latest("logind"), SleepInfo) and ev.latest("logind").logind.available)
        emit(True)
        await until(lambda: len(ev.timeline()) == 1, what="going to sleep")
        emit(False)
        await until(lambda: len(ev.timeline()) == 2, what="resumed")

    ev = run_watcher(scenario, sysfs=tmp_path)
    going, back = ev.timeline()
    assert (going.kind, going.text) == ("sleep", "going to sleep (logind PrepareForSleep)")
    assert back.kind == "sleep" and back.text.startswith("resumed after ") and back.text.endswith(" s asleep")
    assert 0 < going.t_monotonic_ns <= back.t_monotonic_ns
