"""Polling collectors for the Power and Thermal pages: sysfs read on a worker thread about once a second."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

from PySide6.QtCore import QCoreApplication, QObject, Signal

from hwinspector.probes.errors import ProbeUnavailable
from hwinspector.probes.power.cpu import CpuFreq, IdleState, list_cpufreq, list_cpuidle
from hwinspector.probes.power.hwmon import HwmonChip, list_hwmon_chips
from hwinspector.probes.power.powercap import RaplDomain, RaplMeter, list_rapl_domains
from hwinspector.probes.power.supply import PowerSupply, list_power_supplies
from hwinspector.probes.power.thermal import CoolingDevice, ThermalZone, list_cooling_devices, list_thermal_zones
from hwinspector.threads import Port, start_thread

# Batteries and coretemp refresh about once a second at best (PERFORMANCE.md). Each reading wakes two
# threads (the poller, then the GUI to show it): every 1.5 s keeps a shown Power or Thermal page within
# 2 wakeups a second, the budget of a page without live plots; the Telemetry page plots them faster.
POLL_INTERVAL_S = 1.5
# Watts and idle residency need two readings: the second comes soon after the first, so a page that
# was just opened shows them within a quarter of a second rather than after a full interval.
FIRST_INTERVAL_S = 0.25
# A machine with hundreds of CPUs takes ~0.1 s to read every idle state: the interval stretches so the
# reader never takes more than this share of one core.
MAX_DUTY = 0.05

Clock = Callable[[], float]
T = TypeVar("T")


# --- power -----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RaplReading:
    """One RAPL domain with its average power since the previous reading, or why there is none."""

    domain: RaplDomain
    power_watts: float | None
    reason: str | None


@dataclass(frozen=True, slots=True)
class PowerReading:
    """What the Power page shows at one moment; ``*_error`` says why a whole part is missing."""

    taken_at: float
    supplies: tuple[PowerSupply, ...] = ()
    supplies_error: str | None = None
    rapl: tuple[RaplReading, ...] = ()
    rapl_error: str | None = None


class PowerSource:
    """Reads power supplies and RAPL; keeps the RAPL counters open between readings (one meter)."""

    def __init__(self, sysfs: Path = Path("/sys"), clock: Clock = time.monotonic) -> None:
        self._sysfs = sysfs
        self._clock = clock
        self._meter: RaplMeter | None = None
        self._domains: list[RaplDomain] = []
        self._rapl_error: str | None = None

    def open(self) -> None:
        self.close()
        try:
            self._domains = list_rapl_domains(self._sysfs)
            self._rapl_error = None
        except ProbeUnavailable as exc:
            self._domains, self._rapl_error = [], exc.reason
            return
        self._meter = RaplMeter(self._domains, self._clock)

    def close(self) -> None:
        if self._meter is not None:
            self._meter.close()
            self._meter = None

    def read(self) -> PowerReading:
        if self._meter is None and self._rapl_error is None:
            self.open()
        supplies: tuple[PowerSupply, ...] = ()
        supplies_error = None
        try:
            supplies = tuple(list_power_supplies(self._sysfs))
        except ProbeUnavailable as exc:
            supplies_error = exc.reason
        rapl: tuple[RaplReading, ...] = ()
        if self._meter is not None:
            by_id = {d.id: d for d in self._domains}
            rapl = tuple(RaplReading(by_id[p.id], p.power_watts, p.reason) for p in self._meter.sample())
        return PowerReading(self._clock(), supplies, supplies_error, rapl, self._rapl_error)


# --- thermal ---------------------------------------------------------------------------------------

SENSORS, ZONES, CPU = "sensors", "zones", "cpu"
ALL_PARTS = frozenset({SENSORS, ZONES, CPU})


@dataclass(frozen=True, slots=True)
class IdleReading:
    """One idle state of one CPU with what it did since the previous reading."""

    state: IdleState
    residency_percent: float | None  # share of the interval the CPU spent in this state
    entries_per_s: float | None  # how often it was entered


@dataclass(frozen=True, slots=True)
class ThermalReading:
    """What the Thermal page shows at one moment; only the ``parts`` asked for were read."""

    taken_at: float
    parts: frozenset[str]
    chips: tuple[HwmonChip, ...] = ()
    chips_error: str | None = None
    zones: tuple[ThermalZone, ...] = ()
    cooling: tuple[CoolingDevice, ...] = ()
    zones_error: str | None = None
    cpufreq: tuple[CpuFreq, ...] = ()
    cpufreq_error: str | None = None
    idle: tuple[IdleReading, ...] = ()
    idle_error: str | None = None
    idle_interval_s: float | None = None  # what the residencies are averaged over


class ThermalSource:
    """Reads hwmon, thermal zones and CPU states; turns cpuidle counters into residency per interval."""

    def __init__(self, sysfs: Path = Path("/sys"), clock: Clock = time.monotonic) -> None:
        self._sysfs = sysfs
        self._clock = clock
        self.parts: frozenset[str] = ALL_PARTS
        self._idle_before: dict[tuple[int, int], tuple[float, int | None, int | None]] = {}

    def open(self) -> None:
        self._idle_before = {}

    def close(self) -> None:
        self._idle_before = {}

    def read_lists(self, names: frozenset[str]) -> dict[str, tuple[list[Any], str | None]]:
        """Each named list ("chips", "zones", "cooling", "cpufreq", "idle") or why it is missing."""
        listers: dict[str, Callable[[Path], list[Any]]] = {
            "chips": list_hwmon_chips,
            "zones": list_thermal_zones,
            "cooling": list_cooling_devices,
            "cpufreq": list_cpufreq,
            "idle": list_cpuidle,
        }
        return {name: _attempt(listers[name], self._sysfs) for name in names}

    def read(self) -> ThermalReading:
        parts = self.parts
        names = {SENSORS: ("chips",), ZONES: ("zones", "cooling"), CPU: ("cpufreq", "idle")}
        got = self.read_lists(frozenset(n for p in parts for n in names[p]))
        none: tuple[list[Any], str | None] = ([], None)
        chips, chips_error = got.get("chips", none)
        zones, zones_error = got.get("zones", none)
        # zones and cooling devices share /sys/class/thermal: one explanation covers both
        cooling = got.get("cooling", none)[0] if zones_error is None else []
        cpufreq, cpufreq_error = got.get("cpufreq", none)
        interval = None
        if CPU in parts:
            states, idle_error = got["idle"]
            idle, interval = self._idle(states)
        else:
            # A gap in the counters is no interval to average over: start again when shown.
            self._idle_before, idle, idle_error = {}, (), None
        return ThermalReading(
            taken_at=self._clock(),
            parts=parts,
            chips=tuple(chips),
            chips_error=chips_error,
            zones=tuple(zones),
            cooling=tuple(cooling),
            zones_error=zones_error,
            cpufreq=tuple(cpufreq),
            cpufreq_error=cpufreq_error,
            idle=idle,
            idle_error=idle_error,
            idle_interval_s=interval,
        )

    def _idle(self, states: list[IdleState]) -> tuple[tuple[IdleReading, ...], float | None]:
        now = self._clock()
        before, self._idle_before = self._idle_before, {}
        out = []
        interval = None
        for s in states:
            key = (s.cpu, s.index)
            self._idle_before[key] = (now, s.time_us, s.usage)
            prev = before.get(key)
            residency = rate = None
            if prev is not None and now > prev[0]:
                seconds = interval = now - prev[0]
                if s.time_us is not None and prev[1] is not None and s.time_us >= prev[1]:
                    # time is in µs; counters reset when a CPU goes offline and comes back
                    residency = min(100.0, 100.0 * (s.time_us - prev[1]) / (seconds * 1e6))
                if s.usage is not None and prev[2] is not None and s.usage >= prev[2]:
                    rate = (s.usage - prev[2]) / seconds
            out.append(IdleReading(s, residency, rate))
        return tuple(out), interval


def _attempt(lister: Callable[[Path], list[T]], sysfs: Path) -> tuple[list[T], str | None]:
    try:
        return lister(sysfs), None
    except ProbeUnavailable as exc:
        return [], exc.reason


# --- the thread ------------------------------------------------------------------------------------


class Source(Protocol):
    def open(self) -> None: ...
    def close(self) -> None: ...
    def read(self) -> object: ...


def next_interval_s(readings: int, cost_s: float) -> float:
    """When to read again: soon after the first reading, then every POLL_INTERVAL_S, never above MAX_DUTY."""
    interval = FIRST_INTERVAL_S if readings == 1 else POLL_INTERVAL_S
    return max(interval, cost_s / MAX_DUTY)


class SensorPoller(QObject):
    """Reads a source on a thread of its own about once a second; ``reading`` arrives on the GUI thread.

    The thread runs only while polling: ``stop()`` (the page hidden) ends it, so a hidden page costs
    nothing. Between readings it sleeps on a condition that ``stop()``, ``poll_now()`` and ``set_parts()``
    wake at once. It holds no Qt object: readings cross through a Port (threads.py). ``shutdown()`` ends it
    for good and waits (also done when the application quits).
    """

    reading = Signal(object)

    def __init__(self, source: Source, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._source = source
        self._name = name
        self._cond = threading.Condition()
        self._sourcing = threading.Lock()  # a thread still closing the source finishes before the next opens it
        self._thread: threading.Thread | None = None
        self._want = False  # the thread keeps polling while this is set (under _cond)
        self._poke = False
        self._parts: frozenset[str] | None = None
        self._deliver_port = Port(self._deliver)
        self.polling = False
        self._closed = False
        self.next_interval_s = FIRST_INTERVAL_S
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)

    def start(self) -> None:
        if self._closed or self.polling:
            return
        self.polling = True
        with self._cond:
            self._want = True
            if self._thread is None:
                self._thread = start_thread(self._loop, self._name)

    def stop(self) -> None:
        if not self.polling:
            return
        self.polling = False
        with self._cond:
            self._want = False
            self._cond.notify_all()

    def poll_now(self) -> None:
        if self.polling:
            with self._cond:
                self._poke = True
                self._cond.notify_all()

    def set_parts(self, parts: Collection[str]) -> None:
        """Which parts a ThermalSource reads (the visible tab's); a poll follows at once when polling."""
        with self._cond:
            self._parts = frozenset(parts)
            self._poke = True
            self._cond.notify_all()

    def running(self) -> bool:
        with self._cond:
            return self._thread is not None

    def shutdown(self) -> None:
        """Stop polling and end the thread (idempotent); waits for a read in progress."""
        self._closed = True
        self.stop()
        with self._cond:
            thread = self._thread
        if thread is not None:
            thread.join(5.0)

    def _deliver(self, reading: object) -> None:
        if self.polling:  # a reading that was in flight when the page was hidden is not shown
            self.reading.emit(reading)

    def _loop(self) -> None:
        """The poller's thread: read, hand the reading over, sleep until the next one is due or a nudge."""
        source, send = self._source, self._deliver_port
        with self._sourcing:
            source.open()
            try:
                readings = 0
                while True:
                    with self._cond:
                        if not self._want:
                            self._thread = None
                            return
                        parts, self._parts = self._parts, None
                        self._poke = False
                    if parts is not None and isinstance(source, ThermalSource) and source.parts != parts:
                        source.parts = parts
                        readings = 0  # the part now shown needs its second reading soon, as on a start
                    started = time.perf_counter()
                    reading = source.read()
                    readings += 1
                    interval = next_interval_s(readings, time.perf_counter() - started)
                    send(reading)
                    del reading
                    with self._cond:
                        self.next_interval_s = interval
                        due = time.monotonic() + interval
                        while self._want and not self._poke and (left := due - time.monotonic()) > 0:
                            self._cond.wait(left)
            finally:
                source.close()
