"""Capturing an evidence bundle: optional recording, raw collectors and sections, privacy, summaries, writing.

Qt-free. Three phases so the GUI can preview the privacy filter between them: ``collect`` (slow,
on a worker thread), ``redact`` (fast, repeatable with other relaxed categories), ``save``.
"""

from __future__ import annotations

import contextlib
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hwinspector.probes.errors import ProbeUnavailable
from hwinspector.probes.machine.sections import Section, collect_live
from hwinspector.report import bundle
from hwinspector.report.assemble import PrivacySetup, Redacted, build, redact
from hwinspector.report.bundle import Artifact
from hwinspector.report.raw_collectors import (
    COMMAND_TIMEOUT_S,
    OUTPUT_CAP_BYTES,
    RawResult,
    RawSpec,
    default_plan,
)
from hwinspector.report.raw_collectors import collect as collect_raw

SectionsFn = Callable[[Callable[[str], None]], Mapping[str, Section]]
MARKER_POLL_S = 0.1


@dataclass(frozen=True, slots=True)
class RecordingOptions:
    duration_s: float
    rate_hz: float | None = None  # None: each channel's sensible maximum
    channels: tuple[str, ...] = ()  # globs; empty: the default selection of the Telemetry page


@dataclass(frozen=True)
class CaptureOptions:
    notes: str = ""
    steps: tuple[str, ...] = ()
    markers: tuple[str, ...] = ()  # placed at the start of the recording
    recording: RecordingOptions | None = None
    idle_s: float | None = None  # measure an idle window of this length first (the "idle" section)
    include_gl: bool = True
    command_timeout_s: float = COMMAND_TIMEOUT_S
    output_cap_bytes: int = OUTPUT_CAP_BYTES
    sysfs: Path = Path("/sys")
    procfs: Path = Path("/proc")
    devfs: Path = Path("/dev")
    etc: Path = Path("/etc")
    plan: Sequence[RawSpec] | None = None  # None: raw_collectors.default_plan()
    sections: SectionsFn | None = None  # None: probes.machine.collect_live()
    clock: Callable[[], float] = time.time
    random_hex: str | None = None  # fixed in tests: the same inputs must give the same bytes
    workers: int = 4


@dataclass(frozen=True, slots=True)
class Step:
    """A progress event: ``state`` is running | ok | failed | timeout | skipped."""

    name: str
    state: str
    detail: str = ""
    done: int = 0
    total: int = 0


Progress = Callable[[Step], None]


class CaptureControl:
    """Talks to a running capture from another thread: markers during the recording, cancel."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._markers: list[tuple[int, str]] = []
        self.cancelled = threading.Event()
        self.stop_recording = threading.Event()  # ends the recording early; the capture goes on

    def add_marker(self, note: str) -> None:
        with self._lock:
            self._markers.append((time.monotonic_ns(), note))

    def take_markers(self) -> list[tuple[int, str]]:
        with self._lock:
            out, self._markers = self._markers, []
        return out

    def cancel(self) -> None:
        self.cancelled.set()


class Cancelled(Exception):
    """The user cancelled the capture."""


@dataclass
class Collected:
    """Everything a capture read, before the privacy filter: it never leaves this process as is."""

    report_id: str
    created: float
    options: CaptureOptions
    sections: dict[str, Section]
    raw: list[RawResult]
    not_collected: list[dict[str, Any]]
    recording: bytes | None = None
    recording_info: dict[str, Any] = field(default_factory=dict)
    attachments: list[Artifact] = field(default_factory=list)  # screenshots (rendered from redacted data)
    finished: float = 0.0


class _Tracker:
    """Counts steps and forwards events; collectors report from several threads."""

    def __init__(self, progress: Progress | None, total: int) -> None:
        self._progress = progress
        self._lock = threading.Lock()
        self.done = 0
        self.total = total

    def __call__(self, name: str, state: str, detail: str = "") -> None:
        with self._lock:
            if state != "running":
                self.done += 1
            step = Step(name, state, detail, self.done, self.total)
        if self._progress is not None:
            self._progress(step)


def _default_sections(options: CaptureOptions) -> SectionsFn:
    return lambda progress: collect_live(
        options.sysfs, options.procfs, include_gl=options.include_gl, progress=progress
    )


def _measure_idle(options: CaptureOptions, control: CaptureControl, track: _Tracker) -> Section:
    """The idle window, on a quiet machine: before the commands and the section readers start."""
    from hwinspector.probes.power.idle import measure_idle

    assert options.idle_s is not None
    track("idle analysis", "running", f"{options.idle_s:g} s")
    try:
        report = measure_idle(
            options.idle_s, sysfs=options.sysfs, procfs=options.procfs, should_stop=control.cancelled.is_set
        )
    except Exception as exc:  # a probe bug must not lose the rest of the capture
        track("idle analysis", "failed", str(exc))
        return Section("idle", False, f"{type(exc).__name__}: {exc}", None)
    track("idle analysis", "ok", report.verdict.summary)
    return Section("idle", True, None, report.doc)


def collect(
    options: CaptureOptions, progress: Progress | None = None, control: CaptureControl | None = None
) -> Collected:
    """Record (when asked), then run every raw collector and read every section. Never fails on one."""
    control = control or CaptureControl()
    created = options.clock()
    plan = (
        list(options.plan) if options.plan is not None else default_plan(options.sysfs, options.procfs, options.devfs)
    )
    track = _Tracker(progress, len(plan) + 1 + (1 if options.recording else 0) + (1 if options.idle_s else 0))
    collected = Collected(bundle.report_id(created, options.random_hex), created, options, {}, [], [])
    if options.recording is not None:
        # First: the steps happen during the recording, so the kernel log read afterwards holds them.
        track("telemetry recording", "running", f"{options.recording.duration_s:g} s")
        try:
            collected.recording, collected.recording_info = record(options, control, track)
            track("telemetry recording", "ok", f"{collected.recording_info.get('rows', 0)} rows")
        except ProbeUnavailable as exc:
            collected.not_collected.append({"step": "telemetry recording", "reason": exc.reason})
            track("telemetry recording", "skipped", exc.reason)
    if control.cancelled.is_set():
        raise Cancelled()
    idle = _measure_idle(options, control, track) if options.idle_s else None

    def run_spec(spec: RawSpec) -> RawResult:
        if control.cancelled.is_set():
            return RawResult(spec, "skipped", producer=spec.producer(), error="cancelled")
        track(spec.step, "running")
        res = collect_raw(
            spec, timeout_s=options.command_timeout_s, cap_bytes=options.output_cap_bytes, clock=options.clock
        )
        track(spec.step, res.status, res.error or f"{len(res.data)} bytes")
        return res

    with ThreadPoolExecutor(max_workers=max(1, options.workers), thread_name_prefix="capture") as pool:
        futures = [pool.submit(run_spec, s) for s in plan]
        # The sections read the same files as the commands; they run alongside on this thread.
        track("structured sections", "running")
        sections_fn = options.sections or _default_sections(options)
        try:
            collected.sections = dict(sections_fn(lambda name: track("structured sections", "running", name)))
            if idle is not None:
                collected.sections["idle"] = idle
            track("structured sections", "ok", f"{len(collected.sections)} sections")
        except Exception as exc:  # a probe bug must not lose the raw artifacts
            collected.not_collected.append({"step": "structured sections", "reason": f"{type(exc).__name__}: {exc}"})
            track("structured sections", "failed", str(exc))
        results = [f.result() for f in futures]
    if control.cancelled.is_set():
        raise Cancelled()
    for res in results:
        if res.status == "skipped" or (res.spec.privacy == "edid" and not res.data):
            reason = res.error or "empty: no monitor on this connector"
            collected.not_collected.append({"step": res.spec.step, "producer": res.producer, "reason": reason})
        else:
            collected.raw.append(res)
    collected.finished = options.clock()
    return collected


def record(
    options: CaptureOptions, control: CaptureControl, track: Callable[..., None]
) -> tuple[bytes, dict[str, Any]]:
    """Sample telemetry for the asked duration (markers from ``control`` and kernel warnings go in)."""
    from hwinspector.probes.kernel_log import KmsgFollower
    from hwinspector.probes.telemetry.channels import read_catalogue
    from hwinspector.probes.telemetry.recording import RecordingWriter
    from hwinspector.probes.telemetry.session import (
        TelemetrySession,
        default_selection,
        effective_rate,
        select_channels,
    )

    assert options.recording is not None
    opts = options.recording
    readable = [c for c in read_catalogue(options.sysfs).channels if c.readable]
    chosen = select_channels(readable, opts.channels) if opts.channels else default_selection(readable)
    if not chosen:
        raise ProbeUnavailable(
            "no readable telemetry channel" + (f" matches {list(opts.channels)}" if opts.channels else "")
        )
    follower = None
    with contextlib.suppress(ProbeUnavailable):
        follower = KmsgFollower(options.devfs / "kmsg")
    with tempfile.TemporaryDirectory(prefix="hwinspector-capture-") as tmp:
        path = Path(tmp) / "telemetry.jsonl.gz"
        session = TelemetrySession(chosen, opts.rate_hz, history_s=2.0)
        writer = RecordingWriter(
            path, chosen, [effective_rate(c, opts.rate_hz) for c in chosen], meta={"generator": "hwinspector report"}
        )
        session.start()
        for note in options.markers:
            writer.add_marker(time.monotonic_ns(), note)
        t0 = last = time.monotonic()
        try:
            while (elapsed := time.monotonic() - t0) < opts.duration_s and not (
                control.cancelled.is_set() or control.stop_recording.is_set()
            ):
                time.sleep(min(MARKER_POLL_S, max(0.0, opts.duration_s - elapsed)))
                for chans, t, v in session.poll():
                    writer.write_rows(chans, t, v)
                for t_ns, note in control.take_markers():
                    writer.add_marker(t_ns, note)
                    track("telemetry recording", "running", f"marker: {note}")
                for line in follower.read_new() if follower is not None else ():
                    if line.priority <= 4 and line.time_us is not None:
                        writer.add_event(line.time_us * 1000, "kernel", line.message)
                if time.monotonic() - last >= 1.0:
                    last = time.monotonic()
                    track(
                        "telemetry recording", "running", f"{min(elapsed, opts.duration_s):.0f}/{opts.duration_s:g} s"
                    )
            session.stop()
            for chans, t, v in session.poll():
                writer.write_rows(chans, t, v)
        finally:
            cost = session.cost()
            session.close()
            writer.close({k: round(v, 3) for k, v in cost.items()})
            if follower is not None:
                follower.close()
        info = {
            "channels": [c.id for c in chosen],
            "rows": writer.rows_written,
            "duration_s": opts.duration_s,
            "error": writer.error,
            "cost": {k: round(v, 3) for k, v in cost.items()},
        }
        return path.read_bytes(), info


def default_output(report_id: str, directory: Path | None = None) -> Path:
    """``<dir>/hwreport-<UTC time>-<random>.tar.xz`` (no hostname in the name)."""
    return (directory or Path.cwd()) / f"{report_id}{bundle.SUFFIX}"


def save(collected: Collected, redacted: Redacted, out: Path) -> Path:
    manifest, artifacts = build(collected, redacted)
    return bundle.write_bundle(out, manifest, artifacts, collected.created)


def capture(
    options: CaptureOptions,
    out: Path | None,
    *,
    privacy: PrivacySetup | None,
    relaxed: Iterable[str] = (),
    progress: Progress | None = None,
    control: CaptureControl | None = None,
    screenshots: Callable[[Redacted], list[Artifact]] | None = None,
) -> tuple[Path, Collected, Redacted]:
    """Headless capture in one call (the CLI): collect, redact, write. ``out`` None or a folder: the default name."""
    collected = collect(options, progress, control)
    red = redact(collected, privacy, relaxed)
    if screenshots is not None:
        # Rendered from the filtered sections, so they show what the rest of the bundle shows.
        collected.attachments = screenshots(red)
        red = redact(collected, privacy, relaxed)
    target = out if out is not None and not out.is_dir() else default_output(collected.report_id, out)
    return save(collected, red, target), collected, red
