"""Power supplies from /sys/class/power_supply: batteries, AC adapters, USB-C/UCSI sources."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from hwinspector.i18n import N_
from hwinspector.probes.errors import ProbeUnavailable
from hwinspector.probes.sysfs_attr import AttrInt, devpath_of, optional_text, read_attr, read_int

# Documentation/ABI/testing/sysfs-class-power: voltages in µV, currents in µA, power in µW,
# energy in µWh, charge in µAh. Dividing keeps 36580000 -> 36.58 exact.
_MICRO = 1e6
# A laptop battery delivering more than this is a firmware or parsing error, not a reading
# (the largest laptop chargers are 330 W).
_MAX_PLAUSIBLE_BATTERY_WATTS = 500.0

POWER_NOW = "power_now"
VOLTAGE_TIMES_CURRENT = "voltage_now * current_now"


@dataclass(frozen=True, slots=True)
class PowerSupply:
    """One entry of /sys/class/power_supply; every measurement is None where the driver has none."""

    name: str  # BAT0, BAT1, CMB1, AC, ADP1, ucsi-source-psy-USBC000:001, hidpp_battery_0
    type: str | None  # Battery, Mains, USB, UPS, Wireless
    path: str  # /sys/class/power_supply/<name>
    devpath: str | None  # the supply's own devpath
    device: str | None  # devpath of the device it belongs to (the ``device`` link)
    scope: str | None  # "System" or "Device" (a mouse or headset battery)
    online: bool | None
    present: bool | None
    status: str | None  # Charging, Discharging, Full, Not charging, Unknown
    capacity_percent: float | None
    capacity_level: str | None
    energy_now_wh: float | None
    energy_full_wh: float | None
    energy_full_design_wh: float | None
    charge_now_ah: float | None
    charge_full_ah: float | None
    charge_full_design_ah: float | None
    health_percent: float | None  # full / full design, from energy or else charge
    cycle_count: int | None
    technology: str | None
    voltage_volts: float | None
    voltage_min_design_volts: float | None
    voltage_max_volts: float | None  # USB sources: what the port negotiated
    current_amps: float | None  # signed as the driver reports it; the sign convention varies
    current_max_amps: float | None
    power_watts: float | None  # magnitude of the present draw or charge power
    power_source: str | None  # POWER_NOW or VOLTAGE_TIMES_CURRENT
    power_note: str | None  # why power_watts is None, or why power_now was not used
    manufacturer: str | None
    model_name: str | None
    serial_number: str | None
    usb_type: str | None  # the active one of usb_types (the kernel brackets it)
    usb_types: tuple[str, ...]
    errors: tuple[str, ...]  # "energy_now: EIO" for attributes present but unreadable or garbage

    # Fields whose values identify one physical unit; the privacy filter masks them.
    IDENTIFYING_FIELDS: ClassVar[tuple[str, ...]] = ("serial_number",)

    @property
    def is_battery(self) -> bool:
        return self.type == "Battery"


def list_power_supplies(sysfs: Path = Path("/sys")) -> list[PowerSupply]:
    """Every power supply, sorted by name. Raises ProbeUnavailable when the class is absent."""
    root = sysfs / "class" / "power_supply"
    try:
        names = sorted(os.listdir(root))
    except FileNotFoundError:
        raise ProbeUnavailable(
            N_("{root} does not exist: this kernel has no power supply class (CONFIG_POWER_SUPPLY)").format(root=root)
        ) from None
    except OSError as exc:
        raise ProbeUnavailable(f"cannot list {root}: {exc.strerror}") from None
    supplies = []
    for name in names:
        supply = read_power_supply(root / name, sysfs)
        if supply is not None:
            supplies.append(supply)
    return supplies


class _Reader:
    """Reads attributes of one supply and collects the failures of those that exist."""

    def __init__(self, d: Path) -> None:
        self.d = d
        self.errors: list[str] = []

    def integer(self, name: str) -> AttrInt:
        attr = read_int(self.d / name)
        if attr.error is not None and attr.error != "ENOENT":
            detail = f" {attr.raw!r}" if attr.raw is not None else ""
            self.errors.append(f"{name}: {attr.error}{detail}")
        return attr

    def micro(self, name: str) -> float | None:
        value = self.integer(name).value
        return None if value is None else value / _MICRO

    def text(self, name: str) -> str | None:
        attr = read_attr(self.d / name)
        if attr.error is not None and attr.error not in ("ENOENT", "empty"):
            self.errors.append(f"{name}: {attr.error}")
        return attr.text


def read_power_supply(d: Path, sysfs: Path = Path("/sys")) -> PowerSupply | None:
    """One supply directory; None when it vanished (unplugged) before it could be read."""
    if not d.is_dir():
        return None
    r = _Reader(d)
    kind = r.text("type")
    status = r.text("status")
    online = r.integer("online").value
    present = r.integer("present").value

    energy_now, energy_full, energy_design = (
        r.micro("energy_now"),
        r.micro("energy_full"),
        r.micro("energy_full_design"),
    )
    charge_now, charge_full, charge_design = (
        r.micro("charge_now"),
        r.micro("charge_full"),
        r.micro("charge_full_design"),
    )
    voltage = r.micro("voltage_now")
    current = r.micro("current_now")
    power_now = r.integer("power_now")

    capacity_attr = r.integer("capacity")
    capacity: float | None = None
    if capacity_attr.value is not None and 0 <= capacity_attr.value <= 100:
        capacity = float(capacity_attr.value)
    elif capacity_attr.value is not None:
        r.errors.append(f"capacity: out of range {capacity_attr.value}")
    if capacity is None:
        # Some firmware has no capacity attribute; UPower derives it the same way.
        capacity = _first(_ratio_percent(energy_now, energy_full), _ratio_percent(charge_now, charge_full))
        if capacity is not None:
            capacity = min(capacity, 100.0)

    watts, source, note = _power(kind, status, power_now, voltage, current)
    usb_type_text = r.text("usb_type")
    usb_types, usb_type = _parse_usb_type(usb_type_text)
    cycles = r.integer("cycle_count").value
    return PowerSupply(
        name=d.name,
        type=kind,
        path=str(d),
        devpath=devpath_of(d, sysfs),
        device=devpath_of(d / "device", sysfs),
        scope=r.text("scope"),
        online=None if online is None else online != 0,
        present=None if present is None else present != 0,
        status=status,
        capacity_percent=capacity,
        capacity_level=r.text("capacity_level"),
        energy_now_wh=energy_now,
        energy_full_wh=energy_full,
        energy_full_design_wh=energy_design,
        charge_now_ah=charge_now,
        charge_full_ah=charge_full,
        charge_full_design_ah=charge_design,
        health_percent=_first(_ratio_percent(energy_full, energy_design), _ratio_percent(charge_full, charge_design)),
        # ACPI reports 0 (and some drivers -1) when the firmware does not count cycles.
        cycle_count=cycles if cycles is not None and cycles > 0 else None,
        technology=r.text("technology"),
        voltage_volts=voltage,
        voltage_min_design_volts=r.micro("voltage_min_design"),
        voltage_max_volts=r.micro("voltage_max"),
        current_amps=current,
        current_max_amps=r.micro("current_max"),
        power_watts=watts,
        power_source=source,
        power_note=note,
        manufacturer=optional_text(d / "manufacturer"),
        model_name=optional_text(d / "model_name"),
        serial_number=optional_text(d / "serial_number"),
        usb_type=usb_type,
        usb_types=usb_types,
        errors=tuple(r.errors),
    )


def _first(*values: float | None) -> float | None:
    return next((v for v in values if v is not None), None)


def _ratio_percent(part: float | None, whole: float | None) -> float | None:
    if part is None or whole is None or whole <= 0:
        return None
    return 100.0 * part / whole


def _power(
    kind: str | None, status: str | None, power_now: AttrInt, voltage: float | None, current: float | None
) -> tuple[float | None, str | None, str | None]:
    """Present power draw: power_now, else voltage * current (charge-based batteries), never a bogus 0.

    A discharging battery always delivers power, so 0 W while discharging means the firmware does not
    measure it (common on ACPI batteries right after boot or unplug). Values above what a laptop can
    draw are parsing or firmware errors.
    """
    battery = kind == "Battery"
    discharging = status == "Discharging"
    notes: list[str] = []
    if power_now.value is not None:
        watts = abs(power_now.value) / _MICRO
        if battery and watts > _MAX_PLAUSIBLE_BATTERY_WATTS:
            notes.append(f"power_now reads {watts:.0f} W, implausible for a battery")
        elif watts == 0 and discharging:
            notes.append("power_now reads 0 while discharging")
        else:
            return watts, POWER_NOW, None
    elif power_now.error not in (None, "ENOENT"):
        notes.append(f"power_now: {power_now.error}")
    if voltage is not None and current is not None:
        watts = voltage * abs(current)
        if battery and watts > _MAX_PLAUSIBLE_BATTERY_WATTS:
            notes.append(f"voltage_now * current_now gives {watts:.0f} W, implausible for a battery")
        elif watts == 0 and discharging:
            notes.append("current_now reads 0 while discharging")
        else:
            return watts, VOLTAGE_TIMES_CURRENT, "; ".join(notes) or None
    if not notes and battery:
        notes.append("the driver reports neither power_now nor current_now")
    return None, None, "; ".join(notes) or None


def _parse_usb_type(text: str | None) -> tuple[tuple[str, ...], str | None]:
    """``"C [PD] PD_PPS"`` -> (("C", "PD", "PD_PPS"), "PD"): the kernel brackets the active type."""
    if not text:
        return (), None
    types: list[str] = []
    active = None
    for token in text.split():
        if token.startswith("[") and token.endswith("]"):
            token = token[1:-1]
            active = token
        types.append(token)
    if active is None and len(types) == 1:
        active = types[0]
    return tuple(types), active
