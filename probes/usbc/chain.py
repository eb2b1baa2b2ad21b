"""The USB-C and Thunderbolt chain: port → partner and cable → alternate modes and power → what hangs off it."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from hwinspector.i18n import N_
from hwinspector.probes.devices.tree import Device
from hwinspector.probes.kernel_log import LogLine
from hwinspector.probes.problems import Problem
from hwinspector.probes.usbc.thunderbolt import (
    BoltDevice,
    BoltInfo,
    TbDomain,
    domain_problems,
    list_domains,
    thunderbolt_controllers_without_domain,
)
from hwinspector.probes.usbc.typec import LiveExtras, TypecPort, list_typec_ports, port_problems

# drivers/thunderbolt/icm.c and nhi.c: the controller's firmware connection manager did not come up.
_TB_FAIL = re.compile(
    r"^thunderbolt (?P<dev>\S+): (?P<msg>could not start ICM firmware|failed to .*|.*timeout.*|.*firmware.*failed.*)$",
    re.IGNORECASE,
)
# Links in a port's directory that are its own plumbing, not what hangs off it.
_OWN_LINKS = frozenset({"device", "subsystem", "driver", "firmware_node", "power", "of_node", "physical_location"})


@dataclass(frozen=True, slots=True)
class Attached:
    """Something the kernel links to a port: a DRM connector, a USB port and its device, a USB4 port."""

    kind: str  # "display" | "usb" | "usb4"
    name: str  # "card1-DP-1", "3-1 (Dock hub)", "usb4_port1"
    devpath: str
    status: str | None  # a connector's "connected"; a USB device's speed
    detail: str | None = None


@dataclass(frozen=True, slots=True)
class UsbcChain:
    ports: tuple[TypecPort, ...]
    attached: dict[str, tuple[Attached, ...]]  # port devpath -> what hangs off it
    domains: tuple[TbDomain, ...]
    orphan_controllers: tuple[tuple[str, str, str | None], ...]  # (address, devpath, driver) without a domain
    bolt: BoltInfo | None
    problems: tuple[Problem, ...]
    notes: tuple[str, ...]
    source: str = "live"

    def port_problems(self, port: TypecPort) -> list[Problem]:
        return [p for p in self.problems if p.subject == port.name or p.subject.startswith(f"{port.name}-")]

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "ports": [asdict(p) for p in self.ports],
            "attached": {k: [asdict(a) for a in v] for k, v in self.attached.items()},
            "domains": [asdict(d) for d in self.domains],
            "orphan_controllers": [list(x) for x in self.orphan_controllers],
            "bolt": asdict(self.bolt) if self.bolt else None,
            "problems": [asdict(p) for p in self.problems],
            "notes": list(self.notes),
        }


def read_usbc_extras(sysfs: Path = Path("/sys")) -> LiveExtras:
    """Symlinks (drm_connector, usbN-portM, usb_power_delivery, …) and identity VDOs of the typec devices."""
    links: dict[str, dict[str, str]] = {}
    identity: dict[str, dict[str, str]] = {}
    base = sysfs / "class" / "typec"
    try:
        names = sorted(os.listdir(base))
    except OSError:
        return LiveExtras()
    root = os.path.realpath(sysfs)
    for name in names:
        try:
            real = os.path.realpath(base / name)
        except OSError:
            continue
        if not real.startswith(root + "/devices/"):
            continue
        devpath = real[len(root) :]
        mine: dict[str, str] = {}
        try:
            entries = list(os.scandir(real))
        except OSError:
            continue  # unplugged while we read
        for e in entries:
            if e.name in _OWN_LINKS or not e.is_symlink():
                continue
            try:
                target = os.path.realpath(e.path)
            except OSError:
                continue
            if target.startswith(root + "/devices/"):
                mine[e.name] = target[len(root) :]
        if mine:
            links[devpath] = mine
        vdos: dict[str, str] = {}
        try:
            for e in os.scandir(os.path.join(real, "identity")):
                try:
                    with open(e.path, "rb") as f:
                        vdos[e.name] = f.read(64).decode("ascii", "replace").strip()
                except OSError:
                    continue
        except OSError:
            pass
        if vdos:
            identity[devpath] = vdos
    return LiveExtras(links, identity)


def _monitor(dev: Device | None) -> str | None:
    """The monitor on a DRM connector, named from its EDID (as the graphics chain names it)."""
    raw = dev.binary_attributes.get("edid") if dev is not None else None
    if not raw:
        return None
    from hwinspector.probes.graphics.chain import monitor_name
    from hwinspector.probes.graphics.edid.decode import decode_edid

    try:
        return monitor_name(decode_edid(bytes.fromhex(raw)))
    except ValueError:
        return None


def _attached(port: TypecPort, by_path: dict[str, Device], domains: Sequence[TbDomain]) -> tuple[Attached, ...]:
    out: list[Attached] = []
    for link, target in sorted(port.links.items()):
        dev = by_path.get(target)
        if link == "drm_connector":
            status = dev.attributes.get("status") if dev else None
            out.append(Attached("display", target.rsplit("/", 1)[-1], target, status, _monitor(dev)))
        elif re.match(r"^usb\d+-port\d+$", link):
            m = re.match(r"^usb(\d+)-port(\d+)$", link)
            assert m is not None
            hub = target.rsplit("/", 2)[0]  # …/usb3/3-0:1.0/usb3-port1 -> …/usb3
            child = by_path.get(f"{hub}/{m[1]}-{m[2]}")
            if child is not None:
                speed = child.attributes.get("speed")
                out.append(
                    Attached(
                        "usb",
                        f"{child.sysname} {child.name}",
                        child.path,
                        N_("{speed} Mb/s").format(speed=speed) if speed else None,
                        link,
                    )
                )
            else:
                out.append(Attached("usb", link, target, N_("nothing connected")))
        elif re.match(r"^usb4_port\d+$", link):
            n = int(link[9:])
            routers = [
                d
                for dom in domains
                for d in dom.devices
                if target.startswith(dom.devpath + "/") and d.route & 0xFF == n
            ]
            if routers:
                for r in routers:
                    out.append(
                        Attached(
                            "usb4", r.title, r.devpath, "authorized" if r.authorized else N_("not authorized"), link
                        )
                    )
            else:
                out.append(Attached("usb4", link, target, N_("nothing connected")))
    return tuple(out)


def assemble_usbc(
    devices: Sequence[Device],
    extras: LiveExtras | None = None,
    *,
    bolt: BoltInfo | None = None,
    kernel_log: Sequence[LogLine] | None = None,
    source: str = "live",
) -> UsbcChain:
    by_path = {d.path: d for d in devices}
    ports = list_typec_ports(devices, extras)
    domains = list_domains(devices, bolt)
    fails: dict[str, list[str]] = {}
    for line in kernel_log or ():
        m = _TB_FAIL.match(line.message)
        if m:
            fails.setdefault(m["dev"], []).append(m["msg"])
    domains = [
        replace(d, firmware_errors=tuple(fails.get(d.controller or "", ()))) if d.controller in fails else d
        for d in domains
    ]
    orphans = thunderbolt_controllers_without_domain(devices, domains)
    problems: list[Problem] = []
    for p in ports:
        problems += port_problems(p)
    for d in domains:
        problems += domain_problems(d)
    orphan_rows = []
    for o in orphans:
        addr = o.properties.get("PCI_SLOT_NAME") or o.sysname
        orphan_rows.append((addr, o.path, o.driver))
        why = (
            N_("no driver")
            if o.driver is None
            else N_("{driver} bound but registered no domain").format(driver=o.driver)
        )
        extra = "; ".join(fails.get(addr, []))
        problems.append(
            Problem(
                "error",
                addr,
                N_("Thunderbolt/USB4 controller: {why}").format(why=why) + (f" ({extra})" if extra else ""),
            )
        )
    notes: list[str] = []
    if ports and not ports[0].attributes_known:
        notes.append(N_("this source has udev properties only: roles, power and alternate modes are not recorded"))
    if bolt is not None and not bolt.running and domains:
        notes.append(f"boltd: {bolt.reason}")
    attached = {p.devpath: _attached(p, by_path, domains) for p in ports}
    return UsbcChain(
        tuple(ports), attached, tuple(domains), tuple(orphan_rows), bolt, tuple(problems), tuple(notes), source
    )


@dataclass(frozen=True, slots=True)
class UsbcInputs:
    """What the chain needs besides the device list; stored in bundles so --from rebuilds the same chain."""

    extras: LiveExtras = field(default_factory=LiveExtras)
    kernel_lines: tuple[str, ...] | None = None  # the thunderbolt lines of the kernel log
    bolt: BoltInfo | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "links": {k: dict(v) for k, v in self.extras.links.items()},
            "identity": {k: dict(v) for k, v in self.extras.identity.items()},
            "kernel_lines": list(self.kernel_lines) if self.kernel_lines is not None else None,
            "bolt": asdict(self.bolt) if self.bolt else None,
        }

    @classmethod
    def from_json(cls, doc: Any) -> UsbcInputs:
        """Tolerant of anything: a field of the wrong type is dropped, never trusted."""
        if not isinstance(doc, dict):
            return cls()
        lines = doc.get("kernel_lines")
        return cls(
            LiveExtras(_str_maps(doc.get("links")), _str_maps(doc.get("identity"))),
            tuple(x for x in lines if isinstance(x, str)) if isinstance(lines, list) else None,
            bolt_from_json(doc.get("bolt")),
        )


def _str_maps(v: Any) -> dict[str, dict[str, str]]:
    if not isinstance(v, dict):
        return {}
    out: dict[str, dict[str, str]] = {}
    for k, inner in v.items():
        if isinstance(k, str) and isinstance(inner, dict):
            out[k] = {a: b for a, b in inner.items() if isinstance(a, str) and isinstance(b, str)}
    return out


def _opt(d: dict[str, Any], key: str, kind: type) -> Any:
    v = d.get(key)
    return v if isinstance(v, kind) and not (kind is int and isinstance(v, bool)) else None


def bolt_from_json(doc: Any) -> BoltInfo | None:
    if not isinstance(doc, dict):
        return None
    devices = []
    listed = doc.get("devices")
    for d in listed if isinstance(listed, list) else []:
        if isinstance(d, dict) and isinstance(d.get("uid"), str):
            devices.append(
                BoltDevice(
                    d["uid"], _opt(d, "name", str), _opt(d, "vendor", str), _opt(d, "status", str),
                    _opt(d, "stored", bool), _opt(d, "policy", str), _opt(d, "key", str), _opt(d, "generation", int),
                )
            )  # fmt: skip
    return BoltInfo(
        bool(doc.get("running")), _opt(doc, "reason", str), _opt(doc, "version", int), _opt(doc, "auth_mode", str),
        _opt(doc, "policy", str), _opt(doc, "security", str), tuple(devices),
    )  # fmt: skip


def thunderbolt_log_lines(lines: Sequence[LogLine]) -> tuple[str, ...]:
    return tuple(x.message for x in lines if x.message.startswith("thunderbolt "))


def usbc_from_inputs(devices: Sequence[Device], inputs: UsbcInputs, source: str) -> UsbcChain:
    log = [LogLine(6, None, m) for m in inputs.kernel_lines] if inputs.kernel_lines is not None else None
    return assemble_usbc(devices, inputs.extras, bolt=inputs.bolt, kernel_log=log, source=source)
