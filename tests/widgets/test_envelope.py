"""Time-aligned bins: updating in steps gives exactly what binning everything at once gives."""

from __future__ import annotations

import numpy as np

from hwinspector.widgets.envelope import BinCache


def _series(n: int, seed: int = 1) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    t = np.cumsum(rng.integers(800_000, 1_200_000, n)).astype(np.int64)  # ~1 kHz with jitter
    v = rng.normal(0, 1, n)
    v[rng.integers(0, n, n // 50)] = np.nan  # failed reads
    return t, v


def test_incremental_equals_full() -> None:
    t, v = _series(20_000)
    width = 7_000_000
    step = BinCache()
    for end in range(100, len(t) + 1, 337):
        step.update(t[:end], v[:end], width)
    step.update(t, v, width)
    full = BinCache()
    full.update(t, v, width)
    a, b = step.view(int(t[0]), int(t[-1])), full.view(int(t[0]), int(t[-1]))
    for x, y in zip(a, b, strict=True):
        assert np.allclose(x, y, equal_nan=True)


def test_stats_match_numpy_over_whole_bins() -> None:
    t, v = _series(5_000)
    width = 10_000_000
    cache = BinCache()
    cache.update(t, v, width)
    lo, hi = int(t[1000]), int(t[3000])
    # the bins overlapping [lo, hi] cover exactly these samples
    k0, k1 = lo // width, hi // width
    mask = (t // width >= k0) & (t // width <= k1)
    mn, mx, mean = cache.stats(lo, hi)
    assert mn == np.nanmin(v[mask]) and mx == np.nanmax(v[mask])
    assert abs(mean - np.nanmean(v[mask])) < 1e-12


def test_ring_wrap_drops_old_bins_and_polyline_is_bounded() -> None:
    t, v = _series(50_000)
    cache = BinCache()
    cache.update(t[:30_000], v[:30_000], 5_000_000)
    cache.update(t[20_000:], v[20_000:], 5_000_000)  # the ring forgot the first 20,000 rows
    k, *_ = cache.view(0, int(t[-1]))
    assert k[0] == t[20_000] // 5_000_000
    xs, ys = cache.polyline(int(t[20_000]), int(t[-1]), int(t[0]))
    assert len(xs) == len(ys) <= 2 * (int(t[-1] - t[20_000]) // 5_000_000 + 2)
    assert np.nanmax(ys) == np.nanmax(v[20_000:])


def test_width_change_rebins() -> None:
    t, v = _series(3_000)
    cache = BinCache()
    cache.update(t, v, 1_000_000)
    n_fine = len(cache.view(int(t[0]), int(t[-1]))[0])
    cache.update(t, v, 100_000_000)
    assert len(cache.view(int(t[0]), int(t[-1]))[0]) < n_fine


def _full_view(t: np.ndarray, v: np.ndarray, width: int, lo: int, hi: int) -> tuple[np.ndarray, ...]:
    full = BinCache()
    full.update(t, v, width)
    return full.view(lo, hi)


def test_sliding_window_keeps_only_its_bins_and_matches_full_binning() -> None:
    """A live window of 2 s sliding over 60 s of 1 kHz: the cache holds about a window of bins (not
    the history behind it), and what it shows equals binning everything at once."""
    t, v = _series(60_000)
    width, window = 8_000_000, 2_000_000_000
    cache = BinCache()
    most = 0
    for end in range(500, len(t) + 1, 173):
        hi = int(t[end - 1])
        cache.update(t[:end], v[:end], width, hi - window, hi)
        most = max(most, len(cache.k))
    assert most <= window // width + 2
    hi = int(t[-1])
    cache.update(t, v, width, hi - window, hi)
    for x, y in zip(cache.view(hi - window, hi), _full_view(t, v, width, hi - window, hi), strict=True):
        assert np.array_equal(x, y, equal_nan=True)


def test_panning_back_into_the_history_bins_only_what_is_missing() -> None:
    t, v = _series(40_000)
    width, window = 10_000_000, 3_000_000_000
    cache = BinCache()
    hi = int(t[-1])
    cache.update(t, v, width, hi - window, hi)
    for step in range(1, 12):  # a paused plot dragged left, then right again
        lo = hi - window - step * 1_000_000_000 if step < 8 else hi - window - (12 - step) * 1_000_000_000
        cache.update(t, v, width, lo, lo + window)
        for x, y in zip(cache.view(lo, lo + window), _full_view(t, v, width, lo, lo + window), strict=True):
            assert np.array_equal(x, y, equal_nan=True)
        assert len(cache.k) <= window // width + 2
    cache.update(t, v, width, hi - window, hi)  # following again: the open last bin is back
    assert cache.view(hi - window, hi)[0][-1] == hi // width
