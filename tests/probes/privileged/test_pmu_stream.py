"""GPU PMU counters through the helper: offered by id from its own discovery, streamed by the sampler.

The fake machine's i915 and power PMUs carry the software PMU's type number (pmu_trees), so the helper
really opens perf events: busy is cpu-clock counted system-wide, whose count grows by the wall time.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from hwinspector.probes.graphics.pmu_channels import intel_pmu_channels
from hwinspector.probes.privileged.protocol import PMU_MAX_RATE_HZ, RAPL_MAX_RATE_HZ
from hwinspector.probes.privileged.server import Helper
from hwinspector.probes.privileged.sources import Roots
from hwinspector.probes.telemetry.perf import read_paranoid, system_wide_refusal
from tests.probes.graphics import pmu_trees as trees
from tests.probes.privileged.helper_tree import build_roots, spawn_helper
from tests.probes.privileged.test_server import Pipe

SOFTWARE = Path("/sys/bus/event_source/devices/software/type")
pytestmark = pytest.mark.skipif(
    not SOFTWARE.exists() or read_paranoid() is None or system_wide_refusal() is not None,
    reason="the helper runs as root: these tests need the right to count system-wide (root or CAP_PERFMON)",
)
BUSY = "gpu:0000:00:02.0/pmu/rcs0/busy"
RC6 = "gpu:0000:00:02.0/pmu/gt0/rc6"
IRQ = "gpu:0000:00:02.0/pmu/interrupts"
ENERGY = "gpu:0000:00:02.0/pmu/energy"


def pmu_roots(tmp: Path) -> Roots:
    roots = build_roots(tmp)
    sw = int(SOFTWARE.read_text())
    trees.i915_on_software(roots.sysfs, sw)
    trees.power_on_software(roots.sysfs, sw)
    return roots


def _rows(h: Helper, want: int, timeout: float = 5.0) -> list[list[object]]:
    end = time.monotonic() + timeout
    rows: list[list[object]] = []
    while len(rows) < want and time.monotonic() < end:
        time.sleep(0.05)
        rows += h.handle({"op": "stream_read"})["rows"]
    return rows


@pytest.fixture
def helper(tmp_path: Path) -> Iterator[Helper]:
    h = Helper(pmu_roots(tmp_path))
    yield h
    h.close()


def test_listed_under_the_telemetry_channels_ids(tmp_path: Path, helper: Helper) -> None:
    listed = helper.handle({"op": "list"})
    pmu = {s["id"]: s for s in listed["sources"] if s["kind"] == "pmu"}
    assert set(pmu) == {BUSY, RC6, IRQ, ENERGY}
    # the GUI asks the helper for a channel it may not open itself: the same ids
    assert set(pmu) == {c.id for c in intel_pmu_channels(tmp_path / "sys")}
    assert pmu[BUSY]["unit"] == "ns" and pmu[BUSY]["mode"] == "total"
    assert pmu[ENERGY]["unit"] == "Joules" and "energy-gpu" in pmu[ENERGY]["description"]
    assert "pmu_stream_start" in listed["ops"] and "pmu" not in listed["absent"]


@pytest.mark.parametrize("hide_native", [False, True])
def test_pmu_stream_gives_exact_counts(helper: Helper, monkeypatch: pytest.MonkeyPatch, hide_native: bool) -> None:
    if hide_native:  # a helper without the extension falls back to the Python sampler
        monkeypatch.setitem(sys.modules, "hwinspector.probes.telemetry._sampler", None)
    got = helper.handle({"op": "pmu_stream_start", "ids": [IRQ, RC6, BUSY], "rate_hz": 100})
    assert got["ok"] is True, got
    assert got["backend"] == ("python" if hide_native else "native")
    assert got["rate_hz"] == 100 and got["capped"] is False and got["open_errors"] == {}
    rows = _rows(helper, 10)
    assert len(rows) >= 10 and all(len(r) == 4 for r in rows)
    assert all(isinstance(v, int) for r in rows for v in r)
    t = [int(str(r[0])) for r in rows]
    busy = [int(str(r[3])) for r in rows]
    assert [int(str(r[2])) for r in rows] == [0] * len(rows)  # the dummy event: RC6 never counts
    # cpu-clock grows by the wall time between two rows (the read's jitter apart)
    assert (busy[-1] - busy[0]) / (t[-1] - t[0]) == pytest.approx(1.0, abs=0.05)
    assert helper.handle({"op": "stream_stop"})["ok"] is True


def test_energy_is_capped_like_rapl_and_others_at_the_pmu_rate(helper: Helper) -> None:
    got = helper.handle({"op": "pmu_stream_start", "ids": [ENERGY], "rate_hz": 1000})
    assert got["ok"] is True and got["capped"] is True and got["rate_hz"] == RAPL_MAX_RATE_HZ
    got = helper.handle({"op": "pmu_stream_start", "ids": [BUSY], "rate_hz": 1000})
    assert got["ok"] is True and got["capped"] is True and got["rate_hz"] == PMU_MAX_RATE_HZ


@pytest.mark.parametrize(
    ("req", "says"),
    [
        ({"op": "pmu_stream_start", "ids": [BUSY], "type": 1, "config": 0}, "unexpected field"),
        (
            {"op": "pmu_stream_start", "ids": ["perf:total:0x0:0x0:0:-1:/sys/bus/event_source/devices/software/type"]},
            "not offered",
        ),
        ({"op": "pmu_stream_start", "ids": [BUSY, "msr:cpu0:tsc"]}, "PMU ids"),
        ({"op": "pmu_stream_start", "ids": ["msr:cpu0:tsc"]}, "PMU ids"),
        ({"op": "stream_start", "ids": [BUSY]}, "pmu_stream_start"),
        ({"op": "read", "ids": [BUSY]}, "streamed only"),
        ({"op": "pmu_stream_start", "ids": []}, "non-empty list"),
        ({"op": "pmu_stream_start", "ids": [BUSY], "rate_hz": "fast"}, "rate_hz"),
    ],
)
def test_requests_name_ids_never_events(helper: Helper, req: dict[str, object], says: str) -> None:
    got = helper.handle(dict(req))
    assert got["ok"] is False and says in str(got["error"])
    assert helper.handle({"op": "hello"})["ok"] is True  # and it keeps answering


def test_a_pmu_that_vanishes_mid_stream_reads_none(tmp_path: Path) -> None:
    roots = pmu_roots(tmp_path)
    h = Helper(roots)
    try:
        assert h.handle({"op": "pmu_stream_start", "ids": [BUSY], "rate_hz": 100})["ok"] is True
        assert _rows(h, 3)
        (roots.sysfs / "bus/event_source/devices/i915/type").unlink()  # the driver is unbound
        seen: list[object] = []
        end = time.monotonic() + 5
        while None not in seen and time.monotonic() < end:
            seen += [r[1] for r in _rows(h, 1)]
        assert None in seen
    finally:
        h.close()


def test_through_the_helpers_own_io_loop(tmp_path: Path) -> None:
    proc = spawn_helper(pmu_roots(tmp_path))
    pipe = Pipe(proc)
    try:
        got = pipe.ask({"op": "pmu_stream_start", "ids": [BUSY], "rate_hz": 50, "id": 7})
        assert got["ok"] is True and got["id"] == 7 and got["ids"] == [BUSY]
        time.sleep(0.3)
        rows = pipe.ask({"op": "stream_read"})["rows"]
        assert isinstance(rows, list) and len(rows) >= 3 and all(isinstance(r[1], int) for r in rows)
        assert pipe.ask({"op": "stream_stop"})["ok"] is True
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        code = proc.wait(timeout=10)
        for f in (proc.stdout, proc.stderr):
            if f is not None:
                f.close()
    assert code == 0  # it left when its input ended, the stream's counters closed with it
