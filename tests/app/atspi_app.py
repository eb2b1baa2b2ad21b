"""The main window for the AT-SPI walker: shows the page named on each stdin line, says so on stdout.

Run with the project's Python on a display, beside an AT-SPI bus; tests/app/atspi_walker.py drives it.
Lines in: ``page ID`` (show it, let it settle, answer ``shown ID``), ``quit``. First line out: ``ready PAGE,PAGE,…``
once the snapshot is shown and every page is built (the window builds them in the background).
"""

from __future__ import annotations

import os
import sys

from PySide6.QtCore import QSocketNotifier, QTimer

from hwinspector.gui import _app
from hwinspector.main_window import MainWindow
from hwinspector.themes import apply_theme

SETTLE_MS = 1500  # a page's first readings (1.5 s pollers) and the plots' first second of data


def main() -> int:
    theme = os.environ.get("HWI_THEME", "auto")
    app = _app()
    apply_theme(app, theme)
    window = MainWindow()
    window.resize(1280, 800)
    window.show()
    buf = b""

    def say(text: str) -> None:
        sys.stdout.write(text + "\n")
        sys.stdout.flush()

    def all_built() -> None:
        if window.snapshot is None or len(window.built_pages()) < window.sidebar.count():
            QTimer.singleShot(100, all_built)
            return
        QTimer.singleShot(SETTLE_MS, lambda: say("ready " + ",".join(p.page_id for p in window.built_pages())))

    def shown(page_id: str) -> None:
        say(f"shown {page_id}")

    def command() -> None:
        nonlocal buf
        chunk = os.read(0, 4096)
        if not chunk:
            window.close()
            return
        buf += chunk
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            words = line.decode().split()
            if words[:1] == ["page"] and len(words) == 2:
                if not window.show_page(words[1]):
                    say(f"unknown {words[1]}")
                    continue
                window.current_page().setFocus()
                QTimer.singleShot(SETTLE_MS, lambda p=words[1]: shown(p))
            elif words[:1] == ["quit"]:
                window.close()

    notifier = QSocketNotifier(0, QSocketNotifier.Type.Read)
    notifier.activated.connect(command)
    window.start()
    QTimer.singleShot(0, all_built)
    code = app.exec()
    window.shutdown()
    return int(code)


if __name__ == "__main__":
    sys.exit(main())
