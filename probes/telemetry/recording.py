"""Telemetry recordings: an append-only, flushed, gzip JSON-lines file that survives being killed; CSV too."""

from __future__ import annotations

import csv
import json
import math
import os
import time
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, Any

import numpy as np
import numpy.typing as npt

from hwinspector.probes.errors import InputFormatError
from hwinspector.probes.telemetry.channels import Channel

FORMAT = "hwinspector-recording"
VERSION = 1
FLUSH_INTERVAL_S = 1.0  # at most this much is lost when the process is killed
MAX_DECOMPRESSED = 1 << 30  # a hostile file must not fill memory
MAX_LINE = 64 << 20
LEGACY_WINDOW_S = 0.25  # residencies of recordings that predate per-channel windows


@dataclass(frozen=True, slots=True)
class RecordedChannel:
    id: str
    label: str
    unit: str
    kind: str
    rate_hz: float
    full_scale: float | None = None  # a residency (share of time): never above this
    window_s: float = 0.0  # what its rate was taken over, at least


@dataclass(frozen=True, slots=True)
class Marker:
    t_ns: int  # CLOCK_MONOTONIC
    note: str


@dataclass(frozen=True, slots=True)
class TimelineEvent:
    t_ns: int  # CLOCK_MONOTONIC
    kind: str  # "udev", "kernel", "profile", "sleep", …
    text: str


@dataclass(frozen=True, slots=True)
class Recording:
    path: str
    channels: tuple[RecordedChannel, ...]
    anchor_monotonic_ns: int
    anchor_realtime_ns: int
    series: dict[str, tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]]
    markers: tuple[Marker, ...] = ()
    events: tuple[TimelineEvent, ...] = ()
    complete: bool = True  # False: the writer did not close it (killed, crashed, disk full)
    warnings: tuple[str, ...] = ()
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def duration_s(self) -> float:
        ends = [t[-1] for t, _ in self.series.values() if len(t)]
        starts = [t[0] for t, _ in self.series.values() if len(t)]
        return (max(ends) - min(starts)) * 1e-9 if ends else 0.0


def _json_list(a: npt.NDArray[np.float64]) -> list[Any]:
    return [None if math.isnan(x) else x for x in a.tolist()]


class RecordingWriter:
    """Writes ``.jsonl.gz`` (or ``.csv``) as rows arrive; every flush leaves a readable file.

    A write error (disk full) stops the recording with ``error`` set and keeps what was written.
    """

    def __init__(
        self,
        path: Path,
        channels: Sequence[Channel],
        rates: Sequence[float],
        *,
        anchor_monotonic_ns: int | None = None,
        anchor_realtime_ns: int | None = None,
        meta: dict[str, Any] | None = None,
    ) -> None:
        self.path = path
        self.csv = path.suffix.lower() == ".csv"
        self.channels = [
            RecordedChannel(c.id, c.label, c.unit, c.kind, r, c.full_scale, c.window_s)
            for c, r in zip(channels, rates, strict=True)
        ]
        self._index = {c.id: i for i, c in enumerate(self.channels)}
        self.anchor_mono = anchor_monotonic_ns if anchor_monotonic_ns is not None else time.monotonic_ns()
        self.anchor_real = anchor_realtime_ns if anchor_realtime_ns is not None else time.time_ns()
        self.error: str | None = None
        self.rows_written = 0
        self._last_flush = time.monotonic()
        self._pending: list[bytes] = []
        # Owner-only: a recording can carry identifiers (device names, serial-bearing labels).
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        self._f: IO[bytes] = os.fdopen(fd, "wb")
        self._z = zlib.compressobj(6, zlib.DEFLATED, 31)
        self._csv_out: Any = None
        header = {
            "type": "header",
            "format": FORMAT,
            "version": VERSION,
            "channels": [
                {
                    "id": c.id,
                    "label": c.label,
                    "unit": c.unit,
                    "kind": c.kind,
                    "rate_hz": c.rate_hz,
                    **({"full_scale": c.full_scale, "window_s": c.window_s} if c.full_scale is not None else {}),
                }
                for c in self.channels
            ],
            "clock": {
                "monotonic_ns": self.anchor_mono,
                "realtime_ns": self.anchor_real,
                "note": "t values are nanoseconds of CLOCK_MONOTONIC since monotonic_ns",
            },
            "meta": meta or {},
        }
        if self.csv:
            self._csv_lines: list[list[str]] = [["time_s", *(f"{c.label} [{c.unit}]" for c in self.channels), "note"]]
        else:
            self._pending.append(json.dumps(header).encode() + b"\n")
        self.flush(sync=True)  # the header is on disk before the first row

    def _t(self, t_ns: int) -> int:
        return t_ns - self.anchor_mono

    def write_rows(self, chans: Sequence[Channel], t_ns: npt.NDArray[np.int64], vals: npt.NDArray[np.float64]) -> None:
        if self.error or not len(t_ns):
            return
        idx = [self._index[c.id] for c in chans if c.id in self._index]
        cols = [i for i, c in enumerate(chans) if c.id in self._index]
        if not idx:
            return
        sub = vals[:, cols]
        if self.csv:
            n = len(self.channels)
            for t, row in zip(t_ns.tolist(), sub.tolist(), strict=True):
                line = [""] * (n + 2)
                line[0] = f"{self._t(t) * 1e-9:.6f}"
                for i, x in zip(idx, row, strict=True):
                    line[i + 1] = "" if math.isnan(x) else repr(x)
                self._csv_lines.append(line)
        else:
            doc = {
                "type": "rows",
                "ch": idx,
                "t": [self._t(t) for t in t_ns.tolist()],
                "v": [_json_list(sub[:, j]) for j in range(sub.shape[1])],
            }
            self._pending.append(json.dumps(doc, allow_nan=False).encode() + b"\n")
        self.rows_written += len(t_ns)
        if time.monotonic() - self._last_flush >= FLUSH_INTERVAL_S:
            self.flush()

    def add_marker(self, t_ns: int, note: str) -> None:
        self._add_note("marker", t_ns, {"note": note})

    def add_event(self, t_ns: int, kind: str, text: str) -> None:
        self._add_note("event", t_ns, {"kind": kind, "text": text})

    def _add_note(self, kind: str, t_ns: int, extra: dict[str, str]) -> None:
        if self.error:
            return
        if self.csv:
            line = [""] * (len(self.channels) + 2)
            line[0] = f"{self._t(t_ns) * 1e-9:.6f}"
            line[-1] = f"{kind}: " + " ".join(extra.values())
            self._csv_lines.append(line)
        else:
            self._pending.append(json.dumps({"type": kind, "t": self._t(t_ns), **extra}).encode() + b"\n")
        self.flush()

    def flush(self, sync: bool = False) -> None:
        """Write what is pending with a gzip sync point, so a reader can decode everything up to here."""
        if self.error:
            return
        try:
            if self.csv:
                if self._csv_out is None:
                    self._csv_out = csv.writer(_TextAdapter(self._f))
                self._csv_out.writerows(self._csv_lines)
                self._csv_lines = []
            else:
                data = b"".join(self._pending)
                self._pending = []
                self._f.write(self._z.compress(data) + self._z.flush(zlib.Z_SYNC_FLUSH))
            self._f.flush()
            if sync:
                os.fsync(self._f.fileno())
        except OSError as exc:
            self.error = f"recording stopped: {exc.strerror or exc}; {self.rows_written} rows before it are kept"
        self._last_flush = time.monotonic()

    def close(self, stats: dict[str, Any] | None = None) -> None:
        if self._f.closed:
            return
        if not self.csv and not self.error:
            self._pending.append(
                json.dumps({"type": "end", "rows": self.rows_written, "stats": stats or {}}).encode() + b"\n"
            )
        self.flush(sync=True)
        try:
            if not self.csv and not self.error:
                self._f.write(self._z.flush(zlib.Z_FINISH))
            self._f.close()
        except OSError as exc:
            self.error = self.error or f"recording not closed cleanly: {exc.strerror or exc}"


class _TextAdapter:
    """csv.writer wants a text file; we keep one binary file for both formats."""

    def __init__(self, f: IO[bytes]) -> None:
        self._f = f

    def write(self, s: str) -> int:
        return self._f.write(s.encode("utf-8"))


def _decompress_tolerant(raw: bytes, source: str) -> tuple[bytes, bool]:
    """Decode a gzip stream as far as it goes: a killed writer leaves no end marker."""
    d = zlib.decompressobj(47)
    out = bytearray()
    pos = 0
    ended = False
    try:
        while pos < len(raw):
            chunk = raw[pos : pos + (1 << 20)]
            pos += len(chunk)
            out += d.decompress(chunk, MAX_DECOMPRESSED - len(out) + 1)
            if len(out) > MAX_DECOMPRESSED:
                raise InputFormatError(source, "decompresses to more than 1 GiB; refused")
            if d.eof:
                ended = True
                break
    except zlib.error as exc:
        if not out:
            raise InputFormatError(source, f"not a gzip recording ({exc})") from None
    return bytes(out), ended


def _recorded_channel(c: Any) -> RecordedChannel:
    full = c.get("full_scale")
    return RecordedChannel(
        str(c["id"]),
        str(c["label"]),
        str(c["unit"]),
        str(c["kind"]),
        float(c["rate_hz"]),
        None if full is None else float(full),
        float(c.get("window_s") or 0.0),
    )


def _rederive_residency(
    t_ns: npt.NDArray[np.int64], rates: npt.NDArray[np.float64], rate_hz: float
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
    """A residency recorded as per-row rates over too short a window (a version before windows were
    tied to the counter's step): the rates, integrated back into a running total, become shares of
    time over LEGACY_WINDOW_S, as the live session derives them now."""
    from hwinspector.probes.telemetry.session import counters_to_rates

    if len(t_ns) < 2:
        return t_ns, np.clip(rates, 0.0, 100.0)
    dt = np.diff(t_ns) * 1e-9
    step = np.where(np.isfinite(rates[1:]), rates[1:], 0.0) * dt
    totals = np.concatenate(([0.0], np.cumsum(step)))
    totals[1:][~np.isfinite(rates[1:])] = np.nan  # a gap stays a gap
    span = max(1, round(LEGACY_WINDOW_S * rate_hz))
    out = counters_to_rates(t_ns, totals, None, None, span, 100.0)
    out[0] = np.nan
    return t_ns, out


def read_recording(path: Path) -> Recording:
    """Read a recording, as much of it as survived; raises InputFormatError for what is not one."""
    name = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputFormatError(name, f"cannot read: {exc.strerror or exc}") from None
    if raw[:2] != b"\x1f\x8b":
        raise InputFormatError(name, "not a hwinspector recording (.jsonl.gz); CSV exports are for spreadsheets")
    text, ended = _decompress_tolerant(raw, name)
    lines = text.split(b"\n")
    warnings: list[str] = []
    if lines and lines[-1]:
        warnings.append("the last line was cut off (the recording was interrupted)")
    lines = lines[:-1]
    if not lines:
        raise InputFormatError(name, "empty recording: no header")
    try:
        header = json.loads(lines[0])
    except ValueError:
        raise InputFormatError(name, "first line is not a JSON header", 1) from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise InputFormatError(name, "not a hwinspector recording (wrong header)", 1)
    if header.get("version") != VERSION:
        raise InputFormatError(name, f"recording format version {header.get('version')!r} is not supported", 1)
    try:
        channels = tuple(_recorded_channel(c) for c in header["channels"])
        anchor_m = int(header["clock"]["monotonic_ns"])
        anchor_r = int(header["clock"]["realtime_ns"])
    except (KeyError, TypeError, ValueError):
        raise InputFormatError(name, "header lacks channels or clock", 1) from None
    ts: list[list[int]] = [[] for _ in channels]
    vs: list[list[float]] = [[] for _ in channels]
    markers: list[Marker] = []
    events: list[TimelineEvent] = []
    complete = False
    for n, line in enumerate(lines[1:], 2):
        if len(line) > MAX_LINE:
            raise InputFormatError(name, "line longer than 64 MiB", n)
        try:
            doc = json.loads(line)
            kind = doc["type"]
            if kind == "rows":
                t = [int(x) + anchor_m for x in doc["t"]]
                for j, ci in enumerate(doc["ch"]):
                    col = doc["v"][j]
                    if len(col) != len(t):
                        raise ValueError("column length")
                    ts[ci].extend(t)
                    vs[ci].extend(math.nan if x is None else float(x) for x in col)
            elif kind == "marker":
                markers.append(Marker(int(doc["t"]) + anchor_m, str(doc["note"])))
            elif kind == "event":
                events.append(TimelineEvent(int(doc["t"]) + anchor_m, str(doc["kind"]), str(doc["text"])))
            elif kind == "end":
                complete = True
        except (ValueError, KeyError, TypeError, IndexError):
            raise InputFormatError(name, "malformed record line", n) from None
    if not complete:
        warnings.append("no end record: the recording was interrupted; everything up to the last flush is here")
    elif not ended:
        warnings.append("the gzip stream ends early")
    series = {c.id: (np.asarray(ts[i], np.int64), np.asarray(vs[i], np.float64)) for i, c in enumerate(channels)}
    rederived = []
    for i, c in enumerate(channels):
        if c.full_scale is not None:
            t_arr, v_arr = series[c.id]
            series[c.id] = (t_arr, np.clip(v_arr, 0.0, c.full_scale))  # NaN stays NaN
        elif c.kind == "counter" and c.unit == "%":
            series[c.id] = _rederive_residency(*series[c.id], c.rate_hz)
            channels = (*channels[:i], replace(c, full_scale=100.0, window_s=LEGACY_WINDOW_S), *channels[i + 1 :])
            rederived.append(c.id)
    if rederived:
        warnings.append(
            f"{len(rederived)} residency channel(s) were recorded over windows shorter than their counters' "
            f"steps (impossible values above 100 %); shown as shares over {LEGACY_WINDOW_S:g} s windows"
        )
    return Recording(
        name,
        channels,
        anchor_m,
        anchor_r,
        series,
        tuple(markers),
        tuple(events),
        complete,
        tuple(warnings),
        dict(header.get("meta") or {}),
    )
