"""Telemetry page: pick channels, watch them live at up to 1 kHz, mark moments, record, replay."""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from hwinspector.collectors.telemetry import KernelLogThread
from hwinspector.i18n import N_, _
from hwinspector.pages.base import Page, empty_state
from hwinspector.pages.telemetry_channels import ChannelBrowser
from hwinspector.pages.telemetry_controls import StatsTable, TelemetryControls, cost_text
from hwinspector.pages.telemetry_recorder import PageRecorder
from hwinspector.probes.devices.hotplug import HotplugEvent
from hwinspector.probes.machine.snapshot import Snapshot
from hwinspector.probes.remote.client import RemoteLink
from hwinspector.probes.remote.stream import RemoteTelemetrySession, read_remote_catalogue
from hwinspector.probes.telemetry.channels import Catalogue, Channel, read_catalogue
from hwinspector.probes.telemetry.recording import RecordedChannel, Recording, read_recording
from hwinspector.probes.telemetry.session import TelemetrySession, default_selection, effective_rate
from hwinspector.threads import run_in_background
from hwinspector.widgets import dim
from hwinspector.widgets.live_plot import CurveSpec, LivePlot

MAX_TIMELINE = 2000  # events kept for the timeline (a storm must not grow it without bound)
FRAME_MS = 33  # drain and redraw at 30 Hz: never one signal per sample
STATS_MS = 250
Series = dict[str, tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]]


class TelemetryPage(Page):
    page_id = "telemetry"
    title = N_("Telemetry")
    order = 70
    follows_hotplug = True
    description = N_("Live plots of power, temperature, frequency and more; markers, recordings, replay")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._live = True
        self._catalogue: Catalogue | None = None
        self.session: TelemetrySession | RemoteTelemetrySession | None = None
        self._remote: RemoteLink | None = None  # File → Connect to machine: plots come from its sampler
        self.replay: Recording | None = None
        self._t0_ns = 0
        self._timeline: list[tuple[int, str, str]] = []  # monotonic ns, kind, text
        self._markers = 0
        self._cursor_s = math.nan
        self.recorder = PageRecorder(self)
        self.recorder.progress.connect(self._recording_progress)
        self.recorder.stopped.connect(self._recording_stopped)
        self._kmsg: KernelLogThread | None = None

        self.browser = ChannelBrowser(self)
        self.browser.selection_changed.connect(self._schedule_rebuild)
        self.browser.defaults_requested.connect(self.select_defaults)
        self.channels, self.tree, self.catalogue_note = self.browser.channels, self.browser.tree, self.browser.note
        self.controls = TelemetryControls(self)
        c = self.controls
        self.pause_button, self.window_box, self.rate_box = c.pause_button, c.window_box, c.rate_box
        self.marker_button, self.record_button, self.live_button = c.marker_button, c.record_button, c.live_button
        self.pause_button.toggled.connect(self.set_paused)
        self.window_box.currentIndexChanged.connect(self._window_changed)
        self.rate_box.currentIndexChanged.connect(self._schedule_rebuild)
        self.marker_button.clicked.connect(self.ask_marker)
        self.record_button.clicked.connect(self._record_clicked)
        c.open_button.clicked.connect(self.open_dialog)
        self.live_button.clicked.connect(self.back_to_live)
        self.cost_label = QLabel()
        dim(self.cost_label)

        # plots and stats
        self.plot = LivePlot()
        self.plot.window_s = self.controls.window_s()
        self.plot.cursor_moved.connect(self._cursor_moved)
        self.stats_view = StatsTable()
        self.stats = self.stats_view.stats
        self.empty = empty_state(_("Loading the channels of this machine…"))
        self.plot_stack = QStackedWidget()
        self.plot_stack.addWidget(self.empty)
        self.plot_stack.addWidget(self.plot)
        self.status = QLabel()
        self.status.setWordWrap(True)
        center = QSplitter(Qt.Orientation.Vertical)
        center.addWidget(self.plot_stack)
        center.addWidget(self.stats_view)
        center.setSizes([520, 160])
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.browser)
        split.addWidget(center)
        split.setSizes([360, 860])
        lay = QVBoxLayout(self)
        lay.addWidget(self.controls)
        lay.addWidget(split, 1)
        foot = QHBoxLayout()
        foot.addWidget(self.status, 1)
        foot.addWidget(self.cost_label)
        lay.addLayout(foot)

        self._last_draw = 0.0
        self._frame_floor_ms = FRAME_MS  # no faster than the fastest plotted channel gets new rows
        self._frame = QTimer(self)
        self._frame.setInterval(FRAME_MS)
        self._frame.timeout.connect(self._on_frame)
        self._stats_timer = QTimer(self)
        self._stats_timer.setInterval(STATS_MS)
        self._stats_timer.timeout.connect(self._update_stats)
        self._rebuild_timer = QTimer(self)
        self._rebuild_timer.setSingleShot(True)
        self._rebuild_timer.setInterval(400)  # ticking several boxes restarts sampling once
        self._rebuild_timer.timeout.connect(self._rebuild_session)
        QShortcut(QKeySequence("M"), self, self.ask_marker, context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        # Space pauses where nothing else wants it: on the plot. Page-wide it took Space from the channel tree
        # (ticking a channel) and from every focused button, so the keyboard could not tick or press anything.
        QShortcut(QKeySequence("Space"), self.plot, self.pause_button.toggle, context=Qt.ShortcutContext.WidgetShortcut)

    # --- Page API -------------------------------------------------------------------------------

    def set_remote(self, link: RemoteLink | None) -> None:
        """Plot another machine's sampler over this link (None: back to this machine's own)."""
        if link is self._remote:
            return
        self._remote = link
        self._stop_session()
        self._stop_kmsg()  # this machine's kernel log says nothing about the other one
        self._catalogue = None
        self._live = link is not None
        if link is None:
            self._show_empty(_("The link to the remote machine is down; its plots resume when it is back."))
            self.mark_shown()
        elif self.isVisible():
            self._load_catalogue()

    def set_snapshot(self, snapshot: Snapshot) -> None:
        live = snapshot.source.is_live or self._remote is not None
        if live == self._live and self._catalogue is not None:
            return
        self._live = live
        if not live and self.replay is None:
            self._stop_session()
            self._show_empty(
                _(
                    "Telemetry is sampled from the live machine; this source is a dump of another one. "
                    "Open a recording (.jsonl.gz) to replay it here."
                )
            )
            self.mark_shown()
        elif live and self.isVisible():
            self._load_catalogue()

    def apply_hotplug(self, events: Sequence[HotplugEvent], snapshot: Snapshot) -> None:
        batch = []
        for ev in events:
            name = ev.device.name if ev.device else ev.path.rsplit("/", 1)[-1]
            batch.append((ev.time_monotonic_ns, "udev", f"{ev.action} {name}"))
        self._add_timeline_batch(batch)

    def set_filter(self, text: str) -> None:
        self.browser.search.setText(text)

    def showEvent(self, event: object) -> None:
        super().showEvent(event)  # type: ignore[arg-type]
        if self._live and self.replay is None:
            if self._catalogue is None:
                self._load_catalogue()
            elif self.session is not None:
                self.session.start()
            if self._remote is None:
                self._start_kmsg()
        self._sync_timers()

    def hideEvent(self, event: object) -> None:
        super().hideEvent(event)  # type: ignore[arg-type]
        # While recording, sampling goes on in the background; otherwise the page costs nothing hidden.
        if not self.recorder.active:
            self._sync_timers()
            if self.session is not None:
                self.session.stop()
            self._stop_kmsg()

    def shutdown(self) -> None:
        self.stop_recording()
        self._stop_session()
        self._stop_kmsg()
        self._frame.stop()
        self._stats_timer.stop()

    # --- channels and session -------------------------------------------------------------------------

    def _load_catalogue(self) -> None:
        self._show_empty(_("Looking for telemetry channels…"))
        self.mark_waiting()
        link = self._remote
        reader = read_catalogue if link is None else (lambda: read_remote_catalogue(link))
        run_in_background(reader, self._catalogue_loaded, self._catalogue_failed)

    def _catalogue_loaded(self, cat: object) -> None:
        assert isinstance(cat, Catalogue)
        self.set_catalogue(cat)

    def _catalogue_failed(self, message: str) -> None:
        self._show_empty(_("Could not list telemetry channels: {message}").format(message=message))
        self.mark_shown()

    def set_catalogue(self, cat: Catalogue, checked: Sequence[str] | None = None) -> None:
        """Show these channels (tests feed catalogues of fake trees here)."""
        self._catalogue = cat
        chosen = list(checked) if checked is not None else [c.id for c in default_selection(cat.channels)]
        # nvidia-smi channels can be ticked and stay out of the defaults: each reading is a process run
        self.browser.show_catalogue(cat, chosen)
        self._rebuild_session()
        self.mark_shown()  # the channels and their plots: --wait lets the plots fill

    def select_defaults(self) -> None:
        if self._catalogue is not None:
            self.channels.set_checked(c.id for c in default_selection(self._catalogue.channels))

    def _schedule_rebuild(self) -> None:
        if self.replay is None:
            self._rebuild_timer.start()

    def rate_cap(self) -> float | None:
        return self.controls.rate_cap()

    def _rebuild_session(self) -> None:
        self._rebuild_timer.stop()
        if self.replay is not None or not self._live:
            return
        was_recording = self.recorder.active
        if was_recording:
            self.stop_recording()
            self.status.setText(_("Recording stopped: the channel selection or rate changed."))
        self._stop_session()
        chosen = self.channels.checked()
        if not chosen:
            self._show_empty(
                _("Tick channels on the left to plot them.")
                if self._catalogue and self._catalogue.channels
                else _("This machine exposes no telemetry channels (no hwmon, powercap, battery or cpufreq).")
            )
            return
        self.session = (
            TelemetrySession(chosen, self.rate_cap())
            if self._remote is None
            else RemoteTelemetrySession(self._remote, chosen, self.rate_cap())
        )
        # Frames at 30 Hz for channels that change ten times a second (CPU utilisation) or once (a
        # battery) would wake the machine for nothing: frame no faster than the fastest group's rows.
        fastest = max(effective_rate(c, self.rate_cap()) for c in chosen)
        self._frame_floor_ms = max(FRAME_MS, min(1000, int(1000 / fastest)))
        self._frame.setInterval(self._frame_floor_ms)
        if not self._t0_ns:
            self._t0_ns = time.monotonic_ns()
        self.plot.set_curves([CurveSpec(c.id, c.label, c.unit) for c in chosen])
        self._redraw_timeline()
        self.plot_stack.setCurrentWidget(self.plot)
        if self.isVisible():
            self.session.start()
        self._sync_timers()
        notice = self.session.notice
        self.status.setText(f"⚠ {notice}" if notice else "")

    def _stop_session(self) -> None:
        if self.session is not None:
            self.session.close()
            self.session = None
        self._sync_timers()

    def _sync_timers(self) -> None:
        """Frames and statistics only while something is plotted: a session sampling, or a recording
        replayed (scrolled and zoomed). With nothing ticked the page costs no wakeups at all."""
        plotting = self.replay is not None or self.session is not None
        if plotting and (self.isVisible() or self.recorder.active):
            if not self._frame.isActive():
                self._frame.start()
                self._stats_timer.start()
        else:
            self._frame.stop()
            self._stats_timer.stop()

    def _show_empty(self, text: str) -> None:
        self.empty.setText(text)
        self.plot_stack.setCurrentWidget(self.empty)

    # --- frames ------------------------------------------------------------------------------------

    def current_series(self) -> Series:
        """Every plotted channel as (CLOCK_MONOTONIC ns, values): views of the history, no copies."""
        out: Series = {}
        if self.replay is not None:
            out.update(self.replay.series)
        elif self.session is not None:
            for ch in self.session.channels:
                out[ch.id] = self.session.series(ch.id)
        return out

    def origin_ns(self) -> int:
        return self.replay.anchor_monotonic_ns if self.replay is not None else self._t0_ns

    def _now_s(self) -> float:
        return (time.monotonic_ns() - self._t0_ns) * 1e-9

    def _on_frame(self) -> None:
        if self.session is not None and self.session.running:
            self.recorder.write(self.session.poll())
        # A pixel of a 10-minute window is half a second: redrawing it 30 times a second changes
        # nothing on screen. Draw when the newest bin can have moved (at most 30 times a second).
        draw_every = max(FRAME_MS / 1000, self.plot.seconds_per_pixel() / 2)
        now = time.perf_counter()
        if self.plot_stack.currentWidget() is self.plot and now - self._last_draw >= draw_every:
            self._last_draw = now
            self.plot.update_data(self.current_series(), self.origin_ns(), self._now_s())
            self._pace(time.perf_counter() - now)
        if self.session is not None and self.session.running:
            self.cost_label.setText(cost_text(self.session.backend, self.session.cost()))

    def _pace(self, frame_s: float) -> None:
        """Draw less often when a frame is expensive (64 curves, a slow machine): the event loop must
        stay free for the user; the data is all kept and drawn at the next frame."""
        budget_ms = max(self._frame_floor_ms, min(500, int(frame_s * 1000 * 3)))
        if abs(budget_ms - self._frame.interval()) > 5:
            self._frame.setInterval(budget_ms)

    def _update_stats(self) -> None:
        specs: Sequence[Channel | RecordedChannel] = (
            self.session.channels if self.session else (self.replay.channels if self.replay else ())
        )
        self.stats_view.show_stats(specs, self.current_series(), self.origin_ns(), self._cursor_s, self.plot)

    def _cursor_moved(self, t_s: float) -> None:
        self._cursor_s = t_s

    def set_paused(self, paused: bool) -> None:
        self.controls.set_paused(paused)
        self.plot.set_following(not paused and self.replay is None)

    def _window_changed(self, i: int) -> None:
        self.plot.window_s = self.controls.window_s()

    # --- timeline ----------------------------------------------------------------------------------

    def add_timeline_event(self, t_ns: int, kind: str, text: str) -> None:
        """One event on the timeline (udev, kernel, profile, sleep, marker), at CLOCK_MONOTONIC ns."""
        self._add_timeline_batch([(t_ns, kind, text)])

    def _add_timeline_batch(self, batch: Sequence[tuple[int, str, str]]) -> None:
        self._timeline.extend(batch)
        del self._timeline[:-MAX_TIMELINE]
        if self.replay is None and self._t0_ns:
            self.plot.add_events([((t - self._t0_ns) * 1e-9, kind, text) for t, kind, text in batch])
        self.recorder.add_events(batch)

    def _redraw_timeline(self) -> None:
        self.plot.clear_events()
        self.plot.add_events([((t - self._t0_ns) * 1e-9, kind, text) for t, kind, text in self._timeline])

    def add_kernel_record(self, t_ns: int, priority: int, message: str) -> None:
        self.add_timeline_event(t_ns, "kernel", f"<{priority}> {message}")

    def _start_kmsg(self) -> None:
        if self._kmsg is None:
            self._kmsg = KernelLogThread(parent=self)
            self._kmsg.record.connect(self.add_kernel_record)
            self._kmsg.unavailable.connect(lambda why: None)
            self._kmsg.start()

    def _stop_kmsg(self) -> None:
        if self._kmsg is not None:
            self._kmsg.stop()
            self._kmsg = None

    def ask_marker(self) -> None:
        if self.replay is not None:
            return
        note, ok = QInputDialog.getText(
            self, _("Drop a marker"), _("Note:"), text=_("Marker {markers}").format(markers=self._markers + 1)
        )
        if ok:
            self.add_marker(note)

    def add_marker(self, note: str, t_ns: int | None = None) -> None:
        self._markers += 1
        t = t_ns if t_ns is not None else time.monotonic_ns()
        if not self._t0_ns:
            self._t0_ns = t
        self._timeline.append((t, "marker", note))
        self.plot.add_event((t - self._t0_ns) * 1e-9, "marker", note)
        self.recorder.add_marker(t, note)

    # --- recording ---------------------------------------------------------------------------------

    def _record_clicked(self) -> None:
        if self.recorder.active:
            self.stop_recording()
            return
        self.record_button.setChecked(False)
        path = self.recorder.ask_path(self)
        if path is not None:
            self.start_recording(path)

    def start_recording(self, path: Path) -> bool:
        if self.session is None:
            return False
        chans = list(self.session.channels)
        if not self.recorder.start(path, chans, [effective_rate(c, self.rate_cap()) for c in chans]):
            return False
        self.controls.set_recording(True)
        self.status.setText(_("Recording to {path}…").format(path=path))
        return True

    def stop_recording(self) -> None:
        if not self.recorder.active:
            return
        batch = self.session.poll() if self.session is not None else None
        stats = {k: round(v, 3) for k, v in self.session.cost().items()} if self.session else {}
        self.recorder.stop(batch, stats)  # waits for the file to be closed (bounded); "stopped" follows
        self.controls.set_recording(False)

    def _recording_progress(self, rows: int) -> None:
        self.status.setText(_("Recording: {rows} rows written").format(rows=rows))

    def _recording_stopped(self, path: str, error: str) -> None:
        self.status.setText(f"⚠ {error}" if error else _("Recording saved: {path}").format(path=path))
        if error and self.recorder.active:
            QTimer.singleShot(0, self.stop_recording)

    # --- replay ------------------------------------------------------------------------------------

    def open_dialog(self) -> None:
        path = self.recorder.ask_open_path(self)
        if path is not None:
            self.open_recording(path)

    def open_recording(self, path: Path) -> None:
        self.status.setText(_("Reading {path}…").format(path=path))
        run_in_background(lambda: read_recording(path), self._recording_loaded, self._open_failed)

    def _open_failed(self, message: str) -> None:
        self.status.setText(f"⚠ {message}")

    def _recording_loaded(self, rec: object) -> None:
        assert isinstance(rec, Recording)
        self.show_recording(rec)

    def show_recording(self, rec: Recording) -> None:
        self.stop_recording()
        self._stop_session()
        self.replay = rec
        self._sync_timers()
        self.plot.set_curves([CurveSpec(c.id, c.label, c.unit) for c in rec.channels])
        for m in rec.markers:
            self.plot.add_event((m.t_ns - rec.anchor_monotonic_ns) * 1e-9, "marker", m.note)
        for e in rec.events:
            self.plot.add_event((e.t_ns - rec.anchor_monotonic_ns) * 1e-9, e.kind, e.text)
        self.plot.set_following(False)
        series = self.current_series()
        ends = [(t[-1] - rec.anchor_monotonic_ns) * 1e-9 for t, _unused in series.values() if len(t)]
        self.plot.show_range(0.0, max(ends) if ends else 1.0)
        self.plot.update_data(series, rec.anchor_monotonic_ns, 0.0)
        self.plot_stack.setCurrentWidget(self.plot)
        self.controls.set_replaying(True)
        warn = "; ".join(rec.warnings)
        self.status.setText(
            _(
                "Replaying {name}: {n} channels, {duration_s:.1f} s, {n2} markers — drag to scroll, wheel to zoom"
            ).format(name=Path(rec.path).name, n=len(rec.channels), duration_s=rec.duration_s, n2=len(rec.markers))
            + (f" ⚠ {warn}" if warn else "")
        )
        self._update_stats()
        self.mark_shown()

    def back_to_live(self) -> None:
        self.replay = None
        self._sync_timers()
        self.controls.set_replaying(False)
        self.plot.clear_events()
        self.set_paused(False)
        if self._live:
            self._rebuild_session()
        else:
            self._show_empty(_("Telemetry is sampled from the live machine; this source is a dump of another one."))
            self.mark_shown()
