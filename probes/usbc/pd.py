"""USB Power Delivery: the Power Data Objects of a port or partner, and the contract a UCSI controller reports.

Documentation/ABI/testing/sysfs-class-usb_power_delivery: ``pdN`` with ``source-capabilities`` and
``sink-capabilities``, each holding ``<position>:<type>`` objects whose attributes carry their unit
("5000mV", "3000mA", "65000mW"); drivers/usb/typec/ucsi/psy.c: ``ucsi-source-psy-<controller><n>``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from hwinspector.probes.devices.tree import Device

_PDO = re.compile(r"^(\d+):(\w+)$")


@dataclass(frozen=True, slots=True)
class Pdo:
    position: int
    kind: str  # "fixed_supply" | "variable_supply" | "battery" | "programmable_supply" | …
    voltage_mv: int | None  # fixed supplies
    min_voltage_mv: int | None
    max_voltage_mv: int | None
    current_ma: int | None  # maximum (source) or operational (sink) current
    power_mw: int | None  # battery supplies

    def text(self) -> str:
        if self.voltage_mv is not None:
            volts = f"{self.voltage_mv / 1000:g} V"
        elif self.min_voltage_mv is not None and self.max_voltage_mv is not None:
            volts = f"{self.min_voltage_mv / 1000:g} to {self.max_voltage_mv / 1000:g} V"
        else:
            volts = "? V"
        amps = f" {self.current_ma / 1000:g} A" if self.current_ma is not None else ""
        watts = f" {self.power_mw / 1000:g} W" if self.power_mw is not None else ""
        kind = {"fixed_supply": "fixed", "variable_supply": "variable", "programmable_supply": "PPS"}.get(
            self.kind, self.kind.replace("_", " ")
        )
        return f"{kind} {volts}{amps}{watts}"

    @property
    def max_power_w(self) -> float | None:
        if self.power_mw is not None:
            return self.power_mw / 1000
        v = self.voltage_mv or self.max_voltage_mv
        return v * self.current_ma / 1e6 if v is not None and self.current_ma is not None else None


@dataclass(frozen=True, slots=True)
class PowerDelivery:
    name: str  # "pd0"
    revision: str | None
    source: tuple[Pdo, ...] | None  # None: no source-capabilities object at all
    sink: tuple[Pdo, ...] | None


@dataclass(frozen=True, slots=True)
class Contract:
    """What a UCSI controller reports about the power flowing in (power_supply ucsi-source-psy-*)."""

    name: str
    online: bool | None
    usb_type: str | None  # "C [PD] PD_PPS": the bracketed one is in use
    voltage_now_v: float | None
    current_now_a: float | None
    voltage_max_v: float | None
    current_max_a: float | None

    @property
    def power_max_w(self) -> float | None:
        if self.voltage_max_v is None or self.current_max_a is None:
            return None
        return self.voltage_max_v * self.current_max_a


def unit_value(value: str | None) -> int | None:
    """``5000mV``, ``3000mA``, ``65000mW`` (the pd class prints its unit) -> the number."""
    if value is None:
        return None
    m = re.match(r"^\s*(\d+)", value)
    return int(m[1]) if m else None


def power_delivery(pd_dev: Device, children: Mapping[str, list[Device]]) -> PowerDelivery:
    caps: dict[str, tuple[Pdo, ...]] = {}
    for cap in children.get(pd_dev.path, []):
        if cap.sysname not in ("source-capabilities", "sink-capabilities"):
            continue
        pdos = []
        for p in children.get(cap.path, []):
            m = _PDO.match(p.sysname)
            if m is None:
                continue
            a = p.attributes
            pdos.append(
                Pdo(
                    int(m[1]),
                    m[2],
                    unit_value(a.get("voltage")),
                    unit_value(a.get("minimum_voltage")),
                    unit_value(a.get("maximum_voltage")),
                    unit_value(a.get("maximum_current") or a.get("operational_current")),
                    unit_value(a.get("maximum_power") or a.get("operational_power")),
                )
            )
        caps[cap.sysname] = tuple(sorted(pdos, key=lambda p: p.position))
    return PowerDelivery(
        pd_dev.sysname,
        (pd_dev.attributes.get("revision") or "").strip() or None,
        caps.get("source-capabilities"),
        caps.get("sink-capabilities"),
    )


def _int(value: str | None) -> int | None:
    try:
        return int(value.strip()) if value is not None else None
    except ValueError:
        return None


def _psy_value(dev: Device, name: str, scale: float) -> float | None:
    raw = dev.attributes.get(name) or dev.properties.get(f"POWER_SUPPLY_{name.upper()}")
    n = _int(raw)
    return n / scale if n is not None else None


def contract_of(dev: Device) -> Contract:
    online = dev.attributes.get("online") or dev.properties.get("POWER_SUPPLY_ONLINE")
    return Contract(
        dev.sysname,
        None if online is None else online.strip() == "1",
        dev.attributes.get("usb_type") or dev.properties.get("POWER_SUPPLY_USB_TYPE"),
        _psy_value(dev, "voltage_now", 1e6),
        _psy_value(dev, "current_now", 1e6),
        _psy_value(dev, "voltage_max", 1e6),
        _psy_value(dev, "current_max", 1e6),
    )
