"""What changed in the USB-C/Thunderbolt and wireless chains between two sides (a diff's usb-c and wireless parts)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from hwinspector.probes.machine.sections import Section


def _chain(sections: Mapping[str, Section], name: str) -> dict[str, Any]:
    sec = sections.get(name)
    if sec is None or not sec.available or not isinstance(sec.data, dict):
        return {}
    chain = sec.data.get("chain")
    return chain if isinstance(chain, dict) else {}


def _dicts(v: Any) -> list[dict[str, Any]]:
    return [x for x in v if isinstance(x, dict)] if isinstance(v, list | tuple) else []


def _d(v: Any) -> dict[str, Any]:
    return v if isinstance(v, dict) else {}


def _s(v: Any) -> str:
    return "none" if v is None else ("yes" if v is True else "no" if v is False else str(v))


def _pdos(pd: Any, key: str) -> str:
    return (
        ", ".join(
            f"{_s(p.get('voltage_mv') or p.get('max_voltage_mv'))} mV {_s(p.get('current_ma'))} mA"
            for p in _dicts(_d(pd).get(key))
        )
        or "none"
    )


def usbc_map(sections: Mapping[str, Section]) -> dict[str, str]:
    """Each port's and Thunderbolt device's state as {what: value}, the thing a diff compares."""
    chain = _chain(sections, "usbc")
    out: dict[str, str] = {}
    for p in _dicts(chain.get("ports")):
        port = f"USB-C {p.get('name')}"
        out[f"{port} driver"] = _s(p.get("driver"))
        for k in ("data_role", "power_role", "pd_revision"):
            if p.get(k) is not None:
                out[f"{port} {k.replace('_', ' ')}"] = _s(p.get(k))
        partner = p.get("partner")
        out[f"{port} partner"] = "none" if not isinstance(partner, dict) else _s(partner.get("kind") or "connected")
        if isinstance(partner, dict) and partner.get("pd"):
            out[f"{port} partner source PDOs"] = _pdos(partner.get("pd"), "source")
        for a in _dicts(p.get("altmodes")):
            out[f"{port} alternate mode {a.get('description') or a.get('svid')}"] = (
                "active" if a.get("active") else "not active"
            )
        contract = p.get("contract")
        if isinstance(contract, dict):
            out[f"{port} contract"] = (
                f"{_s(contract.get('voltage_now_v'))} V, max {_s(contract.get('current_max_a'))} A"
            )
    for dom in _dicts(chain.get("domains")):
        name = f"Thunderbolt {dom.get('name')}"
        out[f"{name} security"] = _s(dom.get("security"))
        out[f"{name} driver"] = _s(dom.get("driver"))
        for d in _dicts(dom.get("devices")):
            if d.get("host"):
                continue
            dev = f"Thunderbolt {d.get('unique_id') or d.get('name')} ({d.get('vendor')} {d.get('model')})"
            out[f"{dev} authorized"] = _s(d.get("authorized"))
            if d.get("nvm_version"):
                out[f"{dev} NVM"] = _s(d.get("nvm_version"))
    return out


def wireless_map(sections: Mapping[str, Section]) -> dict[str, str]:
    chain = _chain(sections, "wireless")
    out: dict[str, str] = {}
    firmware = _d(chain.get("firmware"))
    infos = _d(chain.get("driver_info"))
    notes = chain.get("notes")
    logged = not any("no kernel log" in str(n) for n in (notes if isinstance(notes, list | tuple) else []))
    for kind, key in (("Wi-Fi", "wifi"), ("Bluetooth", "bluetooth")):
        for r in _dicts(chain.get(key)):
            hw = _d(r.get("hardware"))
            radio = f"{kind} {hw.get('address') or r.get('devpath')}"
            out[f"{radio} driver"] = _s(hw.get("driver"))
            versions = [n.get("version") for n in _dicts(firmware.get(str(r.get("devpath")))) if n.get("version")]
            fw = [_d(infos.get(str(i.get("name")))).get("firmware_version") for i in _dicts(r.get("interfaces"))]
            shown = next((v for v in fw if v), None) or (versions[-1] if versions else None)
            if shown:
                out[f"{radio} firmware"] = _s(shown)
            failed = [n for n in _dicts(firmware.get(str(r.get("devpath")))) if n.get("failed")]
            if logged:
                out[f"{radio} firmware failures"] = str(len(failed))
            for rf in _dicts(r.get("rfkill")):
                out[f"{radio} rfkill"] = (
                    "hard-blocked" if rf.get("hard") else "soft-blocked" if rf.get("soft") else "unblocked"
                )
            if key == "wifi":
                out[f"{radio} interfaces"] = (
                    ", ".join(str(i.get("name")) for i in _dicts(r.get("interfaces"))) or "none"
                )
    reg = _d(chain.get("regulatory"))
    if reg:
        out["regulatory domain"] = _s(reg.get("country"))
    bluez = _d(chain.get("bluez"))
    for a in _dicts(bluez.get("adapters")):
        out[f"BlueZ {a.get('name')} powered"] = _s(a.get("powered"))
    return out


MAPS: tuple[tuple[str, str, Callable[[Mapping[str, Section]], dict[str, str]]], ...] = (
    ("usb-c", "usbc", usbc_map),
    ("wireless", "wireless", wireless_map),
)
