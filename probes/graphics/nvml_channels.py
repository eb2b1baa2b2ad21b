"""NVIDIA Telemetry channels through NVML in-process (nvidia-ml-py), never opened while an NVIDIA GPU sleeps."""

from __future__ import annotations

import ctypes
import os
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from hwinspector.i18n import N_
from hwinspector.probes.gpu.model import AWAKE_STATES
from hwinspector.probes.gpu.nvml import FI_POWER_AVERAGE, FI_POWER_INSTANT, Nvml, field_value, nvml_bus_id
from hwinspector.probes.sysfs_attr import errno_name
from hwinspector.probes.telemetry.channels import Channel, ChannelReading

NVML_SCHEME = "nvml:"
# Reasons are English here (JSON, the exporter) and marked for the CLI and window, which localize() them.
_ASLEEP_REASON = N_("an NVIDIA GPU is asleep ({state}): NVML stays closed, since nvmlInit would wake every NVIDIA GPU")
_NVML_ERROR = N_("NVML: {error}")
NO_BINDING = N_("nvidia-ml-py is not installed ({module})")
NO_LIBRARY = N_("libnvidia-ml.so.1 cannot be loaded ({error})")

# How often each NVML value really changes: the driver's power average is over ~1 s (nvidia-smi's
# power.draw.average); the instant power field, utilisation (a sample period of 1/6 s to 1 s, by product),
# clocks, memory and the energy counter can be read at 10 Hz; the temperature moves slowly.
NVML_FAST_HZ = 10.0
NVML_AVERAGE_HZ = 1.0
NVML_TEMP_HZ = 1.0


@dataclass(frozen=True, slots=True)
class NvmlMetric:
    suffix: str  # the channel id's last part (the nvidia-smi channels used the same ones)
    label: str
    unit: str
    scale: float  # raw (as NVML gives it) -> unit, or for a counter -> its running total
    rate_hz: float
    kind: str  # "gauge" or "counter"


# (suffix, label, unit, scale, rate, kind): raw values in NVML's units (mW, mJ, °C, MHz, bytes, %).
METRICS = (
    NvmlMetric("power_instant", "power (instant)", "W", 1e-3, NVML_FAST_HZ, "gauge"),
    NvmlMetric("power", "power (1 s average)", "W", 1e-3, NVML_AVERAGE_HZ, "gauge"),
    NvmlMetric("power_from_energy", "power (from energy)", "W", 1e-3, NVML_FAST_HZ, "counter"),
    NvmlMetric("temp", "temperature", "°C", 1.0, NVML_TEMP_HZ, "gauge"),
    NvmlMetric("sm_clock", "SM clock", "MHz", 1.0, NVML_FAST_HZ, "gauge"),
    NvmlMetric("mem_clock", "memory clock", "MHz", 1.0, NVML_FAST_HZ, "gauge"),
    NvmlMetric("busy", "GPU busy", "%", 1.0, NVML_FAST_HZ, "gauge"),
    NvmlMetric("mem_busy", "memory busy", "%", 1.0, NVML_FAST_HZ, "gauge"),
    NvmlMetric("vram_used", "VRAM used", "MiB", 1.0 / (1 << 20), NVML_FAST_HZ, "gauge"),
)


def nvml_unavailable() -> str | None:
    """Why NVML cannot be used here (no binding, no library), or None. Loading the library opens no
    device: only nvmlInit does, and it is not called here."""
    try:
        import pynvml  # type: ignore[import-untyped]  # noqa: F401
    except ImportError as exc:
        return NO_BINDING.format(module=exc.name)
    try:
        ctypes.CDLL("libnvidia-ml.so.1")
    except OSError as exc:
        return NO_LIBRARY.format(error=exc)
    return None


def nvml_channels(driver_dir: Path, slots: Sequence[str]) -> list[Channel]:
    """Channels ``gpu:<slot>/<suffix>`` with path ``nvml:<slot>/<suffix>``; each guarded by its GPU's
    runtime_status under the nvidia driver's folder (the reader checks every GPU bound there)."""
    return [
        Channel(
            id=f"gpu:{slot}/{m.suffix}",
            label=f"nvidia {slot} {m.label}",
            unit=m.unit,
            path=f"{NVML_SCHEME}{slot}/{m.suffix}",
            scale=m.scale,
            max_rate_hz=m.rate_hz,
            kind="counter" if m.kind == "counter" else "gauge",
            device=slot,
            # readable: a value can be had by asking NVML (which is not opened to find out: nvmlInit
            # initialises every GPU); a field this driver lacks says so in its reading
            readable=True,
            reason=None,
            guard=str(driver_dir / slot / "power" / "runtime_status"),
        )
        for slot in slots
        for m in METRICS
    ]


def is_nvml_channel(ch: Channel) -> bool:
    return ch.path.startswith(NVML_SCHEME)


def _gpu_states(driver_dirs: set[Path]) -> str | None:
    """None while every GPU bound to the nvidia driver is awake, else the first sleeper's state.

    nvmlInit opens every NVIDIA GPU, not only those whose channels are sampled: all are checked. These
    are the PM core's attributes (reading them never calls the driver); EPERM/EBUSY/EAGAIN mean asleep.
    """
    for d in driver_dirs:
        try:
            slots = [n for n in os.listdir(d) if n.count(":") == 2]
        except OSError:
            continue
        for slot in slots:
            try:
                with open(d / slot / "power" / "runtime_status", encoding="ascii", errors="replace") as f:
                    state = f.read(64).strip()
            except FileNotFoundError:
                continue  # no runtime PM (or a capture without power/): always on
            except OSError as exc:
                return f"{slot}: {errno_name(exc)}"
            if state not in AWAKE_STATES:
                return f"{slot}: {state}"
    return None


class NvmlReader:
    """Reads NVML channels: every NVIDIA GPU's runtime_status first, then NVML, opened on first need and
    shut down (nvmlShutdown closes its fds) as soon as any NVIDIA GPU sleeps. Usable as a CommandSampler's
    ``read``; ``close()`` shuts NVML down."""

    def __init__(self, nvml: Nvml | None = None) -> None:
        self.nvml = nvml or Nvml()
        self._lock = threading.Lock()
        self.inits = 0  # how often NVML was opened (tests, the benchmark)

    def __call__(self, channels: Sequence[Channel]) -> list[ChannelReading]:
        wanted = [c for c in channels if is_nvml_channel(c)]
        with self._lock:
            dirs = {Path(c.guard).parents[2] for c in wanted if c.guard}
            asleep = _gpu_states(dirs)
            if asleep is not None:
                self.nvml.close()
                why = _ASLEEP_REASON.format(state=asleep)
                return [ChannelReading(c.id, None, None, why) for c in wanted]
            if not self.nvml.is_open:
                if not self.nvml.open():
                    return [ChannelReading(c.id, None, None, self.nvml.error or "NVML") for c in wanted]
                self.inits += 1
            return self._read(wanted)

    def _read(self, wanted: Sequence[Channel]) -> list[ChannelReading]:
        nv: Any = self.nvml.module
        handles: dict[str, Any] = {}
        calls: dict[tuple[str, str], Any] = {}  # one NVML call per GPU answers several channels
        out = []
        for ch in wanted:
            slot, _, suffix = ch.path[len(NVML_SCHEME) :].partition("/")
            try:
                if slot not in handles:
                    handles[slot] = nv.nvmlDeviceGetHandleByPciBusId(nvml_bus_id(slot).encode())
                raw = _raw(nv, handles[slot], suffix, partial(_once, calls, slot))
            except Exception as exc:  # NVMLError_NotSupported, _GpuIsLost, _NoPermission, …
                out.append(ChannelReading(ch.id, None, None, _NVML_ERROR.format(error=exc)))
                continue
            out.append(ChannelReading(ch.id, int(raw), raw * ch.scale, None))
        return out

    def close(self) -> None:
        with self._lock:
            self.nvml.close()


def _once(calls: dict[tuple[str, str], Any], slot: str, what: str, fn: Callable[[], Any]) -> Any:
    key = (slot, what)
    if key not in calls:
        try:
            calls[key] = fn()
        except Exception as exc:
            calls[key] = exc
    got = calls[key]
    if isinstance(got, Exception):
        raise got
    return got


def _field(nv: Any, h: Any, field: int, once: Callable[[str, Callable[[], Any]], Any]) -> float | None:
    values = once("fields", lambda: nv.nvmlDeviceGetFieldValues(h, [FI_POWER_INSTANT, FI_POWER_AVERAGE]))
    fv = values[0 if field == FI_POWER_INSTANT else 1]
    return field_value(nv, fv) if fv.nvmlReturn == 0 else None


def _raw(nv: Any, h: Any, suffix: str, once: Callable[[str, Callable[[], Any]], Any]) -> float:
    """One channel's raw value in NVML's own unit; raises where NVML has none."""
    if suffix == "power_instant":
        v = _field(nv, h, FI_POWER_INSTANT, once)
        if v is None:
            raise LookupError("the driver has no instant power field (NVML_FI_DEV_POWER_INSTANT, R535+)")
        return v
    if suffix == "power":
        # the averaged field where the driver has it, else nvmlDeviceGetPowerUsage (the 1 s average on most boards)
        try:
            v = _field(nv, h, FI_POWER_AVERAGE, once)
        except Exception:
            v = None
        return v if v is not None else float(nv.nvmlDeviceGetPowerUsage(h))
    if suffix == "power_from_energy":
        return float(nv.nvmlDeviceGetTotalEnergyConsumption(h))  # mJ since the driver loaded
    if suffix == "temp":
        return float(nv.nvmlDeviceGetTemperature(h, 0))  # NVML_TEMPERATURE_GPU
    if suffix in ("sm_clock", "mem_clock"):
        return float(nv.nvmlDeviceGetClockInfo(h, 1 if suffix == "sm_clock" else 2))  # NVML_CLOCK_SM, _MEM
    if suffix in ("busy", "mem_busy"):
        util = once("util", lambda: nv.nvmlDeviceGetUtilizationRates(h))
        return float(util.gpu if suffix == "busy" else util.memory)
    if suffix == "vram_used":
        return float(once("mem", lambda: nv.nvmlDeviceGetMemoryInfo(h)).used)
    raise LookupError(f"unknown NVML channel {suffix!r}")


def read_nvml(channels: Sequence[Channel]) -> list[ChannelReading]:
    """One look (the CLI, the exporter): NVML opened where every NVIDIA GPU is awake, and shut down after."""
    reader = NvmlReader()
    try:
        return reader(channels)
    finally:
        reader.close()
