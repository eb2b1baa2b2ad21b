"""Worker threads: the snapshot collector and the hotplug monitor. The GUI thread never does I/O."""

from __future__ import annotations

import dataclasses
import queue
import threading
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from hwinspector.probes.devices import drivers as drv
from hwinspector.probes.devices.hotplug import Coalescer, HotplugEvent, monitor_source, resolve_events, watch_uevents
from hwinspector.probes.devices.tree import Device
from hwinspector.probes.errors import InputFormatError, ProbeUnavailable
from hwinspector.probes.machine.snapshot import Snapshot, load_snapshot
from hwinspector.threads import Port, Wakeup, start_thread

FLUSH_INTERVAL_S = 0.15
MONITOR_START_TIMEOUT_S = 2.0  # hotplug batches reach the GUI at most ~7 times a second


class HotplugThread(QObject):
    """Runs the uevent monitor on a thread of its own; ``batch`` carries coalesced (action, devpath) lists.

    The thread sleeps in poll() on the monitor's socket and a stop pipe: no timer, no wakeup while nothing
    happens. The first event of a burst arms the flush, FLUSH_INTERVAL_S later, so a batch reaches the
    GUI at most that long after its first event. The thread holds no Qt object (threads.py).
    """

    batch = Signal(list)
    unavailable = Signal(str)

    def __init__(self, source: str | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._monitor = _HotplugLoop(source, Port(self._batch), Port(self._unavailable))
        self.listening = self._monitor.listening  # set once the netlink socket receives (or cannot)
        self._thread: threading.Thread | None = None

    @property
    def native_id(self) -> int | None:
        """The thread's id in /proc/self/task, once it runs."""
        return self._monitor.native_id

    def start(self) -> None:
        if self._thread is None:
            self._thread = start_thread(self._monitor.run, "hotplug")

    def isRunning(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def stop(self) -> None:
        self._monitor.stop_event.set()
        self._monitor.wake.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(3.0)
        if thread is None or not thread.is_alive():
            self._monitor.wake.close()

    def _batch(self, pending: list[tuple[str, str]]) -> None:
        self.batch.emit(pending)

    def _unavailable(self, reason: str) -> None:
        self.unavailable.emit(reason)


class _HotplugLoop:
    """The hotplug thread's state and body (plain Python: it never touches a Qt object)."""

    def __init__(
        self, source: str | None, batch: Callable[[list[tuple[str, str]]], None], unavailable: Callable[[str], None]
    ):
        self._source = source
        self._send_batch = batch
        self._send_unavailable = unavailable
        self.stop_event = threading.Event()
        self.listening = threading.Event()
        self.wake = Wakeup()
        self._lock = threading.Lock()
        self._coalescer = Coalescer()
        self._due: float | None = None  # when the pending batch goes out
        self.native_id: int | None = None

    def _emit(self, action: str, path: str) -> None:
        with self._lock:
            if self._due is None:
                self._due = time.monotonic() + FLUSH_INTERVAL_S
            self._coalescer.push(action, path)

    def _wait_s(self) -> float | None:
        with self._lock:
            return None if self._due is None else max(0.0, self._due - time.monotonic())

    def _should_stop(self) -> bool:
        with self._lock:
            pending = []
            if self._due is not None and time.monotonic() >= self._due:
                pending = self._coalescer.take()
                self._due = None
        if pending:
            self._send_batch(pending)
        return self.stop_event.is_set()

    def run(self) -> None:
        self.native_id = threading.get_native_id()
        try:
            reason = watch_uevents(
                self._emit,
                self._should_stop,
                self._source,
                on_listening=self.listening.set,
                stop_fd=self.wake.read_fd,
                wait_s=self._wait_s,
            )
        finally:
            self.listening.set()
        if reason:
            self._send_unavailable(reason)


class SnapshotCollector(QObject):
    """Loads snapshots and folds hotplug batches into the current one, on a thread of its own.

    Requests (``load``, ``apply_batch``) are queued for the thread, which sleeps on the queue between
    them; answers arrive on the GUI thread as signals. The thread runs for the window's life.
    """

    snapshot_ready = Signal(object)  # Snapshot
    hotplug = Signal(list, object)  # list[HotplugEvent], Snapshot
    failed = Signal(str)
    progress = Signal(str)

    def __init__(self, sysfs: Path = Path("/sys"), parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._jobs: queue.SimpleQueue[tuple[str, object] | None] = queue.SimpleQueue()
        self._state = _SnapshotState(
            sysfs, Port(self._snapshot_ready), Port(self._hotplug), Port(self._failed), Port(self._progress)
        )
        self._thread = start_thread(self._state.serve(self._jobs), "snapshot-collector")

    def wait_for_monitor(self, listening: threading.Event) -> None:
        """The next live read starts only once this monitor listens."""
        self._jobs.put(("monitor", listening))

    def load(self, source: str | None) -> None:
        self._jobs.put(("load", source))

    def apply_batch(self, pending: list[tuple[str, str]]) -> None:
        self._jobs.put(("batch", pending))

    def shutdown(self, timeout_s: float = 5.0) -> None:
        self._jobs.put(None)
        self._thread.join(timeout_s)

    def _snapshot_ready(self, snap: Snapshot) -> None:
        self.snapshot_ready.emit(snap)

    def _hotplug(self, events: list[HotplugEvent], snap: Snapshot) -> None:
        self.hotplug.emit(events, snap)

    def _failed(self, message: str) -> None:
        self.failed.emit(message)

    def _progress(self, text: str) -> None:
        self.progress.emit(text)


class _SnapshotState:
    """The snapshot thread's state and work (plain Python: it never touches a Qt object)."""

    def __init__(
        self,
        sysfs: Path,
        ready: Callable[[Snapshot], None],
        hotplug: Callable[[list[HotplugEvent], Snapshot], None],
        failed: Callable[[str], None],
        progress: Callable[[str], None],
    ) -> None:
        self._sysfs = sysfs
        self._ready, self._hotplug, self._failed, self._progress = ready, hotplug, failed, progress
        self._snapshot: Snapshot | None = None
        self._aliases: drv.ModuleAliases | None = None
        self._monitor_listening: threading.Event | None = None

    def serve(self, jobs: queue.SimpleQueue[tuple[str, object] | None]) -> Callable[[], None]:
        def run() -> None:
            while (job := jobs.get()) is not None:
                what, arg = job
                if what == "monitor":
                    assert isinstance(arg, threading.Event)
                    self._monitor_listening = arg
                elif what == "load":
                    self.load(arg if isinstance(arg, str) else None)
                elif what == "batch":
                    assert isinstance(arg, list)
                    self.apply_batch(arg)

        return run

    def load(self, source: str | None) -> None:
        self._progress(f"Reading {'the live machine' if source is None else source}…")
        if source is None and self._monitor_listening is not None:
            self._monitor_listening.wait(MONITOR_START_TIMEOUT_S)
        try:
            snap = load_snapshot(source)
        except (InputFormatError, ProbeUnavailable) as exc:
            self._failed(str(exc))
            return
        except OSError as exc:
            self._failed(f"{source or 'live machine'}: {exc.strerror or exc}")
            return
        if snap.source.is_live:
            self._aliases = drv.read_module_aliases()
        self._snapshot = snap
        self._ready(snap)

    def apply_batch(self, pending: list[tuple[str, str]]) -> None:
        snap = self._snapshot
        if snap is None or not snap.source.is_live:
            return
        if any(action == "resync" for action, _ in pending):
            self.load(None)
            return
        devices: dict[str, Device] = {d.path: d for d in snap.devices}
        known = set(devices)
        udev_db = Path("/run/udev/data") if monitor_source() == "udev" else None
        events: list[HotplugEvent] = resolve_events(pending, known, self._sysfs, udev_db)
        if not events:
            return
        for ev in events:
            if ev.action == "remove":
                devices.pop(ev.path, None)
            elif ev.device is not None:
                devices[ev.path] = ev.device
        ordered = tuple(sorted(devices.values(), key=lambda d: d.path.split("/")))
        # Firmware, deferral and taint problems come from the kernel log: keep them; re-derive the rest.
        kept = [p for p in snap.problems if p.kind != "unbound"]
        problems = drv.find_problems(ordered, self._aliases) + kept
        snap = dataclasses.replace(
            snap,
            devices=ordered,
            bindings=tuple(drv.list_bindings(ordered, self._sysfs)),
            problems=tuple(sorted(problems, key=lambda p: (p.severity != "error", p.kind, p.path or ""))),
        )
        self._snapshot = snap
        self._hotplug(events, snap)
