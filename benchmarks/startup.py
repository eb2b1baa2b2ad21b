"""Benchmark: process start to the first painted main window and to the first page's data on screen,
against a bare Qt window in the same run.

Each run is a fresh process on the offscreen platform, started the way a user starts the GUI
(``hwinspector`` through its console entry point, ``--page PAGE``). A small driver around that entry
point watches the main window: the *first window* figure ends at its first paint (sidebar, toolbar and
the first page, before any probe has answered); *data shown* ends when the first page says its data is
on screen (``Page.data_shown``, the notion ``--screenshot`` waits for; the Overview shows identity and
the quick checks first), *complete* when nothing more is coming for it (the Overview's OpenGL, Vulkan,
D-Bus, sound and camera checks). The baseline is a bare PySide6 window painted the same way, in the same run.
Budgets: first window (issue: house in order) and data shown (issue 18) within 6x the bare window.

``BEFORE=/path/to/python`` also times another build (an older checkout's virtual environment) in the
same run, interleaved with this one; a build whose pages have no ``data_shown`` is timed at the same
moment by what it had: the Overview's ``sections_shown``, the snapshot on every page for the others.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

BUDGET_RATIO = 6.0

BARE = (
    "import sys, time; from PySide6.QtCore import QEvent, QObject;"
    "from PySide6.QtWidgets import QApplication, QMainWindow, QLabel\n"
    "class F(QObject):\n"
    "    def eventFilter(self, o, e):\n"
    "        if e.type() == QEvent.Type.Paint: print(time.time(), flush=True); app.quit()\n"
    "        return False\n"
    "app=QApplication(sys.argv[:1]); w=QMainWindow(); w.setCentralWidget(QLabel('x')); w.resize(1280,800)\n"
    "f=F(); w.installEventFilter(f); w.show(); app.exec()\n"
)

# Quits at the main window's first paint ("window"), once the first page shows its data ("data") or once
# it is complete ("complete").
DRIVER = """
import sys
import time
from PySide6.QtCore import QEvent, QObject
import hwinspector.gui as gui
from hwinspector.cli.main import main

until = sys.argv[1]
start = gui.schedule_start

class _Paint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and until == "window":
            report()
        return False

def report():
    print(time.time(), flush=True)
    gui.QApplication.instance().quit()

def schedule(window):
    window._bench_filter = _Paint()
    window.installEventFilter(window._bench_filter)
    page = window.current_page()
    if hasattr(page, "data_shown"):
        page.data_shown.connect(lambda complete: (until == "data" or complete and until == "complete") and report())
    elif hasattr(page, "sections_shown"):  # an older build: the Overview's scorecard on screen
        page.sections_shown.connect(lambda: until in ("data", "complete") and report())
    else:  # an older build: the other pages render the snapshot as it arrives
        window.snapshot_shown.connect(lambda _s: until in ("data", "complete") and report())
    start(window)

gui.schedule_start = schedule
sys.exit(main(["--page", sys.argv[2]]))
"""


def _once(cmd: list[str], *, reported: bool = True) -> float:
    """Seconds from process spawn to the moment the child prints (its wall clock), or to its exit."""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    t = time.time()
    proc = subprocess.run(cmd, check=True, env=env, capture_output=True, text=True, timeout=120)
    return (float(proc.stdout.split()[0]) if reported else time.time()) - t


def _measure(builds: dict[str, str], runs: int, pages: tuple[str, ...], out: str) -> dict[str, dict[str, Any]]:
    """Medians in ms per build: bare window, then (window, data, complete, screenshot) x page.

    Run by run, every figure of every build in turn, so the machine's load falls on all of them alike.
    """
    samples: dict[tuple[str, str, str], list[float]] = {}
    for _ in range(runs):
        samples.setdefault(("", "bare", ""), []).append(_once([sys.executable, "-c", BARE]))
        for name, python in builds.items():
            for p in pages:
                for what in ("window", "data", "complete"):
                    samples.setdefault((name, what, p), []).append(_once([python, "-c", DRIVER, what, p]))
                shot = [python, "-m", "hwinspector", "--page", p, "--screenshot", out]
                samples.setdefault((name, "screenshot", p), []).append(_once(shot, reported=False))
    fig: dict[str, dict[str, Any]] = {}
    for (name, what, p), xs in samples.items():
        ms = round(statistics.median(xs) * 1000, 1)
        if what == "bare":
            fig["bare"] = {"ms": ms}
        else:
            fig.setdefault(name, {}).setdefault(what, {})[p] = ms
    return fig


def main() -> int:
    runs = int(os.environ.get("RUNS", "5"))
    before = os.environ.get("BEFORE")
    pages = ("overview", "devices")
    builds = {"after": sys.executable, **({"before": before} if before else {})}
    with tempfile.TemporaryDirectory() as d:
        fig = _measure(builds, runs, pages, os.path.join(d, "x.png"))
    bare = fig["bare"]["ms"]
    after = fig["after"]
    worst_window = max(after["window"].values())
    worst_data = max(after["data"].values())
    result: dict[str, object] = {
        "benchmark": "startup",
        "runs": runs,
        "bare_qt_window_ms": bare,
        "first_window_ms": after["window"],
        "data_shown_ms": after["data"],
        "complete_ms": after["complete"],
        "screenshot_ms": after["screenshot"],
        "first_window_over_bare": round(worst_window / bare, 2),
        "data_shown_over_bare": round(worst_data / bare, 2),
        "budget_ratio": BUDGET_RATIO,
        "within_budget": worst_window <= BUDGET_RATIO * bare and worst_data <= BUDGET_RATIO * bare,
    }
    if before:
        old = fig["before"]
        result["before"] = {
            "python": before,
            "first_window_ms": old["window"],
            "data_shown_ms": old["data"],
            "complete_ms": old["complete"],
            "screenshot_ms": old["screenshot"],
            "data_shown_over_bare": round(max(old["data"].values()) / bare, 2),
        }
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
