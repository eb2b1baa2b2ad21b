"""Thunderbolt and USB4: domains, routers (devices), security level and authorisation, from devices of any source.

Documentation/ABI/testing/sysfs-bus-thunderbolt: ``domainN`` under the host controller (the PCI NHI, driver
``thunderbolt``) with ``security`` (none, user, secure, dponly, usbonly, nopcie) and
``iommu_dma_protection``; routers ``N-R`` (``0-0`` is the host's own) with ``authorized`` (0 no, 1 yes,
2 with a key), ``device_name``, ``vendor_name``, ``generation``, ``rx_speed``/``tx_speed``, ``nvm_version``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from hwinspector.probes.devices.tree import Device
from hwinspector.probes.problems import Problem

_DOMAIN = re.compile(r"^domain(\d+)$")
_ROUTER = re.compile(r"^(\d+)-([0-9a-f]+)$")
_XDOMAIN = re.compile(r"^(\d+)-([0-9a-f]+)\.(\d+)$")
SECURITY_TEXT = {
    "none": "none: devices connect without asking",
    "user": "user: each device must be authorised (boltd does it)",
    "secure": "secure: authorised devices are checked with a key",
    "dponly": "dponly: only DisplayPort tunnels, no PCIe",
    "usbonly": "usbonly: only USB tunnels (and DisplayPort), no PCIe",
    "nopcie": "nopcie: PCIe tunnelling disabled",
}


@dataclass(frozen=True, slots=True)
class BoltDevice:
    """boltd's view of a device (org.freedesktop.bolt1.Device)."""

    uid: str
    name: str | None
    vendor: str | None
    status: str | None  # "authorized", "connected", "disconnected", "auth-error", …
    stored: bool | None
    policy: str | None  # "auto", "manual", "iommu", "default"
    key: str | None  # "missing", "have", "new"
    generation: int | None = None


@dataclass(frozen=True, slots=True)
class BoltInfo:
    running: bool
    reason: str | None  # why boltd could not be asked
    version: int | None = None
    auth_mode: str | None = None  # "enabled" | "disabled"
    policy: str | None = None  # default policy
    security: str | None = None
    devices: tuple[BoltDevice, ...] = ()


@dataclass(frozen=True, slots=True)
class TbDevice:
    name: str  # "0-1"
    devpath: str
    domain: int
    route: int
    host: bool  # the host router "N-0"
    xdomain: bool  # another host (a peer), not a device
    vendor: str | None
    model: str | None
    unique_id: str | None
    authorized: int | None  # 0, 1, 2
    generation: int | None
    rx_speed: str | None
    tx_speed: str | None
    rx_lanes: int | None
    tx_lanes: int | None
    nvm_version: str | None
    key_present: bool | None
    parent: str | None  # the router it hangs off ("0-0")
    bolt: BoltDevice | None = None

    @property
    def title(self) -> str:
        what = " ".join(x for x in (self.vendor, self.model) if x)
        return what or self.name

    @property
    def speed(self) -> str | None:
        if self.rx_speed is None:
            return None
        lanes = f" x {self.rx_lanes} lanes" if self.rx_lanes else ""
        return f"{self.rx_speed}{lanes}"


@dataclass(frozen=True, slots=True)
class TbDomain:
    name: str  # "domain0"
    devpath: str
    index: int
    controller: str | None  # the NHI's PCI address
    controller_path: str | None
    controller_model: str | None
    driver: str | None
    security: str | None
    iommu_dma_protection: bool | None
    deauthorization: bool | None
    devices: tuple[TbDevice, ...] = ()
    attributes_known: bool = True
    firmware_errors: tuple[str, ...] = field(default_factory=tuple)


def _int(v: str | None, base: int = 10) -> int | None:
    try:
        return int(v.strip(), base) if v is not None else None
    except ValueError:
        return None


def _device(dev: Device, domain: int, by_path: Mapping[str, Device]) -> TbDevice:
    a = dev.attributes
    m = _ROUTER.match(dev.sysname)
    x = _XDOMAIN.match(dev.sysname)
    route = int((m or x)[2], 16) if (m or x) else -1  # type: ignore[index]
    parent = by_path.get(dev.parent or "")
    return TbDevice(
        name=dev.sysname,
        devpath=dev.path,
        domain=domain,
        route=route,
        host=m is not None and route == 0,
        xdomain=x is not None or dev.devtype == "thunderbolt_xdomain",
        vendor=a.get("vendor_name"),
        model=a.get("device_name"),
        unique_id=a.get("unique_id"),
        authorized=_int(a.get("authorized")),
        generation=_int(a.get("generation")),
        rx_speed=a.get("rx_speed"),
        tx_speed=a.get("tx_speed"),
        rx_lanes=_int(a.get("rx_lanes")),
        tx_lanes=_int(a.get("tx_lanes")),
        nvm_version=a.get("nvm_version"),
        key_present=None if "key" not in a else bool(a["key"].strip()),
        parent=parent.sysname if parent is not None and parent.subsystem == "thunderbolt" and m else None,
    )


def list_domains(devices: Sequence[Device], bolt: BoltInfo | None = None) -> list[TbDomain]:
    """Every Thunderbolt/USB4 domain with its routers; boltd's records joined by unique id."""
    by_path = {d.path: d for d in devices}
    tb = [d for d in devices if d.subsystem == "thunderbolt"]
    bolt_by_uid = {b.uid.lower(): b for b in bolt.devices} if bolt else {}
    out: list[TbDomain] = []
    for dom in tb:
        m = _DOMAIN.match(dom.sysname)
        if m is None:
            continue
        idx = int(m[1])
        ctrl = by_path.get(dom.parent or "")
        members = []
        for d in tb:
            if d is dom or not d.path.startswith(dom.path + "/"):
                continue
            if not (_ROUTER.match(d.sysname) or _XDOMAIN.match(d.sysname)):
                continue  # usb4_portN, retimers, NVM devices
            dev = _device(d, idx, by_path)
            b = bolt_by_uid.get((dev.unique_id or "").lower())
            if b is not None:
                from dataclasses import replace

                dev = replace(dev, bolt=b)
            members.append(dev)
        members.sort(key=lambda d: (not d.host, d.route))
        a = dom.attributes
        iommu = a.get("iommu_dma_protection")
        deauth = a.get("deauthorization")
        model = None
        if ctrl is not None:
            model = ctrl.properties.get("ID_MODEL_FROM_DATABASE") or ctrl.name
        out.append(
            TbDomain(
                name=dom.sysname,
                devpath=dom.path,
                index=idx,
                controller=ctrl.properties.get("PCI_SLOT_NAME") or ctrl.sysname if ctrl else None,
                controller_path=ctrl.path if ctrl else None,
                controller_model=model,
                driver=ctrl.driver if ctrl else None,
                security=a.get("security"),
                iommu_dma_protection=None if iommu is None else iommu.strip() == "1",
                deauthorization=None if deauth is None else deauth.strip() == "1",
                devices=tuple(members),
                attributes_known=bool(a),
            )
        )
    return sorted(out, key=lambda d: d.index)


def thunderbolt_controllers_without_domain(devices: Sequence[Device], domains: Sequence[TbDomain]) -> list[Device]:
    """PCI USB4/Thunderbolt host interfaces (class 0c0340 USB4 NHI, or 0880 with a thunderbolt modalias)
    that registered no domain: the driver is missing or the controller's firmware did not start."""
    have = {d.controller_path for d in domains}
    out = []
    for d in devices:
        if d.subsystem != "pci" or d.path in have:
            continue
        cls = (d.properties.get("PCI_CLASS") or d.attributes.get("class", "")).lower().removeprefix("0x")
        if cls.startswith("c0340") or cls.startswith("0c0340") or d.driver == "thunderbolt":
            out.append(d)
    return out


def domain_problems(dom: TbDomain) -> list[Problem]:
    out: list[Problem] = []
    if dom.driver is None:
        out.append(Problem("error", dom.name, "the host controller has no driver"))
    out += [Problem("error", dom.name, e) for e in dom.firmware_errors]
    if dom.security in ("dponly", "usbonly", "nopcie"):
        out.append(
            Problem(
                "warning",
                dom.name,
                f"security level {dom.security}: docks give no PCIe devices (Ethernet, USB on older docks)",
            )
        )
    if dom.iommu_dma_protection is False and dom.security == "none":
        out.append(Problem("warning", dom.name, "no IOMMU DMA protection and security level none: any device gets DMA"))
    for d in dom.devices:
        if d.host or d.xdomain:
            continue
        if d.authorized == 0:
            why = "not authorised: no PCIe tunnels, so the dock's Ethernet, USB and audio do not work"
            if d.bolt is not None and d.bolt.status:
                why += f" (boltd: {d.bolt.status})"
            out.append(Problem("error", d.name, why))
        elif d.bolt is not None and d.bolt.status == "auth-error":
            out.append(Problem("error", d.name, "boltd could not authorise it (auth-error)"))
    return out
