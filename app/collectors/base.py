"""The shared shape of a page's reader: one request at a time on a worker thread, the newest waiting one wins."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Signal

from hwinspector.threads import LatestRequest


class RequestCollector(QObject):
    """Reads ``work(request)`` on a worker thread; ``ready(result, generation)`` or ``failed(text, generation)``
    arrive on the GUI thread.

    Each request gets a generation number: an answer that arrives after a newer request (a dump opened while
    the live machine was being read) is delivered too, and the page drops it. ``busy`` is true until the
    newest request is answered. The worker thread exists only while there is work (threads.LatestRequest).
    """

    ready = Signal(object, int)
    failed = Signal(str, int)

    def __init__(self, work: Callable[[Any], Any], name: str, parent: QObject | None = None, wait_s: float = 5.0):
        super().__init__(parent)
        self._requests: LatestRequest[Any, Any] = LatestRequest(work, self._answered, self._refused, name)
        self._wait_s = wait_s
        self.busy = False
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)

    @property
    def generation(self) -> int:
        return self._requests.generation

    def submit(self, request: Any) -> int:
        self.busy = True
        return self._requests.submit(request)

    def running(self) -> bool:
        """Whether a worker thread exists now (it ends when the last request is answered)."""
        return self._requests.running

    def _answered(self, result: object, generation: int) -> None:
        if generation == self.generation:
            self.busy = False
        self.ready.emit(result, generation)

    def _refused(self, message: str, generation: int) -> None:
        if generation == self.generation:
            self.busy = False
        self.failed.emit(message, generation)

    def shutdown(self) -> None:
        """No more requests; waits (bounded by ``wait_s``) for a reading in progress, whose answer is dropped."""
        self.busy = False
        self._requests.shutdown(self._wait_s)
