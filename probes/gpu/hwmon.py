"""A GPU's own hwmon folders (amdgpu, i915, xe, nouveau): temperatures by label, power, energy, fan, volts."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

from hwinspector.probes.gpu.cards import hwmon_dirs
from hwinspector.probes.gpu.model import Absent, Reading
from hwinspector.probes.gpu.runtime import GuardedReader
from hwinspector.probes.sysfs_attr import parse_int

_ATTR = re.compile(r"^(temp|power|energy|fan|pwm|in|curr|freq)(\d+)_?(input|average|cap|max|label)?$")
# amdgpu's in*_label (amdgpu_pm.c): vddgfx, vddnb (northbridge, on APUs), vddboard; xe/i915 say "in0" for vram.
_VOLTAGE_DOMAINS = {"vddgfx": "gfx", "vddnb": "northbridge", "vddboard": "board", "vddsoc": "soc", "vddmem": "mem"}
# amdgpu's freq*_label: sclk (gfx) and mclk (memory).
_FREQ_DOMAINS = {"sclk": "gfx", "mclk": "mem"}


def _domain(label: str | None, fallback: str) -> str:
    if not label:
        return fallback
    return re.sub(r"[^a-z0-9]+", "_", label.strip().lower()).strip("_") or fallback


def _names(d: Path) -> list[str]:
    try:
        return sorted(os.listdir(d))
    except OSError:
        return []


def read_gpu_hwmon(guard: GuardedReader) -> tuple[list[Reading], list[Absent]]:
    """Every reading of the device's hwmon folders; raises Asleep (the caller stops) when the GPU sleeps."""
    readings: list[Reading] = []
    absent: list[Absent] = []
    for key, path in hwmon_plan(guard):
        attr = guard.text(path)
        rel = f"hwmon/{path.parent.name}/{path.name}"
        if attr.text is None:
            absent.append(Absent(key, f"{rel}: {attr.error}"))
            continue
        value = parse_int(attr.text)
        if value is None:
            absent.append(Absent(key, f"{rel}: garbage {attr.text[:20]!r}"))
            continue
        readings.append(Reading(key, value * _scale(key, path.name), rel))
    return readings, absent


def hwmon_plan(guard: GuardedReader) -> list[tuple[str, Path]]:
    """(reading key, value file) of every hwmon value of the GPU; raises Asleep."""
    out: list[tuple[str, Path]] = []
    for hw in hwmon_dirs(guard.device_dir):
        out += _plan(guard, hw, set(_names(hw)))
    return out


def _scale(key: str, name: str) -> float:
    if name.startswith("temp"):
        return 0.001  # m°C
    if name.startswith(("power", "energy")):
        return 1e-6  # µW, µJ
    if name.startswith("freq"):
        return 1e-6  # Hz
    if name.startswith("pwm"):
        return 100.0 / 255.0  # 0..255 duty cycle
    return 1.0  # fan rpm, in mV, curr mA


def _plan(guard: GuardedReader, hw: Path, names: set[str]) -> Iterator[tuple[str, Path]]:
    """(key, file) for each value file; labels are read first to name the domain."""

    def label(kind: str, n: str) -> str | None:
        if f"{kind}{n}_label" not in names:
            return None
        return guard.text(hw / f"{kind}{n}_label").text

    for name in sorted(names):
        m = _ATTR.match(name)
        if m is None or m.group(3) == "label":
            continue
        kind, n, what = m.group(1), m.group(2), m.group(3)
        if kind == "temp" and what == "input":
            yield f"temperature_c.{_domain(label('temp', n), f'temp{n}')}", hw / name
        elif kind == "fan" and what == "input":
            yield ("fan_rpm" if n == "1" else f"fan_rpm.fan{n}"), hw / name
        elif kind == "pwm" and what is None:
            yield ("fan_pwm_percent" if n == "1" else f"fan_pwm_percent.fan{n}"), hw / name
        elif kind == "in" and what == "input":
            lab = label("in", n)
            yield f"voltage_mv.{_VOLTAGE_DOMAINS.get(lab or '', _domain(lab, f'in{n}'))}", hw / name
        elif kind == "curr" and what == "input":
            yield f"current_ma.{_domain(label('curr', n), f'curr{n}')}", hw / name
        elif kind == "freq" and what == "input":
            lab = label("freq", n)
            yield f"clock_mhz.{_FREQ_DOMAINS.get(lab or '', _domain(lab, f'freq{n}'))}", hw / name
        elif kind == "power" and what in ("average", "input", "cap", "max"):
            # power1 is the board or package (amdgpu "PPT", i915); others go by their label (xe "card",
            # "pkg"). i915 and xe call their sustained limit (PL1) powerN_max, amdgpu power1_cap.
            what = "cap" if what == "max" else what
            dom = what if n == "1" else f"{_domain(label('power', n), f'power{n}')}_{what}"
            yield f"power_w.{dom}", hw / name
        elif kind == "energy" and what == "input":
            dom = "total" if n == "1" else _domain(label("energy", n), f"energy{n}")
            yield f"energy_j.{dom}", hw / name
