"""Guards in the sampler (native and Python): a device's runtime_status read first at every tick; while it is
not active its channels are NaN (never 0), their fds closed, and nothing of it is opened."""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from hwinspector.probes.telemetry.sampler import Sampler

BACKENDS = ["native", "python"]


def _tree(root: Path, state: str = "active") -> tuple[Path, list[Path]]:
    dev = root / "card1" / "device"
    (dev / "power").mkdir(parents=True)
    (dev / "power" / "runtime_status").write_text(f"{state}\n")
    attrs = [dev / "gpu_busy_percent", dev / "hwmon" / "hwmon3" / "temp1_input"]
    attrs[1].parent.mkdir(parents=True)
    attrs[0].write_text("7\n")
    attrs[1].write_text("45000\n")
    return dev / "power" / "runtime_status", attrs


def _fds_on(paths: list[Path]) -> int:
    """Our own fds (any thread's) open on these files: /proc/self/fd's links name what each fd is."""
    wanted = {str(p) for p in paths}
    n = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            if os.readlink(f"/proc/self/fd/{fd}") in wanted:
                n += 1
        except OSError:
            continue  # closed between listdir and readlink
    return n


def _opened_by_anyone(fifo: Path) -> bool:
    """A FIFO's write end opens (O_NONBLOCK) only while some reader holds it open: ENXIO otherwise."""
    try:
        fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
    except OSError as exc:
        assert exc.errno == errno.ENXIO
        return False
    os.close(fd)
    return True


@pytest.fixture
def other(tmp_path: Path) -> Path:
    p = tmp_path / "unguarded"
    p.write_text("5\n")
    return p


@pytest.mark.timeout(30)
@pytest.mark.parametrize("backend", BACKENDS)
def test_flipping_runtime_status_gives_nan_closes_and_reopens_fds(backend: str, tmp_path: Path, other: Path) -> None:
    guard, attrs = _tree(tmp_path)
    s = Sampler([*attrs, other], 200.0, backend, guards=[guard, guard, None])
    marks: list[tuple[int, str]] = []
    fds: dict[str, list[int]] = {"active": [], "suspended": [], "unsupported": []}

    def phase(state: str, seconds: float) -> None:
        # marked before the write: a tick between its truncation and its write reads "" (asleep), which the
        # kernel's attribute never shows; that tick falls in the 30 ms skipped after each mark
        marks.append((time.monotonic_ns(), state))
        guard.write_text(f"{state}\n")  # in place, as the PM core changes it: same inode
        end = time.monotonic() + seconds
        time.sleep(0.05)  # a few ticks for the sampler to see it
        while time.monotonic() < end:
            fds[state].append(_fds_on(attrs))
            time.sleep(0.01)

    assert _fds_on(attrs) == 2 and s.asleep() == (False, False, False)
    s.start()
    try:
        phase("active", 0.3)
        phase("suspended", 0.3)
        assert s.asleep() == (True, True, False)
        attrs[0].write_text("9\n")  # changed while asleep: read again once awake
        phase("active", 0.3)
        phase("suspended", 0.3)
        phase("unsupported", 0.3)  # runtime PM off: always powered
    finally:
        s.stop()
    block = s.drain()
    s.close()
    assert set(fds["suspended"]) == {0}  # every fd on the GPU's files closed while it slept
    assert set(fds["active"]) == set(fds["unsupported"]) == {2}
    t, v = block.timestamps_ns, block.values
    bounds = [m[0] for m in marks] + [int(t[-1]) + 1]
    expect_busy = [7, None, 9, None, 9]
    for k, busy in enumerate(expect_busy):
        rows = (t >= bounds[k] + 30_000_000) & (t < bounds[k + 1])  # skip 30 ms around each flip
        assert rows.sum() >= 30, (k, rows.sum())
        if busy is None:
            assert np.isnan(v[rows, :2]).all()
        else:
            assert (v[rows, 0] == busy).all() and (v[rows, 1] == 45000).all()
        assert (v[rows, 2] == 5).all()  # the unguarded channel never stops
    stats = block.stats
    assert stats["read_errors"] == 0  # asleep is not an error
    counts = s.guard_counts()
    assert counts["guard_reads"] >= stats["ticks"]  # one pread of the guard per tick
    assert counts["asleep_reads"] == int(np.isnan(v[:, :2]).sum())


@pytest.mark.timeout(30)
@pytest.mark.parametrize("backend", BACKENDS)
def test_a_suspended_gpus_fifo_files_are_never_opened(backend: str, tmp_path: Path, other: Path) -> None:
    guard, attrs = _tree(tmp_path, "suspended")
    for a in attrs:  # an open() of a FIFO without O_NONBLOCK would hang: one of ours would be seen below
        a.unlink()
        os.mkfifo(a)
    seen: list[bool] = []
    stop = threading.Event()

    def watch() -> None:
        while not stop.is_set():
            seen.extend(_opened_by_anyone(a) for a in attrs)
            time.sleep(0.001)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        s = Sampler([*attrs, other], 500.0, backend, guards=[guard, guard, None])
        s.start()
        time.sleep(0.5)
        s.stop()
    finally:
        stop.set()
        watcher.join()
    block = s.drain()
    assert len(seen) > 100 and not any(seen)
    assert np.isnan(block.values[:, :2]).all() and (block.values[:, 2] == 5).all()
    assert block.stats["read_errors"] == 0
    # it wakes, with real files again: read at once
    for a in attrs:
        a.unlink()
        a.write_text("3\n")
    guard.write_text("active\n")
    s.start()
    time.sleep(0.2)
    s.stop()
    assert (s.drain().values[-10:, :2] == 3).all()
    s.close()
    assert _fds_on(attrs) == 0


@pytest.mark.parametrize("backend", BACKENDS)
def test_without_runtime_pm_a_guarded_channel_is_always_read(backend: str, tmp_path: Path) -> None:
    guard, attrs = _tree(tmp_path)
    guard.unlink()  # no power/runtime_status: no runtime PM, or a captured tree
    with Sampler(attrs, 100.0, backend, guards=[guard, guard]) as s:
        time.sleep(0.15)
    v = s.drain().values
    assert len(v) >= 5 and (v[:, 0] == 7).all()
    assert s.asleep() == (False, False)


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_unreadable_guard_means_asleep(backend: str, tmp_path: Path) -> None:
    guard, attrs = _tree(tmp_path)
    guard.unlink()
    guard.mkdir()  # opens, but every read fails (EISDIR): not "active", so asleep
    with Sampler(attrs, 100.0, backend, guards=[guard, guard]) as s:
        time.sleep(0.15)
    v = s.drain().values
    assert len(v) >= 5 and np.isnan(v).all()
    assert _fds_on(attrs) == 0


@pytest.mark.parametrize("backend", BACKENDS)
def test_guard_arguments_are_checked(backend: str, tmp_path: Path) -> None:
    guard, attrs = _tree(tmp_path)
    with pytest.raises(ValueError, match="guards has 1 entries for 2 paths"):
        Sampler(attrs, 10.0, backend, guards=[guard])
    with pytest.raises(ValueError, match="NUL"):
        Sampler(attrs, 10.0, backend, guards=["a\0b", None])


SHIM = Path(__file__).resolve().parents[2] / "data" / "gpu" / "eperm_pread.c"
_EPERM_RUN = """
import json, math, sys, time
from pathlib import Path
from hwinspector.probes.telemetry.sampler import Sampler
guard, busy, other, trigger, backend = sys.argv[1:6]
s = Sampler([busy, other], 200.0, backend, guards=[guard, None])
s.start()
marks = [time.monotonic_ns()]
for make in (True, False):
    time.sleep(0.3)
    marks.append(time.monotonic_ns())
    Path(trigger).touch() if make else Path(trigger).unlink()
time.sleep(0.3)
s.stop()
b = s.drain()
rows = [[int(t), [None if math.isnan(x) else x for x in r]] for t, r in zip(b.timestamps_ns, b.values.tolist())]
print(json.dumps({"marks": marks, "rows": rows, "errors": b.stats["read_errors"], **s.guard_counts()}))
s.close()
"""


@pytest.mark.timeout(60)
@pytest.mark.parametrize("backend", BACKENDS)
def test_eperm_from_a_guarded_read_means_asleep(backend: str, tmp_path: Path, other: Path) -> None:
    if shutil.which("gcc") is None:
        pytest.skip("gcc is not installed: the EPERM shim is built from C in the test")
    shim = tmp_path / "eperm.so"
    subprocess.run(["gcc", "-shared", "-fPIC", "-O1", "-o", str(shim), str(SHIM), "-ldl"], check=True)
    guard, attrs = _tree(tmp_path)
    trigger = tmp_path / "trigger"
    env = {**os.environ, "LD_PRELOAD": str(shim), "EPERM_SUFFIX": "/gpu_busy_percent", "EPERM_TRIGGER": str(trigger)}
    args = [str(guard), str(attrs[0]), str(other), str(trigger), backend]
    proc = subprocess.run(
        [sys.executable, "-c", _EPERM_RUN, *args], capture_output=True, text=True, env=env, timeout=50, check=False
    )
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    m = doc["marks"]
    phases = [
        [r for t, r in doc["rows"] if m[k] + 30_000_000 <= t < (m[k + 1] if k < 2 else 1 << 62)] for k in range(3)
    ]
    assert all(len(p) >= 30 for p in phases)
    assert all(r == [7, 5] for r in phases[0] + phases[2])  # read before and after
    assert all(r == [None, 5] for r in phases[1])  # EPERM: asleep, NaN, never 0
    assert doc["errors"] == 0 and doc["asleep_reads"] >= len(phases[1])
