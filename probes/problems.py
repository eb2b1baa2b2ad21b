"""A problem found on one link of a chain (USB-C, Thunderbolt, wireless): what, where, how bad."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    severity: str  # "error" | "warning" | "info"
    subject: str  # a port name ("port0"), a device ("0-1"), or the subsystem ("usbc")
    detail: str
