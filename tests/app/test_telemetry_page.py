"""The Telemetry page driven as a user would: channels ticked, live plot, markers, timeline, record, replay."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from hwinspector.pages.telemetry import TelemetryPage
from hwinspector.probes.devices.hotplug import HotplugEvent
from hwinspector.probes.devices.tree import make_device
from hwinspector.probes.machine.snapshot import Snapshot, Source
from hwinspector.probes.telemetry.channels import Catalogue, Channel
from hwinspector.probes.telemetry.recording import read_recording


def _catalogue(tmp_path: Path) -> Catalogue:
    (tmp_path / "temp1_input").write_text("45000\n")
    (tmp_path / "energy_uj").write_text("1000\n")
    chans = (
        Channel(
            "hwmon:coretemp/temp1",
            "coretemp Package id 0",
            "°C",
            str(tmp_path / "temp1_input"),
            0.001,
            50.0,
            "gauge",
            "coretemp",
            True,
            None,
        ),
        Channel(
            "rapl:package-0",
            "RAPL package-0",
            "W",
            str(tmp_path / "energy_uj"),
            1e-6,
            100.0,
            "counter",
            "intel-rapl:0",
            True,
            None,
            2**32,
        ),
        Channel(
            "rapl:psys",
            "RAPL psys",
            "W",
            "/nonexistent",
            1e-6,
            1000.0,
            "counter",
            "intel-rapl:1",
            False,
            "energy_uj is readable by root only since Linux 5.10",
        ),
    )
    return Catalogue(chans, {"battery": "nothing to sample on this machine"})


@pytest.fixture
def page(qtbot, tmp_path: Path):  # type: ignore[no-untyped-def]
    p = TelemetryPage()
    qtbot.addWidget(p)
    p.resize(1200, 700)
    p.set_snapshot(Snapshot(Source("live", "live machine"), ()))
    p.set_catalogue(_catalogue(tmp_path))
    p.show()
    qtbot.waitExposed(p)
    yield p
    p.shutdown()


def test_defaults_are_ticked_and_plotted(page: TelemetryPage, qtbot) -> None:  # type: ignore[no-untyped-def]
    assert [c.id for c in page.channels.checked()] == ["hwmon:coretemp/temp1", "rapl:package-0"]
    assert page.session is not None and page.session.running
    qtbot.waitUntil(lambda: len(page.current_series()["hwmon:coretemp/temp1"][0]) > 5, timeout=5000)
    page._update_stats()
    rows = {r.id: r for r in page.stats.rows()}
    assert rows["hwmon:coretemp/temp1"].last == 45.0
    assert rows["hwmon:coretemp/temp1"].unit == "°C"
    assert set(page.plot.panels()) == {"°C", "W"}
    assert "sampler" in page.cost_label.text() and "lost" in page.cost_label.text()
    assert "battery: nothing to sample" in page.catalogue_note.text()


def test_unreadable_channel_is_shown_but_cannot_be_ticked(page: TelemetryPage) -> None:
    from PySide6.QtCore import Qt

    model = page.channels
    for r in range(model.rowCount()):
        parent = model.index(r, 0)
        for c in range(model.rowCount(parent)):
            idx = model.index(c, 0, parent)
            ch = model.channel_at(idx)
            if ch is not None and ch.id == "rapl:psys":
                assert not model.flags(idx) & Qt.ItemFlag.ItemIsEnabled
                assert "root only" in idx.data(Qt.ItemDataRole.ToolTipRole)
                return
    raise AssertionError("rapl:psys not listed")


def test_marker_and_hotplug_events_land_on_the_timeline(page: TelemetryPage) -> None:
    page.add_marker("lid closed")
    dev = make_device("/devices/usb1/1-5", None, {"SUBSYSTEM": "usb"}, {"product": "Webcam"})
    page.apply_hotplug([HotplugEvent("remove", dev.path, None, time.monotonic_ns())], Snapshot(Source("live", "x"), ()))
    kinds = [(k, text) for _, k, text in page.plot.events()]
    assert ("marker", "lid closed") in kinds
    assert ("udev", "remove 1-5") in kinds
    page.add_kernel_record(time.monotonic_ns(), 3, "i915 0000:00:02.0: GPU HANG")
    assert any(k == "kernel" and "GPU HANG" in t for _, k, t in page.plot.events())


def test_stop_right_after_start_still_closes_the_file(page: TelemetryPage, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # The close request is queued to the recorder thread; stopping must never lose it, even when the
    # thread has not run a single event yet, or the file stays open and is left without its footer.
    for i in range(15):
        out = tmp_path / f"quick{i}.jsonl.gz"
        assert page.start_recording(out)
        page.stop_recording()
        qtbot.waitUntil(lambda out=out: f"Recording saved: {out}" in page.status.text(), timeout=5000)
        assert read_recording(out).complete


def test_record_then_replay(page: TelemetryPage, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "rec.jsonl.gz"
    assert page.start_recording(out)
    energy = Path(page.session.channels[1].path)  # type: ignore[union-attr]
    for i in range(20):
        energy.write_text(f"{1000 + i * 20_000}\n")
        qtbot.wait(25)
    page.add_marker("step 2")
    qtbot.wait(200)
    page.stop_recording()
    qtbot.waitUntil(lambda: "Recording saved" in page.status.text(), timeout=5000)
    rec = read_recording(out)
    assert rec.complete
    assert [m.note for m in rec.markers] == ["step 2"]
    temps = rec.series["hwmon:coretemp/temp1"][1]
    assert len(temps) > 5 and np.all(temps[~np.isnan(temps)] == 45.0)
    page.show_recording(rec)
    assert page.replay is rec and page.session is None
    assert not page.live_button.isHidden()
    assert ("marker", "step 2") in [(k, t) for _, k, t in page.plot.events()]
    rows = {r.id: r for r in page.stats.rows()}
    assert rows["hwmon:coretemp/temp1"].mean == 45.0
    page.back_to_live()
    assert page.replay is None and page.session is not None


def test_dump_source_shows_an_explanation(qtbot) -> None:  # type: ignore[no-untyped-def]
    p = TelemetryPage()
    qtbot.addWidget(p)
    p.set_snapshot(Snapshot(Source("udevadm", "x.txt"), ()))
    assert p.plot_stack.currentWidget() is p.empty
    assert "Open a recording" in p.empty.text()
    p.shutdown()


def test_broken_recording_is_reported_not_raised(page: TelemetryPage, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.jsonl.gz"
    bad.write_bytes(b"\x1f\x8b\x08nonsense")
    page.open_recording(bad)
    qtbot.waitUntil(lambda: "⚠" in page.status.text(), timeout=5000)
    assert "not a gzip recording" in page.status.text()
    assert page.replay is None


def test_stats_colour_swatches_are_made_once_per_colour(page: TelemetryPage, qtbot) -> None:  # type: ignore[no-untyped-def]
    """The stats table is refreshed twice a second: its colour swatches must be the same icons each
    time (a new icon per repaint adds an entry to Qt's pixmap cache every time, memory that grows
    for minutes), and each shows its curve's colour."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QColor, QIcon

    qtbot.waitUntil(lambda: page.stats.rowCount() > 0, timeout=3000)
    model = page.stats

    def keys() -> list[int]:
        out = []
        for row in range(model.rowCount()):
            icon = model.data(model.index(row, 0), Qt.ItemDataRole.DecorationRole)
            assert isinstance(icon, QIcon)
            out.append(icon.cacheKey())
        return out

    first = keys()
    for _ in range(5):
        page._update_stats()
        page.stats_view.viewport().grab()
    assert keys() == first
    row = model.rows()[0]
    image = model.data(model.index(0, 0), Qt.ItemDataRole.DecorationRole).pixmap(12, 12).toImage()
    assert image.pixelColor(6, 6) == QColor(row.color) == QColor(page.plot.color_of(row.id))


def test_no_frame_timer_while_nothing_is_plotted(page: TelemetryPage, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A page with nothing ticked draws nothing and wakes nobody: the timers run only with a plot."""
    assert page._frame.isActive() and page._stats_timer.isActive()
    page.set_catalogue(_catalogue(tmp_path), checked=[])
    assert page.session is None
    assert not page._frame.isActive() and not page._stats_timer.isActive()
    page.hide()
    page.show()
    qtbot.waitExposed(page)
    assert not page._frame.isActive()
    page.channels.set_checked(["hwmon:coretemp/temp1"])
    qtbot.waitUntil(lambda: page.session is not None and page._frame.isActive(), timeout=3000)
    page.hide()
    assert not page._frame.isActive() and not page._stats_timer.isActive()
