"""CLI: ``check`` prints the enablement scorecard; its exit status gates lab scripts and checkbox jobs."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    pass


EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def register(sub: Any) -> None:
    p = sub.add_parser(
        "check",
        help="enablement scorecard: exit 0 when nothing fails, 1 when a check fails, 2 on unreadable input",
        description="Judge graphics, drivers, firmware, displays, power, sensors, suspend and devices "
        "(pass / warning / fail / n/a) from the live machine or a dump.",
    )
    p.add_argument(
        "--from",
        dest="source",
        metavar="PATH",
        help="judge a udevadm --export-db dump or a umockdev recording instead of the live machine",
    )
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--no-gl", action="store_true", help="live: skip the OpenGL and Vulkan probes (no child processes)")


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
            print(f"hwinspector: cannot read {args.source}: {exc.strerror or exc}", file=sys.stderr)
            return EXIT_USAGE
    else:
        sections = collect_live(Path(args.sysfs), Path(args.procfs), include_gl=not args.no_gl)
    verdicts = run_scorecard(sections)
    code = EXIT_FAILED if overall(verdicts) is Status.FAIL else EXIT_OK
    if args.json:
        json.dump(scorecard_json(sections, verdicts), sys.stdout, indent=1, ensure_ascii=False)
        sys.stdout.write("\n")
        return code
    print(machine_title(sections))
    for label, value in identity_rows(sections):
        print(f"  {label}: {value}")
    print()
    width = max(len(v.title) for v in verdicts)
    for v in verdicts:
        print(f"{STATUS_WORDS[v.status]:<4}  {v.title:<{width}}  {v.summary}")
        if v.status in (Status.FAIL, Status.WARNING):
            for line in v.evidence:
                print(f"{'':4}  {'':<{width}}  - {line}")
            if v.hint:
                print(f"{'':4}  {'':<{width}}  next: {v.hint}")
    print()
    print(f"Result: {overall(verdicts).value.upper()} ({counts_text(verdicts)})")
    return code
