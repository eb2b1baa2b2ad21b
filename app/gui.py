"""Starting the GUI, and rendering a page offscreen for --screenshot."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QWidget

from hwinspector import l10n
from hwinspector.i18n import _
from hwinspector.main_window import MainWindow, schedule_start
from hwinspector.probes.machine.snapshot import Snapshot
from hwinspector.resources import icon_path
from hwinspector.themes import apply_theme


def _app() -> QApplication:
    app = QApplication.instance()
    if isinstance(app, QApplication):
        return app
    app = QApplication(sys.argv[:1])
    app.setApplicationName("hwinspector")
    app.setApplicationDisplayName(_("Hardware Inspector"))
    l10n.install(app)  # Qt's own buttons and dialogs in the catalogue's language, numbers in the locale's
    app.setDesktopFileName("io.github.hwinspector.HwInspector")
    app.setWindowIcon(QIcon(str(icon_path("hwinspector"))))
    return app


def run_gui(
    source: str | None,
    page: str | None,
    select: str | None = None,
    *,
    theme: str = "auto",
    presentation: bool = False,
    host: str | None = None,
) -> int:
    app = _app()
    apply_theme(app, theme)
    window = MainWindow(source)
    if page and not window.show_page(page):
        print(f"hwinspector: no page named {page!r}; pages: {', '.join(window.pages)}", file=sys.stderr)
        return 2
    if select:
        current = window.current_page()
        window.snapshot_shown.connect(lambda _snap: current.select_path(select))
    window.show()
    if host:
        # the remote machine first; should it refuse, the window falls back to this machine
        QTimer.singleShot(0, lambda: window.remote.connect_to(host))
    else:
        schedule_start(window)
    if presentation:
        _open_presentation(window, None)
    code = app.exec()
    window.shutdown()
    return int(code)


def _open_presentation(window: MainWindow, size: tuple[int, int] | None) -> QWidget | None:
    """The Overview page's presentation window (the page owns it and feeds it)."""
    opener = getattr(window.pages.get("overview"), "open_presentation", None)
    if opener is None:
        print("hwinspector: no presentation mode in this build", file=sys.stderr)
        return None
    shown = opener(size)
    return shown if isinstance(shown, QWidget) else None


def save_screenshot(
    snapshot: Snapshot,
    page: str,
    out: Path,
    size: tuple[int, int],
    select: str | None = None,
    wait_s: float = 0.0,
    *,
    theme: str = "auto",
    presentation: bool = False,
) -> int:
    app = _app()
    apply_theme(app, theme)
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
        target: QWidget = window
        if presentation:
            shown = _open_presentation(window, size)
            if shown is None:
                return 2
            target = shown
        deadline = time.monotonic() + wait_s
        while True:
            app.processEvents()
            if time.monotonic() >= deadline:
                break
            time.sleep(0.01)
        for _ in range(5):
            app.processEvents()
        if not target.grab().save(str(out)):
            print(f"hwinspector: cannot write {out}", file=sys.stderr)
            return 2
        print(f"saved {out}")
        return 0
    finally:
        window.shutdown()
        window.close()
