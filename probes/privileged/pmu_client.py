"""The helper's GPU PMU stream seen as one more sampler: the window's side of pmu_stream_start."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from hwinspector.i18n import _
from hwinspector.probes.privileged.client import HelperClient
from hwinspector.probes.telemetry.channels import Channel
from hwinspector.probes.telemetry.perf import parse_perf_path
from hwinspector.probes.telemetry.sampler import SampleBlock, SamplerStats


class HelperPmuSampler:
    """PMU channels the session may not open itself (perf_event_paranoid), counted by the helper.

    It has the telemetry Sampler's interface (start, stop, close, drain, stats, backend, notice), so a
    session keeps these rows beside its own: the helper sends raw integer counts (a running total, a
    delta per read, accumulated ns for a ratio: the same columns the local sampler gives), scaled here by
    each channel's ``scale`` exactly as the local sampler's are. ``open_errors`` holds the errno name of
    each counter the helper could not open; ``rate_hz`` the rate it granted (capped: 200 Hz, energy 20).
    """

    backend = "helper"

    def __init__(self, client: HelperClient, channels: Sequence[Channel], rate_hz: float) -> None:
        counters = [parse_perf_path(c.path) for c in channels]
        if not channels or None in counters:
            raise ValueError("HelperPmuSampler takes PMU channels (perf: paths) only")
        # a delta has no value at its first read: not an error
        self._delta = np.array([c is not None and c.mode == "delta" for c in counters])
        self._first = True
        self.client = client
        self.channels = list(channels)
        self.requested_hz = rate_hz
        self.rate_hz = rate_hz
        self.notice: str | None = None
        self.open_errors: dict[str, str] = {}
        self._scale = np.array([c.scale for c in self.channels], np.float64)
        self._running = False
        self._ticks = self._errors = 0
        self._errors_by_channel = [0] * len(self.channels)

    def start(self) -> None:
        """Ask the helper to open the counters; raises HelperRefused (e.g. an id it does not offer)."""
        if self._running:
            return
        answer = self.client.request(
            "pmu_stream_start", ids=[c.id for c in self.channels], rate_hz=float(self.requested_hz)
        )
        self.rate_hz = float(answer["rate_hz"])
        self.open_errors = dict(answer.get("open_errors", {}))
        if answer.get("capped"):
            self.notice = _("the helper samples these counters at {rate:g} Hz at most").format(rate=self.rate_hz)
        self._running = True
        self._first = True

    def stop(self) -> None:
        if self._running:
            self._running = False
            self.client.request("stream_stop")

    close = stop

    def drain(self) -> SampleBlock:
        rows: list[list[int | None]] = []
        if self._running:
            rows = self.client.request("stream_read")["rows"]
        n, w = len(rows), len(self.channels)
        t = np.array([r[0] for r in rows], np.int64)
        raw = np.array([[math.nan if v is None else v for v in r[1:]] for r in rows], np.float64).reshape(n, w)
        missing = np.isnan(raw)
        exact = np.where(missing, 0, raw).astype(np.uint64)
        if n and self._first:
            missing[0] &= ~self._delta
            self._first = False
        self._ticks += n
        self._errors += int(missing.sum())
        for i, k in enumerate(missing.sum(axis=0).tolist() if n else []):
            self._errors_by_channel[i] += int(k)
        return SampleBlock(t, raw * self._scale, self.stats, self.backend, exact)

    @property
    def stats(self) -> SamplerStats:
        """What this side can know: rows received and the values missing in them (the helper keeps its timing)."""
        return SamplerStats(
            ticks=self._ticks,
            late_ticks=0,
            missed_ticks=0,
            overwritten=0,
            read_errors=self._errors,
            read_errors_by_channel=tuple(self._errors_by_channel),
            lateness_p50_ns=0,
            lateness_p99_ns=0,
            cpu_seconds=0.0,
            realtime=False,
        )
