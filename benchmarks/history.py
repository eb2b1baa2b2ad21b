"""Benchmark: moving the telemetry history to the front of its buffer (once per slack's worth of rows).

At 64 channels x 1 kHz x 10 minutes the history is 600,000 rows (300 MB). The baseline in the same run is
a plain numpy slice assignment, which copies overlapping source and destination through a temporary
as large as the history; ours moves it in non-overlapping blocks. The move runs on the GUI thread, so
its time is a stall of the window. The baseline's first run also maps and faults in its temporary
(in a long-running process, where it runs every few minutes, that is every run: ~1 s in the soak).
    python benchmarks/history.py [--channels 64] [--seconds 600] [--rate 1000]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time

import numpy as np


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--channels", type=int, default=64)
    ap.add_argument("--seconds", type=float, default=600.0)
    ap.add_argument("--rate", type=float, default=1000.0)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()

    from hwinspector.probes.telemetry.session import _Ring

    rows = int(args.seconds * args.rate)
    ring = _Ring(rows, args.channels)
    keep = rows - 1
    src = ring.capacity - keep
    ring.v[src:] = 1.0
    ring.t[src:] = 1

    def baseline() -> None:
        ring.t[:keep] = ring.t[src : src + keep]
        ring.v[:keep] = ring.v[src : src + keep]

    def ours() -> None:
        ring._move_to_front(src, keep)

    timings: dict[str, list[float]] = {"baseline_overlapping_slice": [], "blocks": []}
    for _ in range(args.repeat):
        for name, fn in (("baseline_overlapping_slice", baseline), ("blocks", ours)):
            started = time.perf_counter()
            fn()
            timings[name].append(time.perf_counter() - started)
    assert np.all(ring.v[:keep] == 1.0)
    med = {k: statistics.median(v) * 1000 for k, v in timings.items()}
    print(
        json.dumps(
            {
                "benchmark": "history_compaction",
                "rows": rows,
                "channels": args.channels,
                "history_mb": round(ring.v[:rows].nbytes / 2**20, 1),
                "baseline_overlapping_slice_ms": round(med["baseline_overlapping_slice"], 1),
                "blocks_ms": round(med["blocks"], 1),
                "baseline_overlapping_slice_worst_ms": round(max(timings["baseline_overlapping_slice"]) * 1000, 1),
                "blocks_worst_ms": round(max(timings["blocks"]) * 1000, 1),
                "runs_ms": {k: [round(x * 1000, 1) for x in v] for k, v in timings.items()},
                "speedup": round(med["baseline_overlapping_slice"] / med["blocks"], 1),
                "target": "a stall of the GUI thread <= 100 ms",
            },
            indent=1,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
