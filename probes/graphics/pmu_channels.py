"""Telemetry channels from the Intel GPU PMUs: engine busy, GT frequency, RC6, interrupts and iGPU energy."""

from __future__ import annotations

from pathlib import Path

from hwinspector.i18n import N_, _
from hwinspector.probes.graphics.pmu import PMU_HZ, GpuCounter, list_gpu_counters
from hwinspector.probes.telemetry.channels import Channel, register_provider
from hwinspector.probes.telemetry.perf import perf_path, system_wide_refusal

PROVIDER = "intel-gpu-pmu"
# (what, holds forcewake) -> label; {gt} and {engine} come from the metric
_LABELS = {
    ("busy", False): N_("{driver} {device} {engine} busy (PMU)"),
    ("busy", True): N_("{driver} {device} {engine} busy (PMU, keeps the GT awake)"),
    ("act_freq", False): N_("{driver} {device} {gt} actual frequency (PMU)"),
    ("act_freq", True): N_("{driver} {device} {gt} actual frequency (PMU, keeps the GT awake)"),
    ("req_freq", False): N_("{driver} {device} {gt} requested frequency (PMU)"),
    ("req_freq", True): N_("{driver} {device} {gt} requested frequency (PMU, keeps the GT awake)"),
    ("rc6", False): N_("{driver} {device} {gt} RC6 (idle) residency (PMU)"),
    ("awake", False): N_("{driver} {device} {gt} awake (PMU)"),
    ("interrupts", False): N_("{driver} {device} interrupts (PMU)"),
    ("energy", False): N_("{driver} {device} integrated GPU power (RAPL PMU)"),
}
_ASLEEP = N_(
    "runtime-suspended at discovery: an open xe PMU counter holds a runtime-PM reference and would wake the GPU"
)


def _label(c: GpuCounter) -> str:
    parts = c.metric.split("/")
    what = "busy" if c.quantity == "busy" else parts[-1]
    template = _LABELS.get((what, c.forcewake)) or _LABELS[(what, False)]
    gt = parts[0] if parts[0].startswith("gt") else ""
    engine = parts[-2] if c.quantity == "busy" else ""
    if c.quantity == "busy" and gt:
        engine = f"{gt} {engine}"
    return _(template).format(driver=c.driver, device=c.device, gt=gt, engine=engine)


def intel_pmu_channels(sysfs: Path, procfs: Path = Path("/proc")) -> list[Channel]:
    """One channel per counter of list_gpu_counters; unreadable (with the reason) where this process may not
    open system-wide perf counters, or where opening one would wake a sleeping xe GPU."""
    refusal = system_wide_refusal(procfs)
    out = []
    for c in list_gpu_counters(sysfs):
        reason = refusal or (_(_ASLEEP) if c.wakes and c.suspended else None)
        out.append(
            Channel(
                id=c.id,
                label=_label(c),
                unit=c.unit,
                path=perf_path(c.counter),
                scale=c.scale,
                max_rate_hz=PMU_HZ,
                kind=c.kind,
                device=c.device,
                readable=reason is None,
                reason=reason,
                full_scale=c.full_scale,
                window_s=c.window_s,
            )
        )
    return out


def register() -> None:
    """Register the provider; calling it again replaces it."""
    register_provider(PROVIDER, intel_pmu_channels)


register()
