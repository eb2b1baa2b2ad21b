"""The system-bus connection behind probes/bus.py: calls with timeouts, properties, signals (dbus-next)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from dbus_next.aio.message_bus import MessageBus
from dbus_next.constants import BusType, MessageFlag, MessageType
from dbus_next.message import Message
from dbus_next.signature import Variant

from hwinspector.i18n import N_

DBUS = "org.freedesktop.DBus"
DBUS_PATH = "/org/freedesktop/DBus"
PROPERTIES = "org.freedesktop.DBus.Properties"
# The address libdbus and sd-bus fall back to; /var/run is a link to /run on current systems.
DEFAULT_SYSTEM_BUS = "unix:path=/var/run/dbus/system_bus_socket"

# Not D-Bus errors: names for the two ways a call ends without an answer from the bus.
ERROR_TIMEOUT = "hwinspector.Error.Timeout"
ERROR_DISCONNECTED = "hwinspector.Error.Disconnected"
SERVICE_UNKNOWN = "org.freedesktop.DBus.Error.ServiceUnknown"
NAME_HAS_NO_OWNER = "org.freedesktop.DBus.Error.NameHasNoOwner"
ACCESS_DENIED = "org.freedesktop.DBus.Error.AccessDenied"
UNKNOWN_METHOD = "org.freedesktop.DBus.Error.UnknownMethod"


class BusUnavailable(Exception):
    """No connection to the system bus; ``reason`` is the sentence a page shows."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class BusCallError(Exception):
    """A call ended with a D-Bus error (its name and message as the service sent them) or no answer."""

    def __init__(self, name: str, message: str) -> None:
        super().__init__(f"{name}: {message}")
        self.name = name
        self.message = message


@dataclass(frozen=True, slots=True)
class BusSignal:
    sender: str  # the unique name (":1.42") of whoever emitted it
    path: str
    interface: str
    member: str
    body: tuple[Any, ...]  # variants already unwrapped (see plain())


def system_bus_address(environ: dict[str, str] | None = None) -> str:
    env = os.environ if environ is None else environ
    return env.get("DBUS_SYSTEM_BUS_ADDRESS") or DEFAULT_SYSTEM_BUS


def _address_label(address: str) -> str:
    """The socket path of a unix:path= address (what a person can look for), else the address itself."""
    for part in address.split(";"):
        for kv in part.partition(":")[2].split(","):
            key, _, value = kv.partition("=")
            if key in ("path", "abstract") and value:
                return value
    return address


def _probe_socket(address: str, label: str) -> None:
    """Try unix-socket addresses first: dbus-next leaks its socket when the constructor's connect fails."""
    err: OSError | None = None
    for part in address.split(";"):
        transport, _, opts = part.partition(":")
        options = dict(kv.partition("=")[::2] for kv in opts.split(",") if kv)
        path = options.get("path") or ("\0" + options["abstract"] if options.get("abstract") else "")
        if transport != "unix" or not path:
            return  # another transport: let dbus-next try it
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
            probe.settimeout(2.0)
            try:
                probe.connect(path)
                return
            except OSError as exc:
                err = exc
    if err is not None:
        raise BusUnavailable(
            N_("no system bus ({label}: {strerror})").format(label=label, strerror=err.strerror or err)
        )


def plain(value: Any) -> Any:
    """Unwrap dbus-next Variants recursively: a{sv} becomes a dict of Python values."""
    if isinstance(value, Variant):
        return plain(value.value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def short_message(message: str) -> str:
    """One line of a D-Bus error message: services written with dbus-python send whole Python tracebacks."""
    lines = [line.strip() for line in message.strip().splitlines() if line.strip()]
    if not lines:
        return ""
    return lines[-1] if lines[0].startswith("Traceback (most recent call last)") else lines[0]


def unavailable_reason(who: str, err: BusCallError) -> str:
    """One sentence for a service that did not answer: absence is normal and said quietly."""
    msg = short_message(err.message)
    if err.name == SERVICE_UNKNOWN:
        return N_("{who} is not installed or not running ({msg})").format(who=who, msg=msg)
    if err.name == NAME_HAS_NO_OWNER:
        return N_("{who} is not running ({msg})").format(who=who, msg=msg)
    if err.name == ACCESS_DENIED:
        return N_("access to {who} denied: {msg}").format(who=who, msg=msg)
    if err.name in (ERROR_TIMEOUT, ERROR_DISCONNECTED):
        return msg
    return N_("{who} answered {name}: {msg}").format(who=who, name=err.name, msg=msg)


class SystemBus:
    """One connection to the system bus; every call has a timeout and fails as BusCallError."""

    def __init__(self, bus: MessageBus, address: str, timeout_s: float) -> None:
        self._bus = bus
        self.address = address
        self.timeout_s = timeout_s
        self._handlers: list[Callable[[BusSignal], None]] = []
        bus.add_message_handler(self._on_message)

    @classmethod
    async def connect(cls, address: str | None = None, timeout_s: float = 10.0) -> SystemBus:
        """Connect and say Hello; raises BusUnavailable with the reason (missing socket, refused, no answer)."""
        addr = address or system_bus_address()
        label = _address_label(addr)
        _probe_socket(addr, label)
        try:
            # The constructor connects the socket (a local unix socket: it never blocks for long).
            bus = MessageBus(bus_address=addr, bus_type=BusType.SYSTEM)
        except OSError as exc:
            raise BusUnavailable(
                N_("no system bus ({label}: {strerror})").format(label=label, strerror=exc.strerror or exc)
            ) from exc
        except Exception as exc:  # dbus-next raises InvalidAddressError and plain Exceptions here
            raise BusUnavailable(N_("no system bus ({label}: {exc})").format(label=label, exc=exc)) from exc
        conn = cls(bus, addr, timeout_s)
        try:
            await asyncio.wait_for(bus.connect(), timeout_s)
        except asyncio.TimeoutError as exc:
            await conn.aclose()
            raise BusUnavailable(
                N_("system bus at {label} did not answer within {timeout_s:g} s").format(
                    label=label, timeout_s=timeout_s
                )
            ) from exc
        except Exception as exc:  # authentication refused, connection reset
            await conn.aclose()
            raise BusUnavailable(
                N_("cannot connect to the system bus at {label}: {exc}").format(label=label, exc=exc)
            ) from exc
        return conn

    @property
    def connected(self) -> bool:
        return bool(self._bus.connected)

    @property
    def unique_name(self) -> str:
        return str(self._bus.unique_name)

    async def aclose(self) -> None:
        """Disconnect and close the socket: dbus-next 0.2 only shuts it down and leaves the fd to the GC."""
        try:
            if self._bus.connected:
                self._bus.disconnect()  # type: ignore[no-untyped-call]
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self.wait_closed(), 1.0)
        finally:
            for obj in (getattr(self._bus, "_stream", None), getattr(self._bus, "_sock", None)):
                try:
                    if obj is not None:
                        obj.close()
                except OSError:  # flushing into a socket that is already shut down
                    pass

    async def wait_closed(self) -> None:
        """Until the connection ends (cancelling this does not cancel dbus-next's own disconnect future)."""
        try:
            await asyncio.shield(self._bus.wait_for_disconnect())  # type: ignore[no-untyped-call]
        except asyncio.CancelledError:
            raise
        except Exception:  # a connection reset ends it just the same
            return

    def on_signal(self, handler: Callable[[BusSignal], None]) -> None:
        self._handlers.append(handler)

    def _on_message(self, msg: Message) -> bool:
        if msg.message_type != MessageType.SIGNAL:
            return False
        sig = BusSignal(
            msg.sender or "", msg.path or "", msg.interface or "", msg.member or "", tuple(plain(b) for b in msg.body)
        )
        for handler in list(self._handlers):
            handler(sig)
        return False

    async def call(
        self,
        dest: str,
        path: str,
        interface: str,
        member: str,
        signature: str = "",
        body: Sequence[Any] = (),
        timeout_s: float | None = None,
    ) -> list[Any]:
        """The reply body with variants unwrapped; raises BusCallError with the service's own error."""
        timeout = self.timeout_s if timeout_s is None else timeout_s
        msg = Message(
            destination=dest,
            path=path,
            interface=interface,
            member=member,
            signature=signature,
            body=list(body),
            flags=MessageFlag.NONE,
        )
        try:
            reply = await asyncio.wait_for(self._bus.call(msg), timeout)
        except asyncio.TimeoutError as exc:
            raise BusCallError(
                ERROR_TIMEOUT,
                N_("{dest} did not answer {member} within {timeout:g} s (it may be busy or hung)").format(
                    dest=dest, member=member, timeout=timeout
                ),
            ) from exc
        except Exception as exc:  # the connection went away under the call
            raise BusCallError(ERROR_DISCONNECTED, N_("system bus connection lost ({exc})").format(exc=exc)) from exc
        if reply is None:
            return []
        if reply.message_type == MessageType.ERROR:
            text = reply.body[0] if reply.body and isinstance(reply.body[0], str) else ""
            raise BusCallError(reply.error_name or "org.freedesktop.DBus.Error.Failed", text)
        return [plain(b) for b in reply.body]

    async def get_all(self, dest: str, path: str, interface: str) -> dict[str, Any]:
        body = await self.call(dest, path, PROPERTIES, "GetAll", "s", [interface])
        props = body[0] if body else {}
        return dict(props) if isinstance(props, dict) else {}

    async def set_property(self, dest: str, path: str, interface: str, name: str, signature: str, value: Any) -> None:
        await self.call(dest, path, PROPERTIES, "Set", "ssv", [interface, name, Variant(signature, value)])

    async def add_match(self, rule: str) -> None:
        await self.call(DBUS, DBUS_PATH, DBUS, "AddMatch", "s", [rule])

    async def name_owner(self, name: str) -> str | None:
        try:
            body = await self.call(DBUS, DBUS_PATH, DBUS, "GetNameOwner", "s", [name])
        except BusCallError as err:
            if err.name == NAME_HAS_NO_OWNER:
                return None
            raise
        return str(body[0]) if body else None

    async def activatable_names(self) -> frozenset[str]:
        body = await self.call(DBUS, DBUS_PATH, DBUS, "ListActivatableNames")
        return frozenset(str(n) for n in (body[0] if body else []))
