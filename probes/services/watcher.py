"""The system-bus watcher: reads the five services, follows their signals, reports every change as an event."""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hwinspector.probes.services.core import (
    DBUS,
    PROPERTIES,
    BusCallError,
    BusSignal,
    BusUnavailable,
    SystemBus,
    unavailable_reason,
)
from hwinspector.probes.services.fwupd import FWUPD, FirmwareInfo, read_fwupd
from hwinspector.probes.services.logind import (
    LOGIND,
    LOGIND_PATH,
    MANAGER,
    LogindInfo,
    SleepInfo,
    read_kernel_sleep,
    read_logind,
)
from hwinspector.probes.services.profiles import (
    PPD_INTERFACES,
    PPD_NAMES,
    PowerProfiles,
    ProfileSwitchResult,
    decode_profiles,
    fetch_profiles,
    set_power_profile,
)
from hwinspector.probes.services.switcheroo import (
    SWITCHEROO,
    SwitcherooInfo,
    decode_switcheroo,
    fetch_switcheroo,
)
from hwinspector.probes.services.upower import (
    DEVICE_IFACE,
    UPOWER,
    UPowerHistory,
    UPowerInfo,
    UPowerState,
    fetch_upower,
    read_upower_history,
)

SERVICES = ("upower", "power-profiles", "logind", "switcheroo", "fwupd")
LABELS = {
    "upower": "UPower",
    "power-profiles": "power-profiles-daemon",
    "logind": "systemd-logind",
    "switcheroo": "switcheroo-control",
    "fwupd": "fwupd",
}
BUS_NAMES: dict[str, tuple[str, ...]] = {
    "upower": (UPOWER,),
    "power-profiles": tuple(n for n, _ in PPD_NAMES),
    "logind": (LOGIND,),
    "switcheroo": (SWITCHEROO,),
    "fwupd": (FWUPD,),
}
DEFAULT_TIMEOUT_S = 10.0  # fwupd started by bus activation can take seconds to answer its first call
COALESCE_S = 0.05  # a burst of PropertiesChanged (a battery refresh) becomes one update
SETTLE_S = 0.5  # a service that just took its name is read once more after this

ServiceData = UPowerInfo | PowerProfiles | SleepInfo | SwitcherooInfo | FirmwareInfo


@dataclass(frozen=True, slots=True)
class ServiceUpdate:
    """A service's new state: emitted on first read, on every change, and when it appears or goes away."""

    service: str  # one of SERVICES
    data: ServiceData


@dataclass(frozen=True, slots=True)
class TimelineEvent:
    t_monotonic_ns: int  # CLOCK_MONOTONIC when the signal arrived: the telemetry timeline's clock
    kind: str  # "profile" | "sleep"
    text: str


BusEvent = ServiceUpdate | TimelineEvent


def unavailable(service: str, reason: str, sysfs: Path = Path("/sys")) -> ServiceData:
    """The null object of each service: ``available=False`` and the reason."""
    if service == "upower":
        return UPowerInfo.unavailable(reason)
    if service == "power-profiles":
        return PowerProfiles.unavailable(reason)
    if service == "logind":
        return SleepInfo(LogindInfo.unavailable(reason), read_kernel_sleep(sysfs))
    if service == "switcheroo":
        return SwitcherooInfo.unavailable(reason)
    if service == "fwupd":
        return FirmwareInfo.unavailable(reason)
    raise ValueError(f"unknown service {service!r}")


def _profile_text(old: PowerProfiles, new: PowerProfiles) -> list[str]:
    out: list[str] = []
    if old.active_profile != new.active_profile:
        held = [h for h in new.holds if h.profile == new.active_profile]
        why = f" (held by {held[0].application_id}: {held[0].reason})" if held else ""
        out.append(f"power profile {old.active_profile} → {new.active_profile}{why}")
    if old.performance_degraded != new.performance_degraded:
        degraded = new.performance_degraded
        out.append(f"performance degraded: {degraded}" if degraded else "performance no longer degraded")
    return out


class SystemBusWatcher:
    """Reads the five services, keeps them current from their signals and reports changes to ``on_event``.

    Lives on one asyncio loop: ``on_event`` is called on that loop's thread. A missing bus or service is
    reported as state (``available=False``), a service that starts later is picked up (NameOwnerChanged),
    and a lost bus is reconnected every ``reconnect_s``.
    """

    def __init__(
        self,
        on_event: Callable[[BusEvent], None],
        address: str | None = None,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        sysfs: Path = Path("/sys"),
        environ: Mapping[str, str] | None = None,
        reconnect_s: float = 5.0,
    ) -> None:
        self._on_event = on_event
        self._address = address
        self._timeout_s = timeout_s
        self._sysfs = sysfs
        self._environ = dict(os.environ if environ is None else environ)
        self._reconnect_s = reconnect_s
        self._bus: SystemBus | None = None
        self._stop: asyncio.Event | None = None
        self._closed = False
        self._current: dict[str, ServiceData] = {}
        self._activatable: frozenset[str] = frozenset()
        self._upower: UPowerState | None = None
        self._ppd: tuple[str, str, dict[str, Any]] | None = None  # bus name, path, properties
        self._switcheroo: dict[str, Any] | None = None
        self._dirty: list[str] = []
        self._flush_handle: asyncio.TimerHandle | None = None
        self._refreshing: dict[str, asyncio.Future[None]] = {}
        self._again: set[str] = set()
        self._asleep_since_boottime_ns: int | None = None

    def current(self, service: str) -> ServiceData | None:
        return self._current.get(service)

    # --- lifecycle -------------------------------------------------------------------------------------

    async def watch(self) -> None:
        """Run until close(): connect, read everything, follow the signals, reconnect when the bus goes."""
        self._stop = asyncio.Event()
        if self._closed:
            return
        # A machine without a system bus (a container, a minimal VM) is asked again ever less often, up
        # to twelve intervals apart: trying every 5 s forever would wake the inspector for nothing.
        wait_s = self._reconnect_s
        while not self._stop.is_set():
            try:
                bus = await SystemBus.connect(self._address, self._timeout_s)
            except BusUnavailable as exc:
                self._all_unavailable(exc.reason)
                if await self._pause(wait_s):
                    break
                wait_s = min(wait_s * 2, self._reconnect_s * 12)
                continue
            wait_s = self._reconnect_s
            self._bus = bus
            bus.on_signal(self._on_signal)
            try:
                await self._subscribe(bus)
                await self.refresh()
                await self._until_closed_or_stopped(bus)
            except BusCallError as err:  # AddMatch refused or the connection dropped while subscribing
                self._all_unavailable(unavailable_reason("the system bus", err))
            finally:
                self._bus = None
                await bus.aclose()
            if self._stop.is_set():
                break
            self._all_unavailable("the system bus connection was lost; reconnecting")
            if await self._pause(self._reconnect_s):
                break
        for fut in list(self._refreshing.values()):
            fut.cancel()

    def close(self) -> None:
        """Stop watch() (call it on the loop's thread; before watch() started, watch() returns at once)."""
        self._closed = True
        if self._stop is not None:
            self._stop.set()

    async def _pause(self, seconds: float) -> bool:
        """Sleep unless stopped first; True when stopped."""
        assert self._stop is not None
        try:
            await asyncio.wait_for(self._stop.wait(), seconds)
        except asyncio.TimeoutError:
            return False
        return True

    async def _until_closed_or_stopped(self, bus: SystemBus) -> None:
        assert self._stop is not None
        waits = {asyncio.ensure_future(bus.wait_closed()), asyncio.ensure_future(self._stop.wait())}
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        for w in waits:
            w.cancel()

    async def _subscribe(self, bus: SystemBus) -> None:
        try:
            self._activatable = await bus.activatable_names()
        except BusCallError:
            self._activatable = frozenset()
        rules = [
            f"type='signal',sender='{DBUS}',interface='{DBUS}',member='NameOwnerChanged',arg0='{name}'"
            for names in BUS_NAMES.values()
            for name in names
        ]
        # A well-known sender in a match rule follows the name to whichever connection owns it now.
        for name in (UPOWER, SWITCHEROO, FWUPD, *(n for n, _ in PPD_NAMES)):
            rules.append(f"type='signal',sender='{name}',interface='{PROPERTIES}',member='PropertiesChanged'")
        rules += [
            f"type='signal',sender='{LOGIND}',path='{LOGIND_PATH}',interface='{PROPERTIES}'",
            f"type='signal',sender='{UPOWER}',interface='{UPOWER}'",
            f"type='signal',sender='{FWUPD}',interface='{FWUPD}'",
            f"type='signal',sender='{LOGIND}',interface='{MANAGER}',member='PrepareForSleep'",
        ]
        await asyncio.gather(*(bus.add_match(r) for r in rules))

    # --- reading -----------------------------------------------------------------------------------------

    async def refresh(self, service: str | None = None) -> None:
        """Re-read one service (or all); concurrent requests for the same one share a read."""
        names = SERVICES if service is None else (service,)
        await asyncio.gather(*(self._schedule(s) for s in names), return_exceptions=True)

    def _schedule(self, service: str) -> asyncio.Future[None]:
        running = self._refreshing.get(service)
        if running is not None and not running.done():
            self._again.add(service)  # something changed while reading: read once more afterwards
            return running
        fut = asyncio.ensure_future(self._read_until_settled(service))
        self._refreshing[service] = fut
        return fut

    async def _read_until_settled(self, service: str) -> None:
        while True:
            self._again.discard(service)
            await self._read(service)
            if service not in self._again:
                return

    async def _read(self, service: str) -> None:
        bus = self._bus
        if bus is None:
            return
        try:
            if service == "upower":
                self._upower = await fetch_upower(bus)
                self._set(service, self._upower.info())
            elif service == "power-profiles":
                self._ppd = await fetch_profiles(bus)
                self._set_profiles(decode_profiles(self._ppd[0], self._ppd[2]))
            elif service == "logind":
                self._set(service, SleepInfo(await read_logind(bus, self._environ), read_kernel_sleep(self._sysfs)))
            elif service == "switcheroo":
                self._switcheroo = await fetch_switcheroo(bus)
                self._set(service, decode_switcheroo(self._switcheroo))
            elif service == "fwupd":
                self._set(service, await read_fwupd(bus))
        except BusCallError as err:
            if service == "upower":
                self._upower = None
            elif service == "power-profiles":
                self._ppd = None
            elif service == "switcheroo":
                self._switcheroo = None
            self._set(service, unavailable(service, unavailable_reason(LABELS[service], err), self._sysfs))
        except Exception as exc:  # a decoding surprise in one service must not stop the others
            self._set(service, unavailable(service, f"could not read {LABELS[service]}: {exc!r}", self._sysfs))

    async def set_power_profile(self, profile: str) -> ProfileSwitchResult:
        bus = self._bus
        if bus is None:
            data = self._current.get("power-profiles")
            why = data.reason if isinstance(data, PowerProfiles) else "no system bus"
            return ProfileSwitchResult(profile, False, "hwinspector.Error.NoBus", why)
        result = await set_power_profile(bus, profile, self._ppd[0] if self._ppd else None)
        if result.ok:
            self._schedule("power-profiles")
        return result

    async def read_history(self, path: str, kind: str, timespan_s: int, resolution: int = 150) -> UPowerHistory:
        bus = self._bus
        if bus is None:
            return UPowerHistory(path, kind, timespan_s, False, "no connection to the system bus")
        return await read_upower_history(bus, path, kind, timespan_s, resolution)

    # --- state and events ------------------------------------------------------------------------------

    def _set(self, service: str, data: ServiceData) -> None:
        if self._current.get(service) == data:
            return
        self._current[service] = data
        if service not in self._dirty:
            self._dirty.append(service)
        if self._flush_handle is None:
            self._flush_handle = asyncio.get_running_loop().call_later(COALESCE_S, self._flush)

    def _flush(self) -> None:
        self._flush_handle = None
        dirty, self._dirty = self._dirty, []
        for service in dirty:
            self._on_event(ServiceUpdate(service, self._current[service]))

    def _timeline(self, kind: str, text: str) -> None:
        self._on_event(TimelineEvent(time.monotonic_ns(), kind, text))

    def _set_profiles(self, new: PowerProfiles) -> None:
        old = self._current.get("power-profiles")
        if isinstance(old, PowerProfiles) and old.available and new.available:
            for text in _profile_text(old, new):
                self._timeline("profile", text)
        self._set("power-profiles", new)

    def _all_unavailable(self, reason: str) -> None:
        self._upower, self._ppd, self._switcheroo = None, None, None
        for service in SERVICES:
            self._set(service, unavailable(service, reason, self._sysfs))

    def _gone(self, service: str, name: str) -> None:
        if service == "upower":
            self._upower = None
        elif service == "power-profiles":
            if self._ppd is not None and self._ppd[0] != name:
                return  # the name we do not use went away; the daemon is still there
            self._ppd = None
        elif service == "switcheroo":
            self._switcheroo = None
        data = unavailable(service, f"{LABELS[service]} stopped ({name} left the system bus)", self._sysfs)
        if service == "logind":
            current = self._current.get(service)
            kernel = current.kernel if isinstance(current, SleepInfo) else read_kernel_sleep(self._sysfs)
            data = SleepInfo(LogindInfo.unavailable(f"systemd-logind stopped ({name} left the system bus)"), kernel)
        self._set(service, data)

    def _on_signal(self, sig: BusSignal) -> None:
        if sig.interface == DBUS and sig.member == "NameOwnerChanged" and len(sig.body) == 3:
            name, _, new_owner = sig.body
            service = next((s for s, names in BUS_NAMES.items() if name in names), None)
            if service is None:
                return
            if new_owner:
                self._schedule(service)
                # Some daemons take the name before their objects are complete and announce nothing
                # afterwards (switcheroo-control sends no PropertiesChanged then): read again once settled.
                asyncio.get_running_loop().call_later(SETTLE_S, self._schedule, service)
            elif name not in self._activatable:
                # An activatable service (fwupd) exits when idle and starts again on the next call:
                # that is not "gone". Anything else that leaves the bus has stopped.
                self._gone(service, str(name))
            return
        if sig.interface == PROPERTIES and sig.member == "PropertiesChanged" and len(sig.body) == 3:
            iface, changed, invalidated = sig.body
            self._properties_changed(sig.path, str(iface), dict(changed), list(invalidated))
        elif sig.interface == UPOWER and sig.member in ("DeviceAdded", "DeviceRemoved"):
            self._schedule("upower")
        elif sig.interface == FWUPD:
            self._schedule("fwupd")  # Changed, DeviceAdded, DeviceRemoved, DeviceChanged
        elif sig.interface == MANAGER and sig.member == "PrepareForSleep" and sig.body:
            self._prepare_for_sleep(bool(sig.body[0]))

    def _properties_changed(self, path: str, iface: str, changed: dict[str, Any], invalidated: list[Any]) -> None:
        if iface in (DEVICE_IFACE, UPOWER):
            st = self._upower
            if st is None:
                self._schedule("upower")
                return
            if iface == UPOWER:
                st.daemon.update(changed)
            elif path == st.display_path:
                st.display.update(changed)
            elif path in st.devices:
                st.devices[path].update(changed)
            else:
                self._schedule("upower")
                return
            if invalidated:
                self._schedule("upower")
            self._set("upower", st.info())
        elif iface in PPD_INTERFACES:
            if self._ppd is None:
                self._schedule("power-profiles")
                return
            name, ppd_path, props = self._ppd
            if path != ppd_path:
                return  # the same daemon also announces it on its other (legacy) name
            props.update(changed)
            if invalidated:
                self._schedule("power-profiles")
            self._set_profiles(decode_profiles(name, props))
        elif iface == SWITCHEROO:
            if self._switcheroo is None or invalidated:
                self._schedule("switcheroo")
                return
            self._switcheroo.update(changed)
            self._set("switcheroo", decode_switcheroo(self._switcheroo))
        elif iface == FWUPD:
            self._schedule("fwupd")
        elif iface == MANAGER:
            self._schedule("logind")  # BlockInhibited/DelayInhibited: the inhibitor list changed

    def _prepare_for_sleep(self, going: bool) -> None:
        # CLOCK_MONOTONIC stops while the machine sleeps, so both events sit next to each other on the
        # timeline; CLOCK_BOOTTIME keeps counting and tells how long the sleep was.
        boottime = time.clock_gettime_ns(time.CLOCK_BOOTTIME)
        if going:
            self._asleep_since_boottime_ns = boottime
            self._timeline("sleep", "going to sleep (logind PrepareForSleep)")
            return
        since, self._asleep_since_boottime_ns = self._asleep_since_boottime_ns, None
        slept = f" after {(boottime - since) / 1e9:.1f} s asleep" if since is not None else ""
        self._timeline("sleep", f"resumed{slept}")
        self._schedule("logind")
