"""amdgpu: gpu_metrics (at most 100 reads a second), hwmon, pp_dpm_* current levels, busy percentages and memory."""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from hwinspector.probes.errors import InputFormatError
from hwinspector.probes.gpu.hwmon import read_gpu_hwmon
from hwinspector.probes.gpu.metrics import DecodedMetrics, decode
from hwinspector.probes.gpu.model import Absent, Reading
from hwinspector.probes.gpu.runtime import GuardedReader
from hwinspector.probes.sysfs_attr import errno_name, parse_int

# Each uncached gpu_metrics read is a round trip to the SMU firmware (smu_cmn_get_metrics_table refreshes
# a table older than 1 ms): never more than 100 reads a second per GPU, whoever asks.
METRICS_MIN_INTERVAL_S = 0.01

# pp_dpm_<clk>: the clock domain each file names.
DPM_DOMAINS = (
    ("sclk", "gfx"),
    ("mclk", "mem"),
    ("socclk", "soc"),
    ("fclk", "fclk"),
    ("vclk", "vclk"),
    ("dclk", "dclk"),
)
_DPM_LINE = re.compile(r"^\s*\w+:\s*(\d+)\s*[Mm][Hh]z.*\*\s*$")

_SIMPLE = (
    ("gpu_busy_percent", "busy_percent.gfx", 1.0),
    ("mem_busy_percent", "busy_percent.mem", 1.0),  # dGPUs only
    ("vcn_busy_percent", "busy_percent.media", 1.0),  # Linux 6.12+
    ("mem_info_vram_used", "memory_mib.vram_used", 1.0 / (1 << 20)),
    ("mem_info_vram_total", "memory_mib.vram_total", 1.0 / (1 << 20)),
    ("mem_info_vis_vram_used", "memory_mib.vis_vram_used", 1.0 / (1 << 20)),
    ("mem_info_gtt_used", "memory_mib.gtt_used", 1.0 / (1 << 20)),
    ("mem_info_gtt_total", "memory_mib.gtt_total", 1.0 / (1 << 20)),
)


@dataclass(slots=True)
class _Cached:
    at_s: float
    blob: bytes


class MetricsCache:
    """gpu_metrics blobs by file, read again only when the last read is older than 10 ms."""

    def __init__(self, clock: Callable[[], float] = time.monotonic, min_interval_s: float = METRICS_MIN_INTERVAL_S):
        self._clock = clock
        self._min = min_interval_s
        self._blobs: dict[str, _Cached] = {}
        self._lock = threading.Lock()
        self.reads = 0  # firmware round trips made (tests and the benchmark count them)

    def read(self, guard: GuardedReader, path: os.PathLike[str]) -> bytes:
        key = os.fspath(path)
        with self._lock:
            now = self._clock()
            hit = self._blobs.get(key)
            if hit is not None and now - hit.at_s < self._min:
                return hit.blob
            blob = guard.blob(path)  # type: ignore[arg-type]
            self.reads += 1
            self._blobs[key] = _Cached(now, blob)
            return blob


METRICS_CACHE = MetricsCache()


def dpm_current_mhz(text: str) -> int | None:
    """The level marked '*' in a pp_dpm_* table ("1: 456Mhz *"); None when no line is marked."""
    for line in text.splitlines():
        m = _DPM_LINE.match(line)
        if m:
            return int(m.group(1))
    return None


@dataclass(frozen=True, slots=True)
class AmdgpuRead:
    readings: tuple[Reading, ...]
    absent: tuple[Absent, ...]
    performance_level: str | None
    throttle_reasons: tuple[str, ...]
    metrics: DecodedMetrics | None


def read_amdgpu(guard: GuardedReader, cache: MetricsCache = METRICS_CACHE) -> AmdgpuRead:
    """Everything amdgpu tells without root, best source first: gpu_metrics, then hwmon, then sysfs.
    Raises Asleep (from the guard) as soon as the GPU turns out to be asleep."""
    d = guard.device_dir
    readings: list[Reading] = []
    absent: list[Absent] = []
    decoded: DecodedMetrics | None = None
    try:
        decoded = decode(cache.read(guard, d / "gpu_metrics"), "gpu_metrics")
        readings += decoded.readings
    except OSError as exc:
        if exc.errno != 2:  # ENOENT: older GPUs (before Navi/Renoir) have no gpu_metrics
            absent.append(Absent("busy_percent.gfx", f"gpu_metrics: {errno_name(exc)}"))
    except InputFormatError as exc:
        absent.append(Absent("busy_percent.gfx", f"gpu_metrics: {exc.reason}"))
    hw_readings, hw_absent = read_gpu_hwmon(guard)
    readings += hw_readings
    absent += hw_absent
    for attr, key, scale in _SIMPLE:
        a = guard.text(d / attr)
        if a.text is None:
            if a.error != "ENOENT":
                absent.append(Absent(key, f"{attr}: {a.error}"))
            continue
        v = parse_int(a.text)
        if v is None:
            absent.append(Absent(key, f"{attr}: garbage"))
        else:
            readings.append(Reading(key, v * scale, attr))
    for clk, dom in DPM_DOMAINS:
        a = guard.text(d / f"pp_dpm_{clk}")
        if a.text is None:
            continue
        mhz = dpm_current_mhz(a.text)
        if mhz is not None:
            readings.append(Reading(f"clock_mhz.{dom}", float(mhz), f"pp_dpm_{clk}"))
    level = guard.text(d / "power_dpm_force_performance_level").text
    return AmdgpuRead(
        tuple(readings),
        tuple(absent),
        level,
        decoded.throttle_reasons if decoded else (),
        decoded,
    )
