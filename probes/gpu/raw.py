"""A GPU's raw attributes for bundles, read under the same guard: a sleeping GPU gives its runtime PM files only."""

from __future__ import annotations

import os
from pathlib import Path

from hwinspector.probes.gpu.cards import GpuDevice, hwmon_dirs
from hwinspector.probes.gpu.runtime import Asleep, GuardedReader

# Device attributes worth having in a bug report, as the driver prints them.
DEVICE_ATTRS = (
    "gpu_busy_percent",
    "mem_busy_percent",
    "power_dpm_force_performance_level",
    "pp_dpm_sclk",
    "pp_dpm_mclk",
    "pp_dpm_socclk",
    "pp_dpm_fclk",
    "pp_dpm_vclk",
    "pp_dpm_dclk",
    "pp_dpm_pcie",
    "mem_info_vram_used",
    "mem_info_vram_total",
    "mem_info_gtt_used",
    "mem_info_gtt_total",
    "current_link_speed",
    "current_link_width",
)


def raw_gpu_text(dev: GpuDevice) -> bytes:
    """``path: value`` lines of the runtime PM files, then (while awake) the driver's attributes and hwmon."""
    lines = []
    for name in ("runtime_status", "runtime_active_time", "runtime_suspended_time", "control"):
        p = dev.device_dir / "power" / name
        try:
            with open(p, "rb", buffering=0) as f:  # PM core attributes: never the driver
                lines.append(f"power/{name}: {f.read(4096).decode('utf-8', 'replace').strip()}")
        except OSError as exc:
            lines.append(f"power/{name}: <{exc.strerror or exc}>")
    guard = GuardedReader(dev.device_dir)
    try:
        for name in DEVICE_ATTRS:
            a = guard.text(dev.device_dir / name)
            if a.error != "ENOENT":
                for part in (a.text or f"<{a.error}>").splitlines():
                    lines.append(f"{name}: {part}")
        for hw in hwmon_dirs(dev.device_dir):
            for name in sorted(os.listdir(hw)):
                p = hw / name
                if p.is_file() and not p.is_symlink() and name != "uevent":
                    a = guard.text(p)
                    lines.append(f"hwmon/{hw.name}/{name}: {a.text if a.text is not None else f'<{a.error}>'}")
    except Asleep:
        lines.append(f"# asleep ({guard.runtime.status}): the driver's attributes were not read, to keep it asleep")
    return ("\n".join(lines) + "\n").encode()


def raw_gpu_metrics(dev: GpuDevice) -> bytes | None:
    """The gpu_metrics blob while the GPU is awake; None when asleep or absent."""
    if not Path(dev.device_dir / "gpu_metrics").exists():
        return None
    guard = GuardedReader(dev.device_dir)
    try:
        return guard.blob(dev.device_dir / "gpu_metrics")
    except (Asleep, OSError):
        return None
