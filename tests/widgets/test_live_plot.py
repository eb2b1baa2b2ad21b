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


def test_a_following_frame_is_painted_once(qtbot) -> None:  # type: ignore[no-untyped-def]
    """Each live frame moves the time axis; the plot must be painted once for it, not once for the new
    curves and again when pyqtgraph applies the moved range during that paint (the whole plot area
    twice, a third of a frame's cost)."""
    from PySide6.QtCore import QEvent, QObject

    from hwinspector.widgets.live_plot import CurveSpec, LivePlot

    plot = LivePlot()
    qtbot.addWidget(plot)
    plot.resize(900, 500)
    plot.window_s = 10.0
    plot.set_curves([CurveSpec(f"c{i}", f"c{i}", "W" if i % 2 else "°C") for i in range(6)])
    plot.show()
    qtbot.waitExposed(plot)

    class Count(QObject):
        paints = 0

        def eventFilter(self, obj: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                self.paints += 1
            return False

    counter = Count()
    plot.viewport().installEventFilter(counter)
    rate = 1000
    t = (np.arange(30 * rate, dtype=np.int64) * (1_000_000_000 // rate)) + 10**12
    v = np.sin(np.arange(len(t))[:, None] / 300.0 + np.arange(6)[None, :])
    per_frame = []
    for n in range(12_000, 14_000, 250):
        qtbot.wait(20)  # nothing left to paint from the last frame
        counter.paints = 0
        plot.update_data({f"c{i}": (t[:n], v[:n, i]) for i in range(6)}, 10**12, (t[n - 1] - 10**12) / 1e9)
        qtbot.waitUntil(lambda: counter.paints > 0, timeout=2000)
        qtbot.wait(30)
        per_frame.append(counter.paints)
    # the first frame also lays the axes out for their first tick labels
    assert per_frame[1:] == [1] * (len(per_frame) - 1)
