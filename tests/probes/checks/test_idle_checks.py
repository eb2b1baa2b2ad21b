"""Deep idle, hardware sleep and spurious-wakeup checks: pass, warn, fail and not applicable with the reason."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hwinspector.probes.checks.base import Status
from hwinspector.probes.checks.idle import check_deep_idle, check_hw_sleep, check_spurious_wakeups
from hwinspector.probes.machine.sections import Section
from hwinspector.probes.power.suspend import cycle_report, read_suspend

DATA = Path(__file__).resolve().parents[2] / "data" / "suspend"


def secs(**kw: Any) -> dict[str, Section]:
    return {name: Section(name, True, None, value) for name, value in kw.items()}


def states(cpu: int, c10_time: int) -> list[dict[str, Any]]:
    return [
        {"cpu": cpu, "index": 0, "name": "POLL", "time_us": 5},
        {"cpu": cpu, "index": 3, "name": "C10", "time_us": c10_time},
    ]


def test_deep_idle_from_boot_counters() -> None:
    ok = check_deep_idle(
        secs(cpu={"cpuidle": states(0, 9) + states(1, 7)}, suspend={"lpi_residency_us": {"system": 5}})
    )
    assert ok.status is Status.PASS
    never = check_deep_idle(secs(cpu={"cpuidle": states(0, 9) + states(1, 0)}))
    assert never.status is Status.WARNING and "CPU 1 never entered" in never.summary
    no_lpi = check_deep_idle(secs(cpu={"cpuidle": states(0, 9)}, suspend={"lpi_residency_us": {"system": 0}}))
    assert no_lpi.status is Status.WARNING and "LPI system residency 0" in no_lpi.summary


def test_deep_idle_on_a_vm_is_not_applicable() -> None:
    vm = secs(
        cpu={"cpuidle": [{"cpu": 0, "index": 1, "name": "haltpoll idle", "time_us": 9}]},
        kernel_log=[{"message": "Hypervisor detected: KVM"}],
    )
    v = check_deep_idle(vm)
    assert v.status is Status.NA and "virtual machine" in v.summary


def test_deep_idle_from_a_window_with_package_states() -> None:
    window = {
        "duration_s": 20,
        "verdict": {"summary": "Kept awake by: x", "culprits": ["x"]},
        "privileged": {"package_cstates": {"pkg0:pkg_c2": 60.0, "pkg0:pkg_c3": 30.0, "pkg0:pkg_c6": 0.2}},
    }
    v = check_deep_idle(secs(idle=window))
    assert v.status is Status.FAIL and "never reached C6" in v.summary
    quiet = {"duration_s": 20, "verdict": {"summary": "Quiet", "culprits": []}, "lpi": {"system_residency_percent": 80}}
    assert check_deep_idle(secs(idle=quiet)).status is Status.PASS


def test_hw_sleep_states() -> None:
    assert check_hw_sleep(secs(suspend={"stats": {}})).status is Status.NA
    assert "no successful suspend" in check_hw_sleep(secs(suspend={"stats": {"success": 0}})).summary
    none = check_hw_sleep(secs(suspend={"stats": {"success": 3, "last_hw_sleep": 0}}))
    assert none.status is Status.FAIL
    fine = check_hw_sleep(secs(suspend={"stats": {"success": 3, "last_hw_sleep": 58_000_000}}))
    assert fine.status is Status.PASS
    short = {"stats": {"success": 3, "last_hw_sleep": 30_000_000}, "cycle": {"suspended_s": 60.0, "flags": []}}
    assert check_hw_sleep(secs(suspend=short)).status is Status.WARNING
    # the real XPS 9320 capture: a 6.10 kernel without last_hw_sleep in suspend_stats
    after = read_suspend(DATA / "dell-xps-9320-after" / "sys", devkmsg=Path("/nonexistent"))
    v = check_hw_sleep(secs(suspend=after))
    assert v.status is Status.NA and "last_hw_sleep" in v.summary
    # a source without the section says so
    assert check_hw_sleep({}).status is Status.NA


def test_spurious_wakeups() -> None:
    assert "no test cycle" in check_spurious_wakeups(secs(suspend={"stats": {}})).summary
    before = {"stats": {"success": 1}, "lpi_residency_us": {}}
    after = {"stats": {"success": 2}, "lpi_residency_us": {}, "wakeup_irq": {"irq": 7, "name": "pinctrl_amd"}}
    cycle = cycle_report(before, after, {"requested_s": 60, "suspended_s": 12.0})
    v = check_spurious_wakeups(secs(suspend={**after, "cycle": cycle}))
    assert v.status is Status.FAIL and v.summary.startswith("spurious wakeup")
    assert v.evidence == ("last wakeup IRQ 7 pinctrl_amd",)
    good = cycle_report(before, after, {"requested_s": 60, "suspended_s": 59.8})
    assert check_spurious_wakeups(secs(suspend={**after, "cycle": good})).status is Status.PASS
