"""High-rate reads inside the helper, handed to the client in batches.

Every kind runs in the native sampler (a C thread on absolute deadlines, no GIL; its pure-Python twin
where the extension cannot load): RAPL energy files as decimal text counters, MSRs as binary
little-endian u64 registers read with pread at the register's offset of /dev/cpu/N/msr, GPU PMU
counters as perf events the helper opens itself (with its CAP_PERFMON). The rows wait in the helper
until the client asks for them (``stream_read``).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Sequence

from hwinspector.probes.errors import ProbeUnavailable
from hwinspector.probes.privileged.protocol import MAX_ROWS_PER_ANSWER, MSR_MAX_RATE_HZ, RAPL_MAX_RATE_HZ
from hwinspector.probes.privileged.sources import Source
from hwinspector.probes.sysfs_attr import errno_name
from hwinspector.probes.telemetry.sampler import CounterSpec, Sampler

Row = list[float | int | None]


def capped_rate(kind: str, rate_hz: float) -> float:
    return min(rate_hz, RAPL_MAX_RATE_HZ if kind == "rapl" else MSR_MAX_RATE_HZ)


def _errno_text(e: int) -> str:
    return errno_name(OSError(e, ""))


class Stream:
    """One running stream over sources of a single kind; ``drain`` returns rows [t_ns, v1, v2, ...]."""

    def __init__(self, sources: Sequence[Source], rate_hz: float, history_s: float = 30.0) -> None:
        kinds = {s.kind for s in sources}
        if len(kinds) != 1 or not kinds <= {"rapl", "msr", "pmu"}:
            raise ValueError("a stream takes RAPL, MSR or PMU ids of one kind, not both and not other kinds")
        self.kind = kinds.pop()
        self.ids = [s.id for s in sources]
        self.rate_hz = min([capped_rate(self.kind, rate_hz), *(s.max_rate_hz for s in sources if s.max_rate_hz)])
        self._rows: deque[Row] = deque(maxlen=max(16, math.ceil(self.rate_hz * history_s)))
        specs: list[CounterSpec] = []
        for s in sources:
            if s.counter is not None:
                specs.append(s.counter)
            elif s.path is None or (self.kind == "msr" and s.offset is None):
                raise ValueError(f"{s.id} cannot be streamed")
            else:
                specs.append(s.path if self.kind == "rapl" or s.offset is None else (s.path, s.offset, "u64"))
        try:
            self._sampler = Sampler(specs, self.rate_hz, history_s=history_s)
        except ProbeUnavailable as exc:
            raise ValueError(exc.reason) from None
        self.backend = self._sampler.backend
        self._sampler.start()

    def open_errors(self) -> dict[str, str]:
        """Why a counter is not open now (an errno name, e.g. ENOENT: the PMU refused the event)."""
        errs = self._sampler.open_errors()
        return {i: _errno_text(e) for i, e in zip(self.ids, errs, strict=True) if e}

    def drain(self) -> list[Row]:
        block = self._sampler.drain()
        # MSRs come exact from the u64 columns (a float64 rounds a TSC above 2**53).
        exact = block.raw.tolist() if block.raw is not None else block.values.tolist()
        for t, vals, ints in zip(block.timestamps_ns.tolist(), block.values.tolist(), exact, strict=True):
            self._rows.append([t, *(None if math.isnan(v) else int(n) for v, n in zip(vals, ints, strict=True))])
        out: list[Row] = []
        while self._rows and len(out) < MAX_ROWS_PER_ANSWER:
            out.append(self._rows.popleft())
        return out

    def close(self) -> None:
        self._sampler.close()
