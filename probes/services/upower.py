"""UPower over the system bus: every power device it knows, the daemon's state and charge/rate history."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from hwinspector.probes.services.core import BusCallError, SystemBus, unavailable_reason

UPOWER = "org.freedesktop.UPower"
UPOWER_PATH = "/org/freedesktop/UPower"
DEVICE_IFACE = "org.freedesktop.UPower.Device"
DEVICES_PREFIX = "/org/freedesktop/UPower/devices/"

# The enums of UPower's D-Bus API (src/org.freedesktop.UPower.Device.xml), spelled as `upower -d` prints them.
DEVICE_KINDS = (
    "unknown", "line-power", "battery", "ups", "monitor", "mouse", "keyboard", "pda", "phone", "media-player",
    "tablet", "computer", "gaming-input", "pen", "touchpad", "modem", "network", "headset", "speakers",
    "headphones", "video", "other-audio", "remote-control", "printer", "scanner", "camera", "wearable", "toy",
    "bluetooth-generic",
)  # fmt: skip
STATES = ("unknown", "charging", "discharging", "empty", "fully-charged", "pending-charge", "pending-discharge")
TECHNOLOGIES = (
    "unknown", "lithium-ion", "lithium-polymer", "lithium-iron-phosphate", "lead-acid", "nickel-cadmium",
    "nickel-metal-hydride",
)  # fmt: skip
WARNING_LEVELS = ("unknown", "none", "discharging", "low", "critical", "action")
BATTERY_LEVELS = {0: "unknown", 1: "none", 3: "low", 4: "critical", 6: "normal", 7: "high", 8: "full"}
# Kinds whose energy figures UPower fills in; for the others an Energy of 0 means "not measured".
ENERGY_KINDS = frozenset({"battery", "ups"})
HISTORY_SPANS_S = {"hour": 3600, "day": 86400, "week": 7 * 86400}
HISTORY_KINDS = ("charge", "rate")


def _enum(names: tuple[str, ...], value: Any) -> str:
    return names[value] if isinstance(value, int) and 0 <= value < len(names) else f"unknown ({value})"


def _float(props: Mapping[str, Any], key: str) -> float | None:
    v = props.get(key)
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None


def _positive(props: Mapping[str, Any], key: str) -> float | None:
    """UPower reports 0 for "unknown" in these properties (time to empty, temperature, capacity …)."""
    v = _float(props, key)
    return v if v is not None and v > 0 else None


def _bool(props: Mapping[str, Any], key: str) -> bool | None:
    v = props.get(key)
    return v if isinstance(v, bool) else None


def _str(props: Mapping[str, Any], key: str) -> str:
    v = props.get(key)
    return v if isinstance(v, str) else ""


def _int(props: Mapping[str, Any], key: str) -> int | None:
    v = props.get(key)
    return v if isinstance(v, int) and not isinstance(v, bool) else None


@dataclass(frozen=True, slots=True)
class UPowerDevice:
    """One object under /org/freedesktop/UPower/devices; None where UPower has no value."""

    path: str
    native_path: str
    kind: str  # "battery", "line-power", "mouse", "keyboard", "headset", "phone", … (DEVICE_KINDS)
    vendor: str
    model: str
    serial: str
    power_supply: bool  # powers the machine (a laptop battery), unlike a mouse battery
    online: bool | None  # line power only
    present: bool | None
    rechargeable: bool | None
    state: str  # STATES
    warning_level: str  # WARNING_LEVELS
    battery_level: str  # coarse level for devices without a percentage; "none" when there is a percentage
    percentage: float | None
    energy_wh: float | None
    energy_empty_wh: float | None
    energy_full_wh: float | None
    energy_full_design_wh: float | None
    energy_rate_watts: float | None
    voltage_volts: float | None
    capacity_percent: float | None  # health: energy-full / energy-full-design
    charge_cycles: int | None
    time_to_empty_s: int | None
    time_to_full_s: int | None
    temperature_celsius: float | None
    technology: str
    icon_name: str
    has_history: bool
    has_statistics: bool
    updated_unix: int | None
    charge_start_threshold_percent: int | None
    charge_end_threshold_percent: int | None
    charge_threshold_enabled: bool | None
    charge_threshold_supported: bool | None

    IDENTIFYING_FIELDS: ClassVar[tuple[str, ...]] = ("serial",)

    @property
    def is_battery(self) -> bool:
        return self.kind == "battery"


def decode_device(path: str, props: Mapping[str, Any]) -> UPowerDevice:
    kind = _enum(DEVICE_KINDS, props.get("Type", 0))
    has_energy = kind in ENERGY_KINDS or bool(_float(props, "EnergyFull"))

    def energy(key: str) -> float | None:
        return _float(props, key) if has_energy else None

    cycles = _int(props, "ChargeCycles")
    updated = _int(props, "UpdateTime")
    supported = _bool(props, "ChargeThresholdSupported")
    level = _int(props, "BatteryLevel")
    return UPowerDevice(
        path=path,
        native_path=_str(props, "NativePath"),
        kind=kind,
        vendor=_str(props, "Vendor"),
        model=_str(props, "Model"),
        serial=_str(props, "Serial"),
        power_supply=bool(props.get("PowerSupply", False)),
        online=_bool(props, "Online") if kind == "line-power" else None,
        present=_bool(props, "IsPresent"),
        rechargeable=_bool(props, "IsRechargeable"),
        state=_enum(STATES, props.get("State", 0)),
        warning_level=_enum(WARNING_LEVELS, props.get("WarningLevel", 0)),
        battery_level=BATTERY_LEVELS.get(level or 0, f"unknown ({level})"),
        percentage=_float(props, "Percentage") if kind != "line-power" else None,
        energy_wh=energy("Energy"),
        energy_empty_wh=energy("EnergyEmpty"),
        energy_full_wh=energy("EnergyFull"),
        energy_full_design_wh=_positive(props, "EnergyFullDesign"),
        energy_rate_watts=energy("EnergyRate"),
        voltage_volts=_positive(props, "Voltage"),
        capacity_percent=_positive(props, "Capacity"),
        # -1 is UPower's "unknown"; a battery that reports 0 has not counted any cycle yet (it says so)
        charge_cycles=cycles if cycles is not None and cycles > 0 else None,
        time_to_empty_s=int(v) if (v := _positive(props, "TimeToEmpty")) else None,
        time_to_full_s=int(v) if (v := _positive(props, "TimeToFull")) else None,
        temperature_celsius=_positive(props, "Temperature"),
        technology=_enum(TECHNOLOGIES, props.get("Technology", 0)),
        icon_name=_str(props, "IconName"),
        has_history=bool(props.get("HasHistory", False)),
        has_statistics=bool(props.get("HasStatistics", False)),
        updated_unix=updated or None,
        charge_start_threshold_percent=_int(props, "ChargeStartThreshold") if supported else None,
        charge_end_threshold_percent=_int(props, "ChargeEndThreshold") if supported else None,
        charge_threshold_enabled=_bool(props, "ChargeThresholdEnabled") if supported else None,
        charge_threshold_supported=supported,
    )


@dataclass(frozen=True, slots=True)
class UPowerInfo:
    """What UPower knows; ``available=False`` with a reason when it cannot be asked (never an exception)."""

    available: bool
    reason: str
    daemon_version: str = ""
    on_battery: bool | None = None
    lid_is_present: bool | None = None
    lid_is_closed: bool | None = None
    critical_action: str = ""
    devices: tuple[UPowerDevice, ...] = ()
    display_device: UPowerDevice | None = None

    @classmethod
    def unavailable(cls, reason: str) -> UPowerInfo:
        return cls(available=False, reason=reason)

    def device(self, path: str) -> UPowerDevice | None:
        return next((d for d in self.devices if d.path == path), None)


@dataclass(frozen=True, slots=True)
class HistoryPoint:
    time_unix: int
    value: float  # percent for "charge", watts for "rate"
    state: str


@dataclass(frozen=True, slots=True)
class UPowerHistory:
    path: str
    kind: str  # "charge" | "rate"
    timespan_s: int
    available: bool
    reason: str
    points: tuple[HistoryPoint, ...] = ()  # newest first, as UPower sends them


@dataclass
class UPowerState:
    """The raw properties the watcher keeps current between reads (PropertiesChanged carries deltas)."""

    daemon: dict[str, Any]
    critical_action: str
    devices: dict[str, dict[str, Any]]  # object path -> properties, in EnumerateDevices order
    display_path: str | None
    display: dict[str, Any]

    def info(self) -> UPowerInfo:
        return UPowerInfo(
            available=True,
            reason="",
            daemon_version=_str(self.daemon, "DaemonVersion"),
            on_battery=_bool(self.daemon, "OnBattery"),
            lid_is_present=_bool(self.daemon, "LidIsPresent"),
            lid_is_closed=_bool(self.daemon, "LidIsClosed"),
            critical_action=self.critical_action,
            devices=tuple(decode_device(p, props) for p, props in self.devices.items()),
            display_device=decode_device(self.display_path, self.display) if self.display_path else None,
        )


async def fetch_upower(bus: SystemBus) -> UPowerState:
    """Every device and the daemon's properties; raises BusCallError when UPower cannot be asked at all."""
    daemon = await bus.get_all(UPOWER, UPOWER_PATH, UPOWER)
    (paths,) = await bus.call(UPOWER, UPOWER_PATH, UPOWER, "EnumerateDevices")
    critical = ""
    try:
        (critical,) = await bus.call(UPOWER, UPOWER_PATH, UPOWER, "GetCriticalAction")
    except BusCallError:  # older daemons lack it; the rest is still worth showing
        critical = ""
    display_path: str | None = None
    try:
        (display_path,) = await bus.call(UPOWER, UPOWER_PATH, UPOWER, "GetDisplayDevice")
    except BusCallError:
        display_path = None
    wanted = [str(p) for p in paths] + ([display_path] if display_path else [])
    results = await asyncio.gather(*(bus.get_all(UPOWER, p, DEVICE_IFACE) for p in wanted), return_exceptions=True)
    devices: dict[str, dict[str, Any]] = {}
    display: dict[str, Any] = {}
    for p, res in zip(wanted, results, strict=True):
        if isinstance(res, BaseException):
            if not isinstance(res, BusCallError):
                raise res
            continue  # the device went away between EnumerateDevices and GetAll
        if p == display_path:
            display = res
        else:
            devices[p] = res
    return UPowerState(daemon, str(critical), devices, display_path if display else None, display)


async def read_upower(bus: SystemBus) -> UPowerInfo:
    try:
        return (await fetch_upower(bus)).info()
    except BusCallError as err:
        return UPowerInfo.unavailable(unavailable_reason("UPower", err))


async def read_upower_history(
    bus: SystemBus, path: str, kind: str, timespan_s: int, resolution: int = 150
) -> UPowerHistory:
    """UPower's GetHistory(kind, timespan, resolution) for one device: at most ``resolution`` points."""
    if kind not in HISTORY_KINDS:
        raise ValueError(f"history kind must be one of {HISTORY_KINDS}, not {kind!r}")
    try:
        (rows,) = await bus.call(
            UPOWER, path, DEVICE_IFACE, "GetHistory", "suu", [kind, int(timespan_s), int(resolution)]
        )
    except BusCallError as err:
        return UPowerHistory(path, kind, timespan_s, False, unavailable_reason("UPower history", err))
    points = tuple(HistoryPoint(int(t), float(v), _enum(STATES, s)) for t, v, s in rows)
    return UPowerHistory(path, kind, timespan_s, True, "", points)
