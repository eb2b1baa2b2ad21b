"""Hand-made machine sections for the scorecard tests: what a udev dump does not carry, shaped like collect_live's."""

from __future__ import annotations

from typing import Any

from hwinspector.probes.machine.sections import SECTIONS, Section

LAPTOP_IDENTITY = {"vendor": "ACME", "product": "Book 14", "chassis_type": 10}
DESKTOP_IDENTITY = {"vendor": "ACME", "product": "Tower 3", "chassis_type": 3}


def make(live: bool = True, **parts: Any) -> dict[str, Section]:
    """Every section "not part of" the source unless given; a given value is the section's data."""
    label = "live machine" if live else "test.txt"
    out = {n: Section(n, False, f"not part of {label}", None) for n in SECTIONS}
    out["devices"] = Section(
        "devices", True, None, {"source": {"kind": "live" if live else "udevadm", "label": label}, "devices": []}
    )
    for name, value in parts.items():
        out[name] = value if isinstance(value, Section) else Section(name, True, None, value)
    return out


def absent(name: str, reason: str) -> Section:
    """A section the machine lacks (the probe said why), as opposed to one the source lacks."""
    return Section(name, False, reason, None)


def dev(
    path: str,
    subsystem: str | None,
    *,
    driver: str | None = None,
    devtype: str | None = None,
    name: str | None = None,
    props: dict[str, str] | None = None,
    attrs: dict[str, str] | None = None,
) -> dict[str, Any]:
    parent = path.rsplit("/", 1)[0]
    return {
        "path": path,
        "parent": parent if parent.count("/") >= 2 else None,
        "subsystem": subsystem,
        "devtype": devtype,
        "driver": driver,
        "module": None,
        "name": name or path.rsplit("/", 1)[-1],
        "kind": "",
        "properties": props or {},
        "attributes": attrs or {},
        "modalias": (props or {}).get("MODALIAS"),
        "errors": [],
    }


def devices(*devs: dict[str, Any], live: bool = True) -> dict[str, Any]:
    label = "live machine" if live else "test.txt"
    return {"source": {"kind": "live" if live else "udevadm", "label": label}, "devices": list(devs)}


def pci(slot: str, cls: str, driver: str | None, name: str) -> dict[str, Any]:
    return dev(f"/devices/pci0000:00/{slot}", "pci", driver=driver, name=name, props={"PCI_CLASS": cls})


def usb_interface(path: str, interface: str, driver: str | None, name: str = "") -> dict[str, Any]:
    return dev(path, "usb", devtype="usb_interface", driver=driver, name=name, props={"INTERFACE": interface})


def supply(name: str, kind: str, **fields: Any) -> dict[str, Any]:
    base = {"name": name, "type": kind, "scope": None, "online": None, "present": None, "status": None}
    base.update({"capacity_percent": None, "power_watts": None, "manufacturer": None, "model_name": None})
    base.update({"serial_number": None, "usb_types": []})
    base.update(fields)
    return base


def gpu(address: str, driver: str | None, name: str, fb: bool = False) -> dict[str, Any]:
    return {"address": address, "devpath": f"/devices/pci0000:00/{address}", "name": name, "driver": driver,
            "firmware_framebuffer": fb, "cards": []}  # fmt: skip


def gl(renderer: str, software: bool) -> dict[str, Any]:
    return {
        "available": True,
        "is_software": software,
        "primary": 0,
        "displays": [
            {
                "api": "egl",
                "platform": "device",
                "is_software": software,
                "error": None,
                "contexts": [{"profile": "core", "renderer": renderer, "version": "4.6 (Core Profile) Mesa 24.0.5"}],
            }
        ],
        "problems": [],
    }


def connector(name: str, status: str | None, edid: dict[str, Any] | None, kind: str = "eDP") -> dict[str, Any]:
    return {
        "name": name,
        "type": kind,
        "status": status,
        "edid": edid,
        "monitor": "LG Display LP156WF6",
        "problems": [],
    }


GOOD_EDID = {"checksum_ok": True, "errors": [], "preferred_mode": {"width": 1920, "height": 1080, "refresh_hz": 60.0}}


def log(*messages: str, priority: int = 6) -> list[dict[str, Any]]:
    return [{"priority": priority, "time_us": i * 1000, "message": m} for i, m in enumerate(messages)]


def temp_chip(name: str, *values: float) -> dict[str, Any]:
    inputs = [{"id": f"temp{i + 1}", "kind": "temp", "label": f"temp{i + 1}", "value": v, "error": None}
              for i, v in enumerate(values)]  # fmt: skip
    return {"name": name, "inputs": inputs}
