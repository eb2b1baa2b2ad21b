"""Vulkan physical devices through the loader with ctypes, as vulkaninfo --summary reads them (child side)."""

from __future__ import annotations

import ctypes
import itertools
from collections.abc import Callable
from ctypes import POINTER, Structure, c_char, c_char_p, c_int32, c_int64, c_uint8, c_uint32, c_void_p
from typing import Any

Emit = Callable[[dict[str, Any]], None]

VK_SUCCESS = 0
VK_INCOMPLETE = 5
VK_API_VERSION_1_1 = (1 << 22) | (1 << 12)
VK_API_VERSION_1_2 = (1 << 22) | (2 << 12)
VK_STRUCTURE_TYPE_APPLICATION_INFO = 0
VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO = 1
VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2 = 1000059001
VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_ID_PROPERTIES = 1000071004
VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRIVER_PROPERTIES = 1000196000
VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PCI_BUS_INFO_PROPERTIES_EXT = 1000212000
VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRM_PROPERTIES_EXT = 1000353000

VK_RESULTS = {
    -1: "VK_ERROR_OUT_OF_HOST_MEMORY",
    -2: "VK_ERROR_OUT_OF_DEVICE_MEMORY",
    -3: "VK_ERROR_INITIALIZATION_FAILED",
    -4: "VK_ERROR_DEVICE_LOST",
    -6: "VK_ERROR_LAYER_NOT_PRESENT",
    -7: "VK_ERROR_EXTENSION_NOT_PRESENT",
    -9: "VK_ERROR_INCOMPATIBLE_DRIVER",
    -13: "VK_ERROR_UNKNOWN",
}


class _ApplicationInfo(Structure):
    _fields_ = [
        ("sType", c_int32),
        ("pNext", c_void_p),
        ("pApplicationName", c_char_p),
        ("applicationVersion", c_uint32),
        ("pEngineName", c_char_p),
        ("engineVersion", c_uint32),
        ("apiVersion", c_uint32),
    ]


class _InstanceCreateInfo(Structure):
    _fields_ = [
        ("sType", c_int32),
        ("pNext", c_void_p),
        ("flags", c_uint32),
        ("pApplicationInfo", POINTER(_ApplicationInfo)),
        ("enabledLayerCount", c_uint32),
        ("ppEnabledLayerNames", POINTER(c_char_p)),
        ("enabledExtensionCount", c_uint32),
        ("ppEnabledExtensionNames", POINTER(c_char_p)),
    ]


class _ExtensionProperties(Structure):
    _fields_ = [("extensionName", c_char * 256), ("specVersion", c_uint32)]


class _Properties(Structure):
    # VkPhysicalDeviceProperties up to pipelineCacheUUID; VkPhysicalDeviceLimits and the sparse
    # properties that follow (824 bytes in all with Vulkan 1.3 headers) are only given room here.
    _fields_ = [
        ("apiVersion", c_uint32),
        ("driverVersion", c_uint32),
        ("vendorID", c_uint32),
        ("deviceID", c_uint32),
        ("deviceType", c_int32),
        ("deviceName", c_char * 256),
        ("pipelineCacheUUID", c_uint8 * 16),
        ("limitsAndSparseProperties", ctypes.c_uint64 * 160),
    ]


class _Properties2(Structure):
    _fields_ = [("sType", c_int32), ("pNext", c_void_p), ("properties", _Properties)]


class _DriverProperties(Structure):
    _fields_ = [
        ("sType", c_int32),
        ("pNext", c_void_p),
        ("driverID", c_int32),
        ("driverName", c_char * 256),
        ("driverInfo", c_char * 256),
        ("conformanceVersion", c_uint8 * 4),
    ]


class _IdProperties(Structure):
    _fields_ = [
        ("sType", c_int32),
        ("pNext", c_void_p),
        ("deviceUUID", c_uint8 * 16),
        ("driverUUID", c_uint8 * 16),
        ("deviceLUID", c_uint8 * 8),
        ("deviceNodeMask", c_uint32),
        ("deviceLUIDValid", c_uint32),
    ]


class _PciBusInfo(Structure):
    _fields_ = [
        ("sType", c_int32),
        ("pNext", c_void_p),
        ("pciDomain", c_uint32),
        ("pciBus", c_uint32),
        ("pciDevice", c_uint32),
        ("pciFunction", c_uint32),
    ]


class _DrmProperties(Structure):
    _fields_ = [
        ("sType", c_int32),
        ("pNext", c_void_p),
        ("hasPrimary", c_uint32),
        ("hasRender", c_uint32),
        ("primaryMajor", c_int64),
        ("primaryMinor", c_int64),
        ("renderMajor", c_int64),
        ("renderMinor", c_int64),
    ]


_GetProperties2 = ctypes.CFUNCTYPE(None, c_void_p, POINTER(_Properties2))


def _fn(lib: ctypes.CDLL, name: str, restype: Any, *argtypes: Any) -> Any:
    f = getattr(lib, name)
    f.restype = restype
    f.argtypes = list(argtypes)
    return f


def _result(code: int) -> str:
    return VK_RESULTS.get(code, f"VkResult {code}")


def _uuid(raw: Any) -> str:
    h = bytes(raw).hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}"


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", errors="replace")


def probe(emit: Emit) -> None:
    """Emit an "instance" record, then one "device" record per physical device, or a "problem"."""
    try:
        lib = ctypes.CDLL("libvulkan.so.1")
    except OSError as exc:
        emit({"kind": "problem", "reason": f"libvulkan.so.1 cannot be loaded (no Vulkan loader): {exc}"})
        return
    instance_version = 1 << 22  # a loader without vkEnumerateInstanceVersion is Vulkan 1.0
    if hasattr(lib, "vkEnumerateInstanceVersion"):
        v = c_uint32(0)
        if _fn(lib, "vkEnumerateInstanceVersion", c_int32, POINTER(c_uint32))(ctypes.byref(v)) == VK_SUCCESS:
            instance_version = v.value
    emit({"kind": "instance", "version": instance_version})
    extensions = _instance_extensions(lib)
    enable = [b"VK_KHR_get_physical_device_properties2"] if instance_version < VK_API_VERSION_1_1 else []
    enable = [e for e in enable if e.decode() in extensions]
    app = _ApplicationInfo(VK_STRUCTURE_TYPE_APPLICATION_INFO, None, b"hwinspector", 1, b"hwinspector", 1)
    # A 1.0 loader refuses any other apiVersion; newer loaders accept the newest they know.
    app.apiVersion = instance_version if instance_version >= VK_API_VERSION_1_1 else 1 << 22
    names = (c_char_p * max(len(enable), 1))(*enable)
    info = _InstanceCreateInfo(VK_STRUCTURE_TYPE_INSTANCE_CREATE_INFO, None, 0, ctypes.pointer(app), 0, None)
    info.enabledExtensionCount = len(enable)
    info.ppEnabledExtensionNames = names
    instance = c_void_p()
    create = _fn(lib, "vkCreateInstance", c_int32, POINTER(_InstanceCreateInfo), c_void_p, POINTER(c_void_p))
    rc = create(ctypes.byref(info), None, ctypes.byref(instance))
    if rc != VK_SUCCESS:
        hint = " (the loader found no Vulkan driver)" if rc == -9 else ""
        emit({"kind": "problem", "reason": f"vkCreateInstance failed: {_result(rc)}{hint}"})
        return
    try:
        _probe_devices(lib, instance, instance_version, bool(enable), emit)
    finally:
        _fn(lib, "vkDestroyInstance", None, c_void_p, c_void_p)(instance, None)


def _instance_extensions(lib: ctypes.CDLL) -> set[str]:
    enum = _fn(
        lib,
        "vkEnumerateInstanceExtensionProperties",
        c_int32,
        c_char_p,
        POINTER(c_uint32),
        POINTER(_ExtensionProperties),
    )
    count = c_uint32(0)
    if enum(None, ctypes.byref(count), None) != VK_SUCCESS:
        return set()
    arr = (_ExtensionProperties * count.value)()
    if enum(None, ctypes.byref(count), arr) not in (VK_SUCCESS, VK_INCOMPLETE):
        return set()
    return {_text(arr[i].extensionName) for i in range(count.value)}


def _device_extensions(lib: ctypes.CDLL, dev: int | None) -> set[str]:
    enum = _fn(
        lib,
        "vkEnumerateDeviceExtensionProperties",
        c_int32,
        c_void_p,
        c_char_p,
        POINTER(c_uint32),
        POINTER(_ExtensionProperties),
    )
    count = c_uint32(0)
    if enum(dev, None, ctypes.byref(count), None) != VK_SUCCESS:
        return set()
    arr = (_ExtensionProperties * count.value)()
    if enum(dev, None, ctypes.byref(count), arr) not in (VK_SUCCESS, VK_INCOMPLETE):
        return set()
    return {_text(arr[i].extensionName) for i in range(count.value)}


def _probe_devices(lib: ctypes.CDLL, instance: c_void_p, instance_version: int, khr: bool, emit: Emit) -> None:
    enum = _fn(lib, "vkEnumeratePhysicalDevices", c_int32, c_void_p, POINTER(c_uint32), POINTER(c_void_p))
    count = c_uint32(0)
    rc = enum(instance, ctypes.byref(count), None)
    if rc != VK_SUCCESS:
        emit({"kind": "problem", "reason": f"vkEnumeratePhysicalDevices failed: {_result(rc)}"})
        return
    if count.value == 0:
        emit({"kind": "problem", "reason": "no Vulkan devices: the Vulkan drivers found no device they can drive"})
        return
    devices = (c_void_p * count.value)()
    rc = enum(instance, ctypes.byref(count), devices)
    if rc not in (VK_SUCCESS, VK_INCOMPLETE):
        emit({"kind": "problem", "reason": f"vkEnumeratePhysicalDevices failed: {_result(rc)}"})
        return
    get_props = _fn(lib, "vkGetPhysicalDeviceProperties", None, c_void_p, POINTER(_Properties))
    get_props2: Any = None
    if instance_version >= VK_API_VERSION_1_1 and hasattr(lib, "vkGetPhysicalDeviceProperties2"):
        get_props2 = _fn(lib, "vkGetPhysicalDeviceProperties2", None, c_void_p, POINTER(_Properties2))
    elif khr:
        gipa = _fn(lib, "vkGetInstanceProcAddr", c_void_p, c_void_p, c_char_p)
        addr = gipa(instance, b"vkGetPhysicalDeviceProperties2KHR")
        get_props2 = _GetProperties2(addr) if addr else None
    for i in range(count.value):
        emit(_device_record(lib, i, devices[i], get_props, get_props2))


def _device_record(lib: ctypes.CDLL, index: int, dev: int | None, get_props: Any, get_props2: Any) -> dict[str, Any]:
    props = _Properties()
    get_props(dev, ctypes.byref(props))
    rec: dict[str, Any] = {
        "kind": "device",
        "index": index,
        "api_version": props.apiVersion,
        "driver_version": props.driverVersion,
        "vendor_id": props.vendorID,
        "device_id": props.deviceID,
        "device_type": props.deviceType,
        "device_name": _text(props.deviceName),
    }
    if get_props2 is None:
        return rec
    exts = _device_extensions(lib, dev)
    # Chain only the structures the device knows: an unknown sType in pNext is undefined behaviour.
    chain: list[Structure] = []
    driver = id_props = pci = drm = None
    if props.apiVersion >= VK_API_VERSION_1_2 or "VK_KHR_driver_properties" in exts:
        driver = _DriverProperties(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRIVER_PROPERTIES)
        chain.append(driver)
    if props.apiVersion >= VK_API_VERSION_1_1:
        id_props = _IdProperties(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_ID_PROPERTIES)
        chain.append(id_props)
    if "VK_EXT_pci_bus_info" in exts:
        pci = _PciBusInfo(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PCI_BUS_INFO_PROPERTIES_EXT)
        chain.append(pci)
    if "VK_EXT_physical_device_drm" in exts:
        drm = _DrmProperties(VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRM_PROPERTIES_EXT)
        chain.append(drm)
    if not chain:
        return rec
    for a, b in itertools.pairwise(chain):
        a.pNext = ctypes.cast(ctypes.pointer(b), c_void_p)
    props2 = _Properties2(
        VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2, ctypes.cast(ctypes.pointer(chain[0]), c_void_p)
    )
    get_props2(dev, ctypes.byref(props2))
    if driver is not None:
        rec.update(
            driver_id=driver.driverID,
            driver_name=_text(driver.driverName),
            driver_info=_text(driver.driverInfo),
            conformance_version=".".join(str(x) for x in driver.conformanceVersion),
        )
    if id_props is not None:
        rec.update(device_uuid=_uuid(id_props.deviceUUID), driver_uuid=_uuid(id_props.driverUUID))
    if pci is not None:
        rec["pci_address"] = f"{pci.pciDomain:04x}:{pci.pciBus:02x}:{pci.pciDevice:02x}.{pci.pciFunction:x}"
    if drm is not None:
        if drm.hasPrimary:
            rec["drm_primary"] = [drm.primaryMajor, drm.primaryMinor]
        if drm.hasRender:
            rec["drm_render"] = [drm.renderMajor, drm.renderMinor]
    return rec
