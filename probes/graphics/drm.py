"""The graphics chain: GPU → driver, module, firmware → DRM card and render node → connectors → monitors."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

from hwinspector.i18n import N_
from hwinspector.probes.devices.tree import Device, make_device
from hwinspector.probes.graphics.chain import (
    Connector,
    Context,
    DrmCard,
    Gpu,
    GraphicsChain,
    GraphicsProblem,
    assemble,
    is_firmware_framebuffer,
)
from hwinspector.probes.graphics.firmware import FirmwareInfo, amdgpu_sysfs_firmware, debugfs_firmware, nvidia_firmware
from hwinspector.probes.graphics.kms import KmsReading, read_kms
from hwinspector.probes.sysfs_attr import link_name, read_attr

__all__ = [
    "Connector",
    "DrmCard",
    "Gpu",
    "GraphicsChain",
    "GraphicsProblem",
    "graphics_from_devices",
    "read_graphics",
]

_CARD = re.compile(r"^card\d+$")
_RENDER = re.compile(r"^renderD\d+$")
_GPU_ATTRS = ("vendor", "device", "class", "subsystem_vendor", "subsystem_device", "boot_vga", "power/runtime_status")
_CONNECTOR_ATTRS = ("status", "enabled", "dpms", "modes", "connector_id")
# EDID: 128 bytes per block, at most 256 blocks (HF-EEODB); sysfs serves it in page-sized reads.
_EDID_MAX = 256 * 128


def graphics_from_devices(devices: Sequence[Device]) -> GraphicsChain:
    """The chain as a udev dump or umockdev recording shows it: no firmware versions, no KMS state.

    Raises ProbeUnavailable when there is neither a DRM device nor a display controller.
    """
    return assemble(devices, Context())


def read_graphics(
    sysfs: Path = Path("/sys"),
    devfs: Path = Path("/dev"),
    procfs: Path = Path("/proc"),
    environ: Mapping[str, str] | None = None,
) -> GraphicsChain:
    """The live chain. Reads nothing that wakes a runtime-suspended GPU: sysfs connector attributes
    are cached by the kernel, and a card is opened for its current mode only while its GPU is awake
    and one of its connectors is connected.

    Raises ProbeUnavailable when there is neither a DRM device nor a display-class PCI device.
    """
    devices = list(_live_devices(sysfs))
    firmware = {d.path: _firmware(sysfs, procfs, d, devices) for d in devices if _has_firmware_source(d)}
    kms = _kms_readings(devices, devfs)
    ctx = Context(
        firmware=firmware,
        kms=kms,
        kms_absent=N_("card not opened"),
        environ=dict(os.environ if environ is None else environ),
        source="live",
        no_drm_reason=(
            N_(
                "no DRM devices: {sysfs} lists no card and no display-class PCI device exists (no GPU, or "
                "a virtual machine without a virtual display)"
            ).format(sysfs=sysfs / "class" / "drm")
        ),
    )
    return assemble(devices, ctx)


# --- reading sysfs into devices -----------------------------------------------------------------------


def _devpath(d: Path, sysfs: Path) -> str:
    real = Path(os.path.realpath(d))
    try:
        return "/" + real.relative_to(os.path.realpath(sysfs)).as_posix()
    except ValueError:
        return str(real)


def _uevent(d: Path) -> dict[str, str]:
    text = read_attr(d / "uevent").text or ""
    return {k: v for k, sep, v in (line.partition("=") for line in text.splitlines()) if sep and k}


def _read_edid(path: Path) -> str | None:
    try:
        with open(path, "rb") as f:
            data = f.read(_EDID_MAX)
    except OSError:
        return None
    return data.hex()


def _device(
    sysfs: Path, d: Path, parent: str | None, attrs: Sequence[str], subsystem: str | None = None, edid: bool = False
) -> Device:
    """One device from its directory; tolerant of trees without uevent or links (fixtures, old kernels)."""
    props = _uevent(d)
    # Captured trees (prometheus fixtures) keep uevent but not the subsystem link.
    subsystem = link_name(d / "subsystem") or subsystem or ("pci" if "PCI_SLOT_NAME" in props else None)
    driver = link_name(d / "driver") or props.get("DRIVER")
    module = link_name(d / "driver" / "module") if (d / "driver").is_symlink() else None
    values = {}
    for name in attrs:
        attr = read_attr(d / name)
        if attr.text is not None:
            values[name] = attr.text
        elif name == "modes" and attr.error == "empty":
            values[name] = ""
    binary = {}
    if edid and (hexdata := _read_edid(d / "edid")) is not None:
        binary["edid"] = hexdata
    path = _devpath(d, sysfs)
    return make_device(
        path, parent, {"DEVPATH": path, **props}, values, binary, subsystem=subsystem, driver=driver, module=module
    )


def _live_devices(sysfs: Path) -> Iterator[Device]:
    seen: set[str] = set()

    def once(dev: Device) -> Iterator[Device]:
        if dev.path not in seen:
            seen.add(dev.path)
            yield dev

    drm = sysfs / "class" / "drm"
    try:
        names = sorted(os.listdir(drm))
    except OSError:
        names = []
    for name in names:
        if not (_CARD.match(name) or _RENDER.match(name)):
            continue
        node = Path(os.path.realpath(drm / name))
        owner_dir = node / "device"
        owner = _device(sysfs, owner_dir, None, _GPU_ATTRS) if owner_dir.exists() else None
        if owner is not None and owner.subsystem == "virtio":
            pci_dir = Path(os.path.realpath(owner_dir)).parent
            yield from once(_device(sysfs, pci_dir, None, _GPU_ATTRS))
            owner = _device(sysfs, owner_dir, _devpath(pci_dir, sysfs), _GPU_ATTRS)
        if owner is not None:
            yield from once(owner)
        card = _device(sysfs, node, owner.path if owner else None, (), subsystem="drm")
        props = dict(card.properties)
        devname = props.get("DEVNAME") or f"dri/{name}"
        props["DEVNAME"] = devname if devname.startswith("/") else f"/dev/{devname}"  # the kernel's is relative
        yield from once(make_device(card.path, card.parent, props, {}, subsystem="drm", driver=None))
        if _CARD.match(name):
            yield from _connectors(sysfs, node, card.path)
    yield from (d for d in _display_pci(sysfs) if d.path not in seen)
    yield from (d for d in _firmware_framebuffers(sysfs) if d.path not in seen)


def _connectors(sysfs: Path, card_dir: Path, card_path: str) -> Iterator[Device]:
    # Connectors are subdirectories of their card (/sys/class/drm/card1-eDP-1 only links to them).
    try:
        entries = sorted(e.name for e in os.scandir(card_dir) if e.is_dir() and e.name.startswith(card_dir.name + "-"))
    except OSError:
        return
    for entry in entries:
        yield _device(sysfs, card_dir / entry, card_path, _CONNECTOR_ATTRS, subsystem="drm", edid=True)


def _bus_devices(sysfs: Path, bus: str) -> list[Path]:
    try:
        return [Path(e.path) for e in sorted(os.scandir(sysfs / "bus" / bus / "devices"), key=lambda e: e.name)]
    except OSError:
        return []


def _display_pci(sysfs: Path) -> Iterator[Device]:
    for d in _bus_devices(sysfs, "pci"):
        cls = read_attr(d / "class").text or ""
        if cls.lower().startswith("0x03"):
            yield _device(sysfs, d, None, _GPU_ATTRS, subsystem="pci")


def _firmware_framebuffers(sysfs: Path) -> Iterator[Device]:
    for d in _bus_devices(sysfs, "platform"):
        dev = _device(sysfs, d, None, (), subsystem="platform")
        if is_firmware_framebuffer(dev):
            yield dev


# --- what only the live system tells ------------------------------------------------------------------


def _has_firmware_source(d: Device) -> bool:
    return d.driver in ("amdgpu", "i915", "xe", "nvidia")


def _firmware(sysfs: Path, procfs: Path, gpu: Device, devices: Sequence[Device]) -> FirmwareInfo:
    slot = gpu.properties.get("PCI_SLOT_NAME") or gpu.sysname
    if gpu.driver == "nvidia":
        return nvidia_firmware(procfs, slot)
    cards = [d for d in devices if d.parent == gpu.path and _CARD.match(d.sysname)]
    minor = int(cards[0].sysname[4:]) if cards else -1
    versions: dict[str, str] = {}
    if gpu.driver == "amdgpu":
        versions.update(amdgpu_sysfs_firmware(sysfs / gpu.path.lstrip("/")))
    debug = debugfs_firmware(sysfs, gpu.driver or "", minor, slot) if minor >= 0 else FirmwareInfo(())
    versions.update(debug.versions)  # same blocks, and debugfs adds the SMC's dotted version
    # The sysfs attributes already say what debugfs would; its root-only note is noise then.
    return FirmwareInfo(tuple(versions.items()), () if versions else debug.notes)


def _kms_readings(devices: Sequence[Device], devfs: Path) -> dict[str, KmsReading]:
    by_path = {d.path: d for d in devices}
    out: dict[str, KmsReading] = {}
    for card in devices:
        if card.subsystem != "drm" or not _CARD.match(card.sysname):
            continue
        if not any(d.parent == card.path and d.attributes.get("status") == "connected" for d in devices):
            continue  # nothing lit to ask about; opening the node could wake its GPU for nothing
        owner = by_path.get(card.parent or "")
        if owner is not None and owner.attributes.get("power/runtime_status") == "suspended":
            # amdgpu and nouveau resume the GPU in their open() (pm_runtime_get_sync).
            out[card.path] = KmsReading(
                error=N_("{sysname} is runtime-suspended; not opened to keep it asleep").format(sysname=owner.sysname)
            )
            continue
        out[card.path] = read_kms(devfs / "dri" / card.sysname)
    return out
