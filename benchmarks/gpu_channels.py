"""GPU channels at their sensible rates: does adding them cost the sampler more than their reads? Prints JSON.

Runs the same 32 file channels at 1 kHz without and with the GPU channels of a captured-style tree (an
amdgpu APU and an Arc on xe, values from LACT's public captures), in one run. Reports the file sampler's
CPU per tick both ways (GPU channels run in their own guarded poller, so it should not move), the
guarded poller's CPU per tick, and, as the baseline, the CPU of doing just its reads (the runtime_status
guard plus one pread per channel on open fds) in a plain loop.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from hwinspector.probes.graphics.channels import amdgpu_channels, intel_channels
from hwinspector.probes.telemetry.channels import Channel
from hwinspector.probes.telemetry.session import TelemetrySession

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


def run(channels: list[Channel], seconds: float) -> dict[str, dict[str, float]]:
    s = TelemetrySession(channels, rate_cap_hz=1000.0)
    s.start()
    time.sleep(seconds)
    s.poll()
    s.stop()
    out = {}
    for rate, chans, sampler, _ in s.groups:
        st = sampler.stats
        ticks = max(1, st["ticks"])
        out[sampler.backend + f"@{rate:g}Hz"] = {
            "channels": len(chans),
            "ticks": st["ticks"],
            "cpu_us_per_tick": st["cpu_seconds"] / ticks * 1e6,
            "read_errors": st["read_errors"],
        }
    s.close()
    return out


def raw_reads_us(channels: list[Channel], loops: int = 2000) -> float:
    """The reads alone: per guard one pread of runtime_status, then one pread per channel, on open fds."""
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--files", type=int, default=32)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        files = file_channels(root / "files", args.files) if (root / "files").mkdir() is None else []
        gpu = gpu_tree(root / "sys")
        without = run(files, args.seconds)
        with_gpu = run(files + gpu, args.seconds)
        guarded = {k: v for k, v in with_gpu.items() if k.startswith("guarded")}
        baseline_us = raw_reads_us(gpu)
    file_key = next(k for k in without if not k.startswith("guarded"))
    doc: dict[str, Any] = {
        "benchmark": "gpu_channels",
        "gpu_channels": len(gpu),
        "file_sampler_without_gpu": without[file_key],
        "file_sampler_with_gpu": with_gpu[file_key],
        "file_sampler_cost_ratio": with_gpu[file_key]["cpu_us_per_tick"]
        / max(without[file_key]["cpu_us_per_tick"], 1e-9),
        "guarded_pollers": guarded,
        "reads_alone_us_per_tick_all_gpu_channels": baseline_us,
    }
    print(json.dumps(doc, indent=1))


if __name__ == "__main__":
    main()
