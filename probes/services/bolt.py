"""boltd (the Thunderbolt device manager) over the system bus: security level, auth mode, stored devices."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hwinspector.probes.services.core import BusCallError, SystemBus, unavailable_reason
from hwinspector.probes.usbc.thunderbolt import BoltDevice, BoltInfo

BOLT = "org.freedesktop.bolt"
BOLT_PATH = "/org/freedesktop/bolt"
MANAGER = "org.freedesktop.bolt1.Manager"
DEVICE = "org.freedesktop.bolt1.Device"


def _str(props: Mapping[str, Any], key: str) -> str | None:
    v = props.get(key)
    return str(v) if isinstance(v, str) and v else None


def _int(props: Mapping[str, Any], key: str) -> int | None:
    v = props.get(key)
    return v if isinstance(v, int) and not isinstance(v, bool) else None


def decode_bolt_device(props: Mapping[str, Any]) -> BoltDevice | None:
    uid = _str(props, "Uid")
    if uid is None:
        return None
    stored = props.get("Stored")
    return BoltDevice(
        uid=uid,
        name=_str(props, "Name"),
        vendor=_str(props, "Vendor"),
        status=_str(props, "Status"),
        stored=stored if isinstance(stored, bool) else None,
        policy=_str(props, "Policy"),
        key=_str(props, "Key"),
        generation=_int(props, "Generation"),
    )


async def read_bolt(bus: SystemBus) -> BoltInfo:
    """boltd's manager and every device it knows (connected or stored); unavailable says why."""
    try:
        mgr = await bus.get_all(BOLT, BOLT_PATH, MANAGER)
        body = await bus.call(BOLT, BOLT_PATH, MANAGER, "ListDevices")
    except BusCallError as err:
        return BoltInfo(False, unavailable_reason("boltd", err))
    devices = []
    for path in body[0] if body and isinstance(body[0], list) else []:
        try:
            props = await bus.get_all(BOLT, str(path), DEVICE)
        except BusCallError:
            continue  # the device went away between the list and the read
        dev = decode_bolt_device(props)
        if dev is not None:
            devices.append(dev)
    return BoltInfo(
        True,
        None,
        _int(mgr, "Version"),
        _str(mgr, "AuthMode"),
        _str(mgr, "DefaultPolicy"),
        _str(mgr, "SecurityLevel"),
        tuple(devices),
    )
