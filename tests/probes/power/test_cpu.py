"""cpufreq and cpuidle per CPU: units, policies, offline CPUs, failures, machines without drivers."""

from __future__ import annotations

from pathlib import Path

import pytest

from hwinspector.probes.errors import ProbeUnavailable
from hwinspector.probes.power.cpu import list_cpufreq, list_cpuidle
from tests.probes.sysfs_builder import cpu, extract_ttar, make_eio

HWP = {
    "scaling_cur_freq": 1800035, "scaling_min_freq": 400000, "scaling_max_freq": 3400000,
    "cpuinfo_min_freq": 400000, "cpuinfo_max_freq": 3400000, "base_frequency": 1600000,
    "scaling_driver": "intel_pstate", "scaling_governor": "powersave",
    "scaling_available_governors": "performance powersave",
    "energy_performance_preference": "balance_performance",
    "energy_performance_available_preferences": "default performance balance_performance balance_power power ",
}  # fmt: skip

IDLE = [  # intel_idle on Kaby Lake: name, desc, latency, residency
    {"name": "POLL", "desc": "CPUIDLE CORE POLL IDLE", "latency": 0, "residency": 0, "usage": 54,
     "time": 6615, "disable": 0},
    {"name": "C1", "desc": "MWAIT 0x00", "latency": 2, "residency": 2, "usage": 156339, "time": 27036993,
     "disable": 0, "above": 4225, "below": 0},
    {"name": "C6", "desc": "MWAIT 0x20", "latency": 85, "residency": 200, "usage": 92880, "time": 40288119,
     "disable": 1, "above": 2510, "below": 8443},
]  # fmt: skip


def test_cpufreq_in_mhz(tmp_path: Path) -> None:
    cpu(tmp_path, 0, HWP)
    cpu(tmp_path, 1, {**HWP, "scaling_cur_freq": 900021}, online=1)
    f0, f1 = list_cpufreq(tmp_path)
    assert (f0.cpu, f0.online, f0.cur_mhz, f0.error) == (0, True, pytest.approx(1800.035), None)
    assert (f0.min_mhz, f0.max_mhz, f0.hw_min_mhz, f0.hw_max_mhz, f0.base_mhz) == (400, 3400, 400, 3400, 1600)
    assert (f0.driver, f0.governor) == ("intel_pstate", "powersave")
    assert f0.available_governors == ("performance", "powersave")
    assert f0.epp == "balance_performance"
    assert f0.available_epp == ("default", "performance", "balance_performance", "balance_power", "power")
    # cpuN/cpufreq is a link to the shared policy directory
    assert f0.policy == "policy0"
    assert f1.cur_mhz == pytest.approx(900.021)


def test_acpi_cpufreq_without_epp(tmp_path: Path) -> None:
    # prometheus' fixture machine: acpi-cpufreq style, no EPP and no base frequency
    cpu(tmp_path, 0, {"scaling_cur_freq": 1699981, "scaling_driver": "acpi-cpufreq",
                      "scaling_governor": "schedutil", "scaling_min_freq": 800000,
                      "scaling_max_freq": 3700000})  # fmt: skip
    (f,) = list_cpufreq(tmp_path)
    assert (f.epp, f.available_epp, f.base_mhz, f.errors) == (None, (), None, ())


def test_offline_cpu_and_failing_frequency(tmp_path: Path) -> None:
    cpu(tmp_path, 0, HWP)
    cpu(tmp_path, 1, None, online=0)  # offline: the kernel removes its cpufreq link
    d = cpu(tmp_path, 2, HWP, online=1)
    make_eio(d / "cpufreq/scaling_cur_freq")
    make_eio(d / "cpufreq/scaling_max_freq")
    freqs = {f.cpu: f for f in list_cpufreq(tmp_path)}
    assert (freqs[1].online, freqs[1].cur_mhz, freqs[1].error) == (False, None, "offline")
    assert (freqs[2].cur_mhz, freqs[2].error) == (None, "EIO")
    assert freqs[2].errors == ("scaling_max_freq: EIO",)
    assert freqs[2].governor == "powersave"


def test_no_cpufreq_driver(tmp_path: Path) -> None:
    # a virtual machine: CPUs without cpufreq directories
    cpu(tmp_path, 0)
    cpu(tmp_path, 1, online=1)
    with pytest.raises(ProbeUnavailable, match="no scaling driver"):
        list_cpufreq(tmp_path)


def test_no_cpu_directory(tmp_path: Path) -> None:
    with pytest.raises(ProbeUnavailable, match="sysfs"):
        list_cpufreq(tmp_path)


def test_idle_states(tmp_path: Path) -> None:
    cpu(tmp_path, 0, HWP, IDLE)
    cpu(tmp_path, 1, HWP, IDLE[:2], online=1)
    states = list_cpuidle(tmp_path)
    assert [(s.cpu, s.index, s.name) for s in states] == [
        (0, 0, "POLL"), (0, 1, "C1"), (0, 2, "C6"), (1, 0, "POLL"), (1, 1, "C1"),
    ]  # fmt: skip
    c6 = states[2]
    assert (c6.desc, c6.latency_us, c6.residency_us, c6.usage, c6.time_us) == (
        "MWAIT 0x20", 85, 200, 92880, 40288119,
    )  # fmt: skip
    assert (c6.disabled, c6.above, c6.below) == (True, 2510, 8443)
    assert states[0].disabled is False
    assert states[0].above is None  # older kernels have no above/below counters


def test_idle_state_failures_are_per_attribute(tmp_path: Path) -> None:
    d = cpu(tmp_path, 0, HWP, IDLE)
    make_eio(d / "cpuidle/state1/time")
    c1 = list_cpuidle(tmp_path)[1]
    assert (c1.time_us, c1.errors) == (None, ("time: EIO",))
    assert c1.usage == 156339


def test_idle_states_sort_numerically(tmp_path: Path) -> None:
    cpu(tmp_path, 0, HWP, [{"name": f"S{i}", "time": i} for i in range(11)])
    assert [s.index for s in list_cpuidle(tmp_path)] == list(range(11))


def test_no_cpuidle(tmp_path: Path) -> None:
    cpu(tmp_path, 0, HWP)
    (tmp_path / "devices/system/cpu/cpuidle").mkdir()
    (tmp_path / "devices/system/cpu/cpuidle/current_driver").write_text("none\n")
    with pytest.raises(ProbeUnavailable, match="cpuidle driver: none"):
        list_cpuidle(tmp_path)


def test_prometheus_fixture(corpus: Path, tmp_path: Path) -> None:
    extract_ttar(corpus / "other/prometheus-node_exporter/sys.ttar", tmp_path, "sys/devices/system/cpu")
    freqs = list_cpufreq(tmp_path / "sys")
    assert [f.cpu for f in freqs] == [0, 1, 2, 3]
    assert (freqs[0].cur_mhz, freqs[0].driver, freqs[0].max_mhz) == (
        pytest.approx(1699.981), "intel_pstate", 3700.0,
    )  # fmt: skip
