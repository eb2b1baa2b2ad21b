"""The audio and camera chains of two sides as {link: value} maps, for ``diff``."""

from __future__ import annotations

from typing import Any


def _dicts(v: Any) -> list[dict[str, Any]]:
    return [x for x in v if isinstance(x, dict)] if isinstance(v, list) else []


def audio_links(doc: Any) -> dict[str, str]:
    out: dict[str, str] = {}
    if not isinstance(doc, dict):
        return out
    ctls = {str(c.get("devpath")): c for c in _dicts(doc.get("controllers"))}
    for c in ctls.values():
        at = f"audio {c.get('address')}"
        out[f"{at} driver"] = str(c.get("driver"))
        fw = c.get("firmware")
        if isinstance(fw, dict):
            out[f"{at} DSP firmware"] = f"{fw.get('firmware_file')} {fw.get('version') or ''}".strip()
            out[f"{at} topology"] = str(fw.get("topology_file"))
    for card in _dicts(doc.get("cards")):
        # cards are named by their controller: card numbers move when a USB headset is plugged in first
        ctl = ctls.get(str(card.get("controller")), {})
        at = f"sound card on {ctl.get('address') or card.get('devpath')}"
        out[f"{at} name"] = str(card.get("name"))
        out[f"{at} PCMs"] = f"{card.get('playback', 0)} playback, {card.get('capture', 0)} capture"
        codecs = ", ".join(str(c.get("name")) for c in _dicts(card.get("codecs")))
        if codecs:
            out[f"{at} codecs"] = codecs
        ucm: dict[str, Any] = card["ucm"] if isinstance(card.get("ucm"), dict) else {}
        if ucm.get("status") != "unknown":
            out[f"{at} UCM profile"] = str(ucm.get("path") or ucm.get("status"))
        if isinstance(doc.get("server"), dict):
            nodes = sorted(str(n.get("description")) for n in _dicts(card.get("nodes")))
            out[f"{at} sound server nodes"] = ", ".join(nodes) or "none"
    server = doc.get("server")
    if isinstance(server, dict):
        out["sound server"] = str(server.get("name"))
        out["default output"] = str(server.get("default_sink"))
        out["default input"] = str(server.get("default_source"))
    for p in _dicts(doc.get("problems")):
        out[f"audio problem: {p.get('detail')}"] = str(p.get("severity"))
    return out


def camera_links(doc: Any) -> dict[str, str]:
    out: dict[str, str] = {}
    if not isinstance(doc, dict):
        return out
    for p in _dicts(doc.get("pipes")):
        at = f"camera {p.get('address')}"
        out[f"{at} name"] = str(p.get("name"))
        out[f"{at} driver"] = str(p.get("driver"))
        for s in _dicts(p.get("sensors")):
            out[f"{at} sensor {s.get('hid')}"] = str(s.get("driver"))
        for role in ("capture", "metadata", "output", "m2m"):
            nodes = [str(n.get("devnode")) for n in _dicts(p.get("nodes")) if n.get("role") == role]
            if nodes:
                out[f"{at} {role} nodes"] = ", ".join(nodes)
        if doc.get("libcamera_note") == "":
            out[f"{at} libcamera"] = ", ".join(str(c.get("name")) for c in _dicts(p.get("libcamera"))) or "none"
        if isinstance(doc.get("server"), dict):
            out[f"{at} PipeWire"] = ", ".join(str(n.get("description")) for n in _dicts(p.get("pipewire"))) or "none"
        for x in _dicts(p.get("problems")):
            out[f"{at} problem: {x.get('detail')}"] = str(x.get("severity"))
    return out
