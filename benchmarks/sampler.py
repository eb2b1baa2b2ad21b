"""Native vs pure-Python sampler, 64 counters at 1 kHz, idle and under GUI-like load; and the cost of one
perf counter read against a sysfs pread in the same run (grouped or not, on the sampler's CPU or another).
Prints JSON."""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from hwinspector.probes.telemetry.perf import PERF_COUNT_SW_CPU_CLOCK, PerfCounter, system_wide_refusal
from hwinspector.probes.telemetry.sampler import CounterSpec, Sampler

FRAME_S = 1 / 30  # the GUI drains the ring at frame rate


def counter_paths(n: int, tmp: Path) -> tuple[list[Path], str]:
    """Real sysfs integer counters where the machine has them (a sysfs read runs the driver's
    show() each time, unlike a tmpfs file), repeated to n channels; else files in tmp."""
    real = sorted(Path("/sys/class/net").glob("*/statistics/*"))
    if real:
        return [real[i % len(real)] for i in range(n)], f"sysfs net statistics ({len(real)} files)"
    paths = [tmp / f"c{i}" for i in range(n)]
    for i, p in enumerate(paths):
        p.write_text(f"{i * 1000}\n")
    return paths, "tmp files"


def idle_load() -> Callable[[], None]:
    return lambda: time.sleep(FRAME_S)


def gil_load() -> Callable[[], None]:
    def frame() -> None:
        # Pure-Python work between drains, as a busy GUI thread does: holds the GIL.
        end = time.perf_counter() + FRAME_S
        x = 0
        while time.perf_counter() < end:
            for i in range(2000):
                x += i * i
        del x

    return frame


def gui_load() -> Callable[[], None] | None:
    try:
        import numpy as np
        import pyqtgraph as pg
        from PySide6.QtWidgets import QApplication
    except ImportError:
        return None
    app = QApplication.instance() or QApplication([])
    w = pg.PlotWidget()
    w.resize(1280, 720)
    rng = np.random.default_rng(0)
    data = [rng.standard_normal(60_000).cumsum() for _ in range(8)]
    curves = [w.plot(d, pen=pg.intColor(i)) for i, d in enumerate(data)]
    w.show()
    state = {"shift": 0}

    def frame() -> None:
        state["shift"] += 500
        for c, d in zip(curves, data, strict=True):
            c.setData(np.roll(d, state["shift"]))
        w.grab()  # a full offscreen render of 8 x 60k points
        app.processEvents()

    frame()
    return frame


def run(paths: list[Path], backend: str, load: Callable[[], None], seconds: float, rate: float,
        realtime: bool) -> dict[str, Any]:  # fmt: skip
    s = Sampler(paths, rate, backend, realtime=realtime)  # type: ignore[arg-type]
    rows = 0
    t0 = time.monotonic()
    s.start()
    while time.monotonic() - t0 < seconds:
        load()
        rows += len(s.drain().timestamps_ns)
    s.stop()
    elapsed = time.monotonic() - t0
    rows += len(s.drain().timestamps_ns)
    st = s.stats
    s.close()
    ticks = st["ticks"]
    deadlines = ticks + st["missed_ticks"]
    return {
        "backend": backend,
        "realtime": st["realtime"],
        "seconds": round(elapsed, 3),
        "rows_drained": rows,
        "ticks": ticks,
        "on_time_ticks": ticks - st["late_ticks"],
        "late_ticks": st["late_ticks"],
        "missed_ticks": st["missed_ticks"],
        "lost_percent": round(100 * st["missed_ticks"] / deadlines, 2) if deadlines else 0.0,
        "on_time_rate_hz": round((ticks - st["late_ticks"]) / elapsed, 1),
        "lateness_p50_us": round(st["lateness_p50_ns"] / 1e3, 1),
        "lateness_p99_us": round(st["lateness_p99_ns"] / 1e3, 1),
        "cpu_per_tick_us": round(st["cpu_seconds"] / ticks * 1e6, 2) if ticks else None,
        "cpu_percent_of_core": round(100 * st["cpu_seconds"] / elapsed, 2),
        "read_errors": st["read_errors"],
        "overwritten": st["overwritten"],
    }


SOFTWARE_TYPE = Path("/sys/bus/event_source/devices/software/type")


def read_cost_run(specs: list[CounterSpec], seconds: float, rate: float, pin: int | None) -> dict[str, Any]:
    """The native sampler's own CPU time per read, its thread pinned to one CPU (perf reads of an event
    bound to another CPU go through an IPI)."""
    s = Sampler(specs, rate, "native")
    s.start()
    if pin is not None:
        os.sched_setaffinity(s.native_id, {pin})
    time.sleep(0.2)  # the pinning and the first opens settle
    c0 = s.stats
    time.sleep(seconds)
    c1 = s.stats
    s.close()
    ticks = c1["ticks"] - c0["ticks"]
    cpu_us = (c1["cpu_seconds"] - c0["cpu_seconds"]) * 1e6
    return {
        "counters": len(specs),
        "ticks": ticks,
        "read_errors": c1["read_errors"] - c0["read_errors"],
        "cpu_per_tick_us": round(cpu_us / ticks, 2) if ticks else None,
        "cpu_per_counter_us": round(cpu_us / ticks / len(specs), 3) if ticks else None,
    }


def read_cost(n: int, seconds: float, rate: float, tmp: Path) -> dict[str, Any]:
    """n sysfs files vs n perf counters (software cpu-clock, system-wide as an uncore GPU PMU's are): in one
    group (one read(2) per tick) or each in a group of its own (a type file per counter splits them)."""
    refusal = system_wide_refusal()
    if refusal is not None or not SOFTWARE_TYPE.exists():
        return {"skipped": refusal or "no software PMU in sysfs"}
    cpus = sorted(os.sched_getaffinity(0))
    local, remote = cpus[0], (cpus[1] if len(cpus) > 1 else None)
    files, source = counter_paths(n, tmp)
    solo_types = []
    for i in range(n):
        t = tmp / f"type{i}"
        t.write_text(SOFTWARE_TYPE.read_text())
        solo_types.append(str(t))

    def perf(cpu: int, grouped: bool) -> list[CounterSpec]:
        return [
            PerfCounter(str(SOFTWARE_TYPE) if grouped else solo_types[i], PERF_COUNT_SW_CPU_CLOCK, cpu=cpu)
            for i in range(n)
        ]

    runs: dict[str, dict[str, Any]] = {"sysfs_pread": read_cost_run(list(files), seconds, rate, local)}
    runs["perf_grouped_same_cpu"] = read_cost_run(perf(local, True), seconds, rate, local)
    runs["perf_ungrouped_same_cpu"] = read_cost_run(perf(local, False), seconds, rate, local)
    if remote is not None:
        runs["perf_grouped_other_cpu"] = read_cost_run(perf(remote, True), seconds, rate, local)
        runs["perf_ungrouped_other_cpu"] = read_cost_run(perf(remote, False), seconds, rate, local)
    base = runs["sysfs_pread"]["cpu_per_counter_us"]
    return {
        "file_source": source,
        "rate_hz": rate,
        "seconds_per_run": seconds,
        "sampler_cpu": local,
        "runs": runs,
        "cost_per_counter_vs_sysfs": {
            k: round(r["cpu_per_counter_us"] / base, 2) for k, r in runs.items() if base and r["cpu_per_counter_us"]
        },
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seconds", type=float, default=5.0)
    ap.add_argument("--rate", type=float, default=1000.0)
    ap.add_argument("--channels", type=int, default=64)
    ap.add_argument("--no-gui", action="store_true", help="skip the pyqtgraph rendering load")
    ap.add_argument("--perf-counters", type=int, default=8, help="counters in the perf read-cost runs")
    ap.add_argument("--read-cost-only", action="store_true", help="only the perf vs sysfs read cost")
    args = ap.parse_args()
    if args.read_cost_only:
        with tempfile.TemporaryDirectory() as tmp:
            cost = read_cost(args.perf_counters, args.seconds, args.rate, Path(tmp))
        print(json.dumps({"benchmark": "sampler", "read_cost": cost}, indent=2))
        return
    with tempfile.TemporaryDirectory() as tmp:
        paths, source = counter_paths(args.channels, Path(tmp))
        loads: dict[str, Callable[[], None]] = {"idle": idle_load(), "gil_loop": gil_load()}
        gui = None if args.no_gui else gui_load()
        if gui is not None:
            loads["gui_render"] = gui
        results: dict[str, list[dict[str, Any]]] = {}
        for name, load in loads.items():
            results[name] = [run(paths, b, load, args.seconds, args.rate, realtime=False) for b in ("native", "python")]
        heaviest = "gui_render" if gui is not None else "gil_loop"
        results[heaviest + "+realtime"] = [
            run(paths, "native", loads[heaviest], args.seconds, args.rate, realtime=True)
        ]
        cost = read_cost(args.perf_counters, args.seconds, args.rate, Path(tmp))
    ratios = {
        name: round(res[0]["on_time_ticks"] / max(1, res[1]["on_time_ticks"]), 2)
        for name, res in results.items()
        if len(res) == 2 and name != "idle"
    }
    out = {
        "benchmark": "sampler",
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "kernel": platform.release(),
        },
        "channels": args.channels,
        "channel_source": source,
        "rate_hz": args.rate,
        "seconds_per_run": args.seconds,
        "on_time_means": "woke at most one period after its deadline",
        "results": results,
        "on_time_ratio_native_over_python": ratios,
        "target_ratio_under_load": 2.0,
        "read_cost": cost,
    }
    print(json.dumps(out, indent=2))
    cols = ["ticks", "on_time_ticks", "late_ticks", "lost_percent", "lateness_p50_us", "lateness_p99_us",
            "cpu_per_tick_us", "cpu_percent_of_core"]  # fmt: skip
    print(f"{'scenario':<22}{'backend':<8}" + "".join(f"{c[:14]:>15}" for c in cols), file=sys.stderr)
    for name, res in results.items():
        for r in res:
            b = r["backend"] + ("+rt" if r["realtime"] else "")
            print(f"{name:<22}{b:<8}" + "".join(f"{r[c]!s:>15}" for c in cols), file=sys.stderr)
    for name, ratio in ratios.items():
        print(f"on-time ticks native/python under {name}: {ratio}x (target >= 2x)", file=sys.stderr)


if __name__ == "__main__":
    main()
