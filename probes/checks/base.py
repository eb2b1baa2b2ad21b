"""What every scorecard check shares: the verdict, safe reads of the sections, and what kind of machine it is."""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hwinspector.i18n import N_
from hwinspector.probes.devices.naming import pci_class_code
from hwinspector.probes.machine.sections import Section

Sections = Mapping[str, Section]
Device = Mapping[str, Any]  # one entry of the devices section: Device.to_json()

NOT_IN_SOURCE = N_("not in this source")
# SMBIOS 3.x, 7.4.1 "System Enclosure or Chassis Types": Portable, Laptop, Notebook, Sub Notebook,
# Convertible, Detachable.
PORTABLE_CHASSIS = frozenset({8, 9, 10, 14, 31, 32})
# "Other" and "Unknown" (VMs, many boards), hand helds and tablets: the devices decide.
_UNDECIDED_CHASSIS = frozenset({1, 2, 11, 30})
CHASSIS_NAMES = {
    1: N_("Other"),
    2: N_("Unknown"),
    3: N_("Desktop"),
    4: N_("Low-profile desktop"),
    6: N_("Mini tower"),
    7: N_("Tower"),
    8: N_("Portable"),
    9: N_("Laptop"),
    10: N_("Notebook"),
    11: N_("Hand held"),
    13: N_("All in one"),
    14: N_("Sub notebook"),
    15: N_("Space-saving"),
    17: N_("Main server chassis"),
    23: N_("Rack mount chassis"),
    30: N_("Tablet"),
    31: N_("Convertible"),
    32: N_("Detachable"),
    35: N_("Mini PC"),
    36: N_("Stick PC"),
}
# DMI vendors and products of hypervisors (what systemd-detect-virt looks for in DMI).
_VM_DMI = re.compile(
    r"qemu|bochs|kvm|virtualbox|innotek|vmware|xen|parallels|bhyve|cloud hypervisor|firecracker|"
    r"microsoft corporation virtual|virtual machine",
    re.IGNORECASE,
)


class Status(str, enum.Enum):
    PASS = "pass"
    WARNING = "warning"
    FAIL = "fail"
    NA = "n/a"


SEVERITY = {Status.FAIL: 0, Status.WARNING: 1, Status.PASS: 2, Status.NA: 3}


@dataclass(frozen=True, slots=True)
class Verdict:
    """One card of the scorecard: the status, what it means in one line, why, and what to look at next."""

    check: str  # stable id: "graphics", "battery", …
    title: str  # "Graphics acceleration"
    status: Status
    summary: str
    evidence: tuple[str, ...] = ()
    hint: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "title": self.title,
            "status": self.status.value,
            "summary": self.summary,
            "evidence": list(self.evidence),
            "hint": self.hint,
        }


def worst(statuses: Iterable[Status]) -> Status:
    """The most severe of the statuses (n/a when there are none)."""
    return min(statuses, key=SEVERITY.__getitem__, default=Status.NA)


def not_in_source(check: str, title: str, what: str, sections: Sections | None = None, section: str = "") -> Verdict:
    """A source that does not carry this part (a udevadm dump has no thermal data) is no failure."""
    sec = sections.get(section) if sections is not None else None
    # Two whole sentences rather than "{what} {where}": the window finds where one field ends (i18n.localize).
    if sec is not None and sec.reason == "not collected":
        summary = N_("not applicable: {what} not collected here").format(what=what)
    else:
        summary = N_("not applicable: {what} not in this source").format(what=what)
    return Verdict(check, title, Status.NA, summary)


def source_lacks(sections: Sections, name: str) -> bool:
    """True when the source never had this section, as opposed to the machine lacking the subsystem."""
    sec = sections.get(name)
    if sec is None:
        return True
    if sec.available:
        return sec.data is None
    reason = sec.reason or ""
    # "not part of <dump>" (sections_from_snapshot), "not collected" (collect_live), "not in this bundle"
    # and "<file> in this bundle is damaged" (bundles): the source, not the machine, lacks it.
    return (
        not reason
        or reason.startswith(("not part of", "not collected", "malformed", "not in this"))
        or ("in this bundle" in reason)
    )


def data(sections: Sections, name: str) -> Any:
    """The section's data, or None where it could not be read."""
    sec = sections.get(name)
    return sec.data if sec is not None and sec.available else None


def reason(sections: Sections, name: str) -> str:
    sec = sections.get(name)
    return (sec.reason if sec is not None else None) or NOT_IN_SOURCE


def as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else []


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def devices(sections: Sections) -> list[Device]:
    return [d for d in as_list(as_dict(data(sections, "devices")).get("devices")) if isinstance(d, dict)]


def props(dev: Device) -> Mapping[str, str]:
    return as_dict(dev.get("properties"))


def attrs(dev: Device) -> Mapping[str, str]:
    return as_dict(dev.get("attributes"))


def sysname(dev: Device) -> str:
    return str(dev.get("path", "")).rsplit("/", 1)[-1]


def name(dev: Device) -> str:
    return str(dev.get("name") or sysname(dev))


def bound(dev: Device) -> bool:
    return bool(dev.get("driver"))


def pci_class(dev: Device) -> tuple[int, int] | None:
    """(base class, subclass) of a PCI device."""
    if dev.get("subsystem") != "pci":
        return None
    code = pci_class_code(props(dev), attrs(dev))
    return None if code is None else (code >> 16, (code >> 8) & 0xFF)


_USB_IF_MODALIAS = re.compile(r"ic([0-9A-Fa-f]{2})isc([0-9A-Fa-f]{2})ip([0-9A-Fa-f]{2})")


def usb_interface_class(dev: Device) -> tuple[int, int, int] | None:
    """(class, subclass, protocol) of a USB interface: from udev's INTERFACE, the attributes or the modalias."""
    if dev.get("subsystem") != "usb" or dev.get("devtype") != "usb_interface":
        return None
    p, a = props(dev), attrs(dev)
    try:
        if p.get("INTERFACE"):
            c, s, r = (int(x) for x in p["INTERFACE"].split("/"))
            return c, s, r
        if a.get("bInterfaceClass"):
            return (
                int(a["bInterfaceClass"], 16),
                int(a.get("bInterfaceSubClass", "0"), 16),
                int(a.get("bInterfaceProtocol", "0"), 16),
            )
    except ValueError:
        pass
    m = _USB_IF_MODALIAS.search(str(dev.get("modalias") or p.get("MODALIAS") or a.get("modalias") or ""))
    return (int(m.group(1), 16), int(m.group(2), 16), int(m.group(3), 16)) if m else None


def usb_ids(dev: Device) -> tuple[str, str] | None:
    """(vendor, product) of a USB device as lower-case hex."""
    p, a = props(dev), attrs(dev)
    vid, pid = p.get("ID_VENDOR_ID") or a.get("idVendor"), p.get("ID_MODEL_ID") or a.get("idProduct")
    if vid and pid:
        return vid.lower(), pid.lower()
    parts = (p.get("PRODUCT") or "").split("/")  # "bda/58f5/7331": hex without leading zeros
    if len(parts) >= 2:
        try:
            return f"{int(parts[0], 16):04x}", f"{int(parts[1], 16):04x}"
        except ValueError:
            return None
    return None


def acpi_hid(dev: Device) -> str:
    """ "PNP0C0D" for /devices/…/PNP0C0D:00 (ACPI and platform devices name themselves after their HID)."""
    return sysname(dev).split(":", 1)[0].upper()


def ancestors(dev: Device, by_path: Mapping[str, Device]) -> Iterable[Device]:
    """The listed devices above this one, nearest first: sysfs nests a device under its parent's path."""
    path = str(dev.get("path", ""))
    while "/" in path.strip("/"):
        path = path.rsplit("/", 1)[0]
        if path in by_path:
            yield by_path[path]


def identity(sections: Sections) -> dict[str, Any]:
    return as_dict(data(sections, "identity"))


def chassis_text(chassis: int | None) -> str:
    if chassis is None:
        return "unknown"
    return f"{CHASSIS_NAMES.get(chassis, 'type')} ({chassis})"


def portable_reason(sections: Sections) -> str | None:
    """Why this is a laptop or tablet (DMI chassis type, else a lid switch or a system battery), or None."""
    chassis = identity(sections).get("chassis_type")
    if isinstance(chassis, int):
        if chassis in PORTABLE_CHASSIS:
            return N_("DMI chassis type {chassis_text}").format(chassis_text=chassis_text(chassis))
        if chassis not in _UNDECIDED_CHASSIS:
            return None
    for dev in devices(sections):
        if acpi_hid(dev) == "PNP0C0D":
            return N_("lid switch (ACPI PNP0C0D)")
    for supply in supplies(sections):
        if supply["type"] == "Battery" and supply["scope"] != "Device":
            return N_("battery {name}").format(name=supply["name"])
    return None


def virtual_reason(sections: Sections) -> str | None:
    """Why this is a virtual machine: DMI names a hypervisor, virtio devices, or the kernel said so."""
    ident = identity(sections)
    for key in ("vendor", "product", "bios_vendor", "board_vendor"):
        value = ident.get(key)
        if isinstance(value, str) and _VM_DMI.search(value):
            return f"DMI {key.replace('_', ' ')} {value}"
    for line in as_list(data(sections, "kernel_log"))[:2000]:
        message = str(as_dict(line).get("message", ""))
        if message.startswith("Hypervisor detected:"):
            return N_("kernel: {message}").format(message=message)
    for dev in devices(sections):
        if dev.get("subsystem") == "virtio" or str(dev.get("driver") or "").startswith("virtio"):
            return N_("virtio device {name}").format(name=name(dev))
    return None


def _int_or_none(text: str | None) -> int | None:
    if not text:
        return None
    try:
        return int(text)
    except ValueError:
        return None


def _supply_type(dev: Device) -> str | None:
    p = props(dev)
    kind = p.get("POWER_SUPPLY_TYPE") or attrs(dev).get("type")
    if kind:
        return kind
    # Old kernels put no TYPE in the uevent: the ACPI parent tells (ACPI0003 AC adapter, PNP0C0A battery).
    parent = str(dev.get("parent") or "").rsplit("/", 1)[-1].split(":", 1)[0].upper()
    if parent == "ACPI0003" or sysname(dev).upper().startswith(("AC", "ADP")):
        return N_("Mains")
    if parent == "PNP0C0A" or sysname(dev).upper().startswith("BAT"):
        return N_("Battery")
    return None


def supplies(sections: Sections) -> list[dict[str, Any]]:
    """Power supplies in one shape, from the power section (live) or the devices' uevent properties (dumps)."""
    power = as_dict(data(sections, "power"))
    if power:
        out = []
        for s in as_list(power.get("supplies")):
            s = as_dict(s)
            out.append(
                {
                    "name": s.get("name"),
                    "type": s.get("type"),
                    "scope": s.get("scope"),
                    "present": s.get("present"),
                    "online": s.get("online"),
                    "status": s.get("status"),
                    "capacity_percent": s.get("capacity_percent"),
                    "power_watts": s.get("power_watts"),
                    "model": " ".join(str(x) for x in (s.get("manufacturer"), s.get("model_name")) if x) or None,
                    "usb_types": as_list(s.get("usb_types")),
                }
            )
        return out
    out = []
    for dev in devices(sections):
        if dev.get("subsystem") != "power_supply":
            continue
        p = props(dev)

        def num(key: str, p: Mapping[str, str] = p) -> int | None:
            return _int_or_none(p.get(f"POWER_SUPPLY_{key}"))

        capacity: float | None = num("CAPACITY")
        for now, full in (("ENERGY_NOW", "ENERGY_FULL"), ("CHARGE_NOW", "CHARGE_FULL")):
            n, f = num(now), num(full)
            if capacity is None and n is not None and f:
                capacity = round(100.0 * n / f, 1)
        watts: float | None = None
        if num("POWER_NOW") is not None:
            watts = (num("POWER_NOW") or 0) / 1e6
        elif num("CURRENT_NOW") is not None and num("VOLTAGE_NOW") is not None:
            watts = (num("CURRENT_NOW") or 0) * (num("VOLTAGE_NOW") or 0) / 1e12
        present = num("PRESENT")
        online = num("ONLINE")
        out.append(
            {
                "name": p.get("POWER_SUPPLY_NAME") or sysname(dev),
                "type": _supply_type(dev),
                "scope": p.get("POWER_SUPPLY_SCOPE"),
                "present": None if present is None else bool(present),
                "online": None if online is None else bool(online),
                "status": p.get("POWER_SUPPLY_STATUS"),
                "capacity_percent": capacity,
                "power_watts": watts,
                "model": " ".join(
                    x for x in (p.get("POWER_SUPPLY_MANUFACTURER"), p.get("POWER_SUPPLY_MODEL_NAME")) if x
                )
                or None,
                "usb_types": (p.get("POWER_SUPPLY_USB_TYPE") or "").replace("[", "").replace("]", "").split(),
            }
        )
    return out


def listed(items: Sequence[str], limit: int = 6) -> list[str]:
    """At most ``limit`` evidence lines, then how many more there are."""
    if len(items) <= limit:
        return list(items)
    return [*items[: limit - 1], N_("… and {n} more").format(n=len(items) - limit + 1)]
