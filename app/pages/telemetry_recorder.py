"""The Telemetry page's recorder: the rows, markers and events it samples, written to a file on a thread of its own."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QThread, Signal
from PySide6.QtWidgets import QFileDialog, QWidget

from hwinspector.collectors.telemetry import RecorderWorker
from hwinspector.probes.telemetry.channels import Channel


class PageRecorder(QObject):
    """Owns one RecorderWorker and its thread while a recording runs; the page only hands it what it sampled.

    ``progress`` (rows written) and ``stopped`` (path, error) arrive on the page's thread.
    """

    rows_ready = Signal(object)  # batches for the recorder thread
    marker_ready = Signal(object, str)
    event_ready = Signal(object, str, str)
    close_requested = Signal(object)
    progress = Signal(int)
    stopped = Signal(str, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._worker: RecorderWorker | None = None
        self._thread: QThread | None = None

    @property
    def active(self) -> bool:
        return self._worker is not None

    @staticmethod
    def ask_path(parent: QWidget) -> Path | None:
        """Where to record, asked in a file dialog (a .jsonl.gz recording, or a .csv spreadsheet)."""
        stamp = time.strftime("%Y%m%d-%H%M%S")
        path, _ = QFileDialog.getSaveFileName(
            parent,
            "Record telemetry",
            str(Path.home() / f"telemetry-{stamp}.jsonl.gz"),
            "Recording (*.jsonl.gz);;Spreadsheet (*.csv)",
        )
        return Path(path) if path else None

    def start(self, path: Path, channels: list[Channel], rates: list[float]) -> bool:
        """Open ``path`` on the recorder thread; False while a recording already runs."""
        if self._worker is not None:
            return False
        worker = RecorderWorker(path, channels, rates, {"generator": "hwinspector GUI"})
        thread = QThread(self)
        thread.setObjectName("recorder")
        worker.moveToThread(thread)
        thread.started.connect(worker.open)
        self.rows_ready.connect(worker.write)
        self.marker_ready.connect(worker.add_marker)
        self.event_ready.connect(worker.add_event)
        self.close_requested.connect(worker.close)
        worker.stopped.connect(self.stopped)
        worker.progress.connect(self.progress)
        # The thread ends itself once close() ran: quitting it from here could drop the queued close.
        worker.closed.connect(thread.quit, Qt.ConnectionType.DirectConnection)
        self._worker, self._thread = worker, thread
        thread.start()
        return True

    def write(self, batch: object) -> None:
        if self._worker is not None and batch:
            self.rows_ready.emit(batch)

    def add_marker(self, t_ns: int, note: str) -> None:
        if self._worker is not None:
            self.marker_ready.emit(t_ns, note)

    def add_events(self, batch: Sequence[tuple[int, str, str]]) -> None:
        if self._worker is not None:
            for t_ns, kind, text in batch:
                self.event_ready.emit(t_ns, kind, text)

    def stop(self, last_batch: object, stats: dict[str, float]) -> None:
        """Write the last rows and the sampler's cost, close the file and wait for the thread (≤ 10 s)."""
        if self._worker is None or self._thread is None:
            return
        self.write(last_batch)
        self.close_requested.emit(stats)
        thread = self._thread
        for sig in (self.rows_ready, self.marker_ready, self.event_ready, self.close_requested):
            sig.disconnect()
        if not thread.wait(10_000):  # the worker quits its thread after closing the file
            thread.quit()
            thread.wait(1000)
        self._worker, self._thread = None, None
