"""Suspend analysis against a real before/after capture and fake sysfs trees."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hwinspector.probes.errors import ProbeUnavailable
from hwinspector.probes.kernel_log import parse_dmesg_text
from hwinspector.probes.power.suspend import (
    cycle_report,
    judge_cycle,
    list_wake_enabled,
    list_wakeup_sources,
    read_suspend,
    suspend_log_lines,
)

DATA = Path(__file__).resolve().parents[2] / "data" / "suspend"


def _write(p: Path, text: str) -> None:
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text)


def test_real_cycle_that_never_reached_s0ix() -> None:
    before = read_suspend(DATA / "dell-xps-9320-before" / "sys", devkmsg=Path("/nonexistent"))
    after = read_suspend(DATA / "dell-xps-9320-after" / "sys", devkmsg=Path("/nonexistent"))
    assert before["stats"] == {"success": 0} and after["stats"] == {"success": 1}
    report = cycle_report(before, after, {"requested_s": 2251, "suspended_s": 2251.0})
    assert report["succeeded"] is True
    assert report["lpi_delta_us"] == {"system": 0}
    assert report["flags"] == ["the platform never reached S0ix/LPI: system LPI residency did not move in 2251 s"]


def test_amd_s2idle_flags() -> None:
    assert judge_cycle(60, 20.0, None) == ["spurious wakeup: woke after 20.0 s of the 60 s asked (under 90%)"]
    assert judge_cycle(60, 59.5, 59_000_000) == []
    assert judge_cycle(120, 119.0, 60_000_000) == ["hardware sleep only 50% of the 119 s cycle (under 90%)"]
    assert judge_cycle(30, 29.0, 1_000_000) == []  # under 60 s: hardware sleep is not judged


def test_fake_machine_wakeup_irq_sources_and_wake_enabled(tmp_path: Path) -> None:
    sysfs, procfs = tmp_path / "sys", tmp_path / "proc"
    _write(sysfs / "power/state", "freeze mem disk\n")
    _write(sysfs / "power/mem_sleep", "[s2idle] deep\n")
    _write(sysfs / "power/pm_wakeup_irq", "7\n")
    for k, v in {
        "success": "12",
        "fail": "1",
        "last_failed_dev": "0000:00:14.0",
        "last_failed_errno": "-16",
        "last_failed_step": "suspend",
        "last_hw_sleep": "59000000",
        "total_hw_sleep": "700000000",
    }.items():
        _write(sysfs / "power/suspend_stats" / k, v + "\n")  # fmt: skip
    _write(procfs / "interrupts", "           CPU0\n   7:   629   IO-APIC    7-fasteoi   pinctrl_amd\n")
    dev = sysfs / "devices/platform/AMDI0030:00"
    _write(dev / "power/wakeup", "enabled\n")
    _write(sysfs / "devices/pci0000:00/0000:00:08.1/power/wakeup", "disabled\n")
    w = sysfs / "class/wakeup/wakeup3"
    for k, v in {
        "name": "AMDI0030:00",
        "event_count": "40",
        "wakeup_count": "5",
        "active_count": "40",
        "total_time_ms": "12",
    }.items():
        _write(w / k, v + "\n")  # fmt: skip
    os.symlink(dev, w / "device")
    _write(sysfs / "class/wakeup/wakeup10/name", "broken\n")  # counts unreadable: kept with None
    doc = read_suspend(sysfs, procfs, devkmsg=tmp_path / "no-kmsg")
    assert doc["mem_sleep"] == ["s2idle", "deep"] and doc["mem_sleep_current"] == "s2idle"
    assert doc["wakeup_irq"] == {"irq": 7, "name": "pinctrl_amd"}
    assert doc["stats"]["last_failed_dev"] == "0000:00:14.0" and doc["stats"]["last_failed_errno"] == -16
    srcs = {s["name"]: s for s in doc["wakeup_sources"]}
    assert srcs["AMDI0030:00"]["device"] == "/devices/platform/AMDI0030:00"
    assert srcs["AMDI0030:00"]["wakeup_count"] == 5
    assert srcs["broken"]["event_count"] is None
    assert doc["wake_enabled"] == ["/devices/platform/AMDI0030:00"]
    assert any("kernel log not readable" in n for n in doc["notes"])
    assert list_wake_enabled(tmp_path / "none") == []
    with pytest.raises(ProbeUnavailable):
        list_wakeup_sources(tmp_path / "none")
    with pytest.raises(ProbeUnavailable):
        read_suspend(tmp_path / "none")


def test_kernel_log_suspend_lines() -> None:
    text = (
        "[ 100.000001] wlan0: associated\n"
        "[ 200.000000] PM: suspend entry (s2idle)\n"
        "[ 200.100000] Filesystems sync: 0.010 seconds\n"
        "[ 200.200000] Freezing user space processes\n"
        "[ 260.000000] PM: Triggering wakeup from IRQ 7\n"
        "[ 260.100000] PM: suspend exit\n"
        "[ 261.000000] usb 1-1: new device\n"
    )
    lines = suspend_log_lines(parse_dmesg_text(text))
    assert len(lines) == 5 and lines[0].endswith("PM: suspend entry (s2idle)")
    assert not any("wlan0" in x or "usb 1-1" in x for x in lines)
