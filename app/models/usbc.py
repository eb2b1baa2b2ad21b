"""The USB-C and Thunderbolt chain laid out as lanes: one per Type-C port, one per Thunderbolt domain."""

from __future__ import annotations

from hwinspector.models.graphics_elements import ChainElement, ChainPicture, Lane
from hwinspector.models.link_chain import box, picture, rows
from hwinspector.probes.problems import Problem
from hwinspector.probes.usbc.chain import UsbcChain
from hwinspector.probes.usbc.pd import Pdo
from hwinspector.probes.usbc.thunderbolt import SECURITY_TEXT, TbDevice, TbDomain
from hwinspector.probes.usbc.typec import AltMode, TypecPort

COL_CONTROLLER, COL_PORT, COL_PARTNER, COL_MODES, COL_USER = range(5)
COLUMNS = ("Controller", "Port", "Partner and cable", "Alternate modes and power", "What it gives")


def _pdos(pdos: tuple[Pdo, ...] | None) -> str:
    if pdos is None:
        return "none advertised"
    return "; ".join(p.text() for p in pdos) or "empty"


def _alt_rows(a: AltMode) -> tuple[tuple[str, str], ...]:
    return rows(
        ("Name", a.name),
        ("SVID", f"{a.svid:04x}" if a.svid is not None else None),
        ("Mode", a.mode),
        ("VDO", f"0x{a.vdo:08x}" if a.vdo is not None else None),
        ("Active", a.active),
        ("Description", a.description),
    )


def _mine(problems: tuple[Problem, ...], *subjects: str) -> list[Problem]:
    return [p for p in problems if p.subject in subjects]


def _power_problem(p: Problem) -> bool:
    """Drawn on the Power Delivery box rather than the port."""
    return "0 V" in p.detail or "PDO" in p.detail or "contract" in p.detail


def _port_lane(chain: UsbcChain, p: TypecPort) -> Lane:
    k = p.devpath
    probs = chain.problems
    ctrl_key, port_key = f"ctrl:{k}", f"port:{k}"
    els: list[ChainElement] = [
        box(
            ctrl_key, "controller", "Type-C controller", p.driver or "No driver", [p.controller], COL_CONTROLLER,
            links=[port_key], devpath=p.controller_path, quiet="ok" if p.driver else "error",
            sections=[("Controller", rows(("Device", p.controller), ("Path", p.controller_path),
                                          ("Driver", p.driver)))],
        )
    ]  # fmt: skip
    if p.attributes_known:
        roles = f"data {p.data_role or '?'} · power {p.power_role or '?'}"
        pd = {None: "PD revision not exposed", "0.0": "no USB PD"}.get(p.pd_revision, f"PD {p.pd_revision}")
        lines = [roles, f"{pd} · orientation {p.orientation}" if p.orientation else pd]
    else:
        lines = ["roles and power not recorded in this source"]
    sinks = p.pd.sink if p.pd else None
    port_sections = [
        ("Port", rows(
            ("Data role", p.data_roles), ("Power role", p.power_roles), ("Port type", p.port_type),
            ("Power operation mode", p.power_operation_mode), ("Orientation", p.orientation),
            ("USB PD revision", p.pd_revision), ("Type-C revision", p.typec_revision), ("VCONN source", p.vconn_source),
            ("USB modes", p.usb_capability), ("Path", p.devpath),
        )),
    ]  # fmt: skip
    if p.pd is not None:
        port_sections.append(
            ("Power Delivery (port)", rows(
                ("Object", p.pd.name), ("Revision", p.pd.revision), ("Source capabilities", _pdos(p.pd.source)),
                ("Sink capabilities", _pdos(sinks)),
            ))
        )  # fmt: skip
    if p.port_altmodes:
        port_sections.append(("Supported alternate modes", tuple((a.name, a.label) for a in p.port_altmodes)))
    partner_key = f"partner:{k}"
    els.append(
        box(port_key, "port", "USB-C port", p.name, lines, COL_PORT, links=[partner_key], devpath=p.devpath,
            problems=[x for x in _mine(probs, p.name) if not _power_problem(x)], sections=port_sections)
    )  # fmt: skip
    q = p.partner
    if q is None:
        els.append(
            box(partner_key, "partner", "Partner", "Nothing plugged in", ["no partner detected"], COL_PARTNER,
                quiet="na", sections=[("Partner", (("State", "nothing connected to this port"),))])
        )  # fmt: skip
        return Lane(f"lane:{k}", f"USB-C {p.name}", " · ".join(x for x in (p.driver, "empty") if x), tuple(els))
    kind = {"power_brick": "power brick", "ama": "alternate mode adapter", "psd": "power bank"}.get(
        q.kind or "", q.kind or ""
    )
    src = q.pd.source if q.pd else None
    plines = [kind or ("USB PD capable" if q.supports_pd else "no USB PD")]
    if src:
        best = max(src, key=lambda x: x.max_power_w or 0)
        plines.append(f"offers up to {best.max_power_w:g} W ({len(src)} PDOs)" if best.max_power_w else "")
    if q.accessory_mode and q.accessory_mode != "none":
        plines.append(f"accessory {q.accessory_mode}")
    targets = [f"alt:{k}:{a.name}" for a in p.altmodes]
    power_key = f"power:{k}"
    if q.pd is not None or p.contract is not None:
        targets.append(power_key)
    user_keys = [f"user:{k}:{i}" for i in range(len(chain.attached.get(k, ())))]
    psections = [
        ("Partner", rows(
            ("Product type", q.kind), ("Supports USB PD", q.supports_pd), ("PD revision", q.pd_revision),
            ("Accessory mode", q.accessory_mode), ("Alternate modes", q.altmode_count), ("USB mode", q.usb_mode),
            ("Path", q.devpath),
        )),
    ]  # fmt: skip
    if q.identity:
        psections.append(("Discover Identity", tuple(sorted(q.identity.items()))))
    if q.pd is not None:
        psections.append(
            ("Power Delivery (partner)", rows(
                ("Object", q.pd.name), ("Source capabilities", _pdos(q.pd.source)),
                ("Sink capabilities", _pdos(q.pd.sink)),
            ))
        )  # fmt: skip
    els.append(
        box(partner_key, "partner", "Partner", "Device connected", plines, COL_PARTNER, links=targets or user_keys,
            devpath=q.devpath, sections=psections)
    )  # fmt: skip
    if p.cable is not None:
        c = p.cable
        els.append(
            box(f"cable:{k}", "cable", "Cable", f"{c.kind or 'marked'} cable", [c.plug_type, f"PD {c.pd_revision}"
                if c.pd_revision else None], COL_PARTNER, 1,
                sections=[("Cable", rows(("Type", c.kind), ("Plug", c.plug_type), ("PD revision", c.pd_revision)))])
        )  # fmt: skip
    for i, a in enumerate(p.altmodes):
        state = {True: "active", False: "offered, not entered", None: "state not recorded"}[a.active]
        vdo = f"VDO 0x{a.vdo:08x}" if a.vdo is not None else None
        els.append(
            box(f"alt:{k}:{a.name}", "altmode", "Alternate mode", a.label, [state, vdo], COL_MODES, i,
                links=user_keys if a.active else [], problems=_mine(probs, a.name),
                sections=[("Alternate mode", _alt_rows(a))], active=a.active is not False)
        )  # fmt: skip
    if q.pd is not None or p.contract is not None:
        c2 = p.contract
        lines2: list[str | None] = []
        if c2 is not None and c2.online:
            now = " · ".join(
                x for x in (
                    f"{c2.voltage_now_v:g} V" if c2.voltage_now_v is not None else "",
                    f"{c2.current_now_a:g} A" if c2.current_now_a is not None else "",
                ) if x
            )  # fmt: skip
            lines2.append(f"now {now}" if now else "online")
            if c2.power_max_w:
                lines2.append(f"contract max {c2.power_max_w:g} W")
        elif src:
            lines2.append(f"charger offers {len(src)} PDOs")
        else:
            lines2.append("no source capabilities")
        sec = [("Source capabilities (partner)", tuple((f"PDO {x.position}", x.text()) for x in src or ()))]
        if c2 is not None:
            sec.append(
                ("Contract (UCSI power supply)", rows(
                    ("Supply", c2.name), ("Online", c2.online), ("USB type", c2.usb_type),
                    ("Voltage now", f"{c2.voltage_now_v:g} V" if c2.voltage_now_v is not None else None),
                    ("Current now", f"{c2.current_now_a:g} A" if c2.current_now_a is not None else None),
                    ("Voltage max", f"{c2.voltage_max_v:g} V" if c2.voltage_max_v is not None else None),
                    ("Current max", f"{c2.current_max_a:g} A" if c2.current_max_a is not None else None),
                ))
            )  # fmt: skip
        els.append(
            box(power_key, "power", "Power Delivery", "Charging contract" if p.power_role == "sink" else "Power",
                lines2, COL_MODES, len(p.altmodes), sections=sec,
                problems=[x for x in _mine(probs, p.name) if _power_problem(x)])
        )  # fmt: skip
    for i, att in enumerate(chain.attached.get(k, ())):
        caption = {"display": "Display connector", "usb": "USB device", "usb4": "Thunderbolt/USB4"}[att.kind]
        els.append(
            box(user_keys[i], "attached", caption, att.name, [att.status, att.detail], COL_USER, i,
                devpath=att.devpath, active=att.status not in ("disconnected", "nothing connected"),
                sections=[(caption, rows(("Name", att.name), ("State", att.status), ("Path", att.devpath)))])
        )  # fmt: skip
    subtitle = " · ".join(x for x in (p.driver, p.controller) if x)
    return Lane(f"lane:{k}", f"USB-C {p.name}", subtitle, tuple(els))


def _tb_device_box(d: TbDevice, row: int, problems: tuple[Problem, ...]) -> ChainElement:
    auth = {0: "not authorised", 1: "authorised", 2: "authorised with a key"}.get(d.authorized or 0, "unknown")
    if d.authorized is None:
        auth = "authorisation not recorded"
    gen = f"Thunderbolt {d.generation}" if d.generation and d.generation < 4 else ("USB4" if d.generation else None)
    lines = [auth, " · ".join(x for x in (gen, d.speed) if x)]
    if d.bolt is not None:
        lines.append(f"boltd: {d.bolt.status}" + (", stored" if d.bolt.stored else ""))
    return box(
        f"tb:{d.devpath}", "tbdevice", "Host router" if d.host else ("Peer host" if d.xdomain else "Device"), d.title,
        lines, COL_PARTNER if not d.host else COL_PORT, row, devpath=d.devpath, problems=_mine(problems, d.name),
        sections=[("Thunderbolt device", rows(
            ("Router", d.name), ("Vendor", d.vendor), ("Name", d.model), ("Unique id", d.unique_id),
            ("Authorized", d.authorized), ("Generation", d.generation), ("RX speed", d.rx_speed),
            ("TX speed", d.tx_speed), ("Lanes", d.rx_lanes), ("NVM version", d.nvm_version), ("Path", d.devpath),
        ))] + ([("boltd", rows(
            ("Status", d.bolt.status), ("Stored", d.bolt.stored), ("Policy", d.bolt.policy), ("Key", d.bolt.key),
        ))] if d.bolt else []),
    )  # fmt: skip


def _domain_lane(chain: UsbcChain, dom: TbDomain) -> Lane:
    k = dom.devpath
    ctrl_key, dom_key = f"nhi:{k}", f"dom:{k}"
    els = [
        box(ctrl_key, "controller", "Thunderbolt controller", dom.driver or "No driver",
            [dom.controller_model, dom.controller], COL_CONTROLLER, links=[dom_key], devpath=dom.controller_path,
            quiet="ok" if dom.driver else "error",
            sections=[("Controller", rows(("Device", dom.controller), ("Model", dom.controller_model),
                                          ("Driver", dom.driver)))])
    ]  # fmt: skip
    host = next((d for d in dom.devices if d.host), None)
    others = [d for d in dom.devices if not d.host]
    sec_line = f"security {dom.security}" if dom.security else "security level not recorded"
    iommu = {True: "IOMMU DMA protection", False: "no IOMMU DMA protection", None: None}[dom.iommu_dma_protection]
    dom_targets = [f"tb:{d.devpath}" for d in others]
    bolt = chain.bolt
    els.append(
        box(dom_key, "domain", "Domain", dom.name, [sec_line, iommu, f"{len(others)} device(s)"], COL_PORT,
            links=dom_targets, devpath=dom.devpath, problems=_mine(chain.problems, dom.name),
            sections=[("Domain", rows(
                ("Security level", SECURITY_TEXT.get(dom.security or "", dom.security)),
                ("IOMMU DMA protection", dom.iommu_dma_protection), ("Deauthorization", dom.deauthorization),
                ("Host router", host.unique_id if host else None), ("Path", dom.devpath),
            ))] + ([("boltd", rows(("Running", bolt.running), ("Why not", bolt.reason), ("Version", bolt.version),
                                   ("Auth mode", bolt.auth_mode), ("Default policy", bolt.policy)))] if bolt else []))
    )  # fmt: skip
    for i, d in enumerate(others):
        els.append(_tb_device_box(d, i, chain.problems))
    if not others:
        els.append(
            box(f"tbnone:{k}", "tbdevice", "Device", "Nothing connected", ["no device on this domain"], COL_PARTNER,
                quiet="na")
        )  # fmt: skip
    subtitle = " · ".join(x for x in (dom.driver, dom.controller, dom.security) if x)
    return Lane(f"lane:{k}", f"Thunderbolt {dom.name}", subtitle, tuple(els))


def build_usbc_picture(chain: UsbcChain) -> ChainPicture:
    lanes = [_port_lane(chain, p) for p in chain.ports] + [_domain_lane(chain, d) for d in chain.domains]
    for addr, path, driver in chain.orphan_controllers:
        nhi = box(
            f"nhi:{path}",
            "controller",
            "Thunderbolt controller",
            driver or "No driver",
            [addr],
            COL_CONTROLLER,
            devpath=path,
            problems=_mine(chain.problems, addr),
            quiet="ok" if driver else "error",
        )
        none = box(f"dom:{path}", "domain", "Domain", "No domain", ["the controller registered no domain"], COL_PORT,
                   quiet="na")  # fmt: skip
        lanes.append(Lane(f"lane:{path}", f"Thunderbolt controller {addr}", driver or "no driver", (nhi, none)))
    connected = sum(1 for p in chain.ports if p.partner is not None)
    devices = sum(1 for d in chain.domains for x in d.devices if not x.host)
    parts = [f"{len(chain.ports)} USB-C port(s), {connected} in use"] if chain.ports else []
    if chain.domains or chain.orphan_controllers:
        parts.append(f"{len(chain.domains)} Thunderbolt/USB4 domain(s), {devices} device(s)")
    bad = [p for p in chain.problems if p.severity in ("error", "warning")]
    parts.append(f"{len(bad)} problem(s)" if bad else "no problems found")
    return picture(lanes, " · ".join(parts), chain.notes)
