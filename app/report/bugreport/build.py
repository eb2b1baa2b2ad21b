"""From a filtered source to a bug report: facts, the scorecard, the tracker (auto or chosen), its template."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from hwinspector.probes.checks.scorecard import run_scorecard
from hwinspector.probes.machine.sections import Section
from hwinspector.report.assemble import Redacted
from hwinspector.report.bugreport.compose import Ctx
from hwinspector.report.bugreport.evidence import Evidence
from hwinspector.report.bugreport.facts import Facts, build_facts
from hwinspector.report.bugreport.model import BugReport, Missing
from hwinspector.report.bugreport.regression import Side, compare
from hwinspector.report.bugreport.trackers import NAMES, TRACKERS, pick_tracker

CHOICES = ("auto", *NAMES)


@dataclass(frozen=True)
class Filtered:
    """One source after the privacy filter: what the report may quote."""

    evidence: Evidence
    redacted: Redacted

    @property
    def files(self) -> dict[str, bytes]:
        return {a.path: a.data for a in self.redacted.artifacts}

    def facts(self) -> Facts:
        return build_facts(self.files, self.redacted.sections)

    def verdicts(self) -> tuple[object, ...]:
        secs = {n: Section.from_json(n, d) for n, d in self.redacted.sections.items()}
        return tuple(run_scorecard(secs))

    def origin(self) -> str:
        ev = self.evidence
        return "the live machine" if ev.origin == "live" else f"{ev.label} ({ev.origin})"


def choose(tracker: str, filtered: Filtered) -> tuple[str, str]:
    """(tracker id, why): auto's choice and reason, or the user's choice said as such."""
    if tracker != "auto":
        return tracker, f"chosen: --tracker {tracker}"
    return pick_tracker(filtered.facts(), filtered.verdicts(), filtered.redacted.sections)  # type: ignore[arg-type]


def make_report(
    main: Filtered,
    *,
    tracker: str = "auto",
    title: str = "",
    steps: Sequence[str] = (),
    notes: str = "",
    other: Filtered | None = None,
) -> BugReport:
    """The report for ``main``; with ``other`` (a second capture) it is a regression report of the two."""
    if tracker not in CHOICES:
        raise ValueError(f"unknown tracker {tracker!r}; one of {', '.join(CHOICES)}")
    facts = main.facts()
    verdicts = main.verdicts()
    regression = None
    if other is not None:
        a = Side(main.evidence.label, main.evidence.taken_at, facts, verdicts)  # type: ignore[arg-type]
        b = Side(other.evidence.label, other.evidence.taken_at, other.facts(), other.verdicts())  # type: ignore[arg-type]
        regression = compare(a, b)
        # the report describes the bad side; the good one is quoted in the Regression section
        if regression.bad is b:
            main, facts, verdicts = other, b.facts, b.verdicts
    tid, why = choose(tracker, main)
    all_steps = list(steps) + [s for s in main.redacted.steps if s not in steps]
    ctx = Ctx(
        TRACKERS[tid],
        facts,
        main.files,
        main.redacted.sections,
        verdicts,  # type: ignore[arg-type]
        title,
        all_steps,
        notes or main.redacted.notes,
        main.origin(),
        regression,
    )
    if other is None and tid == "kernel":
        ctx.lack("whether this is a regression (the last kernel that worked)", "regression")
    report = _render(ctx, tid, why, main)
    report.missing += [m for m in _source_gaps(main, tid) if m.item not in {x.item for x in report.missing}]
    report.notes += main.evidence.notes + (other.evidence.notes if other is not None else [])
    return report


def _render(ctx: Ctx, tid: str, why: str, main: Filtered) -> BugReport:
    from hwinspector.report.bugreport import templates_drm, templates_other

    if tid == "drm-amd":
        return templates_drm.render_amd(ctx, why)
    if tid in ("drm-i915", "drm-xe"):
        return templates_drm.render_intel(ctx, why)
    if tid == "mesa":
        return templates_other.render_mesa(ctx, why)
    if tid == "fwupd":
        return templates_other.render_fwupd(ctx, why)
    if tid == "launchpad":
        from hwinspector.report.bugreport.launchpad import apport_bytes

        return templates_other.render_launchpad(ctx, why, apport_bytes(main, ctx.title or ""))
    return templates_other.render_kernel(ctx, why)


# tool → (the trackers whose template asks for its output, the Debian/Ubuntu package that has it)
_TOOLS = {
    "dmesg": ("*", "util-linux"),
    "kmsg": ("*", "util-linux"),
    "journalctl": ("*", "systemd"),
    "lspci": ("drm-amd drm-i915 drm-xe kernel launchpad", "pciutils"),
    "lsusb": ("launchpad", "usbutils"),
    "udevadm": ("launchpad", "udev"),
    "glxinfo": ("mesa", "mesa-utils"),
    "eglinfo": ("mesa", "mesa-utils-bin"),
    "vulkaninfo": ("mesa", "vulkan-tools"),
    "inxi": ("mesa", "inxi"),
    "fwupdmgr": ("fwupd", "fwupd"),
    "efibootmgr": ("fwupd", "efibootmgr"),
    "dkms": ("kernel", "dkms"),
}


def _source_gaps(main: Filtered, tracker: str) -> list[Missing]:
    """What the source itself could not read (a tool not installed, a root-only file), where this tracker needs it."""
    out = []
    for entry in main.redacted.not_collected:
        step = str(entry.get("step", ""))
        reason = str(entry.get("reason", ""))
        tool = next((t for t in _TOOLS if t in step), None)
        if tool is None:
            continue
        trackers, package = _TOOLS[tool]
        if trackers != "*" and tracker not in trackers.split():
            continue
        if "not installed" in reason:
            how = f"install {package} (Debian/Ubuntu), then: {step}"
        elif "ermission" in reason or "not permitted" in reason or "root" in reason:
            how = f"as root: sudo {step}"
        else:
            how = step
        out.append(Missing(f"{step} ({reason})", how))
    return out
