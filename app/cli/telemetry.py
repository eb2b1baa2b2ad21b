"""CLI: ``telemetry`` lists every channel with a reading; ``record`` samples them to a file headless."""

from __future__ import annotations

import argparse
import json
import signal
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hwinspector.i18n import _, localize
from hwinspector.probes.errors import InputFormatError

if TYPE_CHECKING:
    from hwinspector.probes.telemetry.channels import Channel
    from hwinspector.probes.telemetry.recording import Recording

COUNTER_INTERVAL_S = 0.25


def register(sub: Any) -> None:
    tel = sub.add_parser("telemetry", help=_("list every telemetry channel with a current reading"))
    tel.add_argument("--json", action="store_true", help=_("machine-readable output"))
    tel.add_argument(
        "--from", dest="source", metavar="RECORDING", help=_("list the channels of a recording (or a bundle's) instead")
    )
    rec = sub.add_parser("record", help=_("record telemetry channels to a file (.jsonl.gz or .csv)"))
    rec.add_argument(
        "--rate",
        type=float,
        metavar="HZ",
        help=_("sampling rate for every channel (max 1000); default: each channel's sensible maximum"),
    )
    rec.add_argument("--duration", type=float, required=True, metavar="S", help=_("seconds to record"))
    rec.add_argument(
        "--channels",
        nargs="+",
        metavar="GLOB",
        help=_(
            "channel ids or labels (shell patterns); "
            "default: package power, CPU temperature, per-core frequency, battery power"
        ),
    )
    rec.add_argument("-o", "--output", required=True, metavar="FILE", help=_("FILE.jsonl.gz (replayable) or FILE.csv"))
    rec.add_argument(
        "--note", action="append", default=[], metavar="TEXT", help=_("a marker at the start (repeatable)")
    )


def _channel_json(ch: Channel, value: float | None, why: str | None) -> dict[str, Any]:
    return {
        "id": ch.id,
        "label": ch.label,
        "unit": ch.unit,
        "kind": ch.kind,
        "source": ch.path,
        "max_rate_hz": ch.max_rate_hz,
        "device": ch.device,
        "readable": ch.readable,
        "reason": ch.reason if not ch.readable else why,
        "value": value,
    }


def _recording_from(path: Path) -> Recording:
    """A recording file, or the recording inside an evidence bundle."""
    from hwinspector.probes.bundle.reader import is_bundle
    from hwinspector.probes.telemetry.recording import read_recording

    if path.is_file() and is_bundle(path):
        from hwinspector.report.open_bundle import load_recording

        rec = load_recording(path)
        if rec is None:
            raise InputFormatError(str(path), _("this bundle holds no telemetry recording"))
        return rec
    return read_recording(path)


def cmd_telemetry(args: argparse.Namespace) -> int:
    from hwinspector.probes.telemetry.channels import read_catalogue, read_channel_values
    from hwinspector.probes.telemetry.session import share_of_time

    if args.source:
        rec = _recording_from(Path(args.source))
        rows = [
            {
                "id": c.id,
                "label": c.label,
                "unit": c.unit,
                "kind": c.kind,
                "rate_hz": c.rate_hz,
                "samples": len(rec.series[c.id][0]),
                "last": (float(rec.series[c.id][1][-1]) if len(rec.series[c.id][1]) else None),
            }
            for c in rec.channels
        ]
        if args.json:
            json.dump(
                {
                    "source": {
                        "kind": "recording",
                        "path": args.source,
                        "complete": rec.complete,
                        "warnings": list(rec.warnings),
                        "duration_s": rec.duration_s,
                    },
                    "channels": rows,
                },
                sys.stdout,
                indent=1,
                allow_nan=False,
                default=str,
            )
            sys.stdout.write("\n")
            return 0
        print(
            _("{source}: {n} channels, {duration_s:.1f} s, {n2} markers").format(
                source=args.source, n=len(rows), duration_s=rec.duration_s, n2=len(rec.markers)
            )
        )
        for w in rec.warnings:
            print(_("note: {note}").format(note=localize(w)))
        for r in rows:
            last = "-" if r["last"] is None else f"{r['last']:.4g}"
            print(
                _("  {id:40} {samples:>8} samples  last {last} {unit}").format(
                    id=r["id"], samples=r["samples"], last=last, unit=r["unit"]
                )
            )
        return 0
    cat = read_catalogue(Path(args.sysfs))
    readable = [c for c in cat.channels if c.readable]
    # A counter's reading is a running total: its value is the rate between two readings.
    t1, first = time.monotonic(), {r.id: r for r in read_channel_values(readable)}
    counters = [c for c in readable if c.kind == "counter"]
    if counters:
        # a residency moving in steps needs its own window (cpuidle: 0.25 s) to be a share of time
        time.sleep(max(COUNTER_INTERVAL_S, *(c.window_s for c in counters)))
    t2, second = time.monotonic(), {r.id: r for r in read_channel_values(readable)}
    out = []
    for ch in cat.channels:
        a, b = first.get(ch.id), second.get(ch.id)
        value = b.value if b is not None else None
        why = b.reason if b is not None else None
        if ch.kind == "counter" and a is not None and b is not None:
            value = None
            if a.value is not None and b.value is not None:
                delta = b.value - a.value
                if delta < 0 and ch.wrap_raw:
                    delta += ch.wrap_raw * ch.scale
                if delta < 0:
                    value = None
                elif ch.full_scale is not None:
                    value = float(share_of_time(delta, t2 - t1, ch.full_scale))
                else:
                    value = delta / (t2 - t1)
                why = None if value is not None else _("counter went backwards (reset)")
        out.append(_channel_json(ch, value, why))
    if args.json:
        json.dump(
            {"source": {"kind": "live"}, "channels": out, "unavailable": dict(cat.unavailable)}, sys.stdout, indent=1
        )
        sys.stdout.write("\n")
        return 0
    if not out:
        print(_("No telemetry channels on this machine."))
    for name, why in cat.unavailable.items():
        print(_("{name}: not available: {why}").format(name=name, why=why))
    for c in out:
        if not c["readable"]:
            shown = _("not readable: {reason}").format(reason=c["reason"])
        elif c["value"] is None:
            shown = _("no reading: {reason}").format(reason=c["reason"])
        else:
            shown = f"{c['value']:.6g} {c['unit']}"
        print(
            _("{id:40} {label:40} {max_rate_hz:>7g} Hz  {shown}").format(
                id=c["id"], label=c["label"][:40], max_rate_hz=c["max_rate_hz"], shown=shown
            )
        )
    return 0


FALLBACK_CHANNELS = 8  # without --channels and none of the defaults readable: the first few readable ones


def default_record_channels(readable: list[Channel], defaults: list[Channel]) -> tuple[list[Channel], str]:
    """What ``record`` samples without --channels, and why, in words for the user (empty: nothing readable)."""
    if defaults:
        return defaults, _("the default channels; choose others with --channels GLOB")
    if readable:
        chosen = readable[:FALLBACK_CHANNELS]
        return chosen, (
            _(
                "none of the default channels (RAPL package power, CPU temperature, CPU frequency) is "
                "readable here: the first {n} of {n2} readable channels instead; choose with --channels "
                "GLOB"
            ).format(n=len(chosen), n2=len(readable))
        )
    return [], (
        _(
            "no readable telemetry channel on this machine (looked for RAPL power, hwmon sensors, batteries, "
            "cpufreq, cpuidle, thermal zones and GPU counters); `hwinspector telemetry` says why each is missing"
        )
    )


def cmd_record(args: argparse.Namespace) -> int:
    from hwinspector.probes.telemetry.channels import read_catalogue
    from hwinspector.probes.telemetry.recording import RecordingWriter
    from hwinspector.probes.telemetry.session import (
        MAX_USER_RATE_HZ,
        TelemetrySession,
        default_selection,
        select_channels,
    )

    if args.rate is not None and not 0 < args.rate <= MAX_USER_RATE_HZ:
        print(
            _("hwinspector: --rate must be in (0, {MAX_USER_RATE_HZ:g}] Hz").format(MAX_USER_RATE_HZ=MAX_USER_RATE_HZ),
            file=sys.stderr,
        )
        return 2
    if not args.duration > 0:
        print(_("hwinspector: --duration must be positive"), file=sys.stderr)
        return 2
    out = Path(args.output)
    if not (out.name.endswith(".jsonl.gz") or out.suffix.lower() == ".csv"):
        print(_("hwinspector: -o must end in .jsonl.gz or .csv"), file=sys.stderr)
        return 2
    catalogue = read_catalogue(Path(args.sysfs))
    channels = [c for c in catalogue.channels if c.readable]
    if args.channels:
        chosen = select_channels(channels, args.channels)
        if not chosen:
            print(
                _("hwinspector: no readable channel matches {channels}").format(channels=" ".join(args.channels)),
                file=sys.stderr,
            )
            return 2
    else:
        chosen, why = default_record_channels(channels, default_selection(channels))
        if not chosen:
            print(f"hwinspector: {localize(why)}", file=sys.stderr)
            return 2
        print(_("recording {value} ({why})").format(value=", ".join(c.id for c in chosen), why=why), file=sys.stderr)
    session = TelemetrySession(chosen, args.rate, history_s=2.0)
    rates = [args.rate or c.max_rate_hz for c in chosen]
    try:
        writer = RecordingWriter(out, chosen, rates, meta={"generator": "hwinspector record"})
    except OSError as exc:
        print(
            _("hwinspector: cannot write {out}: {strerror}").format(out=out, strerror=exc.strerror or exc),
            file=sys.stderr,
        )
        return 2
    stop = False

    def _stop(*_unused: object) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    if session.notice:
        print(f"note: {session.notice}", file=sys.stderr)
    session.start()
    for note in args.note:
        writer.add_marker(time.monotonic_ns(), note)
    t0 = time.monotonic()
    tty = sys.stderr.isatty()
    last_line = 0.0
    try:
        while not stop and (elapsed := time.monotonic() - t0) < args.duration:
            time.sleep(min(0.1, max(0.0, args.duration - elapsed)))
            for chans, t, v in session.poll():
                writer.write_rows(chans, t, v)
            if writer.error:
                print(f"\nhwinspector: {writer.error}", file=sys.stderr)
                break
            if time.monotonic() - last_line >= (0.2 if tty else 5.0):
                last_line = time.monotonic()
                cost = session.cost()
                line = _(
                    "recording {n} channels: {elapsed:5.1f}/{duration:g} s, {rows_written} rows, lost "
                    "{lost_ticks:.0f} ticks, sampler CPU {cpu_percent:.1f}%"
                ).format(
                    n=len(chosen),
                    elapsed=min(elapsed, args.duration),
                    duration=args.duration,
                    rows_written=writer.rows_written,
                    lost_ticks=cost["lost_ticks"],
                    cpu_percent=cost["cpu_percent"],
                )
                print(("\r" + line) if tty else line, end="" if tty else "\n", file=sys.stderr, flush=True)
        session.stop()
        for chans, t, v in session.poll():
            writer.write_rows(chans, t, v)
    finally:
        cost = session.cost()
        session.close()
        writer.close({k: round(v, 3) for k, v in cost.items()})
    if tty:
        print(file=sys.stderr)
    print(
        _("wrote {out}: {rows_written} rows of {n} channels").format(
            out=out, rows_written=writer.rows_written, n=len(chosen)
        )
        + (f" ({writer.error})" if writer.error else "")
    )
    return 1 if writer.error else 0


def run(args: argparse.Namespace) -> int | None:
    """Handle the command if it is one of ours; None otherwise."""
    try:
        if args.command == "telemetry":
            return cmd_telemetry(args)
        if args.command == "record":
            return cmd_record(args)
    except InputFormatError as exc:
        print(f"hwinspector: {localize(str(exc))}", file=sys.stderr)
        return 2
    return None
