"""perf counters in both sampler backends, against the software PMU every kernel with perf events has.

PERF_TYPE_SOFTWARE's cpu-clock counted system-wide on one CPU advances by the wall time (its share of
time is 100 %), task-clock of one thread by that thread's CPU time (the scheduler's sum_exec_runtime,
which time.thread_time_ns() also reads), and the dummy event never counts: known values without a GPU.
A copy of the software PMU's sysfs ``type`` file stands for a GPU PMU that can vanish and come back.
"""

from __future__ import annotations

import contextlib
import errno
import math
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from hwinspector.probes.telemetry.perf import (
    PERF_COUNT_SW_CPU_CLOCK,
    PERF_COUNT_SW_DUMMY,
    PERF_COUNT_SW_TASK_CLOCK,
    PerfCounter,
    read_paranoid,
)
from hwinspector.probes.telemetry.sampler import Backend, SampleBlock, Sampler
from tests.probes.sysfs_builder import call_unprivileged

SOFTWARE = Path("/sys/bus/event_source/devices/software")
pytestmark = pytest.mark.skipif(
    not (SOFTWARE / "type").exists() or read_paranoid() is None,
    reason="this kernel has no perf events (no software PMU in sysfs or no perf_event_paranoid)",
)


@pytest.fixture(params=["native", "python"])
def backend(request: pytest.FixtureRequest) -> Backend:
    name: Backend = request.param
    return name


@pytest.fixture
def pmu(tmp_path: Path) -> Path:
    """A PMU directory whose type is the software PMU's: deleting its type file makes the PMU vanish."""
    d = tmp_path / "fake_pmu"
    d.mkdir()
    shutil.copyfile(SOFTWARE / "type", d / "type")
    return d


def perf_fds() -> int:
    n = 0
    for fd in os.listdir("/proc/self/fd"):
        with contextlib.suppress(OSError):
            n += "perf_event" in os.readlink(f"/proc/self/fd/{fd}")
    return n


def _collect(s: Sampler, until: Callable[[SampleBlock], bool], timeout: float = 5.0) -> SampleBlock:
    """Drain (keeping every row) until ``until`` holds for what was gathered, or time runs out."""
    end = time.monotonic() + timeout
    parts: list[SampleBlock] = []
    while True:
        time.sleep(0.02)
        parts.append(s.drain())
        ts = np.concatenate([p.timestamps_ns for p in parts])
        vals = np.concatenate([p.values for p in parts])
        raws = [p.raw for p in parts if p.raw is not None]
        block = SampleBlock(ts, vals, parts[-1].stats, parts[-1].backend, np.concatenate(raws) if raws else None)
        if (len(ts) and until(block)) or time.monotonic() > end:
            return block


def test_clocks_count_what_the_kernel_says(backend: Backend) -> None:
    """cpu-clock system-wide: 1 ns per ns; as a delta: the time between reads; ratio of itself: 100 %;
    the dummy event over it: 0 %. All four share one group (one read per tick)."""
    t = str(SOFTWARE / "type")
    specs = [
        PerfCounter(t, PERF_COUNT_SW_CPU_CLOCK, cpu=0),
        PerfCounter(t, PERF_COUNT_SW_CPU_CLOCK, cpu=0, mode="delta"),
        PerfCounter(t, PERF_COUNT_SW_CPU_CLOCK, cpu=0, mode="ratio", config2=PERF_COUNT_SW_CPU_CLOCK),
        PerfCounter(t, PERF_COUNT_SW_DUMMY, cpu=0, mode="ratio", config2=PERF_COUNT_SW_CPU_CLOCK),
    ]
    with Sampler(specs, 100, backend) as s:
        assert s.open_errors() == (0, 0, 0, 0)
        block = _collect(s, lambda b: len(b.timestamps_ns) >= 30)
    assert block.raw is not None and block.raw.shape == block.values.shape
    ts, v = block.timestamps_ns, block.values
    assert math.isnan(v[0, 1]) and not np.isnan(v[1:]).any()  # a delta's first read has no value
    assert block.stats["read_errors"] == 0  # and that is not an error
    span = (ts[-1] - ts[0]) * 1.0
    # the rows' wake times and the counter's own clock drift apart by the read's jitter only
    assert (v[-1, 0] - v[0, 0]) / span == pytest.approx(1.0, abs=0.03)
    assert np.median(v[1:, 1] / np.diff(ts)) == pytest.approx(1.0, abs=0.03)
    assert (v[-1, 2] - v[0, 2]) / span == pytest.approx(1.0, abs=0.03)
    assert v[-1, 3] == 0.0
    assert block.raw[-1, 0] == int(v[-1, 0]) and block.raw[-1, 1] == int(v[-1, 1])


def test_task_clock_counts_this_threads_cpu_time(backend: Backend) -> None:
    """pid 0 is the thread that builds the sampler: a busy loop there shows up as its CPU time."""
    spec = PerfCounter(str(SOFTWARE / "type"), PERF_COUNT_SW_TASK_CLOCK, pid=0)
    s = Sampler([spec], 200, backend)
    try:
        t0 = time.thread_time_ns()
        s.start()  # the counter opens here, so it counts from about t0
        end = time.monotonic() + 0.3
        x = 0
        while time.monotonic() < end:
            x += 1
        t1 = time.thread_time_ns()
        time.sleep(0.15)  # rows after the loop: the thread sleeps, its count stands still
        block = _collect(s, lambda b: True)
    finally:
        s.close()
    busy = t1 - t0
    assert busy > 20e6  # the loop ran (on a shared machine not all 300 ms)
    assert block.values[-1, 0] == pytest.approx(busy, rel=0.1, abs=3e6)
    assert block.values[-1, 0] - block.values[-3, 0] < 1e6  # asleep: (almost) nothing more


def test_fds_open_only_while_running(backend: Backend, pmu: Path) -> None:
    specs = [PerfCounter(str(pmu / "type"), PERF_COUNT_SW_CPU_CLOCK, cpu=0), pmu / "type"]
    before = perf_fds()
    s = Sampler(specs, 100, backend)
    assert perf_fds() == before + 1
    s.start()
    s.stop()
    assert perf_fds() == before  # a stopped sampler holds no perf counter
    assert s.open_errors() == (0, 0)  # closed on purpose, not failed
    s.start()
    assert perf_fds() == before + 1 and s.open_errors() == (0, 0)
    s.close()
    assert perf_fds() == before


def test_a_vanished_pmu_reads_nan_and_comes_back(backend: Backend, pmu: Path) -> None:
    spec = PerfCounter(str(pmu / "type"), PERF_COUNT_SW_CPU_CLOCK, cpu=0)
    text = (pmu / "type").read_text()
    before = perf_fds()
    with Sampler([spec], 200, backend) as s:
        _collect(s, lambda b: bool(np.isfinite(b.values[-1, 0])))
        (pmu / "type").unlink()  # the driver is unbound: its PMU directory goes away
        block = _collect(s, lambda b: bool(np.isnan(b.values[-1, 0])))
        assert np.isnan(block.values[-1, 0]) and block.stats["read_errors"] > 0
        assert s.open_errors() == (errno.ENOENT,) and perf_fds() == before  # its counter is closed
        (pmu / "type").write_text(text)  # bound again
        block = _collect(s, lambda b: bool(np.isfinite(b.values[-1, 0])))
        assert np.isfinite(block.values[-1, 0]) and s.open_errors() == (0,)


def test_a_renumbered_pmu_is_reopened_with_its_new_type(backend: Backend, pmu: Path) -> None:
    """A rebound driver PMU gets a new type number: the counter follows it (here to the msr PMU's TSC)."""
    msr = Path("/sys/bus/event_source/devices/msr")
    if not (msr / "events" / "tsc").exists():
        pytest.skip("no msr PMU with a tsc event on this machine")
    spec = PerfCounter(str(pmu / "type"), 0, cpu=0)  # config 0: software cpu-clock, msr tsc
    with Sampler([spec], 100, backend) as s:
        first = _collect(s, lambda b: len(b.timestamps_ns) >= 5)
        (pmu / "type").write_text((msr / "type").read_text())
        later = _collect(s, lambda b: bool(np.diff(b.values[-3:, 0]).min() > 2 * np.diff(b.timestamps_ns[-3:]).max()))

    def rate(b: SampleBlock) -> float:
        ok = np.isfinite(b.values[:, 0])
        return float(np.median(np.diff(b.values[ok, 0][-3:]) / np.diff(b.timestamps_ns[ok][-3:])))

    assert rate(first) == pytest.approx(1.0, abs=0.05)  # ns per ns
    assert rate(later) > 2.0  # TSC ticks per ns (GHz)


def test_an_event_the_pmu_refuses_keeps_the_others(backend: Backend, pmu: Path) -> None:
    t = str(pmu / "type")
    specs = [PerfCounter(t, PERF_COUNT_SW_CPU_CLOCK, cpu=0), PerfCounter(t, 0xFFFF, cpu=0)]
    with Sampler(specs, 100, backend) as s:
        assert s.open_errors() == (0, errno.ENOENT)  # the software PMU has no event 0xffff
        block = _collect(s, lambda b: len(b.timestamps_ns) >= 5)
    assert np.isfinite(block.values[:, 0]).all() and np.isnan(block.values[:, 1]).all()
    assert block.stats["read_errors_by_channel"][0] == 0 and block.stats["read_errors_by_channel"][1] >= 5


def test_garbage_in_the_type_file_is_an_error(backend: Backend, pmu: Path) -> None:
    (pmu / "type").write_text("software\n")
    with Sampler([PerfCounter(str(pmu / "type"), 0, cpu=0)], 100, backend) as s:
        block = _collect(s, lambda b: len(b.timestamps_ns) >= 3)
        assert s.open_errors() == (errno.EINVAL,)
    assert np.isnan(block.values).all()


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"cpu": -1, "pid": -1}, "needs a CPU"),
        ({"cpu": 0, "mode": "sum"}, "mode"),
        ({"cpu": 0, "config": -1}, "config"),
        ({"cpu": -2}, "cpu"),
    ],
)
def test_invalid_perf_specs(kwargs: dict[str, object], match: str) -> None:
    args: dict[str, object] = {"type_path": str(SOFTWARE / "type"), "config": 0, **kwargs}
    with pytest.raises(ValueError, match=match):
        PerfCounter(**args)  # type: ignore[arg-type]


def _unprivileged_run(backend: str, type_path: str) -> tuple[tuple[int, ...], list[float]]:
    specs = [
        PerfCounter(type_path, PERF_COUNT_SW_CPU_CLOCK, cpu=0),
        PerfCounter(type_path, PERF_COUNT_SW_TASK_CLOCK, pid=0),
    ]
    s = Sampler(specs, 100, backend)  # type: ignore[arg-type]
    try:
        errs = s.open_errors()
        s.start()
        time.sleep(0.1)
        s.stop()
        last = s.drain().values[-1].tolist()
    finally:
        s.close()
    return errs, last


def test_paranoid_refuses_system_wide_counters_to_an_ordinary_user(backend: Backend) -> None:
    """As nobody, with perf_event_paranoid above 0: system-wide is EACCES (NaN), its own thread is fine."""
    paranoid = read_paranoid()
    if os.geteuid() != 0:
        pytest.skip("needs root to become an ordinary user")
    if paranoid is None or paranoid <= 0:
        pytest.skip(f"perf_event_paranoid is {paranoid}: system-wide counters are allowed to everyone here")
    errs, last = call_unprivileged(_unprivileged_run, backend, str(SOFTWARE / "type"))
    assert errs == (errno.EACCES, 0)
    assert math.isnan(last[0]) and last[1] > 0
