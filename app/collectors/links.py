"""The USB-C/Thunderbolt and wireless chains of a snapshot as reports for the pages and the CLI."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from PySide6.QtCore import QObject, Signal

from hwinspector.models.link_chain import ChainReport


class ChainCollector(QObject):
    """Reads a chain on a worker thread (the live read may wait on D-Bus); the newest request wins.

    A plain Python worker, not a QThread owned by the page: a page deleted while a reading is in flight
    must not take a running thread down with it (Qt aborts on that); the late answer is dropped.
    """

    report_ready = Signal(object, int)
    failed = Signal(str, int)
    _finished = Signal(object, object, int)  # report or None, error text or None, generation

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hwi-chain")
        self._finished.connect(self._deliver)  # queued: emitted on the worker, delivered on the GUI thread
        self.generation = 0
        self.busy = False
        self._closed = False

    def read(self, fn: Callable[[], ChainReport]) -> int:
        self.generation += 1
        self.busy = True
        generation = self.generation
        if not self._closed:
            self._pool.submit(self._run, fn, generation)
        return generation

    def _run(self, fn: Callable[[], ChainReport], generation: int) -> None:
        try:
            result: tuple[object, object] = (fn(), None)
        except Exception as exc:  # a probe bug becomes the page's message, never a dead worker
            result = (None, f"{type(exc).__name__}: {exc}")
        with contextlib.suppress(RuntimeError):  # the page went away meanwhile
            self._finished.emit(*result, generation)

    def _deliver(self, report: object, error: object, generation: int) -> None:
        if generation == self.generation:
            self.busy = False
        if error is not None:
            self.failed.emit(str(error), generation)
        else:
            self.report_ready.emit(report, generation)

    def shutdown(self) -> None:
        self._closed = True
        self._pool.shutdown(wait=True, cancel_futures=True)
