"""Idle counters from real /proc/interrupts captures and from fake sysfs trees."""

from __future__ import annotations

from pathlib import Path

from hwinspector.probes.power.idle_readers import (
    parse_interrupts,
    read_cpuidle,
    read_interrupts,
    read_lpi_residency_us,
    read_rc6_ms,
    read_runtime_pm,
    read_softirqs,
    read_throttle_counts,
    voluntary_switches,
)

DATA = Path(__file__).resolve().parents[2] / "data" / "idle"


def test_interrupts_2_6_18_names_after_the_trigger() -> None:
    rows = {i.irq: i for i in parse_interrupts((DATA / "interrupts-hp-nx6325-2.6.18-rc6").read_text())}
    assert rows["0"].name == "timer" and rows["0"].per_cpu == (489283, 0)
    assert rows["225"].name == "ehci_hcd:usb1, ohci_hcd:usb2, ohci_hcd:usb3"
    assert rows["217"].name == "libata, HDA Intel"
    assert len(rows) == 10


def test_interrupts_with_broken_chip_names_and_short_rows() -> None:
    rows = {i.irq: i for i in parse_interrupts((DATA / "interrupts-hp-nx6325-2.6.18-rc5-mm1").read_text())}
    assert rows["0"].name == "timer"  # "<NULL>-edge"
    assert rows["4348"].name == "HDA Intel"  # "PCI-MSI-<NULL>" and no trigger
    assert rows["LOC"].total == 18036 + 18171
    assert rows["ERR"].per_cpu == (0,)  # one column, not one per CPU


def test_modern_layout_and_garbage() -> None:
    text = (
        "            CPU0       CPU1\n"
        " 142:       12    7390144  IR-PCI-MSI 32768-edge      i915\n"
        " 125:          0          0  IR-PCI-MSI 479232-edge      PCIe PME, aerdrv, pciehp\n"
        " LOC:   11172750   12918221   Local timer interrupts\n"
        "garbage line without colon\n"
        " 77: x y z\n"
    )
    rows = {i.irq: i for i in parse_interrupts(text)}
    assert rows["142"].name == "i915" and rows["142"].per_cpu == (12, 7390144)
    assert rows["125"].name == "PCIe PME, aerdrv, pciehp"
    assert rows["LOC"].name == "Local timer interrupts"
    assert "77" not in rows
    assert parse_interrupts("") == []


def test_live_proc_is_readable() -> None:
    assert any(i.irq == "LOC" or i.total > 0 for i in read_interrupts())
    assert "TIMER" in read_softirqs()
    assert (voluntary_switches(1) or 0) >= 0


def _write(p: Path, text: str) -> None:
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_text(text)


def test_fake_sysfs_counters(tmp_path: Path) -> None:
    cpu = tmp_path / "devices/system/cpu"
    for n, (name, t, u) in enumerate([("POLL", 5, 1), ("C10", 900000, 40)]):
        _write(cpu / f"cpu0/cpuidle/state{n}/name", f"{name}\n")
        _write(cpu / f"cpu0/cpuidle/state{n}/desc", "MWAIT 0x60\n")
        _write(cpu / f"cpu0/cpuidle/state{n}/time", f"{t}\n")
        _write(cpu / f"cpu0/cpuidle/state{n}/usage", f"{u}\n")
    _write(cpu / "cpu0/cpuidle/state2/name", "broken\n")  # no time/usage: skipped, not fatal
    _write(cpu / "cpuidle/low_power_idle_system_residency_us", "123\n")
    _write(cpu / "cpuidle/low_power_idle_cpu_residency_us", "garbage\n")
    _write(cpu / "cpu0/thermal_throttle/core_throttle_count", "3\n")
    _write(tmp_path / "class/drm/card0/gt/gt0/rc6_residency_ms", "4000\n")
    dev = tmp_path / "devices/pci0000:00/0000:00:02.0"
    _write(dev / "power/runtime_active_time", "100\n")
    _write(dev / "power/runtime_suspended_time", "900\n")
    _write(dev / "power/control", "auto\n")
    _write(dev / "power/runtime_status", "suspended\n")
    states = read_cpuidle(tmp_path)
    assert [(s.name, s.time_us) for s in states] == [("POLL", 5), ("C10", 900000)]
    assert read_lpi_residency_us(tmp_path) == {"system": 123}
    assert read_throttle_counts(tmp_path) == {"cpu0/core_throttle_count": 3}
    assert read_rc6_ms(tmp_path) == {"card0/gt0": 4000}
    (pm,) = read_runtime_pm(tmp_path)
    assert (pm.path, pm.control, pm.active_ms, pm.suspended_ms) == (
        "/devices/pci0000:00/0000:00:02.0",
        "auto",
        100,
        900,
    )
    assert read_cpuidle(tmp_path / "nothing") == [] and read_rc6_ms(tmp_path / "nothing") == {}
