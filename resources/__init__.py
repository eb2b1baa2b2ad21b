"""Icons and style sheets shipped with the application."""

from __future__ import annotations

from pathlib import Path

RESOURCES_DIR = Path(__file__).resolve().parent


def icon_path(name: str) -> Path:
    """Path of a bundled SVG icon by base name (``ok``, ``warning``, ``error`` …)."""
    return RESOURCES_DIR / "icons" / f"{name}.svg"
