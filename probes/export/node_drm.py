"""node_exporter's drm collector under its own names (node_drm_*), read without waking a sleeping GPU.

node_exporter (collector/drm_linux.go, through procfs' ClassDRMCardAMDGPUStats) reports every amdgpu card:
``node_drm_card_info{card,memory_vendor,power_performance_level,unique_id,vendor="amd"} 1``,
``node_drm_gpu_busy_percent{card}``, ``node_drm_memory_{gtt,vis_vram,vram}_{size,used}_bytes{card}``.
Newer node_exporters add a ``chip`` label to card_info where the device names one; Debian's 1.5.0, the
oracle here, has none, and neither do we. Deliberate differences: power/runtime_status is read first and a
card that is not awake (or answers EPERM/EBUSY) gives no node_drm_* series at all (hwinspector_gpu_asleep
says so) where node_exporter reads, and so wakes, it; an attribute the card lacks has no sample where
node_exporter gives 0; and a card of another driver gives nothing where node_exporter 1.5.0 lists it as an
"amd" card of zeros (its procfs keeps the card after finding DRIVER= is not amdgpu).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from hwinspector.probes.export.node import Families
from hwinspector.probes.gpu.runtime import Asleep, GuardedReader
from hwinspector.probes.sysfs_attr import optional_text, parse_int

_CARD = ("card",)
_INFO = ("card", "memory_vendor", "power_performance_level", "unique_id", "vendor")
_GTT = "the graphics translation table (GTT) block in bytes."
# (attribute, metric, help) in node_exporter's order
_BYTES = (
    ("mem_info_gtt_total", "node_drm_memory_gtt_size_bytes", f"The size of {_GTT}"),
    ("mem_info_gtt_used", "node_drm_memory_gtt_used_bytes", f"The used amount of {_GTT}"),
    ("mem_info_vram_total", "node_drm_memory_vram_size_bytes", "The size of VRAM in bytes."),
    ("mem_info_vram_used", "node_drm_memory_vram_used_bytes", "The used amount of VRAM in bytes."),
    ("mem_info_vis_vram_total", "node_drm_memory_vis_vram_size_bytes", "The size of visible VRAM in bytes."),
    ("mem_info_vis_vram_used", "node_drm_memory_vis_vram_used_bytes", "The used amount of visible VRAM in bytes."),
)  # fmt: skip


def _amdgpu_cards(sysfs: Path) -> list[tuple[str, Path]]:
    drm = sysfs / "class" / "drm"
    try:
        names = sorted((n for n in os.listdir(drm) if re.fullmatch(r"card\d+", n)), key=lambda n: int(n[4:]))
    except OSError:
        return []  # no DRM at all (a server, a VM): nothing, as node_exporter's collector gives nothing
    out = []
    for name in names:
        device = drm / name / "device"
        # the device's uevent (as node_exporter looks for DRIVER=amdgpu): the bus's, not the driver's
        uevent = optional_text(device / "uevent") or ""
        if "DRIVER=amdgpu" in uevent.splitlines():
            out.append((name, device))
    return out


def drm(out: Families, sysfs: Path) -> None:
    for name, device in _amdgpu_cards(sysfs):
        guard = GuardedReader(device)
        if guard.asleep:
            continue
        try:
            _card(out, name, device, guard)
        except Asleep:
            continue  # EPERM/EBUSY half-way: what was added stays, nothing more is read


def _text(guard: GuardedReader, path: Path) -> str:
    attr = guard.text(path)
    return attr.text.strip() if attr.text is not None else ""


def _card(out: Families, name: str, device: Path, guard: GuardedReader) -> None:
    info = [
        name,
        _text(guard, device / "mem_info_vram_vendor"),
        _text(guard, device / "power_dpm_force_performance_level"),
        _text(guard, device / "unique_id"),
        "amd",
    ]
    out.gauge("node_drm_card_info", "Card information", _INFO, info, 1.0)
    busy = parse_int(_text(guard, device / "gpu_busy_percent"))
    if busy is not None:
        out.gauge("node_drm_gpu_busy_percent", "How busy the GPU is as a percentage.", _CARD, [name], float(busy))
    for attr, metric, doc in _BYTES:
        value = parse_int(_text(guard, device / attr))
        if value is not None:
            out.gauge(metric, doc, _CARD, [name], float(value))
