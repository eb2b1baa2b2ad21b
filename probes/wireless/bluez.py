"""BlueZ's view of the Bluetooth adapters (read over D-Bus by probes.services.bluez)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class BluezAdapter:
    name: str  # "hci0", the last part of the object path
    path: str
    address: str | None
    alias: str | None
    powered: bool | None
    power_state: str | None  # "on", "off", "off-blocked" (rfkill), "on-disabling", … (BlueZ 5.64+)
    discoverable: bool | None
    devices: int = 0  # paired or known devices under this adapter


@dataclass(frozen=True, slots=True)
class BluezInfo:
    running: bool
    reason: str | None
    adapters: tuple[BluezAdapter, ...] = ()

    def adapter(self, hci: str) -> BluezAdapter | None:
        return next((a for a in self.adapters if a.name == hci), None)
