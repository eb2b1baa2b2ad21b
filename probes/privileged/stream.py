"""High-rate reads inside the helper, handed to the client in batches.

RAPL energy files are text counters, which is what the native sampler reads (a C thread on absolute
deadlines, no GIL); MSRs are binary registers at a file offset, read by a small thread with pread.
Either way the rows wait in the helper until the client asks for them (``stream_read``).
"""

from __future__ import annotations

import math
import threading
import time
from collections import deque
from collections.abc import Sequence

from hwinspector.probes.privileged.protocol import MAX_ROWS_PER_ANSWER, MSR_MAX_RATE_HZ, RAPL_MAX_RATE_HZ
from hwinspector.probes.privileged.sources import Source
from hwinspector.probes.telemetry.sampler import Sampler

Row = list[float | int | None]


def capped_rate(kind: str, rate_hz: float) -> float:
    return min(rate_hz, RAPL_MAX_RATE_HZ if kind == "rapl" else MSR_MAX_RATE_HZ)


class Stream:
    """One running stream over sources of a single kind; ``drain`` returns rows [t_ns, v1, v2, ...]."""

    def __init__(self, sources: Sequence[Source], rate_hz: float, history_s: float = 30.0) -> None:
        kinds = {s.kind for s in sources}
        if len(kinds) != 1 or not kinds <= {"rapl", "msr"}:
            raise ValueError("a stream takes either RAPL ids or MSR ids, not both and not other kinds")
        self.kind = kinds.pop()
        self.ids = [s.id for s in sources]
        self.rate_hz = capped_rate(self.kind, rate_hz)
        self.backend = "python"
        self._sampler: Sampler | None = None
        self._rows: deque[Row] = deque(maxlen=max(16, math.ceil(self.rate_hz * history_s)))
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        if self.kind == "rapl":
            paths = [s.path for s in sources if s.path is not None]
            self._sampler = Sampler(paths, self.rate_hz, history_s=history_s)
            self.backend = self._sampler.backend
            self._sampler.start()
        else:
            self._sources = list(sources)
            self._thread = threading.Thread(target=self._run, name="msr-stream", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        period = 1.0 / self.rate_hz
        deadline = time.monotonic()
        while not self._stop.is_set():
            row: Row = [time.monotonic_ns()]
            for s in self._sources:
                try:
                    v = s.read()
                    row.append(v if isinstance(v, int) else None)
                except (OSError, ValueError):
                    row.append(None)
            self._rows.append(row)
            deadline += period
            # Absolute deadlines; after a stall, skip the missed ticks instead of bursting.
            now = time.monotonic()
            if deadline < now:
                deadline = now + period
            self._stop.wait(deadline - now)

    def drain(self) -> list[Row]:
        if self._sampler is not None:
            block = self._sampler.drain()
            for t, vals in zip(block.timestamps_ns.tolist(), block.values.tolist(), strict=True):
                self._rows.append([t, *(None if math.isnan(v) else int(v) for v in vals)])
        out: list[Row] = []
        while self._rows and len(out) < MAX_ROWS_PER_ANSWER:
            out.append(self._rows.popleft())
        return out

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
        if self._sampler is not None:
            self._sampler.close()
