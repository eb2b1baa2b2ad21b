"""The min/max envelope that keeps 10 minutes at 1 kHz drawable: no peak lost, gaps kept, bounded size."""

from __future__ import annotations

import numpy as np

from hwinspector.widgets.live_plot import envelope


def test_envelope_bounds_points_and_keeps_extremes() -> None:
    t = np.arange(600_000) / 1000.0  # 10 minutes at 1 kHz
    rng = np.random.default_rng(3)
    v = rng.normal(10, 1, len(t))
    v[123_456] = 99.0  # one spike must survive decimation
    v[400_000] = -50.0
    x, y = envelope(t, v, 0.0, 600.0, 1000)
    assert len(x) <= 2 * 1000 + 2
    assert np.nanmax(y) == 99.0 and np.nanmin(y) == -50.0
    assert np.all(np.diff(x) >= 0)


def test_envelope_window_and_short_series() -> None:
    t = np.arange(100, dtype=float)
    v = t * 2
    x, y = envelope(t, v, 10.0, 20.0, 500)
    # few points: returned as they are, with one point beyond each end of the window
    assert x[0] == 9.0 and x[-1] == 21.0 and np.array_equal(y, x * 2)


def test_envelope_keeps_nan_gaps() -> None:
    t = np.arange(10_000, dtype=float)
    v = np.ones_like(t)
    v[4000:6000] = np.nan  # a device unplugged for a while
    x, y = envelope(t, v, 0, 10_000, 100)
    gap = (x > 4100) & (x < 5900)
    assert gap.any() and np.all(np.isnan(y[gap]))
    assert np.all(y[~np.isnan(y)] == 1.0)
