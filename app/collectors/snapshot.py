"""Worker threads: the snapshot collector and the hotplug monitor. The GUI thread never does I/O."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import threading
import time
from pathlib import Path

from PySide6.QtCore import QObject, QThread, Signal, Slot

from hwinspector.probes.devices import drivers as drv
from hwinspector.probes.devices.hotplug import Coalescer, HotplugEvent, monitor_source, resolve_events, watch_uevents
from hwinspector.probes.devices.tree import Device
from hwinspector.probes.errors import InputFormatError, ProbeUnavailable
from hwinspector.probes.machine.snapshot import Snapshot, load_snapshot

FLUSH_INTERVAL_S = 0.15
MONITOR_START_TIMEOUT_S = 2.0  # hotplug batches reach the GUI at most ~7 times a second


class HotplugThread(QThread):
    """Runs the uevent monitor; emits coalesced (action, devpath) batches.

    It sleeps in poll() on the monitor's socket and a stop pipe: no timer, no wakeup while nothing
    happens. The first event of a burst arms the flush, FLUSH_INTERVAL_S later, so a batch reaches the
    GUI at most that long after its first event.
    """

    batch = Signal(list)
    unavailable = Signal(str)

    def __init__(self, source: str | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._stop = threading.Event()
        self.listening = threading.Event()  # set once the netlink socket receives (or cannot)
        self._source = source
        self._lock = threading.Lock()
        self._coalescer = Coalescer()
        self._due: float | None = None  # when the pending batch goes out
        self._wake_r, self._wake_w = os.pipe2(os.O_CLOEXEC | os.O_NONBLOCK)
        self.native_id: int | None = None  # the thread's id in /proc/self/task, once it runs

    def stop(self) -> None:
        self._stop.set()
        if self._wake_w < 0:
            return
        with contextlib.suppress(OSError):
            os.write(self._wake_w, b"x")
        if self.wait(3000) or not self.isRunning():
            for fd in (self._wake_r, self._wake_w):
                os.close(fd)
            self._wake_r = self._wake_w = -1

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
            self.batch.emit(pending)
        return self._stop.is_set()

    def run(self) -> None:
        self.native_id = threading.get_native_id()
        try:
            reason = watch_uevents(
                self._emit,
                self._should_stop,
                self._source,
                on_listening=self.listening.set,
                stop_fd=self._wake_r,
                wait_s=self._wait_s,
            )
        finally:
            self.listening.set()
        if reason:
            self.unavailable.emit(reason)


class SnapshotCollector(QObject):
    """Lives on a worker thread: loads snapshots and folds hotplug batches into the current one."""

    snapshot_ready = Signal(object)  # Snapshot
    hotplug = Signal(list, object)  # list[HotplugEvent], Snapshot
    failed = Signal(str)
    progress = Signal(str)

    def __init__(self, sysfs: Path = Path("/sys")) -> None:
        super().__init__()
        self._sysfs = sysfs
        self._snapshot: Snapshot | None = None
        self._aliases: drv.ModuleAliases | None = None
        self._monitor_listening: threading.Event | None = None

    def wait_for_monitor(self, listening: threading.Event) -> None:
        """The next live read starts only once this monitor listens (called from the GUI thread)."""
        self._monitor_listening = listening

    @Slot(object)
    def load(self, source: str | None) -> None:
        self.progress.emit(f"Reading {'the live machine' if source is None else source}…")
        if source is None and self._monitor_listening is not None:
            self._monitor_listening.wait(MONITOR_START_TIMEOUT_S)
        try:
            snap = load_snapshot(source)
        except (InputFormatError, ProbeUnavailable) as exc:
            self.failed.emit(str(exc))
            return
        except OSError as exc:
            self.failed.emit(f"{source or 'live machine'}: {exc.strerror or exc}")
            return
        if snap.source.is_live:
            self._aliases = drv.read_module_aliases()
        self._snapshot = snap
        self.snapshot_ready.emit(snap)

    @Slot(list)
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
        self.hotplug.emit(events, snap)
