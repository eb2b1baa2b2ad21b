"""CLI: ``diff A B`` compares two sources (bundles, dumps, ``live``); ``open FILE`` shows one in the GUI."""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import TYPE_CHECKING, Any

from hwinspector.i18n import _, localize
from hwinspector.probes.errors import InputFormatError, ProbeUnavailable

if TYPE_CHECKING:
    from hwinspector.report.diff import CATEGORIES, Change, Diff, Side

EXIT_EQUAL, EXIT_DIFFERENT, EXIT_USAGE = 0, 1, 2


def register(sub: Any) -> None:
    d = sub.add_parser(
        "diff",
        help=_("compare two captures, dumps or the live machine; exit 1 when they differ"),
        description=_(
            "Compare devices, drivers and modules, firmware and versions, problems, the graphics chain "
            "and telemetry summaries of two sources. Each of A and B is an evidence bundle (.tar.xz), a "
            "udevadm --export-db dump, a umockdev recording, or 'live'."
        ),
        epilog=_("Exit codes: 0 equal, 1 different, 2 bad usage or unreadable input."),
    )
    d.add_argument("a", metavar="A", help=_("a bundle, a dump, or 'live'"))
    d.add_argument("b", metavar="B", help=_("a bundle, a dump, or 'live'"))
    d.add_argument("--json", action="store_true", help=_("machine-readable output"))
    d.add_argument("--no-gl", action="store_true", help=_("on the live side, skip the OpenGL and Vulkan probes"))
    o = sub.add_parser(
        "open",
        help=_("open an evidence bundle or a dump in the main window"),
        description=_(
            "Show a bundle (or a udevadm/umockdev dump) in every page, as if it were the live machine; "
            "a banner names where it comes from. A bundle's telemetry recording replays on the Telemetry page."
        ),
    )
    o.add_argument("file", metavar="FILE", help=_("hwreport-….tar.xz, a udevadm dump or a umockdev file"))
    o.add_argument("--page", metavar="NAME", help=_("page to show first (overview, devices, telemetry, …)"))


def compare(a: str, b: str, *, include_gl: bool = True) -> Diff:
    """Load both sides (the live one at most once) and compare them."""
    from hwinspector.report.diff import Diff, diff
    from hwinspector.report.diff_sides import align_privacy, load_side

    left = load_side(a, include_gl=include_gl)
    right = left if b == a == "live" else load_side(b, include_gl=include_gl)
    left, right, notes = align_privacy(left, right)
    result = diff(left, right)
    return Diff(result.a, result.b, result.changes, result.not_compared, tuple(notes))


def _describe(side: Side) -> str:
    if side.kind == "live":
        return _("the live machine")
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(side.taken_at)) if side.taken_at > 0 else "undated"
    return f"{side.label} ({'evidence bundle' if side.kind == 'bundle' else side.kind + ' dump'}, {when})"


def _line(c: Change) -> str:
    from hwinspector.report.diff import CHANGE_SIGNS

    sign = CHANGE_SIGNS.get(c.kind, "?")
    name = f" ({c.detail})" if c.detail and c.category not in ("telemetry", "idle") else ""
    if c.kind == "changed":
        extra = f"  [{c.detail}]" if c.category in ("telemetry", "idle") and c.detail else ""
        return f"  {sign} {c.item}{name}: {c.a} -> {c.b}{extra}"
    value = c.b if c.kind in ("added", "appeared") else c.a
    shown = f": {value}" if value and value != c.detail and c.category not in ("devices",) else ""
    return f"  {sign} {c.item}{name}{shown}"


def render_text(d: Diff) -> str:
    lines = [f"A: {_describe(d.a)}", f"B: {_describe(d.b)}", ""]
    if d.equal:
        lines.append(_("No differences in what both sources show."))
    from hwinspector.report.diff import CATEGORY_TITLES

    for cat, changes in d.by_category().items():
        if not changes:
            continue
        counts: dict[str, int] = {}
        for c in changes:
            counts[c.kind] = counts.get(c.kind, 0) + 1
        lines.append(f"{_(CATEGORY_TITLES.get(cat, cat))}: " + ", ".join(f"{n} {k}" for k, n in counts.items()))
        lines += [_line(c) for c in changes]
        lines.append("")
    if d.not_compared:
        lines.append(_("Not compared:"))
        lines += [f"  {n}" for n in d.not_compared]
    if d.notes:
        lines += ["", _("Notes:")] + [f"  {n}" for n in d.notes]
    return "\n".join(lines).rstrip() + "\n"


def cmd_diff(args: argparse.Namespace) -> int:
    result = compare(args.a, args.b, include_gl=not args.no_gl)
    if args.json:
        json.dump(result.to_json(), sys.stdout, indent=1, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(render_text(result))
    return EXIT_EQUAL if result.equal else EXIT_DIFFERENT


def cmd_open(args: argparse.Namespace) -> int:
    if not os.path.isfile(args.file):
        print(_("hwinspector: {file}: no such file").format(file=args.file), file=sys.stderr)
        return EXIT_USAGE
    from hwinspector.gui import run_gui

    return run_gui(args.file, args.page)


def run(args: argparse.Namespace) -> int | None:
    """Handle the command if it is ours; None otherwise."""
    if args.command not in ("diff", "open"):
        return None
    try:
        return cmd_diff(args) if args.command == "diff" else cmd_open(args)
    except (InputFormatError, ProbeUnavailable) as exc:
        print(f"hwinspector: {localize(str(exc))}", file=sys.stderr)
        return EXIT_USAGE


__all__ = ["CATEGORIES", "compare", "register", "render_text", "run"]
