"""CLI: ``check`` prints the enablement scorecard; its exit status gates lab scripts and checkbox jobs."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hwinspector.cli.tables import width
from hwinspector.i18n import N_, _, localize

if TYPE_CHECKING:
    pass


EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def register(sub: Any) -> None:
    p = sub.add_parser(
        "check",
        help=_("enablement scorecard: exit 0 when nothing fails, 1 when a check fails, 2 on unreadable input"),
        description=_(
            "Judge graphics, drivers, firmware, displays, power, sensors, suspend and devices "
            "(pass / warning / fail / n/a) from the live machine or a dump."
        ),
    )
    p.add_argument(
        "--from",
        dest="source",
        metavar="PATH",
        help=_("judge a udevadm --export-db dump or a umockdev recording instead of the live machine"),
    )
    p.add_argument("--json", action="store_true", help=_("machine-readable output"))
    p.add_argument(
        "--no-gl", action="store_true", help=_("live: skip the OpenGL and Vulkan probes (no child processes)")
    )


# Status.value.upper(), as the result line has always said it
RESULT_WORDS = {"pass": N_("PASS"), "warning": N_("WARNING"), "fail": N_("FAIL"), "n/a": N_("N/A")}


def run(args: argparse.Namespace) -> int | None:
    from hwinspector.probes.checks.base import Status
    from hwinspector.probes.checks.scorecard import (
        STATUS_WORDS,
        counts_text,
        identity_rows,
        machine_title,
        overall,
        run_scorecard,
        scorecard_json,
    )
    from hwinspector.probes.machine.sections import collect_live, sections_from_snapshot
    from hwinspector.probes.machine.snapshot import load_snapshot

    if args.command != "check":
        return None
    if args.source:
        try:
            sections = sections_from_snapshot(load_snapshot(args.source, Path(args.sysfs), Path(args.procfs)))
        except OSError as exc:  # load_snapshot's own errors (format, unavailable) are main()'s to report
            print(
                _("hwinspector: cannot read {source}: {strerror}").format(
                    source=args.source, strerror=exc.strerror or exc
                ),
                file=sys.stderr,
            )
            return EXIT_USAGE
    else:
        sections = collect_live(Path(args.sysfs), Path(args.procfs), include_gl=not args.no_gl)
    verdicts = run_scorecard(sections)
    code = EXIT_FAILED if overall(verdicts) is Status.FAIL else EXIT_OK
    if args.json:
        json.dump(scorecard_json(sections, verdicts), sys.stdout, indent=1, ensure_ascii=False)
        sys.stdout.write("\n")
        return code
    # The probes write English (the JSON above); the human text is in the user's language.
    print(localize(machine_title(sections)))
    for label, value in identity_rows(sections):
        print(f"  {localize(label)}: {localize(value)}")
    print()
    words = {s: _(w) for s, w in STATUS_WORDS.items()}
    status_width = max(width(w) for w in words.values())
    titles = {v.check: localize(v.title) for v in verdicts}
    title_width = max(width(t) for t in titles.values())
    indent = " " * (status_width + title_width + 4)

    def pad(text: str, n: int) -> str:
        return text + " " * (n - width(text))

    for v in verdicts:
        print(f"{pad(words[v.status], status_width)}  {pad(titles[v.check], title_width)}  {localize(v.summary)}")
        if v.status in (Status.FAIL, Status.WARNING):
            for line in v.evidence:
                print(f"{indent}- {localize(line)}")
            if v.hint:
                print(indent + _("next: {hint}").format(hint=localize(v.hint)))
    print()
    print(
        _("Result: {upper} ({counts_text})").format(
            upper=_(RESULT_WORDS[overall(verdicts)]), counts_text=localize(counts_text(verdicts))
        )
    )
    return code
