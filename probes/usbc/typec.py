"""USB Type-C ports, partners, cables, alternate modes and USB Power Delivery, from devices of any source.

The kernel's view (Documentation/ABI/testing/sysfs-class-typec and sysfs-class-usb_power_delivery):
a port ``portN`` under its controller (UCSI, TCPM, cros_ec, …), ``portN-partner`` while something is
plugged in, ``portN-cable`` and ``portN-plugM`` for electronically marked cables, ``portN-partner.M``
for each alternate mode the partner offers, and ``pdN`` devices holding the Power Data Objects.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from hwinspector.probes.devices.tree import Device
from hwinspector.probes.problems import Problem
from hwinspector.probes.usbc.pd import Contract, PowerDelivery, contract_of, power_delivery

_PORT = re.compile(r"^port(\d+)$")
_PARTNER = re.compile(r"^port(\d+)-partner$")
_CABLE = re.compile(r"^port(\d+)-cable$")
_PLUG = re.compile(r"^port(\d+)-plug(\d+)$")
_ALTMODE = re.compile(r"^port(\d+)(-partner|-plug\d+)?\.(\d+)$")
_UCSI_PSY = re.compile(r"^ucsi-source-psy-")

# Standard and vendor ids of alternate modes (USB-IF SVID list; the kernel's include/linux/usb/typec_*.h).
SVIDS = {
    0xFF01: "DisplayPort",
    0x8087: "Thunderbolt",
    0xFF00: "USB (SID)",
    0x18D1: "Google",
    0x04E8: "Samsung",
    0x05AC: "Apple",
    0x0B05: "ASUS",
    0x17EF: "Lenovo",
    0x413C: "Dell",
}
DP_SVID, TBT_SVID = 0xFF01, 0x8087


@dataclass(frozen=True, slots=True)
class AltMode:
    name: str  # "port0-partner.0"
    owner: str  # "port" | "partner" | "plug"
    svid: int | None
    mode: int | None
    vdo: int | None
    active: bool | None
    description: str | None

    @property
    def label(self) -> str:
        known = SVIDS.get(self.svid or -1)
        return self.description or known or (f"SVID {self.svid:04x}" if self.svid is not None else self.name)


@dataclass(frozen=True, slots=True)
class Partner:
    name: str
    devpath: str
    kind: str | None  # product type: "hub", "peripheral", "power_brick", "ama", …
    supports_pd: bool | None
    pd_revision: str | None
    accessory_mode: str | None
    altmode_count: int | None
    usb_mode: str | None
    identity: Mapping[str, str] = field(default_factory=dict)  # id_header, product, … as hex text
    pd: PowerDelivery | None = None


@dataclass(frozen=True, slots=True)
class Cable:
    name: str
    kind: str | None  # "active" | "passive"
    plug_type: str | None
    pd_revision: str | None
    identity: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class TypecPort:
    name: str  # "port0"
    devpath: str
    controller: str | None  # the device the port belongs to ("USBC000:00")
    controller_path: str | None
    driver: str | None  # of the controller: ucsi_acpi, tcpm, cros_ec_typec, …
    data_role: str | None  # the one in brackets
    data_roles: str | None  # the whole attribute, "[host] device"
    power_role: str | None
    power_roles: str | None
    port_type: str | None
    power_operation_mode: str | None
    orientation: str | None
    pd_revision: str | None
    typec_revision: str | None
    vconn_source: bool | None
    usb_capability: str | None
    partner: Partner | None
    cable: Cable | None
    altmodes: tuple[AltMode, ...]  # the partner's and the plugs' (what is offered on this connection)
    port_altmodes: tuple[AltMode, ...]  # what the port itself supports
    pd: PowerDelivery | None
    contract: Contract | None
    links: Mapping[str, str] = field(default_factory=dict)  # drm_connector, usbN-portM, … -> devpath
    attributes_known: bool = True  # False for a udevadm dump (properties only)


def bracketed(value: str | None) -> str | None:
    """``[host] device`` -> ``host``; a value without brackets is returned as it is."""
    if value is None:
        return None
    m = re.search(r"\[([^\]]+)\]", value)
    return m[1] if m else (value.strip() or None)


def _int(value: str | None, base: int = 10) -> int | None:
    if value is None:
        return None
    m = re.match(r"^\s*(0x)?([0-9a-fA-F]+)", value)
    if m is None:
        return None
    try:
        return int(m[2], 16 if m[1] or base == 16 else 10)
    except ValueError:
        return None


def _yes(value: str | None) -> bool | None:
    if value is None:
        return None
    v = value.strip().lower()
    return True if v in ("yes", "1", "y") else False if v in ("no", "0", "n") else None


def _attr(dev: Device, name: str) -> str | None:
    v = dev.attributes.get(name)
    return v.strip() if v is not None else None


def _altmode(dev: Device, owner: str) -> AltMode:
    a = dev.attributes
    svid = _int(a.get("svid"), 16)
    if svid is None:
        svid = _int(dev.properties.get("SVID"), 16)
    mode = _int(a.get("mode")) if "mode" in a else _int(dev.properties.get("MODE"), 16)
    return AltMode(dev.sysname, owner, svid, mode, _int(a.get("vdo"), 16), _yes(a.get("active")), a.get("description"))


@dataclass(frozen=True, slots=True)
class LiveExtras:
    """What the device list does not carry: symlinks and attribute subdirectories, read live."""

    links: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # devpath -> link name -> devpath
    identity: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # devpath -> VDO name -> value


def _driver_above(dev: Device, by_path: Mapping[str, Device]) -> tuple[Device | None, str | None]:
    node: Device | None = dev
    while node is not None:
        if node.driver:
            return node, node.driver
        node = by_path.get(node.parent or "")
    parent = by_path.get(dev.parent or "")
    return parent, None


def list_typec_ports(devices: Sequence[Device], extras: LiveExtras | None = None) -> list[TypecPort]:
    """Every Type-C port with what hangs off it; attributes the source lacks stay None."""
    extras = extras or LiveExtras()
    by_path = {d.path: d for d in devices}
    children: dict[str, list[Device]] = {}
    for d in devices:
        if d.parent:
            children.setdefault(d.parent, []).append(d)
    typec = [d for d in devices if d.subsystem == "typec"]
    by_name = {d.sysname: d for d in typec}
    pds = {d.sysname: d for d in devices if d.subsystem == "usb_power_delivery" and re.match(r"^pd\d+$", d.sysname)}
    psys = [d for d in devices if d.subsystem == "power_supply" and _UCSI_PSY.match(d.sysname)]
    ports: list[TypecPort] = []
    for dev in sorted(typec, key=lambda d: _int(d.sysname[4:]) or 0):
        m = _PORT.match(dev.sysname)
        if m is None:
            continue
        n = int(m[1])
        links = dict(extras.links.get(dev.path, {}))
        controller, driver = _driver_above(dev, by_path)
        partner_dev = by_name.get(f"port{n}-partner")
        cable_dev = by_name.get(f"port{n}-cable")
        partner = None
        if partner_dev is not None:
            a = partner_dev.attributes
            plinks = extras.links.get(partner_dev.path, {})
            ppd = _pd_for(partner_dev, plinks, pds, by_path, children)
            partner = Partner(
                partner_dev.sysname,
                partner_dev.path,
                _attr(partner_dev, "type") or partner_dev.properties.get("PRODUCT_TYPE"),
                _yes(a.get("supports_usb_power_delivery")),
                _attr(partner_dev, "usb_power_delivery_revision"),
                _attr(partner_dev, "accessory_mode"),
                _int(a.get("number_of_alternate_modes")),
                bracketed(a.get("usb_mode")),
                dict(extras.identity.get(partner_dev.path, {})),
                ppd,
            )
        cable = None
        if cable_dev is not None:
            cable = Cable(
                cable_dev.sysname,
                _attr(cable_dev, "type") or cable_dev.properties.get("PRODUCT_TYPE"),
                _attr(cable_dev, "plug_type"),
                _attr(cable_dev, "usb_power_delivery_revision"),
                dict(extras.identity.get(cable_dev.path, {})),
            )
        alt: list[AltMode] = []
        port_alt: list[AltMode] = []
        for d in typec:
            am = _ALTMODE.match(d.sysname)
            if am is None or int(am[1]) != n:
                continue
            owner = "port" if not am[2] else ("partner" if am[2] == "-partner" else "plug")
            (port_alt if owner == "port" else alt).append(_altmode(d, owner))
        a = dev.attributes
        ports.append(
            TypecPort(
                name=dev.sysname,
                devpath=dev.path,
                controller=controller.sysname if controller else None,
                controller_path=controller.path if controller else None,
                driver=driver,
                data_role=bracketed(a.get("data_role")),
                data_roles=a.get("data_role"),
                power_role=bracketed(a.get("power_role")),
                power_roles=a.get("power_role"),
                port_type=bracketed(a.get("port_type")),
                power_operation_mode=_attr(dev, "power_operation_mode"),
                orientation=_attr(dev, "orientation"),
                pd_revision=_attr(dev, "usb_power_delivery_revision"),
                typec_revision=_attr(dev, "usb_typec_revision"),
                vconn_source=_yes(a.get("vconn_source")),
                usb_capability=a.get("usb_capability"),
                partner=partner,
                cable=cable,
                altmodes=tuple(sorted(alt, key=lambda x: x.name)),
                port_altmodes=tuple(sorted(port_alt, key=lambda x: x.name)),
                pd=_pd_for(dev, links, pds, by_path, children),
                contract=None,
                links={k: v for k, v in links.items() if k != "usb_power_delivery"},
                attributes_known=bool(a),
            )
        )
    return _with_contracts(ports, psys)


def _pd_for(
    dev: Device,
    links: Mapping[str, str],
    pds: Mapping[str, Device],
    by_path: Mapping[str, Device],
    children: Mapping[str, list[Device]],
) -> PowerDelivery | None:
    """The pd device a port or partner advertises: its ``usb_power_delivery`` link, else a pd child."""
    target = links.get("usb_power_delivery")
    pd_dev = by_path.get(target) if target else None
    if pd_dev is None:
        pd_dev = next((c for c in children.get(dev.path, []) if c.sysname in pds), None)
    return power_delivery(pd_dev, children) if pd_dev is not None else None


def _with_contracts(ports: list[TypecPort], psys: Sequence[Device]) -> list[TypecPort]:
    """UCSI names its supplies ``ucsi-source-psy-<controller><connector number>`` (drivers/usb/typec/ucsi/psy.c);
    connector numbers count from 1 in the order the controller registered its ports."""
    from dataclasses import replace

    out = []
    by_controller: dict[str, list[TypecPort]] = {}
    for p in ports:
        by_controller.setdefault(p.controller or "", []).append(p)
    numbers = {p.devpath: i + 1 for group in by_controller.values() for i, p in enumerate(group)}
    for p in ports:
        match = None
        wanted = f"ucsi-source-psy-{p.controller}{numbers[p.devpath]}"
        for s in psys:
            if s.sysname == wanted:
                match = contract_of(s)
        out.append(replace(p, contract=match) if match else p)
    return out


def port_problems(p: TypecPort) -> list[Problem]:
    """What is wrong on one port, each on the link where it breaks."""
    out: list[Problem] = []
    if p.driver is None:
        out.append(Problem("error", p.name, "the port's controller has no driver"))
    partner = p.partner
    if partner is None or not p.attributes_known:
        return out
    src = partner.pd.source if partner.pd else None
    if p.power_role == "sink" and partner.supports_pd and partner.pd is not None and not src:
        # UCSI firmware that answers GET_PDOS with nothing (kernel bugzilla 221142, fwupd firmware-lenovo 521)
        out.append(
            Problem(
                "warning",
                p.name,
                "the charger supports USB Power Delivery but its source capabilities (PDOs) are empty: "
                "no contract the system can see",
            )
        )
    elif (
        p.power_role == "sink"
        and partner.supports_pd
        and p.power_operation_mode not in (None, "usb_power_delivery")
        and not src
    ):
        out.append(
            Problem("warning", p.name, f"no USB Power Delivery contract: power operation mode {p.power_operation_mode}")
        )
    c = p.contract
    if c is not None and c.online and c.voltage_now_v is not None and c.voltage_now_v == 0:
        out.append(
            Problem(
                "warning",
                p.name,
                f"{c.name}: power is online but the controller reports 0 V: the UCSI firmware gives no contract data",
            )
        )
    for am in p.altmodes:
        if am.svid == DP_SVID and am.active is False:
            out.append(Problem("warning", am.name, "DisplayPort alternate mode offered but not entered: no picture"))
        if am.svid == TBT_SVID and am.active is False:
            out.append(
                Problem("info", am.name, "Thunderbolt alternate mode offered but not entered (USB4 or USB only)")
            )
    return out
