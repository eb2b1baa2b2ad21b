"""MSR streams run in the native sampler (the Python one where it cannot load), exact and capped."""

from __future__ import annotations

import os
import struct
import sys
import time
from pathlib import Path

import pytest

from hwinspector.probes.privileged.protocol import MSR_MAX_RATE_HZ
from hwinspector.probes.privileged.server import Helper
from hwinspector.probes.privileged.sources import build_registry
from hwinspector.probes.privileged.stream import Stream
from tests.probes.privileged.helper_tree import build_roots

TSC = 0x10
BIG_TSC = (1 << 60) + 1  # past 2**53: a float64 would round it


def _rows(h: Helper, want: int = 3, timeout: float = 5.0) -> list[list[object]]:
    end = time.monotonic() + timeout
    rows: list[list[object]] = []
    while len(rows) < want and time.monotonic() < end:
        time.sleep(0.05)
        got = h.handle({"op": "stream_read"})
        rows += got["rows"]
    return rows


def _set_tsc(tmp_path: Path, value: int) -> None:
    fd = os.open(tmp_path / "dev/cpu/0/msr", os.O_WRONLY)
    try:
        os.pwrite(fd, struct.pack("<Q", value), TSC)
    finally:
        os.close(fd)


@pytest.mark.parametrize("hide_native", [False, True])
def test_msr_batches_are_exact_from_the_sampler(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, hide_native: bool
) -> None:
    if hide_native:  # a helper without the extension falls back to the Python sampler
        monkeypatch.setitem(sys.modules, "hwinspector.probes.telemetry._sampler", None)
    h = Helper(build_roots(tmp_path))
    _set_tsc(tmp_path, BIG_TSC)
    got = h.handle({"op": "stream_start", "ids": ["msr:cpu0:tsc"], "rate_hz": 200})
    assert got["ok"] is True and got["backend"] == ("python" if hide_native else "native")
    try:
        rows = _rows(h)
        assert len(rows) >= 3 and all(r[1] == BIG_TSC for r in rows)
        ts = [int(str(r[0])) for r in rows]
        assert ts == sorted(ts)
        (tmp_path / "dev/cpu/0/msr").unlink()  # the CPU goes offline: None, and the stream goes on
        seen: list[object] = []
        end = time.monotonic() + 5
        while None not in seen and time.monotonic() < end:
            seen += [r[1] for r in _rows(h, 1)]
        assert None in seen
    finally:
        assert h.handle({"op": "stream_stop"})["ok"] is True


def test_msr_rate_is_capped(tmp_path: Path) -> None:
    reg = build_registry(build_roots(tmp_path))
    s = Stream([reg.sources["msr:cpu0:tsc"]], MSR_MAX_RATE_HZ * 10)
    try:
        assert s.rate_hz == MSR_MAX_RATE_HZ and s.backend == "native"
        assert s._sampler.rate_hz == MSR_MAX_RATE_HZ
    finally:
        s.close()
