"""Driver bindings and problems: unbound devices with candidate modules, firmware failures, taint."""

from __future__ import annotations

import fnmatch
import os
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from hwinspector.i18n import N_
from hwinspector.probes.devices.hwdb import default_database
from hwinspector.probes.devices.naming import pci_class_code
from hwinspector.probes.devices.tree import Device, read_attribute
from hwinspector.probes.kernel_log import FirmwareFailure


@dataclass(frozen=True, slots=True)
class Binding:
    driver: str
    module: str | None  # None: built into the kernel, or unknown (dumps do not say)
    bus: str | None
    devices: tuple[str, ...]  # devpaths
    module_version: str | None = None
    srcversion: str | None = None
    parameters: tuple[tuple[str, str], ...] = ()

    def to_json(self) -> dict[str, object]:
        return {
            "driver": self.driver,
            "module": self.module,
            "bus": self.bus,
            "devices": list(self.devices),
            "module_version": self.module_version,
            "srcversion": self.srcversion,
            "parameters": dict(self.parameters),
        }


@dataclass(frozen=True, slots=True)
class Problem:
    path: str | None  # devpath, when the problem belongs to a device
    kind: str  # "unbound" | "firmware" | "deferred" | "taint"
    severity: str  # "error" | "warning"
    subsystem: str | None
    modalias: str | None
    detail: str
    candidates: tuple[str, ...] = ()
    name: str = ""

    def to_json(self) -> dict[str, object]:
        return {
            "path": self.path,
            "kind": self.kind,
            "severity": self.severity,
            "subsystem": self.subsystem,
            "modalias": self.modalias,
            "candidates": list(self.candidates),
            "detail": self.detail,
            "name": self.name,
        }


@dataclass(frozen=True, slots=True)
class Taint:
    value: int
    flags: tuple[tuple[str, str], ...]  # (letter, meaning)
    crash: bool  # died, machine check, bad page, soft lockup, warning: the kernel is not healthy


# Documentation/admin-guide/tainted-kernels.rst, bit order.
TAINT_FLAGS: Sequence[tuple[str, str, bool]] = (
    ("P", N_("proprietary module was loaded"), False),
    ("F", N_("module was force loaded"), False),
    ("S", N_("kernel running on an out of specification system"), False),
    ("R", N_("module was force unloaded"), False),
    ("M", N_("processor reported a Machine Check Exception"), True),
    ("B", N_("bad page referenced or unexpected page flags"), True),
    ("U", N_("taint requested by userspace application"), False),
    ("D", N_("kernel died recently (OOPS or BUG)"), True),
    ("A", N_("ACPI table overridden by user"), False),
    ("W", N_("kernel issued a warning"), True),
    ("C", N_("staging driver was loaded"), False),
    ("I", N_("workaround for bug in platform firmware applied"), False),
    ("O", N_("externally-built (out-of-tree) module was loaded"), False),
    ("E", N_("unsigned module was loaded"), False),
    ("L", N_("soft lockup occurred"), True),
    ("K", N_("kernel has been live patched"), False),
    ("X", N_("auxiliary taint, defined for distributions"), False),
    ("T", N_("kernel was built with the struct randomization plugin"), False),
    ("N", N_("an in-kernel test has been run"), False),
    ("J", N_("userspace used a mutating debug operation in fwctl"), False),
)


def decode_taint(value: int) -> Taint:
    flags = tuple((letter, meaning) for bit, (letter, meaning, _) in enumerate(TAINT_FLAGS) if value >> bit & 1)
    crash = any(value >> bit & 1 for bit, (_, _, bad) in enumerate(TAINT_FLAGS) if bad)
    return Taint(value, flags, crash)


def read_taint(procfs: Path = Path("/proc")) -> Taint | None:
    text, _, err = read_attribute(procfs / "sys/kernel/tainted")
    if err is not None or text is None:
        return None
    try:
        return decode_taint(int(text.strip()))
    except ValueError:
        return None


# --- modules.alias -------------------------------------------------------------------------------


@dataclass(slots=True)
class ModuleAliases:
    """``alias <glob> <module>`` lines of a kernel's modules.alias, indexed by bus prefix."""

    by_prefix: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    kernel: str | None = None

    def candidates(self, modalias: str | None) -> tuple[str, ...]:
        if not modalias:
            return ()
        prefix = modalias.split(":", 1)[0]
        out: list[str] = []
        for pattern, module in self.by_prefix.get(prefix, ()):
            if module not in out and fnmatch.fnmatchcase(modalias, pattern):
                out.append(module)
        return tuple(out)


def parse_modules_alias(text: str, kernel: str | None = None) -> ModuleAliases:
    table = ModuleAliases(kernel=kernel)
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == "alias":
            table.by_prefix.setdefault(parts[1].split(":", 1)[0], []).append((parts[1], parts[2]))
    return table


def read_module_aliases(modules_root: Path = Path("/lib/modules"), kernel: str | None = None) -> ModuleAliases | None:
    """The running kernel's modules.alias, or None where it is not installed (containers, some VMs)."""
    kernel = kernel or os.uname().release
    try:
        text = (modules_root / kernel / "modules.alias").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    return parse_modules_alias(text, kernel)


# --- bindings --------------------------------------------------------------------------------------


def _read_text(p: Path) -> str | None:
    text, _, err = read_attribute(p)
    return text if err is None else None


def _module_details(sysfs: Path, module: str) -> tuple[str | None, str | None, tuple[tuple[str, str], ...]]:
    mdir = sysfs / "module" / module
    params: list[tuple[str, str]] = []
    try:
        names = sorted(os.listdir(mdir / "parameters"))
    except OSError:
        names = []
    for name in names:
        text, hexdata, err = read_attribute(mdir / "parameters" / name)
        params.append((name, text if text is not None else (hexdata or f"<{err}>")))
    return _read_text(mdir / "version"), _read_text(mdir / "srcversion"), tuple(params)


def list_bindings(devices: Iterable[Device], sysfs: Path | None = Path("/sys")) -> list[Binding]:
    """Drivers with the devices bound to them; with a live sysfs also the registered drivers that have
    no device, and each module's version, srcversion and parameters."""
    bound: dict[tuple[str | None, str], list[Device]] = defaultdict(list)
    for dev in devices:
        if dev.driver:
            bound[(dev.subsystem, dev.driver)].append(dev)
    registered: dict[tuple[str | None, str], str | None] = {}
    if sysfs is not None:
        try:
            buses = sorted(os.listdir(sysfs / "bus"))
        except OSError:
            buses = []
        for bus in buses:
            try:
                drivers = sorted(os.listdir(sysfs / "bus" / bus / "drivers"))
            except OSError:
                continue
            for drv in drivers:
                try:
                    mod: str | None = os.readlink(sysfs / "bus" / bus / "drivers" / drv / "module").rsplit("/", 1)[-1]
                except OSError:
                    mod = None
                registered[(bus, drv)] = mod
    out: list[Binding] = []
    for key in sorted(set(bound) | set(registered), key=lambda k: (k[1], k[0] or "")):
        bus_name, drv = key
        devs = bound.get(key, [])
        module = registered.get(key) or next((d.module for d in devs if d.module), None)
        version = srcversion = None
        params: tuple[tuple[str, str], ...] = ()
        if sysfs is not None and module:
            version, srcversion, params = _module_details(sysfs, module)
        out.append(Binding(drv, module, bus_name, tuple(d.path for d in devs), version, srcversion, params))
    return out


# --- problems --------------------------------------------------------------------------------------

# PCI base classes whose devices do nothing without a driver (error) and those where a missing
# driver is worth a look (warning). Host/ISA bridges (06), memory controllers (05) and
# "unassigned" (ff) run fine without one.
_PCI_NEEDS = {
    0x01: "error",
    0x02: "error",
    0x03: "error",
    0x04: "error",
    0x0C: "error",
    0x0D: "error",
    0x07: "warning",
    0x08: "warning",
    0x09: "warning",
    0x0E: "warning",
    0x10: "warning",
    0x11: "warning",
    0x12: "error",
}
# 0c05 SMBus and 0c80 are commonly left to optional drivers (i2c-i801 is not always loaded)
_PCI_SUB_SEVERITY = {(0x0C, 0x05): "warning", (0x0C, 0x80): "warning", (0x08, 0x80): "warning"}


def _unbound_severity(dev: Device, bound: set[str]) -> str | None:
    if dev.driver:
        return None
    if dev.subsystem == "pci":
        code = pci_class_code(dev.properties, dev.attributes)
        if code is None:
            return None
        base, sub = code >> 16, (code >> 8) & 0xFF
        # Older Intel GPUs expose a second display function (class 0380) that no driver binds; the
        # GPU is driven through function 0.
        if (base, sub) == (0x03, 0x80) and dev.path.rsplit(".", 1)[0] + ".0" in bound:
            return None
        return _PCI_SUB_SEVERITY.get((base, sub)) or _PCI_NEEDS.get(base)
    if dev.subsystem == "usb" and dev.devtype == "usb_interface":
        return "warning"
    return None


def _what(dev: Device) -> str:
    """'SMBus controller', 'USB interface (Vendor Specific Class)' — what the device is, in words."""
    if dev.subsystem == "pci":
        code = pci_class_code(dev.properties, dev.attributes)
        if code is not None:
            name = default_database().pci_class(code >> 16, (code >> 8) & 0xFF)
            if name:
                return name
        return N_("PCI device")
    if dev.subsystem == "usb":
        return N_("USB interface")
    return "device"


_CLASS_WORD = {"error": N_("needs a driver and has none"), "warning": N_("has no driver")}


def find_problems(
    devices: Sequence[Device],
    aliases: ModuleAliases | None = None,
    firmware: Iterable[FirmwareFailure] = (),
    taint: Taint | None = None,
    deferred: Iterable[tuple[str, str]] = (),
) -> list[Problem]:
    """The Linux "yellow triangle" list, most severe first."""
    out: list[Problem] = []
    bound = {d.path for d in devices if d.driver}
    for dev in devices:
        sev = _unbound_severity(dev, bound)
        if sev is None:
            continue
        cands = aliases.candidates(dev.modalias) if aliases else ()
        detail = f"{_what(dev)} {_CLASS_WORD[sev]}"
        if cands:
            detail += N_("; modules that match its modalias: {cands}").format(cands=", ".join(cands))
        elif aliases is not None and dev.modalias:
            detail += N_("; no module of kernel {kernel} matches its modalias").format(kernel=aliases.kernel or "?")
        out.append(Problem(dev.path, "unbound", sev, dev.subsystem, dev.modalias, detail, cands, dev.name))
    by_sysname = {d.sysname: d for d in devices}
    for fw in firmware:
        err = N_(" (error {error})").format(error=fw.error) if fw.error is not None else ""
        detail = N_("{driver} {device}: firmware {firmware} failed to load{err}").format(
            driver=fw.driver, device=fw.device, firmware=fw.firmware, err=err
        )
        out.append(_log_problem("firmware", "error", by_sysname.get(fw.device), detail, f"{fw.driver} {fw.device}"))
    for name, reason in deferred:
        detail = N_("probe deferred: {reason}").format(reason=reason or "no reason given")
        out.append(_log_problem("deferred", "warning", by_sysname.get(name), detail, name))
    if taint is not None and taint.crash:
        bad = ", ".join(f"{letter} ({meaning})" for letter, meaning in taint.flags)
        out.append(
            Problem(None, "taint", "error", None, None, N_("kernel tainted: {bad}").format(bad=bad), (), N_("Kernel"))
        )
    order = {"error": 0, "warning": 1}
    out.sort(key=lambda p: (order.get(p.severity, 2), p.kind, p.path or ""))
    return out


def _log_problem(kind: str, severity: str, dev: Device | None, detail: str, fallback_name: str) -> Problem:
    """A problem the kernel reported by bus id; tied to the device when the snapshot has it."""
    if dev is None:
        return Problem(None, kind, severity, None, None, detail, (), fallback_name)
    return Problem(dev.path, kind, severity, dev.subsystem, dev.modalias, detail, (), dev.name)


_DEFERRED = re.compile(r"^(\S+)\s*(.*)$")


def read_deferred_probes(sysfs: Path = Path("/sys")) -> list[tuple[str, str]]:
    """Devices whose probe is deferred (debugfs; root only, absent without debugfs)."""
    text = _read_text(sysfs / "kernel/debug/devices_deferred")
    if not text:
        return []
    out = []
    for line in text.splitlines():
        m = _DEFERRED.match(line.strip())
        if m:
            out.append((m.group(1), m.group(2)))
    return out
