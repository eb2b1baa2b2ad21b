"""System channels through psutil: CPU utilisation (total and per core), memory, swap, disk and network
throughput, context switches and interrupts per second."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from hwinspector.probes.errors import ProbeUnavailable
from hwinspector.probes.telemetry.channels import Channel, ChannelReading

SCHEME = "psutil:"
# /proc/stat counts CPU time in USER_HZ ticks (10 ms): a share over 0.2 s moves in 5 % steps per core,
# and faster sampling only repeats values (PERFORMANCE.md: /proc/stat, 50 Hz at most).
CPU_HZ = 10.0
CPU_WINDOW_S = 0.2
MEMORY_HZ = 2.0  # /proc/meminfo costs ~20 µs to parse; memory use is watched, not chased
IO_HZ = 10.0  # /proc/diskstats and /proc/net/dev: whole-device counters
EVENTS_HZ = 10.0  # context switches and interrupts from /proc/stat
MIB = 1024 * 1024


def _psutil() -> Any:
    try:
        import psutil
    except ImportError as exc:  # a dependency, but a broken install should only lose these channels
        raise ProbeUnavailable(f"psutil is not importable: {exc}") from None
    return psutil


def _busy_s(t: Any) -> float:
    """Seconds a CPU did anything: all of it but idle and iowait (guest time is inside user)."""
    return float(t.user + t.nice + t.system + getattr(t, "irq", 0.0) + getattr(t, "softirq", 0.0)
                 + getattr(t, "steal", 0.0))  # fmt: skip


def _ch(metric: str, label: str, unit: str, scale: float, rate: float, kind: str, device: str, **extra: Any) -> Channel:
    return Channel(
        id=f"system:{metric}",
        label=label,
        unit=unit,
        path=f"{SCHEME}{metric}",
        scale=scale,
        max_rate_hz=rate,
        kind="counter" if kind == "counter" else "gauge",
        device=device,
        readable=True,
        reason=None,
        **extra,
    )


def system_channels(sysfs: Path) -> list[Channel]:
    """The catalogue's system channels. psutil reads this machine's /proc: for a tree that stands for
    another machine (a test's fake /sys, a capture) there are none."""
    if sysfs != Path("/sys"):
        raise ProbeUnavailable(f"CPU, memory, disk and network are read from this machine's /proc, not from {sysfs}")
    psutil = _psutil()
    try:
        ncpu = len(psutil.cpu_times(percpu=True))
    except (OSError, RuntimeError) as exc:
        raise ProbeUnavailable(f"/proc/stat is unreadable: {exc}") from None
    share = {"full_scale": 100.0, "window_s": CPU_WINDOW_S}
    out = [_ch("cpu", "CPU utilisation (all cores)", "%", 100.0 / max(ncpu, 1), CPU_HZ, "counter", "cpu", **share)]
    out += [
        _ch(f"cpu{i}", f"cpu{i} utilisation", "%", 100.0, CPU_HZ, "counter", f"cpu{i}", **share) for i in range(ncpu)
    ]
    out += [
        _ch("memory/used", "memory used", "MiB", 1.0 / MIB, MEMORY_HZ, "gauge", "memory"),
        _ch("swap/used", "swap used", "MiB", 1.0 / MIB, MEMORY_HZ, "gauge", "memory"),
        _ch("disk/read", "disk read (all disks)", "MB/s", 1e-6, IO_HZ, "counter", "disk"),
        _ch("disk/write", "disk write (all disks)", "MB/s", 1e-6, IO_HZ, "counter", "disk"),
        _ch("net/recv", "network received (all interfaces)", "MB/s", 1e-6, IO_HZ, "counter", "network"),
        _ch("net/sent", "network sent (all interfaces)", "MB/s", 1e-6, IO_HZ, "counter", "network"),
        _ch("context_switches", "context switches", "/s", 1.0, EVENTS_HZ, "counter", "kernel"),
        _ch("interrupts", "interrupts", "/s", 1.0, EVENTS_HZ, "counter", "kernel"),
    ]
    return out


def _raw_values(metrics: set[str]) -> dict[str, float | None]:
    """One psutil call per group of the metrics asked for; a group that fails leaves its metrics None."""
    psutil = _psutil()
    got: dict[str, float | None] = {}

    def group(names: set[str], read: Callable[[], dict[str, float]]) -> None:
        if not names & metrics:
            return
        try:
            got.update(read())
        except (OSError, RuntimeError, AttributeError, ValueError, TypeError, IndexError, KeyError):
            # psutil parses /proc text: a missing file raises OSError, garbage any of the others
            got.update(dict.fromkeys(names))

    cpus = {m for m in metrics if m.startswith("cpu")}

    def cpu() -> dict[str, float]:
        per = [_busy_s(t) for t in psutil.cpu_times(percpu=True)]
        if not per:  # a /proc/stat without cpuN lines: no total either, rather than a false 0
            raise ValueError("no CPUs in /proc/stat")
        return {"cpu": sum(per), **{f"cpu{i}": b for i, b in enumerate(per)}}

    def memory() -> dict[str, float]:
        return {"memory/used": float(psutil.virtual_memory().used)}

    def swap() -> dict[str, float]:
        return {"swap/used": float(psutil.swap_memory().used)}

    def disk() -> dict[str, float]:
        d = psutil.disk_io_counters(perdisk=False, nowrap=True)
        if d is None:  # no disks at all
            raise ValueError("no disks")
        return {"disk/read": float(d.read_bytes), "disk/write": float(d.write_bytes)}

    def net() -> dict[str, float]:
        n = psutil.net_io_counters(pernic=False, nowrap=True)
        return {"net/recv": float(n.bytes_recv), "net/sent": float(n.bytes_sent)}

    def stats() -> dict[str, float]:
        s = psutil.cpu_stats()
        return {"context_switches": float(s.ctx_switches), "interrupts": float(s.interrupts)}

    group(cpus, cpu)
    group({"memory/used"}, memory)
    group({"swap/used"}, swap)
    group({"disk/read", "disk/write"}, disk)
    group({"net/recv", "net/sent"}, net)
    group({"context_switches", "interrupts"}, stats)
    return got


def read_system(channels: Sequence[Channel]) -> list[ChannelReading]:
    """Readings of system channels (running totals for counters), in order."""
    wanted = [c for c in channels if c.path.startswith(SCHEME)]
    try:
        raw = _raw_values({c.path[len(SCHEME) :] for c in wanted})
    except ProbeUnavailable as exc:
        return [ChannelReading(c.id, None, None, exc.reason) for c in wanted]
    out = []
    for c in wanted:
        x = raw.get(c.path[len(SCHEME) :])
        if x is None:
            out.append(ChannelReading(c.id, None, None, "psutil could not read it"))
        else:
            out.append(ChannelReading(c.id, round(x), x * c.scale, None))
    return out
