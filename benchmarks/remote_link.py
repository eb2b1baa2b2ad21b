"""Benchmark: what one second of 64 channels at 1 kHz costs on the remote link, both ends.

The agent encodes ten 100-row batches (a second) as frames; the client reads them back through the
size-limited frame reader and turns them into arrays for the plots and the recording. Baseline in the
same run: the bare numpy → list → JSON round trip of the same rows without the protocol, so the ratio
is what framing and the untrusted-input checks add. Prints JSON (and a short table on stderr).
"""

from __future__ import annotations

import io
import json
import math
import statistics
import sys
import time

import numpy as np

from hwinspector.probes.remote.protocol import encode, read_frame

CHANNELS, RATE_HZ, BATCHES = 64, 1000, 10


def _batches() -> list[tuple[list[str], np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(1)
    ids = [f"hwmon:chip{i // 8}/temp{i % 8}" for i in range(CHANNELS)]
    rows = RATE_HZ // BATCHES
    out = []
    for b in range(BATCHES):
        t = (np.arange(rows, dtype=np.int64) + b * rows) * 1_000_000 + 10**12
        out.append((ids, t, rng.normal(50, 5, (rows, CHANNELS))))
    return out


def _protocol(batches: list[tuple[list[str], np.ndarray, np.ndarray]]) -> tuple[float, float, int]:
    t0 = time.perf_counter()
    wire = b"".join(
        encode("7", {"type": "data", "ids": ids, "t": [int(x) for x in t], "v": v.tolist()}) for ids, t, v in batches
    )
    t1 = time.perf_counter()
    stream = io.BytesIO(wire)
    while (f := read_frame(stream)) is not None:
        m = f.message
        np.array(m["t"], dtype=np.int64)
        np.array([[math.nan if x is None else float(x) for x in row] for row in m["v"]], dtype=np.float64).reshape(
            len(m["t"]), len(m["ids"])
        )
    t2 = time.perf_counter()
    return (t1 - t0) * 1000, (t2 - t1) * 1000, len(wire)


def _bare(batches: list[tuple[list[str], np.ndarray, np.ndarray]]) -> float:
    t0 = time.perf_counter()
    for _, t, v in batches:
        doc = json.loads(json.dumps({"t": t.tolist(), "v": v.tolist()}))
        np.array(doc["t"], dtype=np.int64)
        np.array(doc["v"], dtype=np.float64)
    return (time.perf_counter() - t0) * 1000


def main() -> int:
    batches = _batches()
    runs = [_protocol(batches) for _ in range(7)]
    agent_ms = statistics.median(r[0] for r in runs)
    client_ms = statistics.median(r[1] for r in runs)
    bare_ms = statistics.median(_bare(batches) for _ in range(7))
    result = {
        "channels": CHANNELS,
        "rate_hz": RATE_HZ,
        "agent_encode_ms_per_s": round(agent_ms, 2),
        "client_decode_ms_per_s": round(client_ms, 2),
        "link_kbytes_per_s": round(runs[0][2] / 1024, 1),
        "baseline_bare_json_ms_per_s": round(bare_ms, 2),
        "ratio_protocol_vs_bare": round((agent_ms + client_ms) / bare_ms, 2),
    }
    json.dump(result, sys.stdout, indent=1)
    sys.stdout.write("\n")
    print(
        f"64 ch x 1 kHz over the link: agent {agent_ms:.1f} ms/s, client {client_ms:.1f} ms/s of CPU, "
        f"{result['link_kbytes_per_s']} kB/s; bare JSON round trip {bare_ms:.1f} ms/s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
