"""The GPU panel's collector: GpuReader on a worker thread, one look per tick, only while the panel polls."""

from __future__ import annotations

import contextlib
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from hwinspector.probes.gpu.model import GpuReport
from hwinspector.probes.gpu.read import GpuReader

# One look every 1.5 s: the rate the Power and Thermal pages poll at (two wakeups a second at most);
# the first follows 0.25 s after the second-to-first so busy % and RC6 shares show at once.
POLL_INTERVAL_S = 1.5
FIRST_INTERVAL_S = 0.25


class GpuCollector(QObject):
    """Reads on a Python worker thread (never the GUI thread) and hands each GpuReport to ``report_ready``
    on the GUI thread. ``start()``/``stop()`` follow the panel's visibility: stopped, no timer runs and the
    reader (NVML included) is closed on the worker thread. A panel dropped mid-read is harmless: the worker
    is a plain thread, and a report for a deleted collector is dropped."""

    report_ready = Signal(object)
    _deliver = Signal(object)

    def __init__(self, sysfs: Path = Path("/sys"), procfs: Path = Path("/proc"), parent: QObject | None = None):
        super().__init__(parent)
        self._reader = GpuReader(sysfs, procfs)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gpu-reader")
        self._lock = threading.Lock()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._tick)
        self._deliver.connect(self._delivered)  # queued: emitted from the worker thread
        self._inflight: Future[None] | None = None
        self._closed = False
        self.polling = False
        self.looks = 0

    def start(self) -> None:
        if self.polling or self._closed:
            return
        self.polling = True
        self.looks = 0
        self._tick()

    def stop(self) -> None:
        self.polling = False
        self._timer.stop()
        if not self._closed:
            self._pool.submit(self._reader.close)  # after any read in flight, on the same thread

    def shutdown(self) -> None:
        """Stop for good and wait for a read in flight (idempotent; a later stop() is a no-op)."""
        if self._closed:
            return
        self.stop()
        self._closed = True
        self._pool.shutdown(wait=True)

    @property
    def busy(self) -> bool:
        f = self._inflight
        return f is not None and not f.done()

    @Slot()
    def _tick(self) -> None:
        if not self.polling or self.busy:
            return
        self._inflight = self._pool.submit(self._read)

    def _read(self) -> None:
        report = self._reader.read()
        # RuntimeError: the collector's Qt object is gone (its page was dropped): nobody to show it to
        with contextlib.suppress(RuntimeError):
            self._deliver.emit(report)

    @Slot(object)
    def _delivered(self, report: object) -> None:
        if not self.polling or not isinstance(report, GpuReport):
            return
        self.looks += 1
        self.report_ready.emit(report)
        self._timer.start(int(1000 * (FIRST_INTERVAL_S if self.looks == 1 else POLL_INTERVAL_S)))
