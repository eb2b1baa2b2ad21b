"""PMU channels sampled end to end: discovery, the sampler's perf kind, the session's rates and one-shot reads.

The fake i915 and xe PMUs carry the software PMU's type number, so their events really open: an "engine
busy" that is cpu-clock counted system-wide is busy 100 % of the time, an "RC6" that is the dummy event
never, and xe's per-read frequency delta of cpu-clock is the time between two reads.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from hwinspector.probes.graphics.pmu_channels import intel_pmu_channels
from hwinspector.probes.telemetry.channels import Channel, read_channel_values
from hwinspector.probes.telemetry.perf import read_paranoid, system_wide_refusal
from hwinspector.probes.telemetry.sampler import Backend
from hwinspector.probes.telemetry.session import TelemetrySession
from tests.probes.graphics import pmu_trees as trees

SOFTWARE = Path("/sys/bus/event_source/devices/software/type")
pytestmark = pytest.mark.skipif(
    not SOFTWARE.exists() or read_paranoid() is None or system_wide_refusal() is not None,
    reason="needs perf events and the right to count system-wide (root, CAP_PERFMON or perf_event_paranoid <= 0)",
)
SW_TYPE = int(SOFTWARE.read_text()) if SOFTWARE.exists() else 1


def _run(channels: list[Channel], backend: Backend, seconds: float = 0.6) -> TelemetrySession:
    session = TelemetrySession(channels, backend=backend)
    session.start()
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        time.sleep(0.05)
        session.poll()
    session.close()
    session.poll()
    return session


def _settled(session: TelemetrySession, cid: str) -> float:
    _, v = session.series(cid)
    v = v[np.isfinite(v)]
    assert len(v) > 10, f"{cid}: {len(v)} values"
    return float(np.median(v[len(v) // 2 :]))


@pytest.mark.parametrize("backend", ["native", "python"])
def test_i915_channels_through_the_session(tmp_path: Path, backend: Backend) -> None:
    sysfs = tmp_path / "sys"
    trees.i915_on_software(sysfs, SW_TYPE)
    channels = intel_pmu_channels(sysfs)
    assert all(c.readable for c in channels)
    session = _run(channels, backend)
    assert len(session.groups) == 1  # one rate: the PMU's counters share one sampler (and one group read)
    assert _settled(session, "gpu:0000:00:02.0/pmu/rcs0/busy") == pytest.approx(100.0, abs=2.0)
    assert _settled(session, "gpu:0000:00:02.0/pmu/gt0/rc6") == 0.0
    assert _settled(session, "gpu:0000:00:02.0/pmu/interrupts") == pytest.approx(1e9, rel=0.03)


@pytest.mark.parametrize("backend", ["native", "python"])
def test_xe_channels_through_the_session(tmp_path: Path, backend: Backend) -> None:
    sysfs = tmp_path / "sys"
    trees.xe_on_software(sysfs, SW_TYPE)
    channels = {c.id: c for c in intel_pmu_channels(sysfs)}
    session = _run(list(channels.values()), backend)
    assert _settled(session, "gpu:0000:03:00.0/pmu/gt0/rcs0/busy") == pytest.approx(100.0, abs=2.0)
    assert _settled(session, "gpu:0000:03:00.0/pmu/gt0/rc6") == 100.0
    # the delta of cpu-clock between two reads is the sampling period: 5 ms at 200 Hz, in ns
    period_ns = 1e9 / channels["gpu:0000:03:00.0/pmu/gt0/act_freq"].max_rate_hz
    assert _settled(session, "gpu:0000:03:00.0/pmu/gt0/act_freq") == pytest.approx(period_ns, rel=0.2)


def test_one_shot_reads_keep_the_counter_open_between_calls(tmp_path: Path) -> None:
    """The CLI reads every channel twice: the second reading of a perf counter compares with the first."""
    sysfs = tmp_path / "sys"
    trees.xe_on_software(sysfs, SW_TYPE)
    channels = {c.id: c for c in intel_pmu_channels(sysfs)}
    busy, freq = channels["gpu:0000:03:00.0/pmu/gt0/rcs0/busy"], channels["gpu:0000:03:00.0/pmu/gt0/act_freq"]
    t1 = time.monotonic()
    a, fa = read_channel_values([busy, freq])
    assert fa.value is None and "first reading" in (fa.reason or "")
    time.sleep(0.2)
    t2 = time.monotonic()
    b, fb = read_channel_values([busy, freq])
    assert a.value is not None and b.value is not None
    assert (b.value - a.value) / (t2 - t1) == pytest.approx(100.0, rel=0.1)  # % of the time busy
    assert fb.value is not None and fb.value == pytest.approx((t2 - t1) * 1e9, rel=0.1)  # ns since the last read


def test_one_shot_read_of_a_vanished_pmu_says_why(tmp_path: Path) -> None:
    sysfs = tmp_path / "sys"
    trees.i915_on_software(sysfs, SW_TYPE)
    channel = next(c for c in intel_pmu_channels(sysfs) if c.id.endswith("/rcs0/busy"))
    (sysfs / "bus/event_source/devices/i915/type").unlink()
    reading = read_channel_values([channel])[0]
    assert reading.value is None and reading.reason == "ENOENT"
