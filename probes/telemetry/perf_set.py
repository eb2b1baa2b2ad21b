"""The pure-Python twin of sampler_perf.c (perf counters grouped per PMU, CPU and task), and single reads."""

from __future__ import annotations

import errno
import math
import os
import struct
import threading
import time

from hwinspector.probes.telemetry.perf import (
    SPEC_FORMAT,
    PerfCounter,
    perf_event_open,
    read_type,
    system_wide_refusal,
)

_HEADER = 3  # nr, time_enabled, time_running
_MODE_OF = {fmt: mode for mode, fmt in SPEC_FORMAT.items()}


class PerfChan:
    """One perf channel: its spec, where its events sit in a group, and this tick's value."""

    __slots__ = (
        "acc",
        "config",
        "cpu",
        "err",
        "failed",
        "fds",
        "group",
        "have_prev",
        "mode",
        "pid",
        "pos",
        "prev",
        "prev_enabled",
        "raw",
        "type_path",
        "value",
    )

    def __init__(self, type_path: bytes, config: int, fmt: str, cpu: int, pid: int, config2: int) -> None:
        mode = _MODE_OF.get(fmt)
        if mode is None or cpu < -1 or pid < -1 or (cpu == -1 and pid == -1):
            raise ValueError("a perf counter is (type_path, config, mode, cpu, pid, config2) with cpu or pid >= 0")
        self.type_path = type_path
        self.mode = mode
        self.config = (config, config2) if mode == "ratio" else (config,)
        self.cpu, self.pid = cpu, pid
        self.group: _Group | None = None
        self.fds: list[int] = []
        self.pos: list[int] = []
        self.err = errno.ENOENT
        self.have_prev = False
        self.prev = (0, 0)
        self.prev_enabled = 0
        self.acc = 0.0
        self.value = math.nan
        self.raw = 0
        self.failed = True

    def key(self) -> tuple[bytes, int, int]:
        return self.type_path, self.cpu, self.pid


class _Group:
    __slots__ = ("failed", "full", "key", "leader", "members", "type")

    def __init__(self, key: tuple[bytes, int, int], pmu_type: int) -> None:
        self.key = key
        self.type = pmu_type
        self.leader = -1
        self.members: list[int] = []  # fds in group order
        self.full = False
        self.failed = False


def _type_of(type_path: bytes) -> int:
    """The PMU's type, or -errno."""
    try:
        return read_type(os.fsdecode(type_path))
    except OSError as exc:
        return -(exc.errno or errno.EIO)


class PerfSet:
    """The perf channels of one sampler; ``read_all`` once per tick, ``check(i)`` at the round-robin checks."""

    def __init__(self, chans: list[PerfChan]) -> None:
        self.chans = chans
        self.groups: list[_Group] = []

    def _close_group(self, g: _Group) -> None:
        for p in self.chans:
            if p.group is g:
                for fd in reversed(p.fds):
                    os.close(fd)
                p.fds, p.pos, p.group, p.have_prev = [], [], None, False
        self.groups.remove(g)

    def _add_events(self, g: _Group, p: PerfChan) -> int:
        """Open p's events into g; on failure close what was opened here and return the errno."""
        opened: list[int] = []
        for config in p.config:
            try:
                fd = perf_event_open(g.type, config, p.pid, p.cpu, g.leader if g.members else -1)
            except OSError as exc:
                for fd in reversed(opened):
                    os.close(fd)
                    g.members.pop()
                if not g.members:
                    g.leader = -1
                return exc.errno or errno.EIO
            if not g.members:
                g.leader = fd
            g.members.append(fd)
            opened.append(fd)
        p.fds = opened
        p.pos = [g.members.index(fd) for fd in opened]
        return 0

    def _open_chan(self, p: PerfChan, pmu_type: int) -> None:
        while True:
            g = next((g for g in self.groups if g.key == p.key() and not g.full and g.type == pmu_type), None)
            fresh = g is None
            if g is None:
                g = _Group(p.key(), pmu_type)
                self.groups.append(g)
            e = self._add_events(g, p)
            if e == 0:
                p.err, p.group, p.have_prev = 0, g, False
                return
            # the PMU will not schedule it with the group's members: a group of its own
            if not fresh and e in (errno.EINVAL, errno.ENOSPC):
                g.full = True
                continue
            if fresh:
                self.groups.remove(g)
            p.err = e
            return

    def _reopen_key(self, key: tuple[bytes, int, int]) -> None:
        for g in [g for g in self.groups if g.key == key]:
            self._close_group(g)
        pmu_type = _type_of(key[0])
        for p in self.chans:
            if p.key() != key:
                continue
            if pmu_type < 0:
                p.err = -pmu_type
            else:
                self._open_chan(p, pmu_type)

    def open_all(self) -> None:
        for p in self.chans:
            if p.group is None:
                self._reopen_key(p.key())

    def close_all(self) -> None:
        for g in list(self.groups):
            self._close_group(g)

    def read_all(self) -> None:
        for p in self.chans:
            if p.group is None:
                p.value, p.raw, p.failed = math.nan, 0, True
        for g in self.groups:
            want = 8 * (_HEADER + len(g.members))
            data = b""
            if not g.failed:
                try:
                    data = os.read(g.leader, want)  # ENODEV once the PMU is unregistered; b"" in error state
                except OSError:
                    data = b""
            vals = struct.unpack(f"<{len(data) // 8}Q", data) if len(data) == want else ()
            ok = bool(vals) and vals[0] == len(g.members)
            if not ok:
                g.failed = True
            for p in self.chans:
                if p.group is not g:
                    continue
                if ok:
                    _compute(p, vals)
                else:
                    p.value, p.raw, p.failed, p.have_prev = math.nan, 0, True, False

    def check(self, i: int) -> None:
        p = self.chans[i]
        pmu_type = _type_of(p.type_path)
        if p.group is not None:
            if p.group.failed or pmu_type != p.group.type:
                self._reopen_key(p.key())  # gone (closed, err set), renumbered, or revoked
            return
        if pmu_type < 0:
            p.err = -pmu_type
            return
        if any(g.key == p.key() and g.type != pmu_type for g in self.groups):
            self._reopen_key(p.key())
            return
        self._open_chan(p, pmu_type)  # joins its key's group: the others keep counting


def _compute(p: PerfChan, vals: tuple[int, ...]) -> None:
    enabled, running = vals[1], vals[2]
    v0 = vals[_HEADER + p.pos[0]]
    v1 = vals[_HEADER + p.pos[1]] if len(p.pos) > 1 else 0
    p.failed, p.raw, p.value = False, 0, math.nan
    if p.mode == "total":
        p.raw = v0
        if running == 0 and enabled > 0:  # never scheduled: no count to give
            p.failed = True
        elif running < enabled:  # multiplexed: scale up as perf stat does
            p.value = v0 * (enabled / running)
        else:
            p.value = float(v0)
    elif p.mode == "delta":
        if p.have_prev:
            p.raw = (v0 - p.prev[0]) & 0xFFFFFFFFFFFFFFFF
            p.value = float(p.raw)
    else:
        da = (v0 - p.prev[0]) & 0xFFFFFFFFFFFFFFFF
        dt = (v1 - p.prev[1]) & 0xFFFFFFFFFFFFFFFF
        if p.have_prev and dt == 0:
            # the denominator did not move: keep the baseline, so the next share covers both intervals
            p.value, p.raw = p.acc, int(p.acc)
            return
        if p.have_prev:
            p.acc += min(1.0, da / dt) * ((enabled - p.prev_enabled) & 0xFFFFFFFFFFFFFFFF)
        p.value = p.acc
        p.raw = int(p.acc)
    p.prev = (v0, v1)
    p.prev_enabled = enabled
    p.have_prev = True


class PerfReader:
    """Single reads of perf counters for callers without a sampler (the CLI's two readings, the exporter's
    scrapes): a counter stays open between reads, so the second reading has a count to compare; one not
    read for ``idle_close_s`` is closed at the next call (an open counter keeps its PMU working)."""

    def __init__(self, idle_close_s: float = 60.0) -> None:
        self.idle_close_s = idle_close_s
        self._lock = threading.Lock()
        self._open: dict[PerfCounter, tuple[PerfSet, float]] = {}

    def read(self, counter: PerfCounter) -> tuple[int | None, float | None, str | None]:
        """(raw, value, reason): the running count (a delta's increase since the previous read), or why not."""
        with self._lock:
            now = time.monotonic()
            for c, (s, last) in list(self._open.items()):
                if now - last > self.idle_close_s:
                    s.close_all()
                    del self._open[c]
            s, _ = self._open.get(counter) or (PerfSet([PerfChan(*counter.raw_spec(threading.get_native_id()))]), 0)
            if s.chans[0].group is None:
                s.open_all()
            self._open[counter] = (s, now)
            p = s.chans[0]
            if p.group is None:
                del self._open[counter]
                return None, None, _open_reason(p.err)
            s.read_all()
            if p.failed:
                s.close_all()
                del self._open[counter]
                return None, None, "read failed (the PMU went away?)"
            if p.value != p.value:
                return None, None, "first reading (a delta needs two)"
            return p.raw, p.value, None

    def close(self) -> None:
        with self._lock:
            for s, _ in self._open.values():
                s.close_all()
            self._open.clear()


def _open_reason(err: int) -> str:
    if err in (errno.EACCES, errno.EPERM):
        return system_wide_refusal() or errno.errorcode.get(err, str(err))
    return errno.errorcode.get(err, f"errno {err}")


ONE_SHOT = PerfReader()
