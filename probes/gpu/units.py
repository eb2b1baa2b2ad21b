"""How a reading key's unit and quantity are shown: ``temperature_c`` is °C, ``clock_mhz`` MHz."""

from __future__ import annotations

from hwinspector.i18n import N_

UNITS = {
    "c": "°C",
    "mhz": "MHz",
    "mv": "mV",
    "ma": "mA",
    "w": "W",
    "j": "J",
    "ms": "ms",
    "rpm": "rpm",
    "percent": "%",
    "mib": "MiB",
    "gts": "GT/s",
    "lanes": N_("lanes"),
}
QUANTITIES = {
    "busy": N_("Busy"),
    "temperature": N_("Temperature"),
    "clock": N_("Clock"),
    "voltage": N_("Voltage"),
    "current": N_("Current"),
    "power": N_("Power"),
    "energy": N_("Energy"),
    "fan": N_("Fan"),
    "fan_pwm": N_("Fan duty"),
    "memory": N_("Memory"),
    "residency": N_("Residency"),
    "link": N_("Link"),
}


def split_key(key: str) -> tuple[str, str, str]:
    """``temperature_c.junction`` → ("temperature", "c", "junction"); the domain is "" where there is none."""
    head, _, domain = key.partition(".")
    quantity, _, unit = head.rpartition("_")
    return quantity, unit, domain


def unit_of(key: str) -> str:
    return UNITS.get(split_key(key)[1], "")


def format_value(key: str, value: float) -> str:
    unit = unit_of(key)
    text = f"{value:.0f}" if abs(value) >= 100 or value == int(value) else f"{value:.2f}".rstrip("0").rstrip(".")
    return f"{text} {unit}" if unit else text
