"""The audio chain from each kind of source: the live machine, a bundle's raw files, devices only."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from hwinspector.probes.audio.alsa import AlsaInfo, parse_aplay, parse_cards, parse_codec_dump, parse_pcm, read_alsa
from hwinspector.probes.audio.chain import AudioChain, AudioContext, assemble
from hwinspector.probes.audio.server import SoundServer, parse_pactl, parse_pw_dump, read_sound_server
from hwinspector.probes.audio.ucm import UcmMatch, find_ucm, ucm_root
from hwinspector.probes.devices.tree import Device
from hwinspector.probes.errors import InputFormatError, ProbeUnavailable
from hwinspector.probes.kernel_log import parse_dmesg_text, read_kernel_log

# The bundle's raw artifacts the audio and camera chains read back (app/report/raw_collectors.py writes them).
RAW_CARDS = "raw/audio/asound-cards.txt"
RAW_PCM = "raw/audio/asound-pcm.txt"
RAW_CODECS = "raw/audio/asound-codecs.txt"
RAW_APLAY = "raw/audio/aplay-l.txt"
RAW_ARECORD = "raw/audio/arecord-l.txt"
RAW_PW_DUMP = "raw/audio/pw-dump.json"
RAW_PACTL_INFO = "raw/audio/pactl-info.json"
RAW_PACTL_SINKS = "raw/audio/pactl-list-sinks.json"
RAW_PACTL_SOURCES = "raw/audio/pactl-list-sources.json"
RAW_UCM = "raw/audio/ucm-match.json"
RAW_DMESG = "raw/kernel/dmesg.txt"

RawReader = Callable[[str], bytes | None]  # a bundle member's bytes, None where the bundle lacks it


def _card_driver(devices: Sequence[Device], number: int) -> tuple[str | None, str | None]:
    """What alsa-lib reads from /sys/class/sound/cardN/device/driver (and its module)."""
    by_path = {d.path: d for d in devices}
    card = next((d for d in devices if d.subsystem == "sound" and d.sysname == f"card{number}"), None)
    parent = by_path.get(card.parent or "") if card else None
    return (parent.driver, parent.module) if parent else (None, None)


def ucm_matches(alsa: AlsaInfo, devices: Sequence[Device], root: Path) -> dict[int, UcmMatch]:
    out = {}
    for c in alsa.cards:
        driver, module = _card_driver(devices, c.number)
        out[c.number] = find_ucm(c.driver, c.long_name, c.name, driver, module, root)
    return out


def ucm_to_json(matches: Mapping[int, UcmMatch]) -> dict[str, Any]:
    return {
        str(k): {"status": m.status, "path": m.path, "tried": list(m.tried), "note": m.note} for k, m in matches.items()
    }


def ucm_from_json(doc: Any) -> dict[int, UcmMatch]:
    out: dict[int, UcmMatch] = {}
    if not isinstance(doc, dict):
        return out
    for k, v in doc.items():
        if not isinstance(v, dict) or not str(k).isdigit():
            continue
        status = str(v.get("status", "unknown"))
        tried: list[Any] = v["tried"] if isinstance(v.get("tried"), list) else []
        path = v.get("path") if isinstance(v.get("path"), str) else None
        out[int(k)] = UcmMatch(
            status if status in ("found", "none", "absent") else "unknown", path,
            tuple(str(t)[:300] for t in tried[:12]), str(v.get("note") or "")[:300],
        )  # fmt: skip
    return out


def live_context(
    devices: Sequence[Device],
    procfs: Path = Path("/proc"),
    devkmsg: Path = Path("/dev/kmsg"),
    ucm: Path | None = None,
    read_server: Callable[[], SoundServer] = read_sound_server,
) -> AudioContext:
    ctx = AudioContext(source="live")
    try:
        ctx.alsa = read_alsa(procfs)
        ctx.ucm = ucm_matches(ctx.alsa, devices, ucm or ucm_root())
    except ProbeUnavailable as exc:
        ctx.ucm_absent = exc.reason
    try:
        ctx.log = read_kernel_log(devkmsg)
    except ProbeUnavailable as exc:
        ctx.log_absent = exc.reason
    try:
        ctx.server = read_server()
    except ProbeUnavailable as exc:
        ctx.server_absent = exc.reason
    return ctx


def read_audio_chain(devices: Sequence[Device], **kwargs: Any) -> AudioChain:
    """The live machine (the sound server is asked through pw-dump or pactl, each with a timeout)."""
    return assemble(devices, live_context(devices, **kwargs))


def raw_context(raw: RawReader, source: str = "bundle") -> AudioContext:
    """A bundle's raw artifacts; a missing or garbled one leaves its link "not in this source"."""
    ctx = AudioContext(source=source)
    text = _texts(raw)
    if text.get(RAW_CARDS) is not None:
        ctx.alsa = AlsaInfo(
            tuple(parse_cards(text[RAW_CARDS] or "")),
            tuple(parse_pcm(text.get(RAW_PCM) or "")),
            tuple(parse_codec_dump(text.get(RAW_CODECS) or "")),
            RAW_CARDS,
        )
    elif text.get(RAW_APLAY) is not None:
        cards, pcms = parse_aplay(text[RAW_APLAY] or "", text.get(RAW_ARECORD) or "")
        ctx.alsa = AlsaInfo(tuple(cards), tuple(pcms), (), RAW_APLAY)
    else:
        ctx.ucm_absent = "the bundle holds no ALSA card list"
    if (doc := text.get(RAW_UCM)) is not None:
        try:
            ctx.ucm = ucm_from_json(json.loads(doc))
        except ValueError:
            ctx.ucm_absent = f"{RAW_UCM} is not JSON"
    elif ctx.alsa is not None:
        ctx.ucm_absent = "the bundle does not record which UCM profile was found"
    if (dmesg := text.get(RAW_DMESG)) is not None:
        ctx.log = parse_dmesg_text(dmesg)
    else:
        ctx.log_absent = "the bundle holds no kernel log"
    ctx.server, why = server_from_raw(raw)
    ctx.server_absent = why
    return ctx


def server_from_raw(raw: RawReader) -> tuple[SoundServer | None, str]:
    reasons = []
    pw = raw(RAW_PW_DUMP)
    if pw:
        try:
            return parse_pw_dump(pw, RAW_PW_DUMP), ""
        except InputFormatError as exc:
            reasons.append(str(exc))
    info, sinks, sources = raw(RAW_PACTL_INFO), raw(RAW_PACTL_SINKS), raw(RAW_PACTL_SOURCES)
    if info and sinks is not None and sources is not None:
        try:
            return parse_pactl(info, sinks, sources, RAW_PACTL_INFO), ""
        except InputFormatError as exc:
            reasons.append(str(exc))
    return None, "; ".join(reasons) or "no sound server answered when the bundle was captured"


def _texts(raw: RawReader) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for name in (RAW_CARDS, RAW_PCM, RAW_CODECS, RAW_APLAY, RAW_ARECORD, RAW_UCM, RAW_DMESG):
        data = raw(name)
        if data is not None:
            out[name] = data.decode("utf-8", "replace")
    return out


def devices_context(source: str) -> AudioContext:
    """A udevadm dump or umockdev recording: devices only."""
    why = "a umockdev testbed fakes /sys only" if source == "umockdev" else f"a {source} dump holds devices only"
    return AudioContext(
        log_absent=f"{why}, no kernel log", server_absent=f"{why}, no sound server", ucm_absent=f"{why}: "
        "ALSA's driver and long name, which UCM matches, are not recorded", source=source,
    )  # fmt: skip


def live_ucm_json(procfs: Path = Path("/proc"), sysfs: Path = Path("/sys"), root: Path | None = None) -> bytes:
    """Which UCM profile each card gets on this machine (for bundles: the reader's alsa-ucm-conf may differ)."""
    alsa = read_alsa(procfs)
    out: dict[int, UcmMatch] = {}
    for c in alsa.cards:
        dev = sysfs / "class" / "sound" / f"card{c.number}" / "device"
        driver = _link_name(dev / "driver")
        module = _link_name(dev / "driver" / "module")
        out[c.number] = find_ucm(c.driver, c.long_name, c.name, driver, module, root or ucm_root())
    return json.dumps(ucm_to_json(out), indent=1).encode()


def _link_name(p: Path) -> str | None:
    try:
        return Path(os.readlink(p)).name
    except OSError:
        return None
