"""Qt models for the Power page: power supplies and RAPL domains, updated in place every reading."""

from __future__ import annotations

from collections.abc import Hashable
from enum import IntEnum

from PySide6.QtCore import Qt

from hwinspector.collectors.sensors import RaplReading
from hwinspector.i18n import N_, _
from hwinspector.models.live_table import FractionRole, LevelRole, LiveTableModel, ValueRole, quantity
from hwinspector.probes.power.powercap import RAPL_ROOT_ONLY_REASON, PowerConstraint
from hwinspector.probes.power.supply import PowerSupply
from hwinspector.widgets.property_table import Section
from hwinspector.widgets.status_icons import status_icon

_DISPLAY = Qt.ItemDataRole.DisplayRole
_TOOLTIP = Qt.ItemDataRole.ToolTipRole
_ALIGN = Qt.ItemDataRole.TextAlignmentRole
_NUMBER = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


# power_supply's status values (Documentation/ABI/testing/sysfs-class-power), shown in the user's language.
BATTERY_STATUS = {
    "Charging": N_("Charging"),
    "Discharging": N_("Discharging"),
    "Full": N_("Full"),
    "Not charging": N_("Not charging"),
    "Unknown": N_("Unknown"),
}


def format_duration(seconds: float) -> str:
    minutes = round(seconds / 60)
    if minutes < 1:
        return _("under a minute")
    hours, minutes = divmod(minutes, 60)
    return (
        _("{hours} h {minutes:02d} min").format(hours=hours, minutes=minutes)
        if hours
        else _("{minutes} min").format(minutes=minutes)
    )


def time_estimate(s: PowerSupply) -> tuple[str, float | None]:
    """("3 h 05 min left", seconds) from the present draw; ("", None) when it cannot be known.

    Energy over power where the battery reports energy; charge over current where it reports charge
    (the same arithmetic UPower does, without its smoothing).
    """
    if s.status not in ("Discharging", "Charging") or not s.power_watts:
        return "", None
    charging = s.status == "Charging"
    hours: float | None = None
    full: float | None
    now: float | None
    rate: float
    if s.energy_now_wh is not None:
        full, now, rate = s.energy_full_wh, s.energy_now_wh, s.power_watts
    else:
        full, now, rate = s.charge_full_ah, s.charge_now_ah, abs(s.current_amps or 0.0)
    if now is not None and rate:
        if not charging:
            hours = now / rate
        elif full is not None:
            hours = (full - now) / rate
    if hours is None or hours < 0:
        return "", None
    seconds = hours * 3600
    template = _("{duration} until full") if charging else _("{duration} left")
    return template.format(duration=format_duration(seconds)), seconds


def supply_state(s: PowerSupply) -> str:
    """What a person asks first: Discharging, Full, online, not present."""
    if s.present is False:
        return _("not present")
    if s.is_battery:
        if s.status in BATTERY_STATUS:
            return _(BATTERY_STATUS[s.status])
        return s.status or _("state unknown")
    if s.online is not None:
        return _("online") if s.online else _("offline")
    return s.status or "—"


def supply_kind(s: PowerSupply) -> str:
    kind = {"Mains": _("AC adapter"), "USB": "USB", "Battery": _("Battery")}.get(s.type or "", s.type or _("unknown"))
    if s.usb_type:
        kind += f" ({s.usb_type})"
    if s.scope == "Device":
        kind += _(", of a device")  # a mouse, keyboard or headset battery, not the system's
    return kind


def _rows(*pairs: tuple[str, str | None]) -> list[tuple[str, str]]:
    return [(k, v) for k, v in pairs if v is not None]


def supply_sections(s: PowerSupply) -> list[Section]:
    """Every property of a supply, in proper units, for the details table."""

    def q(value: float | None, unit: str, digits: int = 2) -> str | None:
        return None if value is None else quantity(value, unit, digits)

    def flag(value: bool | None) -> str | None:
        return None if value is None else (_("yes") if value else _("no"))

    general = _rows(
        (_("Name"), s.name),
        (_("Kind"), supply_kind(s)),
        (_("State"), supply_state(s)),
        (_("Status"), s.status),
        (_("Online"), flag(s.online)),
        (_("Present"), flag(s.present)),
        (_("Scope"), s.scope),
        (_("Technology"), s.technology),
        (_("Manufacturer"), s.manufacturer),
        (_("Model"), s.model_name),
        (_("Serial number"), s.serial_number),
        (_("sysfs path"), s.path),
        (_("Device"), s.device),
    )
    estimate, _unused = time_estimate(s)
    charge = _rows(
        (_("Capacity"), None if s.capacity_percent is None else f"{s.capacity_percent:.0f} %"),
        (_("Capacity level"), s.capacity_level),
        (_("Energy now"), q(s.energy_now_wh, _("Wh"))),
        (_("Energy full"), q(s.energy_full_wh, _("Wh"))),
        (_("Energy full (design)"), q(s.energy_full_design_wh, _("Wh"))),
        (_("Charge now"), q(s.charge_now_ah, _("Ah"), 3)),
        (_("Charge full"), q(s.charge_full_ah, _("Ah"), 3)),
        (_("Charge full (design)"), q(s.charge_full_design_ah, _("Ah"), 3)),
        (_("Health"), None if s.health_percent is None else f"{s.health_percent:.1f} %"),
        (_("Cycle count"), None if s.cycle_count is None else str(s.cycle_count)),
        (_("Time estimate"), estimate or None),
    )
    how = {"power_now": "power_now", "voltage_now * current_now": _("voltage \u00d7 current (no power_now)")}
    electrical = _rows(
        (_("Voltage"), q(s.voltage_volts, "V", 3)),
        (_("Voltage min (design)"), q(s.voltage_min_design_volts, "V", 3)),
        (_("Voltage max"), q(s.voltage_max_volts, "V", 3)),
        (_("Current"), q(s.current_amps, "A", 3)),
        (_("Current max"), q(s.current_max_amps, "A", 3)),
        (_("Power"), q(s.power_watts, "W") or (_("not known") if s.is_battery else None)),
        (_("Power from"), how.get(s.power_source or "")),
        (_("Power note"), s.power_note),
        (_("USB type"), s.usb_type),
        (_("USB types offered"), " ".join(s.usb_types) or None),
    )
    sections: list[Section] = [(_("General"), general)]
    if charge:
        sections.append((_("Charge"), charge))
    if electrical:
        sections.append((_("Electrical"), electrical))
    if s.errors:
        sections.append(
            (_("Unreadable attributes"), [(n, why) for n, _unused, why in (e.partition(": ") for e in s.errors)])
        )
    return sections


class SupplyColumn(IntEnum):
    NAME = 0
    KIND = 1
    STATE = 2
    LEVEL = 3
    POWER = 4
    VOLTAGE = 5
    HEALTH = 6
    MODEL = 7


class SupplyModel(LiveTableModel[PowerSupply]):
    headers = (
        N_("Supply"),
        N_("Kind"),
        N_("State"),
        N_("Charge"),
        N_("Power"),
        N_("Voltage"),
        N_("Health"),
        N_("Model"),
    )

    def key(self, row: PowerSupply) -> Hashable:
        return row.name

    def cell(self, row: PowerSupply, column: int, role: int) -> object:
        col = SupplyColumn(column)
        if role == _DISPLAY:
            return self._text(row, col)
        if role == _TOOLTIP:
            if col == SupplyColumn.POWER:
                how = {"power_now": _("from power_now"), "voltage_now * current_now": _("voltage \u00d7 current")}
                note = row.power_note or ""
                return "; ".join(x for x in (how.get(row.power_source or ""), note) if x) or None
            if col == SupplyColumn.NAME:
                return row.path + (f"\nunreadable: {', '.join(row.errors)}" if row.errors else "")
            return self._text(row, col) or None
        if role == _ALIGN and col in (
            SupplyColumn.LEVEL,
            SupplyColumn.POWER,
            SupplyColumn.VOLTAGE,
            SupplyColumn.HEALTH,
        ):
            return _NUMBER
        if role == Qt.ItemDataRole.DecorationRole and col == SupplyColumn.NAME:
            return status_icon("warning" if row.errors else "ok")
        if role == FractionRole and col == SupplyColumn.LEVEL and row.capacity_percent is not None:
            return row.capacity_percent / 100.0
        if role == LevelRole and col == SupplyColumn.LEVEL and row.capacity_percent is not None:
            return "error" if row.capacity_percent <= 10 else "warning" if row.capacity_percent <= 25 else "ok"
        if role == ValueRole:
            return {
                SupplyColumn.LEVEL: row.capacity_percent,
                SupplyColumn.POWER: row.power_watts,
                SupplyColumn.VOLTAGE: row.voltage_volts,
                SupplyColumn.HEALTH: row.health_percent,
            }.get(col)
        return None

    def _text(self, s: PowerSupply, col: SupplyColumn) -> str:
        if col == SupplyColumn.NAME:
            return s.name
        if col == SupplyColumn.KIND:
            return supply_kind(s)
        if col == SupplyColumn.STATE:
            return supply_state(s)
        if col == SupplyColumn.LEVEL:
            return "" if s.capacity_percent is None else f"{s.capacity_percent:.0f} %"
        if col == SupplyColumn.POWER:
            if s.power_watts is None:
                return "—" if s.is_battery else ""
            # an unplugged port reads 0 V times 0 A: true, and of no interest
            return "" if s.online is False and not s.is_battery else quantity(s.power_watts, "W")
        if col == SupplyColumn.VOLTAGE:
            return "" if s.voltage_volts is None else quantity(s.voltage_volts, "V", 3)
        if col == SupplyColumn.HEALTH:
            return "" if s.health_percent is None else f"{s.health_percent:.1f} %"
        return " ".join(x for x in (s.manufacturer, s.model_name) if x)


# --- RAPL ------------------------------------------------------------------------------------------

_LIMIT_NAMES = {"long_term": "PL1", "short_term": "PL2", "peak_power": "PL4"}


def limits_text(constraints: tuple[PowerConstraint, ...]) -> str:
    """``PL1 15 W / 28 s · PL2 44 W``: only limits that are set (0 W means none on sub-domains)."""
    parts = []
    for c in constraints:
        if not c.power_limit_watts:
            continue
        text = f"{_LIMIT_NAMES.get(c.name or '', c.name or f'limit {c.index}')} {c.power_limit_watts:g} W"
        if c.time_window_s is not None and c.time_window_s >= 1:
            text += f" / {c.time_window_s:.0f} s"
        parts.append(text)
    return " · ".join(parts)


def rapl_power_text(r: RaplReading) -> str:
    if r.power_watts is not None:
        return quantity(r.power_watts, "W")
    if r.reason == RAPL_ROOT_ONLY_REASON:
        return _("root only")
    if r.reason and r.reason.startswith("first sample"):
        return _("measuring…")
    return "unavailable"


class RaplColumn(IntEnum):
    DOMAIN = 0
    POWER = 1
    LIMITS = 2
    ZONE = 3


class RaplModel(LiveTableModel[RaplReading]):
    headers = (N_("Domain"), N_("Power"), N_("Limits"), N_("Zone"))

    def key(self, row: RaplReading) -> Hashable:
        return row.domain.id

    def cell(self, row: RaplReading, column: int, role: int) -> object:
        col = RaplColumn(column)
        d = row.domain
        if role == _DISPLAY:
            if col == RaplColumn.DOMAIN:
                # sub-domains (core, uncore, dram) are parts of their package: indent them
                return ("    " if d.parent else "") + d.name
            if col == RaplColumn.POWER:
                return rapl_power_text(row)
            if col == RaplColumn.LIMITS:
                return limits_text(d.constraints)
            return d.zone
        if role == _TOOLTIP:
            if col == RaplColumn.POWER and row.power_watts is None:
                return row.reason
            if col == RaplColumn.DOMAIN:
                return f"{d.id}\n{d.path}" + ("" if d.enabled is not False else "\ndisabled")
            return None
        if role == _ALIGN and col == RaplColumn.POWER:
            return _NUMBER
        if role == Qt.ItemDataRole.DecorationRole and col == RaplColumn.POWER:
            if row.power_watts is None and row.reason == RAPL_ROOT_ONLY_REASON:
                return status_icon("info")
            if row.power_watts is None and not (row.reason or "").startswith("first sample"):
                return status_icon("warning")
            return None
        if role == ValueRole and col == RaplColumn.POWER:
            return row.power_watts
        return None
