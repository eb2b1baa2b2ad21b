"""What the trackers ask for beyond a bundle's outputs, read from the live machine (each with the capture's limits).

Sources of each item: fwupd's issue templates (``fwupdmgr --version``, ``fwupdmgr get-devices
--show-all-devices``, ``efibootmgr -v``), Mesa's (``inxi -GSC -xx``), the kernel's reporting-issues.rst
(``journalctl -b 0 -k`` when dmesg no longer starts at "Linux version"), apport's hooks
(``/proc/version_signature``, ``dpkg --print-architecture``), the i915/xe bug-filing page (the GPU error
state, devcoredump, the VBT; root-only).
"""

from __future__ import annotations

import os
from pathlib import Path

from hwinspector.report.raw_collectors import BINARY, RawSpec

# i915's error state says this when no hang was captured (i915_gpu_error.c).
NO_ERROR_STATE = b"No error state collected"


def _cmd(path: str, subsystem: str, *argv: str) -> RawSpec:
    return RawSpec(path, subsystem, " ".join(argv), argv=argv)


def _file(path: str, subsystem: str, file: Path, media_type: str = "text/plain; charset=utf-8") -> RawSpec:
    return RawSpec(path, subsystem, str(file), file=file, media_type=media_type)


def bugreport_plan(
    sysfs: Path = Path("/sys"), procfs: Path = Path("/proc"), etc: Path = Path("/etc"), *, root: bool | None = None
) -> list[RawSpec]:
    is_root = os.geteuid() == 0 if root is None else root
    release = os.uname().release
    plan = [
        _file("raw/os-release", "os", etc / "os-release"),
        _file("raw/kernel/version_signature", "kernel", procfs / "version_signature"),
        _file("raw/kernel/drm.debug", "kernel", sysfs / "module/drm/parameters/debug"),
        _cmd("raw/kernel/uname-mi.txt", "kernel", "uname", "-mi"),
        _cmd("raw/os/dpkg-architecture.txt", "os", "dpkg", "--print-architecture"),
        _cmd("raw/os/kernel-package.txt", "os", "dpkg-query", "-W", f"linux-image-{release}"),
        _cmd(
            "raw/kernel/journal-k.txt", "kernel", "journalctl", "-k", "-b", "0", "--no-pager", "-o", "short-monotonic"
        ),
        _cmd("raw/kernel/dkms-status.txt", "kernel", "dkms", "status"),
        _cmd("raw/graphics/inxi.txt", "graphics", "inxi", "-GSC", "-xx"),
        _cmd("raw/firmware/fwupdmgr-version.txt", "firmware", "fwupdmgr", "--version"),
        _cmd("raw/firmware/fwupdmgr-get-devices.txt", "firmware", "fwupdmgr", "get-devices", "--show-all-devices"),
        _cmd("raw/firmware/efibootmgr-v.txt", "firmware", "efibootmgr", "-v"),
    ]
    if is_root:
        plan += root_files(sysfs)
    return plan


def root_files(sysfs: Path) -> list[RawSpec]:
    """The GPU dumps and the VBT, readable by root only (the helper's gpu_dump op offers the same files)."""
    out: list[RawSpec] = []
    for p in sorted((sysfs / "class/drm").glob("card[0-9]*/error")):
        out.append(_file(f"raw/drm/{p.parent.name}-error-state.txt", "drm", p))
    for p in sorted((sysfs / "class/devcoredump").glob("devcd*/data")):
        out.append(_file(f"raw/drm/{p.parent.name}-devcoredump.txt", "drm", p))
    debugfs = sysfs / "kernel/debug/dri"
    for p in sorted(debugfs.glob("[0-9]*/i915_vbt")):
        out.append(_file(f"raw/drm/dri{p.parent.name}-i915_vbt.bin", "drm", p, BINARY))
    for p in sorted(debugfs.glob("[0-9]*/amdgpu_firmware_info")):
        out.append(_file(f"raw/drm/dri{p.parent.name}-amdgpu_firmware_info.txt", "drm", p))
    return out
