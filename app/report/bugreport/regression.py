"""A regression from two captures: the last good and the first bad version, and what changed between them.

reporting-issues.rst ("Special handling for high priority issues"): add [REGRESSION] to the title and
mention the latest version that worked and the oldest where the issue occurs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hwinspector.probes.checks.base import SEVERITY, Status, Verdict
from hwinspector.report.bugreport.facts import Facts

if TYPE_CHECKING:
    from hwinspector.report.bugreport.compose import Ctx

TAG = "[REGRESSION]"


@dataclass(frozen=True, slots=True)
class Side:
    label: str  # the capture's name
    taken_at: float
    facts: Facts
    verdicts: tuple[Verdict, ...]


@dataclass(frozen=True, slots=True)
class Regression:
    good: Side
    bad: Side
    changed: tuple[tuple[str, str, str], ...]  # (what, good value, bad value)
    worse: tuple[tuple[str, str, str], ...]  # (check, good status, bad status)


def _failures(v: Sequence[Verdict]) -> tuple[int, int]:
    return (sum(x.status is Status.FAIL for x in v), sum(x.status is Status.WARNING for x in v))


def _versions(f: Facts) -> dict[str, str | None]:
    return {
        "kernel": f.kernel_release,
        "kernel build": f.proc_version,
        "Mesa": f.mesa,
        "BIOS": f.bios,
        "distribution": f.distro,
        "amdgpu firmware": ", ".join(f"{n} {v}" for n, v in f.amdgpu_firmware) or None,
        "fwupd": f.fwupd_version,
    }


def compare(a: Side, b: Side) -> Regression:
    """The side with fewer failing checks is the good one; on a tie the older capture is."""
    fa, fb = _failures(a.verdicts), _failures(b.verdicts)
    good, bad = (a, b) if (fa, a.taken_at) <= (fb, b.taken_at) else (b, a)
    vg, vb = _versions(good.facts), _versions(bad.facts)
    changed = tuple((k, vg[k] or "?", vb[k] or "?") for k in vg if vg[k] != vb[k] and (vg[k] or vb[k]))
    before = {v.check: v for v in good.verdicts}
    worse = []
    for v in bad.verdicts:
        old = before.get(v.check)
        if old is not None and SEVERITY[v.status] < SEVERITY[old.status] and v.status is not Status.NA:
            worse.append((v.title, old.status.value, f"{v.status.value}: {v.summary}"))
    return Regression(good, bad, changed, tuple(worse))


def regression_title(ctx: Ctx, title: str) -> str:
    if ctx.regression is None or title.startswith(TAG):
        return title
    return f"{TAG} {title}"


def regression_lines(ctx: Ctx) -> list[str]:
    r: Regression | None = ctx.regression
    if r is None:
        return []
    g, b = r.good, r.bad
    out = ["### Regression", ""]
    out += [f"- Last good: kernel {g.facts.kernel_release or '?'} ({g.label})"]
    out += [f"- First bad: kernel {b.facts.kernel_release or '?'} ({b.label})"]
    if r.changed:
        out += ["", "What differs between the two captures:", ""]
        out += [f"- {what}: {old} → {new}" for what, old, new in r.changed]
    if r.worse:
        out += ["", "Checks that got worse:", ""]
        out += [f"- {check}: {old} → {new}" for check, old, new in r.worse]
    if g.facts.kernel_release == b.facts.kernel_release:
        out += ["", "_Both captures ran the same kernel: the change lies elsewhere (see above)._"]
    else:
        out += ["", "_Not bisected yet: `git bisect` between these two versions finds the commit._"]
    return [*out, ""]
