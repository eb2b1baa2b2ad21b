"""MSR readers against /dev/cpu/N/msr-shaped fixtures (pread at the register's offset)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hwinspector.probes.errors import ProbeUnavailable
from hwinspector.probes.power.msr import energy_unit_joules, list_msr_sources, read_cpu_vendor, read_msr
from tests.probes.power.msr_tree import build_machine, write_msr_file

INTEL = Path(__file__).resolve().parents[2] / "data" / "msr" / "intel-xeon-e3-1270"
ROOTS = {"sysfs": INTEL / "sys", "devfs": INTEL / "dev", "procfs": INTEL / "proc"}


def test_real_intel_rapl_values_decode_as_the_dump_says() -> None:
    # ssdtPRGen's dump of this Xeon: power unit 0xA1003 = 15.3 µJ, 0x4EB8D4FF counts = 20152 J.
    msr = INTEL / "dev" / "cpu" / "0" / "msr"
    unit = energy_unit_joules(read_msr(msr, 0x606))
    assert unit == pytest.approx(15.3e-6, rel=0.01)
    assert int(read_msr(msr, 0x611) * unit) == 20152


def test_intel_sources_one_per_scope_and_absent_registers_not_offered() -> None:
    ids = {s.id for s in list_msr_sources(**ROOTS)}
    assert "msr:pkg0:pkg_c6_residency" in ids and "msr:pkg0:pkg_c2_residency" in ids
    # one package: package counters once; two cores: core counters twice; TSC per thread
    assert sum(i.endswith(":pkg_c6_residency") for i in ids) == 1
    assert {i for i in ids if i.endswith(":core_c6_residency")} == {
        "msr:pkg0core0:core_c6_residency",
        "msr:pkg0core1:core_c6_residency",
    }
    assert {"msr:cpu0:tsc", "msr:cpu1:tsc"} <= ids
    # Sandy Bridge has no PC8-PC10: the fixture ends before 0x630, as the device answers EIO there
    assert not any("pkg_c8" in i or "pkg_c10" in i for i in ids)


def test_residency_over_tsc_is_a_fraction() -> None:
    by_id = {s.id: s for s in list_msr_sources(**ROOTS)}
    tsc = read_msr(by_id["msr:cpu0:tsc"].path, 0x10)
    cc7 = read_msr(by_id["msr:pkg0core1:core_c7_residency"].path, 0x3FE)
    assert cc7 / tsc == pytest.approx(0.08, abs=0.001)
    # In a plain file PC7 (0x3FA) shares its upper 6 bytes with core C3 (0x3FC): the device format
    pc7 = read_msr(by_id["msr:pkg0:pkg_c7_residency"].path, 0x3FA)
    cc3 = read_msr(by_id["msr:pkg0core0:core_c3_residency"].path, 0x3FC)
    assert pc7 >> 16 == cc3 & ((1 << 48) - 1)


def test_amd_energy_registers_at_their_high_offsets(tmp_path: Path) -> None:
    # MangoHud issue 1390, a Ryzen 9 7950X: MSR_RAPL_PWR_UNIT 0x000a1000 (0.000015 J)
    sysfs, devfs, procfs = build_machine(
        tmp_path, "AuthenticAMD", {0: (0, 0, {0x10: 5, 0xC0010299: 0x000A1000, 0xC001029B: 123456})}
    )
    assert read_cpu_vendor(procfs) == "amd"
    by_id = {s.id: s for s in list_msr_sources(sysfs, devfs, procfs)}
    assert set(by_id) >= {"msr:pkg0:rapl_power_unit", "msr:pkg0:pkg_energy_status", "msr:cpu0:tsc"}
    assert "msr:pkg0core0:core_energy_status" in by_id  # zero-filled hole inside the file reads 0, as on Zen
    assert not any("residency" in i for i in by_id)  # AMD documents no residency MSRs
    unit = energy_unit_joules(read_msr(by_id["msr:pkg0:rapl_power_unit"].path, 0xC0010299))
    assert unit == pytest.approx(0.000015, abs=1e-6)
    assert os.stat(by_id["msr:cpu0:tsc"].path).st_blocks * 512 < 1 << 20  # sparse, not 3 GiB


def test_no_msr_device_says_how_to_get_one(tmp_path: Path) -> None:
    sysfs, _, procfs = build_machine(tmp_path, "GenuineIntel", {0: (0, 0, {0x10: 1})})
    with pytest.raises(ProbeUnavailable, match="modprobe msr"):
        list_msr_sources(sysfs, tmp_path / "nodev", procfs)


def test_unreadable_device_and_other_vendors(tmp_path: Path) -> None:
    sysfs, devfs, procfs = build_machine(tmp_path, "GenuineIntel", {0: (0, 0, {0x10: 1})})
    msr = devfs / "cpu" / "0" / "msr"
    msr.unlink()
    msr.mkdir()  # EISDIR stands in for EACCES, which root (CI) would not get from a mode
    with pytest.raises(ProbeUnavailable, match="EISDIR"):
        list_msr_sources(sysfs, devfs, procfs)
    (procfs / "cpuinfo").write_text("processor\t: 0\nvendor_id\t: CentaurHauls\n")
    with pytest.raises(ProbeUnavailable, match="not an Intel or AMD"):
        list_msr_sources(sysfs, devfs, procfs)


def test_short_file_is_eio(tmp_path: Path) -> None:
    path = tmp_path / "msr"
    write_msr_file(path, {0x10: 7})
    assert read_msr(path, 0x10) == 7
    with pytest.raises(OSError) as info:
        read_msr(path, 0x611)
    assert info.value.errno == 5
