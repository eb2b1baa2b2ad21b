"""Reads the audio and camera chains on a worker thread; ``reading_ready`` arrives on the GUI thread."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal, Slot

from hwinspector.collectors.av_sources import AvReading, read_av
from hwinspector.probes.machine.snapshot import Snapshot

WAIT_MS = 20_000  # pw-dump, pactl and cam each have a 5-8 s timeout


class _Worker(QObject):
    done = Signal(object, int)
    failed = Signal(str, int)

    def __init__(self, reader: Callable[[Snapshot], AvReading]) -> None:
        super().__init__()
        self._reader = reader

    @Slot(object, int)
    def read(self, snapshot: object, generation: int) -> None:
        try:
            assert isinstance(snapshot, Snapshot)
            reading = self._reader(snapshot)
        except Exception as exc:  # a probe bug costs a message on the page, not the application
            reason = getattr(exc, "reason", None) or f"{type(exc).__name__}: {exc}"
            self.failed.emit(str(reason), generation)
            return
        self.done.emit(reading, generation)


class AvCollector(QObject):
    """One request at a time; the newest waiting request replaces an older one. The thread runs only while reading."""

    reading_ready = Signal(object, int)  # AvReading, generation
    failed = Signal(str, int)
    _request = Signal(object, int)

    def __init__(self, reader: Callable[[Snapshot], AvReading] = read_av, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread = QThread(self)
        self._thread.setObjectName("av-collector")
        self._worker = _Worker(reader)
        self._worker.moveToThread(self._thread)
        self._request.connect(self._worker.read)
        self._worker.done.connect(self._done)
        self._worker.failed.connect(self._failed)
        self.generation = 0
        self.busy = False
        self._pending: tuple[Snapshot, int] | None = None
        self._closed = False
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)

    def read(self, snapshot: Snapshot) -> int:
        self.generation += 1
        if self._closed:
            return self.generation
        if self.busy:
            self._pending = (snapshot, self.generation)
            return self.generation
        if not self._thread.isRunning():
            self._thread.start()
        self.busy = True
        self._request.emit(snapshot, self.generation)
        return self.generation

    def _next(self) -> None:
        self.busy = False
        if self._pending is not None and not self._closed:
            snap, gen = self._pending
            self._pending = None
            self.busy = True
            self._request.emit(snap, gen)
            return
        self._thread.quit()
        self._thread.wait(2000)

    def _done(self, reading: object, generation: int) -> None:
        self._next()
        self.reading_ready.emit(reading, generation)

    def _failed(self, message: str, generation: int) -> None:
        self._next()
        self.failed.emit(message, generation)

    def shutdown(self) -> None:
        self._closed = True
        self._pending = None
        if self._thread.isRunning():
            self._thread.quit()
            self._thread.wait(WAIT_MS)
