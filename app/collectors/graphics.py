"""The graphics stack read on a collector thread; the stack itself is read by probes/graphics/stack.py."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal, Slot

from hwinspector.probes.devices.tree import Device
from hwinspector.probes.graphics.stack import PROBE_TIMEOUT_S, GraphicsStack, read_live_stack, stack_from_devices


class _Worker(QObject):
    stack_ready = Signal(object, int)  # GraphicsStack, generation
    failed = Signal(str, int)

    def __init__(self, live_reader: Callable[[], GraphicsStack]) -> None:
        super().__init__()
        self._live_reader = live_reader

    @Slot(object, int)
    def read(self, devices: object, generation: int) -> None:
        try:
            if devices is None:
                stack = self._live_reader()
            else:
                assert isinstance(devices, tuple)
                source, label, devs = devices
                stack = stack_from_devices(list(devs), str(source), str(label))
        except Exception as exc:  # a probe bug must cost a message on the page, not the application
            self.failed.emit(f"{type(exc).__name__}: {exc}", generation)
            return
        self.stack_ready.emit(stack, generation)


class GraphicsCollector(QObject):
    """Reads the stack on its own thread, one request at a time; ``stack_ready`` arrives on the GUI thread.

    Each request gets a generation number: a reading that arrives after a newer request (a dump opened
    while the live machine was being read) is dropped by the page.
    """

    stack_ready = Signal(object, int)
    failed = Signal(str, int)
    _request = Signal(object, int)

    def __init__(self, live_reader: Callable[[], GraphicsStack] = read_live_stack, parent: QObject | None = None):
        super().__init__(parent)
        self._thread = QThread(self)
        self._thread.setObjectName("graphics-collector")
        self._worker = _Worker(live_reader)
        self._worker.moveToThread(self._thread)
        self._request.connect(self._worker.read)
        self._worker.stack_ready.connect(self._done)
        self._worker.failed.connect(self._failed)
        self.generation = 0
        self.busy = False
        self._pending: tuple[object, int] | None = None
        self._closed = False
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)

    def read_live(self) -> int:
        return self._submit(None)

    def read_devices(self, devices: Sequence[Device], source: str, label: str) -> int:
        return self._submit((source, label, tuple(devices)))

    def _submit(self, what: object) -> int:
        self.generation += 1
        if self._closed:
            return self.generation
        if self.busy:
            self._pending = (what, self.generation)  # only the newest request is worth reading
            return self.generation
        if not self._thread.isRunning():
            self._thread.start()
        self.busy = True
        self._request.emit(what, self.generation)
        return self.generation

    def _next(self) -> None:
        self.busy = False
        if self._pending is not None and not self._closed:
            what, gen = self._pending
            self._pending = None
            self.busy = True
            self._request.emit(what, gen)
            return
        # The thread runs only while reading: a page torn down without shutdown() finds it stopped.
        # The worker has returned from its slot, so its event loop ends at once.
        self._thread.quit()
        self._thread.wait(2000)

    def _done(self, stack: object, generation: int) -> None:
        self._next()
        self.stack_ready.emit(stack, generation)

    def _failed(self, message: str, generation: int) -> None:
        self._next()
        self.failed.emit(message, generation)

    def shutdown(self) -> None:
        """End the thread (idempotent); waits for a reading in progress (bounded by the probes' timeout)."""
        self._closed = True
        self._pending = None
        if self._thread.isRunning():
            self._thread.quit()
            self._thread.wait(int((PROBE_TIMEOUT_S + 5) * 1000))
