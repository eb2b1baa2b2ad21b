"""Qt models for the Thermal page: hwmon chips and their inputs, thermal zones with trips, cooling devices."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from enum import IntEnum

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QFont, QGuiApplication, QPalette

from hwinspector import l10n
from hwinspector.i18n import N_, _
from hwinspector.models.live_table import FractionRole, LevelRole, LiveTableModel, LiveTreeModel, ValueRole
from hwinspector.probes.power.hwmon import HwmonChip, HwmonInput
from hwinspector.probes.power.thermal import CoolingDevice, ThermalZone, TripPoint
from hwinspector.widgets.status_icons import status_icon

_DISPLAY = Qt.ItemDataRole.DisplayRole
_TOOLTIP = Qt.ItemDataRole.ToolTipRole
_ALIGN = Qt.ItemDataRole.TextAlignmentRole
_NUMBER = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter

# Digits worth showing per hwmon kind: millivolt, whole RPM, tenth of a degree (the sensors' resolution).
_DIGITS = {"in": 3, "fan": 0, "temp": 1, "power": 2, "energy": 1, "curr": 3, "humidity": 1, "pwm": 0, "freq": 0}

# What a failing read means, in words (hwmon drivers and Documentation/hwmon/sysfs-interface.rst).
ERRNO_WORDS = {
    "EIO": N_("read failed (I/O error on the bus)"),
    "ENXIO": N_("not available on this machine"),
    "ENODEV": N_("device gone"),
    "ENODATA": N_("no data (sensor off or not ready)"),
    "EAGAIN": N_("busy, no value this time"),
    "EACCES": N_("readable by root only"),
    "EPERM": N_("not permitted"),
    "EINVAL": N_("rejected by the driver"),
    "ETIMEDOUT": N_("timed out"),
    "EOPNOTSUPP": N_("not supported"),
    "garbage": N_("not a number"),
    "empty": N_("empty value"),
    "no input": N_("the channel has limits but no value"),
}


def hwmon_value(value: float | None, kind: str, unit: str) -> str:
    if value is None:
        return "—"
    if kind == "energy" and abs(value) >= 10_000:
        # hwmon energy counters are cumulative: millions of joules after a day
        return f"{value / 3.6e6:.3f} kWh" if abs(value) >= 3.6e6 else f"{value / 1e3:.2f} kJ"
    text = f"{value:.{_DIGITS.get(kind, 2)}f}"
    return f"{text} {unit}" if unit else text


def failure_text(error: str) -> str:
    words = ERRNO_WORDS.get(error)
    words = _(words) if words else words
    return f"{error}: {words}" if words else error


@dataclass(frozen=True, slots=True)
class SensorRow:
    """One input as shown: the reading, and its last good value while it fails (a stale value)."""

    input: HwmonInput
    stale_value: float | None = None
    stale_since: str | None = None  # wall-clock time of the last good reading


def input_status(row: SensorRow) -> tuple[str, str]:
    """(level, text): a failing read, a fault, an alarm, a failing limit, or ok."""
    i = row.input
    if i.error is not None and i.error != "no input":
        text = failure_text(i.error)
        if row.stale_since is not None:
            text += _("; showing the value read at {stale_since}").format(stale_since=row.stale_since)
        return "error", text
    if i.flags.get("fault"):
        return "error", _("sensor fault (open or shorted)")
    alarms = sorted(k for k, v in i.flags.items() if v and k.endswith("alarm"))
    if alarms:
        serious = any(a.startswith(("crit", "lcrit", "emergency")) for a in alarms)
        return ("error" if serious else "warning"), "alarm: " + ", ".join(alarms)
    if i.error == "no input":
        return "info", failure_text(i.error)
    if i.errors:
        return "warning", "unreadable: " + "; ".join(i.errors)
    return "ok", "ok"


class SensorColumn(IntEnum):
    SENSOR = 0
    VALUE = 1
    MIN = 2
    MAX = 3
    CRIT = 4
    STATUS = 5


_LIMIT_OF = {SensorColumn.MIN: ("min", "lcrit"), SensorColumn.MAX: ("max",), SensorColumn.CRIT: ("crit", "emergency")}


class HwmonModel(LiveTreeModel[HwmonChip, SensorRow]):
    """Chips, then each chip's inputs. A read that fails after it once worked keeps its last value, marked."""

    headers = (N_("Sensor"), N_("Value"), N_("Min"), N_("Max"), N_("Critical"), N_("Status"))

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._last_good: dict[tuple[str, str], tuple[float, str]] = {}

    def set_chips(self, chips: Sequence[HwmonChip]) -> bool:
        stamp = l10n.clock_time(time.time())
        parents, children = [], []
        for chip in chips:
            parents.append(dataclasses.replace(chip, inputs=()))  # values change; the chip row does not
            rows = []
            for i in chip.inputs:
                key = (chip.path, i.id)
                if i.value is not None:
                    self._last_good[key] = (i.value, stamp)
                    rows.append(SensorRow(i))
                else:
                    last = self._last_good.get(key) if i.error != "no input" else None
                    rows.append(SensorRow(i, *last) if last else SensorRow(i))
            children.append(rows)
        return self.set_tree(parents, children)

    def parent_key(self, item: HwmonChip) -> Hashable:
        return item.path

    def child_key(self, item: SensorRow) -> Hashable:
        return item.input.id

    def parent_cell(self, item: HwmonChip, column: int, role: int) -> object:
        col = SensorColumn(column)
        if role == _DISPLAY:
            if col == SensorColumn.SENSOR:
                return item.sensors_id
            if col == SensorColumn.STATUS:
                return item.error or item.adapter
            return None
        if role == _TOOLTIP:
            return f"{item.name} ({item.hwmon})\n{item.path}" + (f"\ndevice: {item.device}" if item.device else "")
        if role == Qt.ItemDataRole.FontRole and col == SensorColumn.SENSOR:
            f = QFont()
            f.setBold(True)
            return f
        if role == Qt.ItemDataRole.DecorationRole and col == SensorColumn.STATUS and item.error:
            return status_icon("warning")
        return None

    def child_cell(self, parent: HwmonChip, item: SensorRow, column: int, role: int) -> object:
        col = SensorColumn(column)
        i = item.input
        if role == _DISPLAY:
            if col == SensorColumn.SENSOR:
                return i.label
            if col == SensorColumn.VALUE:
                if i.value is None and item.stale_value is not None:
                    return hwmon_value(item.stale_value, i.kind, i.unit)
                return hwmon_value(i.value, i.kind, i.unit) if i.kind != "intrusion" else ""
            if col in _LIMIT_OF:
                limit = next((i.limits[n] for n in _LIMIT_OF[col] if n in i.limits), None)
                return "" if limit is None else hwmon_value(limit, i.kind, i.unit)
            return input_status(item)[1]
        if role == _TOOLTIP:
            if col == SensorColumn.SENSOR:
                return f"{i.id}" + (f" ({i.label})" if i.has_label else "") + f"\n{i.path or 'no value file'}"
            if col in (SensorColumn.VALUE, SensorColumn.MIN, SensorColumn.MAX, SensorColumn.CRIT):
                lines = [f"{name}: {hwmon_value(v, i.kind, i.unit)}" for name, v in sorted(i.limits.items())]
                lines += [f"{name}: {v}" for name, v in sorted(i.extra.items())]
                return "\n".join(lines) or None
            return input_status(item)[1]
        if role == Qt.ItemDataRole.DecorationRole and col == SensorColumn.STATUS:
            return status_icon(input_status(item)[0])
        if role == Qt.ItemDataRole.ForegroundRole and col == SensorColumn.VALUE and i.value is None:
            return QGuiApplication.palette().brush(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text)
        if role == _ALIGN and col in (SensorColumn.VALUE, SensorColumn.MIN, SensorColumn.MAX, SensorColumn.CRIT):
            return _NUMBER
        if role == LevelRole and col == SensorColumn.STATUS:
            return input_status(item)[0]
        if role == ValueRole and col == SensorColumn.VALUE:
            return i.value
        return None


# --- thermal zones and cooling devices ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TripRow:
    trip: TripPoint
    zone_temp_celsius: float | None  # to say whether the zone has reached it


def _celsius(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} °C"


def trip_state(row: TripRow) -> tuple[str, str]:
    t = row.trip
    if t.error is not None:
        return "warning", failure_text(t.error)
    if t.temp_celsius is None:
        return "na", ""
    # x86_pkg_temp and others list trips the firmware never programmed: 0 °C, never acted on
    if t.temp_celsius <= 0:
        return "na", _("not set")
    if row.zone_temp_celsius is not None and row.zone_temp_celsius >= t.temp_celsius:
        return ("error" if t.type in ("critical", "hot") else "warning"), "reached"
    return "ok", _("{temp_celsius:.1f} °C to go").format(
        temp_celsius=t.temp_celsius - row.zone_temp_celsius
    ) if row.zone_temp_celsius is not None else ""


class ZoneColumn(IntEnum):
    ZONE = 0
    TEMP = 1
    DETAIL = 2
    STATE = 3


class ZonesModel(LiveTreeModel[ThermalZone, TripRow]):
    headers = (N_("Zone / trip point"), N_("Temp."), N_("Policy / hyst."), N_("State"))

    def set_zones(self, zones: Sequence[ThermalZone]) -> bool:
        parents = [dataclasses.replace(z, trips=()) for z in zones]
        children = [[TripRow(t, z.temp_celsius) for t in z.trips] for z in zones]
        return self.set_tree(parents, children)

    def parent_key(self, item: ThermalZone) -> Hashable:
        return item.id

    def child_key(self, item: TripRow) -> Hashable:
        return item.trip.index

    def parent_cell(self, item: ThermalZone, column: int, role: int) -> object:
        col = ZoneColumn(column)
        if role == _DISPLAY:
            if col == ZoneColumn.ZONE:
                return f"{item.type or '?'} ({item.id})"
            if col == ZoneColumn.TEMP:
                return _celsius(item.temp_celsius)
            if col == ZoneColumn.DETAIL:
                return item.policy or ""
            if item.error:
                return failure_text(item.error)
            return item.mode or ""
        if role == _TOOLTIP:
            if col == ZoneColumn.DETAIL and item.available_policies:
                return "available: " + ", ".join(item.available_policies)
            return "\n".join([item.path, *item.errors])
        if role == Qt.ItemDataRole.DecorationRole and col == ZoneColumn.STATE:
            return status_icon("error" if item.error else "ok" if item.mode != "disabled" else "na")
        if role == _ALIGN and col == ZoneColumn.TEMP:
            return _NUMBER
        if role == ValueRole and col == ZoneColumn.TEMP:
            return item.temp_celsius
        return None

    def child_cell(self, parent: ThermalZone, item: TripRow, column: int, role: int) -> object:
        col = ZoneColumn(column)
        t = item.trip
        if role == _DISPLAY:
            if col == ZoneColumn.ZONE:
                return _("trip {index}: {type}").format(index=t.index, type=t.type or "?")
            if col == ZoneColumn.TEMP:
                return _celsius(t.temp_celsius)
            if col == ZoneColumn.DETAIL:
                return (
                    ""
                    if t.hysteresis_celsius is None
                    else _("hyst. {hysteresis_celsius:.1f} °C").format(hysteresis_celsius=t.hysteresis_celsius)
                )
            return trip_state(item)[1]
        if role == Qt.ItemDataRole.DecorationRole and col == ZoneColumn.STATE:
            level = trip_state(item)[0]
            return status_icon(level) if level != "ok" else None
        if role == _ALIGN and col == ZoneColumn.TEMP:
            return _NUMBER
        if role == ValueRole and col == ZoneColumn.TEMP:
            return t.temp_celsius
        return None


class CoolingColumn(IntEnum):
    DEVICE = 0
    TYPE = 1
    STATE = 2


class CoolingModel(LiveTableModel[CoolingDevice]):
    headers = (N_("Cooling device"), N_("Type"), N_("State (current / max)"))

    def key(self, row: CoolingDevice) -> Hashable:
        return row.id

    def cell(self, row: CoolingDevice, column: int, role: int) -> object:
        col = CoolingColumn(column)
        if role == _DISPLAY:
            if col == CoolingColumn.DEVICE:
                return row.id
            if col == CoolingColumn.TYPE:
                return row.type or ""
            if row.error:
                return row.error
            if row.cur_state is not None and row.cur_state < 0:
                # intel_powerclamp reads -1 while it injects no idle time
                return _("off / {max_state}").format(max_state=row.max_state)
            return f"{row.cur_state} / {row.max_state}"
        if role == _TOOLTIP:
            return row.path
        if role == FractionRole and col == CoolingColumn.STATE:
            if row.cur_state is None or not row.max_state:
                return None
            return max(0, row.cur_state) / row.max_state
        if role == LevelRole and col == CoolingColumn.STATE:
            return "warning" if row.cur_state and row.cur_state > 0 else "ok"
        if role == Qt.ItemDataRole.DecorationRole and col == CoolingColumn.STATE and row.error:
            return status_icon("error")
        return None
