"""Command line: ``hwinspector`` opens the GUI; subcommands print the same data as tables or JSON."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hwinspector import __version__
from hwinspector.cli import remote
from hwinspector.i18n import _, bind_default_domain, localize
from hwinspector.probes.errors import InputFormatError, ProbeUnavailable

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def add_from(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--from",
        dest="source",
        metavar="PATH",
        help=_(
            "read an evidence bundle, a udevadm --export-db dump or a umockdev recording instead of the live machine"
        ),
    )


# The window's options that take a value: with only these (and flags), no command is named.
_GUI_VALUE_OPTIONS = frozenset(
    {"--from", "--host", "--page", "--screenshot", "--size", "--select", "--wait", "--theme"}
)


def names_no_command(argv: Sequence[str]) -> bool:
    """Whether ``argv`` opens the window (only the window's options, no word that could be a command)."""
    value_next = False
    for a in argv:
        if value_next:
            value_next = False
        elif a in ("-h", "--help"):
            return False  # the help lists the commands
        elif a in _GUI_VALUE_OPTIONS:
            value_next = True
        elif not a.startswith("-"):
            return False  # a command, or a mistake the full parser explains
    return True


def build_parser(*, commands: bool = True) -> argparse.ArgumentParser:
    """The whole CLI; ``commands=False``: the window's options only, without importing the commands'
    modules (a tenth of a second before the window starts, issue 18)."""
    parser = argparse.ArgumentParser(
        prog="hwinspector",
        description=_("Linux hardware inspector. Without a command, opens the main window."),
        epilog=_("Exit codes: 0 ok, 1 problems found (where a command checks), 2 bad usage or unreadable input."),
    )
    parser.add_argument("--version", action="version", version=f"hwinspector {__version__}")
    add_from(parser)
    parser.add_argument(
        "--host",
        dest="gui_host",
        metavar="HOST",
        help=_("open the window connected to HOST over ssh (as File → Connect to machine…)"),
    )
    parser.add_argument("--page", metavar="NAME", help=_("page to show first (overview, devices, drivers, …)"))
    parser.add_argument(
        "--screenshot",
        metavar="OUT.png",
        help=_("render the page offscreen to a PNG once it has shown its data, and exit (with --host: that machine)"),
    )
    parser.add_argument("--size", default="1280x800", metavar="WxH", help=_("window size for --screenshot"))
    parser.add_argument("--select", metavar="DEVPATH", help=_("select this device on the page first"))
    parser.add_argument(
        "--wait",
        type=float,
        default=0.0,
        metavar="S",
        help=_("with --screenshot: once the page has shown its data, let it run this many seconds more (live plots)"),
    )
    parser.add_argument(
        "--presentation",
        action="store_true",
        help=_("open the Overview in presentation mode (with --screenshot: render it)"),
    )
    parser.add_argument(
        "--theme",
        choices=("auto", "light", "dark", "high-contrast"),
        default="auto",
        help=_("colour scheme (default: the desktop's, high contrast where it asks for more contrast)"),
    )
    if not commands:
        parser.set_defaults(command=None)
        return parser
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in _command_modules():
        module.register(sub)
    remote.add_host_options(sub)
    add_root_options(sub)
    return parser


def add_root_options(sub: Any) -> None:
    """``--sysfs DIR`` / ``--procfs DIR`` on every command, as node_exporter's --path.sysfs/--path.procfs:
    a container with the host's /sys mounted elsewhere, or a captured tree."""
    for p in sub.choices.values():
        if "--sysfs" not in p._option_string_actions:
            p.add_argument("--sysfs", default="/sys", metavar="DIR", help="read sysfs from DIR instead of /sys")
        if "--procfs" not in p._option_string_actions:
            p.add_argument("--procfs", default="/proc", metavar="DIR", help="read procfs from DIR instead of /proc")


def _command_modules() -> list[Any]:
    """Subcommand groups living in their own modules: each has register(subparsers) and run(args)."""
    from hwinspector.cli import (
        agent,
        av,
        bugreport,
        check,
        devices,
        diff,
        exporter,
        gpu,
        graphics,
        idle,
        report,
        services,
        suspend,
        telemetry,
        usbc,
    )

    return [
        devices,
        telemetry,
        services,
        graphics,
        gpu,
        av,
        usbc,
        idle,
        suspend,
        check,
        report,
        bugreport,
        diff,
        exporter,
        agent,
    ]


def _run_gui(args: argparse.Namespace) -> int:
    # Usage first, before anything is read or rendered.
    if args.gui_host and args.source:
        print(_("hwinspector: --host opens the window on that machine; it takes no --from"), file=sys.stderr)
        return EXIT_USAGE
    size = (0, 0)
    if args.screenshot:
        try:
            w, h = (int(x) for x in args.size.lower().split("x"))
        except ValueError:
            print(
                _("hwinspector: error: --size must be WIDTHxHEIGHT, not {size!r}").format(size=args.size),
                file=sys.stderr,
            )
            return EXIT_USAGE
        size = (w, h)
        # Offscreen must be chosen before the QApplication exists.
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from hwinspector.gui import run_gui, save_screenshot

    if args.screenshot:
        # the source (this machine, a file, or --host over ssh) is read as the window reads it; the
        # picture is taken once the page says its data is on screen
        return save_screenshot(
            args.source,
            args.page or "overview",
            Path(args.screenshot),
            size,
            args.select,
            args.wait,
            theme=args.theme,
            presentation=args.presentation,
            host=args.gui_host,
        )
    return run_gui(
        args.source, args.page, args.select, theme=args.theme, presentation=args.presentation, host=args.gui_host
    )


def main(argv: Sequence[str] | None = None) -> int:
    bind_default_domain()  # argparse's own texts in the user's language
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(commands=not names_no_command(argv))
    args = parser.parse_args(argv)
    try:
        if args.command is None:
            return _run_gui(args)
        if args.gui_host:
            print(
                _("hwinspector: put --host after the command: hwinspector {command} --host HOST").format(
                    command=args.command
                ),
                file=sys.stderr,
            )
            return EXIT_USAGE
        code = remote.run(args, argv, main)
        if code is not None:
            return code
        for module in _command_modules():
            code = module.run(args)
            if code is not None:
                return int(code)
    except (InputFormatError, ProbeUnavailable) as exc:
        print(f"hwinspector: {localize(str(exc))}", file=sys.stderr)
        return EXIT_USAGE
    except BrokenPipeError:
        # `hwinspector devices | head`: the reader went away; that is not an error.
        sys.stderr.close()
        return EXIT_OK
    parser.error(f"unknown command {args.command!r}")
    return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
