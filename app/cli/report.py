"""CLI: ``report`` captures an evidence bundle (a progress line per step), or checks one with ``--verify``."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

from hwinspector.i18n import _, localize
from hwinspector.probes.errors import InputFormatError

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def register(sub: Any) -> None:
    rep = sub.add_parser(
        "report",
        help=_("capture an evidence bundle (.tar.xz), or check one with --verify"),
        description=_(
            "Capture a private, verifiable evidence bundle of this machine: raw tool outputs, our "
            "structured views, an optional telemetry recording, QA notes, summary.html and summary.md."
        ),
    )
    rep.add_argument(
        "-o",
        "--output",
        metavar="FILE.tar.xz",
        help=_("where to write (a folder: the default name in it); default: hwreport-<UTC time>-<random>.tar.xz here"),
    )
    rep.add_argument("--verify", metavar="FILE", help=_("check every checksum of a bundle; exit 1 on a mismatch"))
    rep.add_argument(
        "--note",
        action="append",
        default=[],
        metavar="TEXT",
        help=_("QA notes (repeatable); each is also a marker at the start of the recording"),
    )
    rep.add_argument("--step", action="append", default=[], metavar="TEXT", help=_("a QA step (repeatable, in order)"))
    rep.add_argument("--duration", type=float, metavar="S", help=_("record telemetry for S seconds before collecting"))
    rep.add_argument(
        "--idle",
        type=float,
        metavar="S",
        help=_("first measure an idle window of S seconds (leave the machine alone): adds the idle section"),
    )
    rep.add_argument("--rate", type=float, metavar="HZ", help=_("recording rate for every channel (max 1000)"))
    rep.add_argument("--channels", nargs="+", metavar="GLOB", help=_("channels to record (ids or labels, patterns)"))
    rep.add_argument("--screenshots", action="store_true", help=_("add offscreen screenshots of the main pages"))
    rep.add_argument(
        "--no-redact",
        action="store_true",
        help=_(
            "keep identifying values (serials, MACs, host and "
            "user names…) as read: share such a bundle only with people you trust"
        ),
    )
    rep.add_argument(
        "--relax",
        action="append",
        default=[],
        metavar="CATEGORY",
        help=_("keep one privacy category as read (repeatable), e.g. --relax edid_serial"),
    )
    rep.add_argument("--apport", metavar="FILE", help=_("also write an apport problem report (for ubuntu-bug FILE)"))
    rep.add_argument("--no-gl", action="store_true", help=_("skip our OpenGL and Vulkan probes"))
    rep.add_argument(
        "--command-timeout",
        type=float,
        default=20.0,
        metavar="S",
        help=_("limit for each command (default 20 s); a slower one is killed and marked truncated"),
    )
    rep.add_argument(
        "--key", metavar="FILE", help=_("privacy key file (default ~/.local/share/hwinspector/privacy.key)")
    )
    rep.add_argument("-q", "--quiet", action="store_true", help=_("no progress lines"))


class _ProgressLine:
    """One line per finished step (on a terminal, one line rewritten in place)."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.tty = sys.stderr.isatty()
        self._lock = threading.Lock()  # collectors report from several threads

    def __call__(self, step: Any) -> None:
        if self.quiet or (step.state == "running" and not self.tty):
            return
        detail = f": {step.detail}" if step.detail and step.state != "ok" else ""
        line = f"[{step.done}/{step.total}] {step.name} … {step.state}{detail}"
        text = f"\r\033[K{line[:200]}" + ("" if step.state == "running" else "\n") if self.tty else line + "\n"
        with self._lock:
            sys.stderr.write(text)
            sys.stderr.flush()


def cmd_verify(path: str) -> int:
    from hwinspector.report.open_bundle import verify_bundle

    p = Path(path)
    if not p.is_file():
        print(_("hwinspector: {path}: no such file").format(path=path), file=sys.stderr)
        return EXIT_USAGE
    problems = verify_bundle(p)
    if problems:
        for msg in problems:
            print(f"{path}: {msg}")
        print(_("{path}: FAILED ({n} problems)").format(path=path, n=len(problems)))
        return EXIT_PROBLEMS
    print(_("{path}: OK, every checksum matches").format(path=path))
    return EXIT_OK


def _usage(msg: str) -> int:
    print(f"hwinspector: {localize(msg)}", file=sys.stderr)
    return EXIT_USAGE


def cmd_report(args: argparse.Namespace) -> int:
    from hwinspector.probes.telemetry.session import MAX_USER_RATE_HZ
    from hwinspector.report.apport import write_apport
    from hwinspector.report.assemble import PrivacySetup, build, categories
    from hwinspector.report.capture import Cancelled, CaptureControl, CaptureOptions, RecordingOptions, capture

    if args.rate is not None and not 0 < args.rate <= MAX_USER_RATE_HZ:
        return _usage(_("--rate must be in (0, {MAX_USER_RATE_HZ:g}] Hz").format(MAX_USER_RATE_HZ=MAX_USER_RATE_HZ))
    if args.duration is not None and not args.duration > 0:
        return _usage(_("--duration must be positive"))
    if (args.rate is not None or args.channels) and args.duration is None:
        return _usage(_("--rate and --channels need --duration (the recording's length)"))
    if not args.command_timeout > 0:
        return _usage(_("--command-timeout must be positive"))
    if args.idle is not None and not 1 <= args.idle <= 3600:
        return _usage(_("--idle must be from 1 to 3600 seconds"))
    unknown = sorted(set(args.relax) - set(categories()))
    if unknown:
        return _usage(
            _("unknown privacy category {unknown}; categories: {categories}").format(
                unknown=", ".join(unknown), categories=", ".join(categories())
            )
        )
    if args.no_redact and args.relax:
        return _usage(_("--relax makes no sense with --no-redact (nothing is redacted)"))
    out = Path(args.output) if args.output else None
    if out is not None and not out.is_dir() and not out.name.endswith(".tar.xz"):
        return _usage(_("-o must name a .tar.xz file or a folder"))
    recording = (
        RecordingOptions(args.duration, args.rate, tuple(args.channels or ())) if args.duration is not None else None
    )
    options = CaptureOptions(
        notes="\n\n".join(args.note),
        steps=tuple(args.step),
        markers=tuple(args.note),
        recording=recording,
        idle_s=args.idle,
        include_gl=not args.no_gl,
        command_timeout_s=args.command_timeout,
        sysfs=Path(args.sysfs),
        procfs=Path(args.procfs),
    )
    control = CaptureControl()

    def interrupted(*_unused: object) -> None:
        # The first Ctrl-C ends a running recording (the capture goes on with it); the next one cancels.
        if recording is not None and not control.stop_recording.is_set():
            control.stop_recording.set()
            print(_("\nhwinspector: recording stopped; collecting (Ctrl-C again cancels)"), file=sys.stderr)
        else:
            control.cancel()

    signal.signal(signal.SIGINT, interrupted)
    started = time.monotonic()
    try:
        setup = None if args.no_redact else PrivacySetup.load(options, key_path=Path(args.key) if args.key else None)
    except (OSError, ValueError) as exc:
        return _usage(_("privacy key: {exc}").format(exc=exc))
    if args.no_redact:
        print(_("hwinspector: --no-redact: identifying values stay in the bundle as read"), file=sys.stderr)
    screenshots = None
    if args.screenshots:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")  # before any QApplication exists
        from hwinspector.dialogs.screenshots import render_screenshots

        screenshots = render_screenshots
    try:
        path, collected, red = capture(
            options,
            out,
            privacy=setup,
            relaxed=args.relax,
            progress=_ProgressLine(args.quiet),
            control=control,
            screenshots=screenshots,
        )
    except Cancelled:
        print(_("hwinspector: cancelled; nothing written"), file=sys.stderr)
        return 130
    except OSError as exc:
        return _usage(_("cannot write the bundle: {strerror}").format(strerror=exc.strerror or exc))
    elapsed = time.monotonic() - started
    print(
        _("wrote {path} ({st_size} bytes, {n} artifacts + summaries, {elapsed:.1f} s)").format(
            path=path, st_size=path.stat().st_size, n=len(red.artifacts), elapsed=elapsed
        )
    )
    failed = [a for a in red.artifacts if a.error]
    if failed and not args.quiet:
        print(_("note: {n} collectors reported errors; see manifest.json").format(n=len(failed)), file=sys.stderr)
    if args.apport:
        manifest, artifacts = build(collected, red)
        try:
            ap = write_apport(Path(args.apport), manifest, red.sections, artifacts)
        except OSError as exc:
            return _usage(
                _("cannot write {apport}: {strerror}").format(apport=args.apport, strerror=exc.strerror or exc)
            )
        print(_("wrote {ap} (apport problem report: ubuntu-bug {ap})").format(ap=ap))
    return EXIT_OK


def run(args: argparse.Namespace) -> int | None:
    """Handle the command if it is ours; None otherwise."""
    if args.command != "report":
        return None
    try:
        if args.verify:
            return cmd_verify(args.verify)
        return cmd_report(args)
    except InputFormatError as exc:
        print(f"hwinspector: {localize(str(exc))}", file=sys.stderr)
        return EXIT_USAGE
