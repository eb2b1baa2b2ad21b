"""Readable names and the people-facing group ("Display adapters", "Network", …) of a device."""

from __future__ import annotations

import re
from collections.abc import Mapping

from hwinspector.i18n import N_
from hwinspector.probes.devices.hwdb import default_database

# ACPI and PNP ids that stand for well-known functions; the rest keep their id as name.
_ACPI_NAMES = {
    "LNXSYSTM": "ACPI system bus",
    "LNXSYBUS": "ACPI system bus",
    "LNXCPU": "Processor",
    "ACPI0007": "Processor",
    "LNXPWRBN": "Power button",
    "PNP0C0C": "Power button",
    "PNP0C0E": "Sleep button",
    "LNXSLPBN": "Sleep button",
    "PNP0C0D": "Lid switch",
    "PNP0C0A": "Battery (ACPI)",
    "ACPI0003": "AC adapter (ACPI)",
    "LNXVIDEO": "Video bus",
    "LNXTHERM": "Thermal zone",
    "PNP0C0B": "Fan",
    "PNP0A03": "PCI root bridge",
    "PNP0A08": "PCI Express root bridge",
    "PNP0C14": "WMI",
    "PNP0C09": "Embedded controller",
    "PNP0B00": "Real-time clock",
    "PNP0103": "HPET timer",
    "PNP0303": "PS/2 keyboard controller",
    "PNP0F13": "PS/2 mouse",
    "PNP0501": "Serial port",
    "PNP0C02": "Motherboard resources",
    "PNP0C01": "System board",
    "PNP0200": "DMA controller",
    "PNP0100": "System timer",
    "PNP0800": "PC speaker",
    "PNP0C04": "Math coprocessor",
    "INT33A1": "Intel power engine",
    "ACPI000C": "Processor aggregator",
    "ACPI0010": "Processor container",
    "PNP0401": "Parallel port",
    "PNP0700": "Floppy controller",
    "PNP0000": "Interrupt controller",
    "MSFT0101": "TPM 2.0",
}

_PCI_KIND = {
    0x01: N_("Storage"),
    0x02: N_("Network"),
    0x03: N_("Display adapters"),
    0x04: N_("Multimedia"),
    0x05: N_("Memory"),
    0x06: N_("Bridges"),
    0x07: N_("Communication controllers"),
    0x08: N_("System devices"),
    0x09: N_("Input"),
    0x0B: N_("Processors"),
    0x0D: N_("Network"),
    0x10: N_("Security devices"),
    0x11: N_("Signal processing"),
    0x12: N_("Accelerators"),
}
_SUBSYSTEM_KIND = {
    "net": N_("Network"),
    "bluetooth": N_("Bluetooth"),
    "ieee80211": N_("Network"),
    "rfkill": N_("Network"),
    "input": N_("Input"),
    "hid": N_("Input"),
    "serio": N_("Input"),
    "block": N_("Storage"),
    "scsi": N_("Storage"),
    "scsi_disk": N_("Storage"),
    "scsi_host": N_("Storage"),
    "scsi_generic": N_("Storage"),
    "bsg": N_("Storage"),
    "nvme": N_("Storage"),
    "ata_port": N_("Storage"),
    "ata_link": N_("Storage"),
    "ata_device": N_("Storage"),
    "mmc": N_("Storage"),
    "mmc_host": N_("Storage"),
    "sound": N_("Audio"),
    "snd_seq": N_("Audio"),
    "hdaudio": N_("Audio"),
    "drm": N_("Display adapters"),
    "graphics": N_("Display adapters"),
    "backlight": N_("Display adapters"),
    "hwmon": N_("Sensors"),
    "thermal": N_("Sensors"),
    "iio": N_("Sensors"),
    "powercap": N_("Sensors"),
    "video4linux": N_("Cameras"),
    "media": N_("Cameras"),
    "cpu": N_("Processors"),
    "memory": N_("Memory"),
    "edac": N_("Memory"),
    "tpm": N_("Security devices"),
    "tpmrm": N_("Security devices"),
    "tty": N_("Serial ports and terminals"),
    "usbmisc": N_("USB devices"),
    "printer": N_("Printers"),
    "watchdog": N_("System devices"),
    "rtc": N_("System devices"),
    "dmi": N_("Firmware"),
    "firmware": N_("Firmware"),
    "acpi": N_("ACPI"),
    "pnp": N_("System devices"),
    "platform": N_("System devices"),
    "i2c": N_("System devices"),
    "spi": N_("System devices"),
    "gpio": N_("System devices"),
    "pwm": N_("System devices"),
    "leds": N_("System devices"),
    "virtio": N_("Virtual devices"),
    "misc": N_("System devices"),
    "mei": N_("System devices"),
    "wmi": N_("Firmware"),
}


# The order people scan groups in: what usually matters first, plumbing last.
KIND_ORDER = (
    N_("Display adapters"),
    N_("Monitors and connectors"),
    N_("Network"),
    N_("Bluetooth"),
    N_("Audio"),
    N_("Multimedia"),
    N_("Cameras"),
    N_("Input"),
    N_("Storage"),
    N_("USB controllers"),
    N_("USB devices"),
    N_("Batteries"),
    N_("Power supplies"),
    N_("Sensors"),
    N_("Processors"),
    N_("Accelerators"),
    N_("Memory"),
    N_("Security devices"),
    N_("Printers"),
    N_("Communication controllers"),
    N_("Signal processing"),
    N_("Serial ports and terminals"),
    N_("Bridges"),
    N_("System devices"),
    N_("Firmware"),
    N_("ACPI"),
    N_("Virtual devices"),
    N_("Other devices"),
)
# Groups that are plumbing on every machine; views start with them collapsed.
PLUMBING_KINDS = frozenset(
    {
        "Memory",
        "Serial ports and terminals",
        "Bridges",
        "System devices",
        "Firmware",
        "ACPI",
        "Virtual devices",
        "Other devices",
        "Processors",
    }
)


def kind_rank(kind: str) -> int:
    return KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER)


_PCI_ROOT = re.compile(r"^pci[0-9a-f]{4}:[0-9a-f]{2}$")


def _int16(value: str | None) -> int | None:
    if not value:
        return None
    try:
        return int(value, 16)
    except ValueError:
        return None


def pci_ids(props: Mapping[str, str], attrs: Mapping[str, str]) -> tuple[int | None, int | None]:
    """(vendor, device) from udev's PCI_ID or the sysfs vendor/device attributes."""
    pci_id = props.get("PCI_ID", "")
    if ":" in pci_id:
        v, _, d = pci_id.partition(":")
        return _int16(v), _int16(d)
    return _int16(attrs.get("vendor")), _int16(attrs.get("device"))


def pci_class_code(props: Mapping[str, str], attrs: Mapping[str, str]) -> int | None:
    """The 24-bit class code (base, sub, prog-if) from PCI_CLASS or the ``class`` attribute."""
    value = props.get("PCI_CLASS") or attrs.get("class")
    return _int16(value)


def _usb_ids(props: Mapping[str, str], attrs: Mapping[str, str]) -> tuple[int | None, int | None]:
    v, d = _int16(attrs.get("idVendor")), _int16(attrs.get("idProduct"))
    if v is None and props.get("PRODUCT"):
        # PRODUCT=46d/c52b/1201 (hex, without padding), set for usb_device and usb_interface
        parts = props["PRODUCT"].split("/")
        if len(parts) >= 2:
            v, d = _int16(parts[0]), _int16(parts[1])
    return v, d


def _clean(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip().strip('"').strip()
    # udev encodes unsafe characters as \x20 in ID_* properties
    value = re.sub(r"\\x([0-9a-fA-F]{2})", lambda m: chr(int(m.group(1), 16)), value)
    return value or None


def _join(vendor: str | None, model: str | None) -> str | None:
    if vendor and model:
        return model if model.startswith(vendor) else f"{vendor} {model}"
    return model or None


def _pci_name(props: Mapping[str, str], attrs: Mapping[str, str], sysname: str) -> str:
    db = default_database()
    v, d = pci_ids(props, attrs)
    vendor = _clean(props.get("ID_VENDOR_FROM_DATABASE")) or (db.vendor("pci", v) if v is not None else None)
    model = _clean(props.get("ID_MODEL_FROM_DATABASE")) or (
        db.device("pci", v, d) if v is not None and d is not None else None
    )
    if model:
        return _join(vendor, model) or model
    code = pci_class_code(props, attrs)
    cname = db.pci_class(code >> 16, (code >> 8) & 0xFF) if code is not None else None
    ids = f"{v:04x}:{d:04x}" if v is not None and d is not None else sysname
    what = cname or "PCI device"
    return f"{vendor} {what} [{ids}]" if vendor else f"{what} [{ids}]"


def _usb_name(props: Mapping[str, str], attrs: Mapping[str, str], devtype: str | None, sysname: str) -> str:
    db = default_database()
    if devtype == "usb_interface":
        # INTERFACE is decimal ("14/1/0" is class 0x0e, video), unlike PRODUCT, which is hex
        parts = (props.get("INTERFACE") or "").split("/")
        if len(parts) == 3 and all(x.isdigit() for x in parts):
            c, s, p = (int(x) for x in parts)
            cname = db.usb_class(c, s, p) or db.usb_class(c)
            if cname:
                return f"USB interface {sysname} ({cname})"
        return f"USB interface {sysname}"
    v, d = _usb_ids(props, attrs)
    vendor = (
        _clean(props.get("ID_VENDOR_FROM_DATABASE"))
        or (db.vendor("usb", v) if v is not None else None)
        or _clean(attrs.get("manufacturer"))
    )
    model = (
        _clean(props.get("ID_MODEL_FROM_DATABASE"))
        or (db.device("usb", v, d) if v is not None and d is not None else None)
        or _clean(attrs.get("product"))
    )
    if model:
        return _join(vendor, model) or model
    if v is not None and d is not None:
        return f"{vendor or 'USB device'} [{v:04x}:{d:04x}]"
    return f"USB device {sysname}"


def _drm_name(devtype: str | None, sysname: str, attrs: Mapping[str, str]) -> str:
    if devtype == "drm_minor" or re.fullmatch(r"(card|renderD|controlD)\d+", sysname):
        what = "render node" if sysname.startswith("renderD") else "DRM card"
        return f"{sysname} ({what})"
    card, sep, connector = sysname.partition("-")
    if sep and card.startswith("card"):
        status = attrs.get("status")
        return f"{connector} connector of {card}" + (f" ({status})" if status else "")
    return sysname


def device_name(
    subsystem: str | None,
    devtype: str | None,
    sysname: str,
    props: Mapping[str, str],
    attrs: Mapping[str, str],
) -> str:
    """A name a person recognises; raw ids only where no database knows the device."""
    if subsystem == "pci":
        return _pci_name(props, attrs, sysname)
    if subsystem == "usb":
        return _usb_name(props, attrs, devtype, sysname)
    if subsystem in ("acpi", "pnp"):
        acpi_id = sysname.split(":")[0]
        known = _ACPI_NAMES.get(acpi_id)
        # ACPI "device:NN" nodes are named by their namespace path (\_SB_.PCI0.GFX0), more telling
        acpi_path = attrs.get("path")
        label = known or (acpi_path if acpi_path else None)
        return f"{label} ({sysname})" if label else sysname
    if subsystem == "input":
        name = _clean(props.get("NAME")) or _clean(attrs.get("name"))
        return name or sysname
    if subsystem == "power_supply":
        model = _clean(props.get("POWER_SUPPLY_MODEL_NAME")) or _clean(attrs.get("model_name"))
        ptype = props.get("POWER_SUPPLY_TYPE") or attrs.get("type")
        label = f"{sysname} ({ptype})" if ptype else sysname
        return f"{label} {model}" if model else label
    if subsystem in ("hwmon", "thermal") and attrs.get("name"):
        return f"{sysname} ({attrs['name']})"
    if subsystem == "thermal" and attrs.get("type"):
        return f"{sysname} ({attrs['type']})"
    if subsystem == "block":
        model = _clean(props.get("ID_MODEL")) or _clean(attrs.get("model"))
        return f"{sysname} ({model})" if model else sysname
    if subsystem == "net":
        model = _clean(props.get("ID_MODEL_FROM_DATABASE"))
        return f"{props.get('INTERFACE') or sysname} ({model})" if model else (props.get("INTERFACE") or sysname)
    if subsystem == "drm":
        return _drm_name(devtype, sysname, attrs)
    if subsystem == "sound" and attrs.get("id"):
        return f"{sysname} ({attrs['id']})"
    if subsystem == "video4linux" and attrs.get("name"):
        return f"{sysname} ({attrs['name']})"
    if subsystem is None and _PCI_ROOT.match(sysname):
        return f"PCI root ({sysname})"
    model = _join(_clean(props.get("ID_VENDOR_FROM_DATABASE")), _clean(props.get("ID_MODEL_FROM_DATABASE")))
    return model or _clean(props.get("ID_MODEL")) or _clean(attrs.get("name")) or sysname


def device_kind(
    path: str, subsystem: str | None, devtype: str | None, props: Mapping[str, str], attrs: Mapping[str, str]
) -> str:
    """The group a person looks in for this device."""
    if subsystem == "pci":
        code = pci_class_code(props, attrs)
        if code is None:
            return "Other devices"
        base, sub = code >> 16, (code >> 8) & 0xFF
        if base == 0x0C:
            return "USB controllers" if sub == 0x03 else "System devices"
        if base == 0x04:
            return "Audio" if sub in (0x01, 0x03) else "Multimedia"
        return _PCI_KIND.get(base, "Other devices")
    if subsystem == "usb":
        if devtype == "usb_device" and attrs.get("bDeviceClass") == "09":
            return "USB controllers"
        return "USB devices"
    if subsystem == "power_supply":
        ptype = props.get("POWER_SUPPLY_TYPE") or attrs.get("type")
        return "Batteries" if ptype == "Battery" else "Power supplies"
    if subsystem == "video4linux":
        return "Cameras"
    if subsystem == "drm" and devtype != "drm_minor" and "-" in path.rsplit("/", 1)[-1]:
        return "Monitors and connectors"
    if subsystem in _SUBSYSTEM_KIND:
        return _SUBSYSTEM_KIND[subsystem]
    if _PCI_ROOT.match(path.rsplit("/", 1)[-1]) and path.count("/") == 2:
        return "Bridges"
    if path.startswith("/devices/virtual/"):
        return "Virtual devices"
    if path.startswith("/devices/system/cpu"):
        return "Processors"
    return "Other devices"
