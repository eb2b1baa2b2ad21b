"""EDID base block (block 0): identification, display parameters, timings and descriptors."""

from __future__ import annotations

from dataclasses import dataclass, fields, is_dataclass
from typing import Any

BLOCK_SIZE = 128
HEADER = bytes.fromhex("00ffffffffffff00")

# Established Timings I & II (bytes 0x23-0x25, most significant bit first), VESA E-EDID 1.4 table 3.18.
_ESTABLISHED_1_2 = (
    (720, 400, 70.0, False, "IBM"),
    (720, 400, 88.0, False, "IBM"),
    (640, 480, 60.0, False, "DMT 0x04"),
    (640, 480, 67.0, False, "Apple"),
    (640, 480, 72.0, False, "DMT 0x05"),
    (640, 480, 75.0, False, "DMT 0x06"),
    (800, 600, 56.0, False, "DMT 0x08"),
    (800, 600, 60.0, False, "DMT 0x09"),
    (800, 600, 72.0, False, "DMT 0x0a"),
    (800, 600, 75.0, False, "DMT 0x0b"),
    (832, 624, 75.0, False, "Apple"),
    (1024, 768, 87.0, True, "DMT 0x0f"),
    (1024, 768, 60.0, False, "DMT 0x10"),
    (1024, 768, 70.0, False, "DMT 0x11"),
    (1024, 768, 75.0, False, "DMT 0x12"),
    (1280, 1024, 75.0, False, "DMT 0x24"),
    (1152, 870, 75.0, False, "Apple"),
)
# Established Timings III descriptor (tag 0xF7), E-EDID 1.4 table 3.29; "R" marks reduced blanking.
_ESTABLISHED_3 = (  # noqa: SIM905 - a packed table reads better than 44 quoted items
    "640x350@85 640x400@85 720x400@85 640x480@85 848x480@60 800x600@85 1024x768@85 1152x864@75 "
    "1280x768@60R 1280x768@60 1280x768@75 1280x768@85 1280x960@60 1280x960@85 1280x1024@60 1280x1024@85 "
    "1360x768@60 1440x900@60R 1440x900@60 1440x900@75 1440x900@85 1400x1050@60R 1400x1050@60 "
    "1400x1050@75 1400x1050@85 1680x1050@60R 1680x1050@60 1680x1050@75 1680x1050@85 1600x1200@60 "
    "1600x1200@65 1600x1200@70 1600x1200@75 1600x1200@85 1792x1344@60 1792x1344@75 1856x1392@60 "
    "1856x1392@75 1920x1200@60R 1920x1200@60 1920x1200@75 1920x1200@85 1920x1440@60 1920x1440@75"
).split()


def jsonable(value: Any) -> Any:
    """Plain JSON types from nested probe dataclasses (their own ``to_json`` wins), tuples as lists."""
    if hasattr(value, "to_json"):
        return value.to_json()
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, (tuple, list)):
        return [jsonable(v) for v in value]
    return value


_INTERFACES = {0: None, 1: "DVI", 2: "HDMI-a", 3: "HDMI-b", 4: "MDDI", 5: "DisplayPort"}
_ANALOG_LEVELS = ("0.7/0.3", "0.714/0.286", "1.0/0.4", "0.7/0.0")
_COLOR_TYPES = ("Monochrome or grayscale", "RGB color", "Non-RGB color", "Undefined")
_RANGE_KINDS = {0: "GTF", 1: "Bare Limits", 2: "Secondary GTF", 4: "CVT"}
_DESCRIPTOR_NAMES = {
    0x10: "Dummy",
    0xF7: "Established Timings III",
    0xF8: "CVT 3 Byte Timing Codes",
    0xF9: "Display Color Management",
    0xFA: "Standard Timing Identifications",
    0xFB: "Color Point",
    0xFC: "Display Product Name",
    0xFD: "Display Range Limits",
    0xFE: "Alphanumeric Data String",
    0xFF: "Display Product Serial Number",
}


@dataclass(frozen=True, slots=True)
class DetailedTiming:
    """One detailed timing (EDID DTD, or a DisplayID type I/VII timing); height is the frame height."""

    width: int
    height: int
    pixel_clock_khz: int
    h_front_porch: int
    h_sync: int
    h_back_porch: int
    v_front_porch: int
    v_sync: int
    v_back_porch: int
    interlaced: bool = False
    h_border: int = 0
    v_border: int = 0
    width_mm: int = 0
    height_mm: int = 0
    hsync_positive: bool | None = None
    vsync_positive: bool | None = None
    preferred: bool = False

    @property
    def refresh_hz(self) -> float:
        """Field rate (an interlaced frame has half a line extra); borders count as blanking."""
        h_total = self.width + self.h_front_porch + self.h_sync + self.h_back_porch + 2 * self.h_border
        v_blank = self.v_front_porch + self.v_sync + self.v_back_porch + 2 * self.v_border
        v_total = self.height / 2 + v_blank + 0.5 if self.interlaced else self.height + v_blank
        if h_total <= 0 or v_total <= 0:
            return 0.0
        return self.pixel_clock_khz * 1000.0 / (h_total * v_total)

    def to_json(self) -> dict[str, Any]:
        return {
            "width": self.width,
            "height": self.height,
            "refresh_hz": round(self.refresh_hz, 3),
            "pixel_clock_khz": self.pixel_clock_khz,
            "interlaced": self.interlaced,
            "h_front_porch": self.h_front_porch,
            "h_sync": self.h_sync,
            "h_back_porch": self.h_back_porch,
            "v_front_porch": self.v_front_porch,
            "v_sync": self.v_sync,
            "v_back_porch": self.v_back_porch,
            "h_border": self.h_border,
            "v_border": self.v_border,
            "size_mm": [self.width_mm, self.height_mm] if self.width_mm or self.height_mm else None,
            "hsync_positive": self.hsync_positive,
            "vsync_positive": self.vsync_positive,
            "preferred": self.preferred,
        }


@dataclass(frozen=True, slots=True)
class VideoMode:
    """A mode named by a code (established, standard, CVT, VIC): size and nominal refresh only."""

    width: int
    height: int
    refresh_hz: float
    interlaced: bool = False
    source: str = ""
    aspect: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "width": self.width,
            "height": self.height,
            "refresh_hz": round(self.refresh_hz, 3),
            "interlaced": self.interlaced,
            "source": self.source,
            "aspect": self.aspect,
        }


@dataclass(frozen=True, slots=True)
class RangeLimits:
    min_v_hz: int
    max_v_hz: int
    min_h_khz: int
    max_h_khz: int
    max_pixel_clock_mhz: int | None
    kind: str

    def to_json(self) -> dict[str, Any]:
        return {
            "min_v_hz": self.min_v_hz,
            "max_v_hz": self.max_v_hz,
            "min_h_khz": self.min_h_khz,
            "max_h_khz": self.max_h_khz,
            "max_pixel_clock_mhz": self.max_pixel_clock_mhz,
            "kind": self.kind,
        }


@dataclass(frozen=True, slots=True)
class Chromaticity:
    """CIE 1931 (x, y) of the primaries and the white point, 10-bit values as fractions."""

    red: tuple[float, float]
    green: tuple[float, float]
    blue: tuple[float, float]
    white: tuple[float, float]

    def to_json(self) -> dict[str, list[float]]:
        return {k: list(getattr(self, k)) for k in ("red", "green", "blue", "white")}


@dataclass(frozen=True, slots=True)
class BaseBlock:
    manufacturer_id: str
    product_code: int
    serial_number: int | None
    week: int | None
    year: int | None
    model_year: int | None
    version: tuple[int, int]
    digital: bool
    bits_per_color: int | None
    interface: str | None
    analog_signal_level: str | None
    analog_sync: tuple[str, ...]
    size_cm: tuple[int, int] | None
    aspect_ratio: float | None
    gamma: float | None
    dpms: tuple[str, ...]
    color_type: str | None
    color_formats: tuple[str, ...]
    srgb_default: bool
    preferred_timing_native: bool
    continuous_frequency: bool
    chromaticity: Chromaticity
    established_timings: tuple[VideoMode, ...]
    standard_timings: tuple[VideoMode, ...]
    detailed_timings: tuple[DetailedTiming, ...]
    name: str | None
    serial_string: str | None
    strings: tuple[str, ...]
    range_limits: RangeLimits | None
    descriptors: tuple[str, ...]
    extension_count: int
    errors: tuple[str, ...]


def edid_string(raw: bytes) -> str:
    """Descriptor text: ends at 0x0A or at the first non-printable byte (as edid-decode reads it).

    Trailing padding spaces are dropped: a few panels pad with 0x20 and no 0x0A.
    """
    out = []
    for b in raw:
        if not 0x20 <= b <= 0x7E:
            break
        out.append(chr(b))
    return "".join(out).rstrip(" ")


def decode_dtd(x: bytes, preferred: bool = False) -> DetailedTiming | None:
    """An 18-byte Detailed Timing Descriptor; None when the pixel clock is below 10 MHz (not a timing)."""
    clock_khz = (x[0] | x[1] << 8) * 10
    if clock_khz < 10000:
        return None
    h_blank = x[3] | (x[4] & 0x0F) << 8
    v_blank = x[6] | (x[7] & 0x0F) << 8
    hfp = x[8] | (x[11] & 0xC0) << 2
    hsync = x[9] | (x[11] & 0x30) << 4
    vfp = x[10] >> 4 | (x[11] & 0x0C) << 2
    vsync = (x[10] & 0x0F) | (x[11] & 0x03) << 4
    flags = x[17]
    interlaced = bool(flags & 0x80)
    height = x[5] | (x[7] & 0xF0) << 4
    hpos: bool | None = None
    vpos: bool | None = None
    if flags & 0x18 == 0x18:  # digital separate sync
        hpos, vpos = bool(flags & 0x02), bool(flags & 0x04)
    elif flags & 0x18 == 0x10:  # digital composite: only the hsync polarity is given
        hpos = bool(flags & 0x02)
    # The blanking counts the border pixels/lines on both sides (E-EDID 1.4 figure 3.21).
    return DetailedTiming(
        width=x[2] | (x[4] & 0xF0) << 4,
        height=height * 2 if interlaced else height,
        pixel_clock_khz=clock_khz,
        h_front_porch=hfp,
        h_sync=hsync,
        h_back_porch=h_blank - hfp - hsync - 2 * x[15],
        v_front_porch=vfp,
        v_sync=vsync,
        v_back_porch=v_blank - vfp - vsync - 2 * x[16],
        interlaced=interlaced,
        h_border=x[15],
        v_border=x[16],
        width_mm=x[12] | (x[14] & 0xF0) << 4,
        height_mm=x[13] | (x[14] & 0x0F) << 8,
        hsync_positive=hpos,
        vsync_positive=vpos,
        preferred=preferred,
    )


def decode_manufacturer_id(hi: int, lo: int) -> str:
    """Three 5-bit letters ('A' = 1) packed big-endian into bytes 8-9."""
    v = hi << 8 | lo
    return "".join(chr(0x40 + (v >> shift & 0x1F)) for shift in (10, 5, 0))


def _standard_timing(b1: int, b2: int, minor: int) -> VideoMode | None:
    if b1 <= 0x01:
        return None  # 0x0101 marks an unused slot; edid-decode also skips 0x00xx/0x01xx (0-256 px wide)
    width = (b1 + 31) * 8
    ratio = b2 >> 6
    if ratio == 0:
        height = width * 10 // 16 if minor >= 3 else width  # 1:1 before EDID 1.3
    else:
        height = width * {1: 3, 2: 4, 3: 9}[ratio] // {1: 4, 2: 5, 3: 16}[ratio]
    # VESA DMT assigns the code 61h 4Ch (nominally 72 Hz) to 1024x768 at 70 Hz (DMT ID 11h).
    refresh = 70.0 if (b1, b2) == (0x61, 0x4C) else float((b2 & 0x3F) + 60)
    return VideoMode(width, height, refresh, source="STD")


def _cvt_codes(x: bytes) -> list[VideoMode]:
    modes: list[VideoMode] = []
    for i in range(6, 18, 3):
        c = x[i : i + 3]
        if c == b"\x00\x00\x00":
            continue
        lines = ((c[0] | (c[1] & 0xF0) << 4) + 1) * 2
        num, den = ((4, 3), (16, 9), (16, 10), (15, 9))[c[1] >> 2 & 3]
        width = 8 * (lines * num // den // 8)
        for bit, rate in ((0x10, 50.0), (0x08, 60.0), (0x04, 75.0), (0x02, 85.0), (0x01, 60.0)):
            if c[2] & bit:
                modes.append(VideoMode(width, lines, rate, source="CVT RB" if bit == 1 else "CVT"))
    return modes


def _range_limits(x: bytes, minor: int) -> RangeLimits:
    # EDID 1.4 byte 4: rate offsets of +255 for the maximum (bit 1/3) and the minimum (bit 0/2 with 1/3).
    off = x[4] if minor >= 4 else 0
    vmin = x[5] + (255 if off & 0x03 == 0x03 else 0)
    vmax = x[6] + (255 if off & 0x02 else 0)
    hmin = x[7] + (255 if off & 0x0C == 0x0C else 0)
    hmax = x[8] + (255 if off & 0x08 else 0)
    return RangeLimits(vmin, vmax, hmin, hmax, x[9] * 10 if x[9] else None, _RANGE_KINDS.get(x[10], f"0x{x[10]:02x}"))


def _chroma(lo: int, hi: int) -> float:
    # 10-bit binary fraction, cut (not rounded) to 4 decimals as edid-decode and the VESA examples show it.
    return (hi << 2 | lo) * 10000 // 1024 / 10000


def decode_base_block(x: bytes) -> BaseBlock:
    """Decode a 128-byte block 0 (the caller pads a truncated one with zeros)."""
    errors: list[str] = []
    major, minor = x[0x12], x[0x13]
    if major != 1 or minor > 4:
        errors.append(f"block 0: unknown EDID version {major}.{minor}, decoded as 1.4")
        minor = 4
    mfg = decode_manufacturer_id(x[8], x[9])
    if not all("A" <= c <= "Z" for c in mfg):
        errors.append(f"block 0: manufacturer id {mfg!r} is not three letters")
    serial = int.from_bytes(x[12:16], "little")
    week, year_byte = x[0x10], x[0x11]
    year: int | None = 1990 + year_byte
    model_year = None
    if week == 0xFF:
        model_year, year, week = year, None, 0
    elif week > 54:
        errors.append(f"block 0: invalid week {week}")

    video = x[0x14]
    digital = bool(video & 0x80)
    bits = interface = level = None
    sync: tuple[str, ...] = ()
    if digital and minor >= 4:
        depth = video >> 4 & 7
        bits = None if depth in (0, 7) else depth * 2 + 4
        interface = _INTERFACES.get(video & 0x0F, f"reserved (0x{video & 0x0F:x})")
    elif digital:
        interface = "DFP 1.x TMDS" if video & 0x01 else None
    else:
        level = _ANALOG_LEVELS[video >> 5 & 3]
        names = ("Separate", "Composite", "SyncOnGreen", "Serration")
        sync = tuple(n for bit, n in zip((8, 4, 2, 1), names, strict=True) if video & bit)

    h_cm, v_cm = x[0x15], x[0x16]
    size = (h_cm, v_cm) if h_cm and v_cm else None
    aspect = None
    if size is None and minor >= 4 and (h_cm or v_cm):
        # EDID 1.4 section 3.6.2: one zero byte turns the other into an aspect ratio.
        aspect = round((h_cm + 99) / 100, 2) if h_cm else round(100 / (v_cm + 99), 2)

    feat = x[0x18]
    dpms = tuple(n for bit, n in ((0x80, "standby"), (0x40, "suspend"), (0x20, "off")) if feat & bit)
    color_type = None
    formats: tuple[str, ...] = ()
    if digital and minor >= 4:
        formats = ("RGB 4:4:4",) + (("YCrCb 4:4:4",) if feat & 0x08 else ()) + (("YCrCb 4:2:2",) if feat & 0x10 else ())
    else:
        color_type = _COLOR_TYPES[feat >> 3 & 3]

    lo1, lo2 = x[0x19], x[0x1A]
    chroma = Chromaticity(
        red=(_chroma(lo1 >> 6, x[0x1B]), _chroma(lo1 >> 4 & 3, x[0x1C])),
        green=(_chroma(lo1 >> 2 & 3, x[0x1D]), _chroma(lo1 & 3, x[0x1E])),
        blue=(_chroma(lo2 >> 6, x[0x1F]), _chroma(lo2 >> 4 & 3, x[0x20])),
        white=(_chroma(lo2 >> 2 & 3, x[0x21]), _chroma(lo2 & 3, x[0x22])),
    )
    est_bits = int.from_bytes(x[0x23:0x26], "big")
    established = [
        VideoMode(w, h, r, i, src) for n, (w, h, r, i, src) in enumerate(_ESTABLISHED_1_2) if est_bits & (1 << (23 - n))
    ]
    standard = [m for i in range(8) if (m := _standard_timing(x[0x26 + 2 * i], x[0x27 + 2 * i], minor))]

    dtds: list[DetailedTiming] = []
    kinds: list[str] = []
    name = serial_string = None
    strings: list[str] = []
    limits = None
    for n in range(4):
        d = x[0x36 + 18 * n : 0x48 + 18 * n]
        if d[0] or d[1]:
            t = decode_dtd(d, preferred=n == 0)
            if t is None:
                errors.append(f"block 0: descriptor {n + 1}: pixel clock below 10 MHz")
                kinds.append("Invalid Detailed Timing")
            else:
                dtds.append(t)
                kinds.append("Detailed Timing")
            continue
        tag = d[3]
        if d == bytes(18):
            kinds.append("Empty")
            continue
        kinds.append(_DESCRIPTOR_NAMES.get(tag, f"Manufacturer-Specified (0x{tag:02x})"))
        if tag == 0xFC:  # a few monitors carry two; drm_edid shows the first, so do we
            name = name or edid_string(d[5:]) or None
        elif tag == 0xFF:
            serial_string = serial_string or edid_string(d[5:]) or None
        elif tag == 0xFE:
            strings.append(edid_string(d[5:]))
        elif tag == 0xFD:
            limits = _range_limits(d, minor)
        elif tag == 0xFA:
            standard += [m for i in range(6) if (m := _standard_timing(d[5 + 2 * i], d[6 + 2 * i], minor))]
        elif tag == 0xF7:
            et3 = int.from_bytes(d[6:12], "big")
            for i, code in enumerate(_ESTABLISHED_3):
                if et3 & (1 << (47 - i)):
                    size_s, rate = code.split("@")
                    w, h = size_s.split("x")
                    established.append(VideoMode(int(w), int(h), float(rate.rstrip("R")), source="ET III"))
        elif tag == 0xF8:
            standard += _cvt_codes(d)

    return BaseBlock(
        manufacturer_id=mfg,
        product_code=x[10] | x[11] << 8,
        serial_number=serial or None,
        week=week or None,
        year=year,
        model_year=model_year,
        version=(x[0x12], x[0x13]),
        digital=digital,
        bits_per_color=bits,
        interface=interface,
        analog_signal_level=level,
        analog_sync=sync,
        size_cm=size,
        aspect_ratio=aspect,
        gamma=None if x[0x17] == 0xFF else round((x[0x17] + 100) / 100, 2),
        dpms=dpms,
        color_type=color_type,
        color_formats=formats,
        srgb_default=bool(feat & 0x04),
        preferred_timing_native=bool(feat & 0x02),
        continuous_frequency=bool(feat & 0x01),
        chromaticity=chroma,
        established_timings=tuple(established),
        standard_timings=tuple(standard),
        detailed_timings=tuple(dtds),
        name=name,
        serial_string=serial_string,
        strings=tuple(strings),
        range_limits=limits,
        descriptors=tuple(kinds),
        extension_count=x[0x7E],
        errors=tuple(errors),
    )
