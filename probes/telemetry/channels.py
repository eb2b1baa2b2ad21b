"""The telemetry channel catalogue: every numeric sysfs source the telemetry page can sample."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from hwinspector.probes.errors import ProbeUnavailable
from hwinspector.probes.power.cpu import list_cpufreq, list_cpuidle
from hwinspector.probes.power.hwmon import KINDS, list_hwmon_chips
from hwinspector.probes.power.powercap import list_rapl_domains
from hwinspector.probes.power.supply import list_power_supplies
from hwinspector.probes.power.thermal import list_thermal_zones
from hwinspector.probes.sysfs_attr import read_int
from hwinspector.probes.telemetry.perf import parse_perf_path
from hwinspector.probes.telemetry.perf_set import ONE_SHOT

ChannelKind = Literal["counter", "gauge"]

# How often each source really changes (PERFORMANCE.md, from the kernel drivers): sampling faster
# only repeats values, and for coretemp costs an IPI per read.
RAPL_HZ = 1000.0  # energy status updates every ~1 ms (976 µs time unit on Intel)
CPUFREQ_HZ = 250.0  # APERF/MPERF at the scheduler tick; stale after 20 ms
CPUIDLE_HZ = 250.0
# A residency counter (time spent in a state) moves in steps, not smoothly: cpuidle adds a whole idle
# period to `time` only when the CPU leaves the state (a step as long as the period, up to seconds on a
# tickless idle CPU), RC6 and runtime PM count whole milliseconds. Its share of time is taken over a
# window at least this long, and over at least the step itself (session.counters_to_rates).
CPUIDLE_WINDOW_S = 0.25
MS_RESIDENCY_WINDOW_S = 0.1  # 1 ms steps: 1 % resolution
BATTERY_HZ = 1.0  # ACPI driver cache 1 s, firmware updates every few seconds
HWMON_HZ = {"coretemp": 1.0, "k10temp": 10.0}  # coretemp caches 1 s, each refresh an IPI
HWMON_DEFAULT_HZ = 10.0
THERMAL_HZ = {"acpitz": 1.0}  # _TMP is an ACPI method, usually an embedded controller transaction
THERMAL_DEFAULT_HZ = 10.0


@dataclass(frozen=True, slots=True)
class Channel:
    """One numeric file the sampler can pread.

    ``value = raw * scale`` in ``unit`` for a gauge. For a counter, ``raw * scale`` is a running total
    and the plotted value in ``unit`` is its rate, Δ(raw * scale) / Δt, with the raw counter wrapping
    to 0 after ``wrap_raw`` where that is known.

    A counter with ``full_scale`` counts time spent in a state (a residency): its rate is a share of
    time that can never exceed ``full_scale`` (100 %), and it is taken over at least ``window_s``.
    """

    id: str  # stable across boots: "rapl:package-0", "hwmon:coretemp/temp1", "cpufreq:cpu3"
    label: str
    unit: str
    path: str
    scale: float
    max_rate_hz: float
    kind: ChannelKind
    device: str  # what the channel belongs to, for grouping: "intel-rapl:0", "coretemp", "BAT0"
    readable: bool
    reason: str | None  # why it is not readable (or why a trial read failed)
    wrap_raw: int | None = None
    full_scale: float | None = None
    window_s: float = 0.0
    # A file read before this channel's, every time: while it says the device is not awake (a GPU's
    # power/runtime_status), the channel is not read at all, so sampling never wakes the device.
    guard: str | None = None


@dataclass(frozen=True, slots=True)
class ChannelReading:
    id: str
    raw: int | None
    value: float | None  # raw * scale; for counters the running total
    reason: str | None  # why there is no value: errno name, "garbage", "empty"


@dataclass(frozen=True, slots=True)
class Catalogue:
    channels: tuple[Channel, ...]
    unavailable: Mapping[str, str] = field(default_factory=dict)  # provider -> why it has nothing


ChannelProvider = Callable[[Path], list[Channel]]
_PROVIDERS: dict[str, ChannelProvider] = {}


def register_provider(name: str, provider: ChannelProvider) -> None:
    """Add (or replace) a source of channels; GPU telemetry plugs in here.

    A provider takes the sysfs root and returns its channels; it raises ProbeUnavailable when its
    subsystem is absent.
    """
    _PROVIDERS[name] = provider


def provider_names() -> tuple[str, ...]:
    return tuple(_PROVIDERS)


def read_catalogue(sysfs: Path = Path("/sys")) -> Catalogue:
    """All channels of all providers, and the reason of each provider that has none."""
    # GPU providers live in their own module, which imports this one: registering them here (once,
    # idempotently) keeps every caller of the catalogue from having to remember it.
    from hwinspector.probes.graphics import channels as gpu_channels
    from hwinspector.probes.graphics import pmu_channels
    from hwinspector.probes.telemetry import system

    gpu_channels.register()
    pmu_channels.register()
    register_provider("system", system.system_channels)

    channels: list[Channel] = []
    unavailable: dict[str, str] = {}
    for name, provider in _PROVIDERS.items():
        try:
            found = provider(sysfs)
        except ProbeUnavailable as exc:
            unavailable[name] = exc.reason
            continue
        except OSError as exc:
            unavailable[name] = f"{exc.strerror or exc}"
            continue
        channels.extend(found)
        if not found:
            unavailable[name] = "nothing to sample on this machine"
    return Catalogue(tuple(channels), unavailable)


def list_channels(sysfs: Path = Path("/sys")) -> list[Channel]:
    return list(read_catalogue(sysfs).channels)


def read_channel_values(channels: Iterable[Channel]) -> list[ChannelReading]:
    """One reading per channel, in order; unreadable ones carry None and the reason.

    Command channels (nvidia-smi) are not files: one run of the program answers all of them.
    """
    from hwinspector.probes.graphics import channels as gpu_channels
    from hwinspector.probes.telemetry import system

    chans = list(channels)
    commands = [c for c in chans if gpu_channels.is_command_channel(c)]
    by_command = {r.id: r for r in gpu_channels.read_nvidia_smi(commands)} if commands else {}
    polled = [c for c in chans if is_system_channel(c)]
    by_command.update({r.id: r for r in system.read_system(polled)} if polled else {})
    guarded = [c for c in chans if c.guard and not gpu_channels.is_command_channel(c)]
    if guarded:
        from hwinspector.probes.telemetry.guarded import GuardedFiles

        reader = GuardedFiles()
        by_command.update({r.id: r for r in reader(guarded)})
        reader.close()
    out = []
    for ch in chans:
        if ch.id in by_command:
            out.append(by_command[ch.id])
            continue
        if gpu_channels.is_command_channel(ch):
            out.append(ChannelReading(ch.id, None, None, "no reading from nvidia-smi"))
            continue
        counter = parse_perf_path(ch.path)
        if counter is not None:
            # a perf counter counts from its open: it stays open between calls (perf_set.PerfReader)
            raw, total, why = ONE_SHOT.read(counter)
            out.append(ChannelReading(ch.id, raw, None if total is None else total * ch.scale, why))
            continue
        attr = read_int(Path(ch.path))
        if attr.value is None:
            reason = attr.error or "unreadable"
            if attr.error in ("EACCES", "EPERM") and ch.reason:
                reason = ch.reason  # keeps the CVE explanation of RAPL counters
            out.append(ChannelReading(ch.id, None, None, reason))
        else:
            out.append(ChannelReading(ch.id, attr.value, attr.value * ch.scale, None))
    return out


def is_system_channel(ch: Channel) -> bool:
    """A channel psutil answers (CPU, memory, disk, network): read by a poller, not the file sampler."""
    return ch.path.startswith("psutil:")


def _trial(path: Path) -> tuple[bool, str | None]:
    attr = read_int(path)
    return attr.value is not None, attr.error


# --- built-in providers -----------------------------------------------------------------------------


def rapl_channels(sysfs: Path) -> list[Channel]:
    return [
        Channel(
            id=d.id,
            label=f"RAPL {d.id.partition(':')[2]}",
            unit="W",
            path=d.energy_path,
            scale=1e-6,  # µJ -> J; its rate is watts
            max_rate_hz=RAPL_HZ,
            kind="counter",
            device=d.zone,
            readable=d.readable,
            reason=d.reason,
            wrap_raw=d.max_energy_range_uj,
        )
        for d in list_rapl_domains(sysfs)
    ]


def hwmon_channels(sysfs: Path) -> list[Channel]:
    chips = list_hwmon_chips(sysfs)
    # Chip names identify chips unless two share one (two NVMe drives); then libsensors' name,
    # which includes the bus address, does.
    counts = Counter(c.name for c in chips)
    out = []
    for chip in chips:
        key = chip.name if counts[chip.name] == 1 else chip.sensors_id
        rate = HWMON_HZ.get(chip.name, HWMON_DEFAULT_HZ)
        for inp in chip.inputs:
            if inp.path is None:
                continue
            unit, divisor = KINDS[inp.kind]
            counter = inp.kind == "energy"
            out.append(
                Channel(
                    id=f"hwmon:{key}/{inp.id}",
                    label=f"{chip.name} {inp.label}",
                    unit="W" if counter else unit,
                    path=inp.path,
                    scale=1.0 / divisor,
                    max_rate_hz=rate,
                    kind="counter" if counter else "gauge",
                    device=key,
                    readable=inp.error is None,
                    reason=inp.error,
                )
            )
    return out


def battery_channels(sysfs: Path) -> list[Channel]:
    out = []
    for s in list_power_supplies(sysfs):
        if not s.is_battery:
            continue
        d = Path(s.path)
        # Energy-based batteries report power_now; charge-based ones only current and voltage.
        wanted = [
            ("power", "power_now", "W", "power"),
            ("energy", "energy_now", "Wh", "energy"),
            ("charge", "charge_now", "Ah", "charge"),
            ("current", "current_now", "A", "current"),
            ("voltage", "voltage_now", "V", "voltage"),
        ]
        for suffix, attr, unit, what in wanted:
            p = d / attr
            if not p.exists():
                continue
            ok, error = _trial(p)
            out.append(
                Channel(
                    id=f"battery:{s.name}/{suffix}",
                    label=f"{s.name} {what}",
                    unit=unit,
                    path=str(p),
                    scale=1e-6,  # µW, µWh, µAh, µA, µV
                    max_rate_hz=BATTERY_HZ,
                    kind="gauge",
                    device=s.name,
                    readable=ok,
                    reason=error,
                )
            )
    return out


def cpufreq_channels(sysfs: Path) -> list[Channel]:
    out = []
    for f in list_cpufreq(sysfs):
        p = Path(f.path) / "scaling_cur_freq"
        if not f.online or not p.exists():
            continue
        out.append(
            Channel(
                id=f"cpufreq:cpu{f.cpu}",
                label=f"cpu{f.cpu} frequency",
                unit="MHz",
                path=str(p),
                scale=1e-3,  # kHz
                max_rate_hz=CPUFREQ_HZ,
                kind="gauge",
                device=f"cpu{f.cpu}",
                readable=f.cur_mhz is not None,
                reason=f.error,
            )
        )
    return out


_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


def cpuidle_channels(sysfs: Path) -> list[Channel]:
    states = list_cpuidle(sysfs)
    names = Counter((s.cpu, s.name) for s in states)
    out = []
    for s in states:
        p = Path(s.path) / "time"
        if not p.exists():
            continue
        unique = s.name is not None and names[(s.cpu, s.name)] == 1
        state = _UNSAFE.sub("_", s.name) if unique and s.name else f"state{s.index}"
        out.append(
            Channel(
                id=f"cpuidle:cpu{s.cpu}/{state}",
                label=f"cpu{s.cpu} {s.name or state} residency",
                unit="%",
                path=str(p),
                scale=1e-4,  # µs; its rate in µs/s * 1e-4 is the share of time in percent
                max_rate_hz=CPUIDLE_HZ,
                kind="counter",
                full_scale=100.0,
                window_s=CPUIDLE_WINDOW_S,
                device=f"cpu{s.cpu}",
                readable=s.time_us is not None,
                reason=None if s.time_us is not None else "time unreadable",
            )
        )
    return out


def thermal_channels(sysfs: Path) -> list[Channel]:
    return [
        Channel(
            id=f"thermal:{z.id}",
            label=f"{z.type or z.id} ({z.id})",
            unit="°C",
            path=str(Path(z.path) / "temp"),
            scale=1e-3,
            max_rate_hz=THERMAL_HZ.get(z.type or "", THERMAL_DEFAULT_HZ),
            kind="gauge",
            device=z.type or z.id,
            readable=z.error is None,
            reason=z.error,
        )
        for z in list_thermal_zones(sysfs)
    ]


register_provider("rapl", rapl_channels)
register_provider("hwmon", hwmon_channels)
register_provider("battery", battery_channels)
register_provider("cpufreq", cpufreq_channels)
register_provider("cpuidle", cpuidle_channels)
register_provider("thermal", thermal_channels)
