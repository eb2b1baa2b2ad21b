"""power-profiles-daemon over the system bus: the active profile, the drivers, holds, and switching."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hwinspector.probes.services.core import (
    NAME_HAS_NO_OWNER,
    SERVICE_UNKNOWN,
    BusCallError,
    SystemBus,
    unavailable_reason,
)

# power-profiles-daemon 0.20 moved to the UPower namespace and still owns the old name for old clients
# (power-profiles-daemon NEWS, 0.20); ask the new one first.
PPD_NAMES = (
    ("org.freedesktop.UPower.PowerProfiles", "/org/freedesktop/UPower/PowerProfiles"),
    ("net.hadess.PowerProfiles", "/net/hadess/PowerProfiles"),
)
PPD_INTERFACES = frozenset(name for name, _ in PPD_NAMES)


@dataclass(frozen=True, slots=True)
class PowerProfile:
    name: str  # "power-saver", "balanced", "performance"
    driver: str  # the combined driver name ("multiple" when a CPU and a platform driver share the work)
    cpu_driver: str  # "intel_pstate", "amd_pstate" (0.20+)
    platform_driver: str  # "platform_profile", "placeholder" (0.20+)


@dataclass(frozen=True, slots=True)
class ProfileHold:
    profile: str
    reason: str
    application_id: str  # who holds it


@dataclass(frozen=True, slots=True)
class PowerProfiles:
    """power-profiles-daemon's state; ``available=False`` with a reason when it cannot be asked."""

    available: bool
    reason: str
    bus_name: str = ""
    version: str = ""
    active_profile: str = ""
    profiles: tuple[PowerProfile, ...] = ()
    performance_degraded: str = ""  # "" or why: "lap-detected", "high-operating-temperature"
    holds: tuple[ProfileHold, ...] = ()
    actions: tuple[str, ...] = ()

    @classmethod
    def unavailable(cls, reason: str) -> PowerProfiles:
        return cls(available=False, reason=reason)


@dataclass(frozen=True, slots=True)
class ProfileSwitchResult:
    """The daemon's own answer to a switch: on refusal, its D-Bus error name and message, unchanged."""

    requested: str
    ok: bool
    error_name: str = ""
    message: str = ""

    @property
    def text(self) -> str:
        if self.ok:
            return f"Power profile switched to {self.requested}."
        return f"Switching to {self.requested} was refused: {self.message} ({self.error_name})"


def _s(d: Mapping[str, Any], key: str) -> str:
    v = d.get(key)
    return v if isinstance(v, str) else ""


def decode_profiles(bus_name: str, props: Mapping[str, Any]) -> PowerProfiles:
    profiles = tuple(
        PowerProfile(_s(p, "Profile"), _s(p, "Driver"), _s(p, "CpuDriver"), _s(p, "PlatformDriver"))
        for p in props.get("Profiles", [])
        if isinstance(p, dict)
    )
    holds = tuple(
        ProfileHold(_s(h, "Profile"), _s(h, "Reason"), _s(h, "ApplicationId"))
        for h in props.get("ActiveProfileHolds", [])
        if isinstance(h, dict)
    )
    return PowerProfiles(
        available=True,
        reason="",
        bus_name=bus_name,
        version=_s(props, "Version"),
        active_profile=_s(props, "ActiveProfile"),
        profiles=profiles,
        performance_degraded=_s(props, "PerformanceDegraded"),
        holds=holds,
        actions=tuple(str(a) for a in props.get("Actions", [])),
    )


async def fetch_profiles(bus: SystemBus) -> tuple[str, str, dict[str, Any]]:
    """(bus name, object path, properties) from whichever name answers; BusCallError from the last one."""
    last: BusCallError | None = None
    for name, path in PPD_NAMES:
        try:
            return name, path, await bus.get_all(name, path, name)
        except BusCallError as err:
            last = err
            if err.name not in (SERVICE_UNKNOWN, NAME_HAS_NO_OWNER):
                raise
    assert last is not None
    raise last


async def read_power_profiles(bus: SystemBus) -> PowerProfiles:
    try:
        name, _, props = await fetch_profiles(bus)
    except BusCallError as err:
        return PowerProfiles.unavailable(unavailable_reason("power-profiles-daemon", err))
    return decode_profiles(name, props)


async def set_power_profile(bus: SystemBus, profile: str, bus_name: str | None = None) -> ProfileSwitchResult:
    """Set ActiveProfile; the daemon checks polkit and may refuse (AccessDenied, "Not Authorized: …")."""
    names = [(n, p) for n, p in PPD_NAMES if bus_name in (None, "", n)]
    last: BusCallError | None = None
    for name, path in names:
        try:
            await bus.set_property(name, path, name, "ActiveProfile", "s", profile)
        except BusCallError as err:
            last = err
            if err.name in (SERVICE_UNKNOWN, NAME_HAS_NO_OWNER):
                continue
            return ProfileSwitchResult(profile, False, err.name, err.message)
        return ProfileSwitchResult(profile, True)
    if last is None:
        return ProfileSwitchResult(profile, False, SERVICE_UNKNOWN, "power-profiles-daemon is not running")
    return ProfileSwitchResult(profile, False, last.name, unavailable_reason("power-profiles-daemon", last))
