"""GPU firmware versions where the driver exposes them: amdgpu, i915/xe (GuC, HuC, DMC), NVIDIA's /proc files."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from hwinspector.probes.sysfs_attr import errno_name

# Debugfs files can be long (guc_info carries logs); the version lines are always at the top.
MAX_BYTES = 64 * 1024

Firmware = tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class FirmwareInfo:
    """(name, version) pairs, and why some sources were unreadable (debugfs is root-only)."""

    versions: Firmware
    notes: tuple[str, ...] = ()


def _read(path: Path) -> tuple[str | None, str | None]:
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_BYTES)
    except OSError as exc:
        return None, errno_name(exc)
    return data.decode("utf-8", "replace"), None


# amdgpu_debugfs_firmware_info_show (amdgpu_kms.c):
#   "VCE feature version: 0, firmware version: 0x35f1e800"
#   "SMC feature version: 0, program: 0, firmware version: 0x00255300 (37.83.0)"
#   "TA XGMI feature version: 0x00000000, firmware version: 0x00000000"
#   "VBIOS version: 113-D0260300-100"
_AMD_LINE = re.compile(
    r"^(?P<name>.+?) feature version: \S+, (?:program: \S+, )?firmware version: (?P<ver>0x[0-9a-fA-F]+)"
    r"(?: \((?P<dotted>[^)]*)\))?"
)


def parse_amdgpu_firmware_info(text: str) -> Firmware:
    out: list[tuple[str, str]] = []
    for line in text.splitlines():
        m = _AMD_LINE.match(line.strip())
        if m:
            if int(m["ver"], 16) == 0:
                continue  # block absent on this ASIC, or its firmware is not loaded
            out.append((m["name"], f"{m['ver']} ({m['dotted']})" if m["dotted"] else m["ver"]))
        elif line.startswith("VBIOS version:"):
            value = line.partition(":")[2].strip()
            if value:
                out.append(("VBIOS", value))
    return tuple(out)


def amdgpu_sysfs_firmware(device_dir: Path) -> Firmware:
    """amdgpu's fw_version/*_fw_version attributes (amdgpu_ucode.c), world-readable; plus vbios_version."""
    out: list[tuple[str, str]] = []
    vbios, _ = _read(device_dir / "vbios_version")
    if vbios and vbios.strip():
        out.append(("VBIOS", vbios.strip()))
    try:
        names = sorted(p.name for p in (device_dir / "fw_version").iterdir())
    except OSError:
        return tuple(out)
    for name in names:
        text, _ = _read(device_dir / "fw_version" / name)
        value = (text or "").strip()
        try:
            if not value or int(value, 16) == 0:
                continue
        except ValueError:
            continue
        out.append((name.removesuffix("_fw_version").upper(), value))
    return tuple(out)


# intel_uc_fw_dump (i915 gt/uc/intel_uc_fw.c; xe xe_uc_fw.c prints the same shape):
#   "GuC firmware: i915/tgl_guc_70.bin"  "\tstatus: RUNNING"  "\tversion: wanted 70.5.0, found 70.20.0"
_UC_HEAD = re.compile(r"^(\w+) firmware: (\S+)\s*$")
_UC_STATUS = re.compile(r"^\s+status: (.+?)\s*$")
_UC_VERSION = re.compile(r"^\s+version: (?:wanted \S+, )?found (\S+)\s*$")


def parse_uc_info(text: str) -> Firmware:
    out: list[tuple[str, str]] = []
    name = path = status = None
    for line in text.splitlines():
        if m := _UC_HEAD.match(line):
            name, path, status = m[1], m[2], None
        elif name and (m := _UC_STATUS.match(line)):
            status = m[1]
        elif name and path and (m := _UC_VERSION.match(line)):
            detail = ", ".join(x for x in (path, status) if x)
            out.append((name, f"{m[1]} ({detail})"))
            name = path = None
    return tuple(out)


def parse_dmc_info(text: str) -> Firmware:
    """i915_dmc_info: "fw loaded: yes", "path: i915/kbl_dmc_ver1_04.bin", "version: 1.4"."""
    fields = {k.strip(): v.strip() for k, sep, v in (line.partition(":") for line in text.splitlines()) if sep}
    if fields.get("fw loaded") != "yes" or "version" not in fields:
        return ()
    path = fields.get("path")
    return (("DMC", f"{fields['version']} ({path})" if path else fields["version"]),)


def _debugfs_dirs(sysfs: Path, minor: int, slot: str | None) -> list[Path]:
    # Per-minor directories (dri/0); newer kernels also name one after the device (dri/0000:00:02.0).
    root = sysfs / "kernel" / "debug" / "dri"
    dirs = [root / str(minor)]
    if slot:
        dirs.append(root / slot)
    return dirs


def debugfs_firmware(sysfs: Path, driver: str, minor: int, slot: str | None) -> FirmwareInfo:
    """Versions from DRM debugfs (root and a mounted debugfs); a note says why when none is readable."""
    if driver == "amdgpu":
        files = [("amdgpu_firmware_info", parse_amdgpu_firmware_info)]
    elif driver in ("i915", "xe"):
        files = [(f"{gt}/uc/{uc}_info", parse_uc_info) for gt in ("gt0", "gt") for uc in ("guc", "huc", "gsc")]
        files.append(("i915_dmc_info", parse_dmc_info))
        # i915_gpu_info also lists them, but reading it captures the whole GPU error state: too costly.
    else:
        return FirmwareInfo(())
    versions: list[tuple[str, str]] = []
    errors: set[str] = set()
    for d in _debugfs_dirs(sysfs, minor, slot):
        for rel, parse in files:
            text, err = _read(d / rel)
            if text is not None:
                versions.extend(v for v in parse(text) if v not in versions)
            elif err and err != "ENOENT":
                errors.add(err)
        if versions:
            break
    notes: tuple[str, ...] = ()
    if not versions and errors:
        notes = (
            f"{driver} firmware versions are in debugfs, unreadable here ({', '.join(sorted(errors))}; needs root)",
        )
    return FirmwareInfo(tuple(versions), notes)


# /proc/driver/nvidia/version (proprietary and open kernel modules):
#   "NVRM version: NVIDIA UNIX x86_64 Kernel Module  535.129.03  Thu Oct 19 18:56:32 UTC 2023"
#   "NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  550.54.14  Release Build  (…)"
_NVRM = re.compile(r"NVRM version: .*?(?P<open>Open )?Kernel Module(?: for \S+)?\s+(?P<ver>\d+(?:\.\d+)+)")


def nvidia_firmware(procfs: Path, slot: str) -> FirmwareInfo:
    """Kernel module version, VBIOS and GSP firmware of one NVIDIA GPU (the GPU UUID is left out: private)."""
    versions: list[tuple[str, str]] = []
    notes: list[str] = []
    text, err = _read(procfs / "driver" / "nvidia" / "version")
    if text is not None and (m := _NVRM.search(text)):
        kind = "open kernel module" if m["open"] else "proprietary kernel module"
        versions.append(("NVRM", f"{m['ver']} ({kind})"))
    elif err and err != "ENOENT":
        notes.append(f"/proc/driver/nvidia/version unreadable ({err})")
    info, err = _read(procfs / "driver" / "nvidia" / "gpus" / slot / "information")
    if info is not None:
        fields = {k.strip(): v.strip() for k, sep, v in (ln.partition(":") for ln in info.splitlines()) if sep}
        for key, label in (("Video BIOS", "VBIOS"), ("GPU Firmware", "GSP firmware")):
            value = fields.get(key)
            if value and value.upper() != "N/A":
                versions.append((label, value))
    elif err and err != "ENOENT":
        notes.append(f"/proc/driver/nvidia/gpus/{slot}/information unreadable ({err})")
    return FirmwareInfo(tuple(versions), tuple(notes))
