"""Every real EDID of the corpus and every hand-made one, decoded by us and by edid-decode."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

import pytest

from hwinspector.probes.graphics.edid.base import DetailedTiming
from hwinspector.probes.graphics.edid.cta import CtaExtension, vic_mode
from hwinspector.probes.graphics.edid.decode import Edid, decode_edid, parse_edid_text, serial_masked
from hwinspector.probes.graphics.edid.displayid import DisplayIdExtension
from tests.probes.graphics.edid_decode_oracle import (
    Block,
    Decoded,
    check_messages,
    detailed,
    edid_decode,
    parse_output,
    raw_bytes,
    tag,
    timing,
)

PNP = Path("/usr/share/hwdata/pnp.ids")


DATA = Path(__file__).resolve().parents[2] / "data"


def _corpus_root() -> Path | None:
    # Same lookup as tests/conftest.py's `corpus` fixture; needed here at collection time to
    # parametrize over the files. Tests still request the fixture, which skips when it is absent.
    env = os.environ.get("HWINSPECTOR_CORPUS")
    p = Path(env) if env else Path(__file__).resolve().parents[4] / "shared" / "corpus"
    return p if p.is_dir() else None


def _corpus_files(pattern: str) -> list[str]:
    root = _corpus_root()
    if root is None:
        return ["(corpus absent)"]
    return [str(p.relative_to(root)) for p in sorted(root.glob(pattern)) if p.is_file()]


# Hand-made EDIDs (tests/data/edid, always there) and every EDID of the corpus (when present).
INPUTS = [f"data/edid/{p.name}" for p in sorted((DATA / "edid").glob("*.hex"))] + [
    f
    for pattern in (
        "edid/linuxhw-EDID/**/*.bin",
        "edid/edid-decode-data/data/*",
        "edid/edid-decode-data/test/*.test",
        "edid/libdisplay-info-testdata/*.edid",
    )
    for f in _corpus_files(pattern)
]
INPUTS = list(dict.fromkeys(INPUTS))  # "(corpus absent)" once

# Corpus EDIDs that are malformed, and exactly what we say about them (every other EDID: nothing).
MALFORMED = {
    "linuxhw-EDID/Analog/ADI/ADI1D58/6060E8A29762.bin": ("block 0: unknown EDID version 1.5, decoded as 1.4",),
    "linuxhw-EDID/Digital/Ancor Communications/ACI22FA/9BC8DE3685CC.bin": (
        "block 1: checksum mismatch (0xff != 0x37)",
    ),
    "linuxhw-EDID/Digital/InfoVision/IVO8CE3/6C0B94FEDA75.bin": (
        "block 1: DisplayID section checksum mismatch (0x00 != 0x1f)",
    ),
    "linuxhw-EDID/Digital/BenQ/BNQ78E3/BAF790D8648C.bin": (
        "extra blocks: 2 beyond extension count 1 (repeats of the EDID)",
    ),
    "linuxhw-EDID/Digital/Samsung/SAM0737/FA4346711D65.bin": ("truncated: 128 bytes, expected 256",),
    "linuxhw-EDID/Digital/AU Optronics/AUOEAA4/F13A3AE422DE.bin": (
        "block 1: CTA-861 data block at byte 43 overruns its collection",
    ),
    "linuxhw-EDID/Digital/Chi Mei Optoelectronics/CMO2228/939C2ADA3FEE.bin": (
        "extra blocks: 1 beyond extension count 0 (repeats of the EDID)",
    ),
    "linuxhw-EDID/Digital/GIGABYTE/GBT2706/6D45305BA746.bin": ("block 2: checksum mismatch (0x00 != 0x63)",),
    "linuxhw-EDID/Digital/Seiki/SEK0000/CC8AD436F2FB.bin": ("truncated: 128 bytes, expected 256",),
    "linuxhw-EDID/Digital/HUAWEI/HWV6A25/F15635D8E79D.bin": (
        "extra blocks: 3 beyond extension count 2 (repeats of the EDID)",
    ),
    "linuxhw-EDID/Digital/TCL/TCL667B/9885355256CA.bin": (
        "extra blocks: 2 beyond extension count 1 (repeats of the EDID)",
    ),
    "linuxhw-EDID/Digital/Goldstar/GSM7666/DDD2A1285A8E.bin": ("block 1: checksum mismatch (0xa3 != 0xad)",),
    "linuxhw-EDID/Digital/Goldstar/GSM5B80/770646A87647.bin": (
        "extra blocks: 2 beyond extension count 1 (repeats of the EDID)",
    ),
    "linuxhw-EDID/Digital/NEC/NEC674F/2D8B5B3A099A.bin": (
        "extra blocks: 45 beyond extension count 1 (repeats of the EDID)",
    ),
    "linuxhw-EDID/Digital/ViewSonic/VSCC234/E88DC724460E.bin": ("block 1: checksum mismatch (0x8a != 0x8d)",),
    "linuxhw-EDID/Digital/Vizio/VIZ0063/989B7A2CEAB9.bin": ("block 1: checksum mismatch (0xff != 0x8c)",),
}

# Each kind of error we name, and the `edid-decode -c` failure (or warning) that says the same thing.
ERROR_KINDS = (
    (r"^(truncated|extra blocks|trailing zero blocks|trailing data): ", r"EDID specified \d+ extension block"),
    (r"unknown EDID version", r"Unknown EDID (minor|major) version"),
    (r"CTA-861 data block at byte \d+ overruns", r"Length is \d+ instead of|Offset is \d+, but should be"),
    (r"manufacturer id", r"Manufacturer name field contains garbage"),
    (r"invalid week", r"Invalid week"),
    (r"pixel clock below 10 MHz", r"Pixelclock < 10 MHz"),
    (r"DisplayID section length", r"DisplayID length \d+ is greater than 121"),
    (r"DisplayID data block at byte \d+ overruns", r"exceeds the number of bytes remaining"),
)


def resolve(rel: str, request: pytest.FixtureRequest) -> Path:
    if rel.startswith("data/"):
        return DATA / rel.removeprefix("data/")
    return Path(request.getfixturevalue("corpus")) / rel


def load(path: Path, tmp_path: Path) -> bytes:
    """The EDID bytes of a file; text dumps go through our parser, checked against edid-decode's."""
    if path.suffix not in (".test", ".hex"):
        return path.read_bytes()
    data = parse_edid_text(path.read_text(errors="replace"), str(path))
    assert data == raw_bytes(path, tmp_path / "edid.bin"), "text dump read differently"
    return data


def check_base(edid: Edid, ref: Decoded) -> None:
    b0 = ref.blocks[0]
    b = edid.base
    assert b is not None
    assert b.manufacturer_id == b0.value("Manufacturer")
    assert b.product_code == int(b0.value("Model") or -1)
    serial = b0.value("Serial Number")
    assert b.serial_number == (int(serial) if serial else None)
    assert f"{b.version[0]}.{b.version[1]}" == b0.value("EDID Structure Version & Revision")
    made, model_year = b0.value("Made in"), b0.value("Model year")
    if model_year:
        assert (b.model_year, b.year, b.week) == (int(model_year), None, None)
    elif made and made.startswith("week"):
        week, year = re.fullmatch(r"week (\d+) of (\d+)", made).groups()  # type: ignore[union-attr]
        assert (b.week, b.year, b.model_year) == (int(week), int(year), None)
    else:
        assert (b.week, b.year, b.model_year) == (None, int(made or -1), None)
    assert b.digital == any(line.strip() == "Digital display" for line in b0.lines)
    size = b0.value("Maximum image size")
    assert b.size_cm == (tuple(int(v) for v in re.findall(r"\d+", size)) if size else None)
    # edid-decode keeps the descriptor's trailing padding spaces; we drop them on purpose.
    name = b0.value("Display Product Name")
    assert b.name == (name.strip("'").rstrip(" ") if name else None)
    sstr = b0.value("Display Product Serial Number")
    assert b.serial_string == ((sstr.strip("'").rstrip(" ") or None) if sstr else None)
    strings = [s.strip("'").rstrip(" ") for line in b0.lines if (s := _after(line, "Alphanumeric Data String"))]
    if not any("SPWG" in line for line in b0.lines):  # edid-decode reads SPWG panels' 0xFE blocks otherwise
        assert list(b.strings) == strings
    limits = next((line for line in b0.lines if "Monitor ranges" in line), None)
    if limits:
        kind, vmin, vmax, hmin, hmax = re.search(  # type: ignore[union-attr]
            r"\((.*)\): (\d+)-(\d+) Hz V, (\d+)-(\d+) kHz H", limits
        ).groups()
        r = b.range_limits
        assert r is not None
        assert (r.kind, r.min_v_hz, r.max_v_hz, r.min_h_khz, r.max_h_khz) == (
            kind,
            int(vmin),
            int(vmax),
            int(hmin),
            int(hmax),
        )
    for heading, ours in (
        ("Established Timings I & II", [m for m in b.established_timings if m.source != "ET III"]),
        ("Standard Timings", list(b.standard_timings)),
    ):
        # A code that is neither DMT nor clearly GTF/CVT gets two lines, "(EDID 1.4 source)" and
        # "(EDID 1.3 source)": the same mode computed both ways. Count it once.
        sec = [line for line in section(b0.lines, heading) if "(EDID 1.3 source)" not in line]
        want = [
            (int(w), int(h), i == "i", float(hz))
            for line in sec
            for w, h, i, hz in re.findall(r"(\d+)x(\d+)(i?)\s+([\d.]+) Hz", line)
        ]
        assert [(m.width, m.height, m.interlaced) for m in ours[: len(want)]] == [r[:3] for r in want]
        # We give the nominal rate of the code; edid-decode the exact rate of the DMT/GTF/CVT timing.
        assert all(abs(m.refresh_hz - r[3]) < 1.5 for m, r in zip(ours, want, strict=False))
    for colour in ("red", "green", "blue", "white"):
        xy = re.search(rf"{colour.capitalize()}\s*: ([\d.]+), ([\d.]+)", "\n".join(b0.lines))
        assert xy and getattr(b.chromaticity, colour) == (float(xy.group(1)), float(xy.group(2)))
    dtds = ref_timings(b0.lines, r"DTD \d+:")
    assert_timings(b.detailed_timings, dtds)
    pref = edid.preferred_mode
    if dtds:
        assert pref is not None and _t(pref) == _ref_t(dtds[0][0])
    else:
        # No DTD in block 0: edid-decode -p falls back to a DisplayID timing flagged preferred.
        did = [line for line in ref.preferred if "DisplayID" in line]
        lines = ref.preferred[ref.preferred.index(did[0]) + 1 :] if did else []
        want = next((t for line in lines if (t := timing(line))), None)
        assert (_t(pref) if pref else None) == (_ref_t(want) if want else None)


def ref_timings(lines: list[str], label: str) -> list[tuple[tuple[int, int, bool, float, int], tuple[int, ...] | None]]:
    """edid-decode's timings whose line starts with ``label`` ("DTD 1:", "DTD:"), with their porches."""
    out = []
    for i, line in enumerate(lines):
        if re.match(rf"\s+{label}", line) and (t := timing(line)):
            out.append((t, detailed(lines, i)))
    return out


def assert_timings(ours: tuple[DetailedTiming, ...], refs: list[tuple[Any, Any]]) -> None:
    assert [(t.width, t.height, t.interlaced, t.pixel_clock_khz) for t in ours] == [
        (r[0], r[1], r[2], r[4]) for r, _ in refs
    ]
    for t, (r, d) in zip(ours, refs, strict=True):
        porches = (
            t.h_front_porch,
            t.h_sync,
            t.h_back_porch,
            t.h_border,
            t.v_front_porch,
            t.v_sync,
            t.v_back_porch,
            t.v_border,
        )
        assert d is None or porches == d
        if d and t.interlaced and d[7]:
            # edid-decode 2022 leaves the border lines out of an interlaced field's total (it counts
            # them for progressive timings and for the line length); E-EDID 1.4 counts borders as
            # blanking, so the refresh is checked against its own printed fields, borders included.
            h_total = t.width + d[0] + d[1] + d[2] + 2 * d[3]
            v_total = t.height / 2 + d[4] + d[5] + d[6] + 2 * d[7] + 0.5
            assert t.refresh_hz == pytest.approx(t.pixel_clock_khz * 1000 / (h_total * v_total))
        else:
            assert round(t.refresh_hz, 3) == round(r[3], 3)


def section(lines: list[str], heading: str) -> list[str]:
    """The 4-space-indented lines under a 2-space-indented heading of block 0."""
    out: list[str] = []
    inside = False
    for line in lines:
        if re.match(r"  \S", line):
            inside = line.strip() == heading + ":"
        elif inside and line.startswith("    "):
            out.append(line)
    return out


def _after(line: str, label: str) -> str | None:
    s = line.strip()
    return s[len(label) + 2 :] if s.startswith(label + ": ") else None


def _t(t: object) -> tuple[int, int, bool, float, int]:
    return (t.width, t.height, t.interlaced, round(t.refresh_hz, 3), t.pixel_clock_khz)  # type: ignore[attr-defined]


def _ref_t(t: tuple[int, int, bool, float, int]) -> tuple[int, int, bool, float, int]:
    return (t[0], t[1], t[2], round(t[3], 3), t[4])


def check_blocks(edid: Edid, ref: Decoded, data: bytes) -> None:
    count = data[126]
    present = len(data) // 128
    ours = [e.tag for e in edid.extensions]
    theirs = [tag(b.name) for b in ref.blocks[1 : count + 1]]
    # edid-decode decodes every 128-byte block present; we decode the extension count's worth
    # (what drm_edid reads) and report the rest as an error, checked here.
    assert ours == theirs
    if present > count + 1:
        assert any(e.startswith(("extra blocks:", "trailing zero blocks:")) for e in edid.errors)
    if present < count + 1:
        assert f"truncated: {len(data)} bytes, expected {128 * (count + 1)}" in edid.errors
    for block in ref.blocks[: count + 1]:
        bad = [line for line in block.lines if line.startswith("Checksum:") and "should be" in line]
        if bad:
            have, want = re.findall(r"0x([0-9a-f]+)", bad[0])
            assert f"block {block.index}: checksum mismatch (0x{int(have, 16):02x} != 0x{want})" in edid.errors
    assert edid.checksum_ok == (all(b.checksum_ok for b in ref.blocks[: count + 1]) and present > count)


def check_cta(ext: CtaExtension, block: Block) -> None:
    sections = block.sections()
    headings = [re.sub(r", OUI .*$", "", s.heading) for s in sections]
    assert list(ext.data_blocks) == headings
    vdb = [s for s in sections if s.heading == "Video Data Block"]
    ref_vics = [int(m) for s in vdb for line in s.lines for m in re.findall(r"VIC\s+(\d+)", line)]
    assert [v.vic for v in ext.vics] == ref_vics
    for s in vdb:
        for line in s.lines:
            t = timing(line)
            vic = int(re.search(r"VIC\s+(\d+)", line).group(1))  # type: ignore[union-attr]
            mode = vic_mode(vic)
            assert (mode is None) == (t is None), line
            if mode and t:
                assert (mode.width, mode.height, mode.interlaced) == t[:3]
                assert round(mode.refresh_hz, 3) == round(t[3], 3)
    native = [int(m) for s in vdb for line in s.lines if "native" in line for m in re.findall(r"VIC\s+(\d+)", line)]
    assert [v.vic for v in ext.vics if v.native] == native
    audio = [s for s in sections if s.heading == "Audio Data Block"]
    ref_audio = []
    for s in audio:
        for line in s.lines:
            if re.match(r"    \S.*:$", line):
                ref_audio.append([line.strip()[:-1], None, ()])
            elif "Max channels:" in line:
                ref_audio[-1][1] = int(line.split(":")[1])
            elif "Supported sample rates" in line:
                ref_audio[-1][2] = tuple(float(v) for v in line.split(":")[1].split())
    assert [[a.format, a.max_channels, a.sample_rates_khz] for a in ext.audio] == ref_audio
    text = "\n".join(block.lines)
    if ext.hdmi:
        assert ext.hdmi.physical_address == re.search(r"Source physical address: (\S+)", text).group(1)  # type: ignore[union-attr]
        tmds = re.search(r"Maximum TMDS clock: (\d+) MHz", text)
        assert ext.hdmi.max_tmds_mhz == (int(tmds.group(1)) if tmds else None)
    if ext.hdmi_forum:
        rate = re.search(r"Maximum TMDS Character Rate: (\d+) MHz", text)
        assert ext.hdmi_forum.max_tmds_character_rate_mhz == (int(rate.group(1)) if rate else None)
        assert ext.hdmi_forum.scdc_present == ("SCDC Present" in text)
    hdr = [s for s in sections if s.heading == "HDR Static Metadata Data Block"]
    assert (ext.hdr_static_metadata is None) == (not hdr)
    if ext.hdr_static_metadata and hdr:
        h, lines = ext.hdr_static_metadata, [line.strip() for line in hdr[0].lines]
        assert list(h.eotfs) == [v for v in lines if "gamma" in v or v in ("SMPTE ST2084", "Hybrid Log-Gamma")]
        assert list(h.metadata_types) == [int(v.split()[-1]) for v in lines if v.startswith("Static metadata type")]
        lum = [float(m) for v in lines for m in re.findall(r"\(([\d.]+) cd/m\^2\)", v)]
        got = [
            v for v in (h.max_luminance_cd_m2, h.max_frame_avg_luminance_cd_m2, h.min_luminance_cd_m2) if v is not None
        ]
        assert got == pytest.approx(lum, abs=0.0006)
    colorimetry = [s for s in sections if s.heading == "Colorimetry Data Block"]
    if colorimetry:
        assert list(ext.colorimetry) == [v.strip() for v in colorimetry[0].lines]
    speakers = [s for s in sections if s.heading == "Speaker Allocation Data Block"]
    if speakers:
        assert list(ext.speakers) == [v.strip().split(" - ")[0] for v in speakers[0].lines]
    assert_timings(ext.detailed_timings, ref_timings(block.lines, r"DTD \d+:"))


def check_displayid(ext: DisplayIdExtension, block: Block) -> None:
    assert ext.version == block.value("Version")
    section_sums = [line for line in block.lines if line.startswith("  Checksum:")]
    assert ext.section_checksum_ok == (not section_sums or "should be" not in section_sums[-1])
    # Headings carry the tag and, for product ids and vendor blocks, the vendor; we list the names.
    headings = [re.sub(r" \(0x[0-9a-f]{2}\)|, (OUI|PNP ID) .*$", "", s.heading) for s in block.sections()]
    headings = [re.sub(r"^(Product Identification Data Block) \(.*\)$", r"\1", h) for h in headings]
    assert list(ext.data_blocks) == headings
    text = "\n".join(block.lines)
    assert_timings(ext.timings, ref_timings(block.lines, "DTD:"))
    tiles = re.search(r"Num horizontal tiles: (\d+) Num vertical tiles: (\d+)", text)
    tile = ext.tiled_topology
    assert (tile is None) == (tiles is None)
    if tile and tiles:
        loc = re.search(r"Tile location: (\d+), (\d+)", text).groups()  # type: ignore[union-attr]
        res = re.search(r"Tile resolution: (\d+)x(\d+)", text).groups()  # type: ignore[union-attr]
        assert (tile.h_tiles, tile.v_tiles) == tuple(map(int, tiles.groups()))
        assert (tile.h_location, tile.v_location) == tuple(map(int, loc))
        assert (tile.tile_width, tile.tile_height) == tuple(map(int, res))
        assert tile.vendor == block.value("Tiled Display Manufacturer/Vendor ID")
        assert tile.product_code == int(block.value("Tiled Display Product ID Code") or -1)
        assert tile.serial_number == int(block.value("Tiled Display Serial Number") or -1)
        assert tile.single_enclosure == ("single physical display enclosure" in text)
    if ext.product_id:
        p = ext.product_id
        # edid-decode prints the vendor in the heading: "PNP ID 'ABC'" (1.x) or "OUI 00-10-FA" (2.x).
        vendor = re.search(r"Product Identification Data Block.*(?:PNP ID '(...)'|OUI (\S+)):", text)
        assert vendor and p.vendor == (vendor.group(1) or vendor.group(2))
        assert p.product_code == int(block.value("Product Code") or -1)
        serial = block.value("Serial Number")
        assert p.serial_number == (int(serial) if serial else None)
        assert p.name == block.value("Product ID")
        year = block.value("Year of Manufacture") or block.value("Model Year") or ""
        assert (p.year or p.model_year) == int(year.split(",")[0])


@pytest.mark.parametrize("rel", INPUTS)
def test_edid_agrees_with_edid_decode(rel: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    path = resolve(rel, request)
    data = load(path, tmp_path)
    edid = decode_edid(data, PNP)
    json.dumps(edid.to_json())
    ref = edid_decode(path)
    check_base(edid, ref)
    check_blocks(edid, ref, data)
    for ext in edid.extensions:
        block = ref.blocks[ext.block]
        if isinstance(ext, CtaExtension):
            check_cta(ext, block)
        elif isinstance(ext, DisplayIdExtension):
            check_displayid(ext, block)
        else:
            assert ext.checksum_ok == block.checksum_ok


@pytest.mark.parametrize("rel", INPUTS)
def test_named_errors_agree_with_edid_decode_check(rel: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    path = resolve(rel, request)
    data = load(path, tmp_path)
    edid = decode_edid(data)
    assert edid.errors == MALFORMED.get(rel.removeprefix("edid/"), ())
    count = data[126]
    theirs = [m for n, msgs in check_messages(path).items() if n <= count for m in msgs]
    for ours_re, theirs_re in ERROR_KINDS:
        assert any(re.search(ours_re, e) for e in edid.errors) == any(re.search(theirs_re, m) for m in theirs), (
            ours_re,
            theirs,
        )
    kinds = [next((o for o, _ in ERROR_KINDS if re.search(o, e)), None) for e in edid.errors]
    unmapped = [e for e, k in zip(edid.errors, kinds, strict=True) if k is None and "checksum" not in e]
    assert unmapped == []
    # Checksums, block and DisplayID section alike: the same stored and expected bytes.
    ours = sorted(re.findall(r"checksum mismatch \(0x(\w\w) != 0x(\w\w)\)", " ".join(edid.errors)))
    assert ours == sorted(
        (have, want) for m in theirs for have, want in re.findall(r"Invalid checksum 0x(\w+) \(should be 0x(\w+)\)", m)
    )


@pytest.mark.parametrize("rel", INPUTS)
def test_serial_masked(rel: str, request: pytest.FixtureRequest, tmp_path: Path) -> None:
    data = load(resolve(rel, request), tmp_path)
    before, masked = decode_edid(data), decode_edid(serial_masked(data))
    assert len(serial_masked(data)) == len(data)
    assert masked.checksum_ok or not before.checksum_ok
    assert masked.base and masked.base.serial_number is None and masked.base.serial_string is None
    for ext in masked.extensions:
        if isinstance(ext, DisplayIdExtension):
            assert ext.product_id is None or ext.product_id.serial_number is None
            assert ext.tiled_topology is None or ext.tiled_topology.serial_number == 0
    keep = {"serial_number", "serial_string", "checksum_ok", "errors", "extensions"}
    assert {k: v for k, v in masked.to_json().items() if k not in keep} == {
        k: v for k, v in before.to_json().items() if k not in keep
    }


@pytest.mark.parametrize("rel", _corpus_files("edid/libdisplay-info-testdata/*.print"))
@pytest.mark.skipif(not PNP.is_file(), reason="hwdata's pnp.ids is not installed (apt-get install hwdata)")
def test_libdisplay_info_expected_print(rel: str, corpus: Path) -> None:
    # di-edid-print's make (PNP name), model (name, else product code) and serial (string, else number).
    want = dict(line.split(": ", 1) for line in (corpus / rel).read_text().splitlines() if ": " in line)
    edid = decode_edid((corpus / rel).with_suffix(".edid").read_bytes(), PNP)
    b = edid.base
    assert b is not None
    assert edid.manufacturer_name == want["make"]
    assert (b.name or f"0x{b.product_code:04X}") == want["model"]
    serial = b.serial_string or (f"0x{b.serial_number:08X}" if b.serial_number else None)
    assert (serial or "{null}") == want["serial"]


@pytest.mark.parametrize("rel", _corpus_files("edid/linuxhw-EDID/**/*.txt"))
def test_linuxhw_decodes(rel: str, corpus: Path) -> None:
    """linuxhw's own decode (a newer edid-decode run by hw-probe; serials masked as '...')."""
    txt = (corpus / rel).read_text(errors="replace")
    binary = (corpus / rel).with_suffix(".bin")
    if not binary.exists():
        # Two captures of a monitor that returned no EDID at all; an empty input is named as such.
        assert txt.strip() == "EDID of 'stdin' was empty."
        assert decode_edid(b"").errors == ("empty: no EDID data",)
        return
    edid = decode_edid(binary.read_bytes())
    ref = parse_output(txt)
    b, b0 = edid.base, ref.blocks[0]
    assert b is not None
    assert (b.manufacturer_id, b.product_code) == (b0.value("Manufacturer"), int(b0.value("Model") or -1))
    assert f"{b.version[0]}.{b.version[1]}" == b0.value("EDID Structure Version & Revision")
    name = b0.value("Display Product Name")
    assert b.name == (name.strip("'").rstrip(" ") if name else None)
    count = binary.read_bytes()[126]
    assert [e.tag for e in edid.extensions] == [tag(x.name) for x in ref.blocks[1 : count + 1]]
