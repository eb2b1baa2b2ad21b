"""The wireless chain laid out as lanes: one per Wi-Fi phy, one per Bluetooth controller, the laptop's switches."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from hwinspector.i18n import N_, _, ngettext
from hwinspector.models.graphics_elements import ChainElement, ChainPicture, Lane
from hwinspector.models.link_chain import box, picture, rows
from hwinspector.probes.problems import Problem
from hwinspector.probes.wireless.chain import WirelessChain, firmware_version
from hwinspector.probes.wireless.firmware import FirmwareNote
from hwinspector.probes.wireless.radios import Hardware, Rfkill

COL_DEVICE, COL_DRIVER, COL_RADIO, COL_USER = range(4)
COLUMNS = (N_("Device"), N_("Driver and firmware"), N_("Radio and rfkill"), N_("What the desktop sees"))


def _hw_box(key: str, hw: Hardware | None, caption: str, link: str) -> ChainElement:
    if hw is None:
        return box(key, "device", caption, _("Device not recorded"), [], COL_DEVICE, links=[link], quiet="na")
    return box(
        key, "device", f"{(hw.bus or 'bus').upper()} device", hw.name, [f"[{hw.ids}] {hw.address}" if hw.ids
        else hw.address], COL_DEVICE, links=[link], devpath=hw.devpath,
        sections=[(_("Device"), rows((_("Name"), hw.name), (_("Bus"), hw.bus), (_("Address"), hw.address),
                                     ("IDs", hw.ids),
                                  (_("Path"), hw.devpath)))],
    )  # fmt: skip


def _driver_box(
    key: str, hw: Hardware | None, version: str | None, notes: Sequence[FirmwareNote], link: str,
    problems: Sequence[Problem], no_log: bool = False,
) -> ChainElement:  # fmt: skip
    driver = hw.driver if hw else None
    failed = [n for n in notes if n.failed]
    fw = f"firmware {version}" if version else (_("firmware failed") if failed else _("firmware version not logged"))
    if not version and not failed and no_log:
        fw = _("firmware: no kernel log")
    module = f"module {hw.module}" if hw and hw.module else None
    return box(
        key, "driver", _("Kernel driver"), driver or _("No driver"), [module, fw],
        COL_DRIVER, links=[link], devpath=hw.devpath if hw else None, quiet="ok" if driver else "error",
        problems=[p for p in problems if "driver" in p.detail or "firmware" in p.detail],
        sections=[
            (_("Driver"), rows((_("Driver"), driver), (_("Module"), hw.module if hw else None),
                               (_("Firmware version"), version))),
            (_("Kernel log"), tuple((("failed" if n.failed else n.version or "line"), n.message) for n in notes)),
        ],
    )  # fmt: skip


def _no_log(chain: WirelessChain) -> bool:
    return any("no kernel log" in n for n in chain.notes)


def _rfkill_rows(rf: Sequence[Rfkill]) -> tuple[tuple[str, str], ...]:
    return tuple((f"{r.name} ({r.label or r.type or '?'})", r.state_text) for r in rf)


def _rfkill_line(rf: Sequence[Rfkill]) -> str:
    if not rf:
        return _("no rfkill switch recorded")
    return "rfkill: " + ", ".join(r.state_text.split(" (")[0] for r in rf)


def _radio_problems(problems: Sequence[Problem]) -> list[Problem]:
    return [p for p in problems if "block" in p.detail or "phy" in p.detail]


def _wifi_lanes(chain: WirelessChain) -> list[Lane]:
    lanes = []
    reg = chain.regulatory
    for w in chain.wifi:
        k = w.devpath
        subj = w.phy or (w.interfaces[0].name if w.interfaces else w.devpath)
        mine = [p for p in chain.problems if p.subject == subj]
        names = [i.name for i in w.interfaces]
        version = firmware_version(chain, k, names)
        info = next((chain.driver_info[n] for n in names if n in chain.driver_info), None)
        radio_key, user_keys = f"phy:{k}", [f"if:{i.devpath}" for i in w.interfaces]
        country = (reg.per_phy.get(w.phy) or reg.country) if reg else None
        els = [
            _hw_box(f"hw:{k}", w.hardware, _("Device"), f"drv:{k}"),
            _driver_box(f"drv:{k}", w.hardware, version, chain.firmware.get(k, ()), radio_key, mine, _no_log(chain)),
            box(radio_key, "radio", _("Wi-Fi radio (cfg80211)"), w.phy or _("phy not recorded"),
                [_rfkill_line(w.rfkill),
                 _("regulatory domain {country}").format(country=country) if country else None], COL_RADIO,
                links=user_keys, devpath=w.devpath if w.phy else None, problems=_radio_problems(mine),
                sections=[("rfkill", _rfkill_rows(w.rfkill)),
                          (_("Regulatory domain"), rows((_("Country"), country), (_("From"),
                                                                                  reg.source if reg else None),
                                                     (_("cfg80211 default"), reg.default if reg else None),
                                                     ("regulatory.db", reg.regdb_error if reg else None)))]),
        ]  # fmt: skip
        if info is not None:
            sections = (*els[1].sections, (_("ethtool -i"), rows(
                ("driver", info.driver), ("version", info.version), ("firmware-version", info.firmware_version),
                ("bus-info", info.bus_info),
            )))  # fmt: skip
            els[1] = replace(els[1], sections=sections)
        for r, i in enumerate(w.interfaces):
            state = " · ".join(x for x in (i.operstate, "carrier" if i.carrier else "") if x)
            els.append(
                box(f"if:{i.devpath}", "interface", _("Network interface"), i.name, [state or _("state not recorded")],
                    COL_USER, r, devpath=i.devpath,
                    sections=[(_("Interface"), rows((_("Name"), i.name), (_("State"), i.operstate),
                                                    (_("Carrier"), i.carrier),
                                                 (_("MAC address"), i.address), (_("Path"), i.devpath)))])
            )  # fmt: skip
        if not w.interfaces:
            els.append(
                box(f"ifnone:{k}", "interface", _("Network interface"), _("No interface"), [_("the phy has no netdev")],
                    COL_USER, quiet="na")
            )  # fmt: skip
        hw = w.hardware
        subtitle = " · ".join(x for x in (hw.driver if hw else None, hw.address if hw else None) if x)
        lanes.append(
            Lane(
                f"lane:{k}",
                _("Wi-Fi {phy}").format(phy=w.phy or (names[0] if names else "")).strip(),
                subtitle,
                tuple(els),
            )
        )
    return lanes


def _bt_lanes(chain: WirelessChain) -> list[Lane]:
    lanes = []
    for b in chain.bluetooth:
        k = b.devpath
        mine = [p for p in chain.problems if p.subject == b.hci]
        version = firmware_version(chain, k)
        radio_key, user_key = f"hci:{k}", f"bluez:{k}"
        els = [
            _hw_box(f"hw:{k}", b.hardware, _("Device"), f"drv:{k}"),
            _driver_box(f"drv:{k}", b.hardware, version, chain.firmware.get(k, ()), radio_key, mine, _no_log(chain)),
            box(radio_key, "radio", _("Bluetooth controller"), b.hci, [_rfkill_line(b.rfkill), b.bus_type], COL_RADIO,
                links=[user_key], devpath=k, problems=_radio_problems(mine),
                sections=[("rfkill", _rfkill_rows(b.rfkill))]),
        ]  # fmt: skip
        bluez = chain.bluez
        adapter = bluez.adapter(b.hci) if bluez is not None and bluez.running else None
        if bluez is None:
            els.append(box(user_key, "bluez", "BlueZ", _("Not asked"), [_("BlueZ is not part of this source")],
                           COL_USER,
                           quiet="na"))  # fmt: skip
        elif not bluez.running:
            els.append(box(user_key, "bluez", "BlueZ", _("Not running"), [bluez.reason], COL_USER, quiet="info"))
        elif adapter is None:
            els.append(
                box(user_key, "bluez", _("BlueZ adapter"), _("No adapter"),
                    [_("bluetoothd does not list this controller")],
                    COL_USER, problems=[p for p in mine if "BlueZ" in p.detail], quiet="error")
            )  # fmt: skip
        else:
            power = adapter.power_state or (_("on") if adapter.powered else _("off"))
            els.append(
                box(user_key, "bluez", _("BlueZ adapter"), adapter.alias or adapter.name,
                    [f"powered {power}", _("{devices} known device(s)").format(devices=adapter.devices)], COL_USER,
                    problems=[p for p in mine if "BlueZ" in p.detail],
                    sections=[(_("BlueZ adapter"), rows((_("Object"), adapter.path), (_("Alias"), adapter.alias),
                                                     (_("Address"), adapter.address), (_("Powered"), adapter.powered),
                                                     (_("Power state"), adapter.power_state),
                                                     (_("Discoverable"), adapter.discoverable)))])
            )  # fmt: skip
        hw = b.hardware
        subtitle = " · ".join(x for x in (hw.driver if hw else None, hw.name if hw else None) if x)
        lanes.append(Lane(f"lane:{k}", _("Bluetooth {hci}").format(hci=b.hci), subtitle, tuple(els)))
    return lanes


def _switch_lane(chain: WirelessChain) -> list[Lane]:
    if not chain.switches:
        return []
    els = []
    for i, s in enumerate(chain.switches):
        probs = [Problem("error" if s.hard else "warning", s.name, s.state_text)] if s.blocked else []
        els.append(
            box(f"sw:{s.devpath}", "switch", _("Switch · {type}").format(type=s.type or '?'), s.label or s.name,
                [s.state_text],
                COL_DEVICE + i, devpath=s.devpath, problems=probs,
                sections=[(_("rfkill switch"), rows((_("Name"), s.label), (_("Type"), s.type),
                                                    (_("Soft blocked"), s.soft),
                                                 (_("Hard blocked"), s.hard), (_("Path"), s.devpath)))])
        )  # fmt: skip
    return [
        Lane(
            "lane:switches",
            _("Laptop radio switches"),
            _("platform rfkill: they block every radio of a type"),
            tuple(els),
        )
    ]


def build_wireless_picture(chain: WirelessChain) -> ChainPicture:
    lanes = [*_wifi_lanes(chain), *_bt_lanes(chain), *_switch_lane(chain)]
    bad = [p for p in chain.problems if p.severity in ("error", "warning")]
    parts = [_("{n} Wi-Fi, {n2} Bluetooth").format(n=len(chain.wifi), n2=len(chain.bluetooth))]
    if chain.regulatory is not None and chain.regulatory.country:
        parts.append(_("regulatory domain {country}").format(country=chain.regulatory.country))
    parts.append(
        ngettext("{n} problem", "{n} problems", len(bad)).format(n=len(bad)) if bad else _("no problems found")
    )
    notes = [*chain.notes, *(p.detail for p in chain.problems if p.subject == "regulatory")]
    return picture(lanes, " · ".join(parts), notes)
