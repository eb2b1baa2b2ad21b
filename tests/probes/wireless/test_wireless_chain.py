"""The wireless chain: kernel log lines of real machines, ethtool against the real tool, rfkill, BlueZ, iw."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from hwinspector.probes.devices.tree import read_devices
from hwinspector.probes.kernel_log import parse_dmesg_text
from hwinspector.probes.wireless.bluez import BluezAdapter, BluezInfo
from hwinspector.probes.wireless.chain import (
    WirelessInputs,
    assemble_wireless,
    firmware_version,
    parse_iw_reg,
    wireless_from_inputs,
)
from hwinspector.probes.wireless.ethtool import read_driver_info
from hwinspector.probes.wireless.firmware import bluetooth_firmware, regulatory_from_log, wifi_firmware
from tests.fake_sysfs import FakeSysfs

PCI = "/devices/pci0000:00/0000:00:1c.1/0000:03:00.0"
USB = "/devices/pci0000:00/0000:00:14.0/usb1/1-7"


def _log(corpus: Path, machine: str) -> list:  # type: ignore[type-arg]
    return parse_dmesg_text((corpus / "other/peracotta" / machine / "dmesg.txt").read_text(errors="replace"))


def test_firmware_lines_of_real_machines(corpus: Path) -> None:
    wifi = wifi_firmware(_log(corpus, "castes-pc"))
    assert [(n.device, n.driver, n.version) for n in wifi if not n.failed] == [
        ("0000:03:00.0", "iwlwifi", "17.3216344376.0")
    ]
    bt = bluetooth_firmware(_log(corpus, "castes-pc"))
    assert [n.version for n in bt] == ["27"]
    mbp = bluetooth_firmware(_log(corpus, "2018-castes-mbp"))
    assert ("hci0", "BCM (001.000.066) build 0297") in [(n.device, n.version) for n in mbp if not n.failed]
    failed = [n.message for n in mbp if n.failed]
    assert any("Patch brcm/BCM.hcd not found" in m for m in failed)
    assert any("Direct firmware load for brcm/BCM.hcd failed" in m for m in failed)


def _laptop(root: Path, *, soft: str = "0", hard: str = "0", platform_hard: str = "0") -> None:
    """The Intel Wireless 3165 and Bluetooth of the corpus's Dell laptop, with rfkill states to vary."""
    fs = FakeSysfs(root)
    for p in (
        "/devices/pci0000:00",
        "/devices/pci0000:00/0000:00:1c.1",
        "/devices/pci0000:00/0000:00:14.0",
        "/devices/pci0000:00/0000:00:14.0/usb1",
        "/devices/platform",
        "/devices/platform/dell-laptop",
    ):
        fs.add_device(p)  # fmt: skip
    fs.add_device(PCI, "pci", driver="iwlwifi", module="iwlwifi", uevent={"PCI_ID": "8086:3165",
                  "PCI_SLOT_NAME": "0000:03:00.0"})  # fmt: skip
    fs.add_device(f"{PCI}/ieee80211/phy0", "ieee80211")
    fs.add_device(f"{PCI}/ieee80211/phy0/rfkill1", "rfkill", uevent={"RFKILL_NAME": "phy0", "RFKILL_TYPE": "wlan"},
                  attrs={"name": "phy0", "type": "wlan", "soft": soft, "hard": hard})  # fmt: skip
    fs.add_device(f"{PCI}/net/wlp3s0", "net", uevent={"DEVTYPE": "wlan", "INTERFACE": "wlp3s0"},
                  attrs={"operstate": "up", "address": "e4:02:9b:78:8d:1d", "carrier": "1"})  # fmt: skip
    fs.add_device(USB, "usb", uevent={"DEVTYPE": "usb_device", "PRODUCT": "8087/a2a/1"})
    fs.add_device(f"{USB}/1-7:1.0", "usb", driver="btusb", module="btusb", uevent={"DEVTYPE": "usb_interface"})
    fs.add_device(f"{USB}/1-7:1.0/bluetooth/hci0", "bluetooth", attrs={"type": "USB"})
    fs.add_device(f"{USB}/1-7:1.0/bluetooth/hci0/rfkill2", "rfkill",
                  attrs={"name": "hci0", "type": "bluetooth", "soft": "0", "hard": "0"})  # fmt: skip
    fs.add_device("/devices/platform/dell-laptop/rfkill/rfkill0", "rfkill",
                  attrs={"name": "dell-wifi", "type": "wlan", "soft": "0", "hard": platform_hard})  # fmt: skip


def test_a_working_laptop_is_one_clean_chain_with_versions_and_adapter(tmp_path: Path, corpus: Path) -> None:
    _laptop(tmp_path)
    bluez = BluezInfo(True, None, (BluezAdapter("hci0", "/org/bluez/hci0", "XX", "laptop", True, "on", False, 2),))
    chain = assemble_wireless(read_devices(tmp_path, None), kernel_log=_log(corpus, "castes-pc"), bluez=bluez,
                              regdom_default="00", iw_reg="global\ncountry DE: DFS-ETSI\n")  # fmt: skip
    (w,) = chain.wifi
    (b,) = chain.bluetooth
    assert w.hardware is not None and (w.hardware.driver, w.hardware.ids) == ("iwlwifi", "8086:3165")
    assert [i.name for i in w.interfaces] == ["wlp3s0"] and [r.label for r in w.rfkill] == ["phy0"]
    assert b.hardware is not None and (b.hardware.driver, b.hardware.ids) == ("btusb", "8087:0a2a")
    assert firmware_version(chain, w.devpath) == "17.3216344376.0"
    assert chain.regulatory is not None and (chain.regulatory.country, chain.regulatory.source) == ("DE", "iw reg get")
    assert [s.label for s in chain.switches] == ["dell-wifi"]
    assert chain.problems == ()
    json.dumps(chain.to_json())


@pytest.mark.parametrize(
    ("kw", "severity", "text"),
    [
        ({"soft": "1"}, "warning", "soft-blocked"),
        ({"hard": "1"}, "error", "hard-blocked"),
        ({"platform_hard": "1"}, "error", "dell-wifi: hard-blocked"),
    ],
)
def test_blocked_radios_are_marked_on_the_radio(tmp_path: Path, kw: dict[str, str], severity: str, text: str) -> None:
    _laptop(tmp_path, **kw)
    chain = assemble_wireless(read_devices(tmp_path, None))
    got = [(p.severity, p.subject) for p in chain.problems if text in p.detail]
    assert got == [(severity, "phy0")]


def test_bluez_without_adapter_or_powered_off_breaks_the_last_link(tmp_path: Path) -> None:
    _laptop(tmp_path)
    devices = read_devices(tmp_path, None)
    missing = assemble_wireless(devices, bluez=BluezInfo(True, None, ()))
    assert [(p.severity, p.subject) for p in missing.problems] == [("error", "hci0")]
    off = BluezInfo(True, None, (BluezAdapter("hci0", "/org/bluez/hci0", None, None, False, "off-blocked", None),))
    (p,) = assemble_wireless(devices, bluez=off).problems
    assert p.severity == "warning" and "off-blocked" in p.detail
    # BlueZ not running is a note on the box, not a broken link of the hardware
    assert assemble_wireless(devices, bluez=BluezInfo(False, "BlueZ (bluetoothd) is not running")).problems == ()


def test_firmware_failure_from_the_log_is_an_error_on_the_driver(tmp_path: Path, corpus: Path) -> None:
    _laptop(tmp_path)
    log = parse_dmesg_text(
        "[    3.1] iwlwifi 0000:03:00.0: Direct firmware load for iwlwifi-7265D-29.ucode failed with error -2\n"
    )
    chain = assemble_wireless(read_devices(tmp_path, None), kernel_log=log)
    (p,) = chain.problems
    assert p.severity == "error" and "iwlwifi-7265D-29.ucode" in p.detail


def test_regulatory_domain_from_iw_log_or_module_parameter() -> None:
    text = (
        "global\ncountry US: DFS-FCC\n\t(2400 - 2472 @ 40), (N/A, 30), (N/A)\n\n"
        "phy#0 (self-managed)\ncountry CA: DFS-FCC\n"
    )
    assert parse_iw_reg(text) == ("US", {"phy0": "CA"})
    assert parse_iw_reg("") == (None, {})
    log = parse_dmesg_text("[ 5.0] cfg80211: Regulatory domain changed to country: GB\n")
    assert regulatory_from_log(log).country == "GB"


def test_inputs_round_trip_and_hostile_documents(tmp_path: Path) -> None:
    _laptop(tmp_path)
    devices = read_devices(tmp_path, None)
    inputs = WirelessInputs(("iwlwifi 0000:03:00.0: loaded firmware version 29.1 op_mode iwlmvm",), {}, "00",
                            "global\ncountry 00: DFS-UNSET\n", BluezInfo(False, "not running"))  # fmt: skip
    again = WirelessInputs.from_json(json.loads(json.dumps(inputs.to_json())))
    assert again == inputs
    chain = wireless_from_inputs(devices, again, "bundle")
    assert firmware_version(chain, chain.wifi[0].devpath) == "29.1"
    for hostile in (None, 3, {"driver_info": {"x": {"driver": 1}}, "bluez": {"adapters": 5}, "kernel_lines": [1]}):
        wireless_from_inputs(devices, WirelessInputs.from_json(hostile), "bundle")


@pytest.mark.skipif(shutil.which("ethtool") is None, reason="ethtool is not installed (the oracle)")
def test_driver_info_matches_ethtool_on_this_machine() -> None:
    """ETHTOOL_GDRVINFO through our ioctl against ``ethtool -i`` on every interface that answers it."""
    names = sorted(p.name for p in Path("/sys/class/net").iterdir())
    compared = 0
    for name in names:
        res = subprocess.run(["ethtool", "-i", name], capture_output=True, text=True, check=False, timeout=10)
        if res.returncode != 0:
            with pytest.raises(OSError):
                read_driver_info(name)
            continue
        want = dict(line.split(": ", 1) for line in res.stdout.splitlines() if ": " in line)
        got = read_driver_info(name)
        assert (got.driver, got.version, got.firmware_version or "", got.bus_info or "") == (
            want["driver"], want["version"], want.get("firmware-version", ""), want.get("bus-info", "")
        )  # fmt: skip
        compared += 1
    assert compared >= 1
    with pytest.raises(OSError):
        read_driver_info("no-such-if0")
    with pytest.raises(OSError):
        read_driver_info("../../etc")
