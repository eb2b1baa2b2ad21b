"""The Vulkan drivers and devices that applications get, read in a child process, or from vulkaninfo --summary."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from hwinspector.probes.errors import InputFormatError
from hwinspector.probes.graphics.gl.probe import is_software_renderer, mesa_version_of
from hwinspector.probes.isolated import child_main, run_child

# VkPhysicalDeviceType, with the names vulkaninfo prints (PHYSICAL_DEVICE_TYPE_<NAME>).
DEVICE_TYPES = {0: "other", 1: "integrated", 2: "discrete", 3: "virtual", 4: "cpu"}
_VULKANINFO_TYPES = {
    "OTHER": "other",
    "INTEGRATED_GPU": "integrated",
    "DISCRETE_GPU": "discrete",
    "VIRTUAL_GPU": "virtual",
    "CPU": "cpu",
}
# VkDriverId (Vulkan registry, vk.xml); vulkaninfo prints them as DRIVER_ID_<NAME>.
DRIVER_IDS = {
    1: "AMD_PROPRIETARY",
    2: "AMD_OPEN_SOURCE",
    3: "MESA_RADV",
    4: "NVIDIA_PROPRIETARY",
    5: "INTEL_PROPRIETARY_WINDOWS",
    6: "INTEL_OPEN_SOURCE_MESA",
    7: "IMAGINATION_PROPRIETARY",
    8: "QUALCOMM_PROPRIETARY",
    9: "ARM_PROPRIETARY",
    10: "GOOGLE_SWIFTSHADER",
    11: "GGP_PROPRIETARY",
    12: "BROADCOM_PROPRIETARY",
    13: "MESA_LLVMPIPE",
    14: "MOLTENVK",
    15: "COREAVI_PROPRIETARY",
    16: "JUICE_PROPRIETARY",
    17: "VERISILICON_PROPRIETARY",
    18: "MESA_TURNIP",
    19: "MESA_V3DV",
    20: "MESA_PANVK",
    21: "SAMSUNG_PROPRIETARY",
    22: "MESA_VENUS",
    23: "MESA_DOZEN",
    24: "MESA_NVK",
    25: "IMAGINATION_OPEN_SOURCE_MESA",
    26: "MESA_HONEYKRISP",
    27: "VULKAN_SC_EMULATION_ON_VULKAN",
    28: "MESA_KOSMICKRISP",
}
_DRIVER_ID_BY_NAME = {v: k for k, v in DRIVER_IDS.items()}
_SOFTWARE_DRIVER_IDS = frozenset({10, 13})  # SwiftShader, lavapipe
NVIDIA_VENDOR_ID = 0x10DE


def api_version_string(v: int) -> str:
    """VK_API_VERSION_MAJOR/MINOR/PATCH: 7, 10 and 12 bits under a 3-bit variant."""
    return f"{(v >> 22) & 0x7F}.{(v >> 12) & 0x3FF}.{v & 0xFFF}"


def driver_version_string(vendor_id: int, v: int) -> str:
    """driverVersion decoded as vulkaninfo does: NVIDIA packs 10.8.8.6 bits, everyone else VK_MAKE_VERSION."""
    if vendor_id == NVIDIA_VENDOR_ID:
        return f"{(v >> 22) & 0x3FF}.{(v >> 14) & 0xFF}.{(v >> 6) & 0xFF}.{v & 0x3F}"
    return f"{v >> 22}.{(v >> 12) & 0x3FF}.{v & 0xFFF}"


@dataclass(frozen=True, slots=True)
class VulkanDevice:
    """One VkPhysicalDevice: its properties, and its driver's properties where the driver has them."""

    index: int  # GPU<index> in vulkaninfo
    device_name: str
    device_type: str  # "integrated" | "discrete" | "virtual" | "cpu" | "other"
    vendor_id: int
    device_id: int
    api_version: str  # "1.3.230"
    driver_version: str  # decoded per vendor as vulkaninfo prints it
    driver_version_raw: int | None  # None when read from text
    driver_id: int | None = None
    driver_name: str | None = None  # "llvmpipe", "radv", "NVIDIA", "Intel open-source Mesa driver"
    driver_info: str | None = None  # "Mesa 22.3.6 (LLVM 15.0.6)", "560.70"
    conformance_version: str | None = None  # "1.3.1.1"
    device_uuid: str | None = None
    driver_uuid: str | None = None
    pci_address: str | None = None  # VK_EXT_pci_bus_info: "0000:01:00.0" (links Vulkan to the PCI device)
    drm_primary: tuple[int, int] | None = None  # VK_EXT_physical_device_drm: (226, 0) is /dev/dri/card0
    drm_render: tuple[int, int] | None = None  # (226, 128) is /dev/dri/renderD128

    # An NVIDIA device UUID is unique to one GPU; the privacy filter masks it.
    IDENTIFYING_FIELDS: ClassVar[tuple[str, ...]] = ("device_uuid",)

    @property
    def driver_id_name(self) -> str | None:
        """ "DRIVER_ID_MESA_LLVMPIPE", as vulkaninfo prints it."""
        if self.driver_id is None:
            return None
        return f"DRIVER_ID_{DRIVER_IDS.get(self.driver_id, str(self.driver_id))}"

    @property
    def mesa_version(self) -> str | None:
        return mesa_version_of(self.driver_info)

    @property
    def is_software(self) -> bool:
        """A CPU implementation (lavapipe, SwiftShader): VK_PHYSICAL_DEVICE_TYPE_CPU or a known driver."""
        return (
            self.device_type == "cpu"
            or self.driver_id in _SOFTWARE_DRIVER_IDS
            or is_software_renderer(self.device_name)
            or is_software_renderer(self.driver_name)
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "index": self.index,
            "device_name": self.device_name,
            "device_type": self.device_type,
            "vendor_id": self.vendor_id,
            "device_id": self.device_id,
            "api_version": self.api_version,
            "driver_version": self.driver_version,
            "driver_version_raw": self.driver_version_raw,
            "driver_id": self.driver_id,
            "driver_name": self.driver_name,
            "driver_info": self.driver_info,
            "conformance_version": self.conformance_version,
            "device_uuid": self.device_uuid,
            "driver_uuid": self.driver_uuid,
            "pci_address": self.pci_address,
            "drm_primary": list(self.drm_primary) if self.drm_primary else None,
            "drm_render": list(self.drm_render) if self.drm_render else None,
            "is_software": self.is_software,
        }

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> VulkanDevice:
        return cls(
            index=int(d.get("index") or 0),
            device_name=str(d.get("device_name") or ""),
            device_type=str(d.get("device_type") or "other"),
            vendor_id=int(d.get("vendor_id") or 0),
            device_id=int(d.get("device_id") or 0),
            api_version=str(d.get("api_version") or ""),
            driver_version=str(d.get("driver_version") or ""),
            driver_version_raw=_opt_int(d.get("driver_version_raw")),
            driver_id=_opt_int(d.get("driver_id")),
            driver_name=_opt_str(d.get("driver_name")),
            driver_info=_opt_str(d.get("driver_info")),
            conformance_version=_opt_str(d.get("conformance_version")),
            device_uuid=_opt_str(d.get("device_uuid")),
            driver_uuid=_opt_str(d.get("driver_uuid")),
            pci_address=_opt_str(d.get("pci_address")),
            drm_primary=_pair(d.get("drm_primary")),
            drm_render=_pair(d.get("drm_render")),
        )

    @classmethod
    def from_child(cls, rec: Mapping[str, Any]) -> VulkanDevice:
        """From the raw numbers the child probe reports."""
        vendor_id = int(rec.get("vendor_id") or 0)
        raw_driver = int(rec.get("driver_version") or 0)
        return cls(
            index=int(rec.get("index") or 0),
            device_name=str(rec.get("device_name") or ""),
            device_type=DEVICE_TYPES.get(int(rec.get("device_type") or 0), "other"),
            vendor_id=vendor_id,
            device_id=int(rec.get("device_id") or 0),
            api_version=api_version_string(int(rec.get("api_version") or 0)),
            driver_version=driver_version_string(vendor_id, raw_driver),
            driver_version_raw=raw_driver,
            driver_id=_opt_int(rec.get("driver_id")),
            driver_name=_opt_str(rec.get("driver_name")),
            driver_info=_opt_str(rec.get("driver_info")),
            conformance_version=_opt_str(rec.get("conformance_version")),
            device_uuid=_opt_str(rec.get("device_uuid")),
            driver_uuid=_opt_str(rec.get("driver_uuid")),
            pci_address=_opt_str(rec.get("pci_address")),
            drm_primary=_pair(rec.get("drm_primary")),
            drm_render=_pair(rec.get("drm_render")),
        )


@dataclass(frozen=True, slots=True)
class VulkanInfo:
    """The Vulkan loader's version and every physical device, or why there are none."""

    instance_version: str | None  # the loader's, "1.3.239"
    devices: tuple[VulkanDevice, ...]
    problems: tuple[str, ...] = ()  # "vkCreateInstance failed: VK_ERROR_INCOMPATIBLE_DRIVER ..."
    error: str | None = None  # the probe as a whole was cut short: timeout, crash
    source: str = "live"  # "live" | "vulkaninfo"

    @property
    def available(self) -> bool:
        return bool(self.devices)

    @property
    def unavailable_reason(self) -> str | None:
        if self.devices:
            return None
        return "; ".join(r for r in (self.error, *self.problems) if r) or "no Vulkan devices"

    @property
    def is_software(self) -> bool:
        """Every device is a CPU implementation: applications get lavapipe, not a GPU."""
        return bool(self.devices) and all(d.is_software for d in self.devices)

    @property
    def hardware_devices(self) -> tuple[VulkanDevice, ...]:
        return tuple(d for d in self.devices if not d.is_software)

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "instance_version": self.instance_version,
            "available": self.available,
            "unavailable_reason": self.unavailable_reason,
            "is_software": self.is_software,
            "devices": [d.to_json() for d in self.devices],
            "problems": list(self.problems),
            "error": self.error,
        }

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> VulkanInfo:
        return cls(
            instance_version=_opt_str(d.get("instance_version")),
            devices=tuple(VulkanDevice.from_json(x) for x in d.get("devices") or () if isinstance(x, Mapping)),
            problems=tuple(str(p) for p in d.get("problems") or ()),
            error=_opt_str(d.get("error")),
            source=str(d.get("source") or "live"),
        )


def read_vulkan_info(timeout_s: float = 10.0, env: Mapping[str, str] | None = None) -> VulkanInfo:
    """Enumerate Vulkan physical devices in ``python -m hwinspector.probes.graphics.vulkan.probe``; never raises.

    ``env`` replaces the child's environment (VK_ICD_FILENAMES, VK_DRIVER_FILES, ...).
    """
    result = run_child("hwinspector.probes.graphics.vulkan.probe", timeout_s, env)
    version: str | None = None
    devices: list[VulkanDevice] = []
    problems: list[str] = []
    for rec in result.records:
        kind = rec.get("kind")
        if kind == "instance":
            version = api_version_string(int(rec.get("version") or 0))
        elif kind == "device":
            devices.append(VulkanDevice.from_child(rec))
        elif kind == "problem":
            problems.append(str(rec.get("reason")))
    return VulkanInfo(version, tuple(devices), tuple(problems), result.failure, "live")


_GPU_RE = re.compile(r"^GPU(\d+):\s*$")
_KV_RE = re.compile(r"^\s+(\w+)\s*=\s?(.*)$")
_INSTANCE_RE = re.compile(r"^Vulkan Instance Version:\s*(\S+)")


def parse_vulkaninfo_summary(text: str, source: str = "vulkaninfo --summary") -> VulkanInfo:
    """``vulkaninfo --summary`` output (any version since 1.2.1xx) -> VulkanInfo.

    A capture of a failed run (no instance, no devices) gives a VulkanInfo with the error as its
    problem; text that is not vulkaninfo output at all raises InputFormatError.
    """
    version: str | None = None
    blocks: list[tuple[int, int, dict[str, str]]] = []  # (index, line number, fields)
    in_devices = False
    errors: list[str] = []
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.rstrip()
        if m := _INSTANCE_RE.match(line):
            version = m.group(1)
        elif line == "Devices:":
            in_devices = True
        elif in_devices and (m := _GPU_RE.match(line)):
            blocks.append((int(m.group(1)), lineno, {}))
        elif in_devices and blocks and (m := _KV_RE.match(line)):
            blocks[-1][2][m.group(1)] = m.group(2).strip()
        elif line.startswith(("ERROR", "Cannot create Vulkan instance")):
            errors.append(line)
        elif in_devices and line and not line.startswith("="):
            in_devices = False  # the summary ends at the device list
    if not blocks and version is None and not errors:
        raise InputFormatError(source, "not vulkaninfo --summary output (no 'Vulkan Instance Version', no GPUs)")
    devices = tuple(_device_from_summary(index, lineno, f, source) for index, lineno, f in blocks)
    problems = () if devices else (tuple(errors) or ("vulkaninfo listed no devices",))
    return VulkanInfo(version, devices, problems, None, "vulkaninfo")


def _device_from_summary(index: int, lineno: int, f: dict[str, str], source: str) -> VulkanDevice:
    if "deviceName" not in f:
        raise InputFormatError(source, f"GPU{index} has no deviceName", lineno)
    driver_id = f.get("driverID", "").removeprefix("DRIVER_ID_")
    dtype = f.get("deviceType", "").removeprefix("PHYSICAL_DEVICE_TYPE_")
    return VulkanDevice(
        index=index,
        device_name=f["deviceName"],
        device_type=_VULKANINFO_TYPES.get(dtype, "other"),
        vendor_id=_hex(f.get("vendorID")),
        device_id=_hex(f.get("deviceID")),
        api_version=_version_text(f.get("apiVersion", "")),
        driver_version=_version_text(f.get("driverVersion", "")),
        driver_version_raw=None,
        driver_id=_DRIVER_ID_BY_NAME.get(driver_id) if driver_id else None,
        driver_name=f.get("driverName"),
        driver_info=f.get("driverInfo"),
        conformance_version=f.get("conformanceVersion"),
        device_uuid=f.get("deviceUUID"),
        driver_uuid=f.get("driverUUID"),
    )


def _version_text(v: str) -> str:
    # Older vulkaninfo printed the packed number first, "4206830 (1.3.238)"; later only "1.3.238".
    m = re.match(r"^\d+ \((\d+\.\d+\.\d+)\)$", v)
    return m.group(1) if m else v


def _hex(v: str | None) -> int:
    try:
        return int(v or "0", 0)
    except ValueError:
        return 0


def _opt_str(v: object) -> str | None:
    return None if v is None else str(v)


def _opt_int(v: object) -> int | None:
    return v if isinstance(v, int) and not isinstance(v, bool) else None


def _pair(v: object) -> tuple[int, int] | None:
    if isinstance(v, list | tuple) and len(v) == 2 and all(isinstance(x, int) for x in v):
        return (int(v[0]), int(v[1]))
    return None


def _probe(emit: Callable[[dict[str, Any]], None]) -> None:
    # Imported here: the parent process never loads libvulkan.
    from hwinspector.probes.graphics.vulkan import native as vulkan_native

    vulkan_native.probe(emit)


if __name__ == "__main__":
    child_main(_probe)
