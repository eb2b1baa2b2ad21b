"""Vendor, device and class names from the system's pci.ids and usb.ids (the hwdata files)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

# Debian/Ubuntu ship them in /usr/share/misc (hwdata links /usr/share/hwdata to it); Fedora and Arch
# in /usr/share/hwdata.
DEFAULT_DIRS = (Path("/usr/share/hwdata"), Path("/usr/share/misc"), Path("/usr/share/pci.ids").parent)


@dataclass(slots=True)
class IdsTable:
    """One parsed ids file: vendors with their devices, and the class tree."""

    vendors: dict[int, str] = field(default_factory=dict)
    devices: dict[tuple[int, int], str] = field(default_factory=dict)
    subsystems: dict[tuple[int, int, int, int], str] = field(default_factory=dict)
    classes: dict[tuple[int, ...], str] = field(default_factory=dict)


def parse_ids(text: str) -> IdsTable:
    """Parse the pci.ids/usb.ids format: tab depth gives the level, ``C`` opens the class section.

    usb.ids also has sections (AT, HID, L, …) after the classes; anything at depth 0 that is not a
    vendor or a ``C`` line closes the current section, so their entries never leak into vendors.
    """
    table = IdsTable()
    vendor: int | None = None
    device: int | None = None
    cls: list[int] = []
    in_classes = False
    for raw in text.splitlines():
        if not raw or raw.startswith("#"):
            continue
        depth = len(raw) - len(raw.lstrip("\t"))
        line = raw.strip()
        head, _, name = line.partition(" ")
        name = name.strip()
        try:
            if depth == 0:
                vendor = device = None
                in_classes = False
                if head == "C":
                    code, _, cname = name.partition(" ")
                    cls = [int(code, 16)]
                    table.classes[tuple(cls)] = cname.strip()
                    in_classes = True
                elif len(head) == 4:
                    vendor = int(head, 16)
                    table.vendors[vendor] = name
            elif in_classes:
                cls = [*cls[:depth], int(head, 16)]
                table.classes[tuple(cls)] = name
            elif vendor is not None and depth == 1:
                device = int(head, 16)
                table.devices[(vendor, device)] = name
            elif vendor is not None and device is not None and depth == 2:
                sv, _, rest = line.partition(" ")
                sd, _, sname = rest.strip().partition(" ")
                table.subsystems[(vendor, device, int(sv, 16), int(sd, 16))] = sname.strip()
        except ValueError:
            # A malformed line in a distribution's ids file must not hide every other name.
            continue
    return table


class HardwareDatabase:
    """Lazily loaded pci.ids and usb.ids; lookups return None for unknown ids."""

    def __init__(self, search_dirs: tuple[Path, ...] = DEFAULT_DIRS) -> None:
        self._dirs = search_dirs
        self._tables: dict[str, IdsTable] = {}
        self._lock = threading.Lock()

    def _table(self, kind: str) -> IdsTable:
        with self._lock:
            table = self._tables.get(kind)
            if table is None:
                table = IdsTable()
                for d in self._dirs:
                    p = d / f"{kind}.ids"
                    try:
                        table = parse_ids(p.read_text(encoding="utf-8", errors="replace"))
                    except OSError:
                        continue
                    break
                self._tables[kind] = table
            return table

    def available(self, kind: str) -> bool:
        return bool(self._table(kind).vendors)

    def vendor(self, kind: str, vendor: int) -> str | None:
        return self._table(kind).vendors.get(vendor)

    def device(self, kind: str, vendor: int, device: int) -> str | None:
        return self._table(kind).devices.get((vendor, device))

    def subsystem(self, kind: str, vendor: int, device: int, sv: int, sd: int) -> str | None:
        return self._table(kind).subsystems.get((vendor, device, sv, sd))

    def pci_class(self, base: int, sub: int | None = None, prog_if: int | None = None) -> str | None:
        return _most_specific(self._table("pci").classes, base, sub, prog_if)

    def usb_class(self, cls: int, sub: int | None = None, proto: int | None = None) -> str | None:
        return _most_specific(self._table("usb").classes, cls, sub, proto)


def _most_specific(classes: dict[tuple[int, ...], str], *codes: int | None) -> str | None:
    """Name of the deepest known class level: prog-if, else subclass, else base class."""
    known: list[int] = []
    for c in codes:
        if c is None:
            break
        known.append(c)
    for n in range(len(known), 0, -1):
        name = classes.get(tuple(known[:n]))
        if name:
            return name
    return None


_default: HardwareDatabase | None = None


def default_database() -> HardwareDatabase:
    """The process-wide database over the system's ids files."""
    global _default
    if _default is None:
        _default = HardwareDatabase()
    return _default
