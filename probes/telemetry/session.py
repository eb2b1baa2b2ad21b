"""A telemetry session: channels grouped by rate onto samplers, counters turned into rates, history kept."""

from __future__ import annotations

import fnmatch
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from hwinspector.probes.graphics.channels import is_command_channel, read_nvidia_smi
from hwinspector.probes.telemetry.channels import Channel, ChannelReading, is_system_channel
from hwinspector.probes.telemetry.guarded import GuardedFiles
from hwinspector.probes.telemetry.perf import parse_perf_path
from hwinspector.probes.telemetry.sampler import Backend, CounterSpec, SampleBlock, Sampler, SamplerStats
from hwinspector.probes.telemetry.system import read_system

MAX_USER_RATE_HZ = 1000.0
COUNTER_SPAN_S = 0.01  # counters become rates over 10 ms (or one row, if rows are further apart)
DEFAULT_HISTORY_S = 600.0
# What a desktop engineer looks at first (DESIGN.md): package power, CPU temperature, per-core
# frequency, battery power.
# (fnmatch's * also matches "/", so sub-zones such as rapl:package-0/core need the [0-9] forms)
DEFAULT_PATTERNS = (
    "rapl:package-[0-9]",
    "rapl:package-[0-9][0-9]",
    "rapl:psys",
    "hwmon:coretemp/temp1",
    "hwmon:k10temp/temp1",
    "cpufreq:cpu[0-9]",
    "cpufreq:cpu[0-9][0-9]",
    "cpufreq:cpu[0-9][0-9][0-9]",
    "battery:*/power",
    "thermal:*x86_pkg_temp*",
)


def default_selection(channels: Iterable[Channel]) -> list[Channel]:
    """The channels ticked when the page opens: readable ones matching DEFAULT_PATTERNS."""
    # command channels (nvidia-smi) are never ticked by default: each reading is a process run
    readable = [c for c in channels if c.readable and not is_command_channel(c)]
    chosen = [c for c in readable if any(fnmatch.fnmatchcase(c.id, p) for p in DEFAULT_PATTERNS)]
    if not chosen:
        # nothing well known (a VM, an Arm board): the first few temperatures and frequencies
        chosen = [c for c in readable if c.unit in ("°C", "MHz", "W")][:4]
    return chosen


def select_channels(channels: Iterable[Channel], globs: Sequence[str]) -> list[Channel]:
    """Channels whose id or label matches any of the shell-style patterns."""
    return [c for c in channels if any(fnmatch.fnmatchcase(c.id, g) or fnmatch.fnmatchcase(c.label, g) for g in globs)]


def counter_spec(channel: Channel) -> CounterSpec:
    """What the sampler opens for a channel: its file, or the perf counter its ``perf:`` path names."""
    return parse_perf_path(channel.path) or channel.path


def effective_rate(channel: Channel, cap_hz: float | None) -> float:
    """The sensible maximum of the channel, or the user's rate (at most 1 kHz) when given."""
    if cap_hz is None:
        return channel.max_rate_hz
    rate = min(max(cap_hz, 0.1), MAX_USER_RATE_HZ)
    # a polled channel costs a process run or a psutil call per reading: never faster than its maximum
    polled = is_command_channel(channel) or is_system_channel(channel) or channel.guard is not None
    return min(rate, channel.max_rate_hz) if polled else rate


class _Ring:
    """The last ``rows`` rows of (time, values), always one contiguous slice.

    Rows are appended one after the other; when the slack behind them runs out, the last ``rows`` are
    moved to the front once (every slack ÷ rate seconds). So the plots get views of the history on every
    frame and never a copy of ten minutes of 64 channels (a wrapped ring would need one per frame).
    """

    def __init__(self, rows: int, columns: int, slack: float = 0.5) -> None:
        self.rows = rows
        self.capacity = rows + max(int(rows * slack), 1024)
        # filled, not only allocated: the memory is committed now, so RSS does not creep while it fills
        self.t = np.full(self.capacity, 0, np.int64)
        self.v = np.full((self.capacity, columns), np.nan)
        self.start = self.end = 0
        self.n = 0  # rows appended in all

    def append(self, t: npt.NDArray[np.int64], v: npt.NDArray[np.float64]) -> None:
        k = len(t)
        self.n += k
        if k >= self.rows:
            t, v, k = t[-self.rows :], v[-self.rows :], self.rows
            self.start = self.end = 0
        elif self.end + k > self.capacity:
            keep = min(self.rows - k, self.end - self.start)
            self._move_to_front(self.end - keep, keep)
            self.start, self.end = 0, keep
        self.t[self.end : self.end + k] = t
        self.v[self.end : self.end + k] = v
        self.end += k
        self.start = max(self.start, self.end - self.rows)

    def _move_to_front(self, src: int, count: int) -> None:
        """Rows [src, src + count) to [0, count), front to back in blocks no longer than ``src``.

        A block then never overlaps its own source, and the sources still to come lie behind what was
        written, so no temporary is needed. numpy would copy an overlapping slice through a temporary
        as large as the history: at 64 channels x 1 kHz x 10 minutes, 300 MB freshly mapped and
        faulted in, a 0.9 s stall of the GUI thread instead of about 50 ms of plain copying.
        """
        step = max(src, 1)
        for a in range(0, count, step):
            b = min(a + step, count)
            self.t[a:b] = self.t[src + a : src + b]
            self.v[a:b] = self.v[src + a : src + b]

    def ordered(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
        return self.t[self.start : self.end], self.v[self.start : self.end]


def counters_to_rates(
    t_ns: npt.NDArray[np.int64],
    totals: npt.NDArray[np.float64],
    prev: tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]] | None,
    wrap: float | None,
    span: int = 1,
    full_scale: float | None = None,
) -> npt.NDArray[np.float64]:
    """Per-row rate (unit/s) of a running total, over ``span`` rows (the rows before this block come
    in ``prev``); a wrap adds ``wrap``; a reset gives NaN, never a spike.

    A span of several rows matters for counters that the hardware updates about as often as we
    sample: RAPL steps every ~976 µs, so 1 kHz samples see 0 or 2 steps, and single-row rates alias
    between nothing and double.

    ``full_scale`` marks a residency (time in a state, as a share of time): see ``share_of_time``.
    """
    if len(t_ns) == 0:
        return np.empty(0)
    pt, pv = prev if prev is not None else (np.empty(0, np.int64), np.empty(0))
    t_all = np.concatenate((pt, t_ns))
    v_all = np.concatenate((pv, totals))
    if full_scale is not None:
        return _residency_rates(t_all, v_all, len(pt), span, full_scale)
    dv_step = np.diff(v_all)
    if wrap is not None:
        dv_step = np.where(dv_step < 0, dv_step + wrap, dv_step)
    # a reset (backwards step without a known wrap) poisons the spans that cross it
    bad = ~(dv_step >= 0)  # a negative step, or NaN from a failed read
    cum = np.concatenate(([0.0], np.cumsum(np.where(bad, 0.0, dv_step))))
    cum_bad = np.concatenate(([0], np.cumsum(bad)))
    idx = np.arange(len(pt), len(t_all))
    base = np.maximum(idx - span, 0)
    dv = cum[idx] - cum[base]
    dt = (t_all[idx] - t_all[base]) * 1e-9
    ok = (dt > 0) & (cum_bad[idx] == cum_bad[base])
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(ok, dv / dt, np.nan)


def _residency_rates(
    t_all: npt.NDArray[np.int64], v_all: npt.NDArray[np.float64], first: int, span: int, full_scale: float
) -> npt.NDArray[np.float64]:
    """Shares of time for rows ``first``… of a residency counter (see _residency_window).

    A failed read is a missing row, not a break: the windows look across it. A backwards step (a CPU
    taken offline and back) starts the counting again after it.
    """
    out = np.full(len(t_all) - first, np.nan)
    good = np.flatnonzero(np.isfinite(v_all))
    if len(good) < 2:
        return out
    t, v = t_all[good], v_all[good]
    step = np.diff(v)
    reset = step < 0
    cum = np.concatenate(([0.0], np.cumsum(np.where(reset, 0.0, step))))
    epoch = np.concatenate(([0], np.cumsum(reset)))
    idx = np.arange(len(good))
    base, end = _residency_window(cum, idx, span)
    dt = (t[end] - t[base]) * 1e-9
    ok = (dt > 0) & (epoch[idx] == epoch[base])
    with np.errstate(divide="ignore", invalid="ignore"):
        shares = np.where(ok, share_of_time(cum[end] - cum[base], dt, full_scale), np.nan)
    new = good >= first
    out[good[new] - first] = shares[new]
    return out


def _residency_window(
    cum: npt.NDArray[np.float64], idx: npt.NDArray[np.int64], span: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """The rows a residency's share is taken between: both where the counter stepped.

    cpuidle adds an idle period to `time` only when the CPU leaves the state: a row where the counter
    moved marks the end of a period, and every period counted after it began after it. A window from
    such a row to the last such row, at least ``span`` rows long, holds whole periods only: it is at
    least as long as every step in it, never above 100 %, and free of the bias of the period still
    running (whose time the counter does not hold yet). Between steps the share over the last whole
    periods holds; when nothing has stepped for two windows the CPU is busy or in one long period
    that the counter will only show when it ends: the share over that time so far (nil) is shown.
    Where no step lies far enough back, the window starts at the oldest row kept, and share_of_time
    caps the step.
    """
    rows = np.arange(len(cum))
    stepped = np.concatenate(([False], np.diff(cum) > 0))
    last_step = np.maximum.accumulate(np.where(stepped, rows, -1))
    end = last_step[idx]
    start = last_step[np.maximum(end - span, 0)]
    start = np.where((end >= 0) & (start >= 0), start, 0)
    quiet = (end < 0) | (end <= start) | (idx - end > 2 * span)
    base = np.where(quiet, np.where(end >= 0, np.maximum(end, idx - 2 * span), np.maximum(idx - span, 0)), start)
    return base.astype(np.int64), np.where(quiet, idx, end).astype(np.int64)


def share_of_time(dv: Any, dt_s: Any, full_scale: float) -> Any:
    """A residency counter's increase ``dv`` over ``dt_s`` seconds as a share of time, 0..full_scale.

    Such counters move in steps: cpuidle adds a whole idle period when the CPU leaves the state, RC6
    and runtime PM whole milliseconds. A step larger than the window (``dv`` > ``dt_s`` x full scale)
    says the state began before the window did: the share is taken over the step instead, so it is
    the whole window, never 663 %. Works on numbers and numpy arrays alike.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        span = np.maximum(dt_s, dv / full_scale)
        return np.clip(dv / span, 0.0, full_scale)


def counter_span_rows(channel: Channel, rate_hz: float) -> int:
    """How many rows a counter's rate is taken over: 10 ms, or the channel's own window when longer."""
    return max(1, round(max(COUNTER_SPAN_S, channel.window_s) * rate_hz))


def counter_context_rows(channel: Channel, span: int) -> int:
    """Rows kept between blocks: a residency looks further back, for the last step before its window."""
    return span if channel.full_scale is None else 4 * span + 2


class CommandSampler:
    """Samples command channels (nvidia-smi) on a thread at a low rate: one run answers every channel.

    It has the Sampler's interface (start, stop, close, drain, stats, backend, notice), so a session
    keeps its rows in the same history, plots and recordings as the file samplers' rows.
    """

    def __init__(
        self,
        channels: Sequence[Channel],
        rate_hz: float,
        read: Callable[[Sequence[Channel]], list[ChannelReading]] = read_nvidia_smi,
        backend: str = "command",
    ) -> None:
        self.backend = backend
        self.channels = list(channels)
        self.period_s = 1.0 / max(rate_hz, 0.01)
        self.notice: str | None = None
        self.last_error: str | None = None
        self._read = read
        self._lock = threading.Lock()
        self._rows: list[tuple[int, list[float]]] = []
        self._halt = threading.Event()
        self._thread: threading.Thread | None = None
        self._ticks = self._missed = self._errors = 0
        self._errors_by_channel = [0] * len(self.channels)
        self._cpu_s = 0.0
        self._lateness_ns: list[int] = []

    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._halt.clear()
        self._thread = threading.Thread(target=self._run, name=f"{self.backend}-sampler", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._halt.set()
        if self._thread is not None:
            self._thread.join(10.0)  # nvidia-smi runs are bounded by their own 5 s timeout
            self._thread = None

    def close(self) -> None:
        self.stop()
        closer = getattr(self._read, "close", None)
        if callable(closer):
            closer()  # a guarded reader's kept fds

    def _run(self) -> None:
        due = time.monotonic()
        index = {ch.id: i for i, ch in enumerate(self.channels)}
        while not self._halt.is_set():
            woke = time.monotonic()
            t_ns = time.monotonic_ns()
            cpu = time.thread_time()  # our side only: the child's CPU time is the tool's own
            row = [float("nan")] * len(self.channels)
            reasons = []
            for r in self._read(self.channels):
                i = index.get(r.id)
                if i is None:
                    continue
                if r.value is None:
                    self._errors_by_channel[i] += 1
                    reasons.append(r.reason or "no value")
                else:
                    row[i] = r.value
            with self._lock:
                self._rows.append((t_ns, row))
                self._ticks += 1
                self._errors += len(reasons)
                self._cpu_s += time.thread_time() - cpu
                self._lateness_ns = [*self._lateness_ns[-255:], int((woke - due) * 1e9)]
                self.last_error = reasons[0] if reasons else None
            due += self.period_s
            now = time.monotonic()
            if now > due:  # a run slower than the period: skip the deadlines it covered
                skipped = int((now - due) / self.period_s) + 1
                self._missed += skipped
                due += skipped * self.period_s
            self._halt.wait(max(0.0, due - now))

    def drain(self) -> SampleBlock:
        with self._lock:
            rows, self._rows = self._rows, []
        t = np.array([r[0] for r in rows], np.int64)
        v = np.array([r[1] for r in rows], np.float64).reshape(len(rows), len(self.channels))
        return SampleBlock(t, v, self.stats, self.backend)

    @property
    def stats(self) -> SamplerStats:
        with self._lock:
            lat = np.array(self._lateness_ns or [0])
            return SamplerStats(
                ticks=self._ticks,
                late_ticks=int((lat > self.period_s * 1e9).sum()),
                missed_ticks=self._missed,
                overwritten=0,
                read_errors=self._errors,
                read_errors_by_channel=tuple(self._errors_by_channel),
                lateness_p50_ns=int(np.percentile(lat, 50)),
                lateness_p99_ns=int(np.percentile(lat, 99)),
                cpu_seconds=self._cpu_s,
                realtime=False,
            )


@dataclass(frozen=True, slots=True)
class GroupStats:
    rate_hz: float
    channels: int
    backend: str
    stats: SamplerStats


class TelemetrySession:
    """Samples channels on one sampler per rate; ``poll()`` moves new rows into the history.

    Values in the history are in display units: gauges as read, counters as their rate.
    """

    def __init__(
        self,
        channels: Sequence[Channel],
        rate_cap_hz: float | None = None,
        history_s: float = DEFAULT_HISTORY_S,
        backend: Backend = "auto",
    ) -> None:
        if not channels:
            raise ValueError("no channels to sample")
        self.channels = tuple(channels)
        self.rate_cap_hz = rate_cap_hz
        # command channels (nvidia-smi) are polled by a CommandSampler, never read as files
        # psutil's system channels likewise, by a poller thread of their own
        by_rate: dict[tuple[float, int], list[Channel]] = {}
        for ch in self.channels:
            how = 1 if is_command_channel(ch) else 2 if is_system_channel(ch) else 3 if ch.guard else 0
            by_rate.setdefault((effective_rate(ch, rate_cap_hz), how), []).append(ch)
        self.groups: list[tuple[float, list[Channel], Sampler | CommandSampler, _Ring]] = []
        for (rate, how), chans in sorted(by_rate.items(), key=lambda kv: (kv[0][0], -kv[0][1]), reverse=True):
            sampler: Sampler | CommandSampler
            if how == 1:
                sampler = CommandSampler(chans, rate)
            elif how == 2:
                sampler = CommandSampler(chans, rate, read=read_system, backend="psutil")
            elif how == 3:
                # GPU channels: runtime_status first, files only while awake (never wakes a sleeping dGPU)
                sampler = CommandSampler(chans, rate, read=GuardedFiles(), backend="guarded")
            else:
                sampler = Sampler([counter_spec(c) for c in chans], rate, backend, scale=[c.scale for c in chans])
            rows = max(16, int(rate * history_s))
            self.groups.append((rate, chans, sampler, _Ring(rows, len(chans))))
        self._prev: dict[str, tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]] = {}
        self._span = {ch.id: counter_span_rows(ch, effective_rate(ch, rate_cap_hz)) for ch in self.channels}
        self._where = {ch.id: (g, i) for g, (_, chans, _, _) in enumerate(self.groups) for i, ch in enumerate(chans)}
        self.started_monotonic_ns = 0
        self.started_realtime_ns = 0
        self.running = False

    @property
    def notice(self) -> str | None:
        return next((s.notice for _, _, s, _ in self.groups if s.notice), None)

    @property
    def backend(self) -> str:
        files = [s.backend for _, _, s, _ in self.groups if not isinstance(s, CommandSampler)]
        return files[0] if files else self.groups[0][2].backend

    def start(self) -> None:
        if not self.started_monotonic_ns:
            self.started_monotonic_ns = time.monotonic_ns()
            self.started_realtime_ns = time.time_ns()
        for _, _, sampler, _ in self.groups:
            sampler.start()
        self.running = True

    def stop(self) -> None:
        for _, _, sampler, _ in self.groups:
            sampler.stop()
        self.running = False

    def close(self) -> None:
        for _, _, sampler, _ in self.groups:
            sampler.close()
        self.running = False

    def poll(self) -> list[tuple[list[Channel], npt.NDArray[np.int64], npt.NDArray[np.float64]]]:
        """Drain every sampler; returns the new rows per group (display units) for recorders."""
        out = []
        for _, chans, sampler, ring in self.groups:
            block = sampler.drain()
            if not len(block.timestamps_ns):
                continue
            vals = block.values.copy()
            for i, ch in enumerate(chans):
                if ch.kind == "counter":
                    wrap = ch.wrap_raw * ch.scale if ch.wrap_raw else None
                    span = self._span[ch.id]
                    prev = self._prev.get(ch.id)
                    vals[:, i] = counters_to_rates(
                        block.timestamps_ns, block.values[:, i], prev, wrap, span, ch.full_scale
                    )
                    pt = block.timestamps_ns if prev is None else np.concatenate((prev[0], block.timestamps_ns))
                    pv = block.values[:, i] if prev is None else np.concatenate((prev[1], block.values[:, i]))
                    keep = counter_context_rows(ch, span)
                    self._prev[ch.id] = (pt[-keep:], pv[-keep:])
            ring.append(block.timestamps_ns, vals)
            out.append((chans, block.timestamps_ns, vals))
        return out

    def series(self, channel_id: str) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]:
        g, i = self._where[channel_id]
        t, v = self.groups[g][3].ordered()
        return t, v[:, i]

    def group_stats(self) -> list[GroupStats]:
        return [GroupStats(rate, len(ch), s.backend, s.stats) for rate, ch, s, _ in self.groups]

    def cost(self) -> dict[str, float]:
        """The sampler's own cost: CPU % of one core, lost ticks and their share, worst p99 lateness."""
        elapsed = (
            max((time.monotonic_ns() - self.started_monotonic_ns) * 1e-9, 1e-9) if self.started_monotonic_ns else 0
        )
        cpu = ticks = lost = 0.0
        p99 = 0
        for g in self.group_stats():
            cpu += g.stats["cpu_seconds"]
            ticks += g.stats["ticks"]
            lost += g.stats["missed_ticks"] + g.stats["overwritten"]
            p99 = max(p99, g.stats["lateness_p99_ns"])
        return {
            "cpu_percent": 100.0 * cpu / elapsed if elapsed else 0.0,
            "ticks": ticks,
            "lost_ticks": lost,
            "lost_percent": 100.0 * lost / (ticks + lost) if ticks + lost else 0.0,
            "lateness_p99_us": p99 / 1000.0,
        }
