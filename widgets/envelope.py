"""Time-aligned bins (min, max, sum, count) of a growing series, computed once per bin.

Live plots slide their window every frame; bins aligned to absolute time do not move with it, so a
frame only bins the samples that arrived since the last one. Ten minutes of 1 kHz history then costs
the same per frame as ten seconds, and the statistics of the visible window (min, max, mean) come
from the same bins for free.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]


def _bin(t: I64, v: F64, width: int) -> tuple[I64, F64, F64, F64, F64]:
    k = t // width
    starts = np.concatenate(([0], np.flatnonzero(np.diff(k)) + 1))
    nan = np.isnan(v)
    return (
        k[starts],
        np.fmin.reduceat(v, starts),
        np.fmax.reduceat(v, starts),
        np.add.reduceat(np.where(nan, 0.0, v), starts),
        np.add.reduceat((~nan).astype(np.float64), starts),
    )


class BinCache:
    """Bins of one series over the range last asked for; ``update`` after new samples, ``view`` to read.

    It holds the complete bins of one run of bin indices ``[from_k, next_k)``: the drawn window. As a
    live window slides, the bins that became complete are appended and those that left are dropped;
    when the window moves back into the history (a paused plot panned left), only the missing bins
    are computed and put in front. Its size is then bounded by the window's width in bins (about the
    plot's width in pixels), never by the length of the history behind it.
    """

    def __init__(self) -> None:
        self.width = 0
        self._reset()

    def _reset(self) -> None:
        self.k: I64 = np.empty(0, np.int64)
        self.acc: F64 = np.empty((0, 4))  # per bin: min, max, sum, count
        self.from_k = self.next_k = 0
        self._tail: tuple[I64, F64] | None = None

    def _bins_of(self, t: I64, v: F64, k0: int, k1: int) -> tuple[I64, F64] | None:
        lo = int(np.searchsorted(t, k0 * self.width, "left"))
        hi = int(np.searchsorted(t, k1 * self.width, "left"))
        if hi <= lo:
            return None
        k, mn, mx, sm, n = _bin(t[lo:hi], v[lo:hi], self.width)
        return k, np.column_stack((mn, mx, sm, n))

    def update(self, t: I64, v: F64, width: int, lo_ns: int | None = None, hi_ns: int | None = None) -> None:
        """``t`` ascending nanoseconds, ``v`` values (NaN = failed read), ``width`` of a bin in ns;
        ``lo_ns``/``hi_ns`` the range to keep bins for (default: all of ``t``)."""
        width = max(1, int(width))
        if width != self.width:
            self.width = width
            self._reset()
        if not len(t):
            self._reset()
            return
        first_k = int(t[0]) // width
        complete_below = int(t[-1]) // width  # bins before this one can no longer change
        want_lo = first_k if lo_ns is None else max(first_k, int(lo_ns) // width)
        want_hi = complete_below if hi_ns is None else min(complete_below, int(hi_ns) // width + 1)
        want_hi = max(want_hi, want_lo)
        if want_lo >= self.next_k or want_hi <= self.from_k:
            self._reset()  # nothing cached overlaps the range asked for (or nothing is cached)
            self.from_k = self.next_k = want_lo
        if want_lo < self.from_k:
            front = self._bins_of(t, v, want_lo, self.from_k)
            if front is not None:
                self.k, self.acc = np.concatenate((front[0], self.k)), np.concatenate((front[1], self.acc))
        if want_hi > self.next_k:
            back = self._bins_of(t, v, self.next_k, want_hi)
            if back is not None:
                self.k, self.acc = np.concatenate((self.k, back[0])), np.concatenate((self.acc, back[1]))
        a = int(np.searchsorted(self.k, want_lo, "left"))
        b = int(np.searchsorted(self.k, want_hi, "left"))
        if a or b < len(self.k):
            self.k, self.acc = self.k[a:b].copy(), self.acc[a:b].copy()  # copies: the old buffers go
        self.from_k, self.next_k = want_lo, want_hi
        self._tail = None
        if want_hi >= complete_below:  # the open last bin is in range
            i = int(np.searchsorted(t, complete_below * width, "left"))
            if i < len(t):
                k, mn, mx, sm, n = _bin(t[i:], v[i:], width)
                self._tail = k, np.column_stack((mn, mx, sm, n))

    def view(self, t0: int, t1: int) -> tuple[I64, F64, F64, F64, F64]:
        """Bins overlapping [t0, t1]: (bin index, min, max, sum, count), the open last bin included."""
        k, acc = self.k, self.acc
        if self._tail is not None:
            k, acc = np.concatenate((k, self._tail[0])), np.concatenate((acc, self._tail[1]))
        lo = int(np.searchsorted(k, t0 // self.width, "left")) if self.width else 0
        hi = int(np.searchsorted(k, t1 // self.width, "right")) if self.width else 0
        acc = acc[lo:hi]
        return k[lo:hi], acc[:, 0], acc[:, 1], acc[:, 2], acc[:, 3]

    def polyline(self, t0: int, t1: int, origin: int) -> tuple[F64, F64]:
        """Two points per bin, min then max, at the bin's centre, in seconds from ``origin``."""
        k, mn, mx, _, _ = self.view(t0, t1)
        x = ((k * self.width + self.width // 2) - origin) * 1e-9
        xs = np.repeat(x, 2)
        ys = np.empty(2 * len(k))
        ys[0::2] = mn
        ys[1::2] = mx
        return xs, ys

    def stats(self, t0: int, t1: int) -> tuple[float, float, float]:
        """(min, max, mean) of the samples in the bins overlapping [t0, t1]; NaN when there are none."""
        _, mn, mx, sm, n = self.view(t0, t1)
        count = float(n.sum())
        if not count:
            return float("nan"), float("nan"), float("nan")
        return float(np.nanmin(mn)), float(np.nanmax(mx)), float(sm.sum() / count)
