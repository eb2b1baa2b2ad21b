"""Worker threads of the Telemetry page: the recording writer, the kernel log follower, one-off calls."""

from __future__ import annotations

import contextlib
import os
import select
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QRunnable, QThread, QThreadPool, Signal, Slot

from hwinspector.probes.errors import ProbeUnavailable
from hwinspector.probes.kernel_log import KmsgFollower

if TYPE_CHECKING:  # numpy loads with the first recording, not with the window
    from hwinspector.probes.telemetry.channels import Channel
    from hwinspector.probes.telemetry.recording import RecordingWriter


class _Emitter(QObject):
    done = Signal(object)
    failed = Signal(str)


class BackgroundCall(QRunnable):
    """Run ``fn`` on the thread pool; ``signals.done``/``failed`` arrive on the receiver's thread."""

    def __init__(self, fn: Callable[[], object]) -> None:
        super().__init__()
        self.fn = fn
        self.signals = _Emitter()

    def run(self) -> None:
        try:
            result = self.fn()
        except Exception as exc:  # reported to the page as text; a probe must never crash the GUI
            self.signals.failed.emit(f"{type(exc).__name__}: {exc}")
            return
        self.signals.done.emit(result)


def run_in_background(fn: Callable[[], object], done: Callable[[object], None], failed: Callable[[str], None]) -> None:
    call = BackgroundCall(fn)
    call.signals.done.connect(done)
    call.signals.failed.connect(failed)
    QThreadPool.globalInstance().start(call)


class RecorderWorker(QObject):
    """Owns a RecordingWriter on its own thread: file writes never touch the GUI thread."""

    stopped = Signal(str, str)  # path, error ("" when clean)
    progress = Signal(int)  # rows written
    closed = Signal()  # after close(): nothing queued before it is left unprocessed

    def __init__(self, path: Path, channels: list[Channel], rates: list[float], meta: dict[str, Any]) -> None:
        super().__init__()
        self._args = (path, channels, rates, meta)
        self.writer: RecordingWriter | None = None

    @Slot()
    def open(self) -> None:
        path, channels, rates, meta = self._args
        try:
            from hwinspector.probes.telemetry.recording import RecordingWriter

            self.writer = RecordingWriter(path, channels, rates, meta=meta)
        except OSError as exc:
            self.stopped.emit(str(path), f"cannot write {path}: {exc.strerror or exc}")

    @Slot(object)
    def write(self, batch: object) -> None:
        if self.writer is None:
            return
        for chans, t, v in batch:  # type: ignore[attr-defined]
            self.writer.write_rows(chans, t, v)
        self.progress.emit(self.writer.rows_written)
        if self.writer.error:
            self.close({})

    @Slot(object, str)
    def add_marker(self, t_ns: int, note: str) -> None:
        if self.writer is not None:
            self.writer.add_marker(t_ns, note)

    @Slot(object, str, str)
    def add_event(self, t_ns: int, kind: str, text: str) -> None:
        if self.writer is not None:
            self.writer.add_event(t_ns, kind, text)

    @Slot(object)
    def close(self, stats: object) -> None:
        writer, self.writer = self.writer, None
        if writer is not None:
            writer.close(stats if isinstance(stats, dict) else {})
            self.stopped.emit(str(writer.path), writer.error or "")
        self.closed.emit()


class KernelLogThread(QThread):
    """Follows /dev/kmsg; emits warnings and errors (priority <= 4) as (monotonic ns, text)."""

    record = Signal(object, int, str)  # monotonic ns (64-bit: object, not a C int), priority, message
    unavailable = Signal(str)

    def __init__(self, devkmsg: Path = Path("/dev/kmsg"), parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._devkmsg = devkmsg
        self._stop = threading.Event()
        # poll() sleeps on /dev/kmsg and this pipe: no wakeup until the kernel logs or we stop
        self._wake_r, self._wake_w = os.pipe2(os.O_CLOEXEC | os.O_NONBLOCK)

    def stop(self) -> None:
        self._stop.set()
        if self._wake_w < 0:
            return
        with contextlib.suppress(OSError):
            os.write(self._wake_w, b"x")
        if self.wait(2000) or not self.isRunning():
            for fd in (self._wake_r, self._wake_w):
                os.close(fd)
            self._wake_r = self._wake_w = -1

    def run(self) -> None:
        try:
            follower = KmsgFollower(self._devkmsg)
        except ProbeUnavailable as exc:
            self.unavailable.emit(exc.reason)
            return
        try:
            poller = select.poll()
            poller.register(follower.fd, select.POLLIN)
            poller.register(self._wake_r, select.POLLIN)
            while not self._stop.is_set():
                ready = poller.poll()
                if any(fd == self._wake_r for fd, _ in ready):
                    break
                for line in follower.read_new():
                    if line.priority <= 4 and line.time_us is not None:
                        self.record.emit(line.time_us * 1000, line.priority, line.message)
        finally:
            follower.close()
