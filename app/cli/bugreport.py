"""CLI: ``bugreport`` writes a folder for one upstream tracker: issue.md, attachments/, what is still missing."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from hwinspector.i18n import _, ngettext

EXIT_OK, EXIT_USAGE = 0, 2


def register(sub: Any) -> None:
    from hwinspector.report.bugreport.build import CHOICES

    p = sub.add_parser(
        "bugreport",
        help=_("prepare a bug report for an upstream tracker (issue.md, attachments, what is missing)"),
        description=_(
            "Prepare a bug report the tracker's maintainers can act on: their own template filled, the "
            "attachments they ask for (compressed under their size limit), and what is still missing with the "
            "exact way to get it. Nothing is sent: you file it yourself."
        ),
    )
    p.add_argument(
        "--tracker",
        choices=CHOICES,
        default="auto",
        help=_("where to file (default auto: chosen from the failing checks and chains, with the reason)"),
    )
    p.add_argument(
        "--from",
        dest="sources",
        action="append",
        default=[],
        metavar="SOURCE",
        help=_(
            "live, a bundle, a udevadm/umockdev dump or a folder of tool outputs; twice (e.g. GOOD.tar.xz and "
            "live) for a regression report"
        ),
    )
    p.add_argument("--title", default="", metavar="TEXT", help=_("the issue's title"))
    p.add_argument("--step", action="append", default=[], metavar="TEXT", help=_("a reproduction step (repeatable)"))
    p.add_argument("--note", default="", metavar="TEXT", help=_("what happened, in your words"))
    p.add_argument("-o", "--output", metavar="DIR", help=_("the report folder (default: bugreport-<time>-<tracker>)"))
    p.add_argument("--json", action="store_true", help=_("print the report's summary as JSON"))
    p.add_argument("--privileged", action="store_true", help=_("read root-only GPU dumps and the VBT (helper)"))
    p.add_argument("--no-gl", action="store_true", help=_("live: skip our OpenGL and Vulkan probes"))
    p.add_argument("--no-redact", action="store_true", help=_("keep identifying values as read"))
    p.add_argument("--relax", action="append", default=[], metavar="CATEGORY", help=_("keep one privacy category"))
    p.add_argument("--key", metavar="FILE", help=_("privacy key file"))
    p.add_argument("--open", action="store_true", help=_("open the tracker's new-issue page in the browser"))


def run(args: argparse.Namespace) -> int | None:
    if args.command != "bugreport":
        return None
    from hwinspector.report.bugreport.run import prepare

    if len(args.sources) > 2:
        print(_("hwinspector: bugreport takes --from at most twice (a regression is two captures)"), file=sys.stderr)
        return EXIT_USAGE
    out = Path(args.output) if args.output else None
    report, folder = prepare(
        sources=args.sources or [None],
        tracker=args.tracker,
        title=args.title,
        steps=args.step,
        notes=args.note,
        out=out,
        include_gl=not args.no_gl,
        redact=not args.no_redact,
        relaxed=args.relax,
        key_path=Path(args.key) if args.key else None,
        privileged=args.privileged,
        progress=None if args.json else _progress,
    )
    if args.json:
        json.dump(report.to_json(str(folder / "issue.md")), sys.stdout, indent=1, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        _print(report, folder)
    if args.open:
        import webbrowser

        # only the browser opens: the user signs in, pastes issue.md and attaches the files
        webbrowser.open(report.tracker.new_issue_url)
    return EXIT_OK


def _progress(text: str) -> None:
    if sys.stderr.isatty():
        sys.stderr.write(f"\r\033[K{text[:150]}")
        sys.stderr.flush()


def _print(report: Any, folder: Path) -> None:
    if sys.stderr.isatty():
        sys.stderr.write("\r\033[K")
    print(_("Tracker: {name} ({why})").format(name=report.tracker.name, why=report.why))
    print(_("Title: {title}").format(title=report.title))
    print(_("Wrote {folder}/issue.md; paste it into {url}").format(folder=folder, url=report.tracker.new_issue_url))
    n = len(report.attachments)
    print(ngettext("{n} attachment in {dir}:", "{n} attachments in {dir}:", n).format(n=n, dir=folder / "attachments"))
    for a in report.attachments:
        print(f"  {a.name:<28} {a.data.__len__():>9} B  {a.what}")
    m = len(report.missing)
    if m:
        print(ngettext("{n} item still missing (missing.md):", "{n} items still missing (missing.md):", m).format(n=m))
        for item in report.missing:
            print(f"  - {item.item}: {item.how}")
    for note in report.notes:
        print(_("Note: {note}").format(note=note))
    print(_("Nothing was sent. Read issue.md and the attachments before you file them."))
