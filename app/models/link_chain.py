"""What the USB-C and wireless chains share with the graphics chain: boxes, problems in place, text for bug reports."""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from hwinspector.i18n import _, localize
from hwinspector.models.graphics_elements import RANK, ChainElement, ChainPicture, Issue, Lane, issue_lines, lane_lines
from hwinspector.probes.graphics.chain import GraphicsProblem
from hwinspector.probes.problems import Problem

Rows = tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class ChainReport:
    """One reading of a chain for the page and the CLI: the picture, what it is of, and when."""

    title: str  # "USB-C and Thunderbolt"
    source_label: str  # "live machine", a file name
    is_live: bool
    picture: ChainPicture
    data: object  # the probe's chain (UsbcChain, WirelessChain), for --json
    unavailable: str | None = None  # why there is nothing to show
    taken_at: float = 0.0

    @property
    def problems(self) -> list[Issue]:
        return [i for i in self.picture.issues if i.severity in ("error", "warning")]


def as_problems(items: Iterable[Problem]) -> tuple[GraphicsProblem, ...]:
    return tuple(GraphicsProblem(p.severity, p.subject, localize(p.detail)) for p in items)


def box(
    key: str,
    kind: str,
    caption: str,
    title: str,
    lines: Sequence[str | None],
    column: int,
    row: int = 0,
    *,
    links: Sequence[str] = (),
    problems: Iterable[Problem] = (),
    sections: Sequence[tuple[str, Rows]] = (),
    devpath: str | None = None,
    active: bool = True,
    quiet: str = "ok",
) -> ChainElement:
    """One element; empty lines are dropped so a source that lacks a value shows nothing, not a blank."""
    return ChainElement(
        key, kind, caption, title, tuple(x for x in lines if x), column, row, tuple(links), as_problems(problems),
        active, tuple((name, tuple(rows)) for name, rows in sections), devpath, quiet,
    )  # fmt: skip


def rows(*pairs: tuple[str, object]) -> Rows:
    """Detail rows without the values the source does not have."""
    out = []
    for k, v in pairs:
        if v is None or v == "" or v == ():
            continue
        if isinstance(v, bool):
            v = _("yes") if v else _("no")
        out.append((k, str(v)))
    return tuple(out)


def picture(lanes: Sequence[Lane], summary: str, notes: Sequence[str] = ()) -> ChainPicture:
    """Issues in lane order, worst first, each pointing at its element; notes after them."""
    issues: list[Issue] = []
    seen: set[str] = set()
    for lane in lanes:
        for e in lane.elements:
            for p in e.problems:
                if p.detail not in seen:  # a problem drawn on two boxes of one link is listed once
                    seen.add(p.detail)
                    issues.append(Issue(p.severity, f"{e.title}: {localize(p.detail)}", e.key))
    issues.sort(key=lambda i: -RANK.get(i.severity, 0))
    issues += [Issue("info", localize(n), None) for n in notes]
    return ChainPicture(tuple(lanes), tuple(issues), summary)


def chain_text(report: ChainReport) -> str:
    """The whole chain as plain text for a bug report, in reading order of each lane."""
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(report.taken_at)) if report.taken_at else ""
    pic = report.picture
    out = [f"{report.title} of {report.source_label}" + (f" ({when})" if when else "")]
    if report.unavailable:
        return "\n".join([*out, report.unavailable]) + "\n"
    out.append(pic.summary)
    out += issue_lines(pic) + lane_lines(pic)
    return "\n".join(out).rstrip() + "\n"
