"""What the audio and camera pictures share: boxes from the graphics chain's model, problems, text for bug reports."""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence

from hwinspector.i18n import _, localize
from hwinspector.models.graphics_elements import (
    RANK,
    ChainElement,
    ChainPicture,
    Issue,
    Lane,
    issue_lines,
    lane_lines,
)
from hwinspector.probes.audio.chain import Problem
from hwinspector.probes.graphics.drm import GraphicsProblem


def gp(problems: Iterable[Problem]) -> list[GraphicsProblem]:
    """The chain widgets draw GraphicsProblem (severity, subject, detail): the same three fields."""
    return [GraphicsProblem(p.severity, p.subject, localize(p.detail)) for p in problems]


def box(
    key: str, kind: str, caption: str, title: str, lines: Sequence[str], column: int, row: int = 0, *,
    links: Sequence[str] = (), problems: Iterable[Problem] = (), rows: Sequence[tuple[str, str]] = (),
    quiet: str = "ok", active: bool = True, devpath: str | None = None,
) -> ChainElement:  # fmt: skip
    return ChainElement(
        key, kind, caption, title, tuple(x for x in lines if x), column, row, links=tuple(links),
        problems=tuple(gp(problems)), active=active, sections=((_("Details"), tuple(rows)),) if rows else (),
        devpath=devpath, quiet_status=quiet,
    )  # fmt: skip


def issues_of(lanes: Sequence[Lane], unplaced: Iterable[Problem], notes: Iterable[str]) -> tuple[Issue, ...]:
    found = [Issue(p.severity, _issue_text(p), e.key) for lane in lanes for e in lane.elements for p in e.problems]
    found += [Issue(p.severity, _issue_text(p), None) for p in unplaced]
    found.sort(key=lambda i: -RANK.get(i.severity, 0))
    return (*found, *(Issue("info", localize(n), None) for n in notes))


def _issue_text(p: Problem | GraphicsProblem) -> str:
    text = localize(p.detail)
    return text if p.subject in p.detail or p.subject in ("audio", "camera") else f"{p.subject}: {text}"


def picture_text(what: str, label: str, picture: ChainPicture, taken_at: float = 0.0) -> str:
    """The whole chain as plain text for a bug report: problems, notes, then each lane box by box."""
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(taken_at)) if taken_at else ""
    out = [
        _("{what} chain of {label}").format(what=what, label=label) + (f" ({when})" if when else ""),
        picture.summary,
    ]
    out += issue_lines(picture) + lane_lines(picture)
    return "\n".join(out).rstrip() + "\n"
