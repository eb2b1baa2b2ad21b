"""Runs an idle measurement (and the helper, when asked) on its own thread; results arrive as signals."""

from __future__ import annotations

import threading
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

from hwinspector.probes.power.idle import measure_idle
from hwinspector.probes.privileged.client import HelperClient, HelperReader, HelperRefused, HelperUnavailable


class _Worker(QObject):
    progress = Signal(float)
    finished = Signal(object)  # the report's JSON document
    failed = Signal(str)

    def __init__(self, stop: threading.Event) -> None:
        super().__init__()
        self._stop = stop

    @Slot(float, bool)
    def run(self, duration_s: float, privileged: bool) -> None:
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
            report = measure_idle(
                duration_s, privileged=reader, progress=self.progress.emit, should_stop=self._stop.is_set
            )
            doc: dict[str, Any] = report.doc
            if privileged and reader is None:
                doc["privileged"] = {"available": False, "reason": why}
            elif reader is not None and doc.get("privileged") is not None:
                doc["privileged"]["absent"] = reader.absent
                doc["privileged"]["note"] = reader.note
        except Exception as exc:  # a probe bug costs a message on the page, not the application
            self.failed.emit(f"{type(exc).__name__}: {exc}")
            return
        finally:
            if client is not None:
                client.close()
        self.finished.emit(doc)


class IdleCollector(QObject):
    """One measurement at a time; the thread runs only while measuring."""

    progress = Signal(float)
    finished = Signal(object)
    failed = Signal(str)
    _request = Signal(float, bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._stop = threading.Event()
        self._thread = QThread(self)
        self._thread.setObjectName("idle-collector")
        self._worker = _Worker(self._stop)
        self._worker.moveToThread(self._thread)
        self._request.connect(self._worker.run)
        self._worker.progress.connect(self.progress)
        self._worker.finished.connect(self._done)
        self._worker.failed.connect(self._failed)
        self.busy = False

    def start(self, duration_s: float, privileged: bool) -> bool:
        if self.busy:
            return False
        self._stop.clear()
        if not self._thread.isRunning():
            self._thread.start()
        self.busy = True
        self._request.emit(duration_s, privileged)
        return True

    def stop(self) -> None:
        """Cut the window short: the measurement ends at its next one-second step, with what it has."""
        self._stop.set()

    def _done(self, doc: object) -> None:
        self.busy = False
        self._thread.quit()
        self.finished.emit(doc)

    def _failed(self, why: str) -> None:
        self.busy = False
        self._thread.quit()
        self.failed.emit(why)

    def shutdown(self) -> None:
        self._stop.set()
        self._thread.quit()
        self._thread.wait(5000)
