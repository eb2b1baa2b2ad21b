"""Residency counters (cpuidle time, RC6, runtime PM) become shares of time within 0..100 % at any rate."""

from __future__ import annotations

import gzip
import json
import os
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from hwinspector.probes.telemetry.channels import CPUIDLE_WINDOW_S, Channel, cpuidle_channels
from hwinspector.probes.telemetry.recording import RecordingWriter, read_recording
from hwinspector.probes.telemetry.session import (
    TelemetrySession,
    counter_context_rows,
    counter_span_rows,
    counters_to_rates,
    share_of_time,
)

RATES_HZ = (10.0, 50.0, 100.0, 250.0, 500.0, 1000.0)


def _idle_counter(rate_hz: float, seconds: float, seed: int) -> tuple[np.ndarray, np.ndarray, float]:
    """A cpuidle-like `time` counter in µs sampled at ``rate_hz``: idle periods of 1 to 400 ms between
    short busy bursts, each added to the counter only when the period ends (as the kernel does)."""
    rng = np.random.default_rng(seed)
    ends, total, now = [], [], 0.0
    acc = 0.0
    while now < seconds:
        idle = rng.uniform(0.001, 0.4)
        now += idle
        acc += idle * 1e6
        ends.append(now)
        total.append(acc)
        now += rng.uniform(0.0001, 0.002)  # busy
    t = np.arange(0.0, seconds, 1.0 / rate_hz)
    k = np.searchsorted(np.asarray(ends), t, side="right")
    values = np.where(k > 0, np.asarray([0.0, *total])[k], 0.0)
    true_share = 100.0 * values[-1] / 1e6 / t[-1]
    return (t * 1e9).astype(np.int64), values, true_share


def _residency(window: float = CPUIDLE_WINDOW_S) -> Channel:
    return Channel("cpuidle:cpu0/C1", "cpu0 C1", "%", "/nonexistent", 1e-4, 250.0, "counter", "cpu0", True, None,
                   full_scale=100.0, window_s=window)  # fmt: skip


@pytest.mark.parametrize("rate", RATES_HZ)
def test_step_counter_gives_shares_within_0_and_100_at_every_rate(rate: float) -> None:
    t, us, true_share = _idle_counter(rate, 6.0, seed=int(rate))
    ch = _residency()
    totals = us * ch.scale  # percent-seconds, as the sampler delivers it
    span = counter_span_rows(ch, rate)
    # delivered in blocks, as the GUI drains the sampler
    out, prev = [], None
    for a in range(0, len(t), 37):
        b = a + 37
        out.append(counters_to_rates(t[a:b], totals[a:b], prev, None, span, ch.full_scale))
        pt = t[a:b] if prev is None else np.concatenate((prev[0], t[a:b]))
        pv = totals[a:b] if prev is None else np.concatenate((prev[1], totals[a:b]))
        keep = counter_context_rows(ch, span)
        prev = (pt[-keep:], pv[-keep:])
    shares = np.concatenate(out)
    finite = shares[np.isfinite(shares)]
    assert len(finite) >= len(t) - 2
    assert finite.min() >= 0.0
    assert finite.max() <= 100.0
    # the long-run share is kept: the mean over the run is the counter's own figure
    assert abs(float(finite.mean()) - true_share) < 10.0
    # the same counter as plain rates (what was plotted before) goes far past 100 %
    plain = counters_to_rates(t, totals, None, None, max(1, round(0.01 * rate)))
    assert np.nanmax(plain) > 150.0


def test_share_of_time_widens_the_window_to_the_step() -> None:
    # 0.3 s of idle landing in a 10 ms window: the state began before the window, so it is 100 %
    assert share_of_time(30.0, 0.01, 100.0) == 100.0
    assert share_of_time(0.5, 0.01, 100.0) == pytest.approx(50.0)
    assert share_of_time(0.0, 0.01, 100.0) == 0.0
    arr = share_of_time(np.array([0.0, 0.5, 3.0]), np.array([0.01, 0.01, 0.01]), 100.0)
    assert arr.tolist() == pytest.approx([0.0, 50.0, 100.0])


def test_ms_counter_steps_within_bounds_with_a_thread_writing_the_file(tmp_path: Path) -> None:
    """An RC6-like counter in whole milliseconds, written by a thread while the real sampler reads it."""
    f = tmp_path / "rc6_residency_ms"
    f.write_text(f"{0:012d}\n")
    fd = os.open(f, os.O_WRONLY)
    ch = Channel("gpu:x/gt0/rc6", "rc6", "%", str(f), 0.1, 10.0, "counter", "gt0", True, None,
                 full_scale=100.0, window_s=0.1)  # fmt: skip
    stop = threading.Event()

    def gt() -> None:
        # idle in whole-ms steps, sometimes written late in a lump (the driver reads the register on demand)
        start, last = time.monotonic(), 0
        while not stop.is_set():
            time.sleep(0.013)
            ms = int((time.monotonic() - start) * 1000 * 0.9)
            if ms - last >= 3:
                os.pwrite(fd, f"{ms:012d}\n".encode(), 0)  # in place, as sysfs: never an empty read
                last = ms

    th = threading.Thread(target=gt)
    th.start()
    session = TelemetrySession([ch], rate_cap_hz=1000.0, history_s=5.0, backend="python")
    try:
        session.start()
        time.sleep(0.8)
        session.poll()
    finally:
        session.close()
        stop.set()
        th.join()
        os.close(fd)
    _, v = session.series(ch.id)
    v = v[np.isfinite(v)]
    assert len(v) > 200
    assert v.min() >= 0.0
    assert v.max() <= 100.0
    assert 70.0 < float(np.median(v)) <= 100.0  # about 90 % idle


def _live_cpuidle() -> list[Channel]:
    chans = (
        [c for c in cpuidle_channels(Path("/sys")) if c.readable] if Path("/sys/devices/system/cpu").is_dir() else []
    )
    if not chans:
        pytest.skip("this machine exposes no readable cpuidle time counters")
    return chans


@pytest.mark.parametrize("rate", RATES_HZ)
def test_real_cpuidle_counters_stay_within_0_and_100(rate: float) -> None:
    chans = _live_cpuidle()
    assert all(c.full_scale == 100.0 for c in chans)
    session = TelemetrySession(chans, rate_cap_hz=rate, history_s=5.0)
    try:
        session.start()
        deadline = time.monotonic() + max(0.6, 4.0 / rate)
        while time.monotonic() < deadline:
            time.sleep(0.05)  # idle: the CPUs sleep in long periods, the counters move in large steps
            session.poll()
        session.poll()
    finally:
        session.close()
    seen = 0
    for c in chans:
        _, v = session.series(c.id)
        v = v[np.isfinite(v)]
        seen += len(v)
        assert v.size == 0 or (v.min() >= 0.0 and v.max() <= 100.0), (c.id, float(v.max()))
    assert seen > 0


def test_replay_of_an_old_recording_keeps_shares_within_100(tmp_path: Path) -> None:
    """A recording written before residencies had windows (values up to 1,342 % at 1 kHz)."""
    t, us, true_share = _idle_counter(1000.0, 4.0, seed=3)
    plain = counters_to_rates(t, us * 1e-4, None, None, 10)
    assert np.nanmax(plain) > 150.0
    p = tmp_path / "old.jsonl.gz"
    header = {
        "type": "header",
        "format": "hwinspector-recording",
        "version": 1,
        "channels": [{"id": "cpuidle:cpu0/C1", "label": "cpu0 C1", "unit": "%", "kind": "counter", "rate_hz": 1000.0}],
        "clock": {"monotonic_ns": 0, "realtime_ns": 0},
        "meta": {},
    }
    rows = {"type": "rows", "ch": [0], "t": t.tolist(), "v": [[None if np.isnan(x) else x for x in plain.tolist()]]}
    p.write_bytes(gzip.compress("\n".join(json.dumps(d) for d in (header, rows, {"type": "end"})).encode() + b"\n"))
    rec = read_recording(p)
    _, v = rec.series["cpuidle:cpu0/C1"]
    finite = v[np.isfinite(v)]
    assert finite.min() >= 0.0 and finite.max() <= 100.0
    assert abs(float(finite.mean()) - true_share) < 10.0
    assert any("residency" in w for w in rec.warnings)
    assert rec.channels[0].full_scale == 100.0


def test_new_recordings_carry_the_window_and_replay_unchanged(tmp_path: Path) -> None:
    ch = _residency()
    p = tmp_path / "new.jsonl.gz"
    w = RecordingWriter(p, [ch], [250.0])
    t = np.arange(0, 50, dtype=np.int64) * 4_000_000
    vals = np.linspace(0.0, 100.0, 50).reshape(50, 1)
    w.write_rows([ch], t, vals)
    w.close()
    rec = read_recording(p)
    assert rec.channels[0].full_scale == 100.0 and rec.channels[0].window_s == CPUIDLE_WINDOW_S
    assert rec.series[ch.id][1].tolist() == pytest.approx(vals[:, 0].tolist())
    assert not any("residency" in x for x in rec.warnings)
