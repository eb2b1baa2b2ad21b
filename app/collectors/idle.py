"""Runs an idle measurement (and the helper, when asked) on a worker thread; results arrive as signals."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from hwinspector.probes.power.idle import IdleReport, measure_idle
from hwinspector.probes.privileged.client import HelperClient, HelperReader, HelperRefused, HelperUnavailable
from hwinspector.threads import Port, start_thread


def _measure(
    measure: Callable[..., IdleReport], duration_s: float, privileged: bool, stop: threading.Event
) -> dict[str, Any]:
    client: HelperClient | None = None
    reader: HelperReader | None = None
    why: str | None = None
    try:
        if privileged:
            try:
                client = HelperClient()  # may wait for the polkit password dialog
                reader = HelperReader(client)
            except (HelperUnavailable, HelperRefused) as exc:
                why = str(exc)
        # no progress callback: the thread sleeps through the window on ``stop`` (no wakeups)
        report = measure(duration_s, privileged=reader, stop=stop)
        doc: dict[str, Any] = report.doc
        if privileged and reader is None:
            doc["privileged"] = {"available": False, "reason": why}
        elif reader is not None and doc.get("privileged") is not None:
            doc["privileged"]["absent"] = reader.absent
            doc["privileged"]["note"] = reader.note
        return doc
    finally:
        if client is not None:
            client.close()


class IdleCollector(QObject):
    """One measurement at a time on a thread of its own, which exists only while measuring.

    The thread sleeps through the whole window (``stop`` wakes it early); the progress shown is the time
    elapsed, from a once-a-second timer on the GUI thread. Measuring costs the window about one wakeup a
    second, as the CLI's own measurement does (benchmarks/footprint.py).
    """

    progress = Signal(float)
    finished = Signal(object)  # the report's JSON document
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None, measure: Callable[..., IdleReport] = measure_idle) -> None:
        super().__init__(parent)
        self._stop = threading.Event()
        self._measure = measure
        self._thread: threading.Thread | None = None
        self._ticker = QTimer(self)
        self._ticker.setInterval(1000)
        self._ticker.timeout.connect(self._tick)
        self._started = 0.0
        self._duration_s = 0.0
        self.busy = False

    def start(self, duration_s: float, privileged: bool) -> bool:
        if self.busy:
            return False
        self._stop.clear()
        self.busy = True
        done, failed = Port(self._done), Port(self._failed)
        stop, measure = self._stop, self._measure
        self._started, self._duration_s = time.monotonic(), max(duration_s, 0.001)
        self.progress.emit(0.0)
        self._ticker.start()

        def work() -> None:
            try:
                doc = _measure(measure, duration_s, privileged, stop)
            except Exception as exc:  # a probe bug costs a message on the page, not the application
                failed(f"{type(exc).__name__}: {exc}")
                return
            done(doc)

        self._thread = start_thread(work, "idle-collector")
        return True

    def stop(self) -> None:
        """Cut the window short: the measurement ends at its next one-second step, with what it has."""
        self._stop.set()

    def _tick(self) -> None:
        self.progress.emit(min(1.0, (time.monotonic() - self._started) / self._duration_s))

    def _done(self, doc: object) -> None:
        self._ticker.stop()
        self.progress.emit(1.0)
        self.busy = False
        self._thread = None
        self.finished.emit(doc)

    def _failed(self, why: str) -> None:
        self._ticker.stop()
        self.busy = False
        self._thread = None
        self.failed.emit(why)

    def shutdown(self) -> None:
        self._ticker.stop()
        self._stop.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(5.0)
