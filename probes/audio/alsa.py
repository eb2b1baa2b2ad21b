"""ALSA as the kernel reports it: /proc/asound (cards, pcm, codec#N) and ``aplay -l`` / ``arecord -l`` text."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from hwinspector.probes.errors import ProbeUnavailable

# " 0 [PCH            ]: HDA-Intel - HDA Intel PCH"  (the long name follows on the next, indented line)
_CARD_LINE = re.compile(r"^\s*(\d+)\s+\[(.*?)\s*\]:\s+(\S+)\s+-\s+(.*?)\s*$")
# "00-03: HDMI 0 : HDMI 0 : playback 1 : capture 1"
_PCM_LINE = re.compile(r"^(\d+)-(\d+):\s*(.*?)\s*:\s*(.*?)\s*((?::\s*(?:playback|capture)\s+\d+\s*)+)$")
# "card 0: PCH [HDA Intel PCH], device 3: HDMI 0 [HDMI 0]"
_APLAY_LINE = re.compile(r"^card\s+(\d+):\s+(\S+)\s+\[(.*)\],\s+device\s+(\d+):\s+(.*?)\s+\[(.*)\]\s*$")
_CODEC_FIELD = re.compile(r"^(Codec|Vendor Id|Subsystem Id|Address):\s*(.*?)\s*$")
MAX_TEXT = 1 << 20


@dataclass(frozen=True, slots=True)
class AlsaCard:
    number: int
    id: str  # "PCH", "sofhdadsp": what hw:CARD=… takes
    driver: str  # ALSA's driver name: "HDA-Intel", "sof-hda-dsp", "USB-Audio" (UCM looks it up)
    name: str
    long_name: str


@dataclass(frozen=True, slots=True)
class AlsaPcm:
    card: int
    device: int
    id: str
    name: str
    playback: bool
    capture: bool


@dataclass(frozen=True, slots=True)
class HdaCodec:
    card: int
    address: int
    name: str  # "Realtek ALC3246"
    vendor_id: str | None  # "0x10ec0256"
    subsystem_id: str | None


@dataclass(frozen=True, slots=True)
class AlsaInfo:
    """What ALSA says about every card; ``origin`` names where it was read (/proc/asound, aplay -l, …)."""

    cards: tuple[AlsaCard, ...]
    pcms: tuple[AlsaPcm, ...]
    codecs: tuple[HdaCodec, ...]
    origin: str

    def card(self, number: int) -> AlsaCard | None:
        return next((c for c in self.cards if c.number == number), None)


def parse_cards(text: str) -> list[AlsaCard]:
    """/proc/asound/cards. "--- no soundcards ---" gives an empty list."""
    out: list[AlsaCard] = []
    lines = text.splitlines()
    for i, line in enumerate(lines):
        m = _CARD_LINE.match(line)
        if m is None:
            continue
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        long_name = nxt.strip() if nxt.startswith("  ") and not _CARD_LINE.match(nxt) else m[4]
        out.append(AlsaCard(int(m[1]), m[2], m[3], m[4], long_name))
    return out


def parse_pcm(text: str) -> list[AlsaPcm]:
    """/proc/asound/pcm."""
    out: list[AlsaPcm] = []
    for line in text.splitlines():
        m = _PCM_LINE.match(line.strip())
        if m is None:
            continue
        streams = m[5]
        out.append(AlsaPcm(int(m[1]), int(m[2]), m[3], m[4], "playback" in streams, "capture" in streams))
    return out


def parse_aplay(playback: str, capture: str = "") -> tuple[list[AlsaCard], list[AlsaPcm]]:
    """``aplay -l`` and ``arecord -l``: cards (without driver and long name) and their PCMs."""
    cards: dict[int, AlsaCard] = {}
    pcms: dict[tuple[int, int], AlsaPcm] = {}
    for text, is_play in ((playback, True), (capture, False)):
        for line in text.splitlines():
            m = _APLAY_LINE.match(line.strip())
            if m is None:
                continue
            card, dev = int(m[1]), int(m[4])
            cards.setdefault(card, AlsaCard(card, m[2], "", m[3], m[3]))
            old = pcms.get((card, dev))
            pcms[(card, dev)] = AlsaPcm(
                card,
                dev,
                m[5],
                m[6],
                is_play or (old is not None and old.playback),
                (not is_play) or (old is not None and old.capture),
            )
    return sorted(cards.values(), key=lambda c: c.number), sorted(pcms.values(), key=lambda p: (p.card, p.device))


def parse_codec(text: str, card: int) -> HdaCodec | None:
    """The head of /proc/asound/cardN/codec#M ("Codec:", "Address:", "Vendor Id:", "Subsystem Id:")."""
    fields: dict[str, str] = {}
    for line in text.splitlines()[:12]:
        m = _CODEC_FIELD.match(line)
        if m is not None:
            fields.setdefault(m[1], m[2])
    if "Codec" not in fields:
        return None
    try:
        address = int(fields.get("Address", "0"))
    except ValueError:
        address = 0
    return HdaCodec(card, address, fields["Codec"], fields.get("Vendor Id"), fields.get("Subsystem Id"))


def parse_codec_dump(text: str) -> list[HdaCodec]:
    """Our bundle's codec file: ``==> /proc/asound/card0/codec#0 <==`` headers (as ``head`` prints), then the text."""
    out: list[HdaCodec] = []
    for block in re.split(r"^==> ", text, flags=re.MULTILINE):
        head, _, body = block.partition("\n")
        m = re.search(r"card(\d+)/codec#\d+", head)
        if m is not None and (codec := parse_codec(body, int(m[1]))) is not None:
            out.append(codec)
    return out


def _read(path: Path) -> str:
    with path.open("rb") as f:
        return f.read(MAX_TEXT).decode("utf-8", "replace")


def read_alsa(procfs: Path = Path("/proc")) -> AlsaInfo:
    """The live /proc/asound; ProbeUnavailable where the kernel has no sound support at all."""
    base = procfs / "asound"
    try:
        cards = parse_cards(_read(base / "cards"))
    except OSError as exc:
        raise ProbeUnavailable(f"{base / 'cards'}: {exc.strerror or exc} (no ALSA in this kernel)") from None
    try:
        pcms = parse_pcm(_read(base / "pcm"))
    except OSError:
        pcms = []  # no PCM device registered yet: the file appears with the first one
    codecs: list[HdaCodec] = []
    for card in cards:
        for path in sorted((base / f"card{card.number}").glob("codec#*")):
            try:
                codec = parse_codec(_read(path), card.number)
            except OSError:
                continue  # a codec that went away, or EIO while the controller is runtime-suspended
            if codec is not None:
                codecs.append(codec)
    return AlsaInfo(tuple(cards), tuple(pcms), tuple(codecs), str(base))


def codec_dump_text(procfs: Path = Path("/proc")) -> bytes:
    """Every HDA codec file, concatenated as ``head`` prints several files (for bundles)."""
    parts = []
    for path in sorted((procfs / "asound").glob("card*/codec#*")):
        try:
            parts.append(f"==> {path} <==\n{_read(path)}")
        except OSError as exc:
            parts.append(f"==> {path} <==\n<{exc.strerror or exc}>\n")
    if not parts:
        raise ProbeUnavailable(f"no HDA codec under {procfs / 'asound'}")
    return "\n".join(parts).encode()
