"""Finding GPUs: class/drm/cardN, its device (a link, or a plain folder in captures) and its render node."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from hwinspector.probes.sysfs_attr import link_name, optional_text, parse_int

_CARD = re.compile(r"^card(\d+)$")
_RENDER = re.compile(r"^renderD(\d+)$")


@dataclass(frozen=True, slots=True)
class GpuDevice:
    """Where one GPU's attributes are: the card directory and its device directory."""

    card: str  # card1
    card_dir: Path
    device_dir: Path
    pci_address: str
    driver: str | None
    vendor_id: int | None
    device_id: int | None
    render_node: str | None


def _uevent(path: Path) -> dict[str, str]:
    text = optional_text(path / "uevent") or ""
    return {k: v for k, sep, v in (line.partition("=") for line in text.splitlines()) if sep}


def _render_node(drm: Path, device_dir: Path, names: list[str]) -> str | None:
    """The renderD node whose device is ours: the kernel's drm/ folder under the device, else the class
    links compared by real path (captured trees keep neither, then it is unknown)."""
    try:
        own = sorted(n for n in os.listdir(device_dir / "drm") if _RENDER.match(n))
    except OSError:
        own = []
    if own:
        return own[0]
    real = os.path.realpath(device_dir)
    for name in names:
        if _RENDER.match(name) and os.path.realpath(drm / name / "device") == real:
            return name
    return None


def list_gpu_devices(sysfs: Path = Path("/sys")) -> list[GpuDevice]:
    """Every DRM card with a device, in card order. Reads only uevent, vendor and device: attributes the
    PCI core answers from config space it caches, never the GPU driver, so nothing here wakes a GPU."""
    drm = sysfs / "class" / "drm"
    try:
        names = sorted(os.listdir(drm))
    except OSError:
        return []
    cards = sorted((n for n in names if _CARD.match(n)), key=lambda n: int(n[4:]))
    out: list[GpuDevice] = []
    seen: set[str] = set()
    for card in cards:
        card_dir = drm / card
        device_dir = card_dir / "device"
        if not device_dir.is_dir():
            continue  # a card without a device (vkms, a stale link)
        real = os.path.realpath(device_dir)
        if real in seen:
            continue
        seen.add(real)
        props = _uevent(device_dir)
        pci_id = props.get("PCI_ID", "")
        vendor = parse_int(optional_text(device_dir / "vendor") or "") or _hex_part(pci_id, 0)
        dev_id = parse_int(optional_text(device_dir / "device") or "") or _hex_part(pci_id, 1)
        out.append(
            GpuDevice(
                card=card,
                card_dir=card_dir,
                device_dir=device_dir,
                pci_address=props.get("PCI_SLOT_NAME") or Path(real).name,
                # The driver link where the kernel made one; captured trees keep only DRIVER= in uevent.
                driver=link_name(device_dir / "driver") or props.get("DRIVER"),
                vendor_id=vendor,
                device_id=dev_id,
                render_node=_render_node(drm, device_dir, names),
            )
        )
    return out


def _hex_part(pci_id: str, i: int) -> int | None:
    parts = pci_id.split(":")
    try:
        return int(parts[i], 16) if len(parts) == 2 else None
    except ValueError:
        return None


def hwmon_dirs(device_dir: Path) -> Iterator[Path]:
    """The device's hwmon/hwmonN folders (listing a directory calls no driver code)."""
    try:
        entries = sorted(os.scandir(device_dir / "hwmon"), key=lambda e: e.name)
    except OSError:
        return
    for e in entries:
        if e.name.startswith("hwmon"):
            yield Path(e.path)
