"""Command line: ``hwinspector`` opens the GUI; subcommands print the same data as tables or JSON."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hwinspector import __version__
from hwinspector.cli import remote
from hwinspector.probes.errors import InputFormatError, ProbeUnavailable
from hwinspector.probes.machine.snapshot import Snapshot, load_snapshot

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def _add_from(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--from",
        dest="source",
        metavar="PATH",
        help="read an evidence bundle, a udevadm --export-db dump or a umockdev recording instead of the live machine",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hwinspector",
        description="Linux hardware inspector. Without a command, opens the main window.",
        epilog="Exit codes: 0 ok, 1 problems found (where a command checks), 2 bad usage or unreadable input.",
    )
    parser.add_argument("--version", action="version", version=f"hwinspector {__version__}")
    _add_from(parser)
    parser.add_argument(
        "--host",
        dest="gui_host",
        metavar="HOST",
        help="open the window connected to HOST over ssh (as File → Connect to machine…)",
    )
    parser.add_argument("--page", metavar="NAME", help="page to show first (overview, devices, drivers, …)")
    parser.add_argument("--screenshot", metavar="OUT.png", help="render the page offscreen to a PNG and exit")
    parser.add_argument("--size", default="1280x800", metavar="WxH", help="window size for --screenshot")
    parser.add_argument("--select", metavar="DEVPATH", help="select this device on the page first")
    parser.add_argument(
        "--wait",
        type=float,
        default=0.0,
        metavar="S",
        help="with --screenshot: let the page run this many seconds first (live plots)",
    )
    parser.add_argument(
        "--presentation",
        action="store_true",
        help="open the Overview in presentation mode (with --screenshot: render it)",
    )
    parser.add_argument(
        "--theme", choices=("auto", "light", "dark"), default="auto", help="colour scheme (default: the desktop's)"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    dev = sub.add_parser("devices", help="list every device")
    _add_from(dev)
    dev.add_argument("--json", action="store_true", help="machine-readable output")
    drv = sub.add_parser("drivers", help="driver bindings and problems")
    _add_from(drv)
    drv.add_argument("--json", action="store_true", help="machine-readable output")
    drv.add_argument("--problems", action="store_true", help="only the problems; exit 1 when there are any")
    for module in _command_modules():
        module.register(sub)
    remote.add_host_options(sub)
    return parser


def _command_modules() -> list[Any]:
    """Subcommand groups living in their own modules: each has register(subparsers) and run(args)."""
    from hwinspector.cli import agent, check, diff, graphics, report, services, telemetry

    return [telemetry, services, graphics, check, report, diff, agent]


def _load(source: str | None) -> Snapshot:
    return load_snapshot(source)


def _table(rows: Sequence[Sequence[str]], headers: Sequence[str]) -> str:
    widths = [len(h) for h in headers]
    for r in rows:
        widths = [max(w, len(c)) for w, c in zip(widths, r, strict=True)]
    widths[-1] = 0  # the last column is not padded
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    lines = [fmt.format(*headers).rstrip(), fmt.format(*("-" * len(h) for h in headers)).rstrip()]
    lines += [fmt.format(*r).rstrip() for r in rows]
    return "\n".join(lines)


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
    print(f"{len(snap.devices)} devices on {snap.source.label}")
    for note in snap.source.notes:
        print(f"note: {note}")
    by_kind: dict[str, list[list[str]]] = {}
    for d in snap.devices:
        by_kind.setdefault(d.kind, []).append([d.name, d.subsystem or "", d.driver or "-", d.path])
    for kind in sorted(by_kind):
        print(f"\n{kind} ({len(by_kind[kind])})")
        print(_table(sorted(by_kind[kind]), ["NAME", "SUBSYSTEM", "DRIVER", "PATH"]))
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
                    "flags": [c for c, _ in snap.taint.flags],
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
            [b.driver, b.module or "(built-in)", str(len(b.devices)), b.module_version or ""]
            for b in snap.bindings
            if b.devices
        ]
        print(f"Drivers in use on {snap.source.label}")
        print(_table(rows, ["DRIVER", "MODULE", "DEVICES", "VERSION"]))
        print()
    if not snap.problems:
        print("No problems found.")
    else:
        print(f"{len(snap.problems)} problem(s):")
        rows = [[p.severity, p.kind, p.name or (p.path or ""), p.detail] for p in snap.problems]
        print(_table(rows, ["SEVERITY", "KIND", "DEVICE", "DETAIL"]))
    return code


def _run_gui(args: argparse.Namespace) -> int:
    if args.screenshot:
        # Offscreen must be chosen before the QApplication exists.
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from hwinspector.gui import run_gui, save_screenshot

    if args.screenshot:
        try:
            w, h = (int(x) for x in args.size.lower().split("x"))
        except ValueError:
            print(f"hwinspector: error: --size must be WIDTHxHEIGHT, not {args.size!r}", file=sys.stderr)
            return EXIT_USAGE
        snap = _load(args.source)
        return save_screenshot(
            snap,
            args.page or "overview",
            Path(args.screenshot),
            (w, h),
            args.select,
            args.wait,
            theme=args.theme,
            presentation=args.presentation,
        )
    if args.gui_host and (args.source or args.screenshot):
        print(
            "hwinspector: --host opens the window on that machine; it takes no --from or --screenshot", file=sys.stderr
        )
        return EXIT_USAGE
    return run_gui(
        args.source, args.page, args.select, theme=args.theme, presentation=args.presentation, host=args.gui_host
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(argv)
    try:
        if args.command is None:
            return _run_gui(args)
        if args.gui_host:
            print(f"hwinspector: put --host after the command: hwinspector {args.command} --host HOST", file=sys.stderr)
            return EXIT_USAGE
        code = remote.run(args, argv, main)
        if code is not None:
            return code
        for module in _command_modules():
            code = module.run(args)
            if code is not None:
                return int(code)
        snap = _load(args.source)
        if args.command == "devices":
            return cmd_devices(snap, args.json)
        if args.command == "drivers":
            return cmd_drivers(snap, args.json, args.problems)
    except (InputFormatError, ProbeUnavailable) as exc:
        print(f"hwinspector: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        # `hwinspector devices | head`: the reader went away; that is not an error.
        sys.stderr.close()
        return EXIT_OK
    parser.error(f"unknown command {args.command!r}")
    return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
