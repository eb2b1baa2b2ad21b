"""The Audio page's picture: one lane per sound card (and per controller without one), as linked boxes."""

from __future__ import annotations

from hwinspector.i18n import N_, _, ngettext
from hwinspector.models.av_common import box, issues_of
from hwinspector.models.graphics_elements import ChainElement, ChainPicture, Lane
from hwinspector.probes.audio.chain import AudioChain, Controller, Problem, SoundCard

COL_DEVICE, COL_DRIVER, COL_FIRMWARE, COL_CARD, COL_UCM, COL_SERVER = range(6)
_BUS = {"pci": N_("PCI device"), "usb": N_("USB device"), "platform": N_("Platform device"), "acpi": N_("ACPI device")}
_KIND = {
    "hda": N_("HD Audio controller"),
    "dsp": N_("audio DSP"),
    "acp": N_("AMD audio coprocessor"),
    "usb": N_("USB Audio Class"),
    "other": "",
}


def _controller_boxes(c: Controller, lane: str, link_to: str | None) -> list[ChainElement]:
    drv_problems = [p for p in c.problems if not p.detail.startswith(("DSP firmware", "topology"))]
    fw_problems = [p for p in c.problems if p.detail.startswith(("DSP firmware", "topology"))]
    rows = [
        (_("Name"), c.name), (_("Address"), c.address), (_("Bus"), c.bus or "?"), (_("Kind"),
                                                                                   _(_KIND.get(c.kind) or c.kind)),
        (_("Driver"), c.driver or _("none")), (_("Module"), c.module or _("not recorded")), (_("Device path"),
                                                                                             c.devpath),
    ]  # fmt: skip
    if c.kind != "dsp":
        rows.append((_("Firmware"), c.firmware_note))
    device = box(
        f"{lane}:dev", "device", _(_BUS.get(c.bus or "", N_("Device"))), c.name, [c.address, _(_KIND.get(c.kind, ""))],
        COL_DEVICE, links=[f"{lane}:drv"], rows=rows, devpath=c.devpath,
    )  # fmt: skip
    drv_lines = [f"module {c.module}" if c.module and c.module != c.driver else ""]
    if c.peripherals:
        drv_lines.append(
            ngettext("SoundWire: {n} peripheral", "SoundWire: {n} peripherals", len(c.peripherals)).format(
                n=len(c.peripherals)
            )
        )
    drv_rows = [(_("Driver"), c.driver or _("none")), (_("Module"), c.module or _("not recorded"))]
    drv_rows += [("SoundWire", p) for p in c.peripherals]
    nxt = f"{lane}:fw" if c.kind == "dsp" else link_to
    driver = box(
        f"{lane}:drv", "driver", _("Kernel driver"), c.driver or _("no driver"), drv_lines, COL_DRIVER,
        links=[nxt] if nxt else [], problems=drv_problems, rows=drv_rows,
    )  # fmt: skip
    out = [device, driver]
    if c.kind == "dsp":
        fw = c.firmware
        if fw is not None:
            title = (fw.firmware_file or _("file not logged")).rsplit("/", 1)[-1]
            lines = [f"version {fw.version}" if fw.version else "", f"topology {fw.topology_file or '?'}"]
            rows = [
                (_("Firmware file"), fw.firmware_file or _("not logged")),
                (_("Version"), fw.version or _("not logged")),
                ("ABI", fw.abi or "?"),
                (_("Topology"), fw.topology_file or _("not logged")),
                (_("Topology ABI"), fw.topology_abi or "?"),
                *((_("Card error"), e) for e in fw.card_errors),
            ]
            out.append(box(f"{lane}:fw", "firmware", _("DSP firmware"), title, lines, COL_FIRMWARE,
                           links=[link_to] if link_to else [], problems=fw_problems, rows=rows))  # fmt: skip
        else:
            out.append(box(f"{lane}:fw", "firmware", _("DSP firmware"), _("not known"), [c.firmware_note], COL_FIRMWARE,
                           links=[link_to] if link_to else [], problems=fw_problems, quiet="info"))  # fmt: skip
    return out


def _card_boxes(card: SoundCard, lane: str, chain: AudioChain) -> list[ChainElement]:
    n = card.number
    ucm_problems = [p for p in card.problems if "UCM" in p.detail]
    srv_problems = [p for p in card.problems if "shows no node" in p.detail]
    card_problems = [p for p in card.problems if p not in ucm_problems and p not in srv_problems]
    title = f"card{n}" + (f" · {card.id}" if card.id else "")
    lines = [
        card.name,
        ngettext(
            "{playback} playback, {capture} capture PCM", "{playback} playback, {capture} capture PCMs", card.capture
        ).format(playback=card.playback, capture=card.capture),
        ", ".join(c.name for c in card.codecs) if card.codecs else "",
        ngettext("{n} jack", "{n} jacks", len(card.jacks)).format(n=len(card.jacks)) if card.jacks else "",
    ]
    rows: list[tuple[str, str]] = [
        (_("Number"), str(n)), (_("ALSA id"), card.id or _("not recorded")), (_("ALSA driver"),
                                                                              card.alsa_driver or _("not recorded")),
        (_("Name"), card.name), (_("Long name"), card.long_name or _("not recorded")),
        (_("Machine driver"), card.machine_driver or _("none")),
    ]  # fmt: skip
    rows += [(f"PCM {p.device}", f"{p.id} ({'playback' if p.playback else ''}{' ' if p.playback and p.capture else ''}"
              f"{'capture' if p.capture else ''})") for p in card.pcms]  # fmt: skip
    rows += [
        (_("Codec {address}").format(address=c.address), c.name + (f" ({c.driver})" if c.driver else ""))
        for c in card.codecs
    ]
    rows += [(_("Jack"), j.name) for j in card.jacks]
    out = [box(f"{lane}:card", "card", _("ALSA card"), title, lines, COL_CARD, links=[f"{lane}:ucm"],
               problems=card_problems, rows=rows, devpath=card.devpath)]  # fmt: skip
    u = card.ucm
    if u.status == "found" and u.path:
        rel = u.path.split("/ucm2/", 1)[-1]
        out.append(box(f"{lane}:ucm", "ucm", _("UCM profile"), rel, [u.note], COL_UCM, links=[f"{lane}:srv"],
                       rows=[(_("File"), u.path), *((_("Tried"), t) for t in u.tried), (_("Note"),
                                                                                        u.note)]))  # fmt: skip
    else:
        title = {"none": "none", "absent": _("alsa-ucm-conf missing")}.get(u.status, "not recorded")
        why = _("the sound server uses its own profiles") if u.status == "none" and not ucm_problems else u.note
        out.append(box(f"{lane}:ucm", "ucm", _("UCM profile"), title, [why], COL_UCM, links=[f"{lane}:srv"],
                       problems=ucm_problems, rows=[*((_("Tried"), t) for t in u.tried), (_("Note"), u.note)],
                       quiet="na" if u.status == "unknown" else "ok"))  # fmt: skip
    out.append(_server_box(card, lane, chain, srv_problems))
    return out


def _server_box(card: SoundCard, lane: str, chain: AudioChain, problems: list[Problem]) -> ChainElement:
    s = chain.server
    if s is None:
        return box(
            f"{lane}:srv", "server", _("Sound server"), _("not read"), [chain.server_note], COL_SERVER, quiet="na"
        )
    sinks = [x for x in card.nodes if x.media_class == "Audio/Sink"]
    sources = [x for x in card.nodes if x.media_class == "Audio/Source"]
    default = next((x for x in card.nodes if x.is_default), None)
    shown = default or next(iter(sinks + sources), None)
    title = shown.description if shown is not None else _("no node")
    lines = [
        ngettext("{n} output", "{n} outputs", len(sinks)).format(n=len(sinks))
        + ", "
        + ngettext("{n} input", "{n} inputs", len(sources)).format(n=len(sources))
    ]
    lines += [
        _("default {value}: {description}").format(
            value="output" if x.media_class == "Audio/Sink" else "input", description=x.description
        )
        for x in card.nodes
        if x.is_default
    ]
    rows = [(x.media_class + (" (default)" if x.is_default else ""), f"{x.description} [{x.name}]") for x in card.nodes]
    return box(f"{lane}:srv", "server", s.name, title, lines, COL_SERVER, problems=problems, rows=rows)


def audio_picture(chain: AudioChain, label: str) -> ChainPicture:
    lanes: list[Lane] = []
    placed: set[str] = set()
    for card in chain.cards:
        lane = f"card{card.number}"
        c = chain.controller(card.controller)
        elements: list[ChainElement] = []
        if c is not None:
            elements += _controller_boxes(c, lane, f"{lane}:card")
            placed.add(c.devpath)
        elements += _card_boxes(card, lane, chain)
        sub = " · ".join(x for x in (c.driver if c else None, card.alsa_driver) if x)
        lanes.append(Lane(lane, f"card{card.number}: {card.name}", sub, tuple(elements)))
    for c in chain.controllers:
        if c.devpath not in placed:
            lane = f"ctl:{c.address}"
            lanes.append(Lane(lane, _("{name} (no sound card)").format(name=c.name), c.driver or _("no driver"),
                              tuple(_controller_boxes(c, lane, None))))  # fmt: skip
    issues = issues_of(lanes, chain.problems, [*chain.notes, *([chain.server_note] if chain.server_note else [])])
    return ChainPicture(tuple(lanes), issues, _summary(chain, label))


def _summary(chain: AudioChain, label: str) -> str:
    n = len(chain.cards)
    parts = [ngettext("{n} sound card", "{n} sound cards", n).format(n=n) if n else _("No sound card")]
    if chain.server is not None:
        parts.append(chain.server.name)
        sink = next((x for x in chain.server.nodes if x.is_default and x.media_class == "Audio/Sink"), None)
        if sink is not None:
            parts.append(f"output: {sink.description}")
    if chain.source != "live":
        parts.append(f"from {label}")
    return " · ".join(parts)
