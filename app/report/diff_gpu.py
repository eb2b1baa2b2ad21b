"""Comparing two captures' GPU sections: settings, runtime PM, capacities, idle power and the readings offered."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hwinspector.probes.machine.sections import Section

# GPU figures worth comparing between two captures: settings and capacities, and the idle draw.
_GPU_VALUES = ("power_w.cap", "memory_mib.vram_total", "power_w.average", "clock_mhz.gt0_rp0", "clock_mhz.gt0_max")


def gpu_map(sections: Mapping[str, Section]) -> dict[str, str]:
    """Per GPU: driver, runtime PM, gpu_metrics revision, performance level, a few stable figures, and
    which readings the driver offers at all (a reading that vanishes after an update is a finding)."""
    out: dict[str, str] = {}
    sec = sections.get("gpu")
    data = sec.data if sec is not None and sec.available else None
    gpus = data.get("gpus") if isinstance(data, dict) else None
    for g in [x for x in gpus if isinstance(x, dict)] if isinstance(gpus, list) else []:
        gpu = str(g.get("pci_address"))
        out[f"{gpu} driver"] = str(g.get("driver"))
        rt_doc = g.get("runtime_pm")
        rt: dict[str, Any] = rt_doc if isinstance(rt_doc, dict) else {}
        out[f"{gpu} runtime PM"] = f"{rt.get('status')} (control {rt.get('control')})"
        if g.get("metrics_revision"):
            out[f"{gpu} gpu_metrics"] = str(g["metrics_revision"])
        if g.get("performance_level"):
            out[f"{gpu} performance level"] = str(g["performance_level"])
        readings_doc = g.get("readings")
        readings: dict[str, Any] = readings_doc if isinstance(readings_doc, dict) else {}
        for key in _GPU_VALUES:
            if isinstance(readings.get(key), int | float):
                out[f"{gpu} {key}"] = f"{readings[key]:.4g}"
        if not rt.get("asleep"):
            out[f"{gpu} readings offered"] = ", ".join(sorted(readings))
    return out
