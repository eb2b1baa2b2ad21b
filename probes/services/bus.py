"""System services over D-Bus (UPower, power profiles, logind, switcheroo-control, fwupd): import only this module."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from hwinspector.probes.services.core import BusUnavailable, SystemBus
from hwinspector.probes.services.fwupd import FirmwareDevice, FirmwareInfo, SecurityAttr, read_fwupd
from hwinspector.probes.services.logind import (
    Inhibitor,
    KernelSleep,
    LogindInfo,
    LoginSession,
    SleepInfo,
    read_kernel_sleep,
    read_logind,
)
from hwinspector.probes.services.profiles import (
    PowerProfile,
    PowerProfiles,
    ProfileHold,
    ProfileSwitchResult,
    read_power_profiles,
)
from hwinspector.probes.services.switcheroo import SwitcherooGpu, SwitcherooInfo, read_switcheroo
from hwinspector.probes.services.upower import (
    HISTORY_KINDS,
    HISTORY_SPANS_S,
    HistoryPoint,
    UPowerDevice,
    UPowerHistory,
    UPowerInfo,
    read_upower,
    read_upower_history,
)
from hwinspector.probes.services.watcher import (
    DEFAULT_TIMEOUT_S,
    LABELS,
    SERVICES,
    BusEvent,
    ServiceData,
    ServiceUpdate,
    SystemBusWatcher,
    TimelineEvent,
    unavailable,
)

__all__ = [
    "HISTORY_KINDS",
    "HISTORY_SPANS_S",
    "LABELS",
    "SERVICES",
    "BusEvent",
    "FirmwareDevice",
    "FirmwareInfo",
    "HistoryPoint",
    "Inhibitor",
    "KernelSleep",
    "LoginSession",
    "LogindInfo",
    "PowerProfile",
    "PowerProfiles",
    "PowerReport",
    "ProfileHold",
    "ProfileSwitchResult",
    "SecurityAttr",
    "ServiceData",
    "ServiceUpdate",
    "SleepInfo",
    "SwitcherooGpu",
    "SwitcherooInfo",
    "SystemBusWatcher",
    "TimelineEvent",
    "UPowerDevice",
    "UPowerHistory",
    "UPowerInfo",
    "read_firmware_report",
    "read_history",
    "read_kernel_sleep",
    "read_power_report",
    "unavailable",
]


@dataclass(frozen=True, slots=True)
class PowerReport:
    upower: UPowerInfo
    profiles: PowerProfiles
    sleep: SleepInfo
    switcheroo: SwitcherooInfo


async def _power_report(address: str | None, timeout_s: float, sysfs: Path, environ: Mapping[str, str]) -> PowerReport:
    kernel = read_kernel_sleep(sysfs)
    try:
        bus = await SystemBus.connect(address, timeout_s)
    except BusUnavailable as exc:
        r = exc.reason
        return PowerReport(
            UPowerInfo.unavailable(r), PowerProfiles.unavailable(r), SleepInfo(LogindInfo.unavailable(r), kernel),
            SwitcherooInfo.unavailable(r),
        )  # fmt: skip
    try:
        up, pp, lg, sw = await asyncio.gather(
            read_upower(bus), read_power_profiles(bus), read_logind(bus, environ), read_switcheroo(bus)
        )
    finally:
        await bus.aclose()
    return PowerReport(up, pp, SleepInfo(lg, kernel), sw)


def read_power_report(
    address: str | None = None,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    sysfs: Path = Path("/sys"),
    environ: Mapping[str, str] | None = None,
) -> PowerReport:
    """UPower, power profiles, sleep and switcheroo once (for the CLI); never raises for a missing service."""
    return asyncio.run(_power_report(address, timeout_s, sysfs, os.environ if environ is None else environ))


async def _firmware_report(address: str | None, timeout_s: float) -> FirmwareInfo:
    try:
        bus = await SystemBus.connect(address, timeout_s)
    except BusUnavailable as exc:
        return FirmwareInfo.unavailable(exc.reason)
    try:
        return await read_fwupd(bus)
    finally:
        await bus.aclose()


def read_firmware_report(address: str | None = None, timeout_s: float = 30.0) -> FirmwareInfo:
    """fwupd's devices and HSI attributes once; a first call may start fwupd, which takes a few seconds."""
    return asyncio.run(_firmware_report(address, timeout_s))


async def _history(
    path: str, kind: str, timespan_s: int, resolution: int, address: str | None, timeout_s: float
) -> UPowerHistory:
    try:
        bus = await SystemBus.connect(address, timeout_s)
    except BusUnavailable as exc:
        return UPowerHistory(path, kind, timespan_s, False, exc.reason)
    try:
        return await read_upower_history(bus, path, kind, timespan_s, resolution)
    finally:
        await bus.aclose()


def read_history(
    path: str,
    kind: str,
    timespan_s: int,
    resolution: int = 150,
    address: str | None = None,
    timeout_s: float = DEFAULT_TIMEOUT_S,
) -> UPowerHistory:
    """UPower's charge ("charge", percent) or power ("rate", watts) history of one device, newest first."""
    return asyncio.run(_history(path, kind, timespan_s, resolution, address, timeout_s))
