"""High-rate counter sampler: a native thread and ring (``_sampler``), or a pure-Python fallback."""

from __future__ import annotations

import importlib
import importlib.util
import math
import os
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Literal, Protocol, TypedDict

import numpy as np
import numpy.typing as npt

from hwinspector.i18n import N_
from hwinspector.probes.errors import ProbeUnavailable
from hwinspector.probes.telemetry.perf import PerfCounter
from hwinspector.probes.telemetry.sampler_python import PythonSampler, RawSpec

if TYPE_CHECKING:
    from hwinspector.probes.telemetry._sampler import NativeSampler

MAX_RATE_HZ = 10_000.0
MIN_CAPACITY_ROWS = 1 << 16
_NATIVE_MODULE = "hwinspector.probes.telemetry._sampler"
_PERCENTILE_REFRESH_S = 0.5

Backend = Literal["auto", "native", "python"]
# A counter: a path to a file holding one decimal number, (path, offset, "u64") for a
# little-endian 64-bit value read with pread at offset (the /dev/cpu/N/msr format), or a perf event.
CounterSpec = str | os.PathLike[str] | tuple[str | os.PathLike[str], int, Literal["u64"]] | PerfCounter


class SamplerStats(TypedDict):
    """Cumulative since construction, except the lateness percentiles: over the last 65536 ticks,
    and while running refreshed at most every 0.5 s (a percentile of 65536 values costs ~0.6 ms,
    too much for every drain at frame rate).

    ``ticks`` rows sampled; ``late_ticks`` of them woke more than one period late;
    ``missed_ticks`` deadlines skipped without a row; ``overwritten`` rows lost because nobody
    drained them in time; ``read_errors`` failed or unparsable reads (NaN in the row).
    """

    ticks: int
    late_ticks: int
    missed_ticks: int
    overwritten: int
    read_errors: int
    read_errors_by_channel: tuple[int, ...]
    lateness_p50_ns: int
    lateness_p99_ns: int
    cpu_seconds: float
    realtime: bool


@dataclass(frozen=True, slots=True, eq=False)
class SampleBlock:
    """Rows drained at once: CLOCK_MONOTONIC wake times and one column per path (NaN = failed).

    ``raw`` holds the exact unscaled u64 values where some counter is binary (float64 ``values``
    round above 2**53), 0 in text columns and failed reads; None where every counter is text.
    """

    timestamps_ns: npt.NDArray[np.int64]
    values: npt.NDArray[np.float64]
    stats: SamplerStats
    backend: str
    raw: npt.NDArray[np.uint64] | None = None


class _Impl(Protocol):
    def start(self) -> bool: ...
    def stop(self) -> None: ...
    def close(self) -> None: ...
    def drain(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]: ...
    def drain_raw(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64], npt.NDArray[np.uint64]]: ...
    def counters(self) -> dict[str, int]: ...
    def channel_errors(self) -> list[int]: ...
    def open_errors(self) -> list[int]: ...
    def lateness(self) -> npt.NDArray[np.int64]: ...


class _NativeImpl:
    """Shapes the extension's bytearrays into numpy arrays; the work is all in C."""

    def __init__(self, cls: type[NativeSampler], specs: list[RawSpec], period_ns: int, cap: int, rt: bool):
        self._s = cls(specs, period_ns, cap, rt)
        self._nch = len(specs)
        self._binary = any(isinstance(s, tuple) for s in specs)

    def start(self) -> bool:
        return self._s.start()

    def stop(self) -> None:
        self._s.stop()

    def close(self) -> None:
        self._s.close()

    def drain(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
        ts, vals = self._s.drain()
        return np.frombuffer(ts, np.int64), np.frombuffer(vals, np.float64).reshape(-1, self._nch)

    def drain_raw(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64], npt.NDArray[np.uint64]]:
        ts, vals, raw = self._s.drain_raw()
        t = np.frombuffer(ts, np.int64)
        width = self._nch if self._binary else 0  # (no rows drained: reshape(-1, width) is ambiguous)
        return (
            t,
            np.frombuffer(vals, np.float64).reshape(len(t), self._nch),
            np.frombuffer(raw, np.uint64).reshape(len(t), width),
        )

    def counters(self) -> dict[str, int]:
        return self._s.counters()

    def channel_errors(self) -> list[int]:
        return self._s.channel_errors()

    def open_errors(self) -> list[int]:
        return self._s.open_errors()

    def lateness(self) -> npt.NDArray[np.int64]:
        return np.frombuffer(self._s.lateness(), np.int64)


def python_fallback_reason() -> str | None:
    """Why ``Sampler(backend="auto")`` runs on the pure-Python sampler here, in a sentence; None where the
    native one loads. "Not built" is the usual case: ``make run`` without a C compiler or Python headers.
    English, marked for translation: the window shows it through ``localize()``."""
    cls, why = _native_class()
    if cls is not None:
        return None
    try:
        built = importlib.util.find_spec(_NATIVE_MODULE) is not None
    except (ImportError, ValueError):
        built = True  # a spec that cannot even be looked up: say what the import said
    if not built:
        return N_("the native sampler was not built when hwinspector was installed (no C compiler or Python headers)")
    return N_("the native sampler cannot be loaded ({why})").format(why=why)


def _native_class() -> tuple[type[NativeSampler] | None, str]:
    try:
        # import_module (not `from … import`) honours a None in sys.modules, as the tests use.
        mod = importlib.import_module(_NATIVE_MODULE)
    except ImportError as exc:
        return None, f"{type(exc).__name__}: {exc}"
    cls: type[NativeSampler] = mod.NativeSampler
    return cls, ""


class Sampler:
    """Sample counter files (one integer or decimal per file) at a fixed rate on a thread.

    A counter is a path, or ``(path, offset, "u64")`` for a binary little-endian 64-bit value read
    at ``offset`` (an MSR from /dev/cpu/N/msr: offset = register); a short read or an error gives
    NaN and counts a read error, like an unparsable text counter. A ``PerfCounter`` is a
    perf_event_open(2) event: counters of one PMU, CPU and task share a group and one read per tick;
    they are open only while the sampler runs (an open counter keeps its PMU working), and
    ``open_errors()`` says why one is not (EACCES: perf_event_paranoid).

    ``backend="auto"`` uses the native extension and falls back to Python, setting ``notice`` to
    say why; ``"native"`` raises ProbeUnavailable where the extension cannot load. A path that is
    missing at construction is not an error: its channel reads NaN, counts read errors, and is
    re-opened (about every 100 ms) until it appears, exactly like a device unplugged mid-run.
    ``scale`` multiplies each channel's raw values (e.g. 1e-6 for µJ → J).
    """

    def __init__(
        self,
        paths: Sequence[CounterSpec],
        rate_hz: float,
        backend: Backend = "auto",
        *,
        scale: Sequence[float] | None = None,
        history_s: float = 10.0,
        realtime: bool = False,
    ) -> None:
        if not paths:
            raise ValueError("Sampler needs at least one path")
        if not 0 < rate_hz <= MAX_RATE_HZ:  # also rejects NaN
            raise ValueError(f"rate_hz must be in (0, {MAX_RATE_HZ:g}], got {rate_hz!r}")
        if not history_s > 0:
            raise ValueError(f"history_s must be > 0, got {history_s!r}")
        if scale is not None and len(scale) != len(paths):
            raise ValueError(f"scale has {len(scale)} entries for {len(paths)} paths")
        if backend not in ("auto", "native", "python"):
            raise ValueError(f"backend must be 'auto', 'native' or 'python', got {backend!r}")
        self.paths = tuple(
            p.type_path if isinstance(p, PerfCounter) else os.fspath(p[0] if isinstance(p, tuple) else p) for p in paths
        )
        if any("\0" in p for p in self.paths):
            raise ValueError("a path contains a NUL byte")
        raw: list[RawSpec] = []
        tid = threading.get_native_id()
        for p, spec in zip(self.paths, paths, strict=True):
            if isinstance(spec, PerfCounter):
                raw.append(spec.raw_spec(tid))
                continue
            if not isinstance(spec, tuple):
                raw.append(os.fsencode(p))
                continue
            if len(spec) != 3 or spec[2] != "u64" or isinstance(spec[1], bool) or not isinstance(spec[1], int):
                raise ValueError(f'a binary counter is (path, offset, "u64"), got {spec!r}')
            if not 0 <= spec[1] < 1 << 63:
                raise ValueError(f"offset must be in [0, 2**63), got {spec[1]!r}")
            raw.append((os.fsencode(p), spec[1], "u64"))
        self.binary = any(isinstance(r, tuple) for r in raw)
        self.rate_hz = float(rate_hz)
        self.period_ns = round(1e9 / rate_hz)
        self.capacity_rows = max(MIN_CAPACITY_ROWS, math.ceil(rate_hz * history_s))
        self.realtime_granted = False
        self.notice: str | None = None
        self._scale = None if scale is None else np.asarray(scale, np.float64)
        self._lateness_cache = (-1, 0.0, 0, 0)  # ticks, monotonic time, p50, p99
        cls, why = (None, "") if backend == "python" else _native_class()
        self._impl: _Impl
        if cls is not None:
            self._impl = _NativeImpl(cls, raw, self.period_ns, self.capacity_rows, realtime)
            self.backend = "native"
            return
        if backend == "native":
            raise ProbeUnavailable(
                f"native sampler {_NATIVE_MODULE} cannot be loaded ({why}); "
                "rebuild with `make dev` or use backend='python'"
            )
        if backend == "auto":
            self.notice = (
                f"native sampler unavailable ({why}); using the pure-Python sampler, "
                "whose timing suffers while the GUI is busy"
            )
        self._impl = PythonSampler(raw, self.period_ns, self.capacity_rows, realtime)
        self.backend = "python"

    def start(self) -> None:
        """Start sampling (no-op while running). Raises ValueError after close()."""
        self.realtime_granted = self._impl.start()

    def stop(self) -> None:
        """Stop and join the sampling thread (no-op while stopped); rows stay drainable."""
        self._impl.stop()

    def close(self) -> None:
        """Stop and close the files. Rows not yet drained can still be drained."""
        self._impl.close()

    def drain(self) -> SampleBlock:
        """Rows sampled since the previous drain (empty if none), with the stats at this moment."""
        raw: npt.NDArray[np.uint64] | None = None
        if self.binary:
            ts, vals, raw = self._impl.drain_raw()
        else:
            ts, vals = self._impl.drain()
        if self._scale is not None:
            vals = vals * self._scale
        return SampleBlock(ts, vals, self.stats, self.backend, raw)

    @property
    def stats(self) -> SamplerStats:
        c = self._impl.counters()
        ticks, at, p50, p99 = self._lateness_cache
        now = time.monotonic()
        if c["ticks"] != ticks and (now - at >= _PERCENTILE_REFRESH_S or not c["native_id"]):
            lat = self._impl.lateness()
            p50, p99 = (int(x) for x in np.percentile(lat, [50, 99])) if lat.size else (0, 0)
            self._lateness_cache = (c["ticks"], now, p50, p99)
        return SamplerStats(
            ticks=c["ticks"],
            late_ticks=c["late_ticks"],
            missed_ticks=c["missed_ticks"],
            overwritten=c["overwritten"],
            read_errors=c["read_errors"],
            read_errors_by_channel=tuple(self._impl.channel_errors()),
            lateness_p50_ns=p50,
            lateness_p99_ns=p99,
            cpu_seconds=c["cpu_ns"] * 1e-9,
            realtime=bool(c["realtime"]),
        )

    def open_errors(self) -> tuple[int, ...]:
        """errno of each channel's last failed open, 0 where the last open worked (a stopped sampler's perf
        counters are closed on purpose: 0 too)."""
        return tuple(self._impl.open_errors())

    @property
    def native_id(self) -> int:
        """Kernel thread id of the sampling thread while it runs, else 0."""
        return self._impl.counters()["native_id"]

    def __enter__(self) -> Sampler:
        self.start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
