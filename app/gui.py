"""Starting the GUI, and rendering a page offscreen for --screenshot."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QIcon, QPixmap
from PySide6.QtWidgets import QApplication, QWidget

from hwinspector import l10n
from hwinspector.i18n import _
from hwinspector.main_window import MainWindow, schedule_start
from hwinspector.pages.base import DataState, run_until, wait_for_data
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
    window = MainWindow(source, start_now=not host)
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


# How long a screenshot waits for its page to say its data (or its error) is on screen. Generous: a
# live Overview starts OpenGL and Vulkan children and asks D-Bus services with their own timeouts, and
# a remote machine builds a bundle before anything arrives.
SHOW_TIMEOUT_S = 120.0


class ScreenshotTimeout(Exception):
    """The page did not show its data in time; the message says what it still showed."""


def capture(window: MainWindow, target: QWidget, wait_s: float = 0.0, timeout_s: float = SHOW_TIMEOUT_S) -> QPixmap:
    """A picture of ``target`` once the window's current page has shown its data (or its error), plus
    ``wait_s`` seconds for live plots; raises ScreenshotTimeout after ``timeout_s``."""
    app = _app()
    page = window.current_page()
    if not wait_for_data(page, timeout_s):
        text = (
            _("the {page} page had not shown its data after {s:.0f} s (it showed nothing yet)")
            if page.data_state is DataState.WAITING
            else _("the {page} page had shown only a part of its data after {s:.0f} s")
        )
        raise ScreenshotTimeout(text.format(page=page.page_id, s=timeout_s))
    run_until(lambda: False, wait_s)
    for _i in range(5):
        app.processEvents()
    return target.grab()


def save_screenshot(
    source: str | None,
    page: str,
    out: Path,
    size: tuple[int, int],
    select: str | None = None,
    wait_s: float = 0.0,
    *,
    theme: str = "auto",
    presentation: bool = False,
    host: str | None = None,
    timeout_s: float = SHOW_TIMEOUT_S,
) -> int:
    """Render one page of ``source`` (None: this machine) or of ``host`` (over ssh) to a PNG.

    The source is read the way the window reads it; the picture is taken once the page says its data
    (or its error) is on screen, then ``wait_s`` later (live plots).
    """
    app = _app()
    apply_theme(app, theme)
    window = MainWindow(source, live_updates=False, interactive=False, start_now=not host)
    try:
        if not window.show_page(page):
            print(f"hwinspector: no page named {page!r}; pages: {', '.join(window.pages)}", file=sys.stderr)
            return 2
        window.resize(*size)
        failures: list[str] = []
        window.load_failed.connect(failures.append)
        if select:
            current = window.current_page()
            window.snapshot_shown.connect(lambda _snap: current.select_path(select))
        window.show()
        if host:
            window.remote.connect_to(host)
        target: QWidget = window
        if presentation:
            shown = _open_presentation(window, size)
            if shown is None:
                return 2
            target = shown
        # a source that cannot be read ends the wait at once, with its one-line reason
        run_until(lambda: bool(failures) or window.snapshot is not None, timeout_s)
        if failures:
            print(f"hwinspector: {failures[0]}", file=sys.stderr)
            return 2
        try:
            picture = capture(window, target, wait_s, timeout_s)
        except ScreenshotTimeout as exc:
            picture = target.grab()
            code = 1
            print(f"hwinspector: {exc}; saving what it showed", file=sys.stderr)
        else:
            code = 0
        if not picture.save(str(out)):
            print(f"hwinspector: cannot write {out}", file=sys.stderr)
            return 2
        print(f"saved {out}")
        return code
    finally:
        window.shutdown()
        window.close()
