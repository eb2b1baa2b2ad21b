"""Hotplug: uevents from udev (or the kernel where no udev daemon runs), coalesced into batches."""

from __future__ import annotations

import contextlib
import ctypes
import math
import os
import select
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hwinspector.probes.devices.tree import Device, nearest_parent, read_device_dir, udev_daemon_running

RECEIVE_BUFFER_BYTES = 32 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class HotplugEvent:
    action: str  # "add" | "remove" | "change" | "bind" | "unbind" | "move" | "online" | "offline"
    path: str  # devpath
    device: Device | None  # the device as read after the event; None for remove or when it vanished
    time_monotonic_ns: int


def monitor_source(udev_run: Path = Path("/run/udev")) -> str:
    """ "udev" when udevd runs (or umockdev stands in for it), else "kernel" (raw kernel uevents: the
    same actions, without udev's rules and database properties)."""
    if umockdev_active() or udev_daemon_running(udev_run):
        return "udev"
    return "kernel"


def umockdev_active() -> bool:
    """umockdev's testbed sets UMOCKDEV_DIR with setenv() after Python copied the environment, so
    ask the C library rather than os.environ."""
    if os.environ.get("UMOCKDEV_DIR"):
        return True
    if "umockdev" not in os.environ.get("LD_PRELOAD", ""):
        return False
    libc = ctypes.CDLL(None)
    libc.getenv.restype = ctypes.c_char_p
    return bool(libc.getenv(b"UMOCKDEV_DIR"))


class Coalescer:
    """Folds a burst of events per device into what changed since the last flush.

    add then remove of the same device cancels out; remove then add is a change; many changes are one.
    Order of first appearance is kept so parents are applied before children.
    """

    def __init__(self) -> None:
        self._pending: dict[str, str] = {}

    def push(self, action: str, path: str) -> None:
        prev = self._pending.get(path)
        if action == "remove":
            if prev == "add":
                del self._pending[path]
            else:
                self._pending[path] = "remove"
        elif action == "add":
            self._pending[path] = "change" if prev in ("remove", "change") else "add"
        elif prev is None:
            self._pending[path] = action
        elif prev not in ("add", "remove"):
            self._pending[path] = action  # bind/unbind/change: the latest says the most

    def __len__(self) -> int:
        return len(self._pending)

    def take(self) -> list[tuple[str, str]]:
        out = list(self._pending.items())
        self._pending.clear()
        # removes first (children before parents), then the rest (parents before children)
        removes = sorted((p for p, a in out if a == "remove"), key=lambda p: p.count("/"), reverse=True)
        others = sorted(((p, a) for p, a in out if a != "remove"), key=lambda pa: pa[0].count("/"))
        return [("remove", p) for p in removes] + [(a, p) for p, a in others]


def resolve_events(
    pending: list[tuple[str, str]],
    known: set[str],
    sysfs: Path = Path("/sys"),
    udev_db: Path | None = None,
) -> list[HotplugEvent]:
    """Read each device of a coalesced batch; a device gone by now becomes a remove.

    ``known`` is the set of devpaths the consumer holds; it is updated so parents resolve within the batch.
    """
    out: list[HotplugEvent] = []
    now = time.monotonic_ns()
    for action, path in pending:
        if action == "remove":
            known.discard(path)
            out.append(HotplugEvent("remove", path, None, now))
            continue
        try:
            dev: Device = read_device_dir(sysfs, path, nearest_parent(path, known), udev_db)
        except OSError:
            if path in known:
                known.discard(path)
                out.append(HotplugEvent("remove", path, None, now))
            continue
        action = action if path in known or action != "change" else "add"
        known.add(path)
        out.append(HotplugEvent(action, path, dev, now))
    return out


def watch_uevents(
    emit: Callable[[str, str], None],
    should_stop: Callable[[], bool],
    source: str | None = None,
    poll_s: float | None = None,
    on_listening: Callable[[], None] | None = None,
    *,
    stop_fd: int | None = None,
    wait_s: Callable[[], float | None] | None = None,
) -> str:
    """Call ``emit(action, devpath)`` for each uevent until ``should_stop()``; returns a reason when the
    monitor cannot run at all (netlink refused), else "" on a normal stop.

    It blocks on the monitor's socket, and on ``stop_fd`` (readable: stop now), so an idle machine costs
    no wakeups at all. ``wait_s()`` bounds the next wait (None: until an event or ``stop_fd``), e.g. to
    flush a batch on time; without it, ``poll_s`` does (None: no bound). ``should_stop()`` is asked
    after every wake.
    """
    import pyudev  # imported here: the rest of the probes work without libudev

    try:
        ctx = pyudev.Context()
        mon = pyudev.Monitor.from_netlink(ctx, source=source or monitor_source())
        # A storm (docking station, a thousand uevents at once) overflows the default socket buffer and
        # the kernel drops events; udevd's own monitor asks for 128 MiB for this reason. Without
        # CAP_NET_ADMIN the kernel caps it at rmem_max; ENOBUFS then triggers a resync.
        with contextlib.suppress(OSError, AttributeError):
            mon.set_receive_buffer_size(RECEIVE_BUFFER_BYTES)
        mon.start()
    except (OSError, ImportError) as exc:
        return f"hotplug monitor unavailable: {exc}"
    if on_listening is not None:
        on_listening()
    waiter = select.poll()
    waiter.register(mon.fileno(), select.POLLIN)
    if stop_fd is not None:
        waiter.register(stop_fd, select.POLLIN)
    while not should_stop():
        limit = wait_s() if wait_s is not None else poll_s
        ready = waiter.poll(None if limit is None else max(0, math.ceil(limit * 1000)))
        if stop_fd is not None and any(fd == stop_fd for fd, _ in ready):
            break
        if ready:
            _drain(mon, emit)
    return ""


def _drain(mon: Any, emit: Callable[[str, str], None]) -> None:
    """Every uevent queued on the monitor's socket, without blocking."""
    while True:
        try:
            dev = mon.poll(timeout=0)
        except OSError:
            # ENOBUFS under an event storm: the kernel dropped events for us, so the consumer's view
            # may be stale; ask it to re-read everything.
            emit("resync", "")
            return
        if dev is None:
            return
        emit(dev.action or "change", dev.device_path)
