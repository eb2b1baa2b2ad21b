"""Tunables are suggestions with exact commands (nothing written); PMC debugfs files parse as the drivers print them."""

from __future__ import annotations

from pathlib import Path

import pytest

from hwinspector.probes.power.pmc import (
    PMC_FILES,
    list_pmc_files,
    parse_amd_s0ix_residency_us,
    parse_intel_package_cstates,
    read_pmc_file,
)
from hwinspector.probes.power.tunables import list_tunables


def _write(p: Path, text: str) -> None:
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text)


def test_tunables_name_the_exact_command_and_write_nothing(tmp_path: Path) -> None:
    sysfs, procfs = tmp_path / "sys", tmp_path / "proc"
    _write(procfs / "sys/kernel/nmi_watchdog", "1\n")
    _write(procfs / "sys/vm/dirty_writeback_centisecs", "500\n")
    _write(sysfs / "module/snd_hda_intel/parameters/power_save", "0\n")
    _write(sysfs / "class/scsi_host/host0/link_power_management_policy", "max_performance\n")
    _write(sysfs / "devices/pci0000:00/0000:00:14.0/power/control", "on\n")
    _write(sysfs / "devices/pci0000:00/0000:00:14.0/power/runtime_status", "active\n")
    _write(sysfs / "devices/pci0000:00/0000:00:1f.0/power/control", "auto\n")
    before = {p: p.read_text() for p in tmp_path.rglob("*") if p.is_file()}
    got = {t.what: t for t in list_tunables(sysfs, procfs)}
    assert got["NMI watchdog"].command == "echo 0 | sudo tee /proc/sys/kernel/nmi_watchdog"
    assert got["VM writeback timeout"].suggested == "1500"
    assert got["audio codec power save"].command == "echo 1 | sudo tee /sys/module/snd_hda_intel/parameters/power_save"
    assert got["SATA link power (host0)"].suggested == "med_power_with_dipm"
    rpm = got["runtime PM for /devices/pci0000:00/0000:00:14.0"]
    assert rpm.command == "echo auto | sudo tee /sys/devices/pci0000:00/0000:00:14.0/power/control"
    assert not any("1f.0" in w for w in got)  # already auto
    assert {p: p.read_text() for p in tmp_path.rglob("*") if p.is_file()} == before
    _write(procfs / "sys/vm/dirty_writeback_centisecs", "garbage\n")
    assert "VM writeback timeout" not in {t.what for t in list_tunables(sysfs, procfs)}


def test_pmc_files_and_formats(tmp_path: Path) -> None:
    _write(tmp_path / "pmc_core/slp_s0_residency_usec", "13549930\n")
    _write(tmp_path / "pmc_core/package_cstate_show", "Package C2 : 0x12\nPackage C2 : 1234\nPackage C10 : 99\n")
    _write(tmp_path / "amd_pmc/s0ix_stats", "=== S0ix statistics ===\nS0ix Entry Time: 100\nS0ix Exit Time: 200\n"
           "Residency Time: 59000000\n")  # fmt: skip
    files = {f.id: f for f in list_pmc_files(tmp_path)}
    assert set(files) == {"pmc:intel:slp_s0_residency_usec", "pmc:intel:package_cstate_show", "pmc:amd:s0ix_stats"}
    assert read_pmc_file(files["pmc:intel:slp_s0_residency_usec"], tmp_path) == 13549930
    text = read_pmc_file(files["pmc:intel:package_cstate_show"], tmp_path)
    assert parse_intel_package_cstates(str(text)) == {"C2": 1234, "C10": 99}
    assert parse_amd_s0ix_residency_us(str(read_pmc_file(files["pmc:amd:s0ix_stats"], tmp_path))) == 59000000
    assert parse_amd_s0ix_residency_us("garbage") is None
    _write(tmp_path / "pmc_core/slp_s0_residency_usec", "not a number\n")
    with pytest.raises(ValueError):
        read_pmc_file(files["pmc:intel:slp_s0_residency_usec"], tmp_path)
    assert list_pmc_files(tmp_path / "nothing") == []
    assert all("/" in f.relative and ".." not in f.relative for f in PMC_FILES)
