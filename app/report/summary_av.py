"""The audio and camera chains in a bundle's summary: their problems and one line per card or camera."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any


def _list(x: Any) -> list[Any]:
    return list(x) if isinstance(x, list) else []


def _dict(x: Any) -> dict[str, Any]:
    return x if isinstance(x, dict) else {}


def _section(sections: Mapping[str, Mapping[str, Any]], name: str) -> dict[str, Any]:
    sec = _dict(sections.get(name))
    return _dict(sec.get("data")) if sec.get("available") else {}


def av_problems(sections: Mapping[str, Mapping[str, Any]]) -> Iterator[tuple[str, str, str, str]]:
    """(severity, area, subject, detail) of both chains; info notes are left out."""
    for area, parts in (("audio", ("controllers", "cards")), ("camera", ("pipes",))):
        doc = _section(sections, area)
        items = _list(doc.get("problems"))
        for part in parts:
            for x in _list(doc.get(part)):
                items += _list(_dict(x).get("problems"))
        for p in map(_dict, items):
            if p.get("severity") in ("error", "warning"):
                yield str(p["severity"]), area, str(p.get("subject") or ""), str(p.get("detail") or "")


def audio_lines(sections: Mapping[str, Mapping[str, Any]]) -> list[str]:
    doc = _section(sections, "audio")
    ctls = {str(_dict(c).get("devpath")): _dict(c) for c in _list(doc.get("controllers"))}
    out = []
    for c in map(_dict, _list(doc.get("cards"))):
        ctl = ctls.get(str(c.get("controller")), {})
        ucm = _dict(c.get("ucm"))
        ucm_text = {"found": f"UCM {str(ucm.get('path') or '').split('/ucm2/', 1)[-1]}", "none": "no UCM profile"}.get(
            str(ucm.get("status")), "UCM not recorded"
        )
        out.append(
            f"card{c.get('number')}: {c.get('name')} ({ctl.get('driver') or 'no driver'}) · {c.get('playback', 0)} "
            f"playback, {c.get('capture', 0)} capture · {ucm_text} · {len(_list(c.get('nodes')))} sound server nodes"
        )
    server = _dict(doc.get("server"))
    if server:
        out.append(f"sound server: {server.get('name')}, default output {server.get('default_sink')}")
    elif doc.get("server_note"):
        out.append(f"sound server: {doc.get('server_note')}")
    return out


def camera_lines(sections: Mapping[str, Mapping[str, Any]]) -> list[str]:
    doc = _section(sections, "camera")
    out = []
    for p in map(_dict, _list(doc.get("pipes"))):
        if not p.get("is_camera"):
            continue
        capture = [str(_dict(n).get("devnode")) for n in _list(p.get("nodes")) if _dict(n).get("role") == "capture"]
        out.append(
            f"{p.get('name')} ({p.get('driver') or 'no driver'}, {p.get('ids') or p.get('address')}): "
            f"{', '.join(capture) or 'no capture node'} · libcamera {len(_list(p.get('libcamera')))} · "
            f"PipeWire {len(_list(p.get('pipewire')))}"
        )
    return out
