"""The telemetry session: rate groups, counters as rates with wrap-around, history, default selection."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from hwinspector.probes.telemetry.channels import Channel
from hwinspector.probes.telemetry.session import (
    TelemetrySession,
    counters_to_rates,
    default_selection,
    effective_rate,
    select_channels,
)


def _ch(
    cid: str,
    path: Path,
    rate: float,
    kind: str = "gauge",
    scale: float = 1.0,
    unit: str = "W",
    wrap: int | None = None,
    readable: bool = True,
) -> Channel:
    return Channel(cid, cid, unit, str(path), scale, rate, kind, "dev", readable, None, wrap)  # type: ignore[arg-type]


def test_counters_to_rates_handles_wrap_and_reset() -> None:
    t = np.array([0, 1_000_000_000, 2_000_000_000, 3_000_000_000], np.int64)
    totals = np.array([10.0, 15.0, 1.0, 3.0])
    # 10 -> 15: 5/s; 15 -> 1 wraps at 20: (1 + 20 - 15) = 6/s; 1 -> 3: 2/s
    assert counters_to_rates(t, totals, None, 20.0)[1:].tolist() == [5.0, 6.0, 2.0]
    # without a known wrap a backwards step is a reset: no value rather than a spike
    r = counters_to_rates(t, totals, None, None)
    assert np.isnan(r[0]) and r[1] == 5.0 and np.isnan(r[2]) and r[3] == 2.0
    # continuing from the previous block's last row
    prev = (t[:1], totals[:1])
    assert counters_to_rates(t[1:], totals[1:], prev, 20.0).tolist() == [5.0, 6.0, 2.0]


def test_counter_rates_over_a_span_do_not_alias() -> None:
    """RAPL-like: the counter steps every 2 rows; single-row rates swing 0/2x, a 4-row span is steady."""
    t = np.arange(40, dtype=np.int64) * 1_000_000  # 1 kHz
    totals = (np.arange(40) // 2) * 2.0  # 2 J every 2 ms = 1000 W
    single = counters_to_rates(t, totals, None, None)[1:]
    assert set(single.tolist()) == {0.0, 2000.0}
    spanned = counters_to_rates(t, totals, None, None, span=4)[4:]
    assert np.allclose(spanned, 1000.0)
    # split across two blocks with the tail carried over: same answer
    first = counters_to_rates(t[:20], totals[:20], None, None, span=4)
    second = counters_to_rates(t[20:], totals[20:], (t[16:20], totals[16:20]), None, span=4)
    assert np.allclose(np.concatenate((first, second))[4:], 1000.0)


def test_session_samples_gauges_and_counters(tmp_path: Path) -> None:
    gauge = tmp_path / "temp"
    gauge.write_text("42000\n")
    counter = tmp_path / "energy_uj"
    counter.write_text("0\n")
    chans = [
        _ch("temp", gauge, 20.0, scale=0.001, unit="°C"),
        _ch("power", counter, 100.0, "counter", scale=1e-6, wrap=2**32),
    ]
    s = TelemetrySession(chans, history_s=5)
    assert sorted(rate for rate, *_ in s.groups) == [20.0, 100.0]
    s.start()
    # 2 W: the energy counter rises 2,000,000 µJ per second
    t0 = time.monotonic()
    for _ in range(40):
        counter.write_text(f"{int((time.monotonic() - t0) * 2_000_000)}\n")
        time.sleep(0.02)
        s.poll()
    s.stop()
    s.poll()
    s.close()
    t, v = s.series("temp")
    assert len(t) > 5 and np.all(v == 42.0)
    _, p = s.series("power")
    finite = p[np.isfinite(p)]
    assert len(finite) > 10
    # the file moves in 20 ms steps and is sampled every 10 ms: single rates jump, the mean is the power
    assert abs(float(np.mean(finite)) - 2.0) < 0.5
    cost = s.cost()
    assert cost["ticks"] > 0 and 0 <= cost["lost_percent"] <= 100


def test_rate_cap_groups_everything_at_the_user_rate(tmp_path: Path) -> None:
    f = tmp_path / "x"
    f.write_text("1\n")
    chans = [_ch("a", f, 1000.0), _ch("b", f, 1.0)]
    s = TelemetrySession(chans, rate_cap_hz=50.0)
    assert [rate for rate, *_ in s.groups] == [50.0]
    s.close()
    assert effective_rate(chans[0], 5000.0) == 1000.0  # the user may go up to 1 kHz, no further
    assert effective_rate(chans[1], None) == 1.0


def test_history_keeps_the_last_rows(tmp_path: Path) -> None:
    from hwinspector.probes.telemetry.session import _Ring

    ring = _Ring(5, 1)
    ring.append(np.arange(3, dtype=np.int64), np.arange(3, dtype=float).reshape(-1, 1))
    ring.append(np.arange(3, 10, dtype=np.int64), np.arange(3, 10, dtype=float).reshape(-1, 1))
    t, v = ring.ordered()
    assert t.tolist() == [5, 6, 7, 8, 9] and v[:, 0].tolist() == [5, 6, 7, 8, 9]


@pytest.mark.parametrize("slack", [0.5, 0.0, 2.0])
def test_history_stays_one_slice_across_many_compactions(slack: float) -> None:
    """Appended in uneven blocks well past the slack, the history is always the last ``rows`` rows in
    order, as views of the buffer (no copies per read). A small slack makes the move to the front take
    several blocks (each no longer than the distance it moves), a large one a single block."""
    from hwinspector.probes.telemetry.session import _Ring

    ring = _Ring(3000, 2, slack=slack)
    rng = np.random.default_rng(2)
    total = 0
    for _ in range(400):
        k = int(rng.integers(1, 200))
        t = np.arange(total, total + k, dtype=np.int64)
        ring.append(t, np.stack([t * 2.0, t * 3.0], axis=1))
        total += k
        got_t, got_v = ring.ordered()
        want = np.arange(max(0, total - 3000), total)
        assert got_t.tolist() == want.tolist()
        assert np.array_equal(got_v[:, 1], want * 3.0)
        assert got_t.base is ring.t or got_t is ring.t or np.shares_memory(got_t, ring.t)
    assert ring.n == total > 3 * ring.capacity


def test_default_selection_and_globs(tmp_path: Path) -> None:
    f = tmp_path / "x"
    chans = [
        _ch("rapl:package-0", f, 1000, "counter"),
        _ch("rapl:package-0/core", f, 1000, "counter"),
        _ch("hwmon:coretemp/temp1", f, 1, unit="°C"),
        _ch("hwmon:coretemp/temp2", f, 1, unit="°C"),
        _ch("cpufreq:cpu0", f, 250, unit="MHz"),
        _ch("battery:BAT0/power", f, 1),
        _ch("battery:BAT1/power", f, 1, readable=False),
    ]
    assert [c.id for c in default_selection(chans)] == [
        "rapl:package-0",
        "hwmon:coretemp/temp1",
        "cpufreq:cpu0",
        "battery:BAT0/power",
    ]
    assert [c.id for c in select_channels(chans, ["hwmon:*"])] == ["hwmon:coretemp/temp1", "hwmon:coretemp/temp2"]
    with pytest.raises(ValueError):
        TelemetrySession([])
