"""psutil's system channels against /proc read alongside: CPU, memory, swap, disk, network, events."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import numpy as np
import psutil

from hwinspector.probes.telemetry.channels import read_catalogue, read_channel_values
from hwinspector.probes.telemetry.session import TelemetrySession
from hwinspector.probes.telemetry.system import read_system, system_channels

TICK = os.sysconf("SC_CLK_TCK")


def _stat() -> dict[str, list[int]]:
    out = {}
    for line in Path("/proc/stat").read_text().splitlines():
        parts = line.split()
        if parts and (parts[0].startswith("cpu") or parts[0] in ("ctxt", "intr")):
            out[parts[0]] = [int(x) for x in parts[1:]]
    return out


def _busy_s(fields: list[int]) -> float:
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return (user + nice + system + irq + softirq + steal) / TICK


def _meminfo() -> dict[str, int]:
    out = {}
    for line in Path("/proc/meminfo").read_text().splitlines():
        key, _, rest = line.partition(":")
        out[key] = int(rest.split()[0]) * 1024
    return out


def _disk_bytes() -> tuple[int, int]:
    read = write = 0
    for line in Path("/proc/diskstats").read_text().splitlines():
        f = line.split()
        if os.path.exists(f"/sys/block/{f[2].replace('/', '!')}"):  # whole disks, not partitions
            read += int(f[5]) * 512
            write += int(f[9]) * 512
    return read, write


def _net_bytes() -> tuple[int, int]:
    recv = sent = 0
    for line in Path("/proc/net/dev").read_text().splitlines()[2:]:
        f = line.split(":", 1)[1].split()
        recv += int(f[0])
        sent += int(f[8])
    return recv, sent


def test_catalogue_lists_system_channels_with_units_and_rates() -> None:
    chans = {c.id: c for c in read_catalogue().channels if c.id.startswith("system:")}
    ncpu = len(_stat()) - 1 - 2  # cpu, cpuN…, ctxt, intr
    assert {"system:cpu", "system:memory/used", "system:swap/used", "system:disk/read", "system:disk/write"} <= set(
        chans
    )
    assert {"system:net/recv", "system:net/sent", "system:context_switches", "system:interrupts"} <= set(chans)
    assert sum(1 for c in chans if c[len("system:cpu") :].isdigit()) == ncpu
    assert chans["system:cpu"].unit == "%" and chans["system:cpu"].full_scale == 100.0
    assert chans["system:memory/used"].unit == "MiB" and chans["system:memory/used"].kind == "gauge"
    assert chans["system:disk/read"].unit == "MB/s" and chans["system:disk/read"].kind == "counter"
    assert chans["system:interrupts"].unit == "/s"
    assert all(0 < c.max_rate_hz <= 50 for c in chans.values())  # /proc/stat counts in 10 ms ticks


def test_readings_lie_between_proc_read_before_and_after() -> None:
    chans = system_channels(Path("/sys"))
    s0, m0, d0, n0 = _stat(), _meminfo(), _disk_bytes(), _net_bytes()
    got = {r.id: r.value for r in read_system(chans)}
    s1, m1, d1, n1 = _stat(), _meminfo(), _disk_bytes(), _net_bytes()
    assert s0["ctxt"][0] <= got["system:context_switches"] <= s1["ctxt"][0]  # type: ignore[operator]
    assert s0["intr"][0] <= got["system:interrupts"] <= s1["intr"][0]  # type: ignore[operator]
    ncpu = sum(1 for k in s0 if k[3:].isdigit())
    for i in range(ncpu):
        busy = got[f"system:cpu{i}"] / 100.0  # type: ignore[operator]
        assert _busy_s(s0[f"cpu{i}"]) - 0.011 <= busy <= _busy_s(s1[f"cpu{i}"]) + 0.011
    total_busy = got["system:cpu"] * ncpu / 100.0  # type: ignore[operator]
    assert sum(_busy_s(s0[f"cpu{i}"]) for i in range(ncpu)) - 0.02 <= total_busy
    assert total_busy <= sum(_busy_s(s1[f"cpu{i}"]) for i in range(ncpu)) + 0.02
    used = [(m["MemTotal"] - m["MemAvailable"]) / 2**20 for m in (m0, m1)]
    assert min(used) * 0.95 <= got["system:memory/used"] <= max(used) * 1.05  # type: ignore[operator]
    swap = [(m["SwapTotal"] - m["SwapFree"]) / 2**20 for m in (m0, m1)]
    assert min(swap) - 1 <= got["system:swap/used"] <= max(swap) + 1  # type: ignore[operator]
    assert d0[0] * 1e-6 <= got["system:disk/read"] <= d1[0] * 1e-6  # type: ignore[operator]
    assert d0[1] * 1e-6 <= got["system:disk/write"] <= d1[1] * 1e-6  # type: ignore[operator]
    assert n0[0] * 1e-6 <= got["system:net/recv"] <= n1[0] * 1e-6  # type: ignore[operator]
    assert n0[1] * 1e-6 <= got["system:net/sent"] <= n1[1] * 1e-6  # type: ignore[operator]


def test_sampled_rates_agree_with_proc_over_the_window() -> None:
    chans = [c for c in system_channels(Path("/sys")) if c.id in ("system:cpu", "system:context_switches")]
    chans += [c for c in system_channels(Path("/sys")) if c.id.startswith("system:cpu") and c.id != "system:cpu"]
    stop = threading.Event()

    def burn() -> None:  # load, so utilisation is not just zero
        while not stop.is_set():
            sum(range(20_000))

    th = threading.Thread(target=burn)
    session = TelemetrySession(chans, history_s=10.0)
    s0, t0 = _stat(), time.monotonic()
    th.start()
    try:
        session.start()
        time.sleep(2.5)
        session.poll()
    finally:
        session.close()
        stop.set()
        th.join()
    s1, t1 = _stat(), time.monotonic()
    ncpu = sum(1 for k in s0 if k[3:].isdigit())
    _, cpu = session.series("system:cpu")
    finite = cpu[np.isfinite(cpu)]
    assert len(finite) >= 15  # 10 Hz for 2.5 s
    for c in chans:
        if c.unit == "%":
            v = session.series(c.id)[1]
            v = v[np.isfinite(v)]
            assert v.min() >= 0.0 and v.max() <= 100.0, c.id
    busy = sum(_busy_s(s1[f"cpu{i}"]) - _busy_s(s0[f"cpu{i}"]) for i in range(ncpu))
    oracle = 100.0 * busy / ncpu / (t1 - t0)
    assert abs(float(finite.mean()) - oracle) < 20.0, (float(finite.mean()), oracle)
    ctx = session.series("system:context_switches")[1]
    ctx = ctx[np.isfinite(ctx)]
    oracle_ctx = (s1["ctxt"][0] - s0["ctxt"][0]) / (t1 - t0)
    assert 0.5 * oracle_ctx < float(ctx.mean()) < 1.5 * oracle_ctx
    assert session.group_stats()[0].backend == "psutil"


def test_an_unreadable_proc_gives_reasons_not_tracebacks(tmp_path: Path) -> None:
    chans = system_channels(Path("/sys"))
    (tmp_path / "stat").write_text("garbage\n")
    old = psutil.PROCFS_PATH
    psutil.PROCFS_PATH = str(tmp_path)  # a /proc without meminfo, diskstats, net/dev; stat is garbage
    try:
        readings = read_channel_values(chans)
    finally:
        psutil.PROCFS_PATH = old
    assert [r.id for r in readings] == [c.id for c in chans]
    assert all((r.value is None) == bool(r.reason) for r in readings)
    # psutil falls back to /sys/block for disks; everything it reads from /proc is gone, with a reason
    assert all(r.value is None for r in readings if not r.id.startswith("system:disk/"))
