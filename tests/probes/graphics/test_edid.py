"""EDID decoder: hand-made EDIDs with known contents, malformed input, serial masking, text dumps."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hwinspector.probes.errors import InputFormatError
from hwinspector.probes.graphics.edid.cta import CtaExtension
from hwinspector.probes.graphics.edid.decode import decode_edid, edid_bytes, parse_edid_text, serial_masked
from hwinspector.probes.graphics.edid.displayid import DisplayIdExtension
from tests.probes.graphics.edid_samples import (
    CTA_DATA_BLOCKS,
    SAMPLES,
    analog_edid,
    base_block,
    cta_block,
    cta_edid,
    fix_checksum,
    tiled_edid,
    tiled_edid_v2,
)

SYSTEM_PNP = Path("/usr/share/hwdata/pnp.ids")

# --- the sample files: tests/data/edid/<name>.hex, also read by test_edid_oracle.py and the fuzz test ---


def write_hex(data: bytes) -> str:
    """edid-decode's hex layout: 16 bytes a line, a blank line between blocks."""
    blocks = [data[i : i + 128] for i in range(0, len(data), 128)]
    return "\n".join("".join(b[j : j + 16].hex(" ") + "\n" for j in range(0, 128, 16)) for b in blocks)


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_sample_files_are_current(name: str, data_dir: Path) -> None:
    text = (data_dir / "edid" / f"{name}.hex").read_text()
    assert parse_edid_text(text) == SAMPLES[name]()
    assert text == write_hex(SAMPLES[name]())


# --- the base block ---


def test_base_block_fields() -> None:
    edid = decode_edid(base_block(), pnp_ids=Path("/nonexistent"))
    b = edid.base
    assert b is not None
    assert edid.errors == () and edid.checksum_ok
    assert (b.manufacturer_id, b.product_code, b.serial_number) == ("HWI", 0x1234, 0x01020304)
    assert (b.name, b.serial_string, b.week, b.year, b.model_year) == ("HWI TEST 27", "SN12345", 12, 2021, None)
    assert (b.version, b.digital, b.bits_per_color, b.interface) == ((1, 4), True, 8, "DisplayPort")
    assert (b.size_cm, b.aspect_ratio, b.gamma) == ((53, 30), None, 2.2)
    assert b.dpms == ("standby", "suspend", "off")
    assert b.color_formats == ("RGB 4:4:4", "YCrCb 4:4:4") and b.color_type is None
    assert b.preferred_timing_native and b.srgb_default and b.continuous_frequency
    assert b.chromaticity.red == (0.6396, 0.33) and b.chromaticity.white == (0.3125, 0.3291)
    assert [(m.width, m.height, m.refresh_hz) for m in b.established_timings] == [
        (640, 480, 60.0),
        (800, 600, 60.0),
        (1024, 768, 60.0),
    ]
    assert [(m.width, m.height, m.refresh_hz) for m in b.standard_timings] == [(1920, 1080, 60.0), (1280, 1024, 60.0)]
    r = b.range_limits
    assert r is not None and (r.min_v_hz, r.max_v_hz, r.min_h_khz, r.max_h_khz) == (48, 75, 30, 83)
    assert (r.max_pixel_clock_mhz, r.kind) == (170, "GTF")
    assert b.descriptors == (
        "Detailed Timing",
        "Display Product Name",
        "Display Product Serial Number",
        "Display Range Limits",
    )
    pref = edid.preferred_mode
    assert pref is not None and (pref.width, pref.height, pref.pixel_clock_khz) == (1920, 1080, 148500)
    assert round(pref.refresh_hz, 3) == 60.0 and (pref.width_mm, pref.height_mm) == (531, 299)
    assert (pref.h_front_porch, pref.h_sync, pref.h_back_porch) == (88, 44, 148)
    assert (pref.v_front_porch, pref.v_sync, pref.v_back_porch) == (4, 5, 36)
    assert pref.hsync_positive and pref.vsync_positive and not pref.interlaced


def test_json_contract() -> None:
    j = decode_edid(cta_edid(), pnp_ids=Path("/nonexistent")).to_json()
    json.dumps(j)
    contract = {
        "checksum_ok": True,
        "errors": [],
        "manufacturer_id": "HWI",
        "manufacturer_name": None,
        "product_code": 0x1234,
        "serial_number": 0x01020304,
        "name": "HWI TEST 27",
        "serial_string": "SN12345",
        "week": 12,
        "year": 2021,
        "model_year": None,
        "version": "1.3",
        "digital": True,
        "size_cm": [53, 30],
        "preferred_mode": {
            "width": 1920,
            "height": 1080,
            "refresh_hz": 60.0,
            "pixel_clock_khz": 148500,
            "interlaced": False,
        },
    }
    assert {k: j[k] for k in contract} == contract
    assert [e["tag"] for e in j["extensions"]] == ["CTA-861"]
    assert j["extensions"][0]["block"] == 1 and j["extensions"][0]["checksum_ok"] is True


def test_pnp_names_come_from_the_given_file(tmp_path: Path) -> None:
    ids = tmp_path / "pnp.ids"
    ids.write_text("HWH\tSomeone Else\nHWI\tHW Inspector Test Displays\n")
    assert decode_edid(base_block(), ids).manufacturer_name == "HW Inspector Test Displays"
    assert decode_edid(base_block(manufacturer="ZZZ"), ids).manufacturer_name is None
    missing = decode_edid(base_block(), tmp_path / "absent.ids")
    assert missing.manufacturer_name is None and missing.base and missing.base.manufacturer_id == "HWI"


@pytest.mark.skipif(not SYSTEM_PNP.is_file(), reason="hwdata's pnp.ids is not installed (apt-get install hwdata)")
def test_pnp_names_from_hwdata() -> None:
    assert decode_edid(base_block(manufacturer="DEL")).manufacturer_name == "Dell Inc."


def test_size_is_an_aspect_ratio_only_in_edid_1_4() -> None:
    # E-EDID 1.4 section 3.6.2: one zero byte turns the other into an aspect ratio; 1.3 reads "variable".
    land14 = decode_edid(base_block(size_cm=(79, 0))).base
    port14 = decode_edid(base_block(size_cm=(0, 79))).base
    land13 = decode_edid(base_block(size_cm=(79, 0), version=(1, 3))).base
    assert land14 and (land14.size_cm, land14.aspect_ratio) == (None, 1.78)
    assert port14 and (port14.size_cm, port14.aspect_ratio) == (None, 0.56)
    assert land13 and (land13.size_cm, land13.aspect_ratio) == (None, None)
    assert decode_edid(base_block(size_cm=(0, 0))).to_json()["size_cm"] is None


def test_version_1_3_and_1_4_read_the_same_bytes_differently() -> None:
    b13 = decode_edid(base_block(version=(1, 3), video_input=0xA5, features=0x1B)).base
    b14 = decode_edid(base_block(version=(1, 4), video_input=0xA5, features=0x1B)).base
    assert b13 and b14
    assert (b13.bits_per_color, b13.interface, b13.color_type, b13.color_formats) == (
        None,
        "DFP 1.x TMDS",
        "Undefined",
        (),
    )
    assert (b14.bits_per_color, b14.interface, b14.color_type) == (8, "DisplayPort", None)
    assert b14.color_formats == ("RGB 4:4:4", "YCrCb 4:4:4", "YCrCb 4:2:2")
    assert b13.continuous_frequency and b14.continuous_frequency  # GTF in 1.3, continuous in 1.4


def test_model_year_and_unknown_week() -> None:
    my = decode_edid(base_block(week=0xFF, year=2019)).to_json()
    assert (my["week"], my["year"], my["model_year"]) == (None, None, 2019)
    yo = decode_edid(base_block(week=0, year=2008)).to_json()
    assert (yo["week"], yo["year"], yo["model_year"]) == (None, 2008, None)


def test_analog_display() -> None:
    b = decode_edid(analog_edid()).base
    assert b is not None
    assert (b.digital, b.analog_signal_level, b.analog_sync) == (
        False,
        "0.7/0.3",
        ("Separate", "Composite", "SyncOnGreen"),
    )
    assert (b.color_type, b.bits_per_color, b.interface, b.gamma) == ("RGB color", None, None, 2.4)
    assert decode_edid(analog_edid()).to_json()["digital"] is False


# --- malformed input: decoded as far as it goes, with named errors ---


def test_bad_checksum_is_named_and_the_rest_still_decodes() -> None:
    data = bytearray(base_block())
    data[0x7F] ^= 0x5A
    edid = decode_edid(bytes(data))
    good = base_block()[0x7F]
    assert edid.errors == (f"block 0: checksum mismatch (0x{good ^ 0x5A:02x} != 0x{good:02x})",)
    assert not edid.checksum_ok and edid.base and edid.base.name == "HWI TEST 27"


def test_truncated_extension() -> None:
    data = cta_edid()[:200]
    edid = decode_edid(data)
    assert edid.errors == ("truncated: 200 bytes, expected 256", "block 1: truncated (72 of 128 bytes)")
    assert not edid.checksum_ok
    cta = edid.extensions[0]
    assert isinstance(cta, CtaExtension) and [v.vic for v in cta.vics] == [16, 4, 31, 97, 1]


def test_truncated_base_block() -> None:
    edid = decode_edid(base_block()[:100])
    assert edid.errors == ("truncated: 100 bytes, expected 128",)
    assert edid.base and (edid.base.manufacturer_id, edid.base.name) == ("HWI", "HWI TEST 27")
    assert edid.base.range_limits is None  # descriptor 4 starts at byte 108


def test_trailing_zero_blocks_and_repeats() -> None:
    zeros = decode_edid(base_block() + bytes(256))
    assert zeros.errors == ("trailing zero blocks: 2 beyond extension count 0",) and zeros.extensions == ()
    assert zeros.checksum_ok  # the blocks the extension count covers are intact
    again = decode_edid(cta_edid() * 3)
    assert again.errors == ("extra blocks: 4 beyond extension count 1 (repeats of the EDID)",)
    odd = decode_edid(base_block() + b"\x01\x02\x03")
    assert odd.errors == ("trailing data: 3 bytes after 128, not whole 128-byte blocks",)


@pytest.mark.parametrize(
    ("version", "error"),
    [
        ((1, 5), "block 0: unknown EDID version 1.5, decoded as 1.4"),
        ((2, 0), "block 0: unknown EDID version 2.0, decoded as 1.4"),
        ((0, 0), "block 0: unknown EDID version 0.0, decoded as 1.4"),
    ],
)
def test_odd_version_bytes(version: tuple[int, int], error: str) -> None:
    edid = decode_edid(base_block(version=version))
    assert edid.errors == (error,)
    assert edid.to_json()["version"] == f"{version[0]}.{version[1]}"
    assert edid.base and edid.base.interface == "DisplayPort"  # read with the 1.4 rules


def test_no_header_empty_and_garbage() -> None:
    assert decode_edid(b"").errors == ("empty: no EDID data",)
    junk = decode_edid(b"\x01" * 50)
    assert junk.errors == ("block 0: no EDID header", "truncated: 50 bytes, expected 128")
    assert junk.base is None and junk.to_json()["manufacturer_id"] is None
    bent = bytearray(base_block())
    bent[0] = 0x42
    fixed = decode_edid(bytes(bent))
    assert fixed.errors[0] == "block 0: bad header (42 ff ff ff ff ff ff 00), decoded anyway"
    assert fixed.base and fixed.base.name == "HWI TEST 27"


# --- CTA-861 ---


def test_cta_video_audio_hdmi_hdr() -> None:
    edid = decode_edid(cta_edid())
    assert edid.errors == ()
    cta = edid.extensions[0]
    assert isinstance(cta, CtaExtension)
    assert (cta.revision, cta.underscan, cta.basic_audio, cta.ycbcr444, cta.ycbcr422, cta.native_dtds) == (
        3,
        True,
        True,
        True,
        True,
        1,
    )
    assert [(v.vic, v.native) for v in cta.vics] == [(16, True), (4, False), (31, False), (97, False), (1, False)]
    modes = [(v.mode.width, v.mode.height, round(v.mode.refresh_hz, 3)) for v in cta.vics if v.mode]
    assert modes == [(1920, 1080, 60.0), (1280, 720, 60.0), (1920, 1080, 50.0), (3840, 2160, 60.0), (640, 480, 59.94)]
    assert [(a.format, a.max_channels, a.sample_rates_khz, a.bit_depths, a.max_bitrate_kbps) for a in cta.audio] == [
        ("Linear PCM", 2, (48.0, 44.1, 32.0), (24, 20, 16), None),
        ("AC-3", 6, (48.0, 44.1, 32.0), (), 640),
    ]
    assert cta.speakers == ("FL/FR", "LFE1", "FC")
    assert cta.hdmi and (cta.hdmi.physical_address, cta.hdmi.max_tmds_mhz) == ("1.0.0.0", 300)
    assert cta.hdmi.deep_color == ("DC_36bit", "DC_30bit", "DC_Y444")
    hf = cta.hdmi_forum
    assert hf and (hf.version, hf.max_tmds_character_rate_mhz, hf.scdc_present) == (1, 600, True)
    assert cta.colorimetry == ("BT2020YCC", "BT2020RGB")
    hdr = cta.hdr_static_metadata
    assert hdr and hdr.eotfs == ("Traditional gamma - SDR luminance range", "SMPTE ST2084", "Hybrid Log-Gamma")
    assert hdr.metadata_types == (1,)
    assert (hdr.max_luminance_cd_m2, hdr.max_frame_avg_luminance_cd_m2) == (603.666, 351.25)
    assert hdr.min_luminance_cd_m2 == pytest.approx(603.666 * (20 / 255) ** 2 / 100, abs=1e-4)
    assert [(t.width, t.height) for t in cta.detailed_timings] == [(1280, 720)]
    assert cta.data_blocks == (
        "Video Data Block",
        "Audio Data Block",
        "Speaker Allocation Data Block",
        "Vendor-Specific Data Block (HDMI)",
        "Vendor-Specific Data Block (HDMI Forum)",
        "Colorimetry Data Block",
        "HDR Static Metadata Data Block",
    )


def test_cta_data_block_overrunning_the_dtd_offset() -> None:
    block = bytearray(cta_edid()[128:])
    hdr = 4 + len(CTA_DATA_BLOCKS) - 7  # the HDR static metadata block comes last: header 0xE6
    assert block[hdr] == 0xE6
    block[hdr] += 1  # it now claims one byte more than the collection holds
    edid = decode_edid(base_block(version=(1, 3), extensions=1) + fix_checksum(block))
    assert edid.errors == (f"block 1: CTA-861 data block at byte {hdr} overruns its collection",)
    cta = edid.extensions[0]
    assert isinstance(cta, CtaExtension) and [v.vic for v in cta.vics] == [16, 4, 31, 97, 1]
    hdr_md = cta.hdr_static_metadata  # decoded from the bytes that are there
    assert hdr_md and hdr_md.max_luminance_cd_m2 == 603.666


def test_hdmi_forum_extension_override_sets_the_block_count() -> None:
    # HDMI 2.1 HF-EEODB: block 0 says 1 extension for old sources, the CTA block says 2.
    eeodb = bytes([0xE2, 0x78, 2])
    data = base_block(version=(1, 3), extensions=1) + cta_block(eeodb + CTA_DATA_BLOCKS) + tiled_edid()[128:]
    edid = decode_edid(data)
    assert edid.errors == () and edid.checksum_ok
    assert [e.tag for e in edid.extensions] == ["CTA-861", "DisplayID"]
    cta = edid.extensions[0]
    assert isinstance(cta, CtaExtension)
    assert cta.data_blocks[0] == "HDMI Forum EDID Extension Override Data Block"
    assert decode_edid(data[:256]).errors == ("truncated: 256 bytes, expected 384",)


# --- DisplayID ---


def test_displayid_tiled_topology() -> None:
    edid = decode_edid(tiled_edid())
    assert edid.errors == ()
    did = edid.extensions[0]
    assert isinstance(did, DisplayIdExtension)
    assert (did.version, did.product_type, did.section_checksum_ok) == ("1.2", "Standalone display device", True)
    t = did.tiled_topology
    assert t is not None
    assert (t.h_tiles, t.v_tiles, t.h_location, t.v_location) == (2, 1, 0, 0)
    assert (t.tile_width, t.tile_height, t.single_enclosure) == (2560, 2880, True)
    assert (t.vendor, t.product_code, t.serial_number) == ("HWI", 0x4242, 777)
    p = did.product_id
    assert p and (p.vendor, p.product_code, p.serial_number, p.year, p.name) == ("HWI", 0x4242, 777, 2031, "TILE")
    assert [(x.width, x.height, round(x.refresh_hz, 3), x.preferred) for x in did.timings] == [
        (2560, 2880, 59.982, True)
    ]


def test_displayid_2_tiled_topology_has_an_oui_vendor() -> None:
    did = decode_edid(tiled_edid_v2()).extensions[0]
    assert isinstance(did, DisplayIdExtension)
    assert (did.version, did.product_type) == ("2.0", "Desktop productivity display")
    t = did.tiled_topology
    assert t and (t.vendor, t.h_location, t.tile_width, t.tile_height) == ("00-10-FA", 1, 3008, 3384)
    assert [(x.width, x.pixel_clock_khz) for x in did.timings] == [(3008, 642000)]


def test_displayid_section_checksum_is_checked() -> None:
    data = bytearray(tiled_edid())
    data[128 + 5 + data[128 + 2]] ^= 1  # the section checksum byte; fix the block's own checksum
    data[128:] = fix_checksum(data[128:])
    edid = decode_edid(bytes(data))
    did = edid.extensions[0]
    assert isinstance(did, DisplayIdExtension) and not did.section_checksum_ok and did.checksum_ok
    assert len(edid.errors) == 1 and edid.errors[0].startswith("block 1: DisplayID section checksum mismatch")


# --- serial_masked ---


def test_serial_masked_removes_every_serial_and_fixes_checksums() -> None:
    data = tiled_edid()
    masked = serial_masked(data)
    assert len(masked) == len(data)
    changed = [i for i in range(len(data)) if data[i] != masked[i]]
    serial_text = [0x5A + 5 + i for i in range(13)]  # descriptor 3 is the serial string
    # DisplayID: product id block at byte 5 (serial at +8), tiled topology block at 24 (serial at +21)
    did_serials = [128 + 13 + i for i in range(4)] + [128 + 45 + i for i in range(4)]
    allowed = set(range(12, 16)) | set(serial_text) | {127} | set(did_serials) | {128 + 5 + data[130], 255}
    assert changed and set(changed) <= allowed
    edid = decode_edid(masked)
    assert edid.errors == () and edid.checksum_ok
    assert edid.base and (edid.base.serial_number, edid.base.serial_string) == (None, None)
    did = edid.extensions[0]
    assert isinstance(did, DisplayIdExtension) and did.product_id and did.tiled_topology
    assert (did.product_id.serial_number, did.tiled_topology.serial_number) == (None, 0)
    assert serial_masked(b"") == b"" and serial_masked(b"\x07" * 20) == b"\x07" * 12 + bytes(4) + b"\x07" * 4
    short = decode_edid(serial_masked(base_block()[:100]))  # cut inside descriptor 4: masked all the same
    assert short.base and (short.base.serial_number, short.base.serial_string) == (None, None)


# --- text dumps ---


def test_parse_edid_text_formats() -> None:
    data = cta_edid()
    rows = [data[i : i + 16].hex() for i in range(0, len(data), 16)]
    xrandr = "HDMI-1 connected\n\tEDID:\n" + "".join(f"\t\t{r}\n" for r in rows) + "\tnon-desktop: 0\n"
    carray = (
        "const unsigned char edid[] = {\n"
        + "".join("\t" + ", ".join(f"0x{b:02x}" for b in data[i : i + 8]) + ",\n" for i in range(0, len(data), 8))
        + "};\n"
    )
    qd = "<DATAOBJ><DATA><BLOCK0>" + data[:128].hex().upper() + "</BLOCK0><BLOCK1>" + data[128:].hex().upper()
    for text in (
        write_hex(data),
        "edid-decode (hex):\n\n" + write_hex(data) + "\n----\n",
        xrandr,
        carray,
        qd + "</BLOCK1></DATA></DATAOBJ>",
        "".join(rows),
    ):
        assert parse_edid_text(text) == data
    with pytest.raises(InputFormatError, match="no EDID hex dump found"):
        parse_edid_text("00 ff ff ff\nnot an edid\n", "dump.txt")


def test_edid_bytes_takes_binary_or_text() -> None:
    data = cta_edid()
    assert edid_bytes(data) == data
    assert edid_bytes(write_hex(data).encode()) == data
    assert edid_bytes(b"") == b""  # decode_edid names it: "empty: no EDID data"
    with pytest.raises(InputFormatError, match=r"^notes\.txt: no EDID hex dump found"):
        edid_bytes(b"just some notes\n", "notes.txt")
