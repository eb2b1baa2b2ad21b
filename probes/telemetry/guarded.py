"""Guarded channels: a device's power/runtime_status read first, its files read only while it is awake."""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence

from hwinspector.probes.sysfs_attr import MAX_ATTR_BYTES, errno_name, parse_int
from hwinspector.probes.telemetry.channels import Channel, ChannelReading

# runtime_status values under which reading the device's attributes wakes nothing ("unsupported": runtime
# PM off, always powered); a guard file that is absent means the same (no runtime PM, or a capture).
AWAKE = frozenset({"active", "unsupported"})
_FLAGS = os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK


class GuardedFiles:
    """Reads guarded channels: per guard, one read of the guard, then one pread per channel on fds kept open
    while the device is awake. When the guard says asleep (or a read answers EPERM/EBUSY, which amdgpu
    gives a suspended GPU), every fd of that device is closed and its channels give no value until it is
    seen awake again. Usable as a CommandSampler's ``read``."""

    def __init__(self) -> None:
        self._fds: dict[str, dict[str, int]] = {}  # guard -> path -> fd
        self._guard_fds: dict[str, int] = {}
        self._lock = threading.Lock()
        self.guard_reads = 0

    def __call__(self, channels: Sequence[Channel]) -> list[ChannelReading]:
        by_guard: dict[str, list[Channel]] = {}
        for ch in channels:
            by_guard.setdefault(ch.guard or "", []).append(ch)
        out: dict[str, ChannelReading] = {}
        with self._lock:
            for guard, chans in by_guard.items():
                state = self._state(guard) if guard else "active"
                if state not in AWAKE:
                    self._close(guard)
                    why = f"asleep ({state}): not read, to keep it asleep"
                    out.update({c.id: ChannelReading(c.id, None, None, why) for c in chans})
                    continue
                for ch in chans:
                    out[ch.id] = self._read(guard, ch)
        return [out[c.id] for c in channels]

    def _state(self, guard: str) -> str:
        """runtime_status through a kept fd: a PM core attribute, so holding it open and pread-ing it never
        wakes the device (the driver's own files are the ones closed while it sleeps)."""
        self.guard_reads += 1
        try:
            fd = self._guard_fds.get(guard)
            if fd is None:
                fd = self._guard_fds[guard] = os.open(guard, _FLAGS)
            text = os.pread(fd, 64, 0).decode("ascii", "replace").strip()
        except FileNotFoundError:
            return "active"
        except OSError as exc:
            fd = self._guard_fds.pop(guard, None)
            if fd is not None:
                os.close(fd)
            return f"unknown: {errno_name(exc)}"
        return text or "unknown: empty"

    def _read(self, guard: str, ch: Channel) -> ChannelReading:
        fds = self._fds.setdefault(guard, {})
        try:
            fd = fds.get(ch.path)
            if fd is None:
                fd = fds[ch.path] = os.open(ch.path, _FLAGS)
            data = os.pread(fd, MAX_ATTR_BYTES, 0)
        except OSError as exc:
            name = errno_name(exc)
            if name in ("EPERM", "EBUSY"):
                self._close(guard)
                return ChannelReading(ch.id, None, None, f"asleep ({name}): not read, to keep it asleep")
            fd = fds.pop(ch.path, None)
            if fd is not None:
                os.close(fd)
            return ChannelReading(ch.id, None, None, name)
        value = parse_int(data.decode("ascii", "replace"))
        if value is None:
            return ChannelReading(ch.id, None, None, "garbage" if data.strip() else "empty")
        return ChannelReading(ch.id, value, value * ch.scale, None)

    def _close(self, guard: str) -> None:
        for fd in self._fds.pop(guard, {}).values():
            os.close(fd)

    def open_fds(self) -> int:
        with self._lock:
            return sum(len(v) for v in self._fds.values())

    def close(self) -> None:
        with self._lock:
            for guard in list(self._fds):
                self._close(guard)
            for fd in self._guard_fds.values():
                os.close(fd)
            self._guard_fds.clear()
