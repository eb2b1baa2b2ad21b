"""The USB-C and Thunderbolt chain on fake trees of real machines (tests/data/SOURCES.md) and on broken input."""

from __future__ import annotations

import json
from pathlib import Path

from hwinspector.probes.devices.tree import read_devices
from hwinspector.probes.kernel_log import parse_dmesg_text
from hwinspector.probes.usbc.chain import UsbcInputs, assemble_usbc, read_usbc_extras, usbc_from_inputs
from hwinspector.probes.usbc.thunderbolt import BoltDevice, BoltInfo
from tests.probes.usbc import trees


def _chain(root: Path, **kw: object):  # type: ignore[no-untyped-def]
    return assemble_usbc(read_devices(root, None), read_usbc_extras(root), **kw)  # type: ignore[arg-type]


def test_thinkpad_x13_dp_dongle_and_charger_as_lsucpd_shows_them(tmp_path: Path) -> None:
    trees.thinkpad_x13_gen3(tmp_path)
    chain = _chain(tmp_path)
    p0, p1 = chain.ports
    assert (p0.name, p0.driver, p0.data_role, p0.power_role) == ("port0", "ucsi_acpi", "host", "source")
    assert (p1.data_role, p1.power_role, p1.pd_revision) == ("device", "sink", "2.0")
    (dp,) = p0.altmodes
    assert (dp.svid, dp.vdo, dp.active, dp.label) == (0xFF01, 0x1085, True, "DisplayPort")
    assert p0.pd is not None and p0.pd.name == "pd0" and p0.pd.source is None
    assert [x.text() for x in p0.pd.sink or ()] == [
        "fixed 5 V 3 A",
        "variable 5 to 20 V 3.25 A",
        "battery 5 to 20 V 65 W",
    ]
    assert p1.partner is not None and p1.partner.pd is not None and p1.partner.pd.name == "pd2"
    volts = [x.voltage_mv for x in p1.partner.pd.source or ()]
    assert volts == [5000, 9000, 12000, 15000, 20000]
    assert max(x.max_power_w or 0 for x in p1.partner.pd.source or ()) == 60
    # a charger with PDOs and the PD power operation mode: a contract, even though the partner says PD 0.0
    assert chain.problems == ()
    json.dumps(chain.to_json())  # JSON-ready for bundles and --json


def test_legion_charger_without_contract_is_marked_on_its_port(tmp_path: Path) -> None:
    trees.legion_pro7_broken_contract(tmp_path)
    chain = _chain(tmp_path)
    (p,) = chain.ports
    assert p.contract is not None and p.contract.online and p.contract.voltage_now_v == 0
    details = [x.detail for x in chain.problems if x.subject == "port0"]
    assert any("source capabilities (PDOs) are empty" in d for d in details)
    assert any("reports 0 V" in d for d in details)


def test_unauthorised_dock_is_an_error_and_boltd_is_joined_by_uid(tmp_path: Path) -> None:
    trees.thunderbolt_dock_unauthorised(tmp_path)
    bolt = BoltInfo(True, None, devices=(BoltDevice("006f79a1-3f9d-0801-ffff-ffffffffffff", "ThinkPad Thunderbolt 3 "
                    "Dock", "Lenovo", "connected", True, "iommu", "missing", 3),))  # fmt: skip
    chain = _chain(tmp_path, bolt=bolt)
    (dom,) = chain.domains
    assert (dom.driver, dom.security, dom.iommu_dma_protection, dom.controller) == (
        "thunderbolt", "user", True, "0000:07:00.0"
    )  # fmt: skip
    host, dock = dom.devices
    assert host.host and not dock.host
    assert (dock.title, dock.authorized, dock.speed) == ("Lenovo ThinkPad Thunderbolt 3 Dock", 0, "10.0 Gb/s x 2 lanes")
    assert dock.bolt is not None and dock.bolt.status == "connected"
    (problem,) = chain.problems
    assert problem.severity == "error" and problem.subject == "0-1" and "boltd: connected" in problem.detail


def test_controller_whose_firmware_did_not_start_is_an_orphan_with_the_kernel_line(
    tmp_path: Path, corpus: Path
) -> None:
    """The 2018 MacBook Pro of the corpus: "thunderbolt 0000:06:00.0: could not start ICM firmware"."""
    from tests.fake_sysfs import FakeSysfs

    fs = FakeSysfs(tmp_path)
    fs.add_device("/devices/pci0000:00")
    fs.add_device("/devices/pci0000:00/0000:06:00.0", "pci", driver="thunderbolt",
                  uevent={"PCI_CLASS": "88000", "PCI_SLOT_NAME": "0000:06:00.0"})  # fmt: skip
    log = parse_dmesg_text((corpus / "other/peracotta/2018-castes-mbp/dmesg.txt").read_text(errors="replace"))
    chain = assemble_usbc(read_devices(tmp_path, None), kernel_log=log)
    assert chain.orphan_controllers == (("0000:06:00.0", "/devices/pci0000:00/0000:06:00.0", "thunderbolt"),)
    (problem,) = chain.problems
    assert "registered no domain" in problem.detail and "could not start ICM firmware" in problem.detail


def test_links_show_which_display_and_usb_device_hang_off_a_port(tmp_path: Path) -> None:
    """The kernel's port mapper links (drm_connector, usbN-portM) lead to the connector and the USB device."""
    fs = trees.thinkpad_x13_gen3(tmp_path)
    conn = "/devices/pci0000:00/0000:00:02.0/drm/card1/card1-DP-1"
    fs.add_device("/devices/pci0000:00")
    fs.add_device("/devices/pci0000:00/0000:00:02.0", "pci", driver="i915")
    fs.add_device("/devices/pci0000:00/0000:00:02.0/drm/card1", "drm")
    edid = bytes.fromhex((Path(__file__).parents[2] / "data/edid/base-1.4-dp.hex").read_text())
    fs.add_device(conn, "drm", attrs={"status": "connected", "edid": edid})
    hub = "/devices/pci0000:00/0000:00:0d.0/usb3"
    fs.add_device("/devices/pci0000:00/0000:00:0d.0", "pci", driver="xhci_hcd")
    fs.add_device(hub, "usb", uevent={"DEVTYPE": "usb_device"})
    fs.add_device(f"{hub}/3-0:1.0", "usb", uevent={"DEVTYPE": "usb_interface"}, driver="hub")
    fs.add_device(f"{hub}/3-0:1.0/usb3-port1")
    fs.add_device(f"{hub}/3-1", "usb", uevent={"DEVTYPE": "usb_device"}, attrs={"speed": "5000"})
    trees._link(fs, f"{trees.UCSI}/typec/port0", "drm_connector", conn)
    trees._link(fs, f"{trees.UCSI}/typec/port0", "usb3-port1", f"{hub}/3-0:1.0/usb3-port1")
    chain = _chain(tmp_path)
    got = {(a.kind, a.status, a.detail) for a in chain.attached[f"{trees.UCSI}/typec/port0"]}
    assert got == {("display", "connected", "HWI TEST 27 (HWI 0x1234, 53x30 cm)"), ("usb", "5000 Mb/s", "usb3-port1")}
    assert chain.attached[f"{trees.UCSI}/typec/port1"] == ()


def test_inputs_round_trip_through_json_and_survive_hostile_documents(tmp_path: Path) -> None:
    trees.thinkpad_x13_gen3(tmp_path)
    devices = read_devices(tmp_path, None)
    inputs = UsbcInputs(read_usbc_extras(tmp_path), ("thunderbolt 0000:06:00.0: could not start ICM firmware",),
                        BoltInfo(False, "boltd is not running"))  # fmt: skip
    again = UsbcInputs.from_json(json.loads(json.dumps(inputs.to_json())))
    assert again == inputs
    assert usbc_from_inputs(devices, again, "bundle").to_json()["ports"] == assemble_usbc(
        devices, inputs.extras
    ).to_json()["ports"]  # fmt: skip
    hostile_docs = [
        None, [], "x", {"links": [1], "identity": {"a": 3}, "kernel_lines": "no", "bolt": {"devices": 7}},
        {"links": {"/p": {"drm_connector": 5}}, "bolt": {"running": 1, "devices": [{"uid": 9}, "x"]}},
    ]  # fmt: skip
    for hostile in hostile_docs:
        got = UsbcInputs.from_json(hostile)
        assert isinstance(got, UsbcInputs)
        usbc_from_inputs(devices, got, "bundle")


def test_unreadable_and_garbage_attributes_are_unknown_not_fatal(tmp_path: Path) -> None:
    trees.thinkpad_x13_gen3(tmp_path)
    port = tmp_path / "devices/platform/USBC000:00/typec/port1"
    (port / "data_role").write_text("\xff\xfe garbage\n")
    (port / "power_role").unlink()
    (port / "power_role").mkdir()  # a directory where a file was: skipped by the reader
    pdo = tmp_path / "devices/platform/USBC000:00/usb_power_delivery/pd2/source-capabilities/1:fixed_supply/voltage"
    pdo.write_text("lots\n")
    chain = _chain(tmp_path)
    p1 = chain.ports[1]
    assert p1.power_role is None and p1.data_role == "\xff\xfe garbage"
    assert p1.partner is not None and p1.partner.pd is not None
    assert (p1.partner.pd.source or ())[0].voltage_mv is None
    # the typec class directory vanishing between listing and reading gives no links, no crash
    assert read_usbc_extras(tmp_path / "nowhere").links == {}
