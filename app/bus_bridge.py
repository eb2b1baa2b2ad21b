"""The D-Bus services for the GUI: an asyncio loop on its own thread, results delivered as Qt signals."""

from __future__ import annotations

import concurrent.futures
import contextlib
import threading
from collections.abc import Coroutine, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal, Slot

from hwinspector.threads import Port, start_thread

if TYPE_CHECKING:  # the bus library loads when the bridge starts, not with the window (start-up time)
    from hwinspector.probes.services.bus import (
        ProfileSwitchResult,
        ServiceData,
        ServiceUpdate,
        SystemBusWatcher,
        TimelineEvent,
        UPowerHistory,
    )

# Why a thread with its own asyncio loop, and not the alternatives:
# - dbus-next is asyncio-only. One loop multiplexes all five services and their signal subscriptions
#   (PropertiesChanged, NameOwnerChanged, PrepareForSleep) on one connection, and asyncio.wait_for()
#   bounds every call, so a hung daemon costs a timeout, not a blocked thread.
# - Running that loop on the Qt event loop (qasync) would add a dependency and put D-Bus reads and
#   decoding on the GUI thread, which never does I/O.
# - A QThreadPool job per call cannot receive signals: they need a connection that is always read.
# Results cross to the GUI thread through Ports (threads.py: no Qt call on the loop thread, so no Qt lock
# is ever held there while it waits for the GIL) and are emitted there as signals carrying immutable probe
# dataclasses; every receiver runs on the GUI thread.


class _LoopThread:
    """Runs one asyncio loop until stopped; the watcher's watch() is its main task (a plain thread: no Qt)."""

    def __init__(self, watcher: SystemBusWatcher) -> None:
        import asyncio  # with the bridge, not with the window (start-up time)

        self.watcher = watcher
        self.loop = asyncio.new_event_loop()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = start_thread(self._run, "bus-bridge")

    def wait(self, timeout_s: float) -> None:
        if self._thread is not None:
            self._thread.join(timeout_s)

    def is_running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def _run(self) -> None:
        import asyncio

        asyncio.set_event_loop(self.loop)
        try:
            self.loop.run_until_complete(self.watcher.watch())
        finally:
            pending = [t for t in asyncio.all_tasks(self.loop) if not t.done()]
            for t in pending:
                t.cancel()
            if pending:
                self.loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            self.loop.run_until_complete(self.loop.shutdown_asyncgens())
            self.loop.close()


class BusBridge(QObject):
    """UPower, power profiles, logind, switcheroo-control and fwupd, live.

    Every ``*_changed`` signal carries the service's whole current state (a frozen dataclass with
    ``available`` and ``reason``): on start, on every change, and when the service appears or goes away.
    Requests (``refresh``, ``set_power_profile``, ``request_history``) return at once; their answers arrive
    as signals. ``latest(service)`` gives the last state for a page created later.
    """

    upower_changed = Signal(object)  # UPowerInfo
    profiles_changed = Signal(object)  # PowerProfiles
    sleep_changed = Signal(object)  # SleepInfo (logind and /sys/power)
    switcheroo_changed = Signal(object)  # SwitcherooInfo
    firmware_changed = Signal(object)  # FirmwareInfo
    history_ready = Signal(object)  # UPowerHistory
    profile_switch_done = Signal(object)  # ProfileSwitchResult: the daemon's own refusal when it says no
    timeline_event = Signal(object, str, str)  # CLOCK_MONOTONIC ns (64-bit: object), "profile"|"sleep", text

    def __init__(
        self,
        address: str | None = None,
        timeout_s: float = 10.0,
        sysfs: Path = Path("/sys"),
        environ: Mapping[str, str] | None = None,
        reconnect_s: float = 5.0,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._latest: dict[str, ServiceData] = {}
        self._watcher_args = (address, timeout_s, sysfs, environ, reconnect_s)
        self._watcher_obj: SystemBusWatcher | None = None
        self._thread: _LoopThread | None = None
        self._event_port = Port(self._on_event)
        self._switch_port = Port(self._on_switch)
        self._history_port = Port(self._on_history)

    @property
    def _watcher(self) -> SystemBusWatcher:
        if self._watcher_obj is None:
            from hwinspector.probes.services.bus import SystemBusWatcher

            self._watcher_obj = SystemBusWatcher(self._event_port, *self._watcher_args)
        return self._watcher_obj

    # --- lifecycle (GUI thread) -------------------------------------------------------------------------

    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = _LoopThread(self._watcher)
        self._thread.start()

    def stop(self, timeout_ms: int = 3000) -> None:
        thread, self._thread = self._thread, None
        if thread is None:
            return
        # Queued even when the loop has not started yet: watch() then returns as soon as it runs.
        with contextlib.suppress(RuntimeError):  # the loop has already closed
            thread.loop.call_soon_threadsafe(self._watcher.close)
        thread.wait(timeout_ms / 1000)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_running()

    def latest(self, service: str) -> ServiceData | None:
        return self._latest.get(service)

    # --- requests (GUI thread; answers arrive as signals) ------------------------------------------------

    @Slot()
    def refresh(self, service: str | None = None) -> None:
        self._submit(self._watcher.refresh(service))

    @Slot(str)
    def set_power_profile(self, profile: str) -> None:
        self._submit(self._switch(profile))

    @Slot(str, str, int, int)
    def request_history(self, device_path: str, kind: str, timespan_s: int, resolution: int = 150) -> None:
        self._submit(self._history(device_path, kind, timespan_s, resolution))

    def _submit(self, coro: Coroutine[Any, Any, None]) -> None:
        thread = self._thread
        if thread is None or thread.loop.is_closed():
            coro.close()
            return
        try:
            import asyncio

            fut: concurrent.futures.Future[None] = asyncio.run_coroutine_threadsafe(coro, thread.loop)
        except RuntimeError:  # the loop is shutting down
            coro.close()
            return
        del fut  # the answer comes back as a signal; nothing waits on the future

    # --- on the loop thread ---------------------------------------------------------------------------

    async def _switch(self, profile: str) -> None:
        result: ProfileSwitchResult = await self._watcher.set_power_profile(profile)
        self._switch_port(result)

    async def _history(self, path: str, kind: str, timespan_s: int, resolution: int) -> None:
        from hwinspector.probes.services.bus import UPowerHistory

        try:
            hist = await self._watcher.read_history(path, kind, timespan_s, resolution)
        except ValueError as exc:  # not "charge" or "rate"
            hist = UPowerHistory(path, kind, timespan_s, False, str(exc))
        self._history_port(hist)

    # --- on the GUI thread ----------------------------------------------------------------------------

    def _on_switch(self, result: ProfileSwitchResult) -> None:
        self.profile_switch_done.emit(result)

    def _on_history(self, hist: UPowerHistory) -> None:
        self.history_ready.emit(hist)

    def _on_event(self, event: ServiceUpdate | TimelineEvent) -> None:
        from hwinspector.probes.services.bus import (
            FirmwareInfo,
            PowerProfiles,
            SleepInfo,
            SwitcherooInfo,
            TimelineEvent,
            UPowerInfo,
        )

        if isinstance(event, TimelineEvent):
            self.timeline_event.emit(event.t_monotonic_ns, event.kind, event.text)
            return
        self._latest[event.service] = event.data
        data = event.data
        if isinstance(data, UPowerInfo):
            self.upower_changed.emit(data)
        elif isinstance(data, PowerProfiles):
            self.profiles_changed.emit(data)
        elif isinstance(data, SleepInfo):
            self.sleep_changed.emit(data)
        elif isinstance(data, SwitcherooInfo):
            self.switcheroo_changed.emit(data)
        elif isinstance(data, FirmwareInfo):
            self.firmware_changed.emit(data)
