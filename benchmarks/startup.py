"""Benchmark: process start to first rendered main window, against a bare Qt window in the same run.

Each run is a fresh process rendering offscreen (`--screenshot`), so imports, the live snapshot read
and the first paint are all counted. Target (PERFORMANCE.md): <= 1.5 s.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

BARE = (
    "import sys; from PySide6.QtWidgets import QApplication, QMainWindow, QLabel;"
    "app=QApplication(sys.argv); w=QMainWindow(); w.setCentralWidget(QLabel('x')); w.resize(1280,800);"
    "w.show(); app.processEvents(); w.grab().save(sys.argv[1])"
)


def _time(cmd: list[str], runs: int) -> float:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, env=env, capture_output=True)
        times.append(time.perf_counter() - t)
    return round(statistics.median(times) * 1000, 1)


def main() -> int:
    runs = int(os.environ.get("RUNS", "5"))
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "x.png")
        bare = _time([sys.executable, "-c", BARE, out], runs)
        app = {
            page: _time([sys.executable, "-m", "hwinspector", "--page", page, "--screenshot", out], runs)
            for page in ("overview", "devices")
        }
    result = {
        "benchmark": "startup",
        "runs": runs,
        "bare_qt_window_ms": bare,
        "hwinspector_first_window_ms": app,
        "overhead_over_bare_qt_ms": {k: round(v - bare, 1) for k, v in app.items()},
        "target_ms": 1500,
    }
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
