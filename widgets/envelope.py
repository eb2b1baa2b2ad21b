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
    """Bins of one series; ``update`` after new samples, ``view`` for a time range."""

    def __init__(self) -> None:
        self.width = 0
        self._reset()

    def _reset(self) -> None:
        self.k: I64 = np.empty(0, np.int64)
        self.mn: F64 = np.empty(0)
        self.mx: F64 = np.empty(0)
        self.sm: F64 = np.empty(0)
        self.n: F64 = np.empty(0)
        self._tail: tuple[I64, F64, F64, F64, F64] | None = None

    def update(self, t: I64, v: F64, width: int) -> None:
        """``t`` ascending nanoseconds, ``v`` values (NaN = failed read), ``width`` of a bin in ns."""
        width = max(1, int(width))
        if width != self.width:
            self.width = width
            self._reset()
        if not len(t):
            self._reset()
            return
        complete_below = int(t[-1]) // width  # bins before this one can no longer change
        first_k = int(t[0]) // width
        if len(self.k) and first_k > int(self.k[-1]):
            self._reset()  # the history moved past everything cached (or restarted)
        start_k = int(self.k[-1]) + 1 if len(self.k) else first_k
        lo = int(np.searchsorted(t, start_k * width, "left"))
        hi = int(np.searchsorted(t, complete_below * width, "left"))
        if hi > lo:
            k, mn, mx, sm, n = _bin(t[lo:hi], v[lo:hi], width)
            self.k = np.concatenate((self.k, k))
            self.mn = np.concatenate((self.mn, mn))
            self.mx = np.concatenate((self.mx, mx))
            self.sm = np.concatenate((self.sm, sm))
            self.n = np.concatenate((self.n, n))
        # drop bins the ring buffer no longer holds
        keep = int(np.searchsorted(self.k, first_k, "left"))
        if keep:
            self.k = self.k[keep:]
            self.mn, self.mx, self.sm, self.n = self.mn[keep:], self.mx[keep:], self.sm[keep:], self.n[keep:]
        self._tail = _bin(t[hi:], v[hi:], width) if hi < len(t) else None

    def view(self, t0: int, t1: int) -> tuple[I64, F64, F64, F64, F64]:
        """Bins overlapping [t0, t1]: (bin index, min, max, sum, count), the open last bin included."""
        arrays = [self.k, self.mn, self.mx, self.sm, self.n]
        if self._tail is not None:
            arrays = [np.concatenate((a, b)) for a, b in zip(arrays, self._tail, strict=True)]
        k = arrays[0]
        lo = int(np.searchsorted(k, t0 // self.width, "left"))
        hi = int(np.searchsorted(k, t1 // self.width, "right"))
        return tuple(a[lo:hi] for a in arrays)  # type: ignore[return-value]

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
