"""CTA-861 extension block (tag 0x02): video and audio data blocks, HDMI VSDBs, HDR, colorimetry."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, ClassVar

from hwinspector.probes.graphics.edid.base import DetailedTiming, VideoMode, decode_dtd, jsonable

# CTA-861-H tables 3 and 4: VIC -> "WxH[i]/pixel clock kHz/H total/V total (frame)/picture aspect".
# The totals give the exact refresh (59.94 vs 60 Hz) that edid-decode prints for each VIC.
_VICS_1 = (  # noqa: SIM905 - a packed table reads better than 150 quoted items
    "640x480/25175/800/525/4:3 720x480/27000/858/525/4:3 720x480/27000/858/525/16:9 "
    "1280x720/74250/1650/750/16:9 1920x1080i/74250/2200/1125/16:9 1440x480i/27000/1716/525/4:3 "
    "1440x480i/27000/1716/525/16:9 1440x240/27000/1716/262/4:3 1440x240/27000/1716/262/16:9 "
    "2880x480i/54000/3432/525/4:3 2880x480i/54000/3432/525/16:9 2880x240/54000/3432/262/4:3 "
    "2880x240/54000/3432/262/16:9 1440x480/54000/1716/525/4:3 1440x480/54000/1716/525/16:9 "
    "1920x1080/148500/2200/1125/16:9 720x576/27000/864/625/4:3 720x576/27000/864/625/16:9 "
    "1280x720/74250/1980/750/16:9 1920x1080i/74250/2640/1125/16:9 1440x576i/27000/1728/625/4:3 "
    "1440x576i/27000/1728/625/16:9 1440x288/27000/1728/312/4:3 1440x288/27000/1728/312/16:9 "
    "2880x576i/54000/3456/625/4:3 2880x576i/54000/3456/625/16:9 2880x288/54000/3456/312/4:3 "
    "2880x288/54000/3456/312/16:9 1440x576/54000/1728/625/4:3 1440x576/54000/1728/625/16:9 "
    "1920x1080/148500/2640/1125/16:9 1920x1080/74250/2750/1125/16:9 1920x1080/74250/2640/1125/16:9 "
    "1920x1080/74250/2200/1125/16:9 2880x480/108000/3432/525/4:3 2880x480/108000/3432/525/16:9 "
    "2880x576/108000/3456/625/4:3 2880x576/108000/3456/625/16:9 1920x1080i/72000/2304/1250/16:9 "
    "1920x1080i/148500/2640/1125/16:9 1280x720/148500/1980/750/16:9 720x576/54000/864/625/4:3 "
    "720x576/54000/864/625/16:9 1440x576i/54000/1728/625/4:3 1440x576i/54000/1728/625/16:9 "
    "1920x1080i/148500/2200/1125/16:9 1280x720/148500/1650/750/16:9 720x480/54000/858/525/4:3 "
    "720x480/54000/858/525/16:9 1440x480i/54000/1716/525/4:3 1440x480i/54000/1716/525/16:9 "
    "720x576/108000/864/625/4:3 720x576/108000/864/625/16:9 1440x576i/108000/1728/625/4:3 "
    "1440x576i/108000/1728/625/16:9 720x480/108000/858/525/4:3 720x480/108000/858/525/16:9 "
    "1440x480i/108000/1716/525/4:3 1440x480i/108000/1716/525/16:9 1280x720/59400/3300/750/16:9 "
    "1280x720/74250/3960/750/16:9 1280x720/74250/3300/750/16:9 1920x1080/297000/2200/1125/16:9 "
    "1920x1080/297000/2640/1125/16:9 1280x720/59400/3300/750/64:27 1280x720/74250/3960/750/64:27 "
    "1280x720/74250/3300/750/64:27 1280x720/74250/1980/750/64:27 1280x720/74250/1650/750/64:27 "
    "1280x720/148500/1980/750/64:27 1280x720/148500/1650/750/64:27 1920x1080/74250/2750/1125/64:27 "
    "1920x1080/74250/2640/1125/64:27 1920x1080/74250/2200/1125/64:27 1920x1080/148500/2640/1125/64:27 "
    "1920x1080/148500/2200/1125/64:27 1920x1080/297000/2640/1125/64:27 1920x1080/297000/2200/1125/64:27 "
    "1680x720/59400/3300/750/64:27 1680x720/59400/3168/750/64:27 1680x720/59400/2640/750/64:27 "
    "1680x720/82500/2200/750/64:27 1680x720/99000/2200/750/64:27 1680x720/165000/2000/825/64:27 "
    "1680x720/198000/2000/825/64:27 2560x1080/99000/3750/1100/64:27 2560x1080/90000/3200/1125/64:27 "
    "2560x1080/118800/3520/1125/64:27 2560x1080/185625/3300/1125/64:27 2560x1080/198000/3000/1100/64:27 "
    "2560x1080/371250/2970/1250/64:27 2560x1080/495000/3300/1250/64:27 3840x2160/297000/5500/2250/16:9 "
    "3840x2160/297000/5280/2250/16:9 3840x2160/297000/4400/2250/16:9 3840x2160/594000/5280/2250/16:9 "
    "3840x2160/594000/4400/2250/16:9 4096x2160/297000/5500/2250/256:135 4096x2160/297000/5280/2250/256:135 "
    "4096x2160/297000/4400/2250/256:135 4096x2160/594000/5280/2250/256:135 "
    "4096x2160/594000/4400/2250/256:135 3840x2160/297000/5500/2250/64:27 3840x2160/297000/5280/2250/64:27 "
    "3840x2160/297000/4400/2250/64:27 3840x2160/594000/5280/2250/64:27 3840x2160/594000/4400/2250/64:27 "
    "1280x720/90000/2500/750/16:9 1280x720/90000/2500/750/64:27 1680x720/99000/2750/750/64:27 "
    "1920x1080/148500/2750/1125/16:9 1920x1080/148500/2750/1125/64:27 2560x1080/198000/3750/1100/64:27 "
    "3840x2160/594000/5500/2250/16:9 4096x2160/594000/5500/2250/256:135 3840x2160/594000/5500/2250/64:27 "
    "3840x2160/1188000/5280/2250/16:9 3840x2160/1188000/4400/2250/16:9 3840x2160/1188000/5280/2250/64:27 "
    "3840x2160/1188000/4400/2250/64:27 5120x2160/396000/7500/2200/64:27 5120x2160/396000/7200/2200/64:27 "
    "5120x2160/396000/6000/2200/64:27 5120x2160/742500/6250/2475/64:27 5120x2160/742500/6600/2250/64:27 "
    "5120x2160/742500/5500/2250/64:27 5120x2160/1485000/6600/2250/64:27"
).split()
_VICS_193 = (  # noqa: SIM905
    "5120x2160/1485000/5500/2250/64:27 7680x4320/1188000/11000/4500/16:9 7680x4320/1188000/10800/4400/16:9 "
    "7680x4320/1188000/9000/4400/16:9 7680x4320/2376000/11000/4500/16:9 7680x4320/2376000/10800/4400/16:9 "
    "7680x4320/2376000/9000/4400/16:9 7680x4320/4752000/10560/4500/16:9 7680x4320/4752000/8800/4500/16:9 "
    "7680x4320/1188000/11000/4500/64:27 7680x4320/1188000/10800/4400/64:27 "
    "7680x4320/1188000/9000/4400/64:27 7680x4320/2376000/11000/4500/64:27 "
    "7680x4320/2376000/10800/4400/64:27 7680x4320/2376000/9000/4400/64:27 "
    "7680x4320/4752000/10560/4500/64:27 7680x4320/4752000/8800/4500/64:27 "
    "10240x4320/1485000/12500/4950/64:27 10240x4320/1485000/13500/4400/64:27 "
    "10240x4320/1485000/11000/4500/64:27 10240x4320/2970000/12500/4950/64:27 "
    "10240x4320/2970000/13500/4400/64:27 10240x4320/2970000/11000/4500/64:27 "
    "10240x4320/5940000/13200/4500/64:27 10240x4320/5940000/11000/4500/64:27 "
    "4096x2160/1188000/5280/2250/256:135 4096x2160/1188000/4400/2250/256:135"
).split()

_AUDIO_FORMATS = (
    None,
    "Linear PCM",
    "AC-3",
    "MPEG 1 (Layers 1 & 2)",
    "MPEG 1 Layer 3 (MP3)",
    "MPEG2 (multichannel)",
    "AAC LC",
    "DTS",
    "ATRAC",
    "One Bit Audio",
    "Enhanced AC-3 (DD+)",
    "DTS-HD",
    "MAT (MLP)",
    "DST",
    "WMA Pro",
)
_AUDIO_EXT_FORMATS = {
    4: "MPEG-4 HE AAC",
    5: "MPEG-4 HE AAC v2",
    6: "MPEG-4 AAC LC",
    7: "DRA",
    8: "MPEG-4 HE AAC + MPEG Surround",
    10: "MPEG-4 AAC LC + MPEG Surround",
    11: "MPEG-H 3D Audio",
    12: "AC-4",
    13: "L-PCM 3D Audio",
}
_SAMPLE_RATES = tuple(
    zip((0x40, 0x20, 0x10, 0x08, 0x04, 0x02, 0x01), (192.0, 176.4, 96.0, 88.2, 48.0, 44.1, 32.0), strict=True)
)
# Speaker Allocation Data Block bits (CTA-861-H table 76), bit 0 first.
_SPEAKERS = (  # noqa: SIM905 - a packed table reads better than 21 quoted items
    "FL/FR LFE1 FC BL/BR BC FLc/FRc RLC/RRC FLw/FRw TpFL/TpFR TpC TpFC LS/RS LFE2 TpBC SiL/SiR TpSiL/TpSiR "
    "TpBL/TpBR BtFC BtFL/BtFR TpLS/TpRS LSd/RSd"
).split()
_COLORIMETRY = "xvYCC601 xvYCC709 sYCC601 opYCC601 opRGB BT2020cYCC BT2020YCC BT2020RGB".split()  # noqa: SIM905
_EOTFS = (
    "Traditional gamma - SDR luminance range",
    "Traditional gamma - HDR luminance range",
    "SMPTE ST2084",
    "Hybrid Log-Gamma",
)
OUI_NAMES = {
    0x00001A: "AMD",
    0x000C03: "HDMI",
    0x00044B: "NVIDIA",
    0x000C6E: "ASUS",
    0x0010FA: "Apple",
    0x0014B9: "MSTAR",
    0x00D046: "Dolby",
    0x00E047: "InFocus",
    0x3A0292: "VESA",
    0x90848B: "HDR10+",
    0xC45DD8: "HDMI Forum",
    0xCA125C: "Microsoft",
}
_EXT_TAGS = {
    0x00: "Video Capability Data Block",
    0x02: "VESA Video Display Device Data Block",
    0x03: "VESA Video Timing Block Extension",
    0x05: "Colorimetry Data Block",
    0x06: "HDR Static Metadata Data Block",
    0x07: "HDR Dynamic Metadata Data Block",
    0x0D: "Video Format Preference Data Block",
    0x0E: "YCbCr 4:2:0 Video Data Block",
    0x0F: "YCbCr 4:2:0 Capability Map Data Block",
    0x12: "HDMI Audio Data Block",
    0x13: "Room Configuration Data Block",
    0x14: "Speaker Location Data Block",
    0x20: "InfoFrame Data Block",
    0x34: "DisplayID Type VII Video Timing Data Block",
    0x35: "DisplayID Type VIII Video Timing Data Block",
    0x42: "DisplayID Type X Video Timing Data Block",
    0x78: "HDMI Forum EDID Extension Override Data Block",
    0x79: "HDMI Forum Sink Capability Data Block",
}


def vic_mode(vic: int) -> VideoMode | None:
    """The timing a Video Identification Code stands for, or None for a reserved code."""
    if 1 <= vic <= len(_VICS_1):
        entry = _VICS_1[vic - 1]
    elif 193 <= vic < 193 + len(_VICS_193):
        entry = _VICS_193[vic - 193]
    else:
        return None
    size, clock, h_total, v_total, aspect = entry.split("/")
    interlaced = size.endswith("i")
    w, h = size.rstrip("i").split("x")
    lines = int(v_total) / 2 if interlaced else int(v_total)
    refresh = int(clock) * 1000 / (int(h_total) * lines)
    return VideoMode(int(w), int(h), refresh, interlaced, f"VIC {vic}", aspect)


@dataclass(frozen=True, slots=True)
class Svd:
    """A Short Video Descriptor: a VIC, flagged native when the display says so."""

    vic: int
    native: bool
    mode: VideoMode | None


@dataclass(frozen=True, slots=True)
class AudioFormat:
    format: str
    max_channels: int
    sample_rates_khz: tuple[float, ...]
    bit_depths: tuple[int, ...] = ()
    max_bitrate_kbps: int | None = None


@dataclass(frozen=True, slots=True)
class HdmiVsdb:
    """HDMI 1.x Vendor-Specific Data Block (OUI 00-0C-03)."""

    physical_address: str
    max_tmds_mhz: int | None
    deep_color: tuple[str, ...]
    supports_ai: bool
    dvi_dual: bool
    hdmi_vics: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class HdmiForumVsdb:
    """HDMI Forum VSDB (OUI C4-5D-D8) or Sink Capability Data Block: HDMI 2.x capabilities."""

    version: int
    max_tmds_character_rate_mhz: int | None
    scdc_present: bool
    max_frl_rate: int
    deep_color_420: tuple[int, ...]
    allm: bool
    vrr_min_hz: int | None
    vrr_max_hz: int | None
    dsc: bool


@dataclass(frozen=True, slots=True)
class HdrStaticMetadata:
    eotfs: tuple[str, ...]
    metadata_types: tuple[int, ...]
    max_luminance_cd_m2: float | None
    max_frame_avg_luminance_cd_m2: float | None
    min_luminance_cd_m2: float | None


@dataclass(frozen=True, slots=True)
class CtaExtension:
    block: int
    checksum_ok: bool
    revision: int
    underscan: bool
    basic_audio: bool
    ycbcr444: bool
    ycbcr422: bool
    native_dtds: int
    data_blocks: tuple[str, ...]
    vics: tuple[Svd, ...]
    ycbcr420_vics: tuple[int, ...]
    ycbcr420_capability_vics: tuple[int, ...]
    audio: tuple[AudioFormat, ...]
    speakers: tuple[str, ...]
    colorimetry: tuple[str, ...]
    hdmi: HdmiVsdb | None
    hdmi_forum: HdmiForumVsdb | None
    hdr_static_metadata: HdrStaticMetadata | None
    freesync_hz: tuple[int, int] | None
    detailed_timings: tuple[DetailedTiming, ...]
    errors: tuple[str, ...]

    tag: ClassVar[str] = "CTA-861"

    def to_json(self) -> dict[str, Any]:
        return {"tag": self.tag, **{f.name: jsonable(getattr(self, f.name)) for f in fields(self)}}


def _svds(payload: bytes) -> list[Svd]:
    out = []
    for svd in payload:
        if svd & 0x7F == 0:
            continue  # 0 and 128 are reserved
        # CTA-861-F 7.2.3: bit 7 means "native" only for VICs 1-64; 65-127 and 193-255 are plain VICs.
        vic, native = (svd, False) if (svd - 1) & 0x40 else (svd & 0x7F, bool(svd & 0x80))
        out.append(Svd(vic, native, vic_mode(vic)))
    return out


def _audio(payload: bytes) -> list[AudioFormat]:
    out = []
    for i in range(0, len(payload) - 2, 3):
        b0, b1, b2 = payload[i : i + 3]
        code = b0 >> 3 & 0x0F
        rates = tuple(r for bit, r in _SAMPLE_RATES if b1 & bit)
        if code == 0:
            continue
        if code == 15:
            ext = b2 >> 3
            name = _AUDIO_EXT_FORMATS.get(ext, f"Unknown Audio Ext Format (0x{ext:02x})")
            out.append(AudioFormat(name, (b0 & 7) + 1, rates))
        elif code == 1:
            depths = tuple(d for bit, d in ((4, 24), (2, 20), (1, 16)) if b2 & bit)
            out.append(AudioFormat(_AUDIO_FORMATS[1] or "", (b0 & 7) + 1, rates, depths))
        else:
            rate = b2 * 8 if code <= 8 else None
            out.append(AudioFormat(_AUDIO_FORMATS[code] or "", (b0 & 7) + 1, rates, (), rate))
    return out


def _hdmi(b: bytes) -> HdmiVsdb:
    # b starts at the block header: OUI at 1-3, physical address at 4-5 (HDMI 1.4b section 8.3.2).
    flags = b[6] if len(b) > 6 else 0
    deep = tuple(
        n for bit, n in ((0x40, "DC_48bit"), (0x20, "DC_36bit"), (0x10, "DC_30bit"), (0x08, "DC_Y444")) if flags & bit
    )
    vics: list[int] = []
    if len(b) > 8 and b[8] & 0x20:  # HDMI_Video_present: skip the optional latency fields
        pos = 9 + (2 if b[8] & 0x80 else 0) + (2 if b[8] & 0xC0 == 0xC0 else 0)
        if pos + 1 < len(b):
            n_vic = b[pos + 1] >> 5
            vics = list(b[pos + 2 : pos + 2 + n_vic])
    addr = ".".join(str(v) for v in (b[4] >> 4, b[4] & 15, b[5] >> 4, b[5] & 15)) if len(b) > 5 else "?"
    return HdmiVsdb(
        addr,
        b[7] * 5 if len(b) > 7 else None,
        deep,
        bool(flags & 0x80),
        bool(flags & 0x01),
        tuple(vics),
    )


def _hdmi_forum(b: bytes) -> HdmiForumVsdb:
    # b starts at the block header; the capability bytes start at 4 for both the VSDB and the SCDB.
    x = b[4:] + bytes(max(0, 14 - len(b)))
    return HdmiForumVsdb(
        version=x[0],
        max_tmds_character_rate_mhz=x[1] * 5 or None,
        scdc_present=bool(x[2] & 0x80),
        max_frl_rate=x[3] >> 4,
        deep_color_420=tuple(d for bit, d in ((4, 16), (2, 12), (1, 10)) if x[3] & bit),
        allm=bool(x[4] & 0x02),
        vrr_min_hz=(x[5] & 0x3F) if len(b) > 9 else None,
        vrr_max_hz=((x[5] & 0xC0) << 2 | x[6]) if len(b) > 10 else None,
        dsc=bool(x[7] & 0x80) if len(b) > 11 else False,
    )


def _hdr_static(p: bytes) -> HdrStaticMetadata:
    eotfs = tuple(_EOTFS[i] if i < len(_EOTFS) else f"Unknown ({i})" for i in range(6) if p[0] & (1 << i))
    types = tuple(i + 1 for i in range(8) if len(p) > 1 and p[1] & (1 << i))
    # CTA-861-H 7.5.13: luminance = 50 * 2^(CV/32); the minimum scales the maximum by (CV/255)^2/100.
    mx = round(50 * 2 ** (p[2] / 32), 3) if len(p) > 2 else None
    avg = round(50 * 2 ** (p[3] / 32), 3) if len(p) > 3 else None
    mn = round(50 * 2 ** (p[2] / 32) * (p[4] / 255) ** 2 / 100, 4) if len(p) > 4 else None
    return HdrStaticMetadata(eotfs, types, mx, avg, mn)


def oui_name(b: bytes) -> tuple[int, str]:
    oui = b[2] << 16 | b[1] << 8 | b[0]
    rev = b[0] << 16 | b[1] << 8 | b[2]
    return oui, OUI_NAMES.get(oui) or OUI_NAMES.get(rev, "")


class CtaDataBlocks:
    """Accumulates what a run of CTA-861 data blocks says (used by CTA blocks and DisplayID 0x81)."""

    def __init__(self, block: int) -> None:
        self.block = block
        self.names: list[str] = []
        self.errors: list[str] = []
        self.svds: list[Svd] = []
        self.y420: list[int] = []
        self.y420_map: bytes | None = None
        self.audio: list[AudioFormat] = []
        self.speakers: tuple[str, ...] = ()
        self.colorimetry: tuple[str, ...] = ()
        self.hdmi: HdmiVsdb | None = None
        self.hdmi_forum: HdmiForumVsdb | None = None
        self.hdr: HdrStaticMetadata | None = None
        self.freesync: tuple[int, int] | None = None

    def feed(self, buf: bytes, base: int = 0) -> None:
        """Decode the data blocks packed in ``buf`` (``base`` is its byte offset, for messages)."""
        pos = 0
        while pos < len(buf):
            kind, length = buf[pos] >> 5, buf[pos] & 0x1F
            if pos + 1 + length > len(buf):
                # Decode what is there, as edid-decode does, but say the block is cut short.
                self.errors.append(
                    f"block {self.block}: CTA-861 data block at byte {base + pos} overruns its collection"
                )
            self._one(kind, buf[pos : pos + 1 + length])
            pos += 1 + length

    def _one(self, kind: int, b: bytes) -> None:
        p, length = b[1:], len(b) - 1
        if kind == 1:
            self.names.append("Audio Data Block")
            self.audio += _audio(p)
        elif kind == 2:
            self.names.append("Video Data Block")
            self.svds += _svds(p)
        elif kind == 3 and length >= 3:
            oui, vendor = oui_name(p)
            self.names.append(_vendor_block_name("", oui, vendor))
            if oui == 0x000C03:
                self.hdmi = _hdmi(b)
            elif oui == 0xC45DD8 and length >= 6:
                self.hdmi_forum = _hdmi_forum(b)
            elif oui == 0x00001A and length >= 7:
                self.freesync = (p[5], p[6])
        elif kind == 4:
            self.names.append("Speaker Allocation Data Block")
            mask = int.from_bytes(p[:3], "little")
            self.speakers = tuple(s for i, s in enumerate(_SPEAKERS) if mask & (1 << i))
        elif kind == 5:
            self.names.append("VESA Display Transfer Characteristics Data Block")
        elif kind == 7 and length >= 1:
            self._extended(p[0], b)
        else:
            self.names.append(f"Unknown CTA-861 Data Block (tag {kind}, length {length})")

    def _extended(self, ext: int, b: bytes) -> None:
        p, length = b[2:], len(b) - 1
        if ext in (0x01, 0x11) and length >= 4:
            oui, vendor = oui_name(p[:3])
            self.names.append(_vendor_block_name("Video " if ext == 1 else "Audio ", oui, vendor))
            return
        self.names.append(_EXT_TAGS.get(ext, f"Unknown CTA-861 Data Block (extended tag 0x{ext:02x})"))
        if ext == 0x05 and length >= 3:
            # CTA-861-H table 78: byte 4 has MD0-MD3 (reserved metadata profiles), ICtCp, ST2113RGB.
            more = [f"Reserved MD{i}" for i in range(4) if p[1] & (1 << i)]
            more += [n for bit, n in ((0x40, "ICtCp"), (0x80, "ST2113RGB")) if p[1] & bit]
            self.colorimetry = tuple(n for i, n in enumerate(_COLORIMETRY) if p[0] & (1 << i)) + tuple(more)
        elif ext == 0x06 and length >= 3:
            self.hdr = _hdr_static(p)
        elif ext == 0x0E:
            self.y420 += [s.vic for s in _svds(p)]
        elif ext == 0x0F:
            self.y420_map = p
        elif ext == 0x79 and length >= 4:
            self.hdmi_forum = _hdmi_forum(b)

    def capability_map_vics(self) -> list[int]:
        if self.y420_map is None:
            return []
        m = self.y420_map
        # An empty map means every SVD of the Video Data Block also supports YCbCr 4:2:0.
        return [s.vic for i, s in enumerate(self.svds) if not m or (i // 8 < len(m) and m[i // 8] & 1 << i % 8)]


def _vendor_block_name(kind: str, oui: int, vendor: str) -> str:
    if vendor:
        return f"Vendor-Specific {kind}Data Block ({vendor})"
    return f"Vendor-Specific {kind}Data Block, OUI {oui >> 16:02X}-{oui >> 8 & 255:02X}-{oui & 255:02X}"


def decode_cta_block(x: bytes, block: int, checksum_ok: bool) -> CtaExtension:
    """Decode one 128-byte CTA-861 extension block."""
    rev, offset, flags = x[1], x[2], x[3]
    c = CtaDataBlocks(block)
    if offset and (offset < 4 or offset > 127):
        c.errors.append(f"block {block}: CTA-861 DTD offset {offset} is invalid")
        offset = 0
    if rev >= 3 and offset > 4:
        c.feed(x[4:offset], 4)
    dtds: list[DetailedTiming] = []
    if offset >= 4:
        for start in range(offset, 127 - 17, 18):
            d = x[start : start + 18]
            if d == bytes(18):
                break
            if d[0] or d[1]:
                t = decode_dtd(d)
                if t is None:
                    c.errors.append(f"block {block}: CTA-861 DTD at byte {start}: pixel clock below 10 MHz")
                else:
                    dtds.append(t)
    return CtaExtension(
        block=block,
        checksum_ok=checksum_ok,
        revision=rev,
        underscan=rev >= 2 and bool(flags & 0x80),
        basic_audio=rev >= 2 and bool(flags & 0x40),
        ycbcr444=rev >= 2 and bool(flags & 0x20),
        ycbcr422=rev >= 2 and bool(flags & 0x10),
        native_dtds=flags & 0x0F if rev >= 2 else 0,
        data_blocks=tuple(c.names),
        vics=tuple(c.svds),
        ycbcr420_vics=tuple(c.y420),
        ycbcr420_capability_vics=tuple(c.capability_map_vics()),
        audio=tuple(c.audio),
        speakers=c.speakers,
        colorimetry=c.colorimetry,
        hdmi=c.hdmi,
        hdmi_forum=c.hdmi_forum,
        hdr_static_metadata=c.hdr,
        freesync_hz=c.freesync,
        detailed_timings=tuple(dtds),
        errors=tuple(c.errors),
    )
