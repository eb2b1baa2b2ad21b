"""A Snapshot: everything the pages show about one machine, from the live system or a file."""

from __future__ import annotations

import os
import platform
import time
from dataclasses import dataclass, field
from pathlib import Path

from hwinspector.i18n import N_
from hwinspector.probes.devices import drivers as drv
from hwinspector.probes.devices.tree import Device, read_devices, udev_daemon_running
from hwinspector.probes.devices.udevdump import read_dump
from hwinspector.probes.errors import InputFormatError, ProbeUnavailable
from hwinspector.probes.kernel_log import find_firmware_failures, read_kernel_log


@dataclass(frozen=True, slots=True)
class Source:
    """Where a snapshot came from; the GUI's status bar and banner say this."""

    kind: str  # "live" | "udevadm" | "umockdev" | "bundle"
    label: str  # "live machine", or the file name
    path: str | None = None
    notes: tuple[str, ...] = ()  # what this source can and cannot show, in plain words
    taken_at: float = 0.0  # seconds since the epoch
    host: str = ""  # the machine it was read from over ssh; "" for this machine and for files

    @property
    def is_live(self) -> bool:
        return self.kind == "live"

    @property
    def is_remote(self) -> bool:
        return bool(self.host)

    def to_json(self) -> dict[str, object]:
        doc: dict[str, object] = {
            "kind": self.kind,
            "label": self.label,
            "path": self.path,
            "notes": list(self.notes),
            "taken_at": self.taken_at,
        }
        if self.host:
            doc["host"] = self.host
        return doc


@dataclass(frozen=True, slots=True)
class SystemInfo:
    kernel: str | None = None
    os_name: str | None = None
    hostname_hidden: bool = True
    vendor: str | None = None
    product: str | None = None

    def to_json(self) -> dict[str, object]:
        return {"kernel": self.kernel, "os": self.os_name, "vendor": self.vendor, "product": self.product}


@dataclass(frozen=True, slots=True)
class Snapshot:
    source: Source
    devices: tuple[Device, ...]
    bindings: tuple[drv.Binding, ...] = ()
    problems: tuple[drv.Problem, ...] = ()
    taint: drv.Taint | None = None
    system: SystemInfo = field(default_factory=SystemInfo)

    def device(self, path: str) -> Device | None:
        for d in self.devices:
            if d.path == path:
                return d
        return None


def _os_name(etc: Path) -> str | None:
    for p in (etc / "os-release", etc.parent / "usr/lib/os-release"):
        try:
            for line in p.read_text(encoding="utf-8", errors="replace").splitlines():
                if line.startswith("PRETTY_NAME="):
                    return line.partition("=")[2].strip().strip('"')
        except OSError:
            continue
    return None


def _dmi(sysfs: Path, name: str) -> str | None:
    try:
        value = (sysfs / "class/dmi/id" / name).read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return None
    # Firmware placeholders that mean "not set"
    return None if value.lower() in ("", "to be filled by o.e.m.", "default string", "system product name") else value


def read_system_info(sysfs: Path = Path("/sys"), etc: Path = Path("/etc")) -> SystemInfo:
    return SystemInfo(
        kernel=f"{platform.system()} {os.uname().release}",
        os_name=_os_name(etc),
        vendor=_dmi(sysfs, "sys_vendor"),
        product=_dmi(sysfs, "product_name"),
    )


def system_from_devices(devices: tuple[Device, ...]) -> SystemInfo:
    """What a dump tells about its machine: the DMI device carries vendor and product."""
    for d in devices:
        if d.subsystem == "dmi" or d.path == "/devices/virtual/dmi/id":
            p = {**d.properties, **d.attributes}
            vendor = p.get("ID_VENDOR") or p.get("sys_vendor")
            product = p.get("ID_MODEL") or p.get("product_name")
            if p.get("MODALIAS", "").startswith("dmi:"):
                # dmi:bvn…:svnDellInc.:pnVostro270:… (the kernel strips spaces from these fields)
                for part in p["MODALIAS"].split(":"):
                    if part.startswith("svn") and not vendor:
                        vendor = part[3:]
                    elif part.startswith("pn") and not product:
                        product = part[2:]
            return SystemInfo(vendor=vendor, product=product)
    return SystemInfo()


def read_live_snapshot(
    sysfs: Path = Path("/sys"),
    procfs: Path = Path("/proc"),
    devkmsg: Path = Path("/dev/kmsg"),
    udev_run: Path = Path("/run/udev"),
    modules_root: Path = Path("/lib/modules"),
) -> Snapshot:
    notes: list[str] = []
    if os.geteuid() == 0:
        notes.append(N_("running as root: root-only sources (kernel log, RAPL energy counters, debugfs) are included"))
    have_udev = udev_daemon_running(udev_run)
    if not have_udev:
        notes.append(N_("no udev daemon: devices read from sysfs; udev database properties unavailable"))
    devices = tuple(read_devices(sysfs, udev_run / "data" if have_udev else None))
    try:
        log = read_kernel_log(devkmsg)
    except ProbeUnavailable as exc:
        notes.append(exc.reason)
        log = []
    aliases = drv.read_module_aliases(modules_root)
    if aliases is None:
        notes.append(
            N_("modules.alias of kernel {release} not installed: no candidate modules").format(
                release=os.uname().release
            )
        )
    taint = drv.read_taint(procfs)
    problems = drv.find_problems(devices, aliases, find_firmware_failures(log), taint, drv.read_deferred_probes(sysfs))
    return Snapshot(
        Source("live", N_("live machine"), None, tuple(notes), time.time()),
        devices,
        tuple(drv.list_bindings(devices, sysfs)),
        tuple(problems),
        taint,
        read_system_info(sysfs),
    )


def read_file_snapshot(path: Path, modules_root: Path = Path("/lib/modules")) -> Snapshot:
    """A foreign dump as a snapshot; raises InputFormatError with a one-line reason."""
    dump = read_dump(path)
    notes = [*dump.warnings]
    if dump.format == "udevadm":
        notes.append(N_("udevadm dump: udev properties only, no sysfs attributes or kernel log"))
    aliases = drv.read_module_aliases(modules_root)
    if aliases is not None:
        notes.append(
            N_("candidate modules from this machine's kernel {kernel}, not the dump's").format(kernel=aliases.kernel)
        )
    return Snapshot(
        Source(dump.format, path.name, str(path), tuple(notes), path.stat().st_mtime),
        dump.devices,
        tuple(drv.list_bindings(dump.devices, None)),
        tuple(drv.find_problems(dump.devices, aliases)),
        None,
        system_from_devices(dump.devices),
    )


def load_snapshot(
    source: str | Path | None = None, sysfs: Path = Path("/sys"), procfs: Path = Path("/proc")
) -> Snapshot:
    """The live machine (None or "live", read from ``sysfs``/``procfs``), an evidence bundle or a foreign dump."""
    if source is None or str(source) == "live":
        return read_live_snapshot(sysfs, procfs)
    p = Path(source)
    if not p.exists():
        raise InputFormatError(str(p), N_("no such file"))
    if p.is_dir():
        raise InputFormatError(str(p), N_("is a directory; give a bundle, a udevadm dump or a umockdev file"))
    from hwinspector.probes.bundle.reader import is_bundle, read_bundle_snapshot

    if is_bundle(p):
        # an evidence bundle (hwreport-….tar.xz): the captured machine, read without running anything
        snap: Snapshot = read_bundle_snapshot(p)
        return snap
    return read_file_snapshot(p)
