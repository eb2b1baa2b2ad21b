"""One call from sources to a written report folder (the CLI's path; the dialog runs the same steps apart)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from pathlib import Path

from hwinspector.report.assemble import PrivacySetup, redact
from hwinspector.report.bugreport.build import Filtered, make_report
from hwinspector.report.bugreport.evidence import Evidence, load_evidence
from hwinspector.report.bugreport.model import BugReport
from hwinspector.report.capture import CaptureOptions, Step


def default_folder(tracker: str, now: float | None = None, base: Path | None = None) -> Path:
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(now if now is not None else time.time()))
    return (base or Path.cwd()) / f"bugreport-{stamp}-{tracker}"


def load_all(
    sources: Sequence[str | None], options: CaptureOptions, progress: Callable[[str], None] | None = None
) -> list[Evidence]:
    def step(s: Step) -> None:
        if progress is not None:
            progress(f"[{s.done}/{s.total}] {s.name} … {s.state}")

    return [load_evidence(src, options, step) for src in sources]


def filtered(evidence: Sequence[Evidence], setup: PrivacySetup | None, relaxed: Iterable[str] = ()) -> list[Filtered]:
    """The same privacy filter as bundles, over every source (a foreign dump included)."""
    relaxed = tuple(relaxed)
    return [Filtered(ev, redact(ev.collected, setup, relaxed)) for ev in evidence]


def add_privileged(evidence: Evidence, progress: Callable[[str], None] | None = None) -> None:
    """Root-only GPU dumps, the VBT and amdgpu's firmware table through the helper (pkexec asks)."""
    from hwinspector.report.bugreport.privileged import read_gpu_dumps

    results, reason = read_gpu_dumps()
    if progress is not None:
        progress(reason or f"{len(results)} root-only files read through the helper")
    if reason:
        evidence.collected.not_collected.append({"step": "root-only GPU dumps (helper)", "reason": reason})
    evidence.collected.raw.extend(results)


def prepare(
    *,
    sources: Sequence[str | None],
    tracker: str = "auto",
    title: str = "",
    steps: Sequence[str] = (),
    notes: str = "",
    out: Path | None = None,
    include_gl: bool = True,
    redact: bool = True,
    relaxed: Iterable[str] = (),
    key_path: Path | None = None,
    privileged: bool = False,
    progress: Callable[[str], None] | None = None,
    options: CaptureOptions | None = None,
    setup: PrivacySetup | None = None,
) -> tuple[BugReport, Path]:
    from hwinspector.report.bugreport.writer import write_report

    opts = replace(options or CaptureOptions(), steps=tuple(steps), notes=notes, include_gl=include_gl)
    evidence = load_all(sources, opts, progress)
    if privileged:
        for ev in evidence:
            if ev.origin == "live":
                add_privileged(ev, progress)
    if redact and setup is None:
        setup = PrivacySetup.load(opts, key_path=key_path)
    parts = filtered(evidence, setup if redact else None, relaxed)
    report = make_report(
        parts[0], tracker=tracker, title=title, steps=steps, notes=notes, other=parts[1] if len(parts) > 1 else None
    )
    folder = out or default_folder(report.tracker.id)
    return report, write_report(report, folder)
