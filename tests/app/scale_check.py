"""Every page at one size and scale factor, offscreen: clipped texts, a window larger than the screen.

Run as a program (QT_SCALE_FACTOR must be set before the QApplication exists):
    QT_SCALE_FACTOR=2 python tests/app/scale_check.py 1366x768 [SHOTS_DIR]
prints JSON: {"scale": …, "pages": {page: [problem, …]}, "window": [w, h]}; with SHOTS_DIR, one PNG per page.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication, QTabWidget

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from tests.app.clipping import clipped

SETTLE_S = 1.5  # first readings of the pollers (1.5 s) and of the plots


def settle(app: QApplication, seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.02)


def main() -> int:
    from hwinspector.gui import _app
    from hwinspector.main_window import MainWindow
    from hwinspector.themes import apply_theme

    width, height = (int(x) for x in sys.argv[1].split("x"))
    shots = Path(sys.argv[2]) if len(sys.argv) > 2 else None
    app = _app()
    theme = apply_theme(app, os.environ.get("HWI_THEME", "auto"))
    window = MainWindow()
    window.resize(width, height)
    window.show()
    window.start()
    deadline = time.monotonic() + 60
    while (
        window.snapshot is None or len(window.built_pages()) < window.sidebar.count()
    ) and time.monotonic() < deadline:
        settle(app, 0.1)
    result: dict[str, object] = {"scale": window.devicePixelRatioF(), "window": [window.width(), window.height()]}
    pages: dict[str, list[str]] = {}

    def check(name: str) -> None:
        problems = clipped(window)
        if problems:
            settle(app, 1.0)  # a reading that arrived just now is laid out on the next turn
            problems = clipped(window)
        pages[name] = problems
        if shots is not None:
            shots.mkdir(parents=True, exist_ok=True)
            scale = f"{window.devicePixelRatioF():g}"
            window.grab().save(str(shots / f"{name}-{theme}-{width}x{height}-x{scale}.png"))

    for page in window.pages:
        window.show_page(page)
        settle(app, SETTLE_S)
        check(page)
        # the other tabs of the page (Power: UPower, profiles; Thermal: CPU; Idle: suspend …)
        for tabs in window.current_page().findChildren(QTabWidget):
            if not tabs.isVisible():
                continue
            for i in range(1, tabs.count()):
                tabs.setCurrentIndex(i)
                settle(app, 0.5)
                check(f"{page}.{i}")
            tabs.setCurrentIndex(0)
    result["pages"] = pages
    json.dump(result, sys.stdout)
    window.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
