"""Sleep: what logind allows (Can*), who inhibits it, our session's type, and the kernel's sleep states."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hwinspector.probes.services.core import BusCallError, SystemBus, short_message, unavailable_reason

LOGIND = "org.freedesktop.login1"
LOGIND_PATH = "/org/freedesktop/login1"
MANAGER = "org.freedesktop.login1.Manager"
SESSION_IFACE = "org.freedesktop.login1.Session"
USER_IFACE = "org.freedesktop.login1.User"
SLEEP_ACTIONS = ("Suspend", "Hibernate", "HybridSleep", "SuspendThenHibernate")
GRAPHICAL_TYPES = ("wayland", "x11", "mir")


@dataclass(frozen=True, slots=True)
class KernelSleep:
    """/sys/power: which states the kernel offers and which suspend variant "mem" means.

    mem_sleep lists s2idle, shallow, deep with the active one in brackets
    (Documentation/admin-guide/pm/sleep-states.rst); s2idle instead of [deep] is the usual reason a
    laptop drains several watts asleep.
    """

    states: tuple[str, ...]  # /sys/power/state: "freeze", "mem", "disk", "standby"
    mem_sleep: tuple[str, ...]  # /sys/power/mem_sleep: "s2idle", "shallow", "deep"
    mem_sleep_selected: str | None
    disk: tuple[str, ...]  # /sys/power/disk: "platform", "shutdown", "reboot", "suspend", "test_resume"
    disk_selected: str | None
    errors: tuple[str, ...] = ()  # "mem_sleep: EACCES" and the like


def _bracketed(text: str) -> tuple[tuple[str, ...], str | None]:
    options: list[str] = []
    selected: str | None = None
    for word in text.split():
        if word.startswith("[") and word.endswith("]"):
            word = word[1:-1]
            selected = word
        options.append(word)
    return tuple(options), selected


def read_kernel_sleep(sysfs: Path = Path("/sys")) -> KernelSleep:
    """Never raises: an unreadable file leaves its field empty and says why in ``errors``."""
    errors: list[str] = []

    def read(name: str) -> str:
        try:
            return (sysfs / "power" / name).read_text(errors="replace")
        except FileNotFoundError:
            return ""  # this kernel has no such file (no CONFIG_SUSPEND / CONFIG_HIBERNATION)
        except OSError as exc:
            errors.append(f"{name}: {os.strerror(exc.errno) if exc.errno else exc}")
            return ""

    mem, mem_sel = _bracketed(read("mem_sleep"))
    disk, disk_sel = _bracketed(read("disk"))
    return KernelSleep(tuple(read("state").split()), mem, mem_sel, disk, disk_sel, tuple(errors))


@dataclass(frozen=True, slots=True)
class Inhibitor:
    what: str  # "sleep", "shutdown", "idle", "handle-lid-switch", … joined with ":"
    who: str
    why: str
    mode: str  # "block" or "delay"
    uid: int
    pid: int


@dataclass(frozen=True, slots=True)
class LoginSession:
    id: str
    type: str  # "wayland", "x11", "tty", "mir", "unspecified"
    session_class: str  # "user", "greeter", "lock-screen"
    desktop: str
    active: bool | None
    remote: bool | None
    seat: str
    found_by: str  # "XDG_SESSION_ID", "GetSessionByPID", "the user's display session", "ListSessions"


@dataclass(frozen=True, slots=True)
class LogindInfo:
    """logind's answers; ``available=False`` with a reason when logind cannot be asked."""

    available: bool
    reason: str
    can: tuple[tuple[str, str], ...] = ()  # ("Suspend", "yes"|"no"|"challenge"|"na"|"<error>")
    inhibitors: tuple[Inhibitor, ...] = ()
    inhibitors_reason: str = ""  # why the list is empty when it could not be read
    session: LoginSession | None = None
    session_reason: str = ""

    @classmethod
    def unavailable(cls, reason: str) -> LogindInfo:
        return cls(available=False, reason=reason)

    def can_do(self, action: str) -> str | None:
        return dict(self.can).get(action)


@dataclass(frozen=True, slots=True)
class SleepInfo:
    """Sleep as logind and the kernel see it; the kernel part is there even without a bus."""

    logind: LogindInfo
    kernel: KernelSleep = field(default_factory=lambda: KernelSleep((), (), None, (), None))


def _session(props: Mapping[str, Any], found_by: str) -> LoginSession:
    seat = props.get("Seat")
    return LoginSession(
        id=str(props.get("Id", "")),
        type=str(props.get("Type", "")),
        session_class=str(props.get("Class", "")),
        desktop=str(props.get("Desktop", "")),
        active=props.get("Active") if isinstance(props.get("Active"), bool) else None,
        remote=props.get("Remote") if isinstance(props.get("Remote"), bool) else None,
        seat=str(seat[0]) if isinstance(seat, list) and seat else "",
        found_by=found_by,
    )


async def _find_session(bus: SystemBus, environ: Mapping[str, str]) -> tuple[LoginSession | None, str]:
    """Our session: XDG_SESSION_ID, else the one our process is in, else the user's display session."""
    tried: list[str] = []

    async def session_at(path: str, found_by: str) -> LoginSession:
        return _session(await bus.get_all(LOGIND, path, SESSION_IFACE), found_by)

    sid = environ.get("XDG_SESSION_ID")
    if sid:
        try:
            (path,) = await bus.call(LOGIND, LOGIND_PATH, MANAGER, "GetSession", "s", [sid])
            return await session_at(path, "XDG_SESSION_ID"), ""
        except BusCallError as err:
            tried.append(f"GetSession({sid}): {short_message(err.message) or err.name}")
    try:
        (path,) = await bus.call(LOGIND, LOGIND_PATH, MANAGER, "GetSessionByPID", "u", [os.getpid()])
        return await session_at(path, "GetSessionByPID"), ""
    except BusCallError as err:
        tried.append(f"GetSessionByPID: {short_message(err.message) or err.name}")
    uid = os.getuid()
    try:
        (user_path,) = await bus.call(LOGIND, LOGIND_PATH, MANAGER, "GetUser", "u", [uid])
        display = (await bus.get_all(LOGIND, user_path, USER_IFACE)).get("Display")
        if isinstance(display, list) and len(display) == 2 and display[1] not in ("", "/"):
            return await session_at(str(display[1]), "the user's display session"), ""
    except BusCallError as err:
        tried.append(f"GetUser({uid}): {short_message(err.message) or err.name}")
    try:
        (rows,) = await bus.call(LOGIND, LOGIND_PATH, MANAGER, "ListSessions")
        mine = [await session_at(str(r[4]), "ListSessions") for r in rows if int(r[1]) == uid]
    except BusCallError as err:
        tried.append(f"ListSessions: {short_message(err.message) or err.name}")
        mine = []
    for s in sorted(mine, key=lambda s: (s.type not in GRAPHICAL_TYPES, s.active is not True)):
        return s, ""
    return None, "no logind session for this process (" + "; ".join(tried or ["no session of this user"]) + ")"


async def read_logind(bus: SystemBus, environ: Mapping[str, str] | None = None) -> LogindInfo:
    env = os.environ if environ is None else environ
    answers = await asyncio.gather(
        *(bus.call(LOGIND, LOGIND_PATH, MANAGER, f"Can{a}") for a in SLEEP_ACTIONS), return_exceptions=True
    )
    can: list[tuple[str, str]] = []
    for action, ans in zip(SLEEP_ACTIONS, answers, strict=True):
        if isinstance(ans, BusCallError):
            if action == "Suspend":  # every logind has CanSuspend: if it fails, logind cannot be asked
                return LogindInfo.unavailable(unavailable_reason("systemd-logind", ans))
            can.append((action, f"unknown ({short_message(ans.message) or ans.name})"))
        elif isinstance(ans, BaseException):
            raise ans
        else:
            can.append((action, str(ans[0])))
    inhibitors: tuple[Inhibitor, ...] = ()
    inhibitors_reason = ""
    try:
        (rows,) = await bus.call(LOGIND, LOGIND_PATH, MANAGER, "ListInhibitors")
        inhibitors = tuple(Inhibitor(str(w), str(o), str(y), str(m), int(u), int(p)) for w, o, y, m, u, p in rows)
    except BusCallError as err:
        inhibitors_reason = unavailable_reason("logind's inhibitor list", err)
    session, session_reason = await _find_session(bus, env)
    return LogindInfo(True, "", tuple(can), inhibitors, inhibitors_reason, session, session_reason)
