"""Scorecard checks that follow the USB-C, Thunderbolt and wireless chains: "end to end" only with every link."""

from __future__ import annotations

from pathlib import Path

from hwinspector.probes.checks.base import Status
from hwinspector.probes.checks.devices import check_bluetooth, check_network
from hwinspector.probes.checks.links import check_thunderbolt, check_usbc
from hwinspector.probes.devices.tree import read_devices
from hwinspector.probes.kernel_log import parse_dmesg_text
from hwinspector.probes.machine.sections import Section
from hwinspector.probes.usbc.chain import assemble_usbc, read_usbc_extras
from hwinspector.probes.wireless.bluez import BluezAdapter, BluezInfo
from hwinspector.probes.wireless.chain import assemble_wireless
from tests.fake_sysfs import FakeSysfs
from tests.probes.usbc import trees
from tests.probes.wireless.test_wireless_chain import _laptop

FW_LOG = "[ 2.8] iwlwifi 0000:03:00.0: loaded firmware version 17.3216344376.0 op_mode iwlmvm\n"


def _sections(root: Path, **wireless: object) -> dict[str, Section]:
    devices = read_devices(root, None)
    usbc = assemble_usbc(devices, read_usbc_extras(root))
    radio = assemble_wireless(devices, **wireless)  # type: ignore[arg-type]
    return {
        "devices": Section("devices", True, None, {"devices": [d.to_json() for d in devices]}),
        "usbc": Section("usbc", True, None, {"inputs": None, "chain": usbc.to_json()}),
        "wireless": Section("wireless", True, None, {"inputs": None, "chain": radio.to_json()}),
    }


def test_usbc_in_use_ports_work_end_to_end_on_the_thinkpad(tmp_path: Path) -> None:
    trees.thinkpad_x13_gen3(tmp_path)
    v = check_usbc(_sections(tmp_path))
    assert v.status is Status.PASS and v.summary == "2 USB-C port(s); 2 in use, each working end to end"
    assert "port0: ucsi_acpi, in use, DisplayPort" in v.evidence
    assert check_thunderbolt(_sections(tmp_path)).status is Status.NA


def test_usbc_charger_without_contract_is_a_warning(tmp_path: Path) -> None:
    trees.legion_pro7_broken_contract(tmp_path)
    v = check_usbc(_sections(tmp_path))
    assert v.status is Status.WARNING and "PDOs" in v.summary and v.hint


def test_ucsi_controller_without_driver_fails(tmp_path: Path) -> None:
    fs = FakeSysfs(tmp_path)
    fs.add_device("/devices/platform")
    fs.add_device("/devices/platform/USBC000:00", "platform", uevent={"MODALIAS": "acpi:USBC000:PNP0CA0:"})
    v = check_usbc(_sections(tmp_path))
    assert v.status is Status.FAIL and "USBC000:00 has no driver" in v.summary


def test_thunderbolt_unauthorised_dock_fails_and_authorised_passes(tmp_path: Path) -> None:
    trees.thunderbolt_dock_unauthorised(tmp_path)
    v = check_thunderbolt(_sections(tmp_path))
    assert v.status is Status.FAIL and "not authorised" in v.summary
    dock = next(tmp_path.glob("devices/**/domain0/0-0/0-1"))
    (dock / "authorized").write_text("1\n")
    v = check_thunderbolt(_sections(tmp_path))
    assert v.status is Status.PASS and v.summary == "1 domain(s); 1 device(s), all authorised"


def test_wifi_end_to_end_needs_the_firmware_link_and_an_unblocked_radio(tmp_path: Path) -> None:
    _laptop(tmp_path)
    with_log = check_network(_sections(tmp_path, kernel_log=parse_dmesg_text(FW_LOG)))
    assert with_log.status is Status.PASS and "Wi-Fi works end to end" in with_log.summary
    without_log = check_network(_sections(tmp_path))
    assert without_log.status is Status.PASS and "end to end" not in without_log.summary
    assert "firmware" in without_log.summary
    _laptop(tmp_path / "blocked", soft="1")
    blocked = check_network(_sections(tmp_path / "blocked", kernel_log=parse_dmesg_text(FW_LOG)))
    assert blocked.status is Status.WARNING and "soft-blocked" in blocked.summary


def test_bluetooth_end_to_end_needs_a_powered_bluez_adapter(tmp_path: Path) -> None:
    _laptop(tmp_path)
    up = BluezInfo(True, None, (BluezAdapter("hci0", "/org/bluez/hci0", None, "x", True, "on", False),))
    assert "works end to end" in check_bluetooth(_sections(tmp_path, bluez=up)).summary
    unknown = check_bluetooth(_sections(tmp_path))
    assert unknown.status is Status.PASS and "BlueZ is not part of this source" in unknown.summary
    down = check_bluetooth(_sections(tmp_path, bluez=BluezInfo(False, "BlueZ (bluetoothd) is not running")))
    assert down.status is Status.WARNING
    off = BluezInfo(True, None, (BluezAdapter("hci0", "/org/bluez/hci0", None, "x", False, "off", False),))
    assert check_bluetooth(_sections(tmp_path, bluez=off)).status is Status.WARNING
