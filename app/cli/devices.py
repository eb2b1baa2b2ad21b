"""CLI: ``devices`` lists every device; ``drivers`` the driver bindings and the problems (exit 1 with --problems)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hwinspector.cli.main import EXIT_OK, EXIT_PROBLEMS, add_from
from hwinspector.cli.tables import table
from hwinspector.i18n import _, localize, ngettext

if TYPE_CHECKING:
    from hwinspector.probes.machine.snapshot import Snapshot


def register(sub: Any) -> None:
    dev = sub.add_parser("devices", help=_("list every device"))
    add_from(dev)
    dev.add_argument("--json", action="store_true", help=_("machine-readable output"))
    drv = sub.add_parser("drivers", help=_("driver bindings and problems"))
    add_from(drv)
    drv.add_argument("--json", action="store_true", help=_("machine-readable output"))
    drv.add_argument("--problems", action="store_true", help=_("only the problems; exit 1 when there are any"))


def run(args: argparse.Namespace) -> int | None:
    if args.command not in ("devices", "drivers"):
        return None
    from hwinspector.probes.machine.snapshot import load_snapshot

    snap = load_snapshot(args.source, Path(args.sysfs), Path(args.procfs))
    if args.command == "devices":
        return cmd_devices(snap, args.json)
    return cmd_drivers(snap, args.json, args.problems)


def cmd_devices(snap: Snapshot, as_json: bool) -> int:
    if as_json:
        doc = {
            "source": snap.source.to_json(),
            "system": snap.system.to_json(),
            "devices": [d.to_json() for d in snap.devices],
        }
        json.dump(doc, sys.stdout, indent=1, ensure_ascii=False)
        sys.stdout.write("\n")
        return EXIT_OK
    print(_("{n} devices on {label}").format(n=len(snap.devices), label=snap.source.label))
    for note in snap.source.notes:
        print(_("note: {note}").format(note=localize(note)))
    by_kind: dict[str, list[list[str]]] = {}
    for d in snap.devices:
        by_kind.setdefault(d.kind, []).append([d.name, d.subsystem or "", d.driver or "-", d.path])
    for kind in sorted(by_kind):
        print(f"\n{kind} ({len(by_kind[kind])})")
        print(table(sorted(by_kind[kind]), [_("NAME"), _("SUBSYSTEM"), _("DRIVER"), _("PATH")]))
    return EXIT_OK


def cmd_drivers(snap: Snapshot, as_json: bool, problems_only: bool) -> int:
    code = EXIT_PROBLEMS if problems_only and snap.problems else EXIT_OK
    if as_json:
        doc: dict[str, object] = {
            "source": snap.source.to_json(),
            "problems": [p.to_json() for p in snap.problems],
        }
        if not problems_only:
            doc["bindings"] = [b.to_json() for b in snap.bindings if b.devices]
            doc["taint"] = (
                {
                    "value": snap.taint.value,
                    "flags": [c for c, _unused in snap.taint.flags],
                    "crash": snap.taint.crash,
                }
                if snap.taint
                else None
            )
        json.dump(doc, sys.stdout, indent=1, ensure_ascii=False)
        sys.stdout.write("\n")
        return code
    if not problems_only:
        rows = [
            [b.driver, b.module or _("(built-in)"), str(len(b.devices)), b.module_version or ""]
            for b in snap.bindings
            if b.devices
        ]
        print(_("Drivers in use on {label}").format(label=snap.source.label))
        print(table(rows, [_("DRIVER"), _("MODULE"), _("DEVICES"), _("VERSION")]))
        print()
    if not snap.problems:
        print(_("No problems found."))
    else:
        n = len(snap.problems)
        print(ngettext("{n} problem:", "{n} problems:", n).format(n=n))
        rows = [[p.severity, p.kind, p.name or (p.path or ""), localize(p.detail)] for p in snap.problems]
        print(table(rows, [_("SEVERITY"), _("KIND"), _("DEVICE"), _("DETAIL")]))
    return code
