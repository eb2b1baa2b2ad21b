"""BlueZ over the system bus: each Bluetooth adapter (org.bluez.Adapter1) as the desktop sees it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from hwinspector.probes.services.core import BusCallError, SystemBus, unavailable_reason
from hwinspector.probes.wireless.bluez import BluezAdapter, BluezInfo

BLUEZ = "org.bluez"
ADAPTER = "org.bluez.Adapter1"
OBJECT_MANAGER = "org.freedesktop.DBus.ObjectManager"


def _b(props: Mapping[str, Any], key: str) -> bool | None:
    v = props.get(key)
    return v if isinstance(v, bool) else None


def _s(props: Mapping[str, Any], key: str) -> str | None:
    v = props.get(key)
    return v if isinstance(v, str) and v else None


def decode_objects(objects: Mapping[str, Any]) -> BluezInfo:
    adapters = []
    for path, ifaces in sorted(objects.items()):
        if not isinstance(ifaces, dict) or ADAPTER not in ifaces or not isinstance(ifaces[ADAPTER], dict):
            continue
        p = ifaces[ADAPTER]
        known = sum(1 for other in objects if isinstance(other, str) and other.startswith(f"{path}/dev_"))
        adapters.append(
            BluezAdapter(
                str(path).rsplit("/", 1)[-1], str(path), _s(p, "Address"), _s(p, "Alias") or _s(p, "Name"),
                _b(p, "Powered"), _s(p, "PowerState"), _b(p, "Discoverable"), known,
            )
        )  # fmt: skip
    return BluezInfo(True, None, tuple(adapters))


async def read_bluez(bus: SystemBus) -> BluezInfo:
    try:
        body = await bus.call(BLUEZ, "/", OBJECT_MANAGER, "GetManagedObjects")
    except BusCallError as err:
        return BluezInfo(False, unavailable_reason("BlueZ (bluetoothd)", err))
    objects = body[0] if body and isinstance(body[0], dict) else {}
    return decode_objects(objects)
