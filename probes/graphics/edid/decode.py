"""EDID decoder: base block, CTA-861 and DisplayID extensions, checksums; never raises on bad input."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hwinspector.probes.errors import InputFormatError
from hwinspector.probes.graphics.edid.base import (
    BLOCK_SIZE,
    HEADER,
    BaseBlock,
    DetailedTiming,
    decode_base_block,
)
from hwinspector.probes.graphics.edid.cta import CtaExtension, decode_cta_block
from hwinspector.probes.graphics.edid.displayid import (
    DisplayIdExtension,
    decode_displayid_block,
    mask_displayid_serials,
)

PNP_IDS_PATHS = (Path("/usr/share/hwdata/pnp.ids"), Path("/usr/share/misc/pnp.ids"))

# Tag byte -> (short tag of the JSON contract, full name as VESA/CTA call the block).
_EXTENSION_TAGS = {
    0x02: ("CTA-861", "CTA-861 Extension Block"),
    0x10: ("VTB-EXT", "Video Timing Extension Block"),
    0x40: ("DI-EXT", "Display Information Extension Block"),
    0x50: ("LS-EXT", "Localized String Extension Block"),
    0x70: ("DisplayID", "DisplayID Extension Block"),
    0xF0: ("Block Map", "Block Map Extension Block"),
}
_OTHER_NAMES = {
    0x20: "EDID 2.0 Extension Block",
    0x60: "Microdisplay Interface Extension Block",
    0xFF: "Manufacturer-Specific Extension Block",
}


@dataclass(frozen=True, slots=True)
class OtherExtension:
    """An extension block decoded only as far as its tag (block map, DI-EXT, LS-EXT, VTB-EXT, unknown)."""

    block: int
    checksum_ok: bool
    tag_byte: int
    block_map: tuple[int, ...] = ()

    @property
    def tag(self) -> str:
        known = _EXTENSION_TAGS.get(self.tag_byte)
        return known[0] if known else f"Unknown (0x{self.tag_byte:02X})"

    @property
    def name(self) -> str:
        known = _EXTENSION_TAGS.get(self.tag_byte)
        return known[1] if known else _OTHER_NAMES.get(self.tag_byte, "Unknown Extension Block")

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "tag": self.tag,
            "block": self.block,
            "checksum_ok": self.checksum_ok,
            "tag_byte": self.tag_byte,
            "name": self.name,
        }
        if self.tag_byte == 0xF0:
            out["block_map"] = [f"0x{t:02x}" for t in self.block_map]
        return out


Extension = CtaExtension | DisplayIdExtension | OtherExtension


@dataclass(frozen=True, slots=True)
class Edid:
    """A decoded EDID. ``base`` is None when no base block could be found; ``errors`` says why."""

    size_bytes: int
    errors: tuple[str, ...]
    checksum_ok: bool
    base: BaseBlock | None
    manufacturer_name: str | None
    extensions: tuple[Extension, ...]

    @property
    def preferred_mode(self) -> DetailedTiming | None:
        """The first detailed timing of block 0 (EDID 1.4 section 3.10.2: the preferred timing).

        Without one, a DisplayID timing flagged preferred, else the first CTA-861 detailed timing.
        """
        if self.base and self.base.detailed_timings:
            return self.base.detailed_timings[0]
        for ext in self.extensions:
            if isinstance(ext, DisplayIdExtension):
                for t in ext.timings:
                    if t.preferred:
                        return t
        for ext in self.extensions:
            if isinstance(ext, CtaExtension) and ext.detailed_timings:
                return ext.detailed_timings[0]
        return None

    def to_json(self) -> dict[str, Any]:
        b = self.base
        pref = self.preferred_mode
        out: dict[str, Any] = {
            "checksum_ok": self.checksum_ok,
            "errors": list(self.errors),
            "size_bytes": self.size_bytes,
            "manufacturer_id": b.manufacturer_id if b else None,
            "manufacturer_name": self.manufacturer_name,
            "product_code": b.product_code if b else None,
            "serial_number": b.serial_number if b else None,
            "name": b.name if b else None,
            "serial_string": b.serial_string if b else None,
            "week": b.week if b else None,
            "year": b.year if b else None,
            "model_year": b.model_year if b else None,
            "version": f"{b.version[0]}.{b.version[1]}" if b else None,
            "digital": b.digital if b else None,
            "size_cm": list(b.size_cm) if b and b.size_cm else None,
            "preferred_mode": None
            if pref is None
            else {
                "width": pref.width,
                "height": pref.height,
                "refresh_hz": round(pref.refresh_hz, 3),
                "pixel_clock_khz": pref.pixel_clock_khz,
                "interlaced": pref.interlaced,
            },
            "extensions": [e.to_json() for e in self.extensions],
        }
        if b:
            out.update(
                {
                    "extension_count": b.extension_count,
                    "aspect_ratio": b.aspect_ratio,
                    "bits_per_color": b.bits_per_color,
                    "interface": b.interface,
                    "analog_signal_level": b.analog_signal_level,
                    "analog_sync": list(b.analog_sync),
                    "gamma": b.gamma,
                    "dpms": list(b.dpms),
                    "color_type": b.color_type,
                    "color_formats": list(b.color_formats),
                    "srgb_default": b.srgb_default,
                    "preferred_timing_native": b.preferred_timing_native,
                    "continuous_frequency": b.continuous_frequency,
                    "chromaticity": b.chromaticity.to_json(),
                    "established_timings": [m.to_json() for m in b.established_timings],
                    "standard_timings": [m.to_json() for m in b.standard_timings],
                    "detailed_timings": [t.to_json() for t in b.detailed_timings],
                    "strings": list(b.strings),
                    "range_limits": b.range_limits.to_json() if b.range_limits else None,
                    "descriptors": list(b.descriptors),
                }
            )
        return out


@functools.lru_cache(maxsize=4)
def read_pnp_ids(path: Path) -> dict[str, str]:
    """PNP manufacturer names from hwdata's pnp.ids ("ABC<TAB>Name" lines); {} when unreadable."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return {}
    out = {}
    for line in text.splitlines():
        pnp, sep, name = line.partition("\t")
        if sep and len(pnp) == 3:
            out[pnp] = name.strip()
    return out


def _pnp_name(pnp: str, pnp_ids: Path | None) -> str | None:
    paths = (pnp_ids,) if pnp_ids is not None else PNP_IDS_PATHS
    for p in paths:
        names = read_pnp_ids(p)
        if names:
            return names.get(pnp)
    return None


def _checksum(block: bytes | bytearray) -> int:
    return -sum(block[:127]) & 0xFF


def _hf_eeodb_count(data: bytes) -> int:
    """The extension count of an HDMI Forum EDID Extension Override Data Block, else 0.

    HDMI 2.1 section 10.3.6: the block count byte of block 0 may stay 1 for old sources; the real
    count is then the first data block of the CTA-861 block 1 (extended tag 0x78).
    """
    if len(data) < 135 or data[128] != 0x02 or data[129] < 3 or data[130] < 7:
        return 0
    header, ext_tag = data[132], data[133]
    return data[134] if header >> 5 == 7 and header & 0x1F >= 2 and ext_tag == 0x78 else 0


def _trailing_error(data: bytes, expected: int, count: int) -> str | None:
    extra = data[expected:]
    if not extra:
        return None
    if len(extra) % BLOCK_SIZE:
        return f"trailing data: {len(extra)} bytes after {expected}, not whole 128-byte blocks"
    blocks = len(extra) // BLOCK_SIZE
    if not any(extra):
        return f"trailing zero blocks: {blocks} beyond extension count {count}"
    repeated = extra == (data[:expected] * (len(extra) // expected + 1))[: len(extra)]
    suffix = " (repeats of the EDID)" if repeated else ""
    return f"extra blocks: {blocks} beyond extension count {count}{suffix}"


def decode_edid(data: bytes, pnp_ids: Path | None = None) -> Edid:
    """Decode EDID bytes as far as they go; every problem lands in ``errors``, nothing is raised.

    ``pnp_ids`` is the hwdata pnp.ids file for manufacturer names (default: the system's, if any).
    Blocks beyond the base block's extension count are not decoded (as the kernel's drm_edid reads
    1 + count blocks); they are reported as an error instead.
    """
    data = bytes(data)
    if not data:
        return Edid(0, ("empty: no EDID data",), False, None, None, ())
    errors: list[str] = []
    head = data[:8]
    matching = _header_score(data)
    if matching < 6:
        errors.append("block 0: no EDID header")
        if len(data) < BLOCK_SIZE:
            errors.append(f"truncated: {len(data)} bytes, expected 128")
        return Edid(len(data), tuple(errors), False, None, None, ())
    if matching < 8:
        errors.append(f"block 0: bad header ({head.hex(' ')}), decoded anyway")
    block0 = data[:BLOCK_SIZE]
    count = _hf_eeodb_count(data) or (block0[126] if len(block0) > 126 else 0)
    expected = BLOCK_SIZE * (1 + count)
    if len(data) < expected:
        errors.append(f"truncated: {len(data)} bytes, expected {expected}")
    checksum_ok = len(block0) == BLOCK_SIZE
    if checksum_ok and _checksum(block0) != block0[127]:
        errors.append(f"block 0: checksum mismatch (0x{block0[127]:02x} != 0x{_checksum(block0):02x})")
        checksum_ok = False
    base = decode_base_block(block0.ljust(BLOCK_SIZE, b"\0"))
    errors += base.errors

    extensions: list[Extension] = []
    block_map: tuple[int, ...] = ()
    for n in range(1, count + 1):
        x = data[n * BLOCK_SIZE : (n + 1) * BLOCK_SIZE]
        if not x:
            break
        if len(x) < BLOCK_SIZE:
            errors.append(f"block {n}: truncated ({len(x)} of 128 bytes)")
            checksum_ok = False
            x = x.ljust(BLOCK_SIZE, b"\0")
            ok = False
        else:
            ok = _checksum(x) == x[127]
            if not ok:
                errors.append(f"block {n}: checksum mismatch (0x{x[127]:02x} != 0x{_checksum(x):02x})")
                checksum_ok = False
        ext: Extension
        if x[0] == 0x02:
            ext = decode_cta_block(x, n, ok)
        elif x[0] == 0x70:
            ext = decode_displayid_block(x, n, ok)
        else:
            if x[0] == 0xF0:
                block_map = tuple(x[1:127])
                block_map = block_map[: max((i + 1 for i, t in enumerate(block_map) if t), default=0)]
            ext = OtherExtension(n, ok, x[0], block_map if x[0] == 0xF0 else ())
        if isinstance(ext, (CtaExtension, DisplayIdExtension)):
            errors += ext.errors
        extensions.append(ext)
    trailing = _trailing_error(data, expected, count)
    if trailing:
        errors.append(trailing)
    return Edid(
        size_bytes=len(data),
        errors=tuple(errors),
        checksum_ok=checksum_ok and len(data) >= expected,
        base=base,
        manufacturer_name=_pnp_name(base.manufacturer_id, pnp_ids),
        extensions=tuple(extensions),
    )


def serial_masked(data: bytes) -> bytes:
    """The EDID with its serial numbers removed and every touched checksum fixed.

    Zeroes the base block's serial number (bytes 12-15), blanks any 0xFF serial-string descriptor
    (0x0A then 0x20 padding, the empty string of E-EDID 1.4 section 3.10.3) and zeroes the serials
    that DisplayID extension blocks repeat (product id, tiled topology, serial number block).
    A truncated base block is masked as far as it goes. Never raises; the length never changes.
    """
    out = bytearray(data)
    out[12:16] = bytes(len(out[12:16]))
    if _header_score(out) < 6:
        return bytes(out)
    base = out[:BLOCK_SIZE].ljust(BLOCK_SIZE, b"\0")
    for n in range(4):
        d = 0x36 + 18 * n
        if base[d : d + 3] == b"\0\0\0" and base[d + 3] == 0xFF:
            base[d + 5 : d + 18] = b"\n" + b" " * 12
    base[127] = _checksum(base)
    out[:BLOCK_SIZE] = base[: len(out)]
    count = _hf_eeodb_count(bytes(out)) or (out[126] if len(out) > 126 else 0)
    for n in range(1, min(count, len(out) // BLOCK_SIZE - 1) + 1):
        if out[n * BLOCK_SIZE] == 0x70:
            block = out[n * BLOCK_SIZE : (n + 1) * BLOCK_SIZE]
            mask_displayid_serials(block)
            out[n * BLOCK_SIZE : (n + 1) * BLOCK_SIZE] = block
    return bytes(out)


def _header_score(data: bytes | bytearray) -> int:
    """How many of the 8 header bytes are right (drm_edid accepts 6: it repairs up to two)."""
    return sum(a == b for a, b in zip(data[:8], HEADER, strict=False))


def _hex_row(line: str) -> bytes | None:
    """The bytes of one line made only of hex bytes ("00 ff", "0x00, 0xff,", "00ffff"), else None."""
    out = bytearray()
    for tok in re.split(r"[\s,:;]+", line.strip()):
        tok = tok[2:] if tok[:2].lower() == "0x" else tok
        if len(tok) % 2 or not re.fullmatch(r"[0-9a-fA-F]*", tok):
            return None
        out += bytes.fromhex(tok)
    return bytes(out) if out else None


def _rows(lines: list[str], pattern: str) -> bytes:
    """Hex from consecutive lines matching ``pattern`` (group 1), starting at the first match."""
    out = bytearray()
    for line in lines:
        m = re.search(pattern, line)
        if m:
            out += bytes.fromhex(m.group(1))
        elif out:
            break
    return bytes(out)


def parse_edid_text(text: str, source: str = "<text>") -> bytes:
    """EDID bytes from a text dump: a hex dump (edid-decode's, a C array, bare), ``xrandr --props``,
    an Xorg log or QuantumData XML, found the way edid-decode looks for them.

    Raises InputFormatError when no whole 128-byte block of hex can be found.
    """
    blocks = re.findall(r"<BLOCK\d+>([0-9A-Fa-f]+)</BLOCK\d+>", text)
    marker = re.search(r"(?:edid-decode|EDID) \(hex\):|unsigned char edid\[\] = \{", text)
    if blocks:
        data = bytes.fromhex("".join(blocks))
    elif marker is None and "EDID (in hex):" in text:  # Xorg.0.log: "(II) modeset(0): \t00ffffff..."
        data = _rows(text.split("EDID (in hex):", 1)[1].splitlines()[1:], r"\):\s+([0-9a-f]{32})\s*$")
    elif marker is None and re.search(r"^\s+EDID(?:_DATA)?:\s*$", text, re.M):  # xrandr --props
        tail = re.split(r"^\s+EDID(?:_DATA)?:\s*$", text, maxsplit=1, flags=re.M)[1]
        data = _rows(tail.splitlines(), r"^\s+([0-9a-f]{32})\s*$")
    else:
        out = bytearray()
        for line in text[marker.end() if marker else 0 :].splitlines():
            row = _hex_row(line)
            if row is not None:
                out += row
            elif line.strip():
                break
        data = bytes(out)
    if not data or len(data) % BLOCK_SIZE:
        raise InputFormatError(source, f"no EDID hex dump found ({len(data)} bytes, want 128-byte blocks)")
    return data


def edid_bytes(raw: bytes, source: str = "<input>") -> bytes:
    """EDID bytes from a file's contents: binary as is (sysfs ``edid``), else a text dump parsed.

    Raises InputFormatError for text with no EDID in it.
    """
    if not raw or _header_score(raw) >= 6 or not raw.isascii():
        return raw
    return parse_edid_text(raw.decode("ascii"), source)
