"""What the helper offers on this machine: a fixed table from id to reader, built once at start.

Every readable thing has an id built here from what the machine has; a request can only name an id
from this table. No part of a request ever becomes part of a path.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from hwinspector.probes.errors import ProbeUnavailable
from hwinspector.probes.graphics.pmu import list_gpu_counters
from hwinspector.probes.power.msr import list_msr_sources, read_msr
from hwinspector.probes.power.pmc import PmcFile, list_pmc_files, read_pmc_file
from hwinspector.probes.power.powercap import list_rapl_domains
from hwinspector.probes.privileged.protocol import PMU_MAX_RATE_HZ, RAPL_MAX_RATE_HZ
from hwinspector.probes.telemetry.perf import PerfCounter


@dataclass(frozen=True, slots=True)
class Roots:
    """Where the helper looks. The installed helper always uses the defaults; tests build fake trees."""

    sysfs: Path = Path("/sys")
    devfs: Path = Path("/dev")
    procfs: Path = Path("/proc")
    debugfs: Path = Path("/sys/kernel/debug")


@dataclass(frozen=True, slots=True)
class Source:
    id: str
    kind: str  # "msr", "rapl", "pmc", "pmu"
    unit: str
    description: str
    read: Callable[[], int | str]
    path: Path | None = None  # for the native sampler: a RAPL energy_uj text file, an msr device
    offset: int | None = None  # an MSR's register number: a u64 at this offset of ``path``
    counter: PerfCounter | None = None  # a GPU PMU counter: the helper's own discovery built it
    max_rate_hz: float | None = None  # a stream of it never runs faster


def _rapl_reader(path: Path) -> Callable[[], int | str]:
    def read() -> int:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
        try:
            return int(os.pread(fd, 64, 0).strip())
        finally:
            os.close(fd)

    return read


@dataclass(slots=True)
class Registry:
    sources: dict[str, Source] = field(default_factory=dict)
    absent: dict[str, str] = field(default_factory=dict)  # kind → why nothing of it is offered

    def describe(self) -> list[dict[str, str]]:
        out = []
        for s in self.sources.values():
            d = {"id": s.id, "kind": s.kind, "unit": s.unit, "description": s.description}
            if s.counter is not None:
                d["mode"] = s.counter.mode  # total: a running count; delta: per read; ratio: accumulated ns
            out.append(d)
        return out


def _streamed_only() -> int:
    # A perf counter counts from its open: one reading of a fresh counter says nothing.
    raise OSError(errno.EINVAL, "PMU counters are streamed only (pmu_stream_start)")


def _add_pmu(reg: Registry, sysfs: Path) -> None:
    """The GPU PMU counters, under the telemetry channels' ids; a request names them, never a type or config."""
    try:
        counters = list_gpu_counters(sysfs)
    except ProbeUnavailable as exc:
        reg.absent["pmu"] = str(exc)
        return
    for c in counters:
        cap = RAPL_MAX_RATE_HZ if c.quantity == "energy" else PMU_MAX_RATE_HZ
        what = f"{c.driver} {c.device} {c.pmu}/{c.event}"
        reg.sources[c.id] = Source(
            c.id, "pmu", c.raw_unit, what, _streamed_only, Path(c.counter.type_path), None, c.counter, cap
        )
    if not counters:
        reg.absent["pmu"] = "no usable event in the i915/xe PMUs"


def build_registry(roots: Roots) -> Registry:
    """Probe MSRs, RAPL energy files, PMC debugfs files and GPU PMUs once; remember why a kind is missing."""
    reg = Registry()
    try:
        for m in list_msr_sources(roots.sysfs, roots.devfs, roots.procfs):
            path, address = m.path, m.counter.address

            def read_one(path: Path = path, address: int = address) -> int:
                return read_msr(path, address)

            reg.sources[m.id] = Source(
                m.id, "msr", m.counter.unit, m.counter.description, read_one, Path(path), address
            )
    except ProbeUnavailable as exc:
        reg.absent["msr"] = str(exc)
    try:
        domains = [d for d in list_rapl_domains(roots.sysfs) if d.readable]
    except ProbeUnavailable as exc:
        reg.absent["rapl"] = str(exc)
    else:
        for d in domains:
            p = Path(d.energy_path)
            reg.sources[d.id] = Source(d.id, "rapl", "uJ", f"{d.name} energy (wraps)", _rapl_reader(p), p)
        if not domains:
            reg.absent["rapl"] = "no readable RAPL energy counter in powercap"
    files = list_pmc_files(roots.debugfs)
    for f in files:

        def read_pmc(f: PmcFile = f) -> int | str:
            return read_pmc_file(f, roots.debugfs)

        reg.sources[f.id] = Source(f.id, "pmc", "us" if f.kind == "int" else "text", f.description, read_pmc)
    if not files:
        reg.absent["pmc"] = f"no pmc_core or amd_pmc files under {roots.debugfs} (debugfs not mounted?)"
    _add_pmu(reg, roots.sysfs)
    return reg
