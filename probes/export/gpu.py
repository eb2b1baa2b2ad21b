"""GPU metrics for the exporter: hwinspector_gpu_* families in base units (watts, hertz, volts, bytes, ratios)."""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from hwinspector.probes.gpu.model import GpuReport
from hwinspector.probes.gpu.units import split_key

# (quantity, unit of the key) -> (metric name, help, factor to base units, counter?)
FAMILIES: dict[tuple[str, str], tuple[str, str, float, bool]] = {
    ("temperature", "c"): ("hwinspector_gpu_temperature_celsius", "GPU temperature by the driver's label", 1.0, False),
    ("clock", "mhz"): ("hwinspector_gpu_clock_hertz", "GPU clock by domain", 1e6, False),
    ("voltage", "mv"): ("hwinspector_gpu_voltage_volts", "GPU voltage by domain", 1e-3, False),
    ("current", "ma"): ("hwinspector_gpu_current_amperes", "GPU current by domain", 1e-3, False),
    ("power", "w"): ("hwinspector_gpu_power_watts", "GPU power: average, input (instant), cap, per domain", 1.0, False),
    ("energy", "j"): ("hwinspector_gpu_energy_joules", "GPU energy counter", 1.0, True),
    ("busy", "percent"): ("hwinspector_gpu_busy_ratio", "Share of time the GPU (engine) was busy", 0.01, False),
    ("memory", "mib"): ("hwinspector_gpu_memory_bytes", "VRAM and GTT used and total", float(1 << 20), False),
    ("fan", "rpm"): ("hwinspector_gpu_fan_rpm", "GPU fan speed", 1.0, False),
    ("fan_pwm", "percent"): ("hwinspector_gpu_fan_pwm_ratio", "GPU fan duty cycle", 0.01, False),
    ("residency", "percent"): ("hwinspector_gpu_residency_ratio", "Share of time in a state (RC6, C0)", 0.01, False),
    ("residency", "ms"): ("hwinspector_gpu_residency_seconds", "Time in a state (RC6/gtidle)", 1e-3, True),
    ("link", "gts"): ("hwinspector_gpu_link_speed_gts", "PCIe link speed, GT/s", 1.0, False),
    ("link", "lanes"): ("hwinspector_gpu_link_width", "PCIe link width, lanes", 1.0, False),
}


def gpu_families(report: GpuReport) -> Iterator[Metric]:
    labels = ["pci_address", "driver", "domain"]
    info = GaugeMetricFamily(
        "hwinspector_gpu_info", "One per GPU", labels=["pci_address", "driver", "card", "render_node"]
    )
    asleep = GaugeMetricFamily(
        "hwinspector_gpu_asleep",
        "1 while the GPU is runtime-suspended: then nothing else of it is read (its other series are absent)",
        labels=["pci_address", "runtime_status"],
    )
    suspended = CounterMetricFamily(
        "hwinspector_gpu_runtime_suspended_seconds", "Time runtime-suspended, by the PM core", labels=["pci_address"]
    )
    fams: dict[str, GaugeMetricFamily | CounterMetricFamily] = {}
    for g in report.gpus:
        info.add_metric([g.pci_address, g.driver or "", g.card or "", g.render_node or ""], 1)
        asleep.add_metric([g.pci_address, g.runtime.status or ""], 1 if g.asleep else 0)
        if g.runtime.suspended_ms is not None:
            suspended.add_metric([g.pci_address], g.runtime.suspended_ms / 1000)
        for r in g.readings:
            quantity, unit, domain = split_key(r.key)
            spec = FAMILIES.get((quantity, unit))
            if spec is None:
                continue
            name, doc, factor, counter = spec
            fam = fams.get(name)
            if fam is None:
                fam = fams[name] = (
                    CounterMetricFamily(name, doc, labels=labels)
                    if counter
                    else GaugeMetricFamily(name, doc, labels=labels)
                )
            fam.add_metric([g.pci_address, g.driver or "", domain], r.value * factor)
    yield info
    yield asleep
    yield suspended
    yield from fams.values()
    busy = GaugeMetricFamily(
        "hwinspector_gpu_client_busy_ratio",
        "Busiest engine's share of time per DRM client (fdinfo) since the previous scrape",
        labels=["pci_address", "pid", "command", "engine"],
    )
    vram = GaugeMetricFamily(
        "hwinspector_gpu_client_memory_bytes",
        "Memory resident per DRM client and region (fdinfo, NVML)",
        labels=["pci_address", "pid", "command", "region"],
    )
    for c in report.clients:
        for e in c.engines:
            busy.add_metric([c.pci_address, str(c.pid), c.command, e.engine], e.busy_percent / 100)
        for region, kib in c.memory_kib.items():
            if not region.startswith(("total-", "shared-")):
                vram.add_metric([c.pci_address, str(c.pid), c.command, region], kib * 1024.0)
    yield busy
    yield vram
