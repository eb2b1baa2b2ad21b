"""Thermal zones (with trip points) and cooling devices from /sys/class/thermal."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from hwinspector.i18n import N_
from hwinspector.probes.errors import ProbeUnavailable
from hwinspector.probes.sysfs_attr import devpath_of, read_attr, read_int

_TRIP_RE = re.compile(r"^trip_point_(\d+)_(type|temp|hyst)$")


@dataclass(frozen=True, slots=True)
class TripPoint:
    """A temperature at which the zone's governor acts (Documentation/driver-api/thermal/sysfs-api.rst)."""

    index: int
    type: str | None  # critical, hot, passive, active
    temp_celsius: float | None
    hysteresis_celsius: float | None
    error: str | None = None  # failure reading the trip temperature


@dataclass(frozen=True, slots=True)
class ThermalZone:
    id: str  # "thermal_zone0"
    type: str | None  # "acpitz", "x86_pkg_temp", "pch_skylake", "iwlwifi_1"
    temp_celsius: float | None
    error: str | None  # e.g. ENODATA while the sensor is off (iwlwifi with the radio down)
    policy: str | None  # governor: step_wise, user_space, power_allocator, fair_share, bang_bang
    available_policies: tuple[str, ...]
    mode: str | None  # "enabled" / "disabled"
    trips: tuple[TripPoint, ...]
    path: str
    device: str | None  # devpath behind the ``device`` link (the ACPI thermal zone for acpitz)
    errors: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CoolingDevice:
    id: str  # "cooling_device0"
    type: str | None  # "Processor", "intel_powerclamp", "Fan", "TCC Offset"
    cur_state: int | None  # intel_powerclamp reads -1 while it injects no idle time
    max_state: int | None
    error: str | None
    path: str


def _list_class(sysfs: Path, prefix: str) -> list[Path]:
    root = sysfs / "class" / "thermal"
    try:
        names = os.listdir(root)
    except FileNotFoundError:
        raise ProbeUnavailable(
            N_("{root} does not exist: this kernel has no thermal support").format(root=root)
        ) from None
    except OSError as exc:
        raise ProbeUnavailable(f"cannot list {root}: {exc.strerror}") from None
    chosen = [n for n in names if n.startswith(prefix) and n[len(prefix) :].isdigit()]
    return [root / n for n in sorted(chosen, key=lambda n: int(n[len(prefix) :]))]


def _celsius(path: Path) -> tuple[float | None, str | None]:
    attr = read_int(path)
    if attr.value is None:
        return None, attr.error
    return attr.value / 1000.0, None  # millidegrees Celsius


def list_thermal_zones(sysfs: Path = Path("/sys")) -> list[ThermalZone]:
    """Every thermal zone, in number order. Raises ProbeUnavailable when the class is absent."""
    zones = []
    for d in _list_class(sysfs, "thermal_zone"):
        zone = read_thermal_zone(d, sysfs)
        if zone is not None:
            zones.append(zone)
    return zones


def read_thermal_zone(d: Path, sysfs: Path = Path("/sys")) -> ThermalZone | None:
    if not d.is_dir():
        return None
    temp, error = _celsius(d / "temp")
    errors: list[str] = []
    trips = _read_trips(d, errors)
    policies = read_attr(d / "available_policies").text
    return ThermalZone(
        id=d.name,
        type=read_attr(d / "type").text,
        temp_celsius=temp,
        error=error,
        policy=read_attr(d / "policy").text,
        available_policies=tuple(policies.split()) if policies else (),
        mode=read_attr(d / "mode").text,
        trips=trips,
        path=str(d),
        device=devpath_of(d / "device", sysfs),
        errors=tuple(errors),
    )


def _read_trips(d: Path, errors: list[str]) -> tuple[TripPoint, ...]:
    try:
        names = os.listdir(d)
    except OSError:
        return ()
    indices = sorted({int(m.group(1)) for n in names if (m := _TRIP_RE.match(n))})
    trips = []
    for i in indices:
        base = d / f"trip_point_{i}"
        kind = read_attr(Path(f"{base}_type"))
        if kind.error not in (None, "ENOENT"):
            errors.append(f"trip_point_{i}_type: {kind.error}")
        temp, temp_error = _celsius(Path(f"{base}_temp"))
        hyst, hyst_error = _celsius(Path(f"{base}_hyst"))
        if hyst_error not in (None, "ENOENT"):
            errors.append(f"trip_point_{i}_hyst: {hyst_error}")
        trips.append(TripPoint(i, kind.text, temp, hyst, temp_error))
    return tuple(trips)


def list_cooling_devices(sysfs: Path = Path("/sys")) -> list[CoolingDevice]:
    """Every cooling device, in number order. Raises ProbeUnavailable when the class is absent."""
    devices = []
    for d in _list_class(sysfs, "cooling_device"):
        if not d.is_dir():
            continue
        cur = read_int(d / "cur_state")
        top = read_int(d / "max_state")
        failures = [f"{n}: {a.error}" for n, a in (("cur_state", cur), ("max_state", top)) if a.error]
        devices.append(
            CoolingDevice(
                id=d.name,
                type=read_attr(d / "type").text,
                cur_state=cur.value,
                max_state=top.value,
                error="; ".join(failures) or None,
                path=str(d),
            )
        )
    return devices
