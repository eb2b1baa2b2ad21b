"""GPU channels at their sensible rates: do they cost the sampler more than their reads? Prints JSON.

The GPU channels of a captured-style tree (an amdgpu APU and an Arc on xe, values from LACT's public
captures) are sampled with their runtime_status guards inside the native sampler. One run compares, each
configuration alternated over several rounds (medians; the machine is shared and noisy):

- the native sampler's CPU per tick at 1 kHz with 32 file channels alone, with the GPU channels added
  (guarded: one pread of each GPU's runtime_status, then one per channel), and with the same files read
  bare (the GPU files and the two runtime_status files as plain channels: the reads, no guard logic). The
  guard's cost is (guarded - alone) against (bare - alone).
- the same with both GPUs asleep (only the two guards are read).
- a whole TelemetrySession with the GPU channels at their own rates (100/10/200 Hz) next to the files at
  1 kHz, against the retired design in the same run: a Python poller (CommandSampler + GuardedFiles).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from hwinspector.probes.graphics.channels import amdgpu_channels, intel_channels
from hwinspector.probes.telemetry.channels import Channel
from hwinspector.probes.telemetry.guarded import GuardedFiles
from hwinspector.probes.telemetry.sampler import Sampler
from hwinspector.probes.telemetry.session import CommandSampler, TelemetrySession, effective_rate

_ATTRS = {
    "card0/device/uevent": "DRIVER=amdgpu\nPCI_ID=1002:15BF\nPCI_SLOT_NAME=0000:64:00.0",
    "card0/device/power/runtime_status": "active",
    "card0/device/gpu_busy_percent": "7",
    "card0/device/mem_info_vram_used": "1272893440",
    "card0/device/hwmon/hwmon6/name": "amdgpu",
    "card0/device/hwmon/hwmon6/power1_average": "3103000",
    "card0/device/hwmon/hwmon6/temp1_input": "25000",
    "card0/device/hwmon/hwmon6/temp1_label": "edge",
    "card0/device/hwmon/hwmon6/in0_input": "814",
    "card0/device/hwmon/hwmon6/in0_label": "vddgfx",
    "card0/device/hwmon/hwmon6/freq1_input": "800000000",
    "card0/device/hwmon/hwmon6/freq1_label": "sclk",
    "card1/device/uevent": "DRIVER=xe\nPCI_ID=8086:56A5\nPCI_SLOT_NAME=0000:08:00.0",
    "card1/device/power/runtime_status": "active",
    "card1/device/tile0/gt0/freq0/act_freq": "600",
    "card1/device/tile0/gt0/freq0/cur_freq": "600",
    "card1/device/tile0/gt0/freq0/rp0_freq": "2450",
    "card1/device/tile0/gt0/gtidle/idle_residency_ms": "2547784",
    "card1/device/hwmon/hwmon0/name": "xe",
    "card1/device/hwmon/hwmon0/energy2_input": "59540970520",
    "card1/device/hwmon/hwmon0/energy2_label": "pkg",
    "card1/device/hwmon/hwmon0/temp2_input": "56000",
    "card1/device/hwmon/hwmon0/temp2_label": "pkg",
}


def gpu_tree(root: Path) -> list[Channel]:
    for rel, text in _ATTRS.items():
        p = root / "class" / "drm" / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text + "\n")
    return [c for c in amdgpu_channels(root) + intel_channels(root) if c.readable]


def file_channels(root: Path, n: int) -> list[Channel]:
    out = []
    for i in range(n):
        p = root / f"c{i}"
        p.write_text(f"{i}\n")
        out.append(Channel(f"bench:c{i}", f"c{i}", "", str(p), 1.0, 1000.0, "gauge", "bench", True, None))
    return out


def tick_cost(specs: list[str], guards: list[str | None] | None, seconds: float, rate: float = 1000.0) -> float:
    """CPU µs per tick of one native sampler thread."""
    s = Sampler(specs, rate, "native", guards=guards)
    s.start()
    time.sleep(seconds)
    s.stop()
    st = s.stats
    s.drain()
    s.close()
    return st["cpu_seconds"] / max(1, st["ticks"]) * 1e6


def session_cost(files: list[Channel], gpu: list[Channel], seconds: float, retired: bool) -> dict[str, float]:
    """CPU % of one core of every sampler thread of a session (files at 1 kHz, GPU channels at their rates)."""
    s = TelemetrySession(files + gpu, rate_cap_hz=1000.0)
    if retired:  # the design this replaced: the GPU channels in a Python poller reading runtime_status itself
        kept = [g for g in s.groups if not any(c.guard for c in g[1])]
        groups: dict[float, list[Channel]] = {}
        for c in gpu:
            groups.setdefault(effective_rate(c, 1000.0), []).append(c)
        polled = [
            (r, cs, CommandSampler(cs, r, read=GuardedFiles(), backend="guarded"), None) for r, cs in groups.items()
        ]
        s.groups = kept + polled  # type: ignore[assignment]
    s.start()
    time.sleep(seconds)
    s.stop()
    gpu_cpu = file_cpu = 0.0
    for _, chans, sampler, _ in s.groups:
        cpu = sampler.stats["cpu_seconds"]
        if any(c.guard for c in chans):
            gpu_cpu += cpu
        else:
            file_cpu += cpu
    s.close()
    return {"gpu_threads_cpu_percent": 100 * gpu_cpu / seconds, "file_threads_cpu_percent": 100 * file_cpu / seconds}


def reads_alone_us(channels: list[Channel], loops: int = 2000) -> float:
    """The reads alone in a Python loop: per guard one pread of runtime_status, one pread per channel."""
    fds = {c.path: os.open(c.path, os.O_RDONLY) for c in channels}
    guards = [os.open(g, os.O_RDONLY) for g in sorted({c.guard for c in channels if c.guard})]
    t0 = time.thread_time()
    for _ in range(loops):
        for g in guards:
            os.pread(g, 64, 0)
        for c in channels:
            int(os.pread(fds[c.path], 4096, 0).split()[0])
    cost = (time.thread_time() - t0) / loops * 1e6
    for fd in [*fds.values(), *guards]:
        os.close(fd)
    return cost


def _median(xs: list[float]) -> float:
    return statistics.median(xs) if xs else math.nan


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seconds", type=float, default=1.0, help="per configuration and round")
    ap.add_argument("--rounds", type=int, default=8)
    ap.add_argument("--files", type=int, default=32)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "files").mkdir()
        files = file_channels(root / "files", args.files)
        gpu = gpu_tree(root / "sys")
        fpaths = [c.path for c in files]
        gpaths = [c.path for c in gpu]
        gguards = sorted({c.guard for c in gpu if c.guard})
        configs: dict[str, tuple[list[str], list[str | None] | None]] = {
            "files_alone": (fpaths, None),
            "with_gpu_guarded": (fpaths + gpaths, [None] * len(fpaths) + [c.guard for c in gpu]),
            "with_gpu_bare_reads": (fpaths + gpaths + gguards, None),
        }
        per: dict[str, list[float]] = {k: [] for k in [*configs, "with_gpu_asleep"]}
        sessions: dict[str, list[dict[str, float]]] = {"native_guard": [], "retired_python_poller": []}
        for _ in range(args.rounds):
            for name, (specs, guards) in configs.items():
                per[name].append(tick_cost(specs, guards, args.seconds))
            for g in gguards:
                Path(g).write_text("suspended\n")
            per["with_gpu_asleep"].append(tick_cost(*configs["with_gpu_guarded"], args.seconds))
            for g in gguards:
                Path(g).write_text("active\n")
            sessions["native_guard"].append(session_cost(files, gpu, args.seconds, retired=False))
            sessions["retired_python_poller"].append(session_cost(files, gpu, args.seconds, retired=True))
        python_reads = reads_alone_us(gpu)
    med = {k: _median(v) for k, v in per.items()}
    added = med["with_gpu_guarded"] - med["files_alone"]
    reads = med["with_gpu_bare_reads"] - med["files_alone"]
    doc: dict[str, Any] = {
        "benchmark": "gpu_channels",
        "gpu_channels": len(gpu),
        "gpu_guards": len(gguards),
        "file_channels": len(files),
        "native_us_per_tick_at_1khz": {k: round(v, 2) for k, v in med.items()},
        "gpu_channels_add_us_per_tick": round(added, 2),
        "their_bare_reads_us_per_tick": round(reads, 2),
        "added_over_bare_reads": round(added / reads, 2) if reads > 0 else None,
        "asleep_add_us_per_tick": round(med["with_gpu_asleep"] - med["files_alone"], 2),
        "python_loop_reads_alone_us": round(python_reads, 2),
        "session_cpu_percent": {
            k: {m: round(_median([r[m] for r in v]), 3) for m in v[0]} for k, v in sessions.items() if v
        },
        "rounds": args.rounds,
        "seconds_each": args.seconds,
    }
    print(json.dumps(doc, indent=1))


if __name__ == "__main__":
    main()
