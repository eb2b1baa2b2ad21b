"""Reading every GPU: runtime PM first, then its own counters while it is awake; clients from fdinfo and NVML."""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from hwinspector.probes.gpu.amdgpu import METRICS_CACHE, MetricsCache, read_amdgpu
from hwinspector.probes.gpu.cards import GpuDevice, list_gpu_devices
from hwinspector.probes.gpu.derive import derive
from hwinspector.probes.gpu.fdinfo import ClientSample, clients, read_client_samples
from hwinspector.probes.gpu.hwmon import read_gpu_hwmon
from hwinspector.probes.gpu.intel import read_intel
from hwinspector.probes.gpu.model import Absent, Gpu, GpuClient, GpuReport, Reading, RuntimePm, merge
from hwinspector.probes.gpu.nvml import NvidiaRead, Nvml, read_nvidia_smi
from hwinspector.probes.gpu.runtime import Asleep, GuardedReader, SleepTracker, read_runtime_pm

# Two looks this far apart give busy %, residency shares and power from energy in one command.
DEFAULT_INTERVAL_S = 0.25


@dataclass(slots=True)
class GpuReader:
    """Reads GPUs again and again (the CLI twice, the panel and the exporter on a timer), keeping what
    a rate needs from the last look, the sleep tracker, and NVML open only while NVIDIA GPUs are awake."""

    sysfs: Path = Path("/sys")
    procfs: Path = Path("/proc")
    nvml: Nvml = field(default_factory=Nvml)
    nvidia_smi: str | None = None
    cache: MetricsCache = METRICS_CACHE
    tracker: SleepTracker = field(default_factory=SleepTracker)
    clock: Callable[[], float] = time.monotonic
    _last: dict[str, tuple[float, Gpu]] = field(default_factory=dict)
    _samples: list[ClientSample] = field(default_factory=list)

    def read(self) -> GpuReport:
        devices = list_gpu_devices(self.sysfs)
        # Keyed by card: captured trees of two machines may share a PCI address.
        runtimes = {d.card: self.tracker.observe(d.card, read_runtime_pm(d.device_dir)) for d in devices}
        nvidia = [d for d in devices if d.driver == "nvidia"]
        notes: list[str] = []
        nvidia_reads = self._nvidia(nvidia, runtimes, notes)
        gpus: list[Gpu] = []
        now = self.clock()
        for dev in devices:
            g = read_gpu(dev, runtimes[dev.card], self.cache, nvidia_reads.get(dev.pci_address))
            last = self._last.get(dev.card)
            g = derive(last[1] if last else None, g, now - last[0] if last else 0.0)
            self._last[dev.card] = (now, g)
            gpus.append(g)
        awake_nodes = _awake_nodes(devices, gpus)
        samples = read_client_samples(self.procfs, lambda node: node in awake_nodes)
        pci_of_node = {n: d.pci_address for d in devices for n in (d.card, d.render_node) if n}
        found = list(clients(self._samples, samples, pci_of_node))
        self._samples = samples
        for read in nvidia_reads.values():
            if isinstance(read, NvidiaRead):
                found += [_named(c, self.procfs) for c in read.clients]
        if not devices:
            notes.append(f"no GPU: {self.sysfs / 'class' / 'drm'} lists no card with a device")
        return GpuReport(tuple(gpus), tuple(found), tuple(notes))

    def close(self) -> None:
        self.nvml.close()

    def _nvidia(
        self, nvidia: Sequence[GpuDevice], runtimes: Mapping[str, RuntimePm], notes: list[str]
    ) -> dict[str, NvidiaRead | str]:
        if not nvidia:
            self.nvml.close()
            return {}
        awake = [d for d in nvidia if not runtimes[d.card].asleep]
        if len(awake) < len(nvidia):
            # nvmlInit opens every NVIDIA GPU: with one asleep, NVML stays closed (and is closed now).
            self.nvml.close()
            if not awake:
                return {}
            return {
                d.pci_address: "NVML not opened: another NVIDIA GPU is asleep and NVML would wake it" for d in awake
            }
        if self.nvml.open():
            out: dict[str, NvidiaRead | str] = {}
            for d in awake:
                try:
                    out[d.pci_address] = self.nvml.read(d.pci_address)
                except Exception as exc:
                    out[d.pci_address] = f"NVML: {exc}"
            return out
        notes.append(f"{self.nvml.error}; NVIDIA readings come from nvidia-smi")
        return dict(read_nvidia_smi([d.pci_address for d in awake], self.nvidia_smi))


def _awake_nodes(devices: Sequence[GpuDevice], gpus: Sequence[Gpu]) -> set[str]:
    out: set[str] = set()
    for d, g in zip(devices, gpus, strict=True):
        if not g.asleep:
            out.update(n for n in (d.card, d.render_node) if n)
    return out


def _named(c: GpuClient, procfs: Path) -> GpuClient:
    try:
        with open(procfs / str(c.pid) / "comm", encoding="utf-8", errors="replace") as f:
            return replace(c, command=f.read().strip())
    except OSError:
        return c


def read_gpu(
    dev: GpuDevice,
    runtime: RuntimePm | None = None,
    cache: MetricsCache = METRICS_CACHE,
    nvidia: NvidiaRead | str | None = None,
) -> Gpu:
    """One GPU: runtime PM first; while it sleeps nothing else is read (and EPERM/EBUSY means it sleeps)."""
    guard = GuardedReader(dev.device_dir, runtime)
    base = Gpu(
        pci_address=dev.pci_address,
        driver=dev.driver,
        card=dev.card,
        render_node=dev.render_node,
        vendor_id=dev.vendor_id,
        device_id=dev.device_id,
        runtime=guard.runtime,
    )
    if guard.asleep:
        return replace(base, notes=(f"asleep ({guard.runtime.status}): nothing read, to keep it asleep",))
    readings: list[Reading] = []
    absent: list[Absent] = []
    level: str | None = None
    reasons: tuple[str, ...] = ()
    revision: str | None = None
    notes: list[str] = []
    try:
        if dev.driver == "amdgpu":
            a = read_amdgpu(guard, cache)
            readings, absent, level, reasons = list(a.readings), list(a.absent), a.performance_level, a.throttle_reasons
            revision = a.metrics.name if a.metrics else None
        elif dev.driver in ("i915", "xe"):
            i = read_intel(dev, guard)
            readings, absent, reasons = list(i.readings), list(i.absent), i.throttle_reasons
        elif dev.driver == "nvidia":
            if isinstance(nvidia, NvidiaRead):
                readings, absent, reasons = list(nvidia.readings), list(nvidia.absent), nvidia.throttle_reasons
            elif isinstance(nvidia, str):
                notes.append(nvidia)
        else:
            readings, absent = read_gpu_hwmon(guard)  # nouveau, radeon, …: whatever hwmon the driver has
    except Asleep:
        return replace(
            base,
            runtime=guard.runtime,
            notes=(f"asleep: a read answered {guard.woke_error}; nothing more read",),
        )
    r, a_ = merge(readings, absent)
    return replace(
        base,
        readings=r,
        absent=a_,
        performance_level=level,
        throttle_reasons=reasons,
        metrics_revision=revision,
        notes=tuple(notes),
    )


def read_gpu_report(
    sysfs: Path = Path("/sys"),
    procfs: Path = Path("/proc"),
    interval_s: float = DEFAULT_INTERVAL_S,
    reader: GpuReader | None = None,
) -> GpuReport:
    """Two looks ``interval_s`` apart (busy % per client, residency shares, power from energy), NVML closed after."""
    r = reader or GpuReader(sysfs, procfs)
    try:
        if interval_s <= 0:
            return r.read()  # one look: no rates
        r.read()
        time.sleep(interval_s)
        return r.read()
    finally:
        if reader is None:
            r.close()


def gpu_device_dirs(sysfs: Path = Path("/sys")) -> list[str]:
    """Real paths of every GPU's device folder, for bundles that copy the raw attributes."""
    return [os.path.realpath(d.device_dir) for d in list_gpu_devices(sysfs)]
