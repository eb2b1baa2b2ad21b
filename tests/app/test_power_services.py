"""Power page, profiles and sleep: switching allowed, refused and slow, sleep states, the timeline."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import dbus
import pytest
from PySide6.QtCore import QTimer

from hwinspector.main_window import MainWindow
from hwinspector.models.live_table import ItemRole
from hwinspector.models.sleep import InhibitorColumn
from hwinspector.pages.power import PowerPage
from hwinspector.pages.telemetry import TelemetryPage
from hwinspector.widgets import note_style
from tests.app.bus_pages import LIVE, REFUSAL, WAIT_MS, power_tree, refuse_switching
from tests.app.bus_pages import make_page as make_page_body
from tests.dbusmock_templates.mockbus import PrivateSystemBus, private_system_bus

system_bus = pytest.fixture(private_system_bus)
make_page = pytest.fixture(make_page_body)
PPD = "org.freedesktop.UPower.PowerProfiles"
LOGIND = "org.freedesktop.login1"


# --- power profiles -------------------------------------------------------------------------------------


@pytest.fixture
def window(qtbot: Any) -> Iterator[MainWindow]:
    w = MainWindow(live_updates=False)
    qtbot.addWidget(w)
    yield w
    w.shutdown()


def test_switch_allowed_then_refused_and_on_the_timeline(
    qtbot: Any, system_bus: PrivateSystemBus, window: MainWindow, qtmodeltester: Any
) -> None:
    mock = system_bus.spawn("upower_power_profiles_daemon")
    mock.obj.HoldProfile("balanced", "presenting", "org.gnome.Shell", dbus_interface=PPD)
    window.show_page("power")
    window.show_snapshot(LIVE)  # the window starts its one bridge for the live machine
    page = window.pages["power"]
    telemetry = window.pages["telemetry"]
    assert isinstance(page, PowerPage) and isinstance(telemetry, TelemetryPage)
    panel = page.profiles
    qtbot.waitUntil(lambda: panel.profiles is not None and panel.profiles.available, timeout=WAIT_MS)
    assert [b.text() for b in panel.buttons.values()] == ["Power saver", "Balanced", "Performance"]
    assert panel.buttons["balanced"].isChecked()
    assert panel.status.text().startswith("Active profile: Balanced, held by org.gnome.Shell (presenting).")
    assert [panel.holds.index(0, c).data() for c in range(3)] == ["org.gnome.Shell", "Balanced", "presenting"]
    qtmodeltester.check(panel.model, force_py=True)  # one model per test: the tester follows the last one

    panel.buttons["power-saver"].click()
    assert panel.buttons["balanced"].isChecked() and not panel.buttons["power-saver"].isChecked()
    qtbot.waitUntil(lambda: panel.buttons["power-saver"].isChecked(), timeout=WAIT_MS)
    assert panel.result.text() == "Switched to Power saver."
    qtbot.waitUntil(lambda: bool(telemetry._timeline), timeout=WAIT_MS)
    t_ns, kind, text = telemetry._timeline[-1]
    assert (kind, text) == ("profile", "power profile balanced → power-saver")
    assert abs(time.monotonic_ns() - t_ns) < 10_000_000_000

    refuse_switching(mock)
    panel.buttons["performance"].click()
    qtbot.waitUntil(lambda: panel.pending is None, timeout=WAIT_MS)
    assert panel.result.text() == (
        f"power-profiles-daemon refused to switch to Performance:\norg.freedesktop.DBus.Error.AccessDenied: {REFUSAL}"
    )
    assert panel.result.styleSheet() == note_style("error")  # the refusal tint, from the theme's palette
    assert panel.buttons["power-saver"].isChecked() and not panel.buttons["performance"].isChecked()
    assert len(telemetry._timeline) == 1


def test_suspend_and_resume_reach_the_telemetry_timeline(
    qtbot: Any, system_bus: PrivateSystemBus, window: MainWindow
) -> None:
    logind = system_bus.spawn("logind")
    window.show_snapshot(LIVE)
    page, telemetry = window.pages["power"], window.pages["telemetry"]
    assert isinstance(page, PowerPage) and isinstance(telemetry, TelemetryPage)
    qtbot.waitUntil(lambda: page.sleep.info is not None and page.sleep.info.logind.available, timeout=WAIT_MS)
    for going in (True, False):
        logind.obj.EmitSignal(
            f"{LOGIND}.Manager",
            "PrepareForSleep",
            "b",
            [dbus.Boolean(going)],
            dbus_interface="org.freedesktop.DBus.Mock",
        )
    qtbot.waitUntil(lambda: len(telemetry._timeline) == 2, timeout=WAIT_MS)
    (_, kind1, text1), (_, kind2, text2) = telemetry._timeline
    assert (kind1, text1) == ("sleep", "going to sleep (logind PrepareForSleep)")
    assert kind2 == "sleep" and text2.startswith("resumed after ")


def test_slow_refusal_keeps_the_gui_responsive(
    qtbot: Any, system_bus: PrivateSystemBus, make_page: Any, qtmodeltester: Any
) -> None:
    """The daemon takes seconds (a polkit prompt) and then says no: the window keeps painting meanwhile."""
    mock = system_bus.spawn("upower_power_profiles_daemon")
    mock.obj.HoldProfile("power-saver", "battery low", "org.gnome.SettingsDaemon.Power", dbus_interface=PPD)
    refuse_switching(mock, delay_s=2.5)
    page, _ = make_page()
    panel = page.profiles
    qtbot.waitUntil(lambda: panel.profiles is not None and panel.profiles.available, timeout=WAIT_MS)
    assert panel.holds.rowCount() == 1 and panel.holds_view.isVisibleTo(panel) and not panel.no_holds.isVisibleTo(panel)
    qtmodeltester.check(panel.holds, force_py=True)
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start()
    panel.buttons["performance"].click()
    assert panel.result.text() == "Asking power-profiles-daemon to switch to Performance…"
    assert not any(b.isEnabled() for b in panel.buttons.values())  # one request at a time
    qtbot.waitUntil(lambda: panel.pending is None, timeout=WAIT_MS)
    answered = time.monotonic()
    timer.stop()
    assert "AccessDenied" in panel.result.text() and all(b.isEnabled() for b in panel.buttons.values())
    # the GUI thread's own timer kept firing while the slow refusal was pending: the click did not block it
    # (an order of events, not a duration: how long stalls may last is for benchmarks, not tests)
    assert sum(t < answered for t in ticks) >= 2, "the GUI event loop did not run while the switch was pending"


# --- sleep ---------------------------------------------------------------------------------------------


def test_sleep_capabilities_inhibitors_and_session(
    qtbot: Any, system_bus: PrivateSystemBus, make_page: Any, tmp_path: Path, qtmodeltester: Any
) -> None:
    can = {"CanSuspend": "yes", "CanHibernate": "challenge", "CanHybridSleep": "na", "CanSuspendThenHibernate": "no"}
    logind = system_bus.spawn("logind", can)
    logind.obj.AddSession("c2", "seat0", dbus.UInt32(os.getuid()), "tester", True)
    fd = logind.obj.Inhibit("sleep:idle", "Zoom", "Meeting in progress", "delay", dbus_interface=f"{LOGIND}.Manager")
    power_tree(tmp_path, state="freeze mem disk\n", mem_sleep="s2idle [deep]\n")
    try:
        page, _ = make_page(environ={"XDG_SESSION_ID": "c2"})
        panel = page.sleep
        qtbot.waitUntil(lambda: panel.info is not None and panel.info.logind.available, timeout=WAIT_MS)
    finally:
        os.close(fd.take())
    grid = panel.can_grid
    shown = [tuple(grid.itemAtPosition(r, c).widget().text() for c in (1, 2)) for r in range(grid.rowCount())]
    assert shown == [
        ("Suspend", "yes"),
        ("Hibernate", "yes, after authentication"),
        ("Hybrid sleep", "no (not supported here)"),
        ("Suspend, then hibernate", "no (not permitted)"),
    ]
    assert panel.session.text() == "Our session: session c2 · test · user · seat0 (found by XDG_SESSION_ID)"
    model = panel.inhibitors
    assert [model.index(0, c).data() for c in InhibitorColumn] == [
        "Zoom",
        "sleep, idle",
        "Meeting in progress",
        "delay",
    ]
    assert model.index(0, InhibitorColumn.WHO).data(ItemRole).pid == 123456
    assert "<tt>/sys/power/state</tt>: freeze mem disk" in panel.kernel.text()
    assert "[deep] — suspend-to-RAM (ACPI S3)" in panel.kernel.text()
    assert not panel.note.isVisibleTo(panel)  # deep is in use: nothing to warn about
    qtmodeltester.check(model, force_py=True)
