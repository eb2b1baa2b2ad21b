"""Bindings, modules.alias candidates, firmware failures from the kernel log, taint, and lspci as oracle."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from hwinspector.probes.devices.drivers import (
    decode_taint,
    find_problems,
    list_bindings,
    parse_modules_alias,
    read_taint,
)
from hwinspector.probes.devices.tree import read_devices
from hwinspector.probes.kernel_log import find_firmware_failures, parse_dmesg_text, parse_kmsg_record
from tests.fake_sysfs import small_laptop

ALIASES = """\
# Aliases extracted from modules themselves.
alias pci:v00008086d*sv*sd*bc03sc*i* i915
alias pci:v00008086d000002F0sv*sd*bc*sc*i* iwlwifi
alias pci:v*d*sv*sd*bc02sc80i* catchall_net
alias usb:v04F2pB6D9d*dc*dsc*dp*ic0Eisc01ip00in* uvcvideo
"""


def test_bindings_with_modules_versions_and_parameters(tmp_path: Path) -> None:
    small_laptop(tmp_path)
    devs = read_devices(tmp_path, None)
    by_driver = {b.driver: b for b in list_bindings(devs, tmp_path)}
    i915 = by_driver["i915"]
    assert i915.module == "i915"
    assert i915.devices == ("/devices/pci0000:00/0000:00:02.0",)
    assert dict(i915.parameters) == {"enable_guc": "-1", "modeset": "-1"}
    assert i915.srcversion == "ABCDEF0123456789ABCDEF0"
    assert by_driver["uvcvideo"].module_version == "1.1.1"
    assert by_driver["xhci_hcd"].module == "xhci_pci"
    # drivers registered on a bus show up even without devices; usb's core driver is built in
    assert by_driver["usb"].module is None


def test_unbound_network_controller_is_an_error_with_candidates(tmp_path: Path) -> None:
    small_laptop(tmp_path)
    devs = read_devices(tmp_path, None)
    problems = find_problems(devs, parse_modules_alias(ALIASES, "6.8.0"))
    assert [(p.path, p.kind, p.severity) for p in problems] == [
        ("/devices/pci0000:00/0000:00:14.3", "unbound", "error")
    ]
    (p,) = problems
    assert p.candidates == ("iwlwifi", "catchall_net")
    assert "Network controller" in p.detail and "iwlwifi" in p.detail
    # the host bridge has no driver either, and that is normal
    assert all(p.path != "/devices/pci0000:00/0000:00:00.0" for p in problems)


def test_modalias_without_matching_module_says_so(tmp_path: Path) -> None:
    small_laptop(tmp_path)
    devs = read_devices(tmp_path, None)
    (p,) = find_problems(devs, parse_modules_alias("alias pci:v0000DEADd*sv*sd*bc*sc*i* x\n", "6.8.0"))
    assert p.candidates == ()
    assert "no module of kernel 6.8.0 matches" in p.detail


def test_firmware_failures_from_kmsg_and_dmesg_text(tmp_path: Path) -> None:
    small_laptop(tmp_path)
    devs = read_devices(tmp_path, None)
    lines = [
        parse_kmsg_record(
            "3,1234,5678901,-;i915 0000:00:02.0: Direct firmware load for i915/kbl_dmc_ver1_04.bin failed with error -2"
        ),
        parse_kmsg_record("6,1235,5678999,-;usb 1-5: new high-speed USB device number 3 using xhci_hcd"),
    ]
    lines += parse_dmesg_text(
        "[   12.345678] iwlwifi 0000:00:14.3: firmware: failed to load iwlwifi-QuZ-a0-hr-b0-77.ucode (-2)\n"
        "[   12.345679] iwlwifi 0000:00:14.3: firmware: failed to load iwlwifi-QuZ-a0-hr-b0-77.ucode (-2)\n"
        "garbage line without brackets\n"
    )
    fails = find_firmware_failures([x for x in lines if x is not None])
    assert [(f.driver, f.device, f.firmware, f.error) for f in fails] == [
        ("i915", "0000:00:02.0", "i915/kbl_dmc_ver1_04.bin", -2),
        ("iwlwifi", "0000:00:14.3", "iwlwifi-QuZ-a0-hr-b0-77.ucode", -2),
    ]
    problems = find_problems(devs, None, fails)
    fw = [p for p in problems if p.kind == "firmware"]
    assert {p.path for p in fw} == {"/devices/pci0000:00/0000:00:02.0", "/devices/pci0000:00/0000:00:14.3"}
    assert all(p.severity == "error" for p in fw)


def test_kmsg_record_parsing_and_garbage() -> None:
    line = parse_kmsg_record("4,10,2000000,-;ACPI Warning: something\n SUBSYSTEM=acpi\n")
    assert line is not None and (line.priority, line.time_us, line.message) == (
        4,
        2_000_000,
        "ACPI Warning: something",
    )
    assert parse_kmsg_record("no semicolon here") is None
    assert parse_kmsg_record("x,y,z;msg") is None


def test_taint_decoding() -> None:
    t = decode_taint(0)
    assert t.flags == () and not t.crash
    # P (bit 0) + O (bit 12): proprietary out-of-tree module, e.g. the NVIDIA driver: not a crash
    t = decode_taint(1 | 1 << 12)
    assert [c for c, _ in t.flags] == ["P", "O"] and not t.crash
    # D (bit 7): an oops happened
    t = decode_taint(1 << 7 | 1 << 9)
    assert [c for c, _ in t.flags] == ["D", "W"] and t.crash
    problems = find_problems([], None, taint=t)
    assert [(p.kind, p.severity) for p in problems] == [("taint", "error")]


def test_taint_from_procfs(tmp_path: Path) -> None:
    (tmp_path / "sys/kernel").mkdir(parents=True)
    (tmp_path / "sys/kernel/tainted").write_text("4097\n")
    t = read_taint(tmp_path)
    assert t is not None and t.value == 4097
    (tmp_path / "sys/kernel/tainted").write_text("garbage\n")
    assert read_taint(tmp_path) is None


def _lspci_drivers() -> dict[str, str | None]:
    out = subprocess.run(["lspci", "-D", "-k"], capture_output=True, text=True, check=True, env={"LC_ALL": "C"}).stdout
    result: dict[str, str | None] = {}
    slot = None
    for line in out.splitlines():
        m = re.match(r"^([0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]) ", line)
        if m:
            slot = m.group(1)
            result[slot] = None
        elif slot and "Kernel driver in use:" in line:
            result[slot] = line.split(":", 1)[1].strip()
    return result


@pytest.mark.skipif(shutil.which("lspci") is None, reason="lspci (pciutils) not installed")
def test_pci_drivers_equal_lspci_k_on_this_machine() -> None:
    """Oracle: lspci -k on the live machine against `hwinspector drivers --json`."""
    expected = _lspci_drivers()
    assert expected, "lspci listed no PCI devices"
    proc = subprocess.run(
        [sys.executable, "-m", "hwinspector", "drivers", "--json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    got: dict[str, str | None] = {}
    for b in doc["bindings"]:
        for path in b["devices"]:
            slot = path.rsplit("/", 1)[-1]
            if re.fullmatch(r"[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]", slot):
                got[slot] = b["driver"]
    for slot, drv in expected.items():
        assert got.get(slot) == drv, slot
    assert set(got) <= set(expected)
