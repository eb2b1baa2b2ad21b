"""Soak: the Telemetry page sampling 64 fake counters at 1 kHz with plots open, for 30 minutes.

Prints JSON: resident memory over time (growth after the first minute, the baseline of the same run),
the sampler's own report of lost ticks, and GUI event latency (how late a 10 ms probe timer fires).
    python benchmarks/soak.py [--minutes 30]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=30.0)
    ap.add_argument("--channels", type=int, default=64)
    ap.add_argument("--plotted", type=int, default=0, help="curves drawn (default: every channel)")
    args = ap.parse_args()

    import psutil
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from hwinspector.pages.telemetry import TelemetryPage
    from hwinspector.probes.machine.snapshot import Snapshot, Source
    from hwinspector.probes.telemetry.channels import Catalogue, Channel

    app = QApplication([])
    tmp = Path(tempfile.mkdtemp(prefix="hwinspector-soak-"))
    chans = []
    for i in range(args.channels):
        p = tmp / f"counter{i}"
        p.write_text("0\n")
        kind = "counter" if i % 2 else "gauge"
        chans.append(
            Channel(
                f"fake:c{i}",
                f"fake {i}",
                "W" if kind == "counter" else "°C",
                str(p),
                1e-6 if kind == "counter" else 0.001,
                1000.0,
                kind,
                f"dev{i // 8}",
                True,
                None,
            )
        )  # type: ignore[arg-type]
    stop = threading.Event()

    def writer() -> None:
        # the counters move every 10 ms (a Python thread cannot write 64 files at 1 kHz without
        # starving the GUI it measures); the sampler still reads all 64 every millisecond
        energy = 0
        while not stop.is_set():
            energy += 100_000
            for i, c in enumerate(chans):
                Path(c.path).write_text(f"{energy if i % 2 else 40_000 + (energy // 1000) % 20_000}\n")
            time.sleep(0.01)

    threading.Thread(target=writer, daemon=True).start()
    page = TelemetryPage()
    page.resize(1280, 800)
    page.set_snapshot(Snapshot(Source("live", "live machine"), ()))
    page.rate_box.setCurrentIndex(page.rate_box.count() - 1)  # 1000 Hz for all
    page.window_box.setCurrentIndex(page.window_box.count() - 1)  # 10 minutes
    page.set_catalogue(Catalogue(tuple(chans), {}), checked=[c.id for c in chans[:8]])
    page.channels.set_checked([c.id for c in chans])  # all sampled
    page._rebuild_session()
    plotted = args.plotted or args.channels
    if plotted < args.channels:  # sampled and recorded, but only these drawn
        page.plot.set_curves(list(page.plot._specs.values())[:plotted])
    page.show()
    proc = psutil.Process()
    lateness: list[float] = []
    expected = [time.perf_counter() + 0.01]

    def probe() -> None:
        now = time.perf_counter()
        lateness.append(max(0.0, now - expected[0]))
        expected[0] = now + 0.01

    probe_timer = QTimer()
    probe_timer.setInterval(10)
    probe_timer.timeout.connect(probe)
    probe_timer.start()
    samples: list[dict[str, float]] = []
    t0 = time.monotonic()

    def sample() -> None:
        cost = page.session.cost() if page.session else {}
        lat = sorted(lateness)
        lateness.clear()
        samples.append(
            {
                "t_s": round(time.monotonic() - t0, 1),
                "rss_mb": round(proc.memory_info().rss / 2**20, 1),
                "threads": proc.num_threads(),
                "fds": proc.num_fds(),
                "gui_latency_p50_ms": round(lat[len(lat) // 2] * 1000, 1) if lat else 0.0,
                "gui_latency_p99_ms": round(lat[int(len(lat) * 0.99)] * 1000, 1) if lat else 0.0,
                "gui_latency_max_ms": round(lat[-1] * 1000, 1) if lat else 0.0,
                **{k: round(v, 3) for k, v in cost.items()},
            }
        )
        print(json.dumps(samples[-1]), file=sys.stderr, flush=True)

    sampler = QTimer()
    sampler.setInterval(10_000)
    sampler.timeout.connect(sample)
    sampler.start()
    end = t0 + args.minutes * 60
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.002)
    sample()
    stop.set()
    page.shutdown()
    first_min = next((s for s in samples if s["t_s"] >= 60), samples[0])
    last = samples[-1]
    result = {
        "benchmark": "soak",
        "minutes": args.minutes,
        "channels": args.channels,
        "plotted": plotted,
        "rate_hz": 1000,
        "rss_after_1_min_mb": first_min["rss_mb"],
        "rss_end_mb": last["rss_mb"],
        "rss_growth_after_1_min_percent": round(100 * (last["rss_mb"] - first_min["rss_mb"]) / first_min["rss_mb"], 2),
        "threads_start_end": [samples[0]["threads"], last["threads"]],
        "fds_start_end": [samples[0]["fds"], last["fds"]],
        "sampler_ticks": last.get("ticks"),
        "sampler_lost_ticks": last.get("lost_ticks"),
        "sampler_lost_percent": last.get("lost_percent"),
        "sampler_cpu_percent": last.get("cpu_percent"),
        "gui_latency_p50_ms_median": statistics.median(s["gui_latency_p50_ms"] for s in samples),
        "gui_latency_p99_ms_median": statistics.median(s["gui_latency_p99_ms"] for s in samples),
        "gui_latency_max_ms_median": statistics.median(s["gui_latency_max_ms"] for s in samples),
        "gui_latency_max_ms_worst": max(s["gui_latency_max_ms"] for s in samples),
        "targets": {"rss_growth_percent": 5, "gui_latency_ms": 50},
        "timeline": samples,
    }
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
