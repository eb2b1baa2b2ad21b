"""The live Vulkan probe against vulkaninfo --summary (lavapipe); version decoding; summary captures."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from hwinspector.probes.errors import InputFormatError
from hwinspector.probes.graphics.vulkan.probe import (
    VulkanInfo,
    api_version_string,
    driver_version_string,
    parse_vulkaninfo_summary,
    read_vulkan_info,
)

DATA = Path(__file__).resolve().parents[2] / "data" / "gl"
VULKANINFO = shutil.which("vulkaninfo")
VULKANINFO_TYPES = {
    "PHYSICAL_DEVICE_TYPE_OTHER": "other",
    "PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU": "integrated",
    "PHYSICAL_DEVICE_TYPE_DISCRETE_GPU": "discrete",
    "PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU": "virtual",
    "PHYSICAL_DEVICE_TYPE_CPU": "cpu",
}


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    return {**env, "LC_ALL": "C", **extra}


def _summary_blocks(text: str) -> tuple[str | None, list[dict[str, str]]]:
    """vulkaninfo --summary read the plainest way: the instance version, then GPU<n>: key = value blocks."""
    version = None
    blocks: list[dict[str, str]] = []
    for line in text.splitlines():
        if line.startswith("Vulkan Instance Version: "):
            version = line.split(": ", 1)[1].strip()
        elif line.startswith("GPU") and line.endswith(":"):
            blocks.append({})
        elif blocks and line.startswith("\t") and " = " in line:
            key, value = line.split(" = ", 1)
            blocks[-1][key.strip()] = value.strip()
    return version, blocks


def test_devices_equal_vulkaninfo_summary() -> None:
    if VULKANINFO is None:
        pytest.skip("vulkaninfo is not installed (Debian: vulkan-tools)")
    env = _env()
    proc = subprocess.run([VULKANINFO, "--summary"], env=env, capture_output=True, text=True, timeout=60)
    version, blocks = _summary_blocks(proc.stdout)
    if not blocks:
        pytest.skip(f"vulkaninfo found no device here (install mesa-vulkan-drivers for lavapipe): {proc.stderr[-300:]}")
    info = read_vulkan_info(timeout_s=30, env=env)
    assert info.error is None and info.problems == ()
    assert info.instance_version == version
    assert len(info.devices) == len(blocks)
    for dev, want in zip(info.devices, blocks, strict=True):
        assert dev.device_name == want["deviceName"]
        assert dev.driver_name == want["driverName"]
        assert dev.driver_info == want["driverInfo"]
        assert dev.api_version == want["apiVersion"]
        assert dev.driver_version == want["driverVersion"]
        assert dev.device_type == VULKANINFO_TYPES[want["deviceType"]]
        assert (dev.vendor_id, dev.device_id) == (int(want["vendorID"], 16), int(want["deviceID"], 16))
        assert dev.driver_id_name == want["driverID"]
        assert dev.conformance_version == want["conformanceVersion"]
        assert (dev.device_uuid, dev.driver_uuid) == (want["deviceUUID"], want["driverUUID"])


def test_lavapipe_is_flagged_as_software() -> None:
    info = read_vulkan_info(timeout_s=30, env=_env())
    if not info.devices:
        pytest.skip(f"no Vulkan device here: {info.unavailable_reason}")
    lvp = [d for d in info.devices if d.driver_name == "llvmpipe"]
    if not lvp:
        pytest.skip("lavapipe is not installed (Debian: mesa-vulkan-drivers)")
    (dev,) = lvp
    assert dev.device_type == "cpu" and dev.is_software
    assert dev.mesa_version is not None and (dev.driver_info or "").startswith(f"Mesa {dev.mesa_version}")
    assert dev.vendor_id == 0x10005  # VK_VENDOR_ID_MESA
    if len(info.devices) == 1:
        assert info.is_software and info.hardware_devices == ()
    j = info.to_json()
    assert VulkanInfo.from_json(j) == info and j["devices"][0]["is_software"] is dev.is_software


def test_no_driver_is_a_reason_not_an_exception() -> None:
    # The loader of vulkan-tools 1.3.239 reads VK_ICD_FILENAMES; newer ones also VK_DRIVER_FILES.
    env = _env(VK_ICD_FILENAMES="/nonexistent.json", VK_DRIVER_FILES="/nonexistent.json")
    info = read_vulkan_info(timeout_s=30, env=env)
    assert info.devices == () and not info.available and not info.is_software and info.error is None
    assert info.unavailable_reason == (
        "vkCreateInstance failed: VK_ERROR_INCOMPATIBLE_DRIVER (the loader found no Vulkan driver)"
    )
    if VULKANINFO is not None:
        proc = subprocess.run([VULKANINFO, "--summary"], env=env, capture_output=True, text=True, timeout=60)
        assert "ERROR_INCOMPATIBLE_DRIVER" in proc.stdout + proc.stderr


def test_timeout_is_a_reason() -> None:
    info = read_vulkan_info(timeout_s=0.001, env=_env())
    assert info.devices == () and info.instance_version is None
    assert info.unavailable_reason is not None and info.unavailable_reason.startswith("timed out after 0.001 s")


def test_version_decoding_as_vulkaninfo_prints_it() -> None:
    # Values that vulkaninfo printed on real machines: NVIDIA 560.70 -> "560.70.0.0",
    # NVIDIA 580.95.05 -> "580.95.5.0" (the fourth field has 6 bits), Mesa 25.3.5 -> "25.3.5".
    assert driver_version_string(0x10DE, (560 << 22) | (70 << 14)) == "560.70.0.0"
    assert driver_version_string(0x10DE, (580 << 22) | (95 << 14) | (5 << 6)) == "580.95.5.0"
    assert driver_version_string(0x1002, (25 << 22) | (3 << 12) | 5) == "25.3.5"
    assert driver_version_string(0x10005, 1) == "0.0.1"  # lavapipe of Mesa 22.3
    assert api_version_string((1 << 22) | (3 << 12) | 230) == "1.3.230"
    assert api_version_string((1 << 29) | (1 << 22) | (2 << 12) | 5) == "1.2.5"  # the variant is not printed


def test_summary_of_lavapipe() -> None:
    info = parse_vulkaninfo_summary((DATA / "vulkaninfo-summary-lavapipe.txt").read_text())
    assert info.instance_version == "1.3.239" and info.source == "vulkaninfo"
    (dev,) = info.devices
    assert (dev.device_name, dev.device_type, dev.vendor_id, dev.device_id) == (
        "llvmpipe (LLVM 15.0.6, 256 bits)",
        "cpu",
        0x10005,
        0,
    )
    assert (dev.api_version, dev.driver_version, dev.driver_version_raw) == ("1.3.230", "0.0.1", None)
    assert (dev.driver_id, dev.driver_id_name, dev.driver_name) == (13, "DRIVER_ID_MESA_LLVMPIPE", "llvmpipe")
    assert (dev.driver_info, dev.mesa_version, dev.conformance_version) == (
        "Mesa 22.3.6 (LLVM 15.0.6)",
        "22.3.6",
        "1.3.1.1",
    )
    assert dev.device_uuid == "6d657361-3232-2e33-2e36-000000000000"
    assert info.is_software


def test_summary_of_a_hybrid_laptop() -> None:
    info = parse_vulkaninfo_summary((DATA / "vulkaninfo-summary-hybrid-constructed.txt").read_text())
    assert [(d.index, d.device_type, d.driver_id_name) for d in info.devices] == [
        (0, "integrated", "DRIVER_ID_INTEL_OPEN_SOURCE_MESA"),
        (1, "discrete", "DRIVER_ID_NVIDIA_PROPRIETARY"),
        (2, "cpu", "DRIVER_ID_MESA_LLVMPIPE"),
    ]
    nv = info.devices[1]
    assert (nv.vendor_id, nv.device_id, nv.driver_version, nv.mesa_version) == (0x10DE, 0x28E0, "550.67.0.0", None)
    assert info.devices[0].mesa_version == "24.0.5-1ubuntu1"
    assert not info.is_software and [d.index for d in info.hardware_devices] == [0, 1]
    assert VulkanInfo.from_json(info.to_json()) == info


def test_summary_of_a_failed_run() -> None:
    info = parse_vulkaninfo_summary((DATA / "vulkaninfo-summary-no-driver.txt").read_text())
    assert info.devices == () and not info.available
    assert info.unavailable_reason is not None
    assert "vkCreateInstance failed with ERROR_INCOMPATIBLE_DRIVER" in info.unavailable_reason


def test_summary_garbage() -> None:
    with pytest.raises(InputFormatError, match="not vulkaninfo --summary output"):
        parse_vulkaninfo_summary("OpenGL renderer string: llvmpipe\n", "attachment.txt")
    with pytest.raises(InputFormatError) as exc:
        parse_vulkaninfo_summary(
            "Vulkan Instance Version: 1.3.239\n\nDevices:\n========\nGPU0:\n\tapiVersion = 1.3.0\n"
        )
    assert exc.value.line == 5 and "GPU0 has no deviceName" in str(exc.value)
