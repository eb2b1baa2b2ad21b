"""gpu_metrics: every revision of kgd_pp_interface.h laid out, real blobs decoded and cross-checked with hwmon."""

from __future__ import annotations

import shutil
import struct
import subprocess
from pathlib import Path

import pytest

from hwinspector.probes.errors import InputFormatError
from hwinspector.probes.gpu.hexdump import looks_like_text, parse_hex_dump
from hwinspector.probes.gpu.metrics import decode, header, raw_fields_json
from hwinspector.probes.gpu.metrics_layout import LAYOUTS, UNSUPPORTED, size_of
from tests.probes.gpu.captured import blob

REAL = {"rx7800xt": (1, 3), "rx6900xt": (1, 3), "phoenix": (2, 1), "strixpoint": (3, 0)}


@pytest.mark.parametrize(("name", "revision"), REAL.items())
def test_the_ctypes_layout_has_the_size_real_firmware_writes_in_the_header(
    name: str, revision: tuple[int, int]
) -> None:
    size, fmt, content = header(blob(name))
    assert (fmt, content) == revision
    assert size_of(revision) == size


def test_every_revision_of_the_header_is_known() -> None:
    # torvalds/linux kgd_pp_interface.h: v1_0..v1_6, v2_0..v2_4, v3_0.
    assert sorted(LAYOUTS) == [(1, c) for c in range(7)] + [(2, c) for c in range(5)] + [(3, 0)]


def test_the_kernels_note_on_v1_0_alignment_shows_in_the_layout() -> None:
    # v1_0 puts a u64 right after the 4-byte header: natural alignment pads it to offset 8.
    fields = [n for n, _, _ in LAYOUTS[(1, 0)]]
    assert fields[3] == "system_clock_counter"
    assert size_of((1, 0)) % 8 == 0
    assert size_of((1, 1)) == 96  # the header comment calls v1_1 and later "naturally aligned"


def test_rx7800xt_blob_agrees_with_the_hwmon_files_captured_with_it() -> None:
    d = decode(blob("rx7800xt"))
    v = {r.key: r.value for r in d.readings}
    # hwmon4 in the same capture: temp1/2/3_input 24000/31000/48000, power1_average 32000000,
    # fan1_input 868, in0_input (vddgfx) 985, freq1_input (sclk) 2011 MHz, freq2_input (mclk) 456 MHz.
    assert v["temperature_c.edge"] == 24
    assert v["temperature_c.junction"] == 31
    assert v["temperature_c.mem"] == 48
    assert v["power_w.average"] == 32
    assert v["fan_rpm"] == 868
    assert v["voltage_mv.gfx"] == 985
    assert v["clock_mhz.gfx"] == 2011
    assert v["clock_mhz.mem"] == 456
    assert v["link_gts.pcie"] == pytest.approx(16.0)


def test_unsupported_fields_are_absent_never_a_value() -> None:
    d = decode(blob("rx7800xt"))
    assert "average_socclk_frequency" in d.unsupported  # 0xffff in the captured blob
    assert "clock_mhz.soc_average" not in {r.key for r in d.readings}
    assert not any(r.value in (0xFFFF, 0xFFFFFFFF) for r in d.readings)
    assert raw_fields_json(d)["average_socclk_frequency"] is None


def test_phoenix_apu_centi_degrees_milliwatts_and_per_core_values() -> None:
    d = decode(blob("phoenix"))
    v = {r.key: r.value for r in d.readings}
    assert v["temperature_c.gfx"] == pytest.approx(25.0)  # 2500 centi-°C; hwmon temp1_input 25000
    assert v["power_w.average"] == pytest.approx(3.4, abs=0.01)  # mW; hwmon power1_average 3.103 W
    assert sum(1 for k in v if k.startswith("temperature_c.core")) == 8
    assert sum(1 for k in v if k.startswith("power_w.core")) == 8
    assert "clock_mhz.gfx" not in v  # current_gfxclk is 0xffff on Phoenix: only the average is given
    assert v["clock_mhz.gfx_average"] == 800  # hwmon freq1_input 800 MHz


def test_strix_point_v3_0_core_c0_residency_and_power() -> None:
    d = decode(blob("strixpoint"))
    v = {r.key: r.value for r in d.readings}
    c0 = [v[f"residency_percent.core{i}_c0"] for i in range(16)]
    assert all(0 <= x <= 100 for x in c0)
    assert max(c0) == 15
    assert v["clock_mhz.gfx_average"] == 849  # hwmon freq1_input 848 MHz a moment apart
    assert v["temperature_c.gfx"] == pytest.approx(38.12)  # hwmon temp1_input 38000
    assert v["power_w.apu"] == pytest.approx(9.84, abs=0.01)  # hwmon power1_average 9.087 W


def test_a_full_sysfs_page_decodes_by_the_header_size() -> None:
    page = blob("rx6900xt").ljust(4096, b"\0")
    assert decode(page).structure_size == 120


def _synthetic(revision: tuple[int, int]) -> bytes:
    """A blob where every field is unsupported (all ones) except the header and one value field."""
    raw = bytearray(b"\xff" * size_of(revision))
    struct.pack_into("<HBB", raw, 0, size_of(revision), *revision)
    return bytes(raw)


@pytest.mark.parametrize("revision", sorted(LAYOUTS))
def test_every_revision_decodes_and_an_all_unsupported_blob_gives_no_reading(revision: tuple[int, int]) -> None:
    d = decode(_synthetic(revision))
    assert d.revision == revision
    assert d.readings == ()
    assert d.unsupported


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x78\x00", "shorter than the 4-byte"),
        (struct.pack("<HBB", 120, 1, 9) + bytes(116), "v1_9 is not a revision"),
        (struct.pack("<HBB", 100, 1, 3) + bytes(116), "has 120 bytes"),
        (blob("rx7800xt")[:60], "truncated v1_3"),
    ],
)
def test_bad_blobs_give_one_line_reasons(data: bytes, message: str) -> None:
    with pytest.raises(InputFormatError, match=message) as info:
        decode(data, "x.bin")
    assert "\n" not in str(info.value)


def test_units_differ_by_revision_from_the_same_raw_number() -> None:
    # 2500 in temperature_* is 2500 °C read as a v1_3 (whole degrees) and 25 °C as v2_1 (centi-degrees).
    v13 = bytearray(_synthetic((1, 3)))
    struct.pack_into("<H", v13, 4, 2500)
    v21 = bytearray(_synthetic((2, 1)))
    struct.pack_into("<H", v21, 4, 2500)
    assert decode(bytes(v13)).readings[0].value == 2500
    assert decode(bytes(v21)).readings[0].value == 25


# --- pasted hex dumps: the real tools print them, our parser gives the same bytes back ---------------


@pytest.mark.parametrize(
    "argv",
    [["xxd"], ["xxd", "-p"], ["hexdump", "-C"], ["hexdump"], ["od", "-x"], ["od", "-t", "x1"], ["od", "-A", "x", "-x"]],
)
@pytest.mark.parametrize("name", ["rx7800xt", "strixpoint", "rx6900xt-page"])
def test_hex_dumps_of_the_same_blob_give_its_bytes(tmp_path: Path, argv: list[str], name: str) -> None:
    if shutil.which(argv[0]) is None:
        pytest.skip(f"{argv[0]} is not installed (Debian: xxd, bsdextrautils, coreutils)")
    data = blob("rx6900xt").ljust(4096, b"\0") if name == "rx6900xt-page" else blob(name)
    f = tmp_path / "gpu_metrics"
    f.write_bytes(data)
    text = subprocess.run([*argv, str(f)], capture_output=True, text=True, check=True).stdout
    assert looks_like_text(text.encode())
    assert parse_hex_dump(text) == data


def test_binary_blobs_are_not_taken_for_text() -> None:
    assert not looks_like_text(blob("rx7800xt"))


@pytest.mark.parametrize(
    "text",
    ["", "hello world\n", "00000000: zz00 0103\n", "0000000 0078 0301\n0000040 0018\n", "abc"],
)
def test_what_is_no_dump_is_refused_with_a_reason(text: str) -> None:
    with pytest.raises(InputFormatError):
        parse_hex_dump(text)


def test_unsupported_marker_values_match_the_field_widths() -> None:
    assert UNSUPPORTED == {"B": 0xFF, "H": 0xFFFF, "I": 0xFFFFFFFF, "Q": 2**64 - 1}
