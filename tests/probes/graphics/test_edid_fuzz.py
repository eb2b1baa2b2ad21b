"""Random and mutated EDIDs: no exception escapes the decoder, and what it returns is valid JSON."""

from __future__ import annotations

import json
import os
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hwinspector.probes.errors import InputFormatError
from hwinspector.probes.graphics.edid.decode import decode_edid, parse_edid_text, serial_masked

DATA = Path(__file__).resolve().parents[2] / "data" / "edid"

# Reproducible in CI: a fixed example budget, derandomized, no example database; ~5 s in all.
FUZZ = settings(
    max_examples=400,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _seeds() -> list[bytes]:
    """The hand-made EDIDs, plus the corpus's real ones when the corpus is there."""
    seeds = [parse_edid_text(p.read_text()) for p in sorted(DATA.glob("*.hex"))]
    env = os.environ.get("HWINSPECTOR_CORPUS")
    corpus = Path(env) if env else Path(__file__).resolve().parents[4] / "shared" / "corpus"
    if corpus.is_dir():
        seeds += [p.read_bytes() for p in sorted(corpus.glob("edid/**/*.bin"))]
        seeds += [p.read_bytes() for p in sorted(corpus.glob("edid/libdisplay-info-testdata/*.edid"))]
    return seeds


SEEDS = _seeds()


def _fix_checksums(data: bytearray) -> None:
    for start in range(0, len(data) - 127, 128):
        data[start + 127] = -sum(data[start : start + 127]) & 0xFF


def check(data: bytes) -> None:
    edid = decode_edid(data)
    assert all(isinstance(e, str) for e in edid.errors)
    assert edid.checksum_ok in (True, False)
    json.dumps(edid.to_json())
    masked = serial_masked(data)
    assert len(masked) == len(data)
    json.dumps(decode_edid(masked).to_json())


@FUZZ
@given(st.binary(min_size=0, max_size=1024))
def test_random_bytes(data: bytes) -> None:
    check(data)


@FUZZ
@given(
    st.binary(min_size=120, max_size=120),
    st.lists(
        st.tuples(st.sampled_from([0x02, 0x10, 0x40, 0x50, 0x70, 0xF0, 0x00, 0xFF]), st.binary(min_size=127)),
        max_size=3,
    ),
    st.integers(0, 4),
)
def test_random_blocks_behind_a_valid_header(base: bytes, exts: list[tuple[int, bytes]], count: int) -> None:
    # With a good header, good checksums and real extension tags, the random bytes reach the
    # CTA-861 and DisplayID parsers instead of stopping at the first check.
    data = bytearray(bytes.fromhex("00ffffffffffff00") + base)
    data[126] = count
    for tag_byte, body in exts:
        data += bytes([tag_byte]) + body[:127]
    _fix_checksums(data)
    check(bytes(data))


@FUZZ
@given(
    st.sampled_from(SEEDS),
    st.lists(
        st.one_of(
            st.tuples(st.just("flip"), st.integers(0, 2047), st.integers(1, 255)),
            st.tuples(st.just("truncate"), st.integers(0, 2047), st.just(0)),
            st.tuples(st.just("extend"), st.integers(1, 300), st.integers(0, 255)),
        ),
        min_size=1,
        max_size=8,
    ),
    st.booleans(),
)
def test_mutated_real_edids(seed: bytes, mutations: list[tuple[str, int, int]], fix: bool) -> None:
    data = bytearray(seed)
    for op, a, b in mutations:
        if op == "flip" and data:
            data[a % len(data)] ^= b
        elif op == "truncate":
            del data[a:]
        elif op == "extend":
            data += bytes([b]) * a
    if fix:
        _fix_checksums(data)
    check(bytes(data))


@FUZZ
@given(st.text(max_size=600))
def test_text_dumps_parse_or_say_why(text: str) -> None:
    try:
        data = parse_edid_text(text, "fuzz.txt")
    except InputFormatError as e:
        assert str(e).startswith("fuzz.txt: ")
    else:
        assert data and len(data) % 128 == 0
        check(data)
