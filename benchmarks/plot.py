"""Benchmark: frame time of 8 curves x 10 minutes x 1 kHz, our min/max envelope against pyqtgraph's own
peak downsampling in the same run. Target (PERFORMANCE.md): <= 8 ms render per frame, >= 30 fps.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QApplication

CURVES, SECONDS, RATE = 8, 600, 1000
W, H, FRAMES = 1280, 720, 30


def _render(widget, img: QImage) -> None:  # type: ignore[no-untyped-def]
    p = QPainter(img)
    widget.render(p)
    p.end()


def main() -> int:
    import pyqtgraph as pg

    from hwinspector.widgets.live_plot import CurveSpec, LivePlot

    app = QApplication.instance() or QApplication([])
    n = SECONDS * RATE
    t = np.arange(n) / RATE
    t_ns = (np.arange(n, dtype=np.int64) * (1_000_000_000 // RATE)).astype(np.int64)
    rng = np.random.default_rng(0)
    values = [np.cumsum(rng.normal(0, 0.05, n)) + 10 * i for i in range(CURVES)]
    series = {f"c{i}": (t, values[i]) for i in range(CURVES)}
    series_ns = {f"c{i}": (t_ns, values[i]) for i in range(CURVES)}
    img = QImage(W, H, QImage.Format.Format_ARGB32)

    ours = LivePlot()
    ours.resize(W, H)
    ours.set_curves([CurveSpec(k, k, "W") for k in series])
    ours.window_s = SECONDS
    update_ms, render_ms = [], []
    for f in range(FRAMES):
        t0 = time.perf_counter()
        ours.update_data(series_ns, 0, SECONDS + f * 0.033)
        t1 = time.perf_counter()
        _render(ours, img)
        t2 = time.perf_counter()
        update_ms.append((t1 - t0) * 1000)
        render_ms.append((t2 - t1) * 1000)

    base = pg.PlotWidget()
    base.resize(W, H)
    item = base.getPlotItem()
    item.setClipToView(True)
    item.setDownsampling(auto=True, mode="peak")
    curves = [base.plot(pen=pg.mkPen(width=1)) for _ in series]
    b_update, b_render = [], []
    for f in range(FRAMES):
        t0 = time.perf_counter()
        for c, (x, y) in zip(curves, series.values(), strict=True):
            c.setData(x, y)
        item.setXRange(f * 0.033, SECONDS + f * 0.033, padding=0)
        t1 = time.perf_counter()
        _render(base, img)
        t2 = time.perf_counter()
        b_update.append((t1 - t0) * 1000)
        b_render.append((t2 - t1) * 1000)

    med = statistics.median
    frame = med(update_ms) + med(render_ms)
    b_frame = med(b_update) + med(b_render)
    result = {
        "benchmark": "plot",
        "curves": CURVES,
        "points_per_curve": n,
        "size": f"{W}x{H}",
        # frame 0 bins the whole history; later frames only the samples that arrived since
        "first_frame_update_ms": round(update_ms[0], 2),
        "envelope": {
            "update_ms": round(med(update_ms), 2),
            "render_ms": round(med(render_ms), 2),
            "frame_ms": round(frame, 2),
            "fps_possible": round(1000 / frame, 1),
        },
        "baseline_pyqtgraph_peak_downsampling": {
            "update_ms": round(med(b_update), 2),
            "render_ms": round(med(b_render), 2),
            "frame_ms": round(b_frame, 2),
            "fps_possible": round(1000 / b_frame, 1),
        },
        "speedup": round(b_frame / frame, 1),
        "target": {"render_ms": 8, "fps": 30},
    }
    print(json.dumps(result, indent=1))
    # widgets go before the application, or pyqtgraph's teardown can crash the interpreter at exit
    for w in (ours, base):
        w.close()
        w.deleteLater()
    app.processEvents()
    return 0


if __name__ == "__main__":
    sys.exit(main())
