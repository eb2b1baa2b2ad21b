"""The audio chain: controller → driver → DSP firmware → ALSA card → UCM profile → sound server nodes.

Assembled from devices of any source (live sysfs, a udevadm dump, a bundle); what only some sources
know (ALSA's names, the kernel log, the sound server, the UCM tree) comes in an ``AudioContext``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence

from hwinspector.i18n import N_
from hwinspector.probes.audio.alsa import AlsaInfo, AlsaPcm
from hwinspector.probes.audio.firmware import DspFirmware, find_dsp_firmware, is_dsp_driver
from hwinspector.probes.audio.model import (
    AudioChain,
    AudioContext,
    Codec,
    Controller,
    Jack,
    Problem,
    SoundCard,
)
from hwinspector.probes.audio.server import ServerNode, SoundServer
from hwinspector.probes.audio.ucm import UcmMatch
from hwinspector.probes.devices.naming import pci_class_code
from hwinspector.probes.devices.tree import Device

__all__ = ["AudioChain", "AudioContext", "Codec", "Controller", "Jack", "Problem", "SoundCard", "assemble"]

_CARD = re.compile(r"^card(\d+)$")
_PCM = re.compile(r"^pcmC(\d+)D(\d+)([pc])$")
_CODEC = re.compile(r"^(?:hwC\d+D(\d+)|hdaudioC\d+D(\d+))$")
_ACP = re.compile(r"^snd[-_](pci[-_]acp|acp|rn[-_]pci[-_]acp|pci[-_]ps|rpl[-_]pci[-_]acp)")
_USB_AUDIO = ("snd-usb-audio", "snd_usb_audio")
_HW_APIS = ("alsa", "bluez5")
# HD Audio codec vendors (the high half of the codec's vendor id), as sound/hda/hda_codec.c names them.
HDA_VENDORS = {
    "10ec": "Realtek", "8086": "Intel", "10de": "NVIDIA", "1002": "AMD/ATI", "1022": "AMD", "14f1": "Conexant",
    "111d": "IDT", "8384": "SigmaTel", "1106": "VIA", "11d4": "Analog Devices", "1013": "Cirrus Logic",
    "17e8": "Chrontel", "1aec": "Wolfson", "434d": "C-Media", "1102": "Creative", "15ad": "VMware",
    "1af4": "QEMU", "10b9": "ULi", "1057": "Motorola", "11c1": "LSI", "8086a": "Intel",
}  # fmt: skip


def _kind(driver: str | None) -> str:
    if driver is None:
        return "other"
    if driver in ("snd_hda_intel", "HDA Intel"):  # "HDA Intel": the driver's name before Linux 2.6.30
        return "hda"
    if is_dsp_driver(driver):
        return "dsp"
    if _ACP.match(driver):
        return "acp"
    if driver in _USB_AUDIO:
        return "usb"
    return "other"


def _ancestors(dev: Device, by_path: Mapping[str, Device]) -> list[Device]:
    out: list[Device] = []
    cur = by_path.get(dev.parent or "")
    while cur is not None and len(out) < 64:
        out.append(cur)
        cur = by_path.get(cur.parent or "")
    return out


def _controller_of(card: Device, by_path: Mapping[str, Device]) -> tuple[Device | None, Device | None]:
    """(the hardware behind a card, the card's own parent when that is a separate machine device)."""
    up = _ancestors(card, by_path)
    if not up:
        return None, None
    parent = up[0]
    for i, a in enumerate(up):
        if a.devtype == "usb_interface":
            usb = up[i + 1] if i + 1 < len(up) else a
            return usb, a  # the interface carries the driver (snd-usb-audio)
        if a.subsystem == "pci":
            return a, (parent if parent is not a else None)
    return parent, None


def is_audio_hardware(d: Device) -> bool:
    code = pci_class_code(d.properties, d.attributes) if d.subsystem == "pci" else None
    # PCI multimedia audio (0401) and HD audio (0403); 0480 "other multimedia" is Intel's DSP on some SoCs.
    return code is not None and code >> 8 in (0x0401, 0x0403)


def _address(d: Device) -> str:
    return d.properties.get("PCI_SLOT_NAME") or d.sysname


def _name(d: Device) -> str:
    model = d.properties.get("ID_MODEL_FROM_DATABASE")
    return model or d.name


def assemble(devices: Sequence[Device], ctx: AudioContext) -> AudioChain:
    by_path = {d.path: d for d in devices}
    children: dict[str, list[Device]] = {}
    for d in devices:
        children.setdefault(d.parent or "", []).append(d)
    card_devs = sorted((d for d in devices if d.subsystem == "sound" and _CARD.match(d.sysname)), key=_card_no)
    hw: dict[str, tuple[Device, Device]] = {}  # controller devpath -> (controller, driver carrier)
    owner: dict[str, tuple[Device | None, Device | None]] = {}
    for cd in card_devs:
        ctl, mid = _controller_of(cd, by_path)
        owner[cd.path] = (ctl, mid)
        if ctl is not None:
            carrier = mid if mid is not None and mid.devtype == "usb_interface" else ctl
            hw.setdefault(ctl.path, (ctl, carrier))
    for d in devices:
        if is_audio_hardware(d):
            hw.setdefault(d.path, (d, d))
    for d in devices:
        # DSPs on ACPI or platform devices (Baytrail, Cherry Trail, SOF on ARM); not the machine devices
        # (sof-essx8336, sof_sdw) that sit between a controller and its card
        on_card = any(c.path.startswith(d.path + "/") for c in card_devs)
        below = any(d.path.startswith(p + "/") for p in hw)
        if d.subsystem in ("platform", "acpi") and is_dsp_driver(d.driver) and not on_card and not below:
            hw.setdefault(d.path, (d, d))
    names = [_address(c) for c, _ in hw.values()] + [c.sysname for c, _ in hw.values()]
    fw_by_dev = find_dsp_firmware(ctx.log, names) if ctx.log is not None else {}
    controllers = {p: _controller(c, carrier, by_path, children, fw_by_dev, ctx) for p, (c, carrier) in hw.items()}
    cards = [_card(cd, owner[cd.path], by_path, children, ctx) for cd in card_devs]
    with_card = {c.controller for c in cards}
    final_ctl: list[Controller] = []
    for c in sorted(controllers.values(), key=lambda c: (c.bus != "pci", c.address)):
        problems: list[Problem] = list(c.problems)
        if c.driver and c.devpath not in with_card:
            why = ""
            if c.firmware and not c.firmware.ok:
                why = N_(": its DSP firmware or topology failed (see the firmware link)")
            problems.append(
                Problem(
                    "error",
                    c.address,
                    N_("{driver} is bound but registered no sound card{why}").format(driver=c.driver, why=why),
                )
            )
        final_ctl.append(_replace_problems(c, problems))
    problems = []
    notes: list[str] = []
    if final_ctl and not cards:
        problems.append(Problem("error", "audio", N_("no sound card: applications have nothing to play to")))
    if ctx.server is not None:
        sinks = [n for n in ctx.server.audio_nodes() if n.media_class == "Audio/Sink"]
        # a sink of no card (PipeWire's null sink, PulseAudio's auto_null) plays to nothing
        if (final_ctl or cards) and not any(n.card is not None or n.api in _HW_APIS for n in sinks if not n.is_dummy):
            what = f"'{sinks[0].description}'" if sinks else N_("no output at all")
            problems.append(
                Problem(
                    "error",
                    "audio",
                    N_("only a dummy output ({what}): {name} found no usable sound card").format(
                        what=what, name=ctx.server.name
                    ),
                )
            )
        cards = [_with_nodes(c, ctx.server) for c in cards]
    if not final_ctl and not cards:
        notes.append(N_("no audio hardware found"))
    return AudioChain(
        tuple(final_ctl),
        tuple(cards),
        ctx.server,
        "" if ctx.server is not None else ctx.server_absent,
        tuple(problems),
        tuple(notes),
        ctx.source,
    )


def _card_no(d: Device) -> int:
    m = _CARD.match(d.sysname)
    return int(m[1]) if m else -1


def _replace_problems(c: Controller, problems: list[Problem]) -> Controller:
    return Controller(
        c.devpath, c.address, c.bus, c.name, c.driver, c.module, c.kind, c.firmware, c.firmware_note,
        c.peripherals, tuple(problems),
    )  # fmt: skip


def _controller(
    dev: Device,
    carrier: Device,
    by_path: Mapping[str, Device],
    children: Mapping[str, list[Device]],
    fw_by_dev: Mapping[str, DspFirmware],
    ctx: AudioContext,
) -> Controller:
    driver = carrier.driver or dev.driver
    kind = _kind(driver)
    address = _address(dev)
    problems: list[Problem] = []
    if driver is None:
        gpu_audio = dev.subsystem == "pci" and dev.sysname.endswith(".1") and "HDMI" in _name(dev).upper()
        sev = "warning" if gpu_audio else "error"
        problems.append(Problem(sev, address, N_("no driver bound: no sound from this device")))
    fw = fw_by_dev.get(address) or fw_by_dev.get(dev.sysname)
    note = ""
    if kind != "dsp":
        note = N_("no DSP firmware: ") + {
            "hda": N_("HD Audio codecs are driven directly"),
            "usb": N_("USB Audio Class needs none"),
            "acp": N_("AMD's ACP driver without SOF loads none"),
        }.get(kind, "none expected for this driver")
    elif ctx.log is None:
        note = N_("firmware unknown: {log_absent}").format(log_absent=ctx.log_absent)
    elif fw is None:
        note = N_("the kernel log names no firmware for this DSP (the log may have wrapped)")
    if fw is not None:
        for err in fw.firmware_errors[:2]:
            problems.append(Problem("error", address, N_("DSP firmware failed: {err}").format(err=err)))
        for err in fw.topology_errors[:2]:
            problems.append(Problem("error", address, N_("topology failed: {err}").format(err=err)))
    sdw = sorted(
        f"{d.sysname} ({d.driver or 'no driver'})"
        for d in by_path.values()
        if d.subsystem == "soundwire"
        and d.path.startswith(dev.path + "/")
        and d.properties.get("MODALIAS", "").startswith("sdw:")
    )
    return Controller(
        dev.path, address, dev.subsystem, _name(dev), driver, carrier.module or dev.module, kind, fw, note,
        tuple(sdw), tuple(problems),
    )  # fmt: skip


def _card(
    cd: Device,
    owner: tuple[Device | None, Device | None],
    by_path: Mapping[str, Device],
    children: Mapping[str, list[Device]],
    ctx: AudioContext,
) -> SoundCard:
    number = _card_no(cd)
    ctl, mid = owner
    alsa = ctx.alsa.card(number) if ctx.alsa is not None else None
    kids = children.get(cd.path, [])
    pcms = _pcms(number, kids, ctx.alsa)
    codecs = _codecs(number, kids, ctl, children, ctx.alsa)
    jacks = tuple(Jack(_input_name(k), k.path) for k in sorted(kids, key=lambda k: k.path) if k.subsystem == "input")
    machine = mid.driver if mid is not None and mid.devtype != "usb_interface" else None
    name = (alsa.name if alsa else None) or cd.attributes.get("id") or (_name(ctl) if ctl else cd.sysname)
    ucm = ctx.ucm.get(number) or UcmMatch("unknown", None, (), ctx.ucm_absent)
    card = SoundCard(
        number, cd.path, (alsa.id if alsa else None) or cd.attributes.get("id"), alsa.driver if alsa else None,
        str(name), alsa.long_name if alsa else None, ctl.path if ctl else None, machine, pcms, codecs, jacks, ucm,
    )  # fmt: skip
    problems: list[Problem] = []
    subject = f"card{number}"
    if not pcms:
        problems.append(Problem("info", subject, N_("no PCM devices: a mixer-only card (volume keys, a mute LED)")))
    if card.is_sof and ucm.status in ("none", "absent"):
        why = ucm.note or N_("alsa-lib looked for {tried}").format(tried=", ".join(ucm.tried[:2]) or "nothing")
        problems.append(
            Problem(
                "error",
                subject,
                N_(
                    "no UCM profile for this SOF card ({why}): the sound server cannot route speakers and "
                    "microphones; install or update alsa-ucm-conf"
                ).format(why=why),
            )
        )
    return _card_with(card, nodes=card.nodes, problems=tuple(problems))


def _card_with(c: SoundCard, *, nodes: tuple[ServerNode, ...], problems: tuple[Problem, ...]) -> SoundCard:
    return SoundCard(
        c.number, c.devpath, c.id, c.alsa_driver, c.name, c.long_name, c.controller, c.machine_driver, c.pcms,
        c.codecs, c.jacks, c.ucm, nodes, problems,
    )  # fmt: skip


def _with_nodes(c: SoundCard, server: SoundServer) -> SoundCard:
    nodes = tuple(n for n in server.audio_nodes() if n.card == c.number)
    problems = list(c.problems)
    if not nodes and c.pcms:
        problems.append(
            Problem("warning", f"card{c.number}", N_("{name} shows no node for this card").format(name=server.name))
        )
    return _card_with(c, nodes=nodes, problems=tuple(problems))


def _input_name(d: Device) -> str:
    # some dump writers escaped the quotes udev puts around NAME ("&quot;HDA Intel PCH Mic&quot;")
    return html.unescape(d.properties.get("NAME") or d.attributes.get("name") or d.sysname).strip('"')


def _pcms(number: int, kids: Sequence[Device], alsa: AlsaInfo | None) -> tuple[AlsaPcm, ...]:
    if alsa is not None and any(p.card == number for p in alsa.pcms):
        return tuple(p for p in alsa.pcms if p.card == number)
    found: dict[int, tuple[bool, bool]] = {}
    for k in kids:
        m = _PCM.match(k.sysname)
        if m:
            play, cap = found.get(int(m[2]), (False, False))
            found[int(m[2])] = (play or m[3] == "p", cap or m[3] == "c")
    return tuple(AlsaPcm(number, dev, f"pcm{dev}", "", p, c) for dev, (p, c) in sorted(found.items()))


def _codecs(
    number: int,
    kids: Sequence[Device],
    ctl: Device | None,
    children: Mapping[str, list[Device]],
    alsa: AlsaInfo | None,
) -> tuple[Codec, ...]:
    if alsa is not None and any(c.card == number for c in alsa.codecs):
        drivers = _codec_drivers(number, ctl, children)
        return tuple(Codec(c.address, c.name, drivers.get(c.address)) for c in alsa.codecs if c.card == number)
    out = []
    bus = _hdaudio(number, ctl, children)
    for k in kids:
        m = _CODEC.match(k.sysname)
        if m and k.sysname.startswith("hwC"):
            addr = int(m[1])
            vendor, chip = k.attributes.get("vendor_name", ""), k.attributes.get("chip_name", "")
            hd = bus.get(addr)
            name = f"{vendor} {chip}".strip() or _codec_name(hd, addr)
            out.append(Codec(addr, name, hd.driver if hd else None))
    return tuple(sorted(out, key=lambda c: c.address))


def _hdaudio(number: int, ctl: Device | None, children: Mapping[str, list[Device]]) -> dict[int, Device]:
    """hdaudioCnDm bus devices (siblings of the card under the controller): the codec and its driver."""
    out: dict[int, Device] = {}
    if ctl is None:
        return out
    stack = list(children.get(ctl.path, []))
    while stack:
        d = stack.pop()
        m = re.match(rf"^hdaudioC{number}D(\d+)$", d.sysname)
        if m:
            out[int(m[1])] = d
        if d.subsystem != "sound":
            stack.extend(children.get(d.path, []))
    return out


def _codec_drivers(number: int, ctl: Device | None, children: Mapping[str, list[Device]]) -> dict[int, str]:
    return {a: d.driver for a, d in _hdaudio(number, ctl, children).items() if d.driver}


def _codec_name(d: Device | None, address: int) -> str:
    """From the modalias (hdaudio:v10EC0256r00100002a01) where sysfs' chip_name is not recorded."""
    m = re.match(r"hdaudio:v([0-9A-F]{4})([0-9A-F]{4})", (d.modalias or "") if d else "", re.IGNORECASE)
    if m is None:
        return f"codec {address}"
    vendor = HDA_VENDORS.get(m[1].lower(), f"vendor {m[1].lower()}")
    return N_("{vendor} codec 0x{lower}{lower2}").format(vendor=vendor, lower=m[1].lower(), lower2=m[2].lower())
