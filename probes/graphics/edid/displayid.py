"""DisplayID 1.x/2.x sections inside EDID extension blocks (tag 0x70): product id, timings, tiles."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, fields
from typing import Any, ClassVar

from hwinspector.probes.graphics.edid.base import DetailedTiming, edid_string, jsonable
from hwinspector.probes.graphics.edid.cta import CtaDataBlocks, oui_name

_BLOCK_NAMES = {
    0x00: "Product Identification Data Block",
    0x01: "Display Parameters Data Block",
    0x02: "Color Characteristics Data Block",
    0x03: "Video Timing Modes Type 1 - Detailed Timings Data Block",
    0x04: "Video Timing Modes Type 2 - Detailed Timings Data Block",
    0x05: "Video Timing Modes Type 3 - Short Timings Data Block",
    0x06: "Video Timing Modes Type 4 - DMT Timings Data Block",
    0x07: "Supported Timing Modes Type 1 - VESA DMT Timings Data Block",
    0x08: "Supported Timing Modes Type 2 - CTA-861 Timings Data Block",
    0x09: "Video Timing Range Data Block",
    0x0A: "Product Serial Number Data Block",
    0x0B: "GP ASCII String Data Block",
    0x0C: "Display Device Data Data Block",
    0x0D: "Interface Power Sequencing Data Block",
    0x0E: "Transfer Characteristics Data Block",
    0x0F: "Display Interface Data Block",
    0x10: "Stereo Display Interface Data Block",
    0x11: "Video Timing Modes Type 5 - Short Timings Data Block",
    0x12: "Tiled Display Topology Data Block",
    0x13: "Video Timing Modes Type 6 - Detailed Timings Data Block",
    0x20: "Product Identification Data Block",
    0x21: "Display Parameters Data Block",
    0x22: "Video Timing Modes Type 7 - Detailed Timings Data Block",
    0x23: "Video Timing Modes Type 8 - Enumerated Timing Codes Data Block",
    0x24: "Video Timing Modes Type 9 - Formula-based Timings Data Block",
    0x25: "Dynamic Video Timing Range Limits Data Block",
    0x26: "Display Interface Features Data Block",
    0x27: "Stereo Display Interface Data Block",
    0x28: "Tiled Display Topology Data Block",
    0x29: "ContainerID Data Block",
    0x2B: "Adaptive Sync Data Block",
    0x7E: "Vendor-Specific Data Block",
    0x7F: "Vendor-Specific Data Block",
    0x81: "CTA-861 DisplayID Data Block",
}
_PRODUCT_TYPES_1 = (
    "Extension Section",
    "Test Structure",
    "Display panel",
    "Standalone display device",
    "Television receiver",
    "Repeater/translator",
    "DIRECT DRIVE monitor",
)
_PRODUCT_TYPES_2 = (
    "Same primary use case as the base section",
    "Test Structure",
    "Generic display",
    "Television display",
    "Desktop productivity display",
    "Desktop gaming display",
    "Presentation display",
    "Virtual reality headset",
    "Augmented reality headset",
)


@dataclass(frozen=True, slots=True)
class DisplayIdProductId:
    vendor: str
    product_code: int
    serial_number: int | None
    week: int | None
    year: int | None
    model_year: int | None
    name: str | None


@dataclass(frozen=True, slots=True)
class TiledTopology:
    """One tile of a display driven as several (DisplayID tiled display topology block)."""

    single_enclosure: bool
    h_tiles: int
    v_tiles: int
    h_location: int
    v_location: int
    tile_width: int
    tile_height: int
    vendor: str
    product_code: int
    serial_number: int
    bezel_pixels: tuple[float, float, float, float] | None


@dataclass(frozen=True, slots=True)
class DisplayIdExtension:
    block: int
    checksum_ok: bool
    version: str
    product_type: str | None
    extension_count: int
    section_checksum_ok: bool
    data_blocks: tuple[str, ...]
    product_id: DisplayIdProductId | None
    image_size_mm: tuple[float, float] | None
    native_pixels: tuple[int, int] | None
    timings: tuple[DetailedTiming, ...]
    tiled_topology: TiledTopology | None
    errors: tuple[str, ...]

    tag: ClassVar[str] = "DisplayID"

    def to_json(self) -> dict[str, Any]:
        return {"tag": self.tag, **{f.name: jsonable(getattr(self, f.name)) for f in fields(self)}}


def iter_data_blocks(x: bytes) -> Iterator[tuple[int, int, int]]:
    """(offset, tag, payload length) of each data block of the section in block x; stops at padding."""
    end = 5 + min(x[2], 121)
    pos = 5
    while end - pos >= 3:
        tag, length = x[pos], x[pos + 2]
        if pos + 3 + length > end or (tag == 0 and length == 0):
            return
        yield pos, tag, length
        pos += 3 + length


def _vendor(p: bytes, v2: bool) -> str:
    return f"{p[0]:02X}-{p[1]:02X}-{p[2]:02X}" if v2 else edid_string(p[:3])


def _product_id(p: bytes, v2: bool) -> DisplayIdProductId:
    week, year = p[9], 2000 + p[10]
    name = edid_string(p[12 : 12 + p[11]]) or None if len(p) > 11 else None
    return DisplayIdProductId(
        vendor=_vendor(p, v2),
        product_code=p[3] | p[4] << 8,
        serial_number=int.from_bytes(p[5:9], "little") or None,
        week=week if 0 < week <= 54 else None,
        year=None if week == 0xFF else year,
        model_year=year if week == 0xFF else None,
        name=name,
    )


def _timing(t: bytes, type7: bool) -> DetailedTiming:
    # DisplayID 1.3 section 4.4.1 (type I, 10 kHz clock units) and 2.0 section 4.3.1 (type VII, 1 kHz).
    clock = (1 + int.from_bytes(t[0:3], "little")) * (1 if type7 else 10)
    h_blank, v_blank = 1 + (t[6] | t[7] << 8), 1 + (t[14] | t[15] << 8)
    hfp, hsync = 1 + (t[8] | (t[9] & 0x7F) << 8), 1 + (t[10] | t[11] << 8)
    vfp, vsync = 1 + (t[16] | (t[17] & 0x7F) << 8), 1 + (t[18] | t[19] << 8)
    vbp = v_blank - vfp - vsync
    interlaced = bool(t[3] & 0x10)
    if interlaced:  # the vertical blanking fields count both fields; edid-decode halves them
        vfp, vsync, vbp = vfp // 2, vsync // 2, vbp // 2
    return DetailedTiming(
        width=1 + (t[4] | t[5] << 8),
        height=1 + (t[12] | t[13] << 8),
        pixel_clock_khz=clock,
        h_front_porch=hfp,
        h_sync=hsync,
        h_back_porch=h_blank - hfp - hsync,
        v_front_porch=vfp,
        v_sync=vsync,
        v_back_porch=vbp,
        interlaced=interlaced,
        hsync_positive=bool(t[9] & 0x80),
        vsync_positive=bool(t[17] & 0x80),
        preferred=bool(t[3] & 0x80),
    )


def _tile(p: bytes, v2: bool) -> TiledTopology:
    caps = p[0]
    bezel = None
    if caps & 0x40 and p[8]:
        bezel = (p[8] * p[9] / 10, p[8] * p[10] / 10, p[8] * p[11] / 10, p[8] * p[12] / 10)
    return TiledTopology(
        single_enclosure=bool(caps & 0x80),
        h_tiles=((p[1] >> 4) | (p[3] >> 2 & 0x30)) + 1,
        v_tiles=((p[1] & 0x0F) | (p[3] & 0x30)) + 1,
        h_location=(p[2] >> 4) | (p[3] >> 2 & 0x03) << 4,
        v_location=(p[2] & 0x0F) | (p[3] & 0x03) << 4,
        tile_width=(p[4] | p[5] << 8) + 1,
        tile_height=(p[6] | p[7] << 8) + 1,
        vendor=_vendor(p[13:16], v2),
        product_code=p[16] | p[17] << 8,
        serial_number=int.from_bytes(p[18:22], "little"),
        bezel_pixels=bezel,
    )


def section_checksum_ok(x: bytes) -> bool:
    # The section checksum covers version..checksum byte: 5 header bytes plus the payload length.
    n = min(x[2], 121) + 5
    return sum(x[1 : 1 + n]) & 0xFF == 0


def decode_displayid_block(x: bytes, block: int, checksum_ok: bool) -> DisplayIdExtension:
    """Decode one 128-byte DisplayID extension block (one DisplayID section)."""
    errors: list[str] = []
    version = x[1]
    v2 = version >= 0x20
    if x[2] > 121:
        errors.append(f"block {block}: DisplayID section length {x[2]} is greater than 121")
    types = _PRODUCT_TYPES_2 if v2 else _PRODUCT_TYPES_1
    names: list[str] = []
    pid = None
    size_mm = pixels = None
    timings: list[DetailedTiming] = []
    tile = None
    end = 5
    for pos, tag, length in iter_data_blocks(x):
        end = pos + 3 + length
        p = x[pos + 3 : end]
        names.append(_BLOCK_NAMES.get(tag, f"Unknown DisplayID Data Block (0x{tag:02x})"))
        if tag in (0x7E, 0x7F) and length >= 3:
            # Big-endian in DisplayID; some vendors (Apple) store it little-endian as in CTA-861.
            vendor = oui_name(p[:3])[1]
            names[-1] += f" ({vendor})" if vendor else f", OUI {p[0]:02X}-{p[1]:02X}-{p[2]:02X}"
        elif tag == 0x81:  # CTA-861 data blocks carried inside DisplayID (DisplayID 2.0 section 4.10)
            cta = CtaDataBlocks(block)
            cta.feed(p, pos + 3)
            names += cta.names
            errors += cta.errors
        if tag in (0x00, 0x20) and length >= 12:
            pid = _product_id(p, v2)
        elif tag in (0x01, 0x21) and length >= 8:
            unit = 1.0 if tag == 0x21 and x[pos + 1] & 0x80 else 0.1
            size_mm = (round((p[0] | p[1] << 8) * unit, 1), round((p[2] | p[3] << 8) * unit, 1))
            pixels = (p[4] | p[5] << 8, p[6] | p[7] << 8)
        elif tag in (0x03, 0x22):
            timings += [_timing(p[i : i + 20], tag == 0x22) for i in range(0, length - 19, 20)]
        elif tag in (0x12, 0x28):
            if length == 22:
                tile = _tile(p, tag == 0x28)
            else:
                errors.append(f"block {block}: DisplayID tiled topology length {length}, expected 22")
    if end < 5 + min(x[2], 121) and any(x[end : 5 + min(x[2], 121)]):
        errors.append(f"block {block}: DisplayID data block at byte {end} overruns the section")
    section_ok = section_checksum_ok(x)
    if not section_ok:
        n = min(x[2], 121) + 5
        want = -sum(x[1:n]) & 0xFF
        errors.append(f"block {block}: DisplayID section checksum mismatch (0x{x[n]:02x} != 0x{want:02x})")
    return DisplayIdExtension(
        block=block,
        checksum_ok=checksum_ok,
        version=f"{version >> 4}.{version & 15}",
        product_type=types[x[3]] if x[3] < len(types) else f"Unknown (0x{x[3]:02x})",
        extension_count=x[4],
        section_checksum_ok=section_ok,
        data_blocks=tuple(names),
        product_id=pid,
        image_size_mm=size_mm,
        native_pixels=pixels,
        timings=tuple(timings),
        tiled_topology=tile,
        errors=tuple(errors),
    )


def mask_displayid_serials(x: bytearray) -> None:
    """Zero the serial numbers of a DisplayID block in place and fix both checksums."""
    for pos, tag, length in iter_data_blocks(bytes(x)):
        if tag in (0x00, 0x20) and length >= 12:
            x[pos + 8 : pos + 12] = bytes(4)
        elif tag in (0x12, 0x28) and length == 22:
            x[pos + 21 : pos + 25] = bytes(4)
        elif tag == 0x0A:
            x[pos + 3 : pos + 3 + length] = bytes(length)
    n = min(x[2], 121) + 5
    x[n] = -sum(x[1:n]) & 0xFF
    x[127] = -sum(x[:127]) & 0xFF
