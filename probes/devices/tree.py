"""The device model and the live reader: every device under /sys/devices, with udev's view where known."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from hwinspector.probes.devices.naming import device_kind, device_name

# Attributes never read: side effects (bind, remove, rescan, reset), hardware access that can take
# seconds or hang (PCI ROM and VPD reads go to the device), mmap-only BARs (resourceN reads fail).
_SKIP_ATTRS = frozenset({"uevent", "remove", "rescan", "reset", "bind", "unbind", "new_id", "remove_id", "rom", "vpd"})
_SKIP_PREFIXES = ("resource",)
# Attributes that are binary by definition; others become binary when they do not decode as text.
_BINARY_ATTRS = frozenset({"config", "descriptors", "edid", "bos_descriptors", "report_descriptor"})
MAX_ATTR_BYTES = 4096


def udev_daemon_running(run: Path = Path("/run/udev")) -> bool:
    """udevd leaves its control socket in /run/udev; without it there is no udev database either."""
    return (run / "control").exists() or (run / "data").is_dir()


@dataclass(frozen=True, slots=True)
class Device:
    """One device: a directory under /sys/devices that has a ``uevent`` file, or a dump record."""

    path: str  # udev devpath, "/devices/…", no /sys prefix
    parent: str | None  # devpath of the nearest ancestor that is itself a device
    subsystem: str | None
    devtype: str | None
    driver: str | None
    name: str
    kind: str  # the group people think in: "Display adapters", "Network", …
    properties: Mapping[str, str] = field(default_factory=dict)
    attributes: Mapping[str, str] = field(default_factory=dict)
    binary_attributes: Mapping[str, str] = field(default_factory=dict)  # name -> hex
    module: str | None = None
    errors: tuple[str, ...] = ()  # per-attribute read failures, "name: EIO (Input/output error)"

    @property
    def sysname(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    @property
    def devnode(self) -> str | None:
        return self.properties.get("DEVNAME")

    @property
    def modalias(self) -> str | None:
        return self.properties.get("MODALIAS") or self.attributes.get("modalias") or None

    def to_json(self) -> dict[str, object]:
        return {
            "path": self.path,
            "parent": self.parent,
            "subsystem": self.subsystem,
            "devtype": self.devtype,
            "driver": self.driver,
            "module": self.module,
            "name": self.name,
            "kind": self.kind,
            "properties": dict(self.properties),
            "attributes": dict(self.attributes),
            "binary_attributes": dict(self.binary_attributes),
            "errors": list(self.errors),
        }


def make_device(
    path: str,
    parent: str | None,
    properties: Mapping[str, str],
    attributes: Mapping[str, str] | None = None,
    binary_attributes: Mapping[str, str] | None = None,
    *,
    subsystem: str | None = None,
    driver: str | None = None,
    module: str | None = None,
    errors: Iterable[str] = (),
) -> Device:
    """Build a Device from raw properties and attributes, deriving name and kind the same way for
    every source (live sysfs, a udev dump, a umockdev recording, a bundle)."""
    attrs = dict(attributes or {})
    props = dict(properties)
    subsystem = subsystem or props.get("SUBSYSTEM") or None
    driver = driver or props.get("DRIVER") or None
    devtype = props.get("DEVTYPE") or None
    sysname = path.rsplit("/", 1)[-1]
    return Device(
        path=path,
        parent=parent,
        subsystem=subsystem,
        devtype=devtype,
        driver=driver,
        name=device_name(subsystem, devtype, sysname, props, attrs),
        kind=device_kind(path, subsystem, devtype, props, attrs),
        properties=props,
        attributes=attrs,
        binary_attributes=dict(binary_attributes or {}),
        module=module,
        errors=tuple(errors),
    )


def nearest_parent(path: str, known: Mapping[str, object] | set[str]) -> str | None:
    """Devpath of the nearest ancestor of ``path`` that is in ``known``."""
    p = path
    while True:
        p = p.rsplit("/", 1)[0]
        if not p or p == "/devices":
            return None
        if p in known:
            return p


def errno_text(exc: OSError) -> str:
    name = errno.errorcode.get(exc.errno or 0, "error")
    return f"{name} ({exc.strerror or exc})"


def _readlink_name(p: Path | str) -> str | None:
    try:
        return os.readlink(p).rsplit("/", 1)[-1]
    except OSError:
        return None


def _parse_keyvals(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and key:
            out[key] = value
    return out


def read_attribute(path: Path | str, binary: bool = False) -> tuple[str | None, str | None, str | None]:
    """Read one sysfs attribute: (text, hex, error). Exactly one of them is set.

    Non-UTF-8 or NUL-carrying content is returned as hex so nothing is lost or mangled.
    """
    # os.open/os.read, not open(): a live snapshot reads ~2,000 attributes, and the file object's
    # set-up was a third of that time (issue 18: data on screen within 6x a bare window).
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError as exc:
        return None, None, errno_text(exc)
    try:
        data = os.read(fd, MAX_ATTR_BYTES)
    except OSError as exc:
        return None, None, errno_text(exc)
    finally:
        os.close(fd)
    if not binary and b"\0" not in data:
        try:
            return data.decode("utf-8").rstrip("\n"), None, None
        except UnicodeDecodeError:
            pass
    return None, data.hex(), None


def read_device_dir(
    sysfs: Path, devpath: str, parent: str | None, udev_db: Path | None, *, attributes: bool = True
) -> Device:
    """Read one device directory; raises FileNotFoundError when it vanished before we got to it."""
    # plain strings, not Path objects: this runs for every device of a live snapshot
    d = f"{sysfs}/{devpath.lstrip('/')}"
    fd = os.open(f"{d}/uevent", os.O_RDONLY | os.O_CLOEXEC)
    try:
        uevent = os.read(fd, 65536).decode("utf-8", "replace")
    finally:
        os.close(fd)
    props = {"DEVPATH": devpath, **_parse_keyvals(uevent)}
    subsystem = _readlink_name(f"{d}/subsystem")
    if subsystem:
        props.setdefault("SUBSYSTEM", subsystem)
    driver = _readlink_name(f"{d}/driver")
    if driver:
        props.setdefault("DRIVER", driver)
    module = _readlink_name(f"{d}/driver/module") if driver else None
    if udev_db is not None:
        props.update(read_udev_db_entry(udev_db, devpath, props))
    attrs: dict[str, str] = {}
    binattrs: dict[str, str] = {}
    errors: list[str] = []
    if attributes:
        for name, text, hexdata, err in _iter_attributes(d):
            if err is not None:
                errors.append(f"{name}: {err}")
            elif hexdata is not None:
                binattrs[name] = hexdata
            elif text is not None:
                attrs[name] = text
    return make_device(
        devpath,
        parent,
        props,
        attrs,
        binattrs,
        subsystem=subsystem,
        driver=driver,
        module=module,
        errors=errors,
    )


def _iter_attributes(d: str) -> Iterator[tuple[str, str | None, str | None, str | None]]:
    try:
        entries = list(os.scandir(d))
    except OSError as exc:
        yield ".", None, None, errno_text(exc)
        return
    for e in sorted(entries, key=lambda e: e.name):
        name = e.name
        if name in _SKIP_ATTRS or name.startswith(_SKIP_PREFIXES):
            continue
        try:
            st = e.stat(follow_symlinks=False)
        except OSError:
            continue
        # Write-only attributes (mode 0200) would fail or, worse, block: only read readable regular files.
        if not stat.S_ISREG(st.st_mode) or not st.st_mode & 0o444:
            continue
        text, hexdata, err = read_attribute(e.path, binary=name in _BINARY_ATTRS)
        yield name, text, hexdata, err


def udev_db_id(devpath: str, props: Mapping[str, str]) -> str:
    """The name udev gives a device's database file in /run/udev/data (see udev's device-private.c)."""
    sysname = devpath.rsplit("/", 1)[-1]
    major, minor = props.get("MAJOR"), props.get("MINOR")
    if major and minor:
        kind = "b" if props.get("SUBSYSTEM") == "block" else "c"
        return f"{kind}{major}:{minor}"
    if props.get("SUBSYSTEM") == "net" and props.get("IFINDEX"):
        return f"n{props['IFINDEX']}"
    return f"+{props.get('SUBSYSTEM', '')}:{sysname}"


def read_udev_db_entry(udev_db: Path, devpath: str, props: Mapping[str, str]) -> dict[str, str]:
    """Properties udev stored for a device (``E:`` lines); empty when it stored none."""
    try:
        text = (udev_db / udev_db_id(devpath, props)).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return {}
    out: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("E:"):
            key, sep, value = line[2:].partition("=")
            if sep:
                out[key] = value
    return out


def list_device_paths(sysfs: Path = Path("/sys")) -> list[str]:
    """Every devpath under /sys/devices, parents before children, without following symlinks."""
    root = str(sysfs / "devices")
    out: list[str] = []
    stack = [root]
    base = len(str(sysfs))
    while stack:
        d = stack.pop()
        try:
            entries = list(os.scandir(d))
        except OSError:
            continue  # vanished or unreadable: its devices are simply not there any more
        subdirs = []
        for e in entries:
            if e.name == "uevent" and d != root:
                out.append(d[base:])
            elif e.is_dir(follow_symlinks=False):
                subdirs.append(e.path)
        stack.extend(sorted(subdirs, reverse=True))
    return out


def read_devices(
    sysfs: Path = Path("/sys"), udev_db: Path | None = Path("/run/udev/data"), *, attributes: bool = True
) -> list[Device]:
    """Read every device from sysfs; a device that vanishes mid-read is left out, never fatal."""
    db = udev_db if udev_db is not None and udev_db.is_dir() else None
    paths = list_device_paths(sysfs)
    known: set[str] = set()
    devices: list[Device] = []
    for p in paths:
        parent = nearest_parent(p, known)
        try:
            dev = read_device_dir(sysfs, p, parent, db, attributes=attributes)
        except OSError:
            continue  # removed between listing and reading (hot-unplug): not an error
        known.add(p)
        devices.append(dev)
    return devices
