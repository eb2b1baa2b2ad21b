"""Starting the GUI, and rendering a page offscreen for --screenshot."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from PySide6.QtWidgets import QApplication

from hwinspector.main_window import MainWindow, schedule_start
from hwinspector.probes.snapshot import Snapshot


def _app() -> QApplication:
    app = QApplication.instance()
    if isinstance(app, QApplication):
        return app
    app = QApplication(sys.argv[:1])
    app.setApplicationName("hwinspector")
    app.setApplicationDisplayName("Hardware Inspector")
    app.setDesktopFileName("io.github.hwinspector.HwInspector")
    return app


def run_gui(source: str | None, page: str | None, select: str | None = None) -> int:
    app = _app()
    window = MainWindow(source)
    if page and not window.show_page(page):
        print(f"hwinspector: no page named {page!r}; pages: {', '.join(window.pages)}", file=sys.stderr)
        return 2
    if select:
        current = window.current_page()
        window.snapshot_shown.connect(lambda _snap: current.select_path(select))
    window.show()
    schedule_start(window)
    code = app.exec()
    window.shutdown()
    return int(code)


def save_screenshot(
    snapshot: Snapshot, page: str, out: Path, size: tuple[int, int], select: str | None = None, wait_s: float = 0.0
) -> int:
    app = _app()
    window = MainWindow(live_updates=False)
    try:
        if not window.show_page(page):
            print(f"hwinspector: no page named {page!r}; pages: {', '.join(window.pages)}", file=sys.stderr)
            return 2
        window.resize(*size)
        window.show_snapshot(snapshot)
        if select:
            window.current_page().select_path(select)
        window.show()
        deadline = time.monotonic() + wait_s
        while True:
            app.processEvents()
            if time.monotonic() >= deadline:
                break
            time.sleep(0.01)
        for _ in range(5):
            app.processEvents()
        if not window.grab().save(str(out)):
            print(f"hwinspector: cannot write {out}", file=sys.stderr)
            return 2
        print(f"saved {out}")
        return 0
    finally:
        window.shutdown()
        window.close()
