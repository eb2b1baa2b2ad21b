"""Hand-made EDIDs for the EDID tests, built byte by byte with their checksums fixed."""

from __future__ import annotations

from collections.abc import Sequence


def fix_checksum(block: bytes | bytearray) -> bytes:
    b = bytearray(block)
    b[127] = -sum(b[:127]) & 0xFF
    return bytes(b)


def pnp(code: str) -> bytes:
    v = 0
    for c in code:
        v = v << 5 | (ord(c) - 0x40)
    return v.to_bytes(2, "big")


def text_descriptor(tag: int, text: str) -> bytes:
    raw = text.encode("ascii")[:13]
    if len(raw) < 13:
        raw += b"\n" + b" " * (12 - len(raw))
    return bytes([0, 0, 0, tag, 0]) + raw


def dtd(
    width: int,
    height: int,
    clock_khz: int,
    hfp: int,
    hsync: int,
    hbp: int,
    vfp: int,
    vsync: int,
    vbp: int,
    size_mm: tuple[int, int] = (0, 0),
    interlaced: bool = False,
) -> bytes:
    """An 18-byte detailed timing, digital separate sync, +hsync +vsync."""
    hbl, vbl = hfp + hsync + hbp, vfp + vsync + vbp
    lines = height // 2 if interlaced else height
    c = clock_khz // 10
    return bytes(
        [
            c & 0xFF,
            c >> 8,
            width & 0xFF,
            hbl & 0xFF,
            (width >> 8) << 4 | hbl >> 8,
            lines & 0xFF,
            vbl & 0xFF,
            (lines >> 8) << 4 | vbl >> 8,
            hfp & 0xFF,
            hsync & 0xFF,
            (vfp & 15) << 4 | (vsync & 15),
            (hfp >> 8) << 6 | (hsync >> 8) << 4 | (vfp >> 4) << 2 | vsync >> 4,
            size_mm[0] & 0xFF,
            size_mm[1] & 0xFF,
            (size_mm[0] >> 8) << 4 | size_mm[1] >> 8,
            0,
            0,
            0x1E | (0x80 if interlaced else 0),
        ]
    )


DTD_1080P60 = dtd(1920, 1080, 148500, 88, 44, 148, 4, 5, 36, (531, 299))
RANGE_LIMITS = bytes([0, 0, 0, 0xFD, 0, 48, 75, 30, 83, 17, 0, 0x0A]) + b" " * 6


def base_block(
    *,
    manufacturer: str = "HWI",
    product: int = 0x1234,
    serial: int = 0x01020304,
    week: int = 12,
    year: int = 2021,
    version: tuple[int, int] = (1, 4),
    video_input: int = 0xA5,  # digital, 8 bits per colour, DisplayPort
    size_cm: tuple[int, int] = (53, 30),
    gamma: int = 120,
    features: int = 0xEF,  # DPMS all, RGB + YCrCb 4:4:4, sRGB, preferred timing native, continuous
    descriptors: Sequence[bytes] = (),
    extensions: int = 0,
) -> bytes:
    """A 128-byte block 0; default descriptors: 1080p60 DTD, name, serial string, range limits."""
    if not descriptors:
        descriptors = (
            DTD_1080P60,
            text_descriptor(0xFC, "HWI TEST 27"),
            text_descriptor(0xFF, "SN12345"),
            RANGE_LIMITS,
        )
    b = bytearray(128)
    b[0:8] = bytes.fromhex("00ffffffffffff00")
    b[8:10] = pnp(manufacturer)
    b[10:12] = product.to_bytes(2, "little")
    b[12:16] = serial.to_bytes(4, "little")
    b[16], b[17] = week, year - 1990
    b[18], b[19] = version
    b[20], b[21], b[22], b[23], b[24] = video_input, size_cm[0], size_cm[1], gamma, features
    b[25:35] = bytes.fromhex("ee91a3544c99260f5054")  # sRGB primaries and D65
    b[35:38] = bytes([0x21, 0x08, 0x00])  # 640x480@60, 800x600@60, 1024x768@60
    b[38:54] = bytes([0xD1, 0xC0, 0x81, 0x80]) + b"\x01" * 12  # 1920x1080@60, 1280x1024@60
    for n, d in enumerate(descriptors):
        b[54 + 18 * n : 72 + 18 * n] = d
    b[126] = extensions
    return fix_checksum(b)


def cta_block(data_blocks: bytes, dtds: Sequence[bytes] = (), flags: int = 0xF1) -> bytes:
    b = bytearray(128)
    b[0], b[1], b[2], b[3] = 0x02, 3, 4 + len(data_blocks), flags
    b[4 : 4 + len(data_blocks)] = data_blocks
    pos = 4 + len(data_blocks)
    for d in dtds:
        b[pos : pos + 18] = d
        pos += 18
    return fix_checksum(b)


def data_block(tag: int, payload: bytes) -> bytes:
    return bytes([tag << 5 | len(payload)]) + payload


# A rich CTA-861 block: VDB (VIC 16 native, 4, 31, 97, 1), ADB (LPCM 2 ch, AC-3 6 ch), speakers,
# HDMI VSDB 1.0.0.0 at 300 MHz, HDMI Forum VSDB 600 MHz with SCDC, colorimetry, HDR static metadata.
CTA_DATA_BLOCKS = (
    data_block(2, bytes([0x90, 4, 31, 97, 1]))
    + data_block(1, bytes([0x09, 0x07, 0x07, 0x15, 0x07, 0x50]))
    + data_block(4, bytes([0x07, 0, 0]))
    + data_block(3, bytes([0x03, 0x0C, 0x00, 0x10, 0x00, 0x38, 60]))
    + data_block(3, bytes([0xD8, 0x5D, 0xC4, 1, 120, 0x80, 0]))
    + data_block(7, bytes([0x05, 0xC0, 0x00]))
    + data_block(7, bytes([0x06, 0x0D, 0x01, 115, 90, 20]))
)


def displayid_block(data_blocks: bytes, version: int = 0x12, product_type: int = 0) -> bytes:
    b = bytearray(128)
    b[0:5] = bytes([0x70, version, len(data_blocks), product_type, 0])
    b[5 : 5 + len(data_blocks)] = data_blocks
    end = 5 + len(data_blocks)
    b[end] = -sum(b[1:end]) & 0xFF
    return fix_checksum(b)


def tiled_topology(
    h_tiles: int,
    v_tiles: int,
    h_loc: int,
    v_loc: int,
    tile_w: int,
    tile_h: int,
    vendor: bytes,
    product: int,
    serial: int,
    tag: int = 0x12,
) -> bytes:
    p = (
        bytes(
            [
                0x80 | 0x02,  # single enclosure; one tile alone is scaled to fit
                (h_tiles - 1) << 4 | (v_tiles - 1),
                h_loc << 4 | v_loc,
                0,
                (tile_w - 1) & 0xFF,
                (tile_w - 1) >> 8,
                (tile_h - 1) & 0xFF,
                (tile_h - 1) >> 8,
                0,
                0,
                0,
                0,
                0,
            ]
        )
        + vendor
        + product.to_bytes(2, "little")
        + serial.to_bytes(4, "little")
    )
    return bytes([tag, 0, len(p)]) + p


def type1_timing(
    width: int,
    height: int,
    clock_khz: int,
    hfp: int,
    hsync: int,
    hbp: int,
    vfp: int,
    vsync: int,
    vbp: int,
    preferred: bool = True,
    unit_khz: int = 10,
) -> bytes:
    """A 20-byte DisplayID type I (10 kHz clock units) or type VII (1 kHz) timing, +hsync -vsync, 16:9."""

    def le16(v: int) -> bytes:
        return (v - 1).to_bytes(2, "little")

    return (
        (clock_khz // unit_khz - 1).to_bytes(3, "little")
        + bytes([(0x80 if preferred else 0) | 0x04])
        + le16(width)
        + le16(hfp + hsync + hbp)
        + bytes([(hfp - 1) & 0xFF, 0x80 | (hfp - 1) >> 8])
        + le16(hsync)
        + le16(height)
        + le16(vfp + vsync + vbp)
        + le16(vfp)
        + le16(vsync)
    )


def product_id(vendor: bytes, product: int, serial: int, name: str, tag: int = 0x00) -> bytes:
    p = vendor + product.to_bytes(2, "little") + serial.to_bytes(4, "little") + bytes([0, 31, len(name)])
    return bytes([tag, 0, len(p) + len(name)]) + p + name.encode()


def tiled_edid() -> bytes:
    """Left tile of a 2x1 tiled monitor: EDID 1.4 + DisplayID 1.2 (product id, tiles, type I timing)."""
    did = displayid_block(
        product_id(b"HWI", 0x4242, 777, "TILE")
        + tiled_topology(2, 1, 0, 0, 2560, 2880, b"HWI", 0x4242, 777)
        + bytes([0x03, 0, 20])
        + type1_timing(2560, 2880, 483250, 48, 32, 80, 3, 10, 69),
        product_type=3,  # standalone display device
    )
    return base_block(extensions=1) + did


def tiled_edid_v2() -> bytes:
    """Right tile of a 2x1 tiled monitor described by DisplayID 2.0 (OUI vendor, type VII timing)."""
    oui = bytes([0x00, 0x10, 0xFA])
    did = displayid_block(
        product_id(oui, 0x2222, 4242, "TILE2", tag=0x20)
        + tiled_topology(2, 1, 1, 0, 3008, 3384, oui, 0x2222, 4242, tag=0x28)
        + bytes([0x22, 0, 20])
        + type1_timing(3008, 3384, 642000, 8, 32, 40, 118, 8, 6, unit_khz=1),
        version=0x20,
        product_type=4,
    )
    return base_block(extensions=1) + did


def analog_edid() -> bytes:
    """An EDID 1.3 CRT: analog 0.7/0.3 V input, separate + composite sync and sync on green."""
    crt = dtd(1280, 1024, 108000, 48, 112, 248, 1, 3, 38, (360, 270))
    return base_block(
        version=(1, 3),
        video_input=0x0E,
        size_cm=(36, 27),
        gamma=140,
        features=0xEF,
        descriptors=(crt, text_descriptor(0xFC, "HWI CRT 19"), RANGE_LIMITS),
    )


def cta_edid() -> bytes:
    """An HDMI TV: EDID 1.3 with a CTA-861 block (VICs, audio, HDMI and HDMI Forum VSDBs, HDR)."""
    tv = dtd(1280, 720, 74250, 110, 40, 220, 5, 5, 20, (531, 299))
    return base_block(version=(1, 3), video_input=0x80, extensions=1) + cta_block(CTA_DATA_BLOCKS, [tv])


SAMPLES = {
    "base-1.4-dp": base_block,
    "analog-1.3": analog_edid,
    "cta-hdmi-hdr": cta_edid,
    "displayid-tiled": tiled_edid,
    "displayid2-tiled": tiled_edid_v2,
}
