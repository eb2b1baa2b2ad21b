"""Wi-Fi and Bluetooth radios and their rfkill switches, from devices of any source (live, dump, recording).

The kernel's shape: a Wi-Fi card (PCI, USB or SDIO function, bound to its driver) registers an
``ieee80211/phyN`` (cfg80211's wiphy) and one or more ``net`` interfaces with DEVTYPE=wlan; a
Bluetooth controller (usually a USB interface bound to btusb, or a UART through hci_uart) registers
``bluetooth/hciN``. Each radio has an ``rfkill`` child (Documentation/ABI/stable/sysfs-class-rfkill:
``soft`` and ``hard`` 0/1, ``state`` 0 soft-blocked, 1 unblocked, 2 hard-blocked); laptops add platform
switches (dell-laptop, thinkpad_acpi, hp-wmi, ideapad) that block every radio of a type.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from hwinspector.probes.devices.tree import Device

_PHY = re.compile(r"^phy\d+$")
_HCI = re.compile(r"^hci\d+$")
_RFKILL = re.compile(r"^rfkill\d+$")
_BUSES = ("pci", "usb", "sdio", "platform", "serial", "mmc", "amba", "serdev")


@dataclass(frozen=True, slots=True)
class Rfkill:
    name: str  # "rfkill0"
    devpath: str
    label: str | None  # the switch's own name: "phy0", "hci0", "dell-wifi", "tpacpi_bluetooth_sw"
    type: str | None  # "wlan", "bluetooth", "wwan", …
    soft: bool | None  # True: blocked
    hard: bool | None
    owner: str | None  # devpath of the radio it belongs to; None for a platform switch

    @property
    def blocked(self) -> bool:
        return bool(self.soft) or bool(self.hard)

    @property
    def state_text(self) -> str:
        if self.soft is None and self.hard is None:
            return "state not recorded"
        if self.hard:
            return "hard-blocked (hardware switch or firmware)"
        if self.soft:
            return "soft-blocked (rfkill block, airplane mode)"
        return "unblocked"


@dataclass(frozen=True, slots=True)
class Hardware:
    devpath: str
    name: str  # from the hardware database
    bus: str | None
    address: str  # "0000:03:00.0", "1-7:1.0", "mmc1:0001:1"
    driver: str | None
    module: str | None
    ids: str | None  # "8086:08b1"


@dataclass(frozen=True, slots=True)
class WifiInterface:
    name: str
    devpath: str
    operstate: str | None
    address: str | None  # the MAC: a privacy-sensitive value, masked in bundles
    carrier: bool | None


@dataclass(frozen=True, slots=True)
class WifiRadio:
    phy: str  # "phy0"; "" when the source has the interface but no phy record
    devpath: str
    hardware: Hardware | None
    interfaces: tuple[WifiInterface, ...]
    rfkill: tuple[Rfkill, ...]


@dataclass(frozen=True, slots=True)
class BluetoothRadio:
    hci: str
    devpath: str
    hardware: Hardware | None
    rfkill: tuple[Rfkill, ...]
    bus_type: str | None  # udev's ID_BUS or the hci's "type" attribute ("USB", "UART", …)


def _ids(dev: Device) -> str | None:
    p = dev.properties
    if dev.subsystem == "pci":
        pid = p.get("PCI_ID")
        if pid:
            return pid.lower()
        v, d = dev.attributes.get("vendor"), dev.attributes.get("device")
        return f"{v[2:]}:{d[2:]}" if v and d else None
    if p.get("ID_VENDOR_ID") and p.get("ID_MODEL_ID"):
        return f"{p['ID_VENDOR_ID']}:{p['ID_MODEL_ID']}"
    product = p.get("PRODUCT")  # usb: "8087/a2a/1"
    if product:
        parts = product.split("/")
        if len(parts) >= 2:
            return (
                f"{int(parts[0], 16):04x}:{int(parts[1], 16):04x}"
                if all(re.fullmatch(r"[0-9a-fA-F]+", x) for x in parts[:2])
                else None
            )
    if dev.subsystem == "sdio" and p.get("SDIO_ID"):
        return p["SDIO_ID"].lower()
    return None


def hardware_of(dev: Device, by_path: Mapping[str, Device]) -> Hardware | None:
    """The bus device behind a class device: the nearest ancestor on a bus, preferring one with a driver.

    For USB the driver binds the interface (1-7:1.0) while the name belongs to the device (1-7).
    """
    node = by_path.get(dev.parent or "")
    while node is not None and node.subsystem not in _BUSES:
        node = by_path.get(node.parent or "")
    if node is None:
        return None
    named = node
    if node.devtype == "usb_interface":
        parent = by_path.get(node.parent or "")
        if parent is not None:
            named = parent
    return Hardware(
        devpath=node.path,
        name=named.name,
        bus=node.subsystem,
        address=node.properties.get("PCI_SLOT_NAME") or node.sysname,
        driver=node.driver,
        module=node.module,
        ids=_ids(named) or _ids(node),
    )


def _flag(dev: Device, attr: str, state_values: tuple[str, ...]) -> bool | None:
    v = dev.attributes.get(attr)
    if v is not None:
        return v.strip() == "1"
    # udev records carry RFKILL_STATE (0 soft-blocked, 1 unblocked, 2 hard-blocked) and, since
    # Linux 5.11, RFKILL_HW_BLOCK_REASON; from the state alone soft and hard are told apart this far.
    state = dev.attributes.get("state") or dev.properties.get("RFKILL_STATE")
    if state is None:
        return None
    return state.strip() in state_values


def list_rfkill(devices: Sequence[Device]) -> list[Rfkill]:
    out = []
    for d in devices:
        if d.subsystem != "rfkill" or not _RFKILL.match(d.sysname):
            continue
        owner = d.parent if d.parent and ("/ieee80211/" in d.parent or "/bluetooth/" in d.parent) else None
        out.append(
            Rfkill(
                d.sysname,
                d.path,
                d.attributes.get("name") or d.properties.get("RFKILL_NAME"),
                d.attributes.get("type") or d.properties.get("RFKILL_TYPE"),
                _flag(d, "soft", ("0",)),
                _flag(d, "hard", ("2",)),
                owner,
            )
        )
    return sorted(out, key=lambda r: int(r.name[6:]))


def list_wifi(devices: Sequence[Device], rfkill: Sequence[Rfkill] | None = None) -> list[WifiRadio]:
    """Every wiphy with its hardware and interfaces; an interface without a recorded phy still shows."""
    by_path = {d.path: d for d in devices}
    rf = list_rfkill(devices) if rfkill is None else list(rfkill)
    phys = [d for d in devices if d.subsystem == "ieee80211" and _PHY.match(d.sysname)]
    wlans = [d for d in devices if d.subsystem == "net" and (d.devtype == "wlan" or "wireless" in d.attributes)]
    radios: list[WifiRadio] = []
    used: set[str] = set()
    for phy in sorted(phys, key=lambda d: int(d.sysname[3:])):
        hw = hardware_of(phy, by_path)
        mine = [w for w in wlans if hw is not None and w.parent == phy.parent]
        used.update(w.path for w in mine)
        radios.append(
            WifiRadio(
                phy.sysname,
                phy.path,
                hw,
                tuple(_iface(w) for w in mine),
                tuple(r for r in rf if r.owner == phy.path),
            )
        )
    for w in wlans:
        if w.path not in used:  # a dump whose phy record is missing (older udev did not record ieee80211)
            radios.append(WifiRadio("", w.path, hardware_of(w, by_path), (_iface(w),), ()))
    return radios


def _iface(d: Device) -> WifiInterface:
    carrier = d.attributes.get("carrier")
    return WifiInterface(
        d.properties.get("INTERFACE") or d.sysname,
        d.path,
        d.attributes.get("operstate"),
        d.attributes.get("address"),
        None if carrier is None else carrier.strip() == "1",
    )


def list_bluetooth(devices: Sequence[Device], rfkill: Sequence[Rfkill] | None = None) -> list[BluetoothRadio]:
    by_path = {d.path: d for d in devices}
    rf = list_rfkill(devices) if rfkill is None else list(rfkill)
    out = []
    for d in devices:
        if d.subsystem != "bluetooth" or not _HCI.match(d.sysname):
            continue
        out.append(
            BluetoothRadio(
                d.sysname,
                d.path,
                hardware_of(d, by_path),
                tuple(r for r in rf if r.owner == d.path),
                d.attributes.get("type") or d.properties.get("ID_BUS"),
            )
        )
    return sorted(out, key=lambda r: int(r.hci[3:]))


def platform_switches(rfkill: Sequence[Rfkill]) -> list[Rfkill]:
    """Switches that belong to no radio: the laptop's own (keyboard key, slider, firmware setting)."""
    return [r for r in rfkill if r.owner is None]
