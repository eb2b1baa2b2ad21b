"""Telemetry from another machine with the local session's interface: the Telemetry page plots it unchanged.

The target's sampler sends one ``meta`` and then batches; a reader thread moves them into per-group
rings. Target CLOCK_MONOTONIC times are shifted onto this machine's clock at the meta (the link's
latency, milliseconds, is the error), so plots, markers and recordings share one time axis.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from hwinspector.probes.remote.client import Channel as LinkChannel
from hwinspector.probes.remote.client import RemoteError, RemoteLink
from hwinspector.probes.remote.transport import printable
from hwinspector.probes.telemetry.channels import Catalogue, Channel
from hwinspector.probes.telemetry.session import DEFAULT_HISTORY_S, _Ring

Rows = list[tuple[list[Channel], npt.NDArray[np.int64], npt.NDArray[np.float64]]]
MAX_CHANNELS = 4096


def _channel(c: Any) -> Channel | None:
    if not isinstance(c, dict) or not isinstance(c.get("id"), str):
        return None
    rate = c.get("max_rate_hz", c.get("rate_hz"))
    reason = c.get("reason")
    return Channel(
        id=printable(c["id"])[:200],
        label=printable(str(c.get("label", c["id"])))[:200],
        unit=printable(str(c.get("unit", "")))[:20],
        path="",  # on the other machine: never opened here
        scale=1.0,
        max_rate_hz=float(rate) if isinstance(rate, (int, float)) and 0 < rate <= 100_000 else 1.0,
        kind="counter" if c.get("kind") == "counter" else "gauge",
        device=printable(str(c.get("device", "")))[:200],
        readable=c.get("readable", True) is True,
        reason=printable(str(reason))[:300] if reason else None,
    )


def read_remote_catalogue(link: RemoteLink) -> Catalogue:
    """The target's telemetry channels (what its sampler can read)."""
    ch = link.open("catalogue", budget_bytes=16 * 1024 * 1024)
    doc: dict[str, Any] = {}
    for m in ch.messages(timeout_s=60):
        doc = m
    if ch.closed is not None and ch.closed.problem:
        raise RemoteError(ch.closed.problem, ch.closed.message or ch.closed.problem)
    channels = [c for c in (_channel(x) for x in doc.get("channels", [])[:MAX_CHANNELS]) if c is not None]
    unavailable = doc.get("unavailable")
    why = (
        {printable(str(k))[:80]: printable(str(v))[:300] for k, v in unavailable.items()}
        if isinstance(unavailable, dict)
        else {}
    )
    return Catalogue(channels=tuple(channels), unavailable=why)


class RemoteTelemetrySession:
    """Duck-typed TelemetrySession over a link: channels, start/stop/close, poll, series, cost."""

    def __init__(
        self,
        link: RemoteLink,
        channels: Sequence[Channel],
        rate_cap_hz: float | None = None,
        history_s: float = DEFAULT_HISTORY_S,
    ) -> None:
        if not channels:
            raise ValueError("no channels to sample")
        self.link = link
        self.channels = tuple(channels)
        self.rate_cap_hz = rate_cap_hz
        self.history_s = history_s
        self.running = False
        self.notice: str | None = None
        self.backend = f"remote ({link.host})"
        self.error: str | None = None
        self._lock = threading.Lock()
        self._by_id = {c.id: c for c in self.channels}
        self._rings: dict[tuple[str, ...], _Ring] = {}
        self._where: dict[str, tuple[tuple[str, ...], int]] = {}
        self._new: Rows = []
        self._cost: dict[str, float] = {}
        self._offset_ns = 0
        self._stream: LinkChannel | None = None
        self._thread: threading.Thread | None = None
        self.started_monotonic_ns = 0

    def start(self) -> None:
        if self.running:
            return
        self.running = True
        if not self.started_monotonic_ns:
            self.started_monotonic_ns = time.monotonic_ns()
        self._stream = self.link.open(
            "telemetry", channels=[c.id for c in self.channels], rate=self.rate_cap_hz, budget_bytes=1 << 62
        )
        self._thread = threading.Thread(target=self._read, args=(self._stream,), name="remote-telemetry", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.running = False
        if self._stream is not None:
            self._stream.close()
            self._stream = None
        if self._thread is not None:
            self._thread.join(timeout=1)
            self._thread = None

    def close(self) -> None:
        self.stop()

    def _read(self, stream: LinkChannel) -> None:
        try:
            for m in stream.messages():
                kind = m.get("type")
                if kind == "meta":
                    clock = m.get("clock")
                    mono = clock.get("monotonic_ns") if isinstance(clock, dict) else None
                    if isinstance(mono, int):
                        self._offset_ns = time.monotonic_ns() - mono
                    if m.get("notice"):
                        self.notice = printable(str(m["notice"]))[:300]
                    if m.get("backend"):
                        self.backend = f"{self.link.host}: {printable(str(m['backend']))[:40]}"
                elif kind == "data":
                    self._add(m)
                elif kind == "cost":
                    self._cost = {k: float(v) for k, v in m.items() if isinstance(v, (int, float))}
        except RemoteError as exc:
            self.error = exc.message
        closed = stream.closed
        if closed is not None and closed.problem:
            self.error = closed.message or closed.problem
        self.running = False

    def _add(self, m: dict[str, Any]) -> None:
        ids, t, v = m.get("ids"), m.get("t"), m.get("v")
        if not (isinstance(ids, list) and isinstance(t, list) and isinstance(v, list) and t and len(t) == len(v)):
            return
        key = tuple(str(i) for i in ids)
        chans = [self._by_id.get(i) for i in key]
        if any(c is None for c in chans) or not all(isinstance(x, int) for x in t):
            return
        try:
            vals = np.array(
                [[math.nan if x is None else float(x) for x in row] for row in v], dtype=np.float64
            ).reshape(len(t), len(key))
        except (TypeError, ValueError):
            return
        times = np.array(t, dtype=np.int64) + self._offset_ns
        with self._lock:
            self._new.append(([c for c in chans if c is not None], times, vals))

    def poll(self) -> Rows:
        """Move the batches that arrived into the history (on the caller's thread, as the local session
        does, so the views ``series`` hands out never change under a reader) and return them."""
        with self._lock:
            out, self._new = self._new, []
        for chans, times, vals in out:
            key = tuple(c.id for c in chans)
            ring = self._rings.get(key)
            if ring is None:
                rate = max(c.max_rate_hz for c in chans)
                if self.rate_cap_hz:
                    rate = min(rate, self.rate_cap_hz)
                ring = self._rings[key] = _Ring(max(16, int(rate * self.history_s)), len(key))
                for i, cid in enumerate(key):
                    self._where[cid] = (key, i)
            ring.append(times, vals)
        return out

    def series(self, channel_id: str) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
        where = self._where.get(channel_id)
        if where is None:
            return np.empty(0, np.int64), np.empty(0)
        t, v = self._rings[where[0]].ordered()
        return t, v[:, where[1]]

    def cost(self) -> dict[str, float]:
        c = dict(self._cost)
        return {
            "cpu_percent": c.get("cpu_percent", math.nan),
            "lost_ticks": c.get("lost_ticks", 0.0),
            "lost_percent": c.get("lost_percent", 0.0),
            "lateness_p99_us": c.get("lateness_p99_us", math.nan),
        }
