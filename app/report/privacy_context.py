"""The identifiers a machine is known to have, gathered before capture so plain mentions get masked too."""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import socket
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from hwinspector.probes.devices.tree import Device
from hwinspector.probes.graphics.edid.decode import decode_edid
from hwinspector.report.privacy_rules import (
    SYSTEM_USERS,
    hint_category,
    is_placeholder,
    key_category,
    whole_value_identifies,
)

# sysfs attribute names that hold a serial; the category comes from where they live
_SERIAL_ATTRS = frozenset({"serial", "serial_number", "wwid", "wwn", "nguid", "eui", "product_serial", "board_serial"})
_DMI_FIELDS = (
    "product_serial",
    "board_serial",
    "chassis_serial",
    "product_uuid",
    "board_asset_tag",
    "chassis_asset_tag",
)
_MAX_WALK_DIRS = 200_000  # a pathological /sys (loops through bind mounts) must not stall a capture


@dataclass(frozen=True, slots=True)
class PrivacyContext:
    """(category, value) pairs known to identify this machine, in the order they were found."""

    known: tuple[tuple[str, str], ...] = ()

    def merged(self, other: PrivacyContext) -> PrivacyContext:
        return PrivacyContext((*self.known, *other.known))

    def values(self, category: str) -> list[str]:
        return [v for c, v in self.known if c == category]


def _read(p: Path) -> str | None:
    try:
        return p.read_text(encoding="utf-8", errors="replace").strip()
    except (OSError, ValueError):
        return None


def _udev_unescape(name: str) -> str:
    # udev escapes /dev/disk/by-label names: "My\x20Disk"
    return re.sub(r"\\x([0-9a-fA-F]{2})", lambda m: chr(int(m[1], 16)), name)


def _identity(etc: Path, procfs: Path, environ: dict[str, str]) -> Iterator[tuple[str, str]]:
    for p in (etc / "hostname", procfs / "sys/kernel/hostname"):
        if (h := _read(p)) and not is_placeholder(h):
            yield "hostname", h
    if etc == Path("/etc"):
        h = socket.gethostname()
        if h and not is_placeholder(h):
            yield "hostname", h
    passwd = _read(etc / "passwd") or ""
    for line in passwd.splitlines():
        parts = line.split(":")
        # uid 1000..60000: people (Debian policy 9.2.2); 65534 is nobody
        if len(parts) >= 6 and parts[2].isdigit() and 1000 <= int(parts[2]) < 60000:
            yield "user", parts[0]
            if parts[5].startswith("/home/") and parts[5] != f"/home/{parts[0]}":
                yield "home", parts[5].split("/")[2]
    current = {environ.get(k, "") for k in ("USER", "LOGNAME", "SUDO_USER")}
    if etc == Path("/etc"):
        with contextlib.suppress(KeyError):
            current.add(pwd.getpwuid(os.getuid()).pw_name)
    for u in sorted(current):
        if u and u not in SYSTEM_USERS:
            yield "user", u
    for p in (etc / "machine-id", etc.parent / "var/lib/dbus/machine-id"):
        if (m := _read(p)) and not is_placeholder(m):
            yield "machine_id", m
    if (b := _read(procfs / "sys/kernel/random/boot_id")) and not is_placeholder(b):
        yield "boot_id", b


def _network(sysfs: Path, etc: Path) -> Iterator[tuple[str, str]]:
    for cls, cat in (("net", "mac"), ("bluetooth", "bluetooth")):
        try:
            entries = sorted((sysfs / "class" / cls).iterdir())
        except OSError:
            continue
        for d in entries:
            for attr in ("address", "bdaddr"):
                a = _read(d / attr)
                if a and not is_placeholder(a) and len(re.sub(r"[^0-9a-fA-F]", "", a)) == 12:
                    yield cat, a
    try:
        # BlueZ keeps one directory per adapter and per paired device, named by address
        for adapter in sorted((etc.parent / "var/lib/bluetooth").iterdir()):
            yield "bluetooth", adapter.name
            for dev in sorted(adapter.iterdir()):
                if re.fullmatch(r"(?:[0-9A-F]{2}:){5}[0-9A-F]{2}", dev.name):
                    yield "bluetooth", dev.name
    except OSError:
        pass
    yield from _ssids(etc)


def _ssids(etc: Path) -> Iterator[tuple[str, str]]:
    try:
        conns = sorted((etc / "NetworkManager/system-connections").iterdir())
    except OSError:
        conns = []
    for f in conns:
        for line in (_read(f) or "").splitlines():
            if line.startswith("ssid="):
                yield "ssid", line[5:]
    try:
        iwd = sorted((etc.parent / "var/lib/iwd").iterdir())
    except OSError:
        iwd = []
    for f in iwd:
        if f.suffix in (".psk", ".open", ".8021x") and not f.stem.startswith("="):
            yield "ssid", f.stem
    for line in (_read(etc / "wpa_supplicant/wpa_supplicant.conf") or "").splitlines():
        m = re.match(r'\s*ssid="(.*)"\s*$', line)
        if m:
            yield "ssid", m[1]


def _hardware(sysfs: Path, run: Path, devfs: Path) -> Iterator[tuple[str, str]]:
    for f in _DMI_FIELDS:
        if (v := _read(sysfs / "class/dmi/id" / f)) and not is_placeholder(v):
            yield "dmi_serial", v
    try:
        supplies = sorted((sysfs / "class/power_supply").iterdir())
    except OSError:
        supplies = []
    for d in supplies:
        if (v := _read(d / "serial_number")) and not is_placeholder(v):
            yield "battery_serial", v
    yield from _walk_serials(sysfs)
    yield from _edid_serials(sysfs)
    try:
        db = sorted((run / "udev/data").iterdir())
    except OSError:
        db = []
    for entry in db:
        text = _read(entry) or ""
        for line in text.splitlines():
            if line.startswith("E:") and "=" in line:
                key, _, value = line[2:].partition("=")
                # udev names database files by device number: "b259:0" is a block device, "+usb:1-5" a bus one
                cat = key_category(key, f"/block/{entry.name}" if entry.name.startswith("b") else entry.name, "=")
                if cat is not None and whole_value_identifies(key, value) and not is_placeholder(value):
                    yield cat, value
    for sub, cat in (("by-uuid", "fs_uuid"), ("by-partuuid", "fs_uuid"), ("by-label", "fs_label")):
        try:
            for link in sorted((devfs / "disk" / sub).iterdir()):
                yield cat, _udev_unescape(link.name)
        except OSError:
            continue


def _walk_serials(sysfs: Path) -> Iterator[tuple[str, str]]:
    for seen, (root, dirs, files) in enumerate(os.walk(sysfs / "devices", followlinks=False)):
        if seen > _MAX_WALK_DIRS:
            return
        # attribute groups that never hold serials but are huge (every CPU's cpuidle, every queue)
        dirs[:] = [d for d in dirs if d not in ("power", "queues", "cpuidle", "trace", "msi_irqs", "mq")]
        for name in _SERIAL_ATTRS.intersection(files):
            v = _read(Path(root) / name)
            if v and not is_placeholder(v):
                yield (
                    "dmi_serial"
                    if "/dmi/" in root
                    else ("battery_serial" if "power_supply" in root else hint_category(root)),
                    v,
                )


def _edid_serials(sysfs: Path) -> Iterator[tuple[str, str]]:
    try:
        connectors = sorted((sysfs / "class/drm").iterdir())
    except OSError:
        return
    for c in connectors:
        try:
            raw = (c / "edid").read_bytes()
        except OSError:
            continue
        if len(raw) >= 128:
            yield from edid_identifiers(raw)


def edid_identifiers(raw: bytes) -> Iterator[tuple[str, str]]:
    base = decode_edid(raw).base
    if base is None:
        return
    if base.serial_number:
        yield "edid_serial", str(base.serial_number)
    if base.serial_string and not is_placeholder(base.serial_string):
        yield "edid_serial", base.serial_string


def device_identifiers(devices: Iterable[Device]) -> Iterator[tuple[str, str]]:
    """Serials, MACs and file-system ids that devices carry in udev properties and sysfs attributes."""
    for d in devices:
        hint = f"{d.path} {d.subsystem or ''}"
        for key, value in (*d.properties.items(), *d.attributes.items()):
            cat = key_category(key, hint, "=") if whole_value_identifies(key, value) else None
            if cat is None and key == "address" and d.subsystem in ("net", "bluetooth"):
                cat = "mac" if d.subsystem == "net" else "bluetooth"
            if cat is not None and not is_placeholder(value):
                yield cat, value
        edid = d.binary_attributes.get("edid")
        if edid:
            try:
                yield from edid_identifiers(bytes.fromhex(edid))
            except ValueError:
                continue


def gather_context(
    sysfs: Path = Path("/sys"),
    procfs: Path = Path("/proc"),
    etc: Path = Path("/etc"),
    *,
    run: Path = Path("/run"),
    devfs: Path = Path("/dev"),
    devices: Iterable[Device] = (),
    environ: dict[str, str] | None = None,
) -> PrivacyContext:
    """Read this machine's identifiers: hostname, people, ids, MACs, serials, file-system ids, SSIDs.

    Root-only files (DMI serials, saved Wi-Fi networks) are read where permitted; the patterns catch
    the rest. ``devices`` adds what a snapshot's devices carry (umockdev recordings, udev properties).
    """
    env = dict(os.environ) if environ is None else environ
    found: list[tuple[str, str]] = [
        *_identity(etc, procfs, env),
        *_network(sysfs, etc),
        *_hardware(sysfs, run, devfs),
        *device_identifiers(devices),
    ]
    seen: set[tuple[str, str]] = set()
    unique = []
    for cat, value in found:
        v = value.strip()
        if v and (cat, v) not in seen:
            seen.add((cat, v))
            unique.append((cat, v))
    return PrivacyContext(tuple(unique))
