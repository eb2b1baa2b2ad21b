"""A remote machine over a real sshd on loopback: the Overview names it, Power and Thermal read it live while
shown (and nothing while hidden), the window's title names it, and --screenshot --host renders it."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QImage, QPalette
from PySide6.QtWidgets import QApplication, QLabel

from hwinspector.collectors.remote_sensors import RemotePowerSource, RemoteThermalSource
from hwinspector.collectors.sensors import PowerSource, ThermalSource
from hwinspector.gui import capture
from hwinspector.main_window import MainWindow
from hwinspector.pages.base import DataState
from hwinspector.pages.overview import OverviewPage
from hwinspector.pages.power import PowerPage
from hwinspector.pages.thermal import ThermalPage
from tests.app.remote.test_remote_window import shots
from tests.sshd import Sshd

SIZE = (1280, 800)


@pytest.fixture
def window(qtbot: Any, sshd: Sshd, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[MainWindow]:
    for key in ("HWINSPECTOR_SSH", "HWINSPECTOR_REMOTE_AGENT"):
        monkeypatch.setenv(key, sshd.env[key])
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    w = MainWindow(live_updates=False, interactive=False)
    qtbot.addWidget(w)
    w.resize(*SIZE)
    yield w
    w.shutdown()


def connect_on(window: MainWindow, qtbot: Any, page: str) -> None:
    window.show_page(page)
    window.show()
    with qtbot.waitSignal(window.snapshot_shown, timeout=110_000):
        window.remote.connect_to("target")
    qtbot.waitUntil(lambda: window.remote.up, timeout=10_000)


def test_the_overview_and_the_title_name_the_remote_machine(window: MainWindow, qtbot: Any, tmp_path: Path) -> None:
    connect_on(window, qtbot, "overview")
    page = window.current_page()
    assert isinstance(page, OverviewPage)
    picture = capture(window, window, timeout_s=60)
    assert page.data_state is DataState.COMPLETE
    assert page.subheading.text().startswith("Remote machine target, read over ssh at ")
    rows = {
        page.identity_form.itemAt(i, page.identity_form.ItemRole.LabelRole).widget().text(): (  # type: ignore[union-attr]
            page.identity_form.itemAt(i, page.identity_form.ItemRole.FieldRole).widget().text()  # type: ignore[union-attr]
        )
        for i in range(page.identity_form.rowCount())
    }
    assert rows["Source:"] == "target (remote machine, over ssh)"
    texts = [w.text() for w in page.findChildren(QLabel)]
    assert "This machine" not in texts and "live machine" not in rows.values()
    assert not any(t == "Live machine" for t in texts)
    assert window.windowTitle() == "target (remote machine) — Hardware Inspector"
    assert picture.save(str(shots(tmp_path) / "remote-overview.png"))


def test_power_and_thermal_are_read_live_over_the_link_while_shown(
    window: MainWindow, qtbot: Any, tmp_path: Path
) -> None:
    connect_on(window, qtbot, "thermal")
    thermal = window.current_page()
    assert isinstance(thermal, ThermalPage)
    assert isinstance(thermal.poller._source, RemoteThermalSource)  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: thermal.data_state is DataState.COMPLETE, timeout=30_000)
    # the same machine over loopback: its own reader is the oracle for what came over the link
    here = ThermalSource()
    here.parts = thermal.reading.parts  # type: ignore[union-attr]
    local = here.read()
    there = thermal.reading
    assert there is not None
    assert [(c.cpu, c.driver, c.governor) for c in there.cpufreq] == [
        (c.cpu, c.driver, c.governor) for c in local.cpufreq
    ]
    assert there.cpufreq_error == local.cpufreq_error
    assert [(s.state.cpu, s.state.name) for s in there.idle] == [(s.state.cpu, s.state.name) for s in local.idle]
    assert there.idle_error == local.idle_error
    if there.idle:  # residency needs two readings over the link; the second came 0.25 s after the first
        assert there.idle_interval_s is not None and any(s.residency_percent is not None for s in there.idle)
    shown = thermal.readings_shown
    qtbot.waitUntil(lambda: thermal.readings_shown >= shown + 2, timeout=10_000)  # read again, every 1.5 s
    assert thermal.grab().save(str(shots(tmp_path) / "remote-thermal.png"))

    window.show_page("power")
    power = window.current_page()
    assert isinstance(power, PowerPage)
    qtbot.waitUntil(lambda: not thermal.poller.running(), timeout=10_000)  # hidden: no reads at all
    hidden_at = thermal.readings_shown
    assert isinstance(power.poller._source, RemotePowerSource)  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: power.data_state is DataState.COMPLETE, timeout=30_000)
    mine = PowerSource().read()
    assert power.reading is not None
    assert power.reading.supplies_error == mine.supplies_error
    assert [s.name for s in power.reading.supplies] == [s.name for s in mine.supplies]
    assert power.reading.rapl_error == mine.rapl_error
    assert power.grab().save(str(shots(tmp_path) / "remote-power.png"))
    qtbot.wait(3500)
    assert thermal.readings_shown == hidden_at


def test_a_dropped_link_says_so_on_power_and_comes_back(window: MainWindow, qtbot: Any, sshd: Sshd) -> None:
    connect_on(window, qtbot, "power")
    power = window.current_page()
    assert isinstance(power, PowerPage)
    qtbot.waitUntil(lambda: power.data_state is DataState.COMPLETE, timeout=30_000)
    sshd.drop_connections()
    qtbot.waitUntil(lambda: not window.remote.up, timeout=30_000)
    assert power.body.currentWidget() is power.empty
    assert power.empty.text().startswith("The power readings of target are read over the ssh link, which is down now")
    qtbot.waitUntil(lambda: window.remote.up, timeout=60_000)
    qtbot.waitUntil(lambda: power.body.currentWidget() is not power.empty and power.readings_shown >= 2, timeout=30_000)


def test_screenshot_with_host_renders_the_remote_machine(sshd: Sshd, tmp_path: Path, qapp: Any) -> None:
    out = tmp_path / "remote.png"
    done = subprocess.run(
        [sys.executable, "-m", "hwinspector", "--host", "target", "--page", "power", "--screenshot", str(out)],
        capture_output=True, text=True, env=dict(sshd.env, QT_QPA_PLATFORM="offscreen"), timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"saved {out}"
    img = QImage(str(out))
    # the remote banner (the palette's tooltip colour) across a row near the top: this machine, live, has none
    tint = QApplication.palette().color(QPalette.ColorRole.ToolTipBase).name()
    rows = [sum(img.pixelColor(x, y).name() == tint for x in range(0, img.width(), 10)) for y in range(30, 140, 4)]
    assert max(rows) > img.width() // 20, (tint, rows)


def test_screenshot_with_host_and_from_is_a_usage_error(tmp_path: Path) -> None:
    out = tmp_path / "x.png"
    done = subprocess.run(
        [sys.executable, "-m", "hwinspector", "--host", "target", "--from", "x.txt", "--screenshot", str(out)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "takes no --from" in done.stderr
    assert not out.exists()


LAPTOP = Path(__file__).resolve().parents[2] / "data" / "umockdev" / "laptop.umockdev"


def test_a_remote_laptop_shows_its_batteries_and_sensors_live(
    window: MainWindow, qtbot: Any, tmp_path: Path, sshd: Sshd, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The target is our recorded laptop: its agent runs under umockdev-run, so what crosses the link are
    the recording's supplies and hwmon chips, as the local umockdev tests read them."""
    import shutil

    if shutil.which("umockdev-run") is None:
        pytest.skip("umockdev-run is needed (umockdev)")
    agent = tmp_path / "agent"
    agent.write_text(
        f'#!/bin/sh\nTMPDIR=/dev/shm exec umockdev-run -d {LAPTOP} -- {sshd.env["HWINSPECTOR_REMOTE_AGENT"]} "$@"\n'
    )
    agent.chmod(0o755)
    monkeypatch.setenv("HWINSPECTOR_REMOTE_AGENT", str(agent))
    connect_on(window, qtbot, "power")
    power = window.current_page()
    assert isinstance(power, PowerPage)
    qtbot.waitUntil(lambda: power.data_state is DataState.COMPLETE, timeout=60_000)
    assert power.reading is not None
    assert [s.name for s in power.reading.supplies] == ["AC", "BAT0", "ucsi-source-psy-USBC000:001"]
    qtbot.wait(500)
    assert window.grab().save(str(shots(tmp_path) / "remote-power.png"))
    window.show_page("thermal")
    thermal = window.current_page()
    assert isinstance(thermal, ThermalPage)
    qtbot.waitUntil(lambda: thermal.data_state is DataState.COMPLETE, timeout=60_000)
    assert thermal.reading is not None
    assert [c.name for c in thermal.reading.chips][:3] == ["acpitz", "amdgpu", "nvme"]
    qtbot.waitUntil(lambda: not power.poller.running(), timeout=10_000)  # the hidden page reads nothing
    qtbot.wait(500)
    assert window.grab().save(str(shots(tmp_path) / "remote-thermal.png"))
