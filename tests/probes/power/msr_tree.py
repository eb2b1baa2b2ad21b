"""Build fake /dev/cpu/N/msr files (sparse, little-endian u64 at the register's offset) and their /sys, /proc."""

from __future__ import annotations

import os
import struct
from collections.abc import Mapping
from pathlib import Path


def write_msr_file(path: Path, registers: Mapping[int, int]) -> None:
    """Write each value at its register's offset, as /dev/cpu/N/msr presents it.

    A plain file cannot hold neighbouring registers independently: 0x3F8 and 0x3F9 share 7 bytes. The
    values go in ascending order, so the highest register of a run (PC7 0x3FA, PC10 0x632, CC7 0x3FE,
    0x611 over 0x60D) keeps its whole value and a lower neighbour keeps only its own low bytes; tests
    assert on the intact ones. Registers beyond the file's end read short, which the reader reports
    as EIO, as the device does for a register the model lacks.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        for address, value in sorted(registers.items()):
            os.pwrite(fd, struct.pack("<Q", value), address)
    finally:
        os.close(fd)


def build_machine(
    root: Path, vendor: str, cpus: Mapping[int, tuple[int, int, Mapping[int, int]]]
) -> tuple[Path, Path, Path]:
    """cpus: cpu number → (package id, core id, registers). Returns (sysfs, devfs, procfs)."""
    sysfs, devfs, procfs = root / "sys", root / "dev", root / "proc"
    procfs.mkdir(parents=True, exist_ok=True)
    (procfs / "cpuinfo").write_text("".join(f"processor\t: {n}\nvendor_id\t: {vendor}\n\n" for n in sorted(cpus)))
    for n, (pkg, core, regs) in cpus.items():
        topo = sysfs / "devices" / "system" / "cpu" / f"cpu{n}" / "topology"
        topo.mkdir(parents=True, exist_ok=True)
        (topo / "physical_package_id").write_text(f"{pkg}\n")
        (topo / "core_id").write_text(f"{core}\n")
        write_msr_file(devfs / "cpu" / str(n) / "msr", regs)
    return sysfs, devfs, procfs
