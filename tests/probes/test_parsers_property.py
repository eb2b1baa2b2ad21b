"""Property-based: any bytes given to the dump, recording and kernel-log parsers end in a result or in
their documented one-line error, never in another exception. (Longer runs: benchmarks/fuzz.py.)"""

from __future__ import annotations

import contextlib
import gzip
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hwinspector.probes.devices.udevdump import parse_dump
from hwinspector.probes.errors import InputFormatError
from hwinspector.probes.kernel_log import find_firmware_failures, parse_dmesg_text, parse_kmsg_record
from hwinspector.probes.telemetry.recording import read_recording

FAST = settings(
    max_examples=300, derandomize=True, database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
LINE = st.one_of(
    st.sampled_from(
        [
            "",
            "P: /devices/pci0000:00",
            "P: /devices/x/y",
            "E: SUBSYSTEM=pci",
            "E: DRIVER=i915",
            "A: product=Cam\\n",
            "H: edid=00ffff",
            "L: driver=../../bus/usb/drivers/usb",
            "N: bus/usb/001",
            "E: =x",
            "E: NOEQ",
            "MODALIAS=pci:v1",
            "#c",
            "S: disk/by-id/x",
            "L: 0",
        ]
    ),
    st.text(max_size=40),
)


@FAST
@given(st.lists(LINE, max_size=40))
def test_dump_parser_never_raises_anything_else(lines: list[str]) -> None:
    text = "\n".join(lines)
    try:
        dump = parse_dump(text, "x")
    except InputFormatError as exc:
        assert "\n" not in str(exc)
        return
    paths = [d.path for d in dump.devices]
    assert len(paths) == len(set(paths))
    for d in dump.devices:
        assert d.parent is None or d.parent in paths


@FAST
@given(st.binary(max_size=2048))
def test_dump_parser_on_raw_bytes(data: bytes) -> None:
    with contextlib.suppress(InputFormatError):
        parse_dump(data.decode("utf-8", "replace"), "x")


HEADER = (
    b'{"type": "header", "format": "hwinspector-recording", "version": 1, "channels": '
    b'[{"id": "a", "label": "A", "unit": "W", "kind": "gauge", "rate_hz": 1}], '
    b'"clock": {"monotonic_ns": 0, "realtime_ns": 0}}\n'
)
RECORD = st.one_of(
    st.sampled_from(
        [
            b'{"type": "rows", "ch": [0], "t": [1], "v": [[1.0]]}',
            b'{"type": "rows", "ch": [5], "t": [1], "v": [[1]]}',
            b'{"type": "marker", "t": 3, "note": "x"}',
            b'{"type": "end"}',
            b'{"type": "rows"}',
            b"[]",
            b"null",
            b'{"type": "rows", "ch": [0], "t": ["a"], "v": [["b"]]}',
        ]
    ),
    st.binary(max_size=60),
)


@FAST
@given(st.lists(RECORD, max_size=12), st.booleans())
def test_recording_reader_never_raises_anything_else(records: list[bytes], cut: bool) -> None:
    body = gzip.compress(HEADER + b"\n".join(records) + b"\n")
    if cut:
        body = body[: len(body) // 2]
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "r.jsonl.gz"
        p.write_bytes(body)
        try:
            rec = read_recording(p)
        except InputFormatError:
            return
        for t, v in rec.series.values():
            assert len(t) == len(v)


@FAST
@given(st.text(max_size=400))
def test_kernel_log_parsers_never_raise(text: str) -> None:
    lines = parse_dmesg_text(text)
    find_firmware_failures(lines)
    for raw in text.splitlines():
        parse_kmsg_record(raw)
