"""Worker threads of the Telemetry page: the recording writer and the kernel log follower."""

from __future__ import annotations

import queue
import select
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal

from hwinspector.probes.errors import ProbeUnavailable
from hwinspector.probes.kernel_log import KmsgFollower
from hwinspector.threads import Port, Wakeup, start_thread

if TYPE_CHECKING:  # numpy loads with the first recording, not with the window
    from hwinspector.probes.telemetry.channels import Channel
    from hwinspector.probes.telemetry.recording import RecordingWriter


class Recorder(QObject):
    """Owns a RecordingWriter on a thread of its own: file writes never touch the GUI thread.

    Rows, markers and events are queued for the thread in the order given; ``close()`` queues the end
    and waits for the file to be closed. ``progress`` and ``stopped`` arrive on the GUI thread.
    """

    stopped = Signal(str, str)  # path, error ("" when clean)
    progress = Signal(int)  # rows written

    def __init__(
        self,
        path: Path,
        channels: list[Channel],
        rates: list[float],
        meta: dict[str, Any],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.path = path
        self._jobs: queue.SimpleQueue[tuple[str, tuple[Any, ...]]] = queue.SimpleQueue()
        loop = _RecorderLoop(path, channels, rates, meta, Port(self._progress), Port(self._stopped))
        self._thread = start_thread(loop.serve(self._jobs), "recorder")

    def write(self, batch: object) -> None:
        self._jobs.put(("rows", (batch,)))

    def add_marker(self, t_ns: int, note: str) -> None:
        self._jobs.put(("marker", (t_ns, note)))

    def add_event(self, t_ns: int, kind: str, text: str) -> None:
        self._jobs.put(("event", (t_ns, kind, text)))

    def close(self, stats: dict[str, Any], timeout_s: float = 10.0) -> bool:
        """Queue the end and wait for the file to be closed; False when the writer did not finish in time."""
        self._jobs.put(("close", (stats,)))
        self._thread.join(timeout_s)
        return not self._thread.is_alive()

    def _progress(self, rows: int) -> None:
        self.progress.emit(rows)

    def _stopped(self, path: str, error: str) -> None:
        self.stopped.emit(path, error)


class _RecorderLoop:
    """The recorder thread's state and work (plain Python: it never touches a Qt object)."""

    def __init__(
        self,
        path: Path,
        channels: list[Channel],
        rates: list[float],
        meta: dict[str, Any],
        progress: Callable[[int], None],
        stopped: Callable[[str, str], None],
    ) -> None:
        self._args = (path, channels, rates, meta)
        self._progress, self._stopped = progress, stopped
        self.writer: RecordingWriter | None = None

    def serve(self, jobs: queue.SimpleQueue[tuple[str, tuple[Any, ...]]]) -> Callable[[], None]:
        def run() -> None:
            self.open()
            while True:
                what, args = jobs.get()
                if what == "rows":
                    self.write(args[0])
                elif what == "marker" and self.writer is not None:
                    self.writer.add_marker(*args)
                elif what == "event" and self.writer is not None:
                    self.writer.add_event(*args)
                elif what == "close":
                    self.close(args[0])
                    return

        return run

    def open(self) -> None:
        path, channels, rates, meta = self._args
        try:
            from hwinspector.probes.telemetry.recording import RecordingWriter

            self.writer = RecordingWriter(path, channels, rates, meta=meta)
        except OSError as exc:
            self._stopped(str(path), f"cannot write {path}: {exc.strerror or exc}")

    def write(self, batch: Any) -> None:
        if self.writer is None:
            return
        for chans, t, v in batch:
            self.writer.write_rows(chans, t, v)
        self._progress(self.writer.rows_written)
        if self.writer.error:
            self.close({})

    def close(self, stats: object) -> None:
        writer, self.writer = self.writer, None
        if writer is not None:
            writer.close(stats if isinstance(stats, dict) else {})
            self._stopped(str(writer.path), writer.error or "")


class KernelLogThread(QObject):
    """Follows /dev/kmsg on a thread of its own; ``record`` carries warnings and errors (priority <= 4)."""

    record = Signal(object, int, str)  # monotonic ns (64-bit: object, not a C int), priority, message
    unavailable = Signal(str)

    def __init__(self, devkmsg: Path = Path("/dev/kmsg"), parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._devkmsg = devkmsg
        self._stop = threading.Event()
        # poll() sleeps on /dev/kmsg and this pipe: no wakeup until the kernel logs or we stop
        self._wake = Wakeup()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = start_thread(
                _follow(self._devkmsg, self._stop, self._wake.read_fd, Port(self._record), Port(self._unavailable)),
                "kernel-log",
            )

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(2.0)
        if thread is None or not thread.is_alive():
            self._wake.close()

    def _record(self, t_ns: int, priority: int, message: str) -> None:
        self.record.emit(t_ns, priority, message)

    def _unavailable(self, reason: str) -> None:
        self.unavailable.emit(reason)


def _follow(
    devkmsg: Path,
    stop: threading.Event,
    wake_fd: int,
    record: Callable[[int, int, str], None],
    unavailable: Callable[[str], None],
) -> Callable[[], None]:
    def run() -> None:
        try:
            follower = KmsgFollower(devkmsg)
        except ProbeUnavailable as exc:
            unavailable(exc.reason)
            return
        try:
            poller = select.poll()
            poller.register(follower.fd, select.POLLIN)
            poller.register(wake_fd, select.POLLIN)
            while not stop.is_set():
                ready = poller.poll()
                if any(fd == wake_fd for fd, _ in ready):
                    break
                for line in follower.read_new():
                    if line.priority <= 4 and line.time_us is not None:
                        record(line.time_us * 1000, line.priority, line.message)
        finally:
            follower.close()

    return run
