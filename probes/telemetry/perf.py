"""perf_event_open(2) counters: the sampler's spec, its channel path form, and what perf_event_paranoid allows."""

from __future__ import annotations

import ctypes
import errno
import os
import platform
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from hwinspector.i18n import _

PerfMode = Literal["total", "delta", "ratio"]
MODES: tuple[PerfMode, ...] = ("total", "delta", "ratio")
# The sampler's spec format for each mode (sampler.c set_perf, sampler_python).
SPEC_FORMAT = {"total": "perf", "delta": "perf-delta", "ratio": "perf-ratio"}
PATH_SCHEME = "perf:"

# include/uapi/linux/perf_event.h
PERF_FORMAT_TOTAL_TIME_ENABLED = 1 << 0
PERF_FORMAT_TOTAL_TIME_RUNNING = 1 << 1
PERF_FORMAT_GROUP = 1 << 3
READ_FORMAT = PERF_FORMAT_GROUP | PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING
PERF_FLAG_FD_CLOEXEC = 1 << 3
_EXCLUDE_KERNEL_HV = (1 << 5) | (1 << 6)  # attr bit field: exclude_kernel, exclude_hv
PERF_TYPE_SOFTWARE = 1
PERF_COUNT_SW_CPU_CLOCK = 0
PERF_COUNT_SW_TASK_CLOCK = 1
PERF_COUNT_SW_DUMMY = 9
# PERF_ATTR_SIZE_VER0: type, size, config, sample_period, sample_type, read_format, flags,
# wakeup_events, bp_type, config1. Every kernel with perf events accepts it.
_ATTR = struct.Struct("<IIQQQQQIIQ")
# __NR_perf_event_open per architecture (the kernel's syscall tables); libc has no wrapper.
_SYSCALL = {
    "x86_64": 298,
    "i386": 336,
    "i686": 336,
    "aarch64": 241,
    "arm64": 241,
    "armv7l": 364,
    "armv6l": 364,
    "riscv64": 241,
    "loongarch64": 241,
    "ppc64le": 319,
    "ppc64": 319,
    "s390x": 331,
}
CAP_SYS_ADMIN = 21
CAP_PERFMON = 38  # Linux 5.8; before it, CAP_SYS_ADMIN


@dataclass(frozen=True, slots=True)
class PerfCounter:
    """One perf event for the sampler (two for ``ratio``), on the PMU whose sysfs ``type`` file is ``type_path``.

    The type is read from that file at every open, so a PMU that goes away (its driver unbound) reads as
    NaN with its events closed, and one that comes back under a new type number is found again.
    ``pid`` -1 with a ``cpu`` from the PMU's cpumask counts system-wide (uncore PMUs: i915, xe, power);
    ``pid`` 0 the thread that builds the sampler, N that thread. ``mode``: ``total`` the running count;
    ``delta`` the increase since the previous read (xe's GT frequency adds its instantaneous MHz at every
    read); ``ratio`` the nanoseconds of ``config``'s share of ``config2``'s increase, accumulated (xe's
    engine-active-ticks over engine-total-ticks, which must be read in one group).
    """

    type_path: str
    config: int
    cpu: int = -1
    pid: int = -1
    mode: PerfMode = "total"
    config2: int = 0

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"perf mode must be one of {', '.join(MODES)}, got {self.mode!r}")
        for name in ("config", "config2"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or not 0 <= v < 1 << 64:
                raise ValueError(f"perf {name} must be an integer in [0, 2**64), got {v!r}")
        for name in ("cpu", "pid"):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int) or not -1 <= v < 1 << 31:
                raise ValueError(f"perf {name} must be an integer >= -1, got {v!r}")
        if self.cpu == -1 and self.pid == -1:
            raise ValueError("a system-wide perf counter (pid -1) needs a CPU")
        if "\0" in self.type_path or not self.type_path:
            raise ValueError("perf type_path must be a non-empty path without NUL")

    def raw_spec(self, tid: int) -> tuple[bytes, int, str, int, int, int]:
        """The backends' tuple; ``tid`` replaces pid 0, so a reopen by the sampling thread counts the same thread."""
        pid = tid if self.pid == 0 else self.pid
        return (os.fsencode(self.type_path), self.config, SPEC_FORMAT[self.mode], self.cpu, pid, self.config2)


def perf_path(c: PerfCounter) -> str:
    """A channel's ``path`` for a perf counter: ``perf:<mode>:<config>:<config2>:<cpu>:<pid>:<type file>``."""
    return f"{PATH_SCHEME}{c.mode}:{c.config:#x}:{c.config2:#x}:{c.cpu}:{c.pid}:{c.type_path}"


def parse_perf_path(path: str) -> PerfCounter | None:
    """The counter a channel path names, or None for a file path (or a malformed perf path)."""
    if not path.startswith(PATH_SCHEME):
        return None
    parts = path[len(PATH_SCHEME) :].split(":", 5)
    if len(parts) != 6:
        return None
    mode, config, config2, cpu, pid, type_path = parts
    try:
        return PerfCounter(type_path, int(config, 16), int(cpu), int(pid), mode, int(config2, 16))  # type: ignore[arg-type]
    except ValueError:
        return None


def is_perf_path(path: str) -> bool:
    return path.startswith(PATH_SCHEME)


# --- what this process may count ---------------------------------------------------------------------


def read_paranoid(procfs: Path = Path("/proc")) -> int | None:
    """kernel.perf_event_paranoid, or None where the kernel has no perf events (or hides the file)."""
    try:
        return int((procfs / "sys" / "kernel" / "perf_event_paranoid").read_text().strip())
    except (OSError, ValueError):
        return None


def effective_caps(procfs: Path = Path("/proc")) -> int:
    """This process's effective capability set (CapEff in /proc/self/status); 0 if unreadable."""
    try:
        for line in (procfs / "self" / "status").read_text().splitlines():
            if line.startswith("CapEff:"):
                return int(line.split()[1], 16)
    except (OSError, ValueError, IndexError):
        pass
    return 0


def perfmon_capable(procfs: Path = Path("/proc")) -> bool:
    caps = effective_caps(procfs)
    return bool(caps & (1 << CAP_PERFMON) or caps & (1 << CAP_SYS_ADMIN))


def system_wide_refusal(procfs: Path = Path("/proc")) -> str | None:
    """Why this process cannot open system-wide perf counters (uncore PMUs such as i915's), or None.

    kernel/events/core.c, perf_event_open: a CPU-wide event (pid -1) needs perf_event_paranoid <= 0 or
    CAP_PERFMON (CAP_SYS_ADMIN before Linux 5.8); counting the kernel needs paranoid <= 1 likewise.
    """
    paranoid = read_paranoid(procfs)
    if paranoid is None:
        return _("this kernel offers no perf events (no /proc/sys/kernel/perf_event_paranoid)")
    if paranoid <= 0 or perfmon_capable(procfs):
        return None
    return _(
        "system-wide perf counters need CAP_PERFMON or kernel.perf_event_paranoid <= 0 (it is {value}); "
        "the privileged helper can read them"
    ).format(value=paranoid)


# --- perf_event_open through ctypes (the pure-Python sampler, one-shot reads) ------------------------


def _syscall_number() -> int | None:
    return _SYSCALL.get(platform.machine())


_libc: ctypes.CDLL | None = None


def perf_event_open(pmu_type: int, config: int, pid: int, cpu: int, group_fd: int = -1) -> int:
    """Open one counting event (enabled, PERF_FORMAT_GROUP with both times); raises OSError with the errno."""
    global _libc
    nr = _syscall_number()
    if nr is None:
        raise OSError(errno.ENOSYS, f"perf_event_open: unknown syscall number on {platform.machine()}")
    if _libc is None:
        _libc = ctypes.CDLL(None, use_errno=True)
        _libc.syscall.restype = ctypes.c_long
    flags = _EXCLUDE_KERNEL_HV if pid >= 0 else 0  # as sampler_perf.c add_events: see there why
    attr = ctypes.create_string_buffer(_ATTR.pack(pmu_type, _ATTR.size, config, 0, 0, READ_FORMAT, flags, 0, 0, 0))
    fd = _libc.syscall(
        ctypes.c_long(nr),
        attr,
        ctypes.c_int(pid),
        ctypes.c_int(cpu),
        ctypes.c_int(group_fd),
        ctypes.c_ulong(PERF_FLAG_FD_CLOEXEC),
    )
    if fd < 0:
        e = ctypes.get_errno()
        raise OSError(e, os.strerror(e))
    return int(fd)


def read_type(type_path: str) -> int:
    """A PMU's type number from its sysfs ``type`` file; raises OSError (EINVAL for garbage)."""
    fd = os.open(type_path, os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK)
    try:
        data = os.read(fd, 31)
    finally:
        os.close(fd)
    text = data.decode("ascii", "replace").rstrip("\n")
    if not text.isdigit() or len(text) > 8:
        raise OSError(errno.EINVAL, f"{type_path}: not a PMU type number")
    return int(text)
