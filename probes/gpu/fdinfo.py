"""Who uses the GPU: DRM clients from /proc/PID/fdinfo (drm-usage-stats.rst), de-duplicated by client id."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from hwinspector.probes.gpu.model import EngineUse, GpuClient
from hwinspector.probes.sysfs_attr import optional_text

_NODE = re.compile(r"^/dev/dri/((?:card|renderD)\d+)$")
_UNITS = {"": 1 / 1024, "B": 1 / 1024, "KiB": 1, "MiB": 1024, "GiB": 1024 * 1024}
# A process table can be large; fdinfo of one fd is one page.
MAX_FDINFO_BYTES = 8192


@dataclass(frozen=True, slots=True)
class ClientSample:
    """One DRM client as one read of its fdinfo shows it (counters, not yet rates)."""

    pid: int
    command: str
    node: str
    driver: str
    pdev: str
    client_id: int | None
    engine_ns: Mapping[str, int] = field(default_factory=dict)
    cycles: Mapping[str, int] = field(default_factory=dict)
    total_cycles: Mapping[str, int] = field(default_factory=dict)
    capacity: Mapping[str, int] = field(default_factory=dict)
    memory_kib: Mapping[str, int] = field(default_factory=dict)
    at_ns: int = 0

    @property
    def key(self) -> tuple[str, int | str]:
        # drm-client-id is unique per DRM file on the device; where a driver omits it, the fd is the client.
        return (self.pdev, self.client_id if self.client_id is not None else f"{self.pid}/{self.node}")


def parse_fdinfo(text: str) -> dict[str, str]:
    out = {}
    for line in text.splitlines():
        k, sep, v = line.partition(":")
        if sep:
            out[k.strip()] = v.strip()
    return out


def _number(v: str) -> tuple[int, str] | None:
    parts = v.split()
    if not parts:
        return None
    try:
        return int(parts[0]), (parts[1] if len(parts) > 1 else "")
    except ValueError:
        return None


def sample_from_fdinfo(pid: int, command: str, node: str, fields: Mapping[str, str], at_ns: int) -> ClientSample | None:
    """The client an fdinfo describes, or None when it is no DRM client (no drm-driver)."""
    driver = fields.get("drm-driver")
    if not driver:
        return None
    engine_ns: dict[str, int] = {}
    cycles: dict[str, int] = {}
    total: dict[str, int] = {}
    capacity: dict[str, int] = {}
    memory: dict[str, int] = {}
    for k, v in fields.items():
        n = _number(v)
        if n is None:
            continue
        value, unit = n
        if k.startswith("drm-engine-capacity-"):
            capacity[k[len("drm-engine-capacity-") :]] = value
        elif k.startswith("drm-engine-"):
            engine_ns[k[len("drm-engine-") :]] = value
        elif k.startswith("drm-total-cycles-"):
            total[k[len("drm-total-cycles-") :]] = value
        elif k.startswith("drm-cycles-"):
            cycles[k[len("drm-cycles-") :]] = value
        elif k.startswith(("drm-memory-", "drm-resident-", "drm-total-", "drm-shared-")) and unit in _UNITS:
            # drm-memory-<region> is the older name of drm-resident-<region>.
            kind, _, region = k[len("drm-") :].partition("-")
            name = region if kind in ("memory", "resident") else f"{kind}-{region}"
            memory.setdefault(name, int(value * _UNITS[unit]))
    cid = _number(fields.get("drm-client-id", ""))
    return ClientSample(
        pid=pid,
        command=command,
        node=node,
        driver=driver,
        pdev=fields.get("drm-pdev", ""),
        client_id=cid[0] if cid else None,
        engine_ns=engine_ns,
        cycles=cycles,
        total_cycles=total,
        capacity=capacity,
        memory_kib=memory,
        at_ns=at_ns,
    )


def drm_holders(procfs: Path = Path("/proc")) -> list[tuple[int, str, int, str]]:
    """(pid, command, fd, node) for every fd open on a DRM node: from the fd links alone, reading no fdinfo."""
    out = []
    try:
        pids = sorted(int(p) for p in os.listdir(procfs) if p.isdigit())
    except OSError:
        return []
    for pid in pids:
        fd_dir = procfs / str(pid) / "fd"
        try:
            fds = sorted(int(f) for f in os.listdir(fd_dir) if f.isdigit())
        except OSError:
            continue  # gone, or another user's process
        command = optional_text(procfs / str(pid) / "comm") or "?"
        for fd in fds:
            try:
                target = os.readlink(fd_dir / str(fd))
            except OSError:
                continue
            m = _NODE.match(target)
            if m:
                out.append((pid, command, fd, m.group(1)))
    return out


def read_client_samples(
    procfs: Path,
    node_awake: Callable[[str], bool],
    clock: Callable[[], int] = time.monotonic_ns,
) -> list[ClientSample]:
    """One fdinfo read of every DRM fd whose GPU is awake (``node_awake(node)``): fdinfo of a DRM file
    calls the driver's show_fdinfo, so a sleeping GPU's clients are known by their fd links only."""
    samples: dict[tuple[str, int | str], ClientSample] = {}
    for pid, command, fd, node in drm_holders(procfs):
        if not node_awake(node):
            continue
        try:
            fd_ = os.open(procfs / str(pid) / "fdinfo" / str(fd), os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK)
            try:
                text = os.read(fd_, MAX_FDINFO_BYTES).decode("utf-8", "replace")
            finally:
                os.close(fd_)
        except OSError:
            continue  # closed or exited between the listing and the read
        s = sample_from_fdinfo(pid, command, node, parse_fdinfo(text), clock())
        if s is not None:
            samples.setdefault(s.key, s)  # the first (lowest) pid of a shared client speaks for it
    return list(samples.values())


def busy(before: ClientSample | None, after: ClientSample) -> tuple[EngineUse, ...]:
    """Per-engine busy % between two samples of one client: ns over wall time, or cycles over total
    cycles, divided by the engine class's capacity (how many engines of it the GPU has)."""
    if before is None:
        return ()
    out = []
    dt = after.at_ns - before.at_ns
    for eng, ns in after.engine_ns.items():
        prev = before.engine_ns.get(eng)
        if prev is None or dt <= 0 or ns < prev:
            continue
        cap = max(1, after.capacity.get(eng, 1))
        out.append(EngineUse(eng, min(100.0, 100.0 * (ns - prev) / dt / cap)))
    for eng, cyc in after.cycles.items():
        prev_c, prev_t, tot = before.cycles.get(eng), before.total_cycles.get(eng), after.total_cycles.get(eng)
        if prev_c is None or prev_t is None or tot is None or tot <= prev_t or cyc < prev_c:
            continue
        cap = max(1, after.capacity.get(eng, 1))
        out.append(EngineUse(eng, min(100.0, 100.0 * (cyc - prev_c) / (tot - prev_t) / cap)))
    return tuple(sorted(out, key=lambda e: e.engine))


def clients(
    before: Iterable[ClientSample], after: Iterable[ClientSample], pci_of_node: Mapping[str, str]
) -> tuple[GpuClient, ...]:
    """Clients with their busy % over the interval; a client first seen in ``after`` has no rate yet."""
    prev = {s.key: s for s in before}
    out = []
    for s in after:
        out.append(
            GpuClient(
                pid=s.pid,
                command=s.command,
                pci_address=s.pdev or pci_of_node.get(s.node, ""),
                driver=s.driver,
                client_id=s.client_id,
                node=s.node,
                engines=busy(prev.get(s.key), s),
                memory_kib=dict(s.memory_kib),
            )
        )
    return tuple(sorted(out, key=lambda c: (-(c.busy_percent or 0.0), c.pid)))
