"""A bundle's raw GPU files: each GPU's attributes and gpu_metrics, nothing of a sleeping GPU but its runtime PM."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from hwinspector.probes.errors import ProbeUnavailable
from hwinspector.report.raw_collectors import BINARY, RawSpec


def gpu_specs(sysfs: Path) -> list[RawSpec]:
    """Each GPU's attributes and gpu_metrics as the driver gives them; a sleeping GPU's runtime PM files only."""
    from hwinspector.probes.gpu.cards import list_gpu_devices
    from hwinspector.probes.gpu.raw import raw_gpu_metrics, raw_gpu_text

    out = []
    for dev in list_gpu_devices(sysfs):
        out.append(
            RawSpec(
                f"raw/gpu/{dev.card}.txt",
                "gpu",
                f"GPU attributes of {dev.card}",
                read=partial(raw_gpu_text, dev),
                probe=f"{dev.device_dir}/{{power/runtime_*,pp_dpm_*,mem_info_*,hwmon/*}} (none while asleep)",
            )
        )
        if (dev.device_dir / "gpu_metrics").exists():

            def metrics(dev: Any = dev) -> bytes:
                blob = raw_gpu_metrics(dev)
                if blob is None:
                    raise ProbeUnavailable(f"{dev.card} is asleep or has no readable gpu_metrics: not read")
                return blob

            out.append(
                RawSpec(
                    f"raw/gpu/{dev.card}.gpu_metrics.bin",
                    "gpu",
                    f"gpu_metrics of {dev.card}",
                    read=metrics,
                    probe=f"{dev.device_dir}/gpu_metrics",
                    media_type=BINARY,
                    privacy="binary",
                )
            )
    return out
