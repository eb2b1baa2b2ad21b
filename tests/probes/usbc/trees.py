"""Fake sysfs trees of real machines' USB-C and Thunderbolt state, rebuilt from public captures.

Each function names its capture; tests/data/SOURCES.md lists them. Only what the capture shows is
written: a value the capture does not have is left out, not invented.
"""

from __future__ import annotations

import os
from pathlib import Path

from tests.fake_sysfs import FakeSysfs

UCSI = "/devices/platform/USBC000:00"
TB_NHI = "/devices/pci0000:00/0000:00:1c.4/0000:05:00.0/0000:06:00.0/0000:07:00.0"


def _link(fs: FakeSysfs, devpath: str, name: str, target: str) -> None:
    d = fs.root / devpath.lstrip("/")
    os.symlink(os.path.relpath(fs.root / target.lstrip("/"), d), d / name)


def _class_link(fs: FakeSysfs, cls: str, devpath: str) -> None:
    c = fs.root / "class" / cls
    c.mkdir(parents=True, exist_ok=True)
    os.symlink(os.path.relpath(fs.root / devpath.lstrip("/"), c), c / devpath.rsplit("/", 1)[-1])


def _typec(fs: FakeSysfs, devpath: str, devtype: str, attrs: dict[str, str]) -> None:
    fs.add_device(devpath, "typec", uevent={"DEVTYPE": devtype}, attrs=attrs)
    _class_link(fs, "typec", devpath)


def _pd(fs: FakeSysfs, name: str, caps: dict[str, list[tuple[str, dict[str, str]]]]) -> str:
    path = f"{UCSI}/usb_power_delivery/{name}"
    fs.add_device(path, "usb_power_delivery", attrs={"revision": "2.0"})
    _class_link(fs, "usb_power_delivery", path)
    for cap, pdos in caps.items():
        fs.add_device(f"{path}/{cap}")
        for pdo, attrs in pdos:
            fs.add_device(f"{path}/{cap}/{pdo}", attrs=attrs)
    return path


def thinkpad_x13_gen3(root: Path) -> FakeSysfs:
    """ThinkPad X13 Gen 3, Linux 6.7-rc1: a DisplayPort dongle on port0, a PD charger on port1.

    From ``lsucpd -c`` and ``lsucpd -ll`` in "[Announce] lsucpd release 0.91 utility for USB Type-C"
    (Douglas Gilbert, linux-usb, 8 Dec 2023).
    """
    fs = FakeSysfs(root)
    fs.add_device("/devices/platform")
    fs.add_device(
        UCSI, "platform", driver="ucsi_acpi", module="ucsi_acpi", uevent={"MODALIAS": "acpi:USBC000:PNP0CA0:"}
    )
    sink = [
        ("1:fixed_supply", {"voltage": "5000mV", "operational_current": "3000mA"}),
        (
            "2:variable_supply",
            {"minimum_voltage": "5000mV", "maximum_voltage": "20000mV", "operational_current": "3250mA"},
        ),
        ("3:battery", {"minimum_voltage": "5000mV", "maximum_voltage": "20000mV", "operational_power": "65000mW"}),
    ]
    pd0 = _pd(fs, "pd0", {"sink-capabilities": sink})
    pd1 = _pd(fs, "pd1", {"source-capabilities": [("1:fixed_supply", {"voltage": "0mV", "maximum_current": "7210mA"})],
                          "sink-capabilities": sink})  # fmt: skip
    charger = [(f"{i + 1}:fixed_supply", {"voltage": f"{v}mV", "maximum_current": "3000mA"})
               for i, v in enumerate((5000, 9000, 12000, 15000, 20000))]  # fmt: skip
    pd2 = _pd(fs, "pd2", {"source-capabilities": charger})
    pd3 = _pd(fs, "pd3", {})
    common = {"power_operation_mode": "usb_power_delivery", "preferred_role": "", "supported_accessory_modes": "none",
              "usb_power_delivery_revision": "2.0", "usb_typec_revision": "1.0", "vconn_source": "no"}  # fmt: skip
    port0 = f"{UCSI}/typec/port0"
    _typec(fs, port0, "typec_port", {**common, "data_role": "[host] device", "power_role": "[source] sink"})
    _link(fs, port0, "usb_power_delivery", pd0)
    partner0 = f"{port0}/port0-partner"
    _typec(fs, partner0, "typec_partner", {"accessory_mode": "none", "number_of_alternate_modes": "1",
           "supports_usb_power_delivery": "yes", "usb_power_delivery_revision": "0.0"})  # fmt: skip
    _link(fs, partner0, "usb_power_delivery", pd3)
    dp = {"active": "yes", "description": "DisplayPort", "mode": "1", "svid": "ff01", "vdo": "0x00001085"}
    _typec(fs, f"{partner0}/port0-partner.0", "typec_alternate_mode", dp)
    port1 = f"{UCSI}/typec/port1"
    _typec(fs, port1, "typec_port", {**common, "data_role": "host [device]", "power_role": "source [sink]"})
    _link(fs, port1, "usb_power_delivery", pd1)
    partner1 = f"{port1}/port1-partner"
    _typec(fs, partner1, "typec_partner", {"accessory_mode": "none", "supports_usb_power_delivery": "yes",
           "usb_power_delivery_revision": "0.0"})  # fmt: skip
    _link(fs, partner1, "usb_power_delivery", pd2)
    return fs


def legion_pro7_broken_contract(root: Path) -> FakeSysfs:
    """Lenovo Legion Pro 7 16IAX10H (Arrow Lake), Linux 6.18, ucsi_acpi loaded: a PD charger connects but no
    contract is negotiated — partner PD revision 0.0, no source-capabilities objects, voltage_now 0 in
    ucsi-source-psy-*. From kernel bugzilla 221142 (linux-usb, 25 Feb 2026)."""
    fs = FakeSysfs(root)
    fs.add_device("/devices/platform")
    fs.add_device(UCSI, "platform", driver="ucsi_acpi", module="ucsi_acpi")
    port0 = f"{UCSI}/typec/port0"
    _typec(fs, port0, "typec_port", {"data_role": "host [device]", "power_role": "source [sink]"})  # fmt: skip
    partner = f"{port0}/port0-partner"
    _typec(fs, partner, "typec_partner", {"supports_usb_power_delivery": "yes", "usb_power_delivery_revision": "0.0"})
    pd = _pd(fs, "pd1", {})
    _link(fs, partner, "usb_power_delivery", pd)
    psy = f"{UCSI}/power_supply/ucsi-source-psy-USBC000:001"
    fs.add_device(psy, "power_supply", uevent={"POWER_SUPPLY_NAME": "ucsi-source-psy-USBC000:001"},
                  attrs={"online": "1", "voltage_now": "0", "type": "USB"})  # fmt: skip
    _class_link(fs, "power_supply", psy)
    return fs


def thunderbolt_dock_unauthorised(root: Path) -> FakeSysfs:
    """A ThinkPad Thunderbolt 3 Dock connected but not authorised (boltctl: "status: connected",
    Thunderbolt 3, 20 Gb/s = 2 lanes * 10 Gb/s, policy iommu), from fwupd issue 3999 (fwupd/fwupd, Nov 2021).
    The domain's ``security`` is "user" as boltd enrolled it with a policy and no key."""
    fs = FakeSysfs(root)
    bridges = TB_NHI.split("/")
    for i in range(3, len(bridges)):
        p = "/".join(bridges[:i])
        fs.add_device(p, "pci" if i > 3 else None, driver="pcieport" if i > 3 else None)
    fs.add_device(TB_NHI, "pci", driver="thunderbolt", module="thunderbolt",
                  uevent={"PCI_CLASS": "88000", "PCI_SLOT_NAME": "0000:07:00.0"})  # fmt: skip
    dom = f"{TB_NHI}/domain0"
    fs.add_device(dom, "thunderbolt", uevent={"DEVTYPE": "thunderbolt_domain"},
                  attrs={"security": "user", "iommu_dma_protection": "1"})  # fmt: skip
    fs.add_device(f"{dom}/0-0", "thunderbolt", uevent={"DEVTYPE": "thunderbolt_device"},
                  attrs={"authorized": "1",
                         "unique_id": "ce010000-00b0-af18-a3b9-b41c30323923", "generation": "3"})  # fmt: skip
    fs.add_device(f"{dom}/0-0/0-1", "thunderbolt", uevent={"DEVTYPE": "thunderbolt_device"},
                  attrs={"authorized": "0", "vendor_name": "Lenovo", "device_name": "ThinkPad Thunderbolt 3 Dock",
                         "unique_id": "006f79a1-3f9d-0801-ffff-ffffffffffff", "generation": "3",
                         "rx_speed": "10.0 Gb/s", "tx_speed": "10.0 Gb/s", "rx_lanes": "2", "tx_lanes": "2",
                         "key": ""})  # fmt: skip
    return fs


MACHINES = {
    "thinkpad-x13-gen3": ("ThinkPad X13 Gen 3 (lsucpd 0.91 announcement, linux-usb)", thinkpad_x13_gen3),
    "legion-pro7": ("Lenovo Legion Pro 7 16IAX10H (kernel bugzilla 221142)", legion_pro7_broken_contract),
    "tb3-dock": ("ThinkPad Thunderbolt 3 Dock, not authorised (fwupd issue 3999)", thunderbolt_dock_unauthorised),
}
