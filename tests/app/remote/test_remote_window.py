"""File → Connect to machine… against a real sshd: pages from the target, its sampler's plots, a dropped
link in the banner and the reconnect, evidence captured there and saved here."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt

from hwinspector.dialogs.connect import recent_hosts
from hwinspector.main_window import MainWindow
from hwinspector.pages.telemetry import TelemetryPage
from hwinspector.probes.bundle.reader import is_bundle
from hwinspector.probes.remote.stream import RemoteTelemetrySession
from tests.app.conftest import QtCallsOffTheGuiThread
from tests.sshd import Sshd

# Where the screenshots of a remote session go: a temporary folder, or the README's (packaging/screenshots)
# with HWINSPECTOR_SCREENSHOTS=packaging/screenshots (then look at them before committing).
SHOTS_ENV = "HWINSPECTOR_SCREENSHOTS"
HAS_CPUIDLE = Path("/sys/devices/system/cpu/cpu0/cpuidle").is_dir()


@pytest.fixture
def window(qtbot, sshd: Sshd, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[MainWindow]:  # type: ignore[no-untyped-def]
    for key in ("HWINSPECTOR_SSH", "HWINSPECTOR_REMOTE_AGENT"):
        monkeypatch.setenv(key, sshd.env[key])
    # recent hosts go to a settings file of this test, not the user's
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    w = MainWindow(live_updates=False)
    qtbot.addWidget(w)
    w.resize(1280, 800)
    yield w
    w.shutdown()


def connect(window: MainWindow, qtbot) -> None:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(window.snapshot_shown, timeout=110_000):
        window.remote.connect_to("target")
    qtbot.waitUntil(lambda: window.remote.up, timeout=10_000)


def shots(tmp_path: Path) -> Path:
    folder = Path(os.environ.get(SHOTS_ENV) or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def test_connect_shows_the_remote_machine_with_a_banner(window: MainWindow, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    connect(window, qtbot)
    snap = window.snapshot
    assert snap is not None and snap.source.label == "target"
    assert len(snap.devices) > 10
    assert window.banner.isVisible() or not window.banner.isHidden()
    assert window.banner.textFormat() == Qt.TextFormat.PlainText
    assert window.banner.text().startswith("Remote machine target:")
    assert "Connected to target over ssh (hwinspector there)" in window.banner.text()
    assert window.source_label.text() == "Source: target (remote machine, over ssh)"
    assert "target (remote machine)" in window.windowTitle()
    assert recent_hosts()[0] == "target"
    window.show()
    window.show_page("overview")
    qtbot.wait(1500)
    assert window.grab().save(str(shots(tmp_path) / "remote-overview.png"))


@pytest.mark.skipif(not HAS_CPUIDLE, reason="no cpuidle states on this machine: no channel to plot")
def test_live_plots_come_from_the_targets_sampler(window: MainWindow, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    connect(window, qtbot)
    window.show()
    window.show_page("telemetry")
    page = window.pages["telemetry"]
    assert isinstance(page, TelemetryPage)
    qtbot.waitUntil(lambda: page._catalogue is not None, timeout=30_000)
    assert page._catalogue is not None
    page.channels.set_checked(c.id for c in page._catalogue.channels if c.id.startswith("cpuidle:"))
    qtbot.waitUntil(lambda: isinstance(page.session, RemoteTelemetrySession), timeout=10_000)
    session = page.session
    assert isinstance(session, RemoteTelemetrySession)
    first = session.channels[0].id
    qtbot.waitUntil(lambda: len(session.series(first)[0]) > 100, timeout=30_000)
    assert page._kmsg is None  # this machine's kernel log is not the target's
    qtbot.wait(1500)
    assert window.grab().save(str(shots(tmp_path) / "remote-telemetry.png"))


def test_a_dropped_link_shows_in_the_banner_and_reconnects(window: MainWindow, qtbot, sshd: Sshd) -> None:  # type: ignore[no-untyped-def]
    connect(window, qtbot)
    assert sshd.connections()
    sshd.drop_connections()
    qtbot.waitUntil(lambda: not window.remote.up, timeout=30_000)
    assert "was lost" in window.banner.text() or "is down" in window.banner.text()
    assert window.snapshot is not None and window.snapshot.source.label == "target"  # the pages keep what they had
    qtbot.waitUntil(lambda: window.remote.up, timeout=60_000)
    assert "Connected to target" in window.banner.text()


def test_capture_evidence_is_taken_there_and_saved_here(window: MainWindow, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    connect(window, qtbot)
    out = tmp_path / "evidence.tar.xz"
    with qtbot.waitSignal(window.remote.captured, timeout=110_000) as got:
        window.remote.request_capture(str(out))
    assert got.args == [str(out), ""]
    assert is_bundle(out)
    assert out.stat().st_mode & 0o077 == 0


def test_the_links_threads_never_call_qt(  # type: ignore[no-untyped-def]
    qt_calls_off_gui: QtCallsOffTheGuiThread, window: MainWindow, qtbot, sshd: Sshd, tmp_path: Path
) -> None:
    """Connect, lose the link, reconnect, capture, disconnect: the ssh link's thread and its hotplug reader
    make no call into Qt (the watch is on before the window, so it sees every thread the window starts)."""
    connect(window, qtbot)
    sshd.drop_connections()
    qtbot.waitUntil(lambda: not window.remote.up, timeout=30_000)
    qtbot.waitUntil(lambda: window.remote.up, timeout=60_000)
    with qtbot.waitSignal(window.remote.captured, timeout=110_000) as got:
        window.remote.request_capture(str(tmp_path))
    assert got.args[1] == "" and Path(got.args[0]).parent == tmp_path
    window.remote.shutdown()
    assert not window.remote.worker.alive
    assert qt_calls_off_gui.calls == [], sorted(set(qt_calls_off_gui.calls))[:20]


def test_show_live_machine_disconnects(window: MainWindow, qtbot, sshd: Sshd) -> None:  # type: ignore[no-untyped-def]
    connect(window, qtbot)
    with qtbot.waitSignal(window.snapshot_shown, timeout=60_000):
        window.load_source(None)
    assert window.snapshot is not None and window.snapshot.source.is_live
    assert not window.remote.active
    qtbot.waitUntil(lambda: not sshd.connections(), timeout=10_000)


def test_a_refused_host_is_a_plain_text_warning(window: MainWindow, qtbot, sshd: Sshd, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from hwinspector.dialogs import connect as connect_dialog

    shown: list[str] = []
    monkeypatch.setattr(connect_dialog, "warn", lambda parent, title, text: shown.append(text))
    sshd.known_hosts.write_text("")
    window.remote.connect_to("target")
    qtbot.waitUntil(lambda: bool(shown), timeout=60_000)
    assert "not in known_hosts" in shown[0]
    assert f"target offers the ED25519 key {sshd.fingerprint()}" in shown[0]
    assert "ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub" in shown[0]
    assert not window.remote.active
    assert os.path.getsize(sshd.known_hosts) == 0


def test_device_events_on_the_target_are_forwarded(window: MainWindow, qtbot) -> None:  # type: ignore[no-untyped-def]
    lo = Path("/sys/devices/virtual/net/lo/uevent")
    if not os.access(lo, os.W_OK):
        pytest.skip("cannot write a synthetic uevent (needs root and /sys/devices/virtual/net/lo)")
    connect(window, qtbot)
    qtbot.wait(1000)  # the target's monitor is listening by now (it says so on the channel)
    with qtbot.waitSignal(window.remote.hotplug_seen, timeout=30_000) as seen:
        lo.write_text("change")  # the kernel sends a real "change" uevent for lo
    assert ("change", "/devices/virtual/net/lo") in seen.args[0]
    with qtbot.waitSignal(window.snapshot_shown, timeout=110_000):
        pass  # the burst is followed by a new read of the target
    assert window.snapshot is not None and window.snapshot.source.label == "target"


def test_a_target_with_only_python3_shows_its_devices(window: MainWindow, qtbot, monkeypatch, sshd: Sshd) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("HWINSPECTOR_REMOTE_AGENT", "/nonexistent/hwinspector")
    connect(window, qtbot)
    snap = window.snapshot
    assert snap is not None and snap.source.label == "target" and snap.source.kind == "udevadm"
    assert len(snap.devices) > 10
    assert any("temporary agent" in n for n in snap.source.notes)
    assert "a temporary Python agent there" in window.banner.text()


def test_host_before_a_command_is_a_usage_error() -> None:
    """`hwinspector --host H` opens the window on H; before a command it would be ignored, so it is refused."""
    import subprocess
    import sys

    wrong = subprocess.run(
        [sys.executable, "-m", "hwinspector", "--host", "target", "devices"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert wrong.returncode == 2 and "put --host after the command" in wrong.stderr
