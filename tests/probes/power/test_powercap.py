"""RAPL domains: nesting, ids, limits, watts from counter deltas, wrap-around, root-only counters."""

from __future__ import annotations

from pathlib import Path

import pytest

from hwinspector.probes.errors import ProbeUnavailable
from hwinspector.probes.power.powercap import (
    RAPL_ROOT_ONLY_REASON,
    RaplDomain,
    RaplMeter,
    energy_delta_uj,
    list_rapl_domains,
    power_watts,
)
from tests.probes.sysfs_builder import call_unprivileged, extract_ttar, rapl_zone, shared_tmp

RANGE = 262143328850  # max_energy_range_uj of a 32-bit counter at Intel's 61 µJ energy unit


def intel_laptop(sysfs: Path) -> None:
    # Kaby Lake R U-series: package with core/uncore/dram, plus platform (psys)
    rapl_zone(
        sysfs, "intel-rapl:0", "package-0", 48730012457,
        constraint_0_name="long_term", constraint_0_power_limit_uw=15000000,
        constraint_0_time_window_us=27983872, constraint_0_max_power_uw=15000000,
        constraint_1_name="short_term", constraint_1_power_limit_uw=44000000,
        constraint_1_time_window_us=2440, constraint_1_max_power_uw=0,
    )  # fmt: skip
    rapl_zone(sysfs, "intel-rapl:0:0", "core", 19553114210)
    rapl_zone(sysfs, "intel-rapl:0:1", "uncore", 1320776381)
    rapl_zone(sysfs, "intel-rapl:0:2", "dram", 7611248872)
    rapl_zone(sysfs, "intel-rapl:1", "psys", 101288733107)


def test_nested_intel_zones(tmp_path: Path) -> None:
    intel_laptop(tmp_path)
    domains = list_rapl_domains(tmp_path)
    assert [(d.id, d.zone, d.parent) for d in domains] == [
        ("rapl:package-0", "intel-rapl:0", None),
        ("rapl:package-0/core", "intel-rapl:0:0", "intel-rapl:0"),
        ("rapl:package-0/uncore", "intel-rapl:0:1", "intel-rapl:0"),
        ("rapl:package-0/dram", "intel-rapl:0:2", "intel-rapl:0"),
        ("rapl:psys", "intel-rapl:1", None),
    ]
    pkg = domains[0]
    assert (pkg.readable, pkg.reason, pkg.energy_uj, pkg.max_energy_range_uj) == (True, None, 48730012457, RANGE)
    assert pkg.enabled is True
    pl1, pl2 = pkg.constraints
    assert (pl1.name, pl1.power_limit_watts, pl1.time_window_s, pl1.max_power_watts) == (
        "long_term", 15.0, pytest.approx(27.983872), 15.0,
    )  # fmt: skip
    assert (pl2.name, pl2.power_limit_watts, pl2.max_power_watts) == ("short_term", 44.0, None)
    assert pkg.energy_path.endswith("intel-rapl:0/energy_uj")


def test_amd_and_mmio_zones_keep_distinct_ids(tmp_path: Path) -> None:
    # AMD Zen exposes RAPL through intel_rapl_msr under the same control type; Intel's MMIO interface
    # repeats the package domain under another one.
    rapl_zone(tmp_path, "intel-rapl:0", "package-0", 1000)
    rapl_zone(tmp_path, "intel-rapl:0:0", "core", 500)
    rapl_zone(tmp_path, "intel-rapl-mmio:0", "package-0", 1200)
    ids = [d.id for d in list_rapl_domains(tmp_path)]
    assert ids == ["rapl:package-0", "rapl:package-0/core", "rapl-mmio:package-0"]


def test_zone_without_counter_is_not_a_domain(tmp_path: Path) -> None:
    rapl_zone(tmp_path, "intel-rapl:0", "package-0", 1000)
    rapl_zone(tmp_path, "intel-rapl:0:0", "core", None)  # some platforms have no core counter
    assert [d.zone for d in list_rapl_domains(tmp_path)] == ["intel-rapl:0"]


def test_wrap_around() -> None:
    assert energy_delta_uj(1000, 5000, RANGE) == 4000
    # the counter passed max_energy_range_uj and restarted at 0
    assert energy_delta_uj(RANGE - 850, 1000, RANGE) == 1850
    # one second apart: 1850 µJ is 1.85 mW
    assert power_watts(RANGE - 850, 1000, 1.0, RANGE) == pytest.approx(0.00185)
    assert power_watts(RANGE - 10_000_000, 5_000_000, 0.5, RANGE) == pytest.approx(30.0)
    # a drop without a known range, or from beyond it, is a reset (resume, reload): unknowable
    assert energy_delta_uj(5000, 1000, None) is None
    assert energy_delta_uj(RANGE + 5, 1000, RANGE) is None
    assert power_watts(1000, 2000, 0.0, RANGE) is None


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def write_counter(d: Path, value: int) -> None:
    # in place (same inode), as sysfs does: the meter keeps the file open
    with open(d / "energy_uj", "r+") as f:
        f.truncate(0)
        f.write(f"{value}\n")


def test_meter_watts_across_wrap(tmp_path: Path) -> None:
    pkg = rapl_zone(tmp_path, "intel-rapl:0", "package-0", RANGE - 3_000_000)
    core = rapl_zone(tmp_path, "intel-rapl:0:0", "core", 1_000_000)
    clock = FakeClock()
    with RaplMeter(list_rapl_domains(tmp_path), clock) as meter:
        first = meter.sample()
        assert [(p.id, p.power_watts) for p in first] == [("rapl:package-0", None), ("rapl:package-0/core", None)]
        assert first[0].reason == "first sample: power needs two readings"

        clock.now += 0.5
        write_counter(pkg, 2_000_000)  # wrapped: 3 J to the top, then 2 J
        write_counter(core, 3_500_000)
        second = {p.id: p for p in meter.sample()}
        assert second["rapl:package-0"].power_watts == pytest.approx(10.0)
        assert second["rapl:package-0/core"].power_watts == pytest.approx(5.0)

        clock.now += 0.001  # 1 kHz
        write_counter(pkg, 2_012_000)
        assert meter.sample()[0].power_watts == pytest.approx(12.0)


def test_meter_counter_reset_is_not_a_number(tmp_path: Path) -> None:
    pkg = rapl_zone(tmp_path, "intel-rapl:0", "package-0", 5_000_000, max_energy_range_uj="")
    clock = FakeClock()
    with RaplMeter(list_rapl_domains(tmp_path), clock) as meter:
        meter.sample()
        clock.now += 1
        write_counter(pkg, 1_000)
        p = meter.sample()[0]
    assert p.power_watts is None
    assert p.reason is not None and "reset" in p.reason


def _unprivileged_view(sysfs: Path) -> tuple[list[RaplDomain], list[tuple[float | None, str | None]]]:
    domains = list_rapl_domains(sysfs)
    with RaplMeter(domains) as meter:
        return domains, [(p.power_watts, p.reason) for p in meter.sample()]


def test_root_only_counter_says_why_and_never_zero() -> None:
    # Linux >= 5.10: energy_uj is mode 0400 (CVE-2020-8694); name and range stay world-readable.
    with shared_tmp() as sysfs:
        intel_laptop(sysfs)
        for zone in ("intel-rapl:0", "intel-rapl:0:0", "intel-rapl:0:1", "intel-rapl:0:2", "intel-rapl:1"):
            (sysfs / "class/powercap" / zone / "energy_uj").chmod(0o400)
        domains, powers = call_unprivileged(_unprivileged_view, sysfs)
    assert len(domains) == 5
    for d in domains:
        assert d.readable is False
        assert d.energy_uj is None  # not 0
        assert d.reason == RAPL_ROOT_ONLY_REASON
        assert d.max_energy_range_uj == RANGE
    assert powers == [(None, RAPL_ROOT_ONLY_REASON)] * 5
    assert "CVE-2020-8694" in RAPL_ROOT_ONLY_REASON
    assert "packaging/udev/60-hwinspector-rapl.rules" in RAPL_ROOT_ONLY_REASON


def test_udev_rule_is_shipped_where_the_reason_points() -> None:
    repo = Path(__file__).resolve().parents[3]
    rule = (repo / "packaging/udev/60-hwinspector-rapl.rules").read_text()
    active = [line for line in rule.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    assert active, "the rule file has no active rule"
    assert all('SUBSYSTEM=="powercap"' in line for line in active)
    assert any("energy_uj" in line and "chmod g+r" in line for line in active)
    assert any("chgrp hwinspector" in line for line in active)
    readme = (repo / "packaging/udev/README.md").read_text()
    for needle in ("CVE-2020-8694", "CVE-2020-8695", "PLATYPUS", "udevadm trigger", "off by default"):
        assert needle in readme


def test_no_powercap(tmp_path: Path) -> None:
    with pytest.raises(ProbeUnavailable, match="powercap"):
        list_rapl_domains(tmp_path)


def test_powercap_without_rapl_zones(tmp_path: Path) -> None:
    # a virtual machine: the class exists (dtpm built in) but nothing has a counter
    (tmp_path / "class/powercap/dtpm").mkdir(parents=True)
    with pytest.raises(ProbeUnavailable, match="intel_rapl_msr"):
        list_rapl_domains(tmp_path)


def test_prometheus_fixture(corpus: Path, tmp_path: Path) -> None:
    extract_ttar(corpus / "other/prometheus-node_exporter/sys.ttar", tmp_path, "sys/class/powercap")
    domains = list_rapl_domains(tmp_path / "sys")
    assert [(d.id, d.energy_uj, d.max_energy_range_uj) for d in domains] == [
        ("rapl:package-0", 240422366267, RANGE),
        ("rapl:package-0/core", 118821284256, RANGE),
    ]
    assert domains[0].constraints[0].max_power_watts == 95.0
    assert domains[1].enabled is False
