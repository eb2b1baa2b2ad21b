"""The pure-Python sampler backend: the same thread, ring and counters as sampler_core.c."""

from __future__ import annotations

import math
import os
import re
import struct
import threading
import time
import weakref

import numpy as np
import numpy.typing as npt

from hwinspector.probes.telemetry.perf_set import PerfChan, PerfSet

LATENCY_WINDOW = 65536  # lateness samples behind the p50/p99 (the native side keeps as many)
_READ_BUF = 64  # a file of 64 bytes or more is not a single counter; same limit as the C side
_CHECK_INTERVAL_NS = 100_000_000  # each path re-checked (gone? replaced?) about every 100 ms
_MAX_SLEEP_NS = 50_000_000  # stop() is seen within 50 ms even at low rates
_RT_PRIORITY = 10
_PR_SET_TIMERSLACK = 29
_SPACE = rb"[ \t\n\v\f\r]*"
_U64 = struct.Struct("<Q")

# A counter: a path to a decimal text file, (path, offset, "u64") for a little-endian 64-bit value
# read at an offset, as /dev/cpu/N/msr gives registers, or a perf counter (type file, config,
# "perf"|"perf-delta"|"perf-ratio", cpu, pid, config2): see perf.PerfCounter.
RawSpec = bytes | tuple[bytes, int, str] | tuple[bytes, int, str, int, int, int]
_PERF = -2  # offsets[i] of a perf channel

_DECIMAL = re.compile(_SPACE + rb"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?" + _SPACE)


def parse_counter(data: bytes) -> float:
    """Parse a counter file's content as the native sampler does: NaN unless it is one number."""
    if b"_" not in data:  # int() accepts "1_000", the C parser does not
        try:
            return float(int(data))
        except ValueError:
            pass
    return float(data) if _DECIMAL.fullmatch(data) else math.nan


def _spec_offset(spec: RawSpec) -> int:
    if not isinstance(spec, tuple):
        return -1
    if len(spec) == 6:
        return _PERF
    if len(spec) != 3:
        raise ValueError('a binary counter is (path, offset >= 0, "u64")')
    _, offset, fmt = spec
    if fmt != "u64" or isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
        raise ValueError('a binary counter is (path, offset >= 0, "u64")')
    return offset


class _PyState:
    """Everything the Python sampler thread touches; the thread never references the Sampler."""

    def __init__(self, specs: list[RawSpec], period_ns: int, cap: int, realtime: bool) -> None:
        n = len(specs)
        self.paths = [s[0] if isinstance(s, tuple) else s for s in specs]
        # offset of each binary u64 counter; -1 for a text counter, _PERF for a perf counter
        self.offsets = [_spec_offset(s) for s in specs]
        self.binary = any(o != -1 for o in self.offsets)
        perf = [(i, s) for i, s in enumerate(specs) if isinstance(s, tuple) and len(s) == 6]
        self.pidx = {i: k for k, (i, _) in enumerate(perf)}
        self.perf = PerfSet([PerfChan(*s) for _, s in perf])
        self.errs = [0] * n
        self.period_ns = period_ns
        self.realtime = realtime
        self.fds = [-1] * n
        self.ids = [(0, 0)] * n
        self.failed = [False] * n
        self.ts = np.zeros(cap, np.int64)
        self.vals = np.zeros((cap, n), np.float64)
        self.raw = np.zeros((cap, n if self.binary else 0), np.uint64)
        self.lock = threading.Lock()
        self.head = self.rd = self.overwritten = 0
        self.ticks = self.late_ticks = self.missed_ticks = self.read_errors = self.cpu_ns = 0
        self.ch_errors = [0] * n
        self.lateness = np.zeros(LATENCY_WINDOW, np.int64)
        self.stop = False
        self.closed = False
        self.rt_granted = False
        self.native_id = 0
        self.thread: threading.Thread | None = None
        for i in range(n):
            if self.offsets[i] != _PERF:
                self.reopen(i)
        self.perf.open_all()

    def reopen(self, i: int) -> None:
        try:
            flags = os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK
            fd = os.open(self.paths[i], flags | (os.O_NOFOLLOW if self.offsets[i] >= 0 else 0))
            st = os.fstat(fd)
            self.ids[i] = (st.st_dev, st.st_ino)
            self.errs[i] = 0
        except OSError as exc:
            fd = -1
            self.errs[i] = exc.errno or 0
        if self.fds[i] >= 0:
            os.close(self.fds[i])
        self.fds[i] = fd
        self.failed[i] = False

    def check(self, i: int) -> None:
        if self.offsets[i] == _PERF:
            self.perf.check(self.pidx[i])
            return
        # A deleted regular file keeps reading its old contents through the fd (sysfs gives
        # ENODEV instead): compare the path's inode with the one we hold.
        if self.fds[i] >= 0 and not self.failed[i]:
            try:
                st = os.stat(self.paths[i])
                if (st.st_dev, st.st_ino) == self.ids[i]:
                    return
            except OSError:
                pass
        self.reopen(i)

    def close_fds(self) -> None:
        for i, fd in enumerate(self.fds):
            if fd >= 0:
                os.close(fd)
            self.fds[i] = -1
        self.perf.close_all()

    def open_errors(self) -> list[int]:
        pchans = self.perf.chans
        return [pchans[self.pidx[i]].err if o == _PERF else self.errs[i] for i, o in enumerate(self.offsets)]


def _set_timer_slack() -> None:
    # The default 50 us slack makes ~1 % of 1 kHz deadlines late (PERFORMANCE.md).
    try:
        import ctypes

        ctypes.CDLL(None).prctl(_PR_SET_TIMERSLACK, ctypes.c_ulong(1), ctypes.c_ulong(0), 0, 0)
    except (OSError, AttributeError):
        pass


def _py_thread(st: _PyState, started: threading.Event) -> None:
    _set_timer_slack()
    st.rt_granted = False
    if st.realtime:
        try:
            os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(_RT_PRIORITY))
            st.rt_granted = True
        except OSError:
            pass
    st.native_id = threading.get_native_id()
    started.set()
    period, nch, cap = st.period_ns, len(st.fds), len(st.ts)
    fds, ch_errors, failed, offsets = st.fds, st.ch_errors, st.failed, st.offsets
    perf, pidx = st.perf, st.pidx
    cpu_base, ticks, check_acc, cursor = st.cpu_ns, st.ticks, 0, 0
    deadline = time.monotonic_ns()
    while not st.stop:
        now = time.monotonic_ns()
        if now < deadline:
            time.sleep(min(deadline - now, _MAX_SLEEP_NS) * 1e-9)
            continue
        late = now - deadline
        row = [math.nan] * nch
        raw = [0] * nch
        if pidx:
            perf.read_all()
        for i in range(nch):
            fd, off = fds[i], offsets[i]
            if off == _PERF:
                pc = perf.chans[pidx[i]]
                row[i], raw[i] = pc.value, pc.raw
                if pc.failed:  # a NaN without failed is a delta's first read, not an error
                    ch_errors[i] += 1
                    st.read_errors += 1
                continue
            if fd >= 0:
                try:
                    if off >= 0:
                        data = os.pread(fd, 8, off)
                        if len(data) == 8:  # a short read (past a fixture's end) is an error
                            raw[i] = _U64.unpack(data)[0]
                            row[i] = float(raw[i])
                    else:
                        data = os.pread(fd, _READ_BUF, 0)
                        if len(data) < _READ_BUF:
                            row[i] = parse_counter(data)
                except OSError:
                    failed[i] = True
            if row[i] != row[i]:
                ch_errors[i] += 1
                st.read_errors += 1
        with st.lock:
            slot = st.head % cap
            st.ts[slot] = now
            st.vals[slot] = row
            if st.binary:
                st.raw[slot] = raw
            st.head += 1
        st.lateness[ticks % LATENCY_WINDOW] = late
        ticks += 1
        st.ticks = ticks
        if late > period:
            missed = late // period
            st.late_ticks += 1
            st.missed_ticks += missed
            deadline += (missed + 1) * period
        else:
            deadline += period
        check_acc += nch * period
        n = 0
        while check_acc >= _CHECK_INTERVAL_NS and n < nch:
            st.check(cursor)
            cursor = (cursor + 1) % nch
            check_acc -= _CHECK_INTERVAL_NS
            n += 1
        if check_acc >= _CHECK_INTERVAL_NS:
            check_acc = 0
        if ticks % 64 == 0:
            st.cpu_ns = cpu_base + time.thread_time_ns()
    st.cpu_ns = cpu_base + time.thread_time_ns()
    st.native_id = 0
    if st.closed:  # garbage-collected from this very thread: nobody else will close the files
        st.close_fds()


def _py_shutdown(st: _PyState) -> None:
    st.stop = True
    st.closed = True
    t = st.thread
    if t is not None and t is not threading.current_thread():
        t.join()
        st.thread = None
    if st.thread is None:
        st.close_fds()


class PythonSampler:
    """The same sampler in Python: shares the GIL, so it suffers whenever the GUI holds it."""

    def __init__(self, specs: list[RawSpec], period_ns: int, cap: int, realtime: bool) -> None:
        self._st = _PyState(specs, period_ns, cap, realtime)
        self._ctl = threading.Lock()
        self._finalizer = weakref.finalize(self, _py_shutdown, self._st)

    def start(self) -> bool:
        st = self._st
        with self._ctl:
            if st.closed:
                raise ValueError("sampler is closed")
            if st.thread is None:
                st.perf.open_all()  # a stopped sampler holds no perf counter (see stop)
                st.stop = False
                started = threading.Event()
                st.thread = threading.Thread(
                    target=_py_thread, args=(st, started), name="hwinspector-sampler", daemon=True
                )
                st.thread.start()
                started.wait()
            return st.rt_granted

    def stop(self) -> None:
        st = self._st
        with self._ctl:
            if st.thread is not None:
                st.stop = True
                st.thread.join()
                st.thread = None
            # An open counter keeps its PMU working (i915's sampling timer, xe's forcewake).
            st.perf.close_all()

    def close(self) -> None:
        with self._ctl:
            self._finalizer()

    def drain(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
        ts, vals, _ = self.drain_raw()
        return ts, vals

    def drain_raw(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64], npt.NDArray[np.uint64]]:
        """Like drain, plus the exact u64 values (no columns unless some counter is binary)."""
        st = self._st
        cap = len(st.ts)
        with st.lock:
            h = st.head
            if h - st.rd > cap:
                st.overwritten += h - cap - st.rd
                st.rd = h - cap
            idx = np.arange(st.rd, h) % cap
            ts, vals, raw = st.ts[idx], st.vals[idx], st.raw[idx]
            st.rd = h
        return ts, vals, raw

    def counters(self) -> dict[str, int]:
        st = self._st
        pending = max(0, st.head - st.rd - len(st.ts))
        return {
            "ticks": st.ticks,
            "late_ticks": st.late_ticks,
            "missed_ticks": st.missed_ticks,
            "read_errors": st.read_errors,
            "overwritten": st.overwritten + pending,
            "cpu_ns": st.cpu_ns,
            "realtime": int(st.rt_granted and st.thread is not None),
            "native_id": st.native_id,
        }

    def channel_errors(self) -> list[int]:
        return list(self._st.ch_errors)

    def open_errors(self) -> list[int]:
        return self._st.open_errors()

    def lateness(self) -> npt.NDArray[np.int64]:
        return self._st.lateness[: min(self._st.ticks, LATENCY_WINDOW)].copy()
