"""Fake sysfs trees shaped like the kernel's, and honest ways to make single attributes fail."""

from __future__ import annotations

import errno
import os
import pickle
import re
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import pytest

from tests.other_user import enter_private_mount_namespace, expose, needed_paths, plan

T = TypeVar("T")
Attrs = Mapping[str, object]

# Subsystems that are buses (their `subsystem` link points into /sys/bus); the rest are classes.
_BUSES = {"pci", "platform", "acpi", "usb", "i2c", "spi", "hid", "cpu", "nvme-subsystem", "scsi"}


def write_attrs(d: Path, attrs: Attrs) -> None:
    """Write attributes the way sysfs shows them: text with a trailing newline, bytes as they are."""
    d.mkdir(parents=True, exist_ok=True)
    for name, value in attrs.items():
        p = d / name
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(value, bytes):
            p.write_bytes(value)
        else:
            p.write_text(f"{value}\n")


def _relink(link: Path, target: Path) -> None:
    link.parent.mkdir(parents=True, exist_ok=True)
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(os.path.relpath(target, link.parent))


def devpath(sysfs: Path, d: Path) -> str:
    """The devpath ("/devices/…") of a directory in a fake tree."""
    return "/" + d.relative_to(sysfs).as_posix()


def device(sysfs: Path, devpath: str, subsystem: str | None = None, attrs: Attrs | None = None) -> Path:
    """A device directory /sys/devices/…, with its ``subsystem`` link, like the kernel's."""
    d = sysfs / devpath.lstrip("/")
    write_attrs(d, attrs or {})
    if subsystem:
        where = sysfs / ("bus" if subsystem in _BUSES else "class") / subsystem
        where.mkdir(parents=True, exist_ok=True)
        _relink(d / "subsystem", where)
        if subsystem in _BUSES:
            _relink(where / "devices" / d.name, d)
    return d


def class_device(
    sysfs: Path,
    cls: str,
    devpath: str,
    attrs: Attrs | None = None,
    parent: str | None = None,
) -> Path:
    """A class device: the directory, /sys/class/<cls>/<name> pointing at it, and ``device`` -> parent."""
    d = device(sysfs, devpath, cls, attrs)
    _relink(sysfs / "class" / cls / d.name, d)
    if parent is not None:
        _relink(d / "device", sysfs / parent.lstrip("/"))
    return d


# --- shapes of real machines ----------------------------------------------------------------------


def acpi_battery(sysfs: Path, name: str = "BAT0", acpi: str = "PNP0C0A:00", **attrs: object) -> Path:
    """An ACPI battery (drivers/acpi/battery.c) under its PNP0C0A device."""
    parent = f"/devices/LNXSYSTM:00/LNXSYBUS:00/{acpi}"
    device(sysfs, parent, "acpi", {"hid": "PNP0C0A", "modalias": "acpi:PNP0C0A:"})
    return class_device(sysfs, "power_supply", f"{parent}/power_supply/{name}", {"type": "Battery", **attrs}, parent)


def acpi_ac(sysfs: Path, name: str = "AC", online: int = 1, acpi: str = "ACPI0003:00") -> Path:
    parent = f"/devices/LNXSYSTM:00/LNXSYBUS:00/{acpi}"
    device(sysfs, parent, "acpi", {"hid": "ACPI0003"})
    return class_device(
        sysfs, "power_supply", f"{parent}/power_supply/{name}", {"type": "Mains", "online": online}, parent
    )


def hwmon(sysfs: Path, n: int, parent: str | None, attrs: Attrs) -> Path:
    """/sys/class/hwmon/hwmon<n> under ``parent`` (a devpath), or under /devices/virtual without one."""
    base = parent if parent is not None else "/devices/virtual"
    return class_device(sysfs, "hwmon", f"{base}/hwmon/hwmon{n}", attrs, parent)


def platform_device(sysfs: Path, name: str, driver: str | None = None) -> str:
    devpath = f"/devices/platform/{name}"
    device(sysfs, devpath, "platform", {"modalias": f"platform:{driver or name.split('.')[0]}"})
    return devpath


def pci_device(sysfs: Path, slot: str, parent: str = "/devices/pci0000:00", **attrs: object) -> str:
    devpath = f"{parent}/{slot}"
    device(sysfs, devpath, "pci", attrs)
    return devpath


def rapl_zone(sysfs: Path, zone: str, name: str, energy_uj: int | None, **attrs: object) -> Path:
    """A powercap zone nested like the kernel nests them: intel-rapl:0:1 inside intel-rapl:0."""
    control_type, _, rest = zone.partition(":")
    parts = rest.split(":")
    devpath = f"/devices/virtual/powercap/{control_type}"
    device(sysfs, devpath, "powercap", {"enabled": 1})
    _relink(sysfs / "class" / "powercap" / control_type, sysfs / devpath.lstrip("/"))
    for i in range(len(parts)):
        devpath += f"/{control_type}:" + ":".join(parts[: i + 1])
    values: dict[str, object] = {"name": name, "max_energy_range_uj": 262143328850, "enabled": 1, **attrs}
    if energy_uj is not None:
        values["energy_uj"] = energy_uj
    return class_device(sysfs, "powercap", devpath, values)


def thermal_zone(sysfs: Path, n: int, attrs: Attrs, acpi: str | None = None) -> Path:
    parent = None
    if acpi is not None:
        parent = f"/devices/LNXSYSTM:00/LNXSYBUS:01/{acpi}"
        device(sysfs, parent, "acpi", {"hid": "LNXTHERM"})
    return class_device(sysfs, "thermal", f"/devices/virtual/thermal/thermal_zone{n}", attrs, parent)


def cooling_device(sysfs: Path, n: int, kind: str, cur: object, top: object) -> Path:
    return class_device(
        sysfs,
        "thermal",
        f"/devices/virtual/thermal/cooling_device{n}",
        {"type": kind, "cur_state": cur, "max_state": top},
    )


def cpu(
    sysfs: Path, n: int, cpufreq: Attrs | None = None, idle: Sequence[Attrs] | None = None, **attrs: object
) -> Path:
    """/sys/devices/system/cpu/cpuN; cpufreq is a link to ../cpufreq/policyN as on real kernels."""
    d = device(sysfs, f"/devices/system/cpu/cpu{n}", "cpu", attrs)
    if cpufreq is not None:
        policy = sysfs / "devices/system/cpu/cpufreq" / f"policy{n}"
        write_attrs(policy, cpufreq)
        _relink(d / "cpufreq", policy)
    for i, state in enumerate(idle or []):
        write_attrs(d / "cpuidle" / f"state{i}", state)
    return d


# --- honest failures ------------------------------------------------------------------------------
# Tests run as root, and root reads any regular file whatever its mode. These make reads fail the way
# sysfs does, with real kernel objects.


def make_eio(path: Path) -> None:
    """Reads fail with EIO after a successful open, like a hwmon driver whose bus transfer failed.

    /proc/self/mem opens fine for the reading process and reading offset 0 (never mapped) is EIO.
    """
    path.unlink(missing_ok=True)
    path.symlink_to("/proc/self/mem")


def _mknod_char(path: Path, major: int, minor: int) -> None:
    path.unlink(missing_ok=True)
    try:
        os.mknod(path, stat.S_IFCHR | 0o444, os.makedev(major, minor))
    except PermissionError:
        pytest.skip("mknod is not permitted here (container without CAP_MKNOD)")


def _registered(proc_file: str) -> set[int]:
    try:
        text = Path(proc_file).read_text()
    except OSError:
        return set()
    return {int(m.group(1)) for m in re.finditer(r"^\s*(\d+)\s", text, re.MULTILINE)}


def make_enxio(path: Path) -> None:
    """Opening fails with ENXIO: a character device node with no driver behind it.

    thinkpad_acpi returns the same errno for its temperature inputs the firmware marks unavailable.
    """
    # 60-63 are reserved for local/experimental use (Documentation/admin-guide/devices.txt).
    major = next((m for m in (60, 61, 62, 63) if m not in _registered("/proc/devices")), None)
    if major is None:
        pytest.skip("every local/experimental character major is registered here")
    _mknod_char(path, major, 0)
    _expect_errno(path, errno.ENXIO)


def make_enodev(path: Path) -> None:
    """Opening fails with ENODEV: a misc character node (major 10) with no driver for its minor."""
    used = _registered("/proc/misc")
    minor = next((m for m in range(250, 130, -1) if m not in used), None)
    if minor is None:
        pytest.skip("no free misc minor")
    _mknod_char(path, 10, minor)
    _expect_errno(path, errno.ENODEV)


def _expect_errno(path: Path, code: int) -> None:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        if exc.errno == code:
            return
        pytest.skip(f"opening a driverless node gives {errno.errorcode.get(exc.errno or 0)} here")
    os.close(fd)
    pytest.skip(f"a driver answered {path}'s device number here")


@contextmanager
def shared_tmp() -> Iterator[Path]:
    """A temporary directory an unprivileged user can traverse (pytest's tmp_path is root-only)."""
    d = Path(tempfile.mkdtemp(prefix="hwinspector-"))
    try:
        d.chmod(0o755)
        yield d
    finally:
        shutil.rmtree(d, ignore_errors=True)


def _load_lazy_parts() -> None:
    """What the code imports or loads on first use, loaded before the fork: the child cannot read this
    interpreter's own files when they live under /root (a pyenv build), so it must import nothing new."""
    from hwinspector.i18n import _
    from hwinspector.probes.graphics import channels, pmu_channels  # noqa: F401  (read_catalogue's providers)

    _("x")  # gettext reads its catalogue through importlib.resources on the first translation


def call_unprivileged(fn: Callable[..., T], *args: Any) -> T:
    """Call ``fn`` as a user without root's read override: real EACCES on mode-0400 files.

    As root, in a forked child that drops to nobody (no exec, so nothing needs to be installed for
    that user); otherwise the caller already lacks the privilege and ``fn`` runs here. ``fn`` may
    import modules as nobody: a checkout under a folder nobody cannot enter is made reachable in the
    child's own mount namespace first (tests/other_user.py).
    """
    if os.geteuid() != 0:
        return fn(*args)
    _load_lazy_parts()
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # child: never return into pytest
        try:
            os.close(r)
            needed = needed_paths()
            if plan(needed):
                enter_private_mount_namespace()
                expose(needed)
            os.setgroups([])
            os.setgid(65534)
            os.setuid(65534)
            payload = pickle.dumps((True, fn(*args)))
        except BaseException as exc:
            payload = pickle.dumps((False, f"{type(exc).__name__}: {exc}"))
        with os.fdopen(w, "wb") as f:
            f.write(payload)
        os._exit(0)
    os.close(w)
    with os.fdopen(r, "rb") as f:
        data = f.read()
    os.waitpid(pid, 0)
    ok, result = pickle.loads(data)
    if not ok:
        raise AssertionError(f"unprivileged call failed: {result}")
    return result  # type: ignore[no-any-return]


# --- prometheus ttar fixtures -----------------------------------------------------------------------


def extract_ttar(archive: Path, dest: Path, prefix: str = "") -> None:
    """Unpack a prometheus ``ttar`` text archive (only the entries under ``prefix``).

    Format: ``Directory: p`` / ``Path: p`` followed by ``Lines: n`` and n content lines (``NULLBYTE``
    for NUL, a trailing ``EOF`` when the file has no final newline) or ``SymlinkTo: t``; then
    ``Mode: octal``; entries separated by ``# ttar - - -`` lines.
    """
    lines = archive.read_text(encoding="utf-8", errors="surrogateescape").split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        i += 1
        if line.startswith("Directory: "):
            p = line[len("Directory: ") :]
            if p.startswith(prefix):
                (dest / p).mkdir(parents=True, exist_ok=True)
        elif line.startswith("Path: "):
            p = line[len("Path: ") :]
            head = lines[i]
            i += 1
            if head.startswith("SymlinkTo: "):
                if p.startswith(prefix):
                    target = dest / p
                    target.parent.mkdir(parents=True, exist_ok=True)
                    if not target.is_symlink():
                        target.symlink_to(head[len("SymlinkTo: ") :])
                continue
            count = int(head[len("Lines: ") :])
            body = lines[i : i + count]
            i += count
            if not p.startswith(prefix):
                continue
            text = "\n".join(body)
            if text.endswith("EOF"):
                text = text[: -len("EOF")]
            elif count:
                text += "\n"
            target = dest / p
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.is_symlink():
                continue
            target.write_bytes(text.replace("NULLBYTE", "\0").encode("utf-8", "surrogateescape"))
