"""Model-specific registers: the residency and energy counters that answer "did the package sleep?".

``/dev/cpu/N/msr`` (the ``msr`` module) is read with ``pread(fd, 8, offset=register)``: the file
offset is the register's number and the 8 bytes are its little-endian value. The device is root-only
(CAP_SYS_RAWIO), so on a desktop these readers run inside ``hwinspector-helper``. A sparse regular
file with values written at the same offsets reads identically, which is how tests stand in for it.
"""

from __future__ import annotations

import errno
import os
import struct
from dataclasses import dataclass
from pathlib import Path

from hwinspector.probes.errors import ProbeUnavailable
from hwinspector.probes.sysfs_attr import errno_name


@dataclass(frozen=True, slots=True)
class MsrCounter:
    """One register worth reading: where it is, what it counts, on which vendor's processors."""

    name: str  # stable, used in ids: "pkg_c6_residency"
    address: int
    vendor: str  # "intel" or "amd"
    scope: str  # "package" (read on the first CPU of each package) or "core"/"thread"
    unit: str  # "tsc_ticks" (residency counters count at the TSC rate), "energy_units", "raw"
    description: str


# Intel SDM vol. 4 and the kernel's arch/x86/include/asm/msr-index.h (MSR_PKG_C2_RESIDENCY …).
# Residency counters tick at the TSC rate while the package/core is in that state; turbostat divides
# their deltas by the TSC delta for "Pkg%pc6" etc. Not every model has every counter: a read that
# fails with EIO means "this model has no such register" and the id is simply not offered.
INTEL_COUNTERS: tuple[MsrCounter, ...] = (
    MsrCounter("tsc", 0x10, "intel", "thread", "tsc_ticks", "time stamp counter"),
    MsrCounter("mperf", 0xE7, "intel", "thread", "tsc_ticks", "maximum-frequency clock count (C0 only)"),
    MsrCounter("aperf", 0xE8, "intel", "thread", "raw", "actual clock count (C0 only)"),
    MsrCounter("pkg_c2_residency", 0x60D, "intel", "package", "tsc_ticks", "package C2 residency"),
    MsrCounter("pkg_c3_residency", 0x3F8, "intel", "package", "tsc_ticks", "package C3 residency"),
    MsrCounter("pkg_c6_residency", 0x3F9, "intel", "package", "tsc_ticks", "package C6 residency"),
    MsrCounter("pkg_c7_residency", 0x3FA, "intel", "package", "tsc_ticks", "package C7 residency"),
    MsrCounter("pkg_c8_residency", 0x630, "intel", "package", "tsc_ticks", "package C8 residency"),
    MsrCounter("pkg_c9_residency", 0x631, "intel", "package", "tsc_ticks", "package C9 residency"),
    MsrCounter("pkg_c10_residency", 0x632, "intel", "package", "tsc_ticks", "package C10 residency"),
    MsrCounter("core_c3_residency", 0x3FC, "intel", "core", "tsc_ticks", "core C3 residency"),
    MsrCounter("core_c6_residency", 0x3FD, "intel", "core", "tsc_ticks", "core C6 residency"),
    MsrCounter("core_c7_residency", 0x3FE, "intel", "core", "tsc_ticks", "core C7 residency"),
    MsrCounter("rapl_power_unit", 0x606, "intel", "package", "raw", "RAPL units (power, energy, time)"),
    MsrCounter("pkg_energy_status", 0x611, "intel", "package", "energy_units", "package energy (32-bit, wraps)"),
    MsrCounter("pp0_energy_status", 0x639, "intel", "package", "energy_units", "cores energy (32-bit, wraps)"),
)

# AMD Family 17h+ (PPR; msr-index.h MSR_AMD_RAPL_POWER_UNIT …). AMD documents no package C-state
# residency MSRs; its low-power residency comes from amd_pmc (debugfs s0ix_stats) instead.
AMD_COUNTERS: tuple[MsrCounter, ...] = (
    MsrCounter("tsc", 0x10, "amd", "thread", "tsc_ticks", "time stamp counter"),
    MsrCounter("mperf", 0xE7, "amd", "thread", "tsc_ticks", "maximum-frequency clock count (C0 only)"),
    MsrCounter("aperf", 0xE8, "amd", "thread", "raw", "actual clock count (C0 only)"),
    MsrCounter("rapl_power_unit", 0xC0010299, "amd", "package", "raw", "RAPL units (power, energy, time)"),
    MsrCounter("core_energy_status", 0xC001029A, "amd", "core", "energy_units", "core energy (32-bit, wraps)"),
    MsrCounter("pkg_energy_status", 0xC001029B, "amd", "package", "energy_units", "package energy (32-bit, wraps)"),
)


def energy_unit_joules(power_unit_raw: int) -> float:
    """Joules per energy-status count: bits 12:8 of the RAPL power-unit register give 1/2^ESU J.

    Same layout on Intel (0x606) and AMD (0xC0010299); e.g. 0xA0E03 → ESU 14 → 61 µJ per count.
    """
    return 1.0 / (1 << ((power_unit_raw >> 8) & 0x1F))


def read_msr(path: Path, address: int) -> int:
    """The 64-bit value of one register from an msr device file (or a fixture shaped like one).

    Raises OSError as the device does: EIO for a register this processor lacks, EACCES without
    CAP_SYS_RAWIO. A short read (a fixture that ends before the offset) is reported as EIO too.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    try:
        data = os.pread(fd, 8, address)
    finally:
        os.close(fd)
    if len(data) != 8:
        raise OSError(errno.EIO, f"short read of MSR {address:#x}", str(path))
    value: int = struct.unpack("<Q", data)[0]
    return value


def msr_path(cpu: int, devfs: Path = Path("/dev")) -> Path:
    return devfs / "cpu" / str(cpu) / "msr"


@dataclass(frozen=True, slots=True)
class CpuTopology:
    """Which logical CPU stands for each package and core (package counters are read once)."""

    cpu: int
    package: int
    core: int


def read_cpu_vendor(procfs: Path = Path("/proc")) -> str | None:
    """ "intel", "amd" or None (another vendor, or /proc/cpuinfo unreadable)."""
    try:
        text = (procfs / "cpuinfo").read_text(errors="replace")
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith("vendor_id"):
            value = line.partition(":")[2].strip()
            return {"GenuineIntel": "intel", "AuthenticAMD": "amd", "HygonGenuine": "amd"}.get(value)
    return None


def list_topology(sysfs: Path = Path("/sys")) -> list[CpuTopology]:
    """Online logical CPUs with their package and core ids (topology/*_id); unreadable ones are skipped."""
    base = sysfs / "devices" / "system" / "cpu"
    out: list[CpuTopology] = []
    try:
        names = sorted(os.listdir(base))
    except OSError:
        return out
    for name in names:
        if not (name.startswith("cpu") and name[3:].isdigit()):
            continue
        topo = base / name / "topology"
        try:
            pkg = int((topo / "physical_package_id").read_text().strip())
            core = int((topo / "core_id").read_text().strip())
        except (OSError, ValueError):
            continue
        out.append(CpuTopology(int(name[3:]), pkg, core))
    return sorted(out, key=lambda t: t.cpu)


@dataclass(frozen=True, slots=True)
class MsrSource:
    """One readable counter on one CPU: an id the helper offers, and where to read it."""

    id: str  # "msr:pkg0:pkg_c6_residency", "msr:cpu3:core_c6_residency"
    counter: MsrCounter
    cpu: int
    path: Path


def list_msr_sources(
    sysfs: Path = Path("/sys"), devfs: Path = Path("/dev"), procfs: Path = Path("/proc")
) -> list[MsrSource]:
    """Every counter that reads on this machine, one per package/core/thread as its scope says.

    Raises ProbeUnavailable when there is no msr device (module not loaded, not x86, no permission).
    """
    vendor = read_cpu_vendor(procfs)
    if vendor is None:
        raise ProbeUnavailable("MSRs: not an Intel or AMD x86 processor (or /proc/cpuinfo unreadable)")
    counters = INTEL_COUNTERS if vendor == "intel" else AMD_COUNTERS
    topology = list_topology(sysfs)
    if not topology:
        raise ProbeUnavailable("MSRs: no CPU topology in sysfs")
    first = msr_path(topology[0].cpu, devfs)
    try:
        read_msr(first, 0x10)
    except FileNotFoundError:
        raise ProbeUnavailable(f"MSRs: {first} is absent (load the msr module: modprobe msr)") from None
    except OSError as exc:
        raise ProbeUnavailable(f"MSRs: {first}: {errno_name(exc)}") from None
    out: list[MsrSource] = []
    seen: set[tuple[str, str]] = set()
    for t in topology:
        for c in counters:
            key = {"package": f"pkg{t.package}", "core": f"pkg{t.package}core{t.core}"}.get(c.scope, f"cpu{t.cpu}")
            if (c.name, key) in seen:
                continue
            path = msr_path(t.cpu, devfs)
            try:
                read_msr(path, c.address)
            except OSError:
                continue  # EIO: this model lacks the register; it is not offered
            seen.add((c.name, key))
            out.append(MsrSource(f"msr:{key}:{c.name}", c, t.cpu, path))
    return out
