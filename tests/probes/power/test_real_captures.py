"""The wakeup-source and MSR readers on trees written from captures of real machines (tests/data/SOURCES.md)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hwinspector.probes.power.idle import analyse
from hwinspector.probes.power.msr import energy_unit_joules, list_msr_sources, read_cpu_vendor, read_msr
from hwinspector.probes.power.suspend import WakeupSource, list_wakeup_sources
from tests.probes.power.test_idle import _counters

DATA = Path(__file__).resolve().parents[2] / "data"
WOL = DATA / "wakeup" / "brcmstb-wol"
X1C6 = DATA / "msr" / "thinkpad-x1c6"


def _by_name(sources: list[WakeupSource]) -> dict[str, WakeupSource]:
    return {s.name: s for s in sources}


def test_broadcom_board_wakeup_sources_before_wake_on_lan() -> None:
    # debugfs wakeup_sources before `ethtool -s eth0 wol g` and the suspend: three sources, only the
    # wake timer has counted events (2, never a wakeup).
    before = _by_name(list_wakeup_sources(WOL / "before" / "sys"))
    assert set(before) == {"47d580000.ethernet", "alarmtimer", "47c408400.waketimer"}
    assert (before["47d580000.ethernet"].event_count, before["47d580000.ethernet"].active_count) == (0, 0)
    timer = before["47c408400.waketimer"]
    assert (timer.active_count, timer.event_count, timer.wakeup_count, timer.total_time_ms) == (2, 2, 0, 0)


def test_broadcom_board_wakeup_sources_after_wake_on_lan() -> None:
    # The sysfs listing after the Wake-on-LAN resume: wakeup2 is the Ethernet MAC with event_count 1 and
    # active_count 1 but wakeup_count 0 -- the very discrepancy the report was about.
    after_list = list_wakeup_sources(WOL / "after" / "sys")
    assert [s.name for s in after_list][2] == "47d580000.ethernet"  # wakeupN order: wakeup2 is third
    after = _by_name(after_list)
    eth = after["47d580000.ethernet"]
    assert (eth.event_count, eth.active_count, eth.wakeup_count, eth.total_time_ms) == (1, 1, 0, 0)
    assert eth.device is None  # the capture shows no device link, and none is invented


def test_broadcom_board_only_the_ethernet_counted_the_wake() -> None:
    before = _by_name(list_wakeup_sources(WOL / "before" / "sys"))
    after = _by_name(list_wakeup_sources(WOL / "after" / "sys"))
    changed = {n for n in after if after[n].event_count != before[n].event_count}
    assert changed == {"47d580000.ethernet"}
    # last_change_ms (ms since boot) of the Ethernet source falls inside the suspend the kernel log
    # shows: "PM: suspend entry" at 3449.952654 s and "PM: suspend exit" at 3450.738539 s.
    last_change_ms = int((WOL / "after/sys/class/wakeup/wakeup2/last_change_ms").read_text())
    assert 3449952 < last_change_ms < 3450739


def _capture_registers() -> dict[int, int]:
    """MSR number -> value from the AppleIntelInfo lines as posted ("NAME...(0xADDR) : 0xVALUE")."""
    out = {}
    for line in (X1C6 / "AppleIntelInfo-excerpt.txt").read_text().splitlines():
        m = re.search(r"\((0x[0-9a-fA-F]+)\)\s*:\s*(0x[0-9a-fA-F]+)$", line)
        if m:
            out[int(m[1], 16)] = int(m[2], 16)
    return out


def _initial_tsc() -> int:
    text = (X1C6 / "AppleIntelInfo-excerpt.txt").read_text()
    m = re.search(r"InitialTSC\.*: (0x[0-9a-fA-F]+)", text)
    assert m is not None
    return int(m[1], 16)


X1C6_ROOTS = {"sysfs": X1C6 / "sys", "devfs": X1C6 / "dev", "procfs": X1C6 / "proc"}


def test_thinkpad_x1c6_fixture_holds_the_capture_values() -> None:
    regs = _capture_registers()
    msr = X1C6 / "dev" / "cpu" / "0" / "msr"
    for address in (0x60D, 0x3F8, 0x639):
        assert read_msr(msr, address) == regs[address], hex(address)
    assert read_msr(msr, 0x10) == _initial_tsc()
    assert read_cpu_vendor(X1C6 / "proc") == "intel"


def test_thinkpad_x1c6_package_residency_over_tsc() -> None:
    # Since reset the package spent 0x5BE265529A of 0x256C527082A TSC ticks in PC2 (15.3 %) and
    # 0xF61793363A in PC3 (41.1 %); PC6 reads 0 in the capture: this machine never reached PC6.
    by_id = {s.id: s for s in list_msr_sources(**X1C6_ROOTS)}
    assert {"msr:cpu0:tsc", "msr:pkg0:pkg_c2_residency", "msr:pkg0:pkg_c3_residency"} <= set(by_id)
    tsc = read_msr(by_id["msr:cpu0:tsc"].path, by_id["msr:cpu0:tsc"].counter.address)
    pc2 = read_msr(by_id["msr:pkg0:pkg_c2_residency"].path, 0x60D)
    pc3 = read_msr(by_id["msr:pkg0:pkg_c3_residency"].path, 0x3F8)
    assert 100 * pc2 / tsc == pytest.approx(15.35, abs=0.01)
    assert 100 * pc3 / tsc == pytest.approx(41.10, abs=0.01)
    assert pc2 + pc3 < tsc
    # 2.1 GHz TSC (MSR_PLATFORM_INFO bits 15:8 = 0x15 = 21 x 100 MHz): about 20 minutes since reset
    ratio = (_capture_registers()[0xCE] >> 8) & 0xFF
    assert tsc / (ratio * 100e6) / 60 == pytest.approx(20.4, abs=0.1)
    assert _capture_registers()[0x3F9] == 0


def test_thinkpad_x1c6_energy_counters_decode() -> None:
    # RAPL unit 0xA0E03: energy status unit 2^-14 J; PP0 (cores) 0x340EE53 counts = 3331.7 J and the
    # package 0x59D8A0F = 5750.2 J: the cores are part of the package, so PP0 < package.
    regs = _capture_registers()
    unit = energy_unit_joules(regs[0x606])
    assert unit == pytest.approx(61.035e-6, rel=1e-4)
    pp0 = read_msr(X1C6 / "dev" / "cpu" / "0" / "msr", 0x639) * unit
    assert pp0 == pytest.approx(3331.7, abs=0.1)
    assert pp0 < regs[0x611] * unit == pytest.approx(5750.2, abs=0.1)


def test_chromebook_wakeup_sources_resolve_to_the_listed_devices() -> None:
    # `ls -l /sys/class/wakeup/*/device` on an SDM845 Chromebook: ten sources, each linked to its device.
    links = DATA / "wakeup" / "cros-sdm845-links" / "sys"
    got = {s.name: s.device for s in list_wakeup_sources(links)}
    assert len(got) == 10
    base = "/devices/platform/soc/"
    assert got["alarmtimer"] == base + "rtc0"
    assert got["wakeup0"] == base + "a6f8800.usb"
    assert got["wakeup3"] == base + "sbs-16-000b"  # a class device: no "wakeup" folder between them
    assert got["wakeup4"] == base + "a88000.spi:ec@0:keyboard-controller"
    assert got["wakeup8"] == base + "1-1.2.4.1"
    # no counter files in a links-only listing: the counts are unknown, not zero
    assert all(s.event_count is None and s.wakeup_count is None for s in list_wakeup_sources(links))


def test_dangling_device_link_is_no_device(tmp_path: Path) -> None:
    entry = tmp_path / "class" / "wakeup" / "wakeup0"
    entry.mkdir(parents=True)
    (entry / "device").symlink_to("../../../gone.usb")
    (entry / "name").write_text("gone.usb\n")
    [source] = list_wakeup_sources(tmp_path)
    assert (source.name, source.device) == ("gone.usb", None)


def test_thinkpad_x1c6_idle_verdict_from_reset_to_the_capture() -> None:
    # Residency counters and the TSC all start at 0 at reset, so "reset -> capture" is a window the idle
    # analysis can judge. PC6 stayed 0 in the capture: the package never went below PC3.
    msr = X1C6 / "dev" / "cpu" / "0" / "msr"
    pc6 = _capture_registers()[0x3F9]  # not in the file: it would share bytes with PC3
    reading = {
        "msr:cpu0:tsc": read_msr(msr, 0x10),
        "msr:pkg0:pkg_c2_residency": read_msr(msr, 0x60D),
        "msr:pkg0:pkg_c3_residency": read_msr(msr, 0x3F8),
        "msr:pkg0:pkg_c6_residency": pc6,
    }
    seconds = reading["msr:cpu0:tsc"] / 2.1e9
    doc = analyse(_counters(0.0, privileged=dict.fromkeys(reading, 0)), _counters(seconds, privileged=reading)).doc
    pkg = doc["privileged"]["package_cstates"]
    assert pkg["pkg0:pkg_c2"] == pytest.approx(15.35, abs=0.01)
    assert pkg["pkg0:pkg_c3"] == pytest.approx(41.10, abs=0.01)
    assert pkg["pkg0:pkg_c6"] == 0
    assert doc["verdict"]["culprits"][0] == "package never below PC3 (PC6 and deeper: 0.0 % of the window)"
