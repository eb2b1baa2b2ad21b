"""A small fake sysfs for device-tree tests: device directories with uevent, subsystem and driver links."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path


class FakeSysfs:
    """``root`` stands for /sys. Devices are created the way the kernel lays them out."""

    def __init__(self, root: Path) -> None:
        self.root = root
        (root / "devices").mkdir(parents=True, exist_ok=True)

    def add_device(
        self,
        devpath: str,
        subsystem: str | None = None,
        *,
        driver: str | None = None,
        module: str | None = None,
        uevent: Mapping[str, str] | None = None,
        attrs: Mapping[str, str | bytes] | None = None,
    ) -> Path:
        d = self.root / devpath.lstrip("/")
        d.mkdir(parents=True, exist_ok=True)
        lines = [f"{k}={v}" for k, v in (uevent or {}).items()]
        if driver:
            lines.insert(0, f"DRIVER={driver}")
        (d / "uevent").write_text("".join(line + "\n" for line in lines))
        if subsystem:
            bus_dir = self.root / "bus" / subsystem
            bus_dir.mkdir(parents=True, exist_ok=True)
            os.symlink(os.path.relpath(bus_dir, d), d / "subsystem")
        if driver and subsystem:
            drv_dir = self.root / "bus" / subsystem / "drivers" / driver
            drv_dir.mkdir(parents=True, exist_ok=True)
            os.symlink(os.path.relpath(drv_dir, d), d / "driver")
            if module and not (drv_dir / "module").exists():
                mod_dir = self.root / "module" / module
                mod_dir.mkdir(parents=True, exist_ok=True)
                os.symlink(os.path.relpath(mod_dir, drv_dir), drv_dir / "module")
        for name, value in (attrs or {}).items():
            p = d / name
            p.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(value, bytes):
                p.write_bytes(value)
            else:
                p.write_text(value + "\n")
        return d

    def add_module(self, name: str, version: str | None = None, params: Mapping[str, str] | None = None) -> Path:
        m = self.root / "module" / name
        (m / "parameters").mkdir(parents=True, exist_ok=True)
        if version:
            (m / "version").write_text(version + "\n")
        (m / "srcversion").write_text("ABCDEF0123456789ABCDEF0\n")
        for k, v in (params or {}).items():
            (m / "parameters" / k).write_text(v + "\n")
        return m


def small_laptop(root: Path) -> FakeSysfs:
    """A GPU, an unbound network controller, a USB controller with a webcam, a battery."""
    fs = FakeSysfs(root)
    pci = "/devices/pci0000:00"
    fs.add_device(pci)
    fs.add_device(
        f"{pci}/0000:00:00.0",
        "pci",
        uevent={
            "PCI_CLASS": "60000",
            "PCI_ID": "8086:9B61",
            "MODALIAS": "pci:v00008086d00009B61sv*bc06sc00i00",
        },
        attrs={"vendor": "0x8086", "device": "0x9b61", "class": "0x060000", "config": bytes(range(64))},
    )
    fs.add_device(
        f"{pci}/0000:00:02.0",
        "pci",
        driver="i915",
        module="i915",
        uevent={
            "PCI_CLASS": "30000",
            "PCI_ID": "8086:9B41",
            "PCI_SLOT_NAME": "0000:00:02.0",
            "MODALIAS": "pci:v00008086d00009B41sv000017AAsd00002297bc03sc00i00",
        },
        attrs={"vendor": "0x8086", "device": "0x9b41", "class": "0x030000", "boot_vga": "1"},
    )
    fs.add_device(
        f"{pci}/0000:00:02.0/drm/card0",
        "drm",
        uevent={"DEVTYPE": "drm_minor", "DEVNAME": "dri/card0", "MAJOR": "226", "MINOR": "0"},
    )
    fs.add_device(
        f"{pci}/0000:00:14.3",
        "pci",
        uevent={
            "PCI_CLASS": "28000",
            "PCI_ID": "8086:02F0",
            "MODALIAS": "pci:v00008086d000002F0sv00008086sd00000074bc02sc80i00",
        },
        attrs={"vendor": "0x8086", "device": "0x02f0", "class": "0x028000"},
    )
    fs.add_device(
        f"{pci}/0000:00:14.0",
        "pci",
        driver="xhci_hcd",
        module="xhci_pci",
        uevent={"PCI_CLASS": "C0330", "PCI_ID": "8086:02ED"},
        attrs={"vendor": "0x8086", "device": "0x02ed", "class": "0x0c0330"},
    )
    fs.add_device(
        f"{pci}/0000:00:14.0/usb1",
        "usb",
        driver="usb",
        uevent={"DEVTYPE": "usb_device", "PRODUCT": "1d6b/2/515"},
        attrs={"idVendor": "1d6b", "idProduct": "0002", "bDeviceClass": "09"},
    )
    fs.add_device(
        f"{pci}/0000:00:14.0/usb1/1-5",
        "usb",
        driver="usb",
        uevent={"DEVTYPE": "usb_device", "PRODUCT": "4f2/b6d9/1"},
        attrs={
            "idVendor": "04f2",
            "idProduct": "b6d9",
            "product": "Integrated Camera",
            "manufacturer": "Chicony Electronics Co.,Ltd.",
            "serial": "0001",
        },
    )
    fs.add_device(
        f"{pci}/0000:00:14.0/usb1/1-5/1-5:1.0",
        "usb",
        driver="uvcvideo",
        module="uvcvideo",
        uevent={
            "DEVTYPE": "usb_interface",
            "INTERFACE": "14/1/0",
            "MODALIAS": "usb:v04F2pB6D9d0001dcEFdsc02dp01ic0Eisc01ip00in00",
        },
    )
    fs.add_device(
        f"{pci}/0000:00:14.0/usb1/1-5/1-5:1.0/video4linux/video0",
        "video4linux",
        uevent={"DEVNAME": "video0", "MAJOR": "81", "MINOR": "0"},
        attrs={"name": "Integrated Camera: Integrated C"},
    )
    fs.add_device(
        "/devices/LNXSYSTM:00/LNXSYBUS:00/PNP0C0A:00/power_supply/BAT0",
        "power_supply",
        uevent={
            "POWER_SUPPLY_NAME": "BAT0",
            "POWER_SUPPLY_TYPE": "Battery",
            "POWER_SUPPLY_MODEL_NAME": "5B10W13930",
        },
        attrs={"type": "Battery", "capacity": "87"},
    )
    fs.add_module("i915", params={"enable_guc": "-1", "modeset": "-1"})
    fs.add_module("xhci_pci")
    fs.add_module("uvcvideo", version="1.1.1")
    return fs
