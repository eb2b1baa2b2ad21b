"""NVIDIA through NVML in-process (nvidia-ml-py, NVIDIA's binding), with nvidia-smi only where NVML cannot load."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from types import ModuleType
from typing import Any

from hwinspector.probes.gpu.model import Absent, GpuClient, Reading
from hwinspector.probes.gpu.throttle import nvidia_reasons

# NVML field ids (nvml.h): instant and averaged board power, in mW, where the driver supports them (R535+).
FI_POWER_INSTANT = 186
FI_POWER_AVERAGE = 185
_NOT_SUPPORTED = 3


@dataclass(frozen=True, slots=True)
class NvidiaRead:
    readings: tuple[Reading, ...]
    absent: tuple[Absent, ...]
    throttle_reasons: tuple[str, ...]
    clients: tuple[GpuClient, ...]
    source: str  # "nvml" or "nvidia-smi"


def nvml_bus_id(pci_address: str) -> str:
    """NVML's form of a PCI address: an 8-digit domain ("00000000:01:00.0")."""
    domain, _, rest = pci_address.partition(":")
    try:
        return f"{int(domain, 16):08x}:{rest}".upper() if rest.count(":") == 1 else pci_address
    except ValueError:
        return pci_address


class Nvml:
    """NVML, loaded and initialised on first use and shut down by close().

    nvmlInit opens /dev/nvidiactl and every GPU's /dev/nvidiaN, which resumes a runtime-suspended GPU: the
    caller opens NVML only while every NVIDIA GPU is awake, and closes it (nvmlShutdown, which closes
    those fds) as soon as one sleeps. Handles are looked up per read and never kept across a close.
    """

    def __init__(self, loader: Callable[[], ModuleType] | None = None) -> None:
        self._loader = loader or _import_pynvml
        self._nv: Any = None
        self.error: str | None = None

    @property
    def is_open(self) -> bool:
        return self._nv is not None

    def open(self) -> bool:
        if self._nv is not None:
            return True
        try:
            nv = self._loader()
        except ImportError as exc:
            self.error = f"nvidia-ml-py is not installed ({exc.name})"
            return False
        try:
            nv.nvmlInit()
        except Exception as exc:  # NVMLError_LibraryNotFound, DriverNotLoaded, NoPermission, …
            self.error = f"NVML: {exc}"
            return False
        self._nv = nv
        self.error = None
        return True

    def close(self) -> None:
        nv, self._nv = self._nv, None
        if nv is not None:
            try:
                nv.nvmlShutdown()
            except Exception as exc:
                self.error = f"NVML shutdown: {exc}"

    def read(self, pci_address: str) -> NvidiaRead:
        nv = self._nv
        if nv is None:
            raise RuntimeError("NVML is not open")
        readings: list[Reading] = []
        absent: list[Absent] = []
        h = nv.nvmlDeviceGetHandleByPciBusId(nvml_bus_id(pci_address).encode())

        def get(key: str, fn: Callable[[], float | None], scale: float = 1.0) -> None:
            try:
                v = fn()
            except Exception as exc:
                absent.append(Absent(key, f"NVML: {exc}"))
                return
            if v is not None:
                readings.append(Reading(key, float(v) * scale, "nvml"))

        self._power(nv, h, readings, absent)
        get("energy_j.total", lambda: nv.nvmlDeviceGetTotalEnergyConsumption(h), 0.001)  # mJ
        get("power_w.cap", lambda: nv.nvmlDeviceGetEnforcedPowerLimit(h), 0.001)
        get("temperature_c.gpu", partial(nv.nvmlDeviceGetTemperature, h, 0))  # NVML_TEMPERATURE_GPU
        for dom, clk in (("gfx", 0), ("sm", 1), ("mem", 2), ("video", 3)):  # NVML_CLOCK_GRAPHICS, _SM, _MEM, _VIDEO
            get(f"clock_mhz.{dom}", partial(nv.nvmlDeviceGetClockInfo, h, clk))
        try:
            util = nv.nvmlDeviceGetUtilizationRates(h)
            readings += [Reading("busy_percent.gfx", float(util.gpu), "nvml")]
            readings += [Reading("busy_percent.mem", float(util.memory), "nvml")]
        except Exception as exc:
            absent.append(Absent("busy_percent.gfx", f"NVML: {exc}"))
        try:
            mem = nv.nvmlDeviceGetMemoryInfo(h)
            readings += [Reading("memory_mib.vram_used", mem.used / (1 << 20), "nvml")]
            readings += [Reading("memory_mib.vram_total", mem.total / (1 << 20), "nvml")]
        except Exception as exc:
            absent.append(Absent("memory_mib.vram_used", f"NVML: {exc}"))
        get("fan_pwm_percent", lambda: nv.nvmlDeviceGetFanSpeed(h))
        reasons: tuple[str, ...] = ()
        try:
            reasons = nvidia_reasons(int(nv.nvmlDeviceGetCurrentClocksEventReasons(h)))
        except Exception as exc:
            absent.append(Absent("clock_mhz.gfx", f"NVML clocks event reasons: {exc}"))
        return NvidiaRead(tuple(readings), tuple(absent), reasons, self._clients(nv, h, pci_address), "nvml")

    @staticmethod
    def _power(nv: Any, h: Any, readings: list[Reading], absent: list[Absent]) -> None:
        """Instant and averaged power from field values where the driver has them, else nvmlDeviceGetPowerUsage
        (which is the 1 s average on most boards)."""
        got = set()
        try:
            values = nv.nvmlDeviceGetFieldValues(h, [FI_POWER_INSTANT, FI_POWER_AVERAGE])
            for fv, key in zip(values, ("power_w.input", "power_w.average"), strict=True):
                if fv.nvmlReturn == 0:
                    readings.append(Reading(key, _field_value(nv, fv) * 0.001, "nvml field value"))
                    got.add(key)
        except Exception as exc:
            absent.append(Absent("power_w.input", f"NVML field values: {exc}"))
        if "power_w.average" not in got:
            try:
                readings.append(Reading("power_w.average", nv.nvmlDeviceGetPowerUsage(h) * 0.001, "nvml"))
            except Exception as exc:
                absent.append(Absent("power_w.average", f"NVML: {exc}"))

    @staticmethod
    def _clients(nv: Any, h: Any, pci_address: str) -> tuple[GpuClient, ...]:
        seen: dict[int, GpuClient] = {}
        for fn in ("nvmlDeviceGetGraphicsRunningProcesses", "nvmlDeviceGetComputeRunningProcesses"):
            try:
                procs = getattr(nv, fn)(h)
            except Exception:
                continue
            for p in procs:
                used = getattr(p, "usedGpuMemory", None)
                mem = {"vram": int(used) // 1024} if isinstance(used, int) else {}
                seen.setdefault(int(p.pid), GpuClient(int(p.pid), "", pci_address, "nvidia", None, None, (), mem))
        return tuple(seen.values())


def _field_value(nv: Any, fv: Any) -> float:
    kind = int(fv.valueType)
    if kind == nv.NVML_VALUE_TYPE_DOUBLE:
        return float(fv.value.dVal)
    if kind == nv.NVML_VALUE_TYPE_UNSIGNED_INT:
        return float(fv.value.uiVal)
    if kind in (nv.NVML_VALUE_TYPE_UNSIGNED_LONG, nv.NVML_VALUE_TYPE_UNSIGNED_LONG_LONG):
        return float(fv.value.ullVal)
    return float(fv.value.siVal)


def _import_pynvml() -> ModuleType:
    import pynvml  # type: ignore[import-untyped]

    module: ModuleType = pynvml
    return module


# --- the fallback: nvidia-smi ------------------------------------------------------------------------

# (query field, reading key, scale): fields every nvidia-smi since R418 knows.
SMI_FIELDS = (
    ("utilization.gpu", "busy_percent.gfx", 1.0),
    ("utilization.memory", "busy_percent.mem", 1.0),
    ("power.draw", "power_w.average", 1.0),
    ("power.limit", "power_w.cap", 1.0),
    ("temperature.gpu", "temperature_c.gpu", 1.0),
    ("clocks.gr", "clock_mhz.gfx", 1.0),
    ("clocks.sm", "clock_mhz.sm", 1.0),
    ("clocks.mem", "clock_mhz.mem", 1.0),
    ("memory.used", "memory_mib.vram_used", 1.0),
    ("memory.total", "memory_mib.vram_total", 1.0),
    ("fan.speed", "fan_pwm_percent", 1.0),
)

Runner = Callable[[Sequence[str]], str]


def smi_argv(exe: str) -> list[str]:
    fields = ",".join(["pci.bus_id", *(f for f, _, _ in SMI_FIELDS)])
    return [exe, f"--query-gpu={fields}", "--format=csv,noheader,nounits"]


def _run(argv: Sequence[str]) -> str:
    proc = subprocess.run(
        list(argv), capture_output=True, text=True, timeout=10, check=False, env={**os.environ, "LC_ALL": "C"}
    )
    if proc.returncode != 0:
        last = ((proc.stderr or proc.stdout).strip().splitlines() or [""])[-1]
        raise OSError(f"exit status {proc.returncode}: {last}".rstrip(": "))
    return proc.stdout


def _slot(bus_id: str) -> str:
    domain, _, rest = bus_id.strip().lower().partition(":")
    try:
        return f"{int(domain, 16):04x}:{rest}" if rest else bus_id.strip().lower()
    except ValueError:
        return bus_id.strip().lower()


def read_nvidia_smi(
    pci_addresses: Sequence[str], exe: str | None = None, run: Runner = _run
) -> dict[str, NvidiaRead | str]:
    """One nvidia-smi run for every GPU asked; a GPU maps to its reading, or to why there is none."""
    exe = exe or shutil.which("nvidia-smi")
    if exe is None:
        return dict.fromkeys(pci_addresses, "NVML cannot load and nvidia-smi is not installed")
    try:
        text = run(smi_argv(exe))
    except (OSError, subprocess.SubprocessError) as exc:
        return dict.fromkeys(pci_addresses, f"nvidia-smi failed: {exc}")
    rows: dict[str, list[str]] = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.split(",")]
        if len(cells) == len(SMI_FIELDS) + 1 and ":" in cells[0]:
            rows[_slot(cells[0])] = cells[1:]
    out: dict[str, NvidiaRead | str] = {}
    for addr in pci_addresses:
        row = rows.get(addr.lower())
        if row is None:
            out[addr] = f"nvidia-smi does not list {addr}"
            continue
        readings, absent = [], []
        for (field, key, scale), cell in zip(SMI_FIELDS, row, strict=True):
            try:
                readings.append(Reading(key, float(cell) * scale, "nvidia-smi"))
            except ValueError:
                # "[N/A]", "[Not Supported]": GPUs without that sensor, MIG partitions.
                absent.append(Absent(key, f"nvidia-smi {field}: {cell}"))
        out[addr] = NvidiaRead(tuple(readings), tuple(absent), (), (), "nvidia-smi")
    return out
