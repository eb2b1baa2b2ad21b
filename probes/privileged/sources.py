"""What the helper offers on this machine: a fixed table from id to reader, built once at start.

Every readable thing has an id built here from what the machine has; a request can only name an id
from this table. No part of a request ever becomes part of a path.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from hwinspector.probes.errors import ProbeUnavailable
from hwinspector.probes.power.msr import list_msr_sources, read_msr
from hwinspector.probes.power.pmc import PmcFile, list_pmc_files, read_pmc_file
from hwinspector.probes.power.powercap import list_rapl_domains


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
    kind: str  # "msr", "rapl", "pmc"
    unit: str
    description: str
    read: Callable[[], int | str]
    path: Path | None = None  # for the native sampler: a RAPL energy_uj text file, an msr device
    offset: int | None = None  # an MSR's register number: a u64 at this offset of ``path``


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
        return [
            {"id": s.id, "kind": s.kind, "unit": s.unit, "description": s.description} for s in self.sources.values()
        ]


def build_registry(roots: Roots) -> Registry:
    """Probe MSRs, RAPL energy files and PMC debugfs files once; remember why a kind is missing."""
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
    return reg
