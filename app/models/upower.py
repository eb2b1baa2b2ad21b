"""Qt model for UPower's devices, the kernel's battery draw kept beside them, switcheroo-control's GPUs."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Hashable, Sequence
from datetime import datetime
from enum import IntEnum

from PySide6.QtCore import Qt

from hwinspector import l10n
from hwinspector.i18n import N_, _, localize
from hwinspector.models.live_table import FractionRole, LevelRole, LiveTableModel, ValueRole, quantity
from hwinspector.models.power import format_duration
from hwinspector.probes.power.supply import PowerSupply
from hwinspector.probes.services.bus import SwitcherooInfo, UPowerDevice, UPowerInfo
from hwinspector.widgets.property_table import Section
from hwinspector.widgets.status_icons import status_icon

_DISPLAY = Qt.ItemDataRole.DisplayRole
_TOOLTIP = Qt.ItemDataRole.ToolTipRole
_ALIGN = Qt.ItemDataRole.TextAlignmentRole
_NUMBER = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter

KIND_LABELS = {
    "line-power": N_("AC adapter"),
    "battery": N_("Battery"),
    "ups": "UPS",
    "monitor": N_("Monitor"),
    "gaming-input": N_("Game controller"),
    "bluetooth-generic": N_("Bluetooth device"),
    "media-player": N_("Media player"),
    "other-audio": N_("Audio device"),
    "remote-control": N_("Remote control"),
}


def kind_label(kind: str) -> str:
    return _(KIND_LABELS.get(kind, kind.replace("-", " ").capitalize()))


def device_name(d: UPowerDevice) -> str:
    """BAT0 for the machine's own supplies; a peripheral is known by its model, not its Bluetooth address."""
    native = d.native_path.rsplit("/", 1)[-1] or d.path.rsplit("/", 1)[-1]
    label = " ".join(x for x in (d.vendor, d.model) if x)
    if d.power_supply:
        return f"{native} ({label})" if label else native
    return label or kind_label(d.kind)


def device_state(d: UPowerDevice) -> str:
    if d.kind == "line-power":
        return _("online") if d.online else _("offline") if d.online is False else _("unknown")
    if d.present is False and d.kind in ("battery", "ups"):
        return _("not present")
    return d.state.replace("-", " ")


def time_text(d: UPowerDevice) -> str:
    if d.time_to_empty_s:
        return f"{format_duration(d.time_to_empty_s)} left"
    if d.time_to_full_s:
        return _("{format_duration} until full").format(format_duration=format_duration(d.time_to_full_s))
    return ""


def thresholds_text(d: UPowerDevice) -> str:
    if not d.charge_threshold_supported:
        return ""
    on = _("on") if d.charge_threshold_enabled else _("off")
    return f"{d.charge_start_threshold_percent}-{d.charge_end_threshold_percent} % ({on})"


def _pct(value: float | None, digits: int = 1) -> str:
    return "" if value is None else _("{value:.{digits}f} %").format(value=value, digits=digits)


def _int_pct(value: int | None) -> str:
    return "" if value is None else f"{value} %"


def _yes(value: bool | None) -> str | None:
    return None if value is None else (_("yes") if value else _("no"))


def _when(unix: int | None) -> str | None:
    if not unix:
        return None
    zone = datetime.fromtimestamp(unix).astimezone().strftime("%Z")
    return f"{l10n.date_time(unix)} {zone}"


def upower_sections(d: UPowerDevice) -> list[Section]:
    """Every property UPower has for a device (what `upower -i` prints), in proper units."""

    def rows(*pairs: tuple[str, str | None]) -> list[tuple[str, str]]:
        return [(k, v) for k, v in pairs if v]

    def q(value: float | None, unit: str, digits: int = 2) -> str | None:
        return None if value is None else quantity(value, unit, digits)

    general = rows(
        (_("Kind"), kind_label(d.kind)),
        (_("Object path"), d.path),
        (_("Native path"), d.native_path),
        (_("Vendor"), d.vendor),
        (_("Model"), d.model),
        (_("Serial"), d.serial),
        (_("Powers the machine"), _yes(d.power_supply)),
        (_("Present"), _yes(d.present)),
        (_("Rechargeable"), _yes(d.rechargeable)),
        (_("Online"), _yes(d.online)),
        (_("Technology"), None if d.technology == "unknown" else d.technology),
        (_("Icon"), d.icon_name),
        (_("Updated"), _when(d.updated_unix)),
        (_("Has history"), _yes(d.has_history)),
        (_("Has statistics"), _yes(d.has_statistics)),
    )
    charge = rows(
        (_("State"), None if d.kind == "line-power" else d.state),
        (_("Percentage"), _pct(d.percentage, 1)),
        (_("Battery level"), None if d.battery_level == "none" else d.battery_level),
        (_("Warning level"), d.warning_level),
        (_("Energy"), q(d.energy_wh, _("Wh"))),
        (_("Energy when empty"), q(d.energy_empty_wh, _("Wh"))),
        (_("Energy when full"), q(d.energy_full_wh, _("Wh"))),
        (_("Energy full (design)"), q(d.energy_full_design_wh, _("Wh"))),
        (_("Capacity (health)"), _pct(d.capacity_percent, 1)),
        (_("Charge cycles"), None if d.charge_cycles is None else str(d.charge_cycles)),
        (_("Time to empty"), None if not d.time_to_empty_s else format_duration(d.time_to_empty_s)),
        (_("Time to full"), None if not d.time_to_full_s else format_duration(d.time_to_full_s)),
    )
    electrical = rows(
        (_("Energy rate"), q(d.energy_rate_watts, "W")),
        (_("Voltage"), q(d.voltage_volts, "V", 3)),
        (_("Temperature"), q(d.temperature_celsius, "°C", 1)),
    )
    sections: list[Section] = [(_("Device"), general), (_("Charge"), charge)]
    if electrical:
        sections.append((_("Electrical"), electrical))
    if d.charge_threshold_supported is not None:
        thresholds = rows(
            (_("Supported"), _yes(d.charge_threshold_supported)),
            (_("Enabled"), _yes(d.charge_threshold_enabled)),
            (_("Start charging below"), _int_pct(d.charge_start_threshold_percent)),
            (_("Stop charging at"), _int_pct(d.charge_end_threshold_percent)),
        )
        sections.append((_("Charge thresholds"), thresholds))
    return sections


def upower_summary(info: UPowerInfo) -> str:
    """One line about the daemon and the machine as a whole (UPower's display device)."""
    parts = [f"UPower {info.daemon_version}".rstrip()]
    if info.on_battery is not None:
        parts.append(_("on battery") if info.on_battery else _("on external power"))
    if info.lid_is_present:
        parts.append(_("lid closed") if info.lid_is_closed else _("lid open"))
    dd = info.display_device
    if dd is not None and dd.percentage is not None and dd.kind != "unknown":
        overall = _("overall {percentage:.0f} %, {device_state}").format(
            percentage=dd.percentage, device_state=device_state(dd)
        )
        if when := time_text(dd):
            overall += f", {when}"
        parts.append(overall)
    if info.critical_action:
        parts.append(_("at critical level: {critical_action}").format(critical_action=info.critical_action))
    return " · ".join(parts)


class UPowerColumn(IntEnum):
    DEVICE = 0
    KIND = 1
    STATE = 2
    CHARGE = 3
    ENERGY = 4
    FULL = 5
    DESIGN = 6
    RATE = 7
    VOLTAGE = 8
    HEALTH = 9
    CYCLES = 10
    TIME = 11
    WARNING = 12
    THRESHOLDS = 13


_NUMERIC = frozenset(
    {UPowerColumn.CHARGE, UPowerColumn.ENERGY, UPowerColumn.FULL, UPowerColumn.DESIGN, UPowerColumn.RATE,
     UPowerColumn.VOLTAGE, UPowerColumn.HEALTH, UPowerColumn.CYCLES}
)  # fmt: skip


class UPowerDeviceModel(LiveTableModel[UPowerDevice]):
    """UPower's devices; ValueRole holds UPower's own value (numbers in the header's unit, enum names)."""

    headers = (
        N_("Device"), N_("Kind"), N_("State"), N_("Charge"), N_("Energy"), N_("Full"), N_("Design"), N_("Rate"),
        N_("Voltage"), N_("Health"), N_("Cycles"),
        N_("Time"), N_("Warning"), N_("Thresholds"),
    )  # fmt: skip

    def key(self, row: UPowerDevice) -> Hashable:
        return row.path

    def cell(self, row: UPowerDevice, column: int, role: int) -> object:
        col = UPowerColumn(column)
        if role == _DISPLAY:
            return self._text(row, col)
        if role == ValueRole:
            return self._value(row, col)
        if role == _TOOLTIP:
            if col == UPowerColumn.DEVICE:
                return _("{path}\nnative path: {native_path}").format(path=row.path, native_path=row.native_path)
            if col == UPowerColumn.HEALTH and row.capacity_percent is not None:
                return _("energy when full / energy when new (UPower's Capacity)")
            return self._text(row, col) or None
        if role == _ALIGN and col in _NUMERIC:
            return _NUMBER
        if role == Qt.ItemDataRole.DecorationRole and col == UPowerColumn.DEVICE:
            if row.warning_level in ("low", "critical", "action"):
                return status_icon("error" if row.warning_level != "low" else "warning")
            return status_icon("ok" if row.present is not False else "na")
        if col == UPowerColumn.CHARGE and row.percentage is not None:
            if role == FractionRole:
                return row.percentage / 100.0
            if role == LevelRole:
                return "error" if row.percentage <= 10 else "warning" if row.percentage <= 25 else "ok"
        return None

    def _value(self, d: UPowerDevice, col: UPowerColumn) -> object:
        values: dict[UPowerColumn, object] = {
            UPowerColumn.DEVICE: d.path,
            UPowerColumn.KIND: d.kind,
            UPowerColumn.STATE: d.online if d.kind == "line-power" else d.state,
            UPowerColumn.CHARGE: d.percentage,
            UPowerColumn.ENERGY: d.energy_wh,
            UPowerColumn.FULL: d.energy_full_wh,
            UPowerColumn.DESIGN: d.energy_full_design_wh,
            UPowerColumn.RATE: d.energy_rate_watts,
            UPowerColumn.VOLTAGE: d.voltage_volts,
            UPowerColumn.HEALTH: d.capacity_percent,
            UPowerColumn.CYCLES: d.charge_cycles,
            UPowerColumn.TIME: d.time_to_empty_s or d.time_to_full_s,
            UPowerColumn.WARNING: d.warning_level,
            UPowerColumn.THRESHOLDS: (
                (d.charge_start_threshold_percent, d.charge_end_threshold_percent, d.charge_threshold_enabled)
                if d.charge_threshold_supported
                else None
            ),
        }
        return values[col]

    def _text(self, d: UPowerDevice, col: UPowerColumn) -> str:
        if col == UPowerColumn.DEVICE:
            return device_name(d)
        if col == UPowerColumn.KIND:
            return kind_label(d.kind)
        if col == UPowerColumn.STATE:
            return device_state(d)
        if col == UPowerColumn.CHARGE:
            if d.percentage is None:
                return "" if d.battery_level in ("none", "unknown") else d.battery_level
            return f"{d.percentage:.0f} %"
        if col in (UPowerColumn.ENERGY, UPowerColumn.FULL, UPowerColumn.DESIGN):
            wh = {UPowerColumn.ENERGY: d.energy_wh, UPowerColumn.FULL: d.energy_full_wh}.get(
                col, d.energy_full_design_wh
            )
            return "" if wh is None else quantity(wh, _("Wh"))
        if col == UPowerColumn.RATE:
            return "" if d.energy_rate_watts is None else quantity(d.energy_rate_watts, "W")
        if col == UPowerColumn.VOLTAGE:
            return "" if d.voltage_volts is None else quantity(d.voltage_volts, "V", 3)
        if col == UPowerColumn.HEALTH:
            return _pct(d.capacity_percent)
        if col == UPowerColumn.CYCLES:
            return "" if d.charge_cycles is None else str(d.charge_cycles)
        if col == UPowerColumn.TIME:
            return time_text(d)
        if col == UPowerColumn.WARNING:
            return "" if d.warning_level in ("none", "unknown") else d.warning_level
        return thresholds_text(d)


# --- switcheroo-control (for the Graphics page) --------------------------------------------------------


def switcheroo_section(sw: SwitcherooInfo) -> Section:
    """("GPUs (switcheroo-control)", rows) for a property table: each GPU, the default, how to launch on it."""
    title = _("GPUs (switcheroo-control)")
    if not sw.available:
        return title, [("switcheroo-control", _("not available: {reason}").format(reason=localize(sw.reason)))]
    rows: list[tuple[str, str]] = [(_("Dual GPU"), _("yes") if sw.has_dual_gpu else _("no"))]
    for i, g in enumerate(sw.gpus, 1):
        what = [w for w, on in (("default", g.default), ("discrete", g.discrete), ("integrated", g.discrete is False))
                if on]  # fmt: skip
        rows.append((f"GPU {i}", g.name + (f" ({', '.join(what)})" if what else "")))
        if g.environment:
            rows.append((_("GPU {i} launch environment").format(i=i), g.environment_text))
    return title, rows


# --- the kernel's battery draw, kept while the page reads sysfs --------------------------------------


def battery_draw_watts(supplies: Sequence[PowerSupply]) -> float | None:
    """What the machine's own batteries deliver or take now (sysfs power_now), like UPower's energy-rate."""
    watts = [abs(s.power_watts) for s in supplies if s.is_battery and s.scope != "Device" and s.power_watts is not None]
    return sum(watts) if watts else None


class PowerDrawLog:
    """Kernel battery power samples: every one of the last hour, one mean a minute for the week before."""

    def __init__(self, recent_s: float = 3600.0, bucket_s: float = 60.0, keep_s: float = 7 * 86400.0) -> None:
        self.recent_s, self.bucket_s = recent_s, bucket_s
        self._recent: deque[tuple[float, float]] = deque()
        self._coarse: deque[tuple[float, float]] = deque(maxlen=int(keep_s / bucket_s))
        self._bucket: list[tuple[float, float]] = []

    def add(self, t_unix: float, watts: float) -> None:
        self._recent.append((t_unix, watts))
        while self._recent and self._recent[0][0] < t_unix - self.recent_s:
            self._fold(self._recent.popleft())

    def _fold(self, sample: tuple[float, float]) -> None:
        if self._bucket and sample[0] // self.bucket_s != self._bucket[0][0] // self.bucket_s:
            n = len(self._bucket)
            self._coarse.append((sum(t for t, _unused in self._bucket) / n, sum(w for _unused, w in self._bucket) / n))
            self._bucket = []
        self._bucket.append(sample)

    def since(self, t0_unix: float) -> tuple[list[float], list[float]]:
        rows = [s for s in (*self._coarse, *self._bucket, *self._recent) if s[0] >= t0_unix]
        return [t for t, _unused in rows], [w for _unused, w in rows]

    def __len__(self) -> int:
        return len(self._recent) + len(self._coarse) + len(self._bucket)


def unix_time_of(monotonic_s: float) -> float:
    """A CLOCK_MONOTONIC reading (the sensor poller's) as wall-clock time, to sit next to UPower's history."""
    return time.time() - (time.monotonic() - monotonic_s)
