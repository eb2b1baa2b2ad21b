"""The runtime-PM guard: a GPU's power/runtime_status is read first, and a sleeping GPU is read no further."""

from __future__ import annotations

import errno
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from hwinspector.probes.gpu.model import RuntimePm
from hwinspector.probes.sysfs_attr import MAX_ATTR_BYTES, AttrText, errno_name, optional_int, optional_text, read_attr

# amdgpu answers -EPERM from its sysfs and hwmon handlers while the device is in (runtime) suspend
# (amdgpu_pm.c: "if (amdgpu_in_reset(adev)) return -EPERM; if (adev->in_suspend && !adev->in_runpm)"),
# and -EBUSY where the SMU is busy resuming; either means the GPU is not up, so nothing more is asked.
ASLEEP_ERRNOS = frozenset({errno.EPERM, errno.EBUSY})
ASLEEP_NAMES = frozenset(errno.errorcode[e] for e in ASLEEP_ERRNOS)
# gpu_metrics is a binary table; the kernel's largest (v1_8) is under 2 KiB, and sysfs gives one page.
MAX_BLOB_BYTES = MAX_ATTR_BYTES

_OPEN_FLAGS = os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK


class Asleep(Exception):
    """The GPU is not awake (runtime_status, or EPERM/EBUSY from a read): stop reading it."""


def read_runtime_pm(device_dir: Path) -> RuntimePm:
    """power/runtime_status and the PM core's time accounting. These are the PM core's own attributes:
    reading them never calls into the driver, so it never wakes the device."""
    power = device_dir / "power"
    return RuntimePm(
        status=optional_text(power / "runtime_status"),
        active_ms=optional_int(power / "runtime_active_time"),
        suspended_ms=optional_int(power / "runtime_suspended_time"),
        control=optional_text(power / "control"),
    )


class GuardedReader:
    """Reads one GPU's driver attributes only while the GPU is awake.

    Created from the device directory: power/runtime_status is read first. While it says the device is
    not active, every read raises Asleep without touching the file. A read failing with EPERM or EBUSY
    marks the GPU asleep from then on. Files are opened, read and closed at once: nothing of ours stays
    open on a GPU that may go to sleep.
    """

    def __init__(self, device_dir: Path, runtime: RuntimePm | None = None) -> None:
        self.device_dir = device_dir
        self.runtime = read_runtime_pm(device_dir) if runtime is None else runtime
        self.asleep = self.runtime.asleep
        self.woke_error: str | None = None  # the errno name that said asleep, where one did

    def text(self, path: Path) -> AttrText:
        """The attribute's text, or why there is none (ENOENT, EIO, empty, …); raises Asleep."""
        if self.asleep:
            raise Asleep(str(path))
        attr = read_attr(path)
        if attr.error in ASLEEP_NAMES:
            self._fell_asleep(attr.error)
            raise Asleep(str(path))
        return attr

    def blob(self, path: Path) -> bytes:
        """A binary attribute (gpu_metrics); raises Asleep, or OSError for other failures."""
        if self.asleep:
            raise Asleep(str(path))
        try:
            fd = os.open(path, _OPEN_FLAGS)
            try:
                return os.read(fd, MAX_BLOB_BYTES)
            finally:
                os.close(fd)
        except OSError as exc:
            if exc.errno in ASLEEP_ERRNOS:
                self._fell_asleep(errno_name(exc))
                raise Asleep(str(path)) from exc
            raise

    def _fell_asleep(self, why: str) -> None:
        self.asleep = True
        self.woke_error = why
        if not self.runtime.asleep:
            self.runtime = replace(self.runtime, status=f"asleep ({why})")


@dataclass(slots=True)
class _Seen:
    asleep: bool
    at_s: float
    active_ms: int | None
    since_s: float | None
    exact: bool


class SleepTracker:
    """Remembers, per GPU, when a watcher first saw it asleep, so a live view can say "asleep since".

    The kernel keeps no time of the last transition, only running totals, so "since" is what we saw:
    exact (within one look's interval) when the GPU was seen awake before, or when runtime_active_time
    grew between two asleep looks (it woke in between and slept again); at or before the first look
    otherwise.
    """

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._seen: dict[str, _Seen] = {}

    def observe(self, key: str, rt: RuntimePm) -> RuntimePm:
        now = self._clock()
        prev = self._seen.get(key)
        if not rt.asleep:
            self._seen[key] = _Seen(False, now, rt.active_ms, None, False)
            return rt
        if prev is None:
            since, exact = now, False
        elif not prev.asleep or (rt.active_ms is not None and prev.active_ms != rt.active_ms):
            since, exact = now, True
        else:
            since, exact = prev.since_s if prev.since_s is not None else now, prev.exact
        self._seen[key] = _Seen(True, now, rt.active_ms, since, exact)
        return replace(rt, asleep_since_s=since, since_exact=exact)
