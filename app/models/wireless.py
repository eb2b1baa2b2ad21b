"""The wireless chain laid out as lanes: one per Wi-Fi phy, one per Bluetooth controller, the laptop's switches."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from hwinspector.models.graphics_elements import ChainElement, ChainPicture, Lane
from hwinspector.models.link_chain import box, picture, rows
from hwinspector.probes.problems import Problem
from hwinspector.probes.wireless.chain import WirelessChain, firmware_version
from hwinspector.probes.wireless.firmware import FirmwareNote
from hwinspector.probes.wireless.radios import Hardware, Rfkill

COL_DEVICE, COL_DRIVER, COL_RADIO, COL_USER = range(4)
COLUMNS = ("Device", "Driver and firmware", "Radio and rfkill", "What the desktop sees")


def _hw_box(key: str, hw: Hardware | None, caption: str, link: str) -> ChainElement:
    if hw is None:
        return box(key, "device", caption, "Device not recorded", [], COL_DEVICE, links=[link], quiet="na")
    return box(
        key, "device", f"{(hw.bus or 'bus').upper()} device", hw.name, [f"[{hw.ids}] {hw.address}" if hw.ids
        else hw.address], COL_DEVICE, links=[link], devpath=hw.devpath,
        sections=[("Device", rows(("Name", hw.name), ("Bus", hw.bus), ("Address", hw.address), ("IDs", hw.ids),
                                  ("Path", hw.devpath)))],
    )  # fmt: skip


def _driver_box(
    key: str, hw: Hardware | None, version: str | None, notes: Sequence[FirmwareNote], link: str,
    problems: Sequence[Problem], no_log: bool = False,
) -> ChainElement:  # fmt: skip
    driver = hw.driver if hw else None
    failed = [n for n in notes if n.failed]
    fw = f"firmware {version}" if version else ("firmware failed" if failed else "firmware version not logged")
    if not version and not failed and no_log:
        fw = "firmware: no kernel log"
    module = f"module {hw.module}" if hw and hw.module else None
    return box(
        key, "driver", "Kernel driver", driver or "No driver", [module, fw],
        COL_DRIVER, links=[link], devpath=hw.devpath if hw else None, quiet="ok" if driver else "error",
        problems=[p for p in problems if "driver" in p.detail or "firmware" in p.detail],
        sections=[
            ("Driver", rows(("Driver", driver), ("Module", hw.module if hw else None), ("Firmware version", version))),
            ("Kernel log", tuple((("failed" if n.failed else n.version or "line"), n.message) for n in notes)),
        ],
    )  # fmt: skip


def _no_log(chain: WirelessChain) -> bool:
    return any("no kernel log" in n for n in chain.notes)


def _rfkill_rows(rf: Sequence[Rfkill]) -> tuple[tuple[str, str], ...]:
    return tuple((f"{r.name} ({r.label or r.type or '?'})", r.state_text) for r in rf)


def _rfkill_line(rf: Sequence[Rfkill]) -> str:
    if not rf:
        return "no rfkill switch recorded"
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
            _hw_box(f"hw:{k}", w.hardware, "Device", f"drv:{k}"),
            _driver_box(f"drv:{k}", w.hardware, version, chain.firmware.get(k, ()), radio_key, mine, _no_log(chain)),
            box(radio_key, "radio", "Wi-Fi radio (cfg80211)", w.phy or "phy not recorded",
                [_rfkill_line(w.rfkill), f"regulatory domain {country}" if country else None], COL_RADIO,
                links=user_keys, devpath=w.devpath if w.phy else None, problems=_radio_problems(mine),
                sections=[("rfkill", _rfkill_rows(w.rfkill)),
                          ("Regulatory domain", rows(("Country", country), ("From", reg.source if reg else None),
                                                     ("cfg80211 default", reg.default if reg else None),
                                                     ("regulatory.db", reg.regdb_error if reg else None)))]),
        ]  # fmt: skip
        if info is not None:
            sections = (*els[1].sections, ("ethtool -i", rows(
                ("driver", info.driver), ("version", info.version), ("firmware-version", info.firmware_version),
                ("bus-info", info.bus_info),
            )))  # fmt: skip
            els[1] = replace(els[1], sections=sections)
        for r, i in enumerate(w.interfaces):
            state = " · ".join(x for x in (i.operstate, "carrier" if i.carrier else "") if x)
            els.append(
                box(f"if:{i.devpath}", "interface", "Network interface", i.name, [state or "state not recorded"],
                    COL_USER, r, devpath=i.devpath,
                    sections=[("Interface", rows(("Name", i.name), ("State", i.operstate), ("Carrier", i.carrier),
                                                 ("MAC address", i.address), ("Path", i.devpath)))])
            )  # fmt: skip
        if not w.interfaces:
            els.append(
                box(f"ifnone:{k}", "interface", "Network interface", "No interface", ["the phy has no netdev"],
                    COL_USER, quiet="na")
            )  # fmt: skip
        hw = w.hardware
        subtitle = " · ".join(x for x in (hw.driver if hw else None, hw.address if hw else None) if x)
        lanes.append(Lane(f"lane:{k}", f"Wi-Fi {w.phy or (names[0] if names else '')}".strip(), subtitle, tuple(els)))
    return lanes


def _bt_lanes(chain: WirelessChain) -> list[Lane]:
    lanes = []
    for b in chain.bluetooth:
        k = b.devpath
        mine = [p for p in chain.problems if p.subject == b.hci]
        version = firmware_version(chain, k)
        radio_key, user_key = f"hci:{k}", f"bluez:{k}"
        els = [
            _hw_box(f"hw:{k}", b.hardware, "Device", f"drv:{k}"),
            _driver_box(f"drv:{k}", b.hardware, version, chain.firmware.get(k, ()), radio_key, mine, _no_log(chain)),
            box(radio_key, "radio", "Bluetooth controller", b.hci, [_rfkill_line(b.rfkill), b.bus_type], COL_RADIO,
                links=[user_key], devpath=k, problems=_radio_problems(mine),
                sections=[("rfkill", _rfkill_rows(b.rfkill))]),
        ]  # fmt: skip
        bluez = chain.bluez
        adapter = bluez.adapter(b.hci) if bluez is not None and bluez.running else None
        if bluez is None:
            els.append(box(user_key, "bluez", "BlueZ", "Not asked", ["BlueZ is not part of this source"], COL_USER,
                           quiet="na"))  # fmt: skip
        elif not bluez.running:
            els.append(box(user_key, "bluez", "BlueZ", "Not running", [bluez.reason], COL_USER, quiet="info"))
        elif adapter is None:
            els.append(
                box(user_key, "bluez", "BlueZ adapter", "No adapter", ["bluetoothd does not list this controller"],
                    COL_USER, problems=[p for p in mine if "BlueZ" in p.detail], quiet="error")
            )  # fmt: skip
        else:
            power = adapter.power_state or ("on" if adapter.powered else "off")
            els.append(
                box(user_key, "bluez", "BlueZ adapter", adapter.alias or adapter.name,
                    [f"powered {power}", f"{adapter.devices} known device(s)"], COL_USER,
                    problems=[p for p in mine if "BlueZ" in p.detail],
                    sections=[("BlueZ adapter", rows(("Object", adapter.path), ("Alias", adapter.alias),
                                                     ("Address", adapter.address), ("Powered", adapter.powered),
                                                     ("Power state", adapter.power_state),
                                                     ("Discoverable", adapter.discoverable)))])
            )  # fmt: skip
        hw = b.hardware
        subtitle = " · ".join(x for x in (hw.driver if hw else None, hw.name if hw else None) if x)
        lanes.append(Lane(f"lane:{k}", f"Bluetooth {b.hci}", subtitle, tuple(els)))
    return lanes


def _switch_lane(chain: WirelessChain) -> list[Lane]:
    if not chain.switches:
        return []
    els = []
    for i, s in enumerate(chain.switches):
        probs = [Problem("error" if s.hard else "warning", s.name, s.state_text)] if s.blocked else []
        els.append(
            box(f"sw:{s.devpath}", "switch", f"Switch · {s.type or '?'}", s.label or s.name, [s.state_text],
                COL_DEVICE + i, devpath=s.devpath, problems=probs,
                sections=[("rfkill switch", rows(("Name", s.label), ("Type", s.type), ("Soft blocked", s.soft),
                                                 ("Hard blocked", s.hard), ("Path", s.devpath)))])
        )  # fmt: skip
    return [
        Lane("lane:switches", "Laptop radio switches", "platform rfkill: they block every radio of a type", tuple(els))
    ]


def build_wireless_picture(chain: WirelessChain) -> ChainPicture:
    lanes = [*_wifi_lanes(chain), *_bt_lanes(chain), *_switch_lane(chain)]
    bad = [p for p in chain.problems if p.severity in ("error", "warning")]
    parts = [f"{len(chain.wifi)} Wi-Fi, {len(chain.bluetooth)} Bluetooth"]
    if chain.regulatory is not None and chain.regulatory.country:
        parts.append(f"regulatory domain {chain.regulatory.country}")
    parts.append(f"{len(bad)} problem(s)" if bad else "no problems found")
    notes = [*chain.notes, *(p.detail for p in chain.problems if p.subject == "regulatory")]
    return picture(lanes, " · ".join(parts), notes)
