"""The high-rate sampler: both backends against real files, unplug, garbage, leaks and fallback."""

from __future__ import annotations

import gc
import math
import os
import random
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as hs

from hwinspector.probes.errors import ProbeUnavailable
from hwinspector.probes.telemetry import sampler as sampler_mod
from hwinspector.probes.telemetry.sampler import Backend, SampleBlock, Sampler
from hwinspector.probes.telemetry.sampler_python import PythonSampler, parse_counter

BACKENDS = ["native", "python"]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> Backend:
    name: Backend = request.param
    return name


def _write(path: Path, value: int) -> None:
    """Rewrite in place at fixed width: no truncation, so a concurrent pread never sees ''."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        os.pwrite(fd, f"{value:012d}\n".encode(), 0)
    finally:
        os.close(fd)


def _counters(tmp_path: Path, values: list[int]) -> list[Path]:
    paths = [tmp_path / f"c{i}" for i in range(len(values))]
    for p, v in zip(paths, values, strict=True):
        _write(p, v)
    return paths


def _collect(s: Sampler, until: Callable[[np.ndarray], bool], timeout: float = 5.0) -> SampleBlock:
    """Drain until the newest row satisfies ``until`` (or time runs out); return the last block."""
    end = time.monotonic() + timeout
    while True:
        time.sleep(0.02)
        block = s.drain()
        if (len(block.values) and until(block.values[-1])) or time.monotonic() > end:
            return block


def _tasks() -> int:
    return len(os.listdir("/proc/self/task"))


def _eventually(cond: Callable[[], bool], timeout: float = 2.0) -> bool:
    # Python threads are detached: join() returns when the thread's Python code is done, the
    # kernel task goes away a moment later.
    end = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > end:
            return False
        time.sleep(0.005)
    return True


def test_values_follow_file_contents(tmp_path: Path, backend: Backend) -> None:
    paths = _counters(tmp_path, [1, 20, 300])
    with Sampler(paths, 200, backend) as s:
        assert s.backend == backend and s.notice is None
        first = _collect(s, lambda row: bool(np.all(row == [1, 20, 300])))
        np.testing.assert_array_equal(first.values[-1], [1, 20, 300])
        _write(paths[1], 123456789012)
        _write(paths[2], -5)
        later = _collect(s, lambda row: bool(np.all(row == [1, 123456789012, -5])))
        np.testing.assert_array_equal(later.values[-1], [1, 123456789012, -5])
    # Every row is the old or the new content of each file, never anything else.
    assert set(later.values[:, 1]) <= {20.0, 123456789012.0}
    assert set(later.values[:, 2]) <= {300.0, -5.0}
    assert later.backend == backend
    assert later.timestamps_ns.dtype == np.int64 and later.values.dtype == np.float64
    assert later.stats["read_errors"] == 0 and later.stats["ticks"] > 0


def test_decimal_negative_and_spaced_values(tmp_path: Path, backend: Backend) -> None:
    contents = ["-42\n", "3.25\n", "  7 \t\n", "1e3", "+8", "18446744073709551615\n"]
    paths = [tmp_path / f"v{i}" for i in range(len(contents))]
    for p, c in zip(paths, contents, strict=True):
        p.write_text(c)
    with Sampler(paths, 100, backend) as s:
        block = _collect(s, lambda row: True)
    np.testing.assert_array_equal(block.values[-1], [-42, 3.25, 7, 1000, 8, float(2**64 - 1)])
    assert block.stats["read_errors"] == 0


def test_rate_reached(tmp_path: Path, backend: Backend) -> None:
    with Sampler(_counters(tmp_path, [1]), 200, backend) as s:
        time.sleep(1.0)
        s.stop()
        block = s.drain()
    # Generous: CI is a noisy 2-core VM. Every deadline is either sampled or counted as missed;
    # on an overloaded machine a few may be missed (the Python backend's thread waits for a CPU).
    st = block.stats
    assert 180 <= st["ticks"] + st["missed_ticks"] <= 220
    assert len(block.timestamps_ns) >= 150
    steps = np.diff(block.timestamps_ns)
    assert np.all(steps > 0)
    assert 4e6 <= np.median(steps) <= 6e6
    assert st["ticks"] == len(block.timestamps_ns)
    assert 0 <= st["lateness_p50_ns"] <= st["lateness_p99_ns"] < 1_000_000_000
    assert 0 < st["cpu_seconds"] < 1.0


def test_deleted_channel_gives_nan_and_counted_errors(tmp_path: Path, backend: Backend) -> None:
    paths = _counters(tmp_path, [1, 2, 3])
    with Sampler(paths, 200, backend) as s:
        _collect(s, lambda row: not np.isnan(row).any())
        paths[1].unlink()  # the device goes away
        gone = _collect(s, lambda row: bool(np.isnan(row[1])))
        assert np.isnan(gone.values[-1, 1])
        np.testing.assert_array_equal(gone.values[-1, [0, 2]], [1, 3])
        errors = gone.stats["read_errors_by_channel"]
        assert errors[1] > 0 and errors[0] == errors[2] == 0
        assert gone.stats["read_errors"] >= errors[1]
        _write(paths[1], 42)  # and comes back: the path is reopened
        back = _collect(s, lambda row: row[1] == 42)
        np.testing.assert_array_equal(back.values[-1], [1, 42, 3])


def test_replaced_file_is_followed(tmp_path: Path, backend: Backend) -> None:
    paths = _counters(tmp_path, [1, 2])
    with Sampler(paths, 200, backend) as s:
        _collect(s, lambda row: row[0] == 1)
        tmp = tmp_path / "new"
        _write(tmp, 99)
        os.replace(tmp, paths[0])  # new inode at the same path (a re-enumerated device)
        block = _collect(s, lambda row: row[0] == 99)
    np.testing.assert_array_equal(block.values[-1], [99, 2])
    assert block.stats["read_errors"] == 0


@pytest.mark.parametrize("content", ["abc\n", "", "12abc", "nan", "inf", "0x10", "1_000", "1.2.3", "1e", "-"])
def test_garbage_gives_nan_and_error(tmp_path: Path, backend: Backend, content: str) -> None:
    good, bad = tmp_path / "good", tmp_path / "bad"
    good.write_text("5\n")
    bad.write_text(content)
    with Sampler([good, bad], 200, backend) as s:
        block = _collect(s, lambda row: True)
    assert block.values[-1, 0] == 5 and np.isnan(block.values[:, 1]).all()
    st = s.stats
    assert st["read_errors_by_channel"] == (0, st["ticks"]) and st["read_errors"] == st["ticks"]


def test_oversized_file_is_an_error(tmp_path: Path, backend: Backend) -> None:
    big = tmp_path / "big"
    big.write_text("1" * 63 + "\n")  # 64 bytes: no single counter is that long
    with Sampler([big], 200, backend) as s:
        block = _collect(s, lambda row: True)
    assert np.isnan(block.values).all() and s.stats["read_errors"] == s.stats["ticks"] > 0


def test_read_error_is_counted(tmp_path: Path, backend: Backend) -> None:
    # pread on a directory fails (EISDIR), as reads of an unplugged sysfs device fail (ENODEV).
    ok = _counters(tmp_path, [7])[0]
    d = tmp_path / "dir"
    d.mkdir()
    with Sampler([d, ok], 200, backend) as s:
        block = _collect(s, lambda row: True)
    assert np.isnan(block.values[:, 0]).all() and (block.values[:, 1] == 7).all()
    assert s.stats["read_errors_by_channel"] == (s.stats["ticks"], 0) and s.stats["ticks"] > 0


def test_missing_at_start_reads_nan_until_it_appears(tmp_path: Path, backend: Backend) -> None:
    late = tmp_path / "late"
    with Sampler([late], 200, backend) as s:
        first = _collect(s, lambda row: True)
        assert np.isnan(first.values).all() and first.stats["read_errors"] > 0
        _write(late, 11)
        block = _collect(s, lambda row: row[0] == 11)
    assert block.values[-1, 0] == 11


def test_scale(tmp_path: Path, backend: Backend) -> None:
    paths = _counters(tmp_path, [2_000_000, 3])
    with Sampler(paths, 100, backend, scale=[1e-6, -2.0]) as s:
        block = _collect(s, lambda row: True)
    np.testing.assert_allclose(block.values[-1], [2.0, -6.0])


def test_any_order_of_calls_is_safe(tmp_path: Path, backend: Backend) -> None:
    s = Sampler(_counters(tmp_path, [1, 2]), 1000, backend)
    ops: list[Callable[[], object]] = [s.start, s.stop, s.drain, lambda: s.stats, lambda: time.sleep(0.01)]
    rows = 0
    rng = random.Random(1234)
    for op in [s.drain, s.stop, s.start, s.start, s.drain, s.stop, s.stop, *rng.choices(ops, k=150)]:
        result = op()
        if isinstance(result, SampleBlock):
            rows += len(result.timestamps_ns)
            assert result.values.shape == (len(result.timestamps_ns), 2)
    s.close()
    s.close()
    s.stop()
    rows += len(s.drain().timestamps_ns)
    st = s.stats
    assert st["ticks"] > 0
    assert rows + st["overwritten"] == st["ticks"]
    with pytest.raises(ValueError, match="closed"):
        s.start()


def test_context_manager_stops_thread_and_keeps_rows(tmp_path: Path, backend: Backend) -> None:
    with Sampler(_counters(tmp_path, [4]), 500, backend) as s:
        tid = s.native_id
        assert tid > 0 and Path(f"/proc/self/task/{tid}").exists()
        time.sleep(0.1)
    assert s.native_id == 0 and _eventually(lambda: not Path(f"/proc/self/task/{tid}").exists())
    block = s.drain()
    assert len(block.values) > 10 and (block.values == 4).all()


def test_garbage_collected_while_running_stops(tmp_path: Path, backend: Backend) -> None:
    fds = len(os.listdir("/proc/self/fd"))
    s = Sampler(_counters(tmp_path, [4, 5]), 500, backend)
    s.start()
    tid = s.native_id
    assert Path(f"/proc/self/task/{tid}").exists()
    del s
    gc.collect()
    assert _eventually(lambda: not Path(f"/proc/self/task/{tid}").exists())
    assert len(os.listdir("/proc/self/fd")) == fds


def test_no_fd_or_thread_leaks(tmp_path: Path, backend: Backend) -> None:
    paths = [*_counters(tmp_path, [1, 2, 3]), tmp_path / "missing"]
    fds, tasks, pythreads = len(os.listdir("/proc/self/fd")), _tasks(), threading.active_count()
    for i in range(1000):  # the reliability target: 1,000 start/stop cycles
        if i % 3 == 0:
            with Sampler(paths, 2000, backend) as s:
                s.drain()
        elif i % 3 == 1:
            s = Sampler(paths, 2000, backend)
            s.start()
            s.stop()
            s.start()
            s.close()
        else:
            s = Sampler(paths, 2000, backend)
            s.start()
            del s  # collected while running
    gc.collect()
    # A leak grows the table; earlier tests' pipes closing late (GC) may shrink it meanwhile.
    assert len(os.listdir("/proc/self/fd")) <= fds
    assert _eventually(lambda: _tasks() == tasks)
    assert threading.active_count() == pythreads


def test_skipped_deadlines_are_counted(tmp_path: Path, backend: Backend) -> None:
    """Hold the GIL for ~0.3 s (sum over a range never releases it): the Python backend misses those
    deadlines and must count them; the native one keeps sampling. Either way, ticks plus skipped
    deadlines account for the elapsed time."""
    s = Sampler(_counters(tmp_path, [1]), 1000, backend)
    start = time.monotonic()
    with s:
        time.sleep(0.1)
        t0 = time.monotonic()
        sum(range(30_000_000))
        held = time.monotonic() - t0
        time.sleep(0.1)
    elapsed = time.monotonic() - start
    st = s.stats
    deadlines = st["ticks"] + st["missed_ticks"]
    assert abs(deadlines - elapsed * 1000) <= 0.05 * elapsed * 1000 + 20
    assert st["late_ticks"] <= st["ticks"]
    if backend == "python":
        assert st["late_ticks"] >= 1 and st["missed_ticks"] >= 0.5 * held * 1000
    else:
        assert st["missed_ticks"] < 0.5 * held * 1000


def test_lateness_percentiles_match_timestamps(tmp_path: Path, backend: Backend) -> None:
    """Rebuild each tick's deadline from the drained wake times (first deadline = first wake, the
    schedule skipping missed deadlines) and compare with the reported percentiles. The first
    tick's own lateness shifts every value alike, so the p99 - p50 spread must match exactly."""
    s = Sampler(_counters(tmp_path, [1]), 500, backend)
    with s:
        time.sleep(0.6)
        s.stop()
        ts = s.drain().timestamps_ns
    period, deadline, lateness = s.period_ns, int(ts[0]), []
    for t in ts.tolist():
        late = t - deadline
        lateness.append(late)
        deadline += (late // period + 1) * period if late > period else period
    e50, e99 = np.percentile(lateness, [50, 99])
    st = s.stats
    assert st["ticks"] == len(ts)
    assert abs((st["lateness_p99_ns"] - st["lateness_p50_ns"]) - (e99 - e50)) <= 2
    assert 0 <= st["lateness_p50_ns"] - e50 < 1_000_000


@pytest.mark.parametrize("make", ["native", "python"])
def test_ring_overwrites_oldest_and_counts(tmp_path: Path, make: str) -> None:
    """A ring of 16 rows drained rarely: the newest rows survive, the rest are counted as lost; a
    consumer draining all the time never sees a torn or out-of-order row."""
    path = os.fsencode(_counters(tmp_path, [3])[0])
    impl: sampler_mod._Impl
    if make == "native":
        from hwinspector.probes.telemetry import _sampler

        impl = sampler_mod._NativeImpl(_sampler.NativeSampler, [path], 100_000, 16, False)
    else:
        impl = PythonSampler([path], 100_000, 16, False)
    impl.start()
    last = -1
    rows = 0
    deadline = time.monotonic() + 0.5
    while time.monotonic() < deadline:
        ts, vals = impl.drain()
        assert len(ts) <= 16 and (vals == 3).all()
        if len(ts):
            assert ts[0] > last and np.all(np.diff(ts) > 0)
            last = int(ts[-1])
        rows += len(ts)
        time.sleep(random.choice([0, 0, 0.0005, 0.005]))
    impl.stop()
    ts, _ = impl.drain()
    rows += len(ts)
    c = impl.counters()
    assert c["overwritten"] > 0
    assert rows + c["overwritten"] == c["ticks"]
    impl.close()


def test_realtime_reported_honestly(tmp_path: Path, backend: Backend) -> None:
    def can_fifo() -> bool:
        ok: list[bool] = []

        def probe() -> None:
            try:
                os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(1))
                ok.append(True)
            except OSError:
                ok.append(False)

        t = threading.Thread(target=probe)
        t.start()
        t.join()
        return ok[0]

    with Sampler(_counters(tmp_path, [1]), 200, backend, realtime=True) as s:
        stat = Path(f"/proc/self/task/{s.native_id}/stat").read_text()
        policy = int(stat.rsplit(")", 1)[1].split()[38])  # field 41, after "(comm)"
        assert s.realtime_granted == can_fifo() == s.stats["realtime"]
        assert policy == (os.SCHED_FIFO if s.realtime_granted else os.SCHED_OTHER)


def test_live_sysfs_counter() -> None:
    rx = Path("/sys/class/net/lo/statistics/rx_bytes")
    if not rx.exists():
        pytest.skip("no /sys/class/net/lo/statistics on this machine")
    before = int(rx.read_text())
    with Sampler([rx], 500) as s:
        time.sleep(0.2)
        s.stop()
        block = s.drain()
    after = int(rx.read_text())
    v = block.values[:, 0]
    assert len(v) > 0 and before <= v.min() and v.max() <= after and np.all(np.diff(v) >= 0)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"paths": [], "rate_hz": 10}, "at least one path"),
        ({"rate_hz": 0}, "rate_hz"),
        ({"rate_hz": -5}, "rate_hz"),
        ({"rate_hz": 10_001}, "rate_hz"),
        ({"rate_hz": math.nan}, "rate_hz"),
        ({"rate_hz": 10, "scale": [1.0, 2.0]}, "scale"),
        ({"rate_hz": 10, "history_s": 0}, "history_s"),
        ({"rate_hz": 10, "backend": "gpu"}, "backend"),
        ({"paths": ["a\0b"], "rate_hz": 10}, "NUL"),
    ],
)
def test_invalid_arguments(tmp_path: Path, kwargs: dict[str, object], match: str) -> None:
    args: dict[str, object] = {"paths": [tmp_path / "x"], **kwargs}
    with pytest.raises(ValueError, match=match):
        Sampler(**args)  # type: ignore[arg-type]


@pytest.fixture
def native_hidden(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    # None in sys.modules makes any import of the extension fail, as on a machine without it.
    monkeypatch.setitem(sys.modules, "hwinspector.probes.telemetry._sampler", None)
    yield


@pytest.mark.usefixtures("native_hidden")
def test_native_requested_but_missing_raises(tmp_path: Path) -> None:
    with pytest.raises(ProbeUnavailable, match=r"_sampler.*backend='python'"):
        Sampler([tmp_path / "x"], 10, "native")


@pytest.mark.usefixtures("native_hidden")
def test_auto_falls_back_with_notice(tmp_path: Path) -> None:
    with Sampler(_counters(tmp_path, [6]), 100) as s:
        assert s.backend == "python"
        assert s.notice is not None and "pure-Python" in s.notice and "_sampler" in s.notice
        block = _collect(s, lambda row: row[0] == 6)
    assert block.backend == "python" and block.values[-1, 0] == 6


def test_auto_prefers_native(tmp_path: Path) -> None:
    s = Sampler([tmp_path / "x"], 10)
    assert s.backend == "native" and s.notice is None


# Both parsers must agree on anything a counter file can hold (under 64 bytes), and match Python's
# own float() on well-formed decimals.
_ALPHABET = b"0123456789+-.eE \t\n\r\v\fx_an\x00i"


@settings(max_examples=2000, deadline=None)
@given(hs.lists(hs.sampled_from(list(_ALPHABET)), max_size=63).map(bytes))
def test_parsers_agree(data: bytes) -> None:
    from hwinspector.probes.telemetry import _sampler

    a, b = parse_counter(data), _sampler.parse(data)
    assert (math.isnan(a) and math.isnan(b)) or a == b


@settings(max_examples=1000, deadline=None)
@given(hs.from_regex(r"\A[ \n]?[+-]?([0-9]{1,25}(\.[0-9]{0,8})?|\.[0-9]{1,8})([eE][+-]?[0-9]{1,3})?\n?\Z"))
def test_native_parser_matches_python_float(text: str) -> None:
    from hwinspector.probes.telemetry import _sampler

    assert _sampler.parse(text.encode()) == float(text)
