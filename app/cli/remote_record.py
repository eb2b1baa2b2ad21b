"""CLI: ``record --host HOST``: the target's sampler streams batches; the recording is written here as they come.

A link that drops mid-recording leaves the file readable up to the cut (the writer flushes every
batch's rows), and the command says so and exits 2.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from hwinspector.i18n import _
from hwinspector.probes.remote.client import RemoteLink
from hwinspector.probes.remote.transport import printable
from hwinspector.probes.telemetry.channels import Channel
from hwinspector.probes.telemetry.recording import RecordingWriter

MAX_USER_RATE_HZ = 1000.0
MAX_CHANNELS = 4096


def _channels(meta: dict[str, Any]) -> list[Channel]:
    out = []
    seen: set[str] = set()
    for c in meta.get("channels", [])[:MAX_CHANNELS]:
        if not isinstance(c, dict) or not isinstance(c.get("id"), str) or c["id"] in seen:
            continue
        rate = c.get("rate_hz")
        seen.add(c["id"])
        out.append(
            Channel(
                id=printable(c["id"])[:200],
                label=printable(str(c.get("label", c["id"])))[:200],
                unit=printable(str(c.get("unit", "")))[:20],
                path="",
                scale=1.0,
                max_rate_hz=float(rate) if isinstance(rate, (int, float)) and 0 < rate <= 100_000 else 1.0,
                kind="counter" if c.get("kind") == "counter" else "gauge",
                device=printable(str(c.get("device", "")))[:200],
                readable=True,
                reason=None,
            )
        )
    return out


def _rows(m: dict[str, Any], by_id: dict[str, Channel]) -> tuple[list[Channel], Any, Any] | None:
    ids, t, v = m.get("ids"), m.get("t"), m.get("v")
    if not (isinstance(ids, list) and isinstance(t, list) and isinstance(v, list) and len(t) == len(v)):
        return None
    chans = [by_id.get(i) if isinstance(i, str) else None for i in ids]
    if not t or any(c is None for c in chans) or not all(isinstance(x, int) for x in t):
        return None
    try:
        vals = np.array([[math.nan if x is None else float(x) for x in row] for row in v], dtype=np.float64).reshape(
            len(t), len(chans)
        )
    except (TypeError, ValueError):
        return None
    return [c for c in chans if c is not None], np.array(t, dtype=np.int64), vals


def record(link: RemoteLink, args: argparse.Namespace) -> int:
    host = link.host
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
    ch = link.open("telemetry", channels=args.channels, rate=args.rate, budget_bytes=1 << 62)
    writer: RecordingWriter | None = None
    by_id: dict[str, Channel] = {}
    started = 0.0
    stopping = False
    garbled = 0
    try:
        for m in ch.messages(timeout_s=None):
            kind = m.get("type")
            if kind == "meta" and writer is None:
                chans = _channels(m)
                given = m.get("clock")
                clock: dict[str, Any] = given if isinstance(given, dict) else {}
                mono, real = clock.get("monotonic_ns"), clock.get("realtime_ns")
                if not chans or not isinstance(mono, int) or not isinstance(real, int):
                    print(
                        _("hwinspector: {host}: the agent described no usable channel").format(host=host),
                        file=sys.stderr,
                    )
                    return 2
                by_id = {c.id: c for c in chans}
                try:
                    writer = RecordingWriter(
                        out,
                        chans,
                        [c.max_rate_hz for c in chans],
                        anchor_monotonic_ns=mono,
                        anchor_realtime_ns=real,
                        meta={
                            "generator": "hwinspector record --host",
                            "host": host,
                            "backend": printable(str(m.get("backend", "")))[:80],
                        },
                    )
                except OSError as exc:
                    print(
                        _("hwinspector: cannot write {out}: {strerror}").format(out=out, strerror=exc.strerror or exc),
                        file=sys.stderr,
                    )
                    return 2
                if m.get("notice"):
                    print(f"note: {printable(str(m['notice']))[:300]}", file=sys.stderr)
                for note in args.note:
                    writer.add_marker(mono, note)
                started = time.monotonic()
            elif kind == "data" and writer is not None:
                rows = _rows(m, by_id)
                if rows is None:
                    garbled += 1
                    continue
                writer.write_rows(*rows)
                writer.flush()
                if writer.error:
                    print(f"hwinspector: {writer.error}", file=sys.stderr)
                    ch.close()
            if not stopping and writer is not None and time.monotonic() - started >= args.duration:
                stopping = True
                ch.close()
    finally:
        if writer is not None:
            writer.close({"host": host})
    why = ch.closed.message or ch.closed.problem if ch.closed and ch.closed.problem else None
    if writer is None:
        print(_("hwinspector: {host}: {why}").format(host=host, why=why or "no telemetry came back"), file=sys.stderr)
        return 2
    rows_note = _("{rows_written} rows of {n} channels").format(rows_written=writer.rows_written, n=len(by_id))
    if garbled:
        print(
            _("note: {garbled} damaged batches from {host} were left out").format(garbled=garbled, host=host),
            file=sys.stderr,
        )
    if why is not None:
        print(
            _(
                "hwinspector: {host}: {why}; {out} holds the {rows_note} recorded up to the cut ({monotonic:.1f} s)"
            ).format(host=host, why=why, out=out, rows_note=rows_note, monotonic=time.monotonic() - started),
            file=sys.stderr,
        )
        return 2
    print(_("wrote {out}: {rows_note} (sampled on {host})").format(out=out, rows_note=rows_note, host=host))
    return 1 if writer.error else 0
