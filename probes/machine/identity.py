"""Machine identity: what the machine is, what runs on it — never its serial numbers."""

from __future__ import annotations

import os
import platform
from dataclasses import asdict, dataclass
from pathlib import Path

from hwinspector.probes.sysfs_attr import optional_text as read_text

# Fields of /sys/class/dmi/id that identify one machine (readable by root only, for that reason):
# never read here. Bundles carry them masked, if at all.
DMI_SERIAL_FIELDS = frozenset(
    {"product_serial", "board_serial", "chassis_serial", "product_uuid", "board_asset_tag", "chassis_asset_tag"}
)
# Values firmware vendors leave when they fill nothing in.
_PLACEHOLDERS = frozenset(
    {
        "",
        "to be filled by o.e.m.",
        "default string",
        "system product name",
        "system version",
        "not applicable",
        "none",
        "o.e.m.",
        "oem",
        "not specified",
        "x.x",
        "0123456789",
    }
)
# The kernel strips spaces from DMI strings in the modalias ("NotApplicable", "ToBeFilledByO.E.M.").
_PLACEHOLDERS_NO_SPACES = frozenset(p.replace(" ", "") for p in _PLACEHOLDERS)
EFI_GLOBAL = "8be4df61-93ca-11d2-aa0d-00e098032b8c"


@dataclass(frozen=True, slots=True)
class Identity:
    vendor: str | None = None
    product: str | None = None
    version: str | None = None
    family: str | None = None
    board_vendor: str | None = None
    board_name: str | None = None
    chassis_type: int | None = None  # SMBIOS chassis type: 3 desktop, 9 laptop, 10 notebook, 1 other (VMs) …
    bios_vendor: str | None = None
    bios_version: str | None = None
    bios_date: str | None = None
    firmware_type: str | None = None  # "UEFI" | "BIOS" | "device tree"
    secure_boot: str | None = None  # "enabled" | "disabled" | "setup mode" | None (not readable)
    devicetree_model: str | None = None
    cpu_model: str | None = None
    cpu_cores: int | None = None
    cpu_threads: int | None = None
    cpu_sockets: int | None = None
    microcode: str | None = None
    memory_bytes: int | None = None
    os_name: str | None = None
    kernel: str | None = None
    architecture: str | None = None

    def to_json(self) -> dict[str, object]:
        return asdict(self)

    @property
    def title(self) -> str:
        """What to call the machine: "LENOVO ThinkPad T14 Gen 3", "Raspberry Pi 4 Model B"."""
        if self.devicetree_model:
            return self.devicetree_model
        name = " ".join(x for x in (self.vendor, self.family or self.version, self.product) if x)
        # vendors repeat themselves ("Dell Inc. Latitude Latitude 5580"): drop repeated words
        seen: list[str] = []
        for word in name.split():
            if word not in seen:
                seen.append(word)
        return " ".join(seen) or "Unknown machine"


def _dmi(sysfs: Path, name: str) -> str | None:
    value = read_text(sysfs / "class/dmi/id" / name)
    if value is None:
        return None
    value = value.strip()
    return None if value.lower() in _PLACEHOLDERS else value


def _cpu(procfs: Path) -> tuple[str | None, int | None, int | None, int | None, str | None]:
    text = read_text(procfs / "cpuinfo") or ""
    model = microcode = None
    threads = 0
    cores: dict[tuple[str, str], None] = {}
    sockets: set[str] = set()
    phys = core = ""
    for line in text.splitlines():
        key, _, value = line.partition(":")
        key, value = key.strip(), value.strip()
        if key == "processor":
            threads += 1
        elif key in ("model name", "Model", "cpu model") and model is None:
            model = value  # x86 "model name"; Arm "Model" (the board) is the fallback on some SoCs
        elif key == "microcode" and microcode is None:
            microcode = value
        elif key == "physical id":
            phys = value
            sockets.add(value)
        elif key == "core id":
            core = value
            cores[(phys, core)] = None
    return model, (len(cores) or None), (threads or None), (len(sockets) or None), microcode


def _memory(procfs: Path) -> int | None:
    for line in (read_text(procfs / "meminfo") or "").splitlines():
        if line.startswith("MemTotal:"):
            try:
                return int(line.split()[1]) * 1024
            except (IndexError, ValueError):
                return None
    return None


def _chassis_type(text: str | None) -> int | None:
    try:
        return int(text.strip()) if text else None
    except ValueError:
        return None


def _os_name(etc: Path) -> str | None:
    for p in (etc / "os-release", etc.parent / "usr/lib/os-release"):
        for line in (read_text(p) or "").splitlines():
            if line.startswith("PRETTY_NAME="):
                return line.partition("=")[2].strip().strip('"')
    return None


def _secure_boot(sysfs: Path) -> str | None:
    """From the SecureBoot and SetupMode EFI variables: 4 attribute bytes, then the value byte."""
    efivars = sysfs / "firmware/efi/efivars"
    try:
        data = (efivars / f"SecureBoot-{EFI_GLOBAL}").read_bytes()
    except OSError:
        return None
    if len(data) < 5:
        return None
    try:
        if (efivars / f"SetupMode-{EFI_GLOBAL}").read_bytes()[4:5] == b"\x01":
            return "setup mode"
    except OSError:
        pass
    return "enabled" if data[4] == 1 else "disabled"


def read_identity(sysfs: Path = Path("/sys"), procfs: Path = Path("/proc"), etc: Path = Path("/etc")) -> Identity:
    """What the machine is; every field may be None where this machine does not say."""
    dt_model = read_text(sysfs / "firmware/devicetree/base/model") or read_text(procfs / "device-tree/model")
    if dt_model:
        dt_model = dt_model.strip("\0 \n")
    cpu_model, cores, threads, sockets, microcode = _cpu(procfs)
    if (sysfs / "firmware/efi").is_dir():
        fw_type = "UEFI"
    elif dt_model:
        fw_type = "device tree"
    elif (sysfs / "class/dmi/id").is_dir():
        fw_type = "BIOS"
    else:
        fw_type = None
    uname = os.uname()
    return Identity(
        vendor=_dmi(sysfs, "sys_vendor"),
        product=_dmi(sysfs, "product_name"),
        version=_dmi(sysfs, "product_version"),
        family=_dmi(sysfs, "product_family"),
        board_vendor=_dmi(sysfs, "board_vendor"),
        board_name=_dmi(sysfs, "board_name"),
        chassis_type=_chassis_type(read_text(sysfs / "class/dmi/id/chassis_type")),
        bios_vendor=_dmi(sysfs, "bios_vendor"),
        bios_version=_dmi(sysfs, "bios_version"),
        bios_date=_dmi(sysfs, "bios_date"),
        firmware_type=fw_type,
        secure_boot=_secure_boot(sysfs),
        devicetree_model=dt_model or None,
        cpu_model=cpu_model,
        cpu_cores=cores,
        cpu_threads=threads,
        cpu_sockets=sockets,
        microcode=microcode,
        memory_bytes=_memory(procfs),
        os_name=_os_name(etc),
        kernel=f"{platform.system()} {uname.release}",
        architecture=uname.machine,
    )


def identity_from_dmi_modalias(modalias: str) -> Identity:
    """What a udevadm dump tells: the dmi device's modalias (spaces stripped by the kernel)."""
    fields: dict[str, str] = {}
    for part in modalias.split(":")[1:]:
        for key in ("bvn", "bvr", "bd", "svn", "pn", "pvr", "rvn", "rn", "pfa", "ct"):
            if part.startswith(key) and key not in fields:
                fields[key] = part[len(key) :]
                break

    def get(k: str) -> str | None:
        v = fields.get(k)
        return None if v is None or v.lower() in _PLACEHOLDERS_NO_SPACES else v

    return Identity(
        vendor=get("svn"),
        product=get("pn"),
        version=get("pvr"),
        family=get("pfa"),
        board_vendor=get("rvn"),
        board_name=get("rn"),
        chassis_type=_chassis_type(get("ct")),
        bios_vendor=get("bvn"),
        bios_version=get("bvr"),
        bios_date=get("bd"),
    )
