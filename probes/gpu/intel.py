"""Intel i915 and xe without root: GT frequencies (rps_* or freq0/*), RC6/gtidle residency, throttling, hwmon."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from hwinspector.probes.gpu.cards import GpuDevice
from hwinspector.probes.gpu.hwmon import read_gpu_hwmon
from hwinspector.probes.gpu.model import Absent, Reading
from hwinspector.probes.gpu.runtime import GuardedReader
from hwinspector.probes.sysfs_attr import parse_int

# i915 gt/gtN/rps_*_freq_mhz (Linux 6.0+; the card-level gt_*_freq_mhz are gt0's): what each names.
I915_FREQS = (
    ("act", "actual"),
    ("cur", "requested"),
    ("min", "min"),
    ("max", "max"),
    ("boost", "boost"),
    ("RP0", "rp0"),
    ("RP1", "rp1"),
    ("RPn", "rpn"),
)
# xe tileN/gtN/freq0/*_freq (Documentation/ABI/testing/sysfs-driver-intel-xe-... and xe_gt_freq.c).
XE_FREQS = (
    ("act_freq", "actual"),
    ("cur_freq", "requested"),
    ("min_freq", "min"),
    ("max_freq", "max"),
    ("rp0_freq", "rp0"),
    ("rpe_freq", "rpe"),
    ("rpn_freq", "rpn"),
)
_GT = re.compile(r"^gt\d+$")
_TILE = re.compile(r"^tile\d+$")


@dataclass(frozen=True, slots=True)
class IntelRead:
    readings: tuple[Reading, ...]
    absent: tuple[Absent, ...]
    throttle_reasons: tuple[str, ...]


def _ls(d: Path, pattern: re.Pattern[str]) -> list[str]:
    try:
        return sorted((n for n in os.listdir(d) if pattern.match(n)), key=lambda n: int(re.sub(r"\D", "", n) or 0))
    except OSError:
        return []


def _gts(dev: GpuDevice) -> Iterator[tuple[str, Path, str]]:
    """(gt name for keys, folder, layout) for every GT: i915's card/gt/gtN or xe's device/tileN/gtN."""
    if dev.driver == "xe":
        for tile in _ls(dev.device_dir, _TILE):
            for gt in _ls(dev.device_dir / tile, _GT):
                # xe numbers GTs across tiles (tile1/gt2): the GT name alone is unique.
                yield gt, dev.device_dir / tile / gt, "xe"
        return
    gts = _ls(dev.card_dir / "gt", _GT)
    if gts:
        for gt in gts:
            yield gt, dev.card_dir / "gt" / gt, "i915"
    else:
        yield "gt0", dev.card_dir, "i915-card"


def read_intel(dev: GpuDevice, guard: GuardedReader) -> IntelRead:
    readings: list[Reading] = []
    absent: list[Absent] = []
    reasons: list[str] = []

    def number(key: str, path: Path, rel: str) -> None:
        a = guard.text(path)
        if a.text is None:
            if a.error != "ENOENT":
                absent.append(Absent(key, f"{rel}: {a.error}"))
            return
        v = parse_int(a.text)
        if v is None:
            absent.append(Absent(key, f"{rel}: garbage"))
        else:
            readings.append(Reading(key, float(v), rel))

    for gt, folder, layout in _gts(dev):
        if layout == "xe":
            for attr, what in XE_FREQS:
                number(f"clock_mhz.{gt}_{what}", folder / "freq0" / attr, f"{folder.parent.name}/{gt}/freq0/{attr}")
            number(f"residency_ms.{gt}_rc6", folder / "gtidle" / "idle_residency_ms", f"{gt}/gtidle/idle_residency_ms")
            reasons += _throttle(guard, folder / "freq0" / "throttle", "reason_", gt)
        elif layout == "i915":
            for attr, what in I915_FREQS:
                number(f"clock_mhz.{gt}_{what}", folder / f"rps_{attr}_freq_mhz", f"gt/{gt}/rps_{attr}_freq_mhz")
            number(f"residency_ms.{gt}_rc6", folder / "rc6_residency_ms", f"gt/{gt}/rc6_residency_ms")
            reasons += _throttle(guard, folder, "throttle_reason_", gt)
        else:
            # Before Linux 6.0: gt0 only, at card level, RC6 under the card's power/ folder.
            for attr, what in I915_FREQS:
                number(f"clock_mhz.{gt}_{what}", folder / f"gt_{attr}_freq_mhz", f"gt_{attr}_freq_mhz")
            number(f"residency_ms.{gt}_rc6", folder / "power" / "rc6_residency_ms", "power/rc6_residency_ms")
    hw_r, hw_a = read_gpu_hwmon(guard)
    return IntelRead(tuple(readings + hw_r), tuple(absent + hw_a), tuple(reasons))


def _throttle(guard: GuardedReader, folder: Path, prefix: str, gt: str) -> list[str]:
    """Names of the throttle_reason_* / throttle/reason_* files that read 1 (the status file is their OR)."""
    try:
        names = sorted(n for n in os.listdir(folder) if n.startswith(prefix) and n != f"{prefix}status")
    except OSError:
        return []
    out = []
    for name in names:
        a = guard.text(folder / name)
        if a.text is not None and parse_int(a.text) == 1:
            out.append(f"{gt}:{name[len(prefix) :]}")
    return out
