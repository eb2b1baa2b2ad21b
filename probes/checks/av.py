"""Audio and camera judged from their chains: "works end to end" only when every link is there.

The chains are the ``audio`` and ``camera`` sections (probes/audio, probes/camera). Where a source
has none (an older bundle), devices.py judges from the device list as before.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hwinspector.probes.checks.base import Sections, Status, Verdict, as_dict, as_list, data, listed

_DUMPS = ("udevadm", "umockdev", "dump")


def _problems(doc: Mapping[str, Any], *parts: str) -> list[dict[str, Any]]:
    out = [as_dict(p) for p in as_list(doc.get("problems"))]
    for part in parts:
        for item in as_list(doc.get(part)):
            out += [as_dict(p) for p in as_list(as_dict(item).get("problems"))]
    return out


def _by(problems: list[dict[str, Any]], severity: str) -> list[str]:
    return [str(p.get("detail", "")) for p in problems if p.get("severity") == severity]


def audio_verdict(sections: Sections) -> Verdict | None:
    doc = as_dict(data(sections, "audio"))
    if not doc:
        return None
    cid, title = "audio", "Audio"
    cards = [as_dict(c) for c in as_list(doc.get("cards"))]
    ctls = {str(c.get("devpath")): as_dict(c) for c in as_list(doc.get("controllers")) if isinstance(c, dict)}
    problems = _problems(doc, "controllers", "cards")
    errors, warnings = _by(problems, "error"), _by(problems, "warning")
    hint = "The Audio page shows the chain with the broken link marked; Copy chain gives it as text."
    if not cards and not ctls:
        return Verdict(cid, title, Status.NA, "not applicable: no audio hardware found")
    lines = []
    for c in cards:
        ctl = ctls.get(str(c.get("controller")), {})
        nodes = as_list(c.get("nodes"))
        ucm = as_dict(c.get("ucm"))
        ucm_text = {"found": "UCM profile", "none": "no UCM profile"}.get(str(ucm.get("status")), "UCM not recorded")
        lines.append(
            f"card{c.get('number')}: {c.get('name')} ({ctl.get('driver') or 'no driver'}) · "
            f"{c.get('playback', 0)} playback, {c.get('capture', 0)} capture · {ucm_text} · {len(nodes)} server nodes"
        )
    evidence = tuple(listed([*(f"✖ {e}" for e in errors), *(f"⚠ {w}" for w in warnings), *lines]))
    if errors:
        return Verdict(cid, title, Status.FAIL, errors[0], evidence, hint)
    if warnings:
        return Verdict(cid, title, Status.WARNING, warnings[0], evidence, hint)
    server = doc.get("server")
    if not isinstance(server, dict):
        why = str(doc.get("server_note") or "no sound server")
        if str(doc.get("source")) in _DUMPS:
            return Verdict(cid, title, Status.PASS, f"present and bound; end to end not verifiable: {why}", evidence)
        return Verdict(cid, title, Status.WARNING, f"the cards work, but {why}", evidence, hint)
    default = next(
        (as_dict(n).get("description") for n in as_list(server.get("nodes"))
         if as_dict(n).get("is_default") and as_dict(n).get("media_class") == "Audio/Sink"), None,
    )  # fmt: skip
    summary = f"works end to end: {len(cards)} card(s) to {server.get('name')}" + (
        f", default output {default}" if default else ""
    )
    return Verdict(cid, title, Status.PASS, summary, evidence)


def camera_verdict(sections: Sections) -> Verdict | None:
    doc = as_dict(data(sections, "camera"))
    if not doc:
        return None
    cid, title = "camera", "Camera"
    pipes = [as_dict(p) for p in as_list(doc.get("pipes")) if as_dict(p).get("is_camera")]
    if not pipes:
        return Verdict(cid, title, Status.NA, "not applicable: no camera found")
    problems = [as_dict(p) for p in as_list(doc.get("problems"))]
    for p in pipes:
        problems += [as_dict(x) for x in as_list(p.get("problems"))]
    errors, warnings = _by(problems, "error"), _by(problems, "warning")
    lines = []
    missing: list[str] = []
    for p in pipes:
        capture = [as_dict(n) for n in as_list(p.get("nodes")) if as_dict(n).get("role") == "capture"]
        lines.append(
            f"{p.get('name')} ({p.get('driver') or 'no driver'}): "
            + (", ".join(str(n.get("devnode")) for n in capture) or "no capture node")
            + f" · libcamera {len(as_list(p.get('libcamera')))} · PipeWire {len(as_list(p.get('pipewire')))}"
        )
        if doc.get("libcamera_note") == "" and p.get("kind") == "ipu" and not as_list(p.get("libcamera")):
            missing.append("libcamera")
        if isinstance(doc.get("server"), dict) and capture and not as_list(p.get("pipewire")):
            missing.append("PipeWire")
    evidence = tuple(listed([*(f"✖ {e}" for e in errors), *(f"⚠ {w}" for w in warnings), *lines]))
    hint = "The Camera page shows the chain with the broken link marked; Copy chain gives it as text."
    if errors:
        return Verdict(cid, title, Status.FAIL, errors[0], evidence, hint)
    if warnings:
        return Verdict(cid, title, Status.WARNING, warnings[0], evidence, hint)
    unread = [str(doc.get(k)) for k in ("server_note",) if doc.get(k)]
    if unread:
        if str(doc.get("source")) in _DUMPS:
            return Verdict(cid, title, Status.PASS, f"present and bound; end to end not verifiable: {unread[0]}",
                           evidence)  # fmt: skip
        return Verdict(cid, title, Status.WARNING, f"capture nodes work, but PipeWire: {unread[0]}", evidence, hint)
    return Verdict(cid, title, Status.PASS, f"works end to end: {len(pipes)} camera(s) to PipeWire", evidence)
