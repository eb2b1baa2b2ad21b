"""Binary u64 counters (the /dev/cpu/N/msr format) in both sampler backends: sparse files with
values at register offsets stand in for the msr device, as tests/data/msr does."""

from __future__ import annotations

import os
import struct
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from hwinspector.probes.power.msr import read_msr
from hwinspector.probes.telemetry.sampler import Backend, SampleBlock, Sampler

DATA = Path(__file__).resolve().parents[2] / "data"
TSC, APERF = 0x10, 0xE8
BIG = (1 << 64) - 3  # float64 rounds this to 2**64: only the raw column keeps it exact


@pytest.fixture(params=["native", "python"])
def backend(request: pytest.FixtureRequest) -> Backend:
    name: Backend = request.param
    return name


def _put(path: Path, offset: int, value: int) -> None:
    """Write one register in place (a sparse file: the holes read as zeros)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        os.pwrite(fd, struct.pack("<Q", value), offset)
    finally:
        os.close(fd)


def _collect(s: Sampler, until: Callable[[SampleBlock], bool], timeout: float = 5.0) -> SampleBlock:
    end = time.monotonic() + timeout
    while True:
        time.sleep(0.02)
        block = s.drain()
        if (len(block.values) and until(block)) or time.monotonic() > end:
            return block


def test_registers_at_offsets_are_exact(tmp_path: Path, backend: Backend) -> None:
    msr = tmp_path / "msr"
    _put(msr, TSC, BIG)
    _put(msr, APERF, 12345)
    text = tmp_path / "energy_uj"
    text.write_text("777\n")
    with Sampler([(msr, TSC, "u64"), text, (msr, APERF, "u64")], 200, backend) as s:
        assert s.backend == backend and s.binary
        block = _collect(s, lambda b: True)
        _put(msr, APERF, 99)  # the register moves: the sampler follows it
        later = _collect(s, lambda b: bool(b.values[-1, 2] == 99))
    assert block.raw is not None and block.raw.dtype == np.uint64 and block.raw.shape == block.values.shape
    assert block.raw[-1].tolist() == [BIG, 0, 12345]  # text columns hold 0 in raw
    np.testing.assert_array_equal(block.values[-1], [float(BIG), 777, 12345])
    assert later.raw is not None and later.raw[-1].tolist() == [BIG, 0, 99]
    assert later.stats["read_errors"] == 0


def test_text_only_sampler_has_no_raw(tmp_path: Path, backend: Backend) -> None:
    text = tmp_path / "c"
    text.write_text("5\n")
    with Sampler([text], 200, backend) as s:
        assert not s.binary
        block = _collect(s, lambda b: True)
    assert block.raw is None and block.values[-1, 0] == 5


def test_matches_read_msr_on_the_real_fixture(backend: Backend) -> None:
    # The oracle: probes.power.msr.read_msr, the helper's one-shot reader, on the same file.
    dev = DATA / "msr" / "intel-xeon-e3-1270" / "dev" / "cpu" / "0" / "msr"
    regs = [r for r in (0x10, 0x3FD, 0x606, 0x611, 0x639, 0x641) if dev.stat().st_size >= r + 8]
    assert regs
    with Sampler([(dev, r, "u64") for r in regs], 200, backend) as s:
        block = _collect(s, lambda b: True)
    assert block.raw is not None
    assert block.raw[-1].tolist() == [read_msr(dev, r) for r in regs]
    assert block.stats["read_errors"] == 0


def test_short_read_gives_nan_and_counted_errors(tmp_path: Path, backend: Backend) -> None:
    msr = tmp_path / "msr"
    _put(msr, TSC, 5)  # the file ends at 0x18: a register past it reads short, like EIO
    with Sampler([(msr, TSC, "u64"), (msr, 0x14, "u64"), (msr, 0x100, "u64")], 200, backend) as s:
        block = _collect(s, lambda b: True)
        st = s.stats
    assert (block.values[:, 0] == 5).all() and np.isnan(block.values[:, 2]).all()
    assert block.raw is not None and (block.raw[:, 2] == 0).all()
    # 0x14 straddles the end: 4 bytes of the 8 are there, still a short read
    assert np.isnan(block.values[:, 1]).all()
    assert st["read_errors_by_channel"] == (0, st["ticks"], st["ticks"]) and st["ticks"] > 0


def test_read_error_is_counted(tmp_path: Path, backend: Backend) -> None:
    # pread on a directory fails (EISDIR) as the msr device fails with EIO for a missing register.
    d = tmp_path / "dir"
    d.mkdir()
    msr = tmp_path / "msr"
    _put(msr, TSC, 8)
    with Sampler([(d, TSC, "u64"), (msr, TSC, "u64")], 200, backend) as s:
        block = _collect(s, lambda b: True)
    assert np.isnan(block.values[:, 0]).all() and (block.values[:, 1] == 8).all()
    assert s.stats["read_errors_by_channel"] == (s.stats["ticks"], 0)


def test_register_file_behind_a_link_is_refused(tmp_path: Path, backend: Backend) -> None:
    # As read_msr does (O_NOFOLLOW): a link where a register file should be is not followed.
    msr = tmp_path / "msr"
    _put(msr, TSC, 3)
    link = tmp_path / "link"
    link.symlink_to(msr)
    with Sampler([(link, TSC, "u64"), (msr, TSC, "u64")], 200, backend) as s:
        block = _collect(s, lambda b: True)
    assert np.isnan(block.values[:, 0]).all() and (block.values[:, 1] == 3).all()
    assert s.stats["read_errors_by_channel"] == (s.stats["ticks"], 0)


def test_deleted_device_gives_nan_and_comes_back(tmp_path: Path, backend: Backend) -> None:
    msr0, msr1 = tmp_path / "msr0", tmp_path / "msr1"
    _put(msr0, TSC, 1)
    _put(msr1, TSC, 2)
    with Sampler([(msr0, TSC, "u64"), (msr1, TSC, "u64")], 200, backend) as s:
        _collect(s, lambda b: not np.isnan(b.values[-1]).any())
        msr1.unlink()  # the CPU goes offline
        gone = _collect(s, lambda b: bool(np.isnan(b.values[-1, 1])))
        assert np.isnan(gone.values[-1, 1]) and gone.values[-1, 0] == 1
        errors = gone.stats["read_errors_by_channel"]
        assert errors[1] > 0 and errors[0] == 0
        _put(msr1, TSC, 42)  # and back online: reopened
        back = _collect(s, lambda b: bool(b.values[-1, 1] == 42))
    assert back.raw is not None and back.raw[-1].tolist() == [1, 42]


@pytest.mark.parametrize(
    ("spec", "match"),
    [
        (("x", 16, "u32"), "u64"),
        (("x", -1, "u64"), "offset"),
        (("x", 1 << 63, "u64"), "offset"),
        (("x", True, "u64"), "u64"),
        (("x", 1.5, "u64"), "u64"),
        (("x", 16), "u64"),
        (("x\0y", 16, "u64"), "NUL"),
    ],
)
def test_invalid_binary_spec(tmp_path: Path, backend: Backend, spec: tuple[object, ...], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        Sampler([spec], 10, backend)  # type: ignore[list-item]
