"""The USB-C and Thunderbolt chain laid out as lanes: one per Type-C port, one per Thunderbolt domain."""

from __future__ import annotations

from hwinspector.i18n import N_, _, ngettext
from hwinspector.models.graphics_elements import ChainElement, ChainPicture, Lane
from hwinspector.models.link_chain import box, picture, rows
from hwinspector.probes.problems import Problem
from hwinspector.probes.usbc.chain import UsbcChain
from hwinspector.probes.usbc.pd import Pdo
from hwinspector.probes.usbc.thunderbolt import SECURITY_TEXT, TbDevice, TbDomain
from hwinspector.probes.usbc.typec import AltMode, TypecPort

COL_CONTROLLER, COL_PORT, COL_PARTNER, COL_MODES, COL_USER = range(5)
COLUMNS = (N_("Controller"), N_("Port"), N_("Partner and cable"), N_("Alternate modes and power"), N_("What it gives"))


def _pdos(pdos: tuple[Pdo, ...] | None) -> str:
    if pdos is None:
        return _("none advertised")
    return "; ".join(p.text() for p in pdos) or _("empty")


def _alt_rows(a: AltMode) -> tuple[tuple[str, str], ...]:
    return rows(
        (_("Name"), a.name),
        ("SVID", f"{a.svid:04x}" if a.svid is not None else None),
        (_("Mode"), a.mode),
        ("VDO", f"0x{a.vdo:08x}" if a.vdo is not None else None),
        (_("Active"), a.active),
        (_("Description"), a.description),
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
            ctrl_key, "controller", _("Type-C controller"), p.driver or _("No driver"), [p.controller], COL_CONTROLLER,
            links=[port_key], devpath=p.controller_path, quiet="ok" if p.driver else "error",
            sections=[(_("Controller"), rows((_("Device"), p.controller), (_("Path"), p.controller_path),
                                          (_("Driver"), p.driver)))],
        )
    ]  # fmt: skip
    if p.attributes_known:
        roles = _("data {data_role} · power {power_role}").format(
            data_role=p.data_role or "?", power_role=p.power_role or "?"
        )
        pd = {None: _("PD revision not exposed"), "0.0": _("no USB PD")}.get(p.pd_revision, f"PD {p.pd_revision}")
        lines = [
            roles,
            _("{pd} · orientation {orientation}").format(pd=pd, orientation=p.orientation) if p.orientation else pd,
        ]
    else:
        lines = [_("roles and power not recorded in this source")]
    sinks = p.pd.sink if p.pd else None
    port_sections = [
        (_("Port"), rows(
            (_("Data role"), p.data_roles), (_("Power role"), p.power_roles), (_("Port type"), p.port_type),
            (_("Power operation mode"), p.power_operation_mode), (_("Orientation"), p.orientation),
            (_("USB PD revision"), p.pd_revision), (_("Type-C revision"), p.typec_revision), (_("VCONN source"),
                                                                                              p.vconn_source),
            (_("USB modes"), p.usb_capability), (_("Path"), p.devpath),
        )),
    ]  # fmt: skip
    if p.pd is not None:
        port_sections.append(
            (_("Power Delivery (port)"), rows(
                (_("Object"), p.pd.name), (_("Revision"), p.pd.revision), (_("Source capabilities"),
                                                                           _pdos(p.pd.source)),
                (_("Sink capabilities"), _pdos(sinks)),
            ))
        )  # fmt: skip
    if p.port_altmodes:
        port_sections.append((_("Supported alternate modes"), tuple((a.name, a.label) for a in p.port_altmodes)))
    partner_key = f"partner:{k}"
    els.append(
        box(port_key, "port", _("USB-C port"), p.name, lines, COL_PORT, links=[partner_key], devpath=p.devpath,
            problems=[x for x in _mine(probs, p.name) if not _power_problem(x)], sections=port_sections)
    )  # fmt: skip
    q = p.partner
    if q is None:
        els.append(
            box(partner_key, "partner", _("Partner"), _("Nothing plugged in"), [_("no partner detected")], COL_PARTNER,
                quiet="na", sections=[(_("Partner"), ((_("State"), _("nothing connected to this port")),))])
        )  # fmt: skip
        return Lane(f"lane:{k}", f"USB-C {p.name}", " · ".join(x for x in (p.driver, "empty") if x), tuple(els))
    kind = {"power_brick": _("power brick"), "ama": _("alternate mode adapter"), "psd": _("power bank")}.get(
        q.kind or "", q.kind or ""
    )
    src = q.pd.source if q.pd else None
    plines = [kind or (_("USB PD capable") if q.supports_pd else _("no USB PD"))]
    if src:
        best = max(src, key=lambda x: x.max_power_w or 0)
        plines.append(
            _("offers up to {max_power_w:g} W ({n} PDOs)").format(max_power_w=best.max_power_w, n=len(src))
            if best.max_power_w
            else ""
        )
    if q.accessory_mode and q.accessory_mode != "none":
        plines.append(f"accessory {q.accessory_mode}")
    targets = [f"alt:{k}:{a.name}" for a in p.altmodes]
    power_key = f"power:{k}"
    if q.pd is not None or p.contract is not None:
        targets.append(power_key)
    user_keys = [f"user:{k}:{i}" for i in range(len(chain.attached.get(k, ())))]
    psections = [
        (_("Partner"), rows(
            (_("Product type"), q.kind), (_("Supports USB PD"), q.supports_pd), (_("PD revision"), q.pd_revision),
            (_("Accessory mode"), q.accessory_mode), (_("Alternate modes"), q.altmode_count), (_("USB mode"),
                                                                                               q.usb_mode),
            (_("Path"), q.devpath),
        )),
    ]  # fmt: skip
    if q.identity:
        psections.append((_("Discover Identity"), tuple(sorted(q.identity.items()))))
    if q.pd is not None:
        psections.append(
            (_("Power Delivery (partner)"), rows(
                (_("Object"), q.pd.name), (_("Source capabilities"), _pdos(q.pd.source)),
                (_("Sink capabilities"), _pdos(q.pd.sink)),
            ))
        )  # fmt: skip
    els.append(
        box(partner_key, "partner", _("Partner"), _("Device connected"), plines, COL_PARTNER,
            links=targets or user_keys,
            devpath=q.devpath, sections=psections)
    )  # fmt: skip
    if p.cable is not None:
        c = p.cable
        els.append(
            box(f"cable:{k}", "cable", _("Cable"), f"{c.kind or 'marked'} cable", [c.plug_type, f"PD {c.pd_revision}"
                if c.pd_revision else None], COL_PARTNER, 1,
                sections=[(_("Cable"), rows((_("Type"), c.kind), (_("Plug"), c.plug_type), (_("PD revision"),
                                                                                            c.pd_revision)))])
        )  # fmt: skip
    for i, a in enumerate(p.altmodes):
        state = {True: "active", False: _("offered, not entered"), None: _("state not recorded")}[a.active]
        vdo = _("VDO 0x{vdo:08x}").format(vdo=a.vdo) if a.vdo is not None else None
        els.append(
            box(f"alt:{k}:{a.name}", "altmode", _("Alternate mode"), a.label, [state, vdo], COL_MODES, i,
                links=user_keys if a.active else [], problems=_mine(probs, a.name),
                sections=[(_("Alternate mode"), _alt_rows(a))], active=a.active is not False)
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
            lines2.append(f"now {now}" if now else _("online"))
            if c2.power_max_w:
                lines2.append(_("contract max {power_max_w:g} W").format(power_max_w=c2.power_max_w))
        elif src:
            lines2.append(_("charger offers {n} PDOs").format(n=len(src)))
        else:
            lines2.append(_("no source capabilities"))
        sec = [(_("Source capabilities (partner)"), tuple((f"PDO {x.position}", x.text()) for x in src or ()))]
        if c2 is not None:
            sec.append(
                (_("Contract (UCSI power supply)"), rows(
                    (_("Supply"), c2.name), (_("Online"), c2.online), (_("USB type"), c2.usb_type),
                    (_("Voltage now"), f"{c2.voltage_now_v:g} V" if c2.voltage_now_v is not None else None),
                    (_("Current now"), f"{c2.current_now_a:g} A" if c2.current_now_a is not None else None),
                    (_("Voltage max"), f"{c2.voltage_max_v:g} V" if c2.voltage_max_v is not None else None),
                    (_("Current max"), f"{c2.current_max_a:g} A" if c2.current_max_a is not None else None),
                ))
            )  # fmt: skip
        els.append(
            box(power_key, "power", _("Power Delivery"),
                _("Charging contract") if p.power_role == "sink" else _("Power"),
                lines2, COL_MODES, len(p.altmodes), sections=sec,
                problems=[x for x in _mine(probs, p.name) if _power_problem(x)])
        )  # fmt: skip
    for i, att in enumerate(chain.attached.get(k, ())):
        caption = {"display": _("Display connector"), "usb": _("USB device"), "usb4": _("Thunderbolt/USB4")}[att.kind]
        els.append(
            box(user_keys[i], "attached", caption, att.name, [att.status, att.detail], COL_USER, i,
                devpath=att.devpath, active=att.status not in ("disconnected", "nothing connected"),
                sections=[(caption, rows((_("Name"), att.name), (_("State"), att.status), (_("Path"), att.devpath)))])
        )  # fmt: skip
    subtitle = " · ".join(x for x in (p.driver, p.controller) if x)
    return Lane(f"lane:{k}", f"USB-C {p.name}", subtitle, tuple(els))


def _tb_device_box(d: TbDevice, row: int, problems: tuple[Problem, ...]) -> ChainElement:
    auth = {0: _("not authorised"), 1: "authorised", 2: _("authorised with a key")}.get(d.authorized or 0, "unknown")
    if d.authorized is None:
        auth = _("authorisation not recorded")
    gen = (
        _("Thunderbolt {generation}").format(generation=d.generation)
        if d.generation and d.generation < 4
        else ("USB4" if d.generation else None)
    )
    lines = [auth, " · ".join(x for x in (gen, d.speed) if x)]
    if d.bolt is not None:
        lines.append(f"boltd: {d.bolt.status}" + (_(", stored") if d.bolt.stored else ""))
    return box(
        f"tb:{d.devpath}", "tbdevice",
        _("Host router") if d.host else (_("Peer host") if d.xdomain else _("Device")), d.title,
        lines, COL_PARTNER if not d.host else COL_PORT, row, devpath=d.devpath, problems=_mine(problems, d.name),
        sections=[(_("Thunderbolt device"), rows(
            (_("Router"), d.name), (_("Vendor"), d.vendor), (_("Name"), d.model), (_("Unique id"), d.unique_id),
            (_("Authorized"), d.authorized), (_("Generation"), d.generation), (_("RX speed"), d.rx_speed),
            (_("TX speed"), d.tx_speed), (_("Lanes"), d.rx_lanes), (_("NVM version"),
                                                                    d.nvm_version), (_("Path"), d.devpath),
        ))] + ([("boltd", rows(
            (_("Status"), d.bolt.status), (_("Stored"), d.bolt.stored), (_("Policy"), d.bolt.policy), (_("Key"),
                                                                                                       d.bolt.key),
        ))] if d.bolt else []),
    )  # fmt: skip


def _domain_lane(chain: UsbcChain, dom: TbDomain) -> Lane:
    k = dom.devpath
    ctrl_key, dom_key = f"nhi:{k}", f"dom:{k}"
    els = [
        box(ctrl_key, "controller", _("Thunderbolt controller"), dom.driver or _("No driver"),
            [dom.controller_model, dom.controller], COL_CONTROLLER, links=[dom_key], devpath=dom.controller_path,
            quiet="ok" if dom.driver else "error",
            sections=[(_("Controller"), rows((_("Device"), dom.controller), (_("Model"), dom.controller_model),
                                          (_("Driver"), dom.driver)))])
    ]  # fmt: skip
    host = next((d for d in dom.devices if d.host), None)
    others = [d for d in dom.devices if not d.host]
    sec_line = f"security {dom.security}" if dom.security else _("security level not recorded")
    iommu = {True: _("IOMMU DMA protection"), False: _("no IOMMU DMA protection"), None: None}[dom.iommu_dma_protection]
    dom_targets = [f"tb:{d.devpath}" for d in others]
    bolt = chain.bolt
    els.append(
        box(dom_key, "domain", _("Domain"), dom.name, [sec_line, iommu, f"{len(others)} device(s)"], COL_PORT,
            links=dom_targets, devpath=dom.devpath, problems=_mine(chain.problems, dom.name),
            sections=[(_("Domain"), rows(
                (_("Security level"), SECURITY_TEXT.get(dom.security or "", dom.security)),
                (_("IOMMU DMA protection"), dom.iommu_dma_protection), (_("Deauthorization"), dom.deauthorization),
                (_("Host router"), host.unique_id if host else None), (_("Path"), dom.devpath),
            ))] + ([("boltd", rows((_("Running"), bolt.running), (_("Why not"), bolt.reason), (_("Version"),
                                                                                               bolt.version),
                                   (_("Auth mode"), bolt.auth_mode), (_("Default policy"),
                                                                      bolt.policy)))] if bolt else []))
    )  # fmt: skip
    for i, d in enumerate(others):
        els.append(_tb_device_box(d, i, chain.problems))
    if not others:
        els.append(
            box(f"tbnone:{k}", "tbdevice", _("Device"), _("Nothing connected"), [_("no device on this domain")],
                COL_PARTNER,
                quiet="na")
        )  # fmt: skip
    subtitle = " · ".join(x for x in (dom.driver, dom.controller, dom.security) if x)
    return Lane(f"lane:{k}", _("Thunderbolt {name}").format(name=dom.name), subtitle, tuple(els))


def build_usbc_picture(chain: UsbcChain) -> ChainPicture:
    lanes = [_port_lane(chain, p) for p in chain.ports] + [_domain_lane(chain, d) for d in chain.domains]
    for addr, path, driver in chain.orphan_controllers:
        nhi = box(
            f"nhi:{path}",
            "controller",
            _("Thunderbolt controller"),
            driver or _("No driver"),
            [addr],
            COL_CONTROLLER,
            devpath=path,
            problems=_mine(chain.problems, addr),
            quiet="ok" if driver else "error",
        )
        none = box(f"dom:{path}", "domain", _("Domain"), _("No domain"),
                   [_("the controller registered no domain")], COL_PORT,
                   quiet="na")  # fmt: skip
        lanes.append(
            Lane(
                f"lane:{path}",
                _("Thunderbolt controller {addr}").format(addr=addr),
                driver or _("no driver"),
                (nhi, none),
            )
        )
    connected = sum(1 for p in chain.ports if p.partner is not None)
    devices = sum(1 for d in chain.domains for x in d.devices if not x.host)
    parts = (
        [_("{n} USB-C port(s), {connected} in use").format(n=len(chain.ports), connected=connected)]
        if chain.ports
        else []
    )
    if chain.domains or chain.orphan_controllers:
        parts.append(
            _("{n} Thunderbolt/USB4 domain(s), {devices} device(s)").format(n=len(chain.domains), devices=devices)
        )
    bad = [p for p in chain.problems if p.severity in ("error", "warning")]
    parts.append(
        ngettext("{n} problem", "{n} problems", len(bad)).format(n=len(bad)) if bad else _("no problems found")
    )
    return picture(lanes, " · ".join(parts), chain.notes)
