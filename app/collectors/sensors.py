"""Polling collectors for the Power and Thermal pages: sysfs read on a worker thread about once a second."""

from __future__ import annotations

import time
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, TypeVar

from PySide6.QtCore import QCoreApplication, QObject, QThread, QTimer, Signal, Slot

from hwinspector.probes.errors import ProbeUnavailable
from hwinspector.probes.power.cpu import CpuFreq, IdleState, list_cpufreq, list_cpuidle
from hwinspector.probes.power.hwmon import HwmonChip, list_hwmon_chips
from hwinspector.probes.power.powercap import RaplDomain, RaplMeter, list_rapl_domains
from hwinspector.probes.power.supply import PowerSupply, list_power_supplies
from hwinspector.probes.power.thermal import CoolingDevice, ThermalZone, list_cooling_devices, list_thermal_zones

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


class PollWorker(QObject):
    """Lives on the poller's thread: reads on a single-shot timer, so a slow read never piles up."""

    reading = Signal(object)

    def __init__(self, source: Source) -> None:
        super().__init__()
        self._source = source
        self._timer: QTimer | None = None
        self._count = 0
        self.next_interval_s = FIRST_INTERVAL_S

    @Slot()
    def start(self) -> None:
        if self._timer is None:
            self._timer = QTimer(self)
            self._timer.setSingleShot(True)
            self._timer.timeout.connect(self.poll)
        self._source.open()
        self._count = 0
        self.poll()

    @Slot()
    def stop(self) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._source.close()

    @Slot()
    def poll(self) -> None:
        if self._timer is None:
            return
        self._timer.stop()
        started = time.perf_counter()
        reading = self._source.read()
        cost = time.perf_counter() - started
        self.reading.emit(reading)
        self._count += 1
        interval = FIRST_INTERVAL_S if self._count == 1 else POLL_INTERVAL_S
        self.next_interval_s = max(interval, cost / MAX_DUTY)
        self._timer.start(int(1000 * self.next_interval_s))

    @Slot(object)
    def set_parts(self, parts: Collection[str]) -> None:
        if isinstance(self._source, ThermalSource) and self._source.parts != parts:
            self._source.parts = frozenset(parts)
            self._count = 0  # the part now shown needs its second reading soon, as on a start


class SensorPoller(QObject):
    """GUI-side handle of one polling thread. ``reading`` arrives on the GUI thread.

    The thread runs only while polling: ``stop()`` (the page hidden) ends it, so a hidden page costs
    nothing, and a window torn down without ``shutdown()`` does not find it running. ``shutdown()``
    ends it for good and waits (also done when the application quits).
    """

    reading = Signal(object)
    _start = Signal()
    _stop = Signal()
    _poll = Signal()
    _parts = Signal(object)

    def __init__(self, source: Source, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread = QThread(self)
        self._thread.setObjectName(name)
        self._worker = PollWorker(source)
        self._worker.moveToThread(self._thread)
        self._start.connect(self._worker.start)
        self._stop.connect(self._worker.stop)
        self._poll.connect(self._worker.poll)
        self._parts.connect(self._worker.set_parts)
        self._worker.reading.connect(self.reading)
        # The worker releases its file descriptors on its own thread as that thread ends.
        self._thread.finished.connect(self._worker.stop)
        self._thread.finished.connect(self._finished)
        self.polling = False
        self._quitting = False
        self._closed = False
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)

    def start(self) -> None:
        if self._closed or self.polling:
            return
        self.polling = True
        if self._quitting:
            return  # still finishing the last read: _finished starts it again
        self._thread.start()
        self._start.emit()

    def stop(self) -> None:
        if not self.polling:
            return
        self.polling = False
        self._stop.emit()
        self._quitting = True
        self._thread.quit()

    def _finished(self) -> None:
        self._quitting = False
        if self.polling and not self._closed:
            self._thread.start()
            self._start.emit()

    def poll_now(self) -> None:
        if self.polling:
            self._poll.emit()

    def set_parts(self, parts: Collection[str]) -> None:
        """Which parts a ThermalSource reads (the visible tab's); a poll follows at once when polling."""
        self._parts.emit(frozenset(parts))
        self.poll_now()

    def running(self) -> bool:
        return self._thread.isRunning()

    def shutdown(self) -> None:
        """Stop polling and end the thread (idempotent); waits for a read in progress."""
        self._closed = True
        self.polling = False
        if self._thread.isRunning():
            self._thread.quit()
            self._thread.wait(5000)
