"""Audio and camera judged from their chains: "works end to end" only when every link is there.

The chains are the ``audio`` and ``camera`` sections (probes/audio, probes/camera). Where a source
has none (an older bundle), devices.py judges from the device list as before.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hwinspector.i18n import N_
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
    cid, title = "audio", N_("Audio")
    cards = [as_dict(c) for c in as_list(doc.get("cards"))]
    ctls = {str(c.get("devpath")): as_dict(c) for c in as_list(doc.get("controllers")) if isinstance(c, dict)}
    problems = _problems(doc, "controllers", "cards")
    errors, warnings = _by(problems, "error"), _by(problems, "warning")
    hint = N_("The Audio page shows the chain with the broken link marked; Copy chain gives it as text.")
    if not cards and not ctls:
        return Verdict(cid, title, Status.NA, N_("not applicable: no audio hardware found"))
    lines = []
    for c in cards:
        ctl = ctls.get(str(c.get("controller")), {})
        nodes = as_list(c.get("nodes"))
        ucm = as_dict(c.get("ucm"))
        ucm_text = {"found": N_("UCM profile"), "none": N_("no UCM profile")}.get(
            str(ucm.get("status")), "UCM not recorded"
        )
        lines.append(
            N_(
                "card{number}: {name} ({driver}) · {playback} playback, {capture} capture · {ucm_text} · "
                "{n} server nodes"
            ).format(
                number=c.get("number"),
                name=c.get("name"),
                driver=ctl.get("driver") or "no driver",
                playback=c.get("playback", 0),
                capture=c.get("capture", 0),
                ucm_text=ucm_text,
                n=len(nodes),
            )
        )
    evidence = tuple(listed([*(f"✖ {e}" for e in errors), *(f"⚠ {w}" for w in warnings), *lines]))
    if errors:
        return Verdict(cid, title, Status.FAIL, errors[0], evidence, hint)
    if warnings:
        return Verdict(cid, title, Status.WARNING, warnings[0], evidence, hint)
    server = doc.get("server")
    if not isinstance(server, dict):
        why = str(doc.get("server_note") or N_("no sound server"))
        if str(doc.get("source")) in _DUMPS:
            return Verdict(
                cid,
                title,
                Status.PASS,
                N_("present and bound; end to end not verifiable: {why}").format(why=why),
                evidence,
            )
        return Verdict(cid, title, Status.WARNING, N_("the cards work, but {why}").format(why=why), evidence, hint)
    default = next(
        (as_dict(n).get("description") for n in as_list(server.get("nodes"))
         if as_dict(n).get("is_default") and as_dict(n).get("media_class") == "Audio/Sink"), None,
    )  # fmt: skip
    summary = N_("works end to end: {n} card(s) to {name}").format(n=len(cards), name=server.get("name")) + (
        N_(", default output {default}").format(default=default) if default else ""
    )
    return Verdict(cid, title, Status.PASS, summary, evidence)


def camera_verdict(sections: Sections) -> Verdict | None:
    doc = as_dict(data(sections, "camera"))
    if not doc:
        return None
    cid, title = "camera", N_("Camera")
    pipes = [as_dict(p) for p in as_list(doc.get("pipes")) if as_dict(p).get("is_camera")]
    if not pipes:
        return Verdict(cid, title, Status.NA, N_("not applicable: no camera found"))
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
            + (", ".join(str(n.get("devnode")) for n in capture) or N_("no capture node"))
            + N_(" · libcamera {n} · PipeWire {n2}").format(
                n=len(as_list(p.get("libcamera"))), n2=len(as_list(p.get("pipewire")))
            )
        )
        if doc.get("libcamera_note") == "" and p.get("kind") == "ipu" and not as_list(p.get("libcamera")):
            missing.append("libcamera")
        if isinstance(doc.get("server"), dict) and capture and not as_list(p.get("pipewire")):
            missing.append("PipeWire")
    evidence = tuple(listed([*(f"✖ {e}" for e in errors), *(f"⚠ {w}" for w in warnings), *lines]))
    hint = N_("The Camera page shows the chain with the broken link marked; Copy chain gives it as text.")
    if errors:
        return Verdict(cid, title, Status.FAIL, errors[0], evidence, hint)
    if warnings:
        return Verdict(cid, title, Status.WARNING, warnings[0], evidence, hint)
    unread = [str(doc.get(k)) for k in ("server_note",) if doc.get(k)]
    if unread:
        if str(doc.get("source")) in _DUMPS:
            return Verdict(cid, title, Status.PASS,
                           N_("present and bound; end to end not verifiable: {unread}").format(unread=unread[0]),
                           evidence)  # fmt: skip
        return Verdict(
            cid,
            title,
            Status.WARNING,
            N_("capture nodes work, but PipeWire: {unread}").format(unread=unread[0]),
            evidence,
            hint,
        )
    return Verdict(
        cid, title, Status.PASS, N_("works end to end: {n} camera(s) to PipeWire").format(n=len(pipes)), evidence
    )
