"""The graphics chain's data model, and how it is assembled from devices of any source (live, dump, recording)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from hwinspector.i18n import N_
from hwinspector.probes.devices.hwdb import default_database
from hwinspector.probes.devices.naming import pci_class_code, pci_ids
from hwinspector.probes.devices.tree import Device
from hwinspector.probes.errors import ProbeUnavailable
from hwinspector.probes.graphics.edid.base import jsonable
from hwinspector.probes.graphics.edid.decode import Edid, decode_edid
from hwinspector.probes.graphics.firmware import Firmware, FirmwareInfo
from hwinspector.probes.graphics.kms import KmsMode, KmsReading

# Drivers of the framebuffer the firmware (EFI GOP, VESA BIOS, device tree) left set up: no
# acceleration, one fixed mode, no hotplug. A real GPU driver removes them when it takes over
# (drivers/video/aperture.c), so one still bound next to an undriven GPU means the GPU driver failed.
FIRMWARE_FB_DRIVERS = frozenset({
    "simple-framebuffer", "simplefb", "simpledrm", "efi-framebuffer", "efifb", "vesa-framebuffer", "vesafb",
    "vesadrm", "efidrm", "platform-framebuffer", "ofdrm", "offb",
})  # fmt: skip
_FIRMWARE_FB_NAME = re.compile(
    r"^(simple-framebuffer|efi-framebuffer|vesa-framebuffer|vesafb|platform-framebuffer)\.\d+$"
)
_CARD = re.compile(r"^card(\d+)$")
_RENDER = re.compile(r"^renderD\d+$")
_CONNECTOR = re.compile(r"^(card\d+)-(.+)-(\d+)$")
# Outputs whose monitors always carry an EDID; a connected one without it points at a cable, KVM or
# adapter problem (and the kernel falls back to 1024x768). Panels (eDP, LVDS, DSI) may have none.
_EDID_EXPECTED = ("DP", "HDMI-A", "HDMI-B", "DVI-I", "DVI-D", "DVI-A", "VGA")
# Drivers that drive the display without a DRM card of their own (pre-KMS proprietary stacks, or
# nvidia while nvidia-drm is not loaded).
_NO_DRM_DRIVERS = {
    "nvidia": N_("nvidia-drm is not loaded (or modeset=0): no DRM card; Wayland needs it"),
    "fglrx_pci": N_("the legacy fglrx driver has no DRM card"),
}

Severity = str  # "error" | "warning"


@dataclass(frozen=True, slots=True)
class GraphicsProblem:
    severity: Severity
    subject: str  # a GPU address, a connector name, or "graphics"
    detail: str


@dataclass(frozen=True, slots=True)
class DrmCard:
    name: str  # "card1"
    devpath: str
    devnode: str  # "/dev/dri/card1"
    render_node: str | None  # "/dev/dri/renderD128"; None for display-only devices
    driver: str | None  # the driver of the card's device (virtio_gpu, not virtio-pci)
    primary_for_display: bool | None = None  # udev's PRIMARY_DEVICE_FOR_DISPLAY

    @property
    def minor(self) -> int:
        m = _CARD.match(self.name)
        return int(m[1]) if m else -1


@dataclass(frozen=True, slots=True)
class Gpu:
    devpath: str  # "/devices/pci0000:00/0000:00:02.0", or a platform device
    address: str  # "0000:00:02.0" (PCI slot) or the platform device name
    bus: str | None  # "pci", "platform", "usb", …
    name: str
    vendor: str | None
    model: str | None
    vendor_id: int | None
    device_id: int | None
    subsystem_ids: tuple[int, int] | None  # (subvendor, subdevice): the laptop/board maker's ids
    pci_class: int | None
    boot_vga: bool | None  # the firmware initialised this one (sysfs boot_vga, or udev's primary flag)
    driver: str | None
    module: str | None
    firmware: Firmware = ()
    cards: tuple[DrmCard, ...] = ()
    firmware_framebuffer: bool = False
    runtime_status: str | None = None  # "active" | "suspended" | …
    problems: tuple[GraphicsProblem, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Connector:
    name: str  # "card1-eDP-1"
    card: str  # "card1"
    devpath: str
    type: str  # "eDP", "HDMI-A", "DP", …
    index: int
    gpu: str | None  # devpath of the GPU behind the card
    connector_id: int | None  # the KMS object id
    status: str | None  # "connected" | "disconnected" | "unknown"; None where the source has no attributes
    enabled: bool | None
    dpms: str | None
    modes: tuple[str, ...]
    edid: Edid | None
    edid_hex: str | None  # the raw EDID, for export as .bin
    monitor: str | None  # who and what, from the EDID
    current_mode: KmsMode | None
    current_mode_note: str | None  # why there is no current mode, where one was expected
    problems: tuple[GraphicsProblem, ...] = ()


@dataclass(frozen=True, slots=True)
class GraphicsChain:
    gpus: tuple[Gpu, ...]
    connectors: tuple[Connector, ...]
    default_gpu: str | None  # devpath of the GPU that renders when nothing else is asked for
    default_gpu_reason: str
    problems: tuple[GraphicsProblem, ...] = ()  # chain-level; items carry their own
    notes: tuple[str, ...] = ()
    source: str = "live"

    @property
    def all_problems(self) -> tuple[GraphicsProblem, ...]:
        items = [p for g in self.gpus for p in g.problems] + [p for c in self.connectors for p in c.problems]
        return (*self.problems, *items)

    def gpu(self, devpath: str | None) -> Gpu | None:
        return next((g for g in self.gpus if g.devpath == devpath), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "default_gpu": self.default_gpu,
            "default_gpu_reason": self.default_gpu_reason,
            "gpus": [jsonable(g) for g in self.gpus],
            "connectors": [jsonable(c) for c in self.connectors],
            "problems": [jsonable(p) for p in self.problems],
            "notes": list(self.notes),
        }


# --- assembling the chain from devices (live, dump or umockdev recording alike) ----------------------


def is_firmware_framebuffer(dev: Device) -> bool:
    return (
        (dev.driver or "") in FIRMWARE_FB_DRIVERS
        or bool(_FIRMWARE_FB_NAME.match(dev.sysname))
        or dev.properties.get("OF_COMPATIBLE_0") == "simple-framebuffer"
    )


def _is_display_pci(dev: Device) -> bool:
    code = pci_class_code(dev.properties, dev.attributes)
    return dev.subsystem == "pci" and code is not None and code >> 16 == 0x03


def _secondary_function_of(dev: Device, by_path: Mapping[str, Device]) -> str | None:
    """Older Intel GPUs expose a second display function (class 0380) that no driver binds."""
    head, dot, fn = dev.path.rpartition(".")
    if not dot or fn == "0" or dev.driver:
        return None
    first = by_path.get(f"{head}.0")
    return first.path if first is not None and _is_display_pci(first) else None


def _hex_ids(dev: Device) -> tuple[int, int] | None:
    sub = dev.properties.get("PCI_SUBSYS_ID", "")
    v, _, d = sub.partition(":")
    if not d:
        v, d = dev.attributes.get("subsystem_vendor", ""), dev.attributes.get("subsystem_device", "")
    try:
        return int(v, 16), int(d, 16)
    except ValueError:
        return None


def _gpu_names(dev: Device) -> tuple[str, str | None, str | None]:
    if dev.subsystem != "pci":
        compat = dev.properties.get("OF_COMPATIBLE_0")
        label = (
            N_("Firmware framebuffer")
            if is_firmware_framebuffer(dev)
            else (compat or dev.driver or N_("display device"))
        )
        return f"{label} ({dev.sysname})", None, None
    db = default_database()
    v, d = pci_ids(dev.properties, dev.attributes)
    vendor = dev.properties.get("ID_VENDOR_FROM_DATABASE") or (db.vendor("pci", v) if v is not None else None)
    model = dev.properties.get("ID_MODEL_FROM_DATABASE") or (
        db.device("pci", v, d) if v is not None and d is not None else None
    )
    return dev.name, vendor, model


def _bool_attr(value: str | None, true: str = "1") -> bool | None:
    return None if value is None else value.strip() == true


def monitor_name(edid: Edid) -> str | None:
    b = edid.base
    if b is None:
        return None
    who = edid.manufacturer_name or b.manufacturer_id
    # Laptop panels carry no name descriptor; their strings are usually the maker and the panel model.
    strings = [x for x in b.strings if x and x != who]
    what = (
        b.name
        or (strings[-1] if strings else None)
        or N_("product 0x{product_code:04x}").format(product_code=b.product_code)
    )
    if what.startswith(who):
        who = ""  # "HWI TEST 27", not "HWI HWI TEST 27"
    size = N_(", {size_cm}x{size_cm2} cm").format(size_cm=b.size_cm[0], size_cm2=b.size_cm[1]) if b.size_cm else ""
    return f"{who} {what} ({b.manufacturer_id} 0x{b.product_code:04x}{size})".lstrip()


@dataclass(slots=True)
class Context:
    """What only some sources know: firmware versions, KMS state."""

    firmware: Mapping[str, FirmwareInfo] = field(default_factory=dict)  # GPU devpath -> versions
    kms: Mapping[str, KmsReading] = field(default_factory=dict)  # card devpath -> its KMS state
    kms_absent: str = N_("not recorded in this snapshot")
    environ: Mapping[str, str] = field(default_factory=dict)
    source: str = "dump"
    no_drm_reason: str = N_("no DRM devices and no display-class PCI device in this snapshot")


def _connector(dev: Device, card: DrmCard, gpu: str | None, ctx: Context) -> Connector:
    m = _CONNECTOR.match(dev.sysname)
    ctype, index = (m[2], int(m[3])) if m else (dev.sysname, 0)
    a = dev.attributes
    status = a.get("status")
    enabled = None if "enabled" not in a else a["enabled"] == "enabled"
    modes = tuple(x.strip() for x in a.get("modes", "").splitlines() if x.strip())
    edid_hex = dev.binary_attributes.get("edid") or None
    edid = decode_edid(bytes.fromhex(edid_hex)) if edid_hex else None
    try:
        cid: int | None = int(a["connector_id"])
    except (KeyError, ValueError):
        cid = None
    problems: list[GraphicsProblem] = []
    if status == "connected" and enabled is False:
        problems.append(GraphicsProblem("warning", dev.sysname, N_("monitor connected but the output is disabled")))
    if edid is not None and edid.errors:
        for err in edid.errors[:3]:
            what = N_("EDID checksum error") if "checksum" in err else N_("EDID error")
            problems.append(GraphicsProblem("warning", dev.sysname, f"{what}: {err}"))
    if status == "connected" and edid is None and "edid" in dev.binary_attributes and ctype in _EDID_EXPECTED:
        problems.append(GraphicsProblem("warning", dev.sysname, N_("connected, but the monitor gave no EDID")))
    mode: KmsMode | None = None
    note: str | None = None
    if status == "connected" or (status is None and enabled):
        reading = ctx.kms.get(card.devpath)
        if reading is None:
            note = N_("current mode unknown ({kms_absent})").format(kms_absent=ctx.kms_absent)
        elif reading.error is not None:
            note = N_("current mode unknown ({error})").format(error=reading.error)
        elif cid is None or cid not in reading.connectors:
            note = N_("current mode unknown (KMS does not list this connector)")
        else:
            mode = reading.connectors[cid].mode
            note = None if mode is not None else N_("not lit: no CRTC drives this connector")
    return Connector(
        name=dev.sysname,
        card=card.name,
        devpath=dev.path,
        type=ctype,
        index=index,
        gpu=gpu,
        connector_id=cid,
        status=status,
        enabled=enabled,
        dpms=a.get("dpms"),
        modes=modes,
        edid=edid,
        edid_hex=edid_hex,
        monitor=monitor_name(edid) if edid else None,
        current_mode=mode,
        current_mode_note=note,
        problems=tuple(problems),
    )


def _gpu_of_card(card: Device, by_path: Mapping[str, Device]) -> Device | None:
    parent = by_path.get(card.parent or "")
    # virtio-gpu: the card hangs off the virtio device, whose parent is the PCI function.
    if parent is not None and parent.subsystem == "virtio":
        return by_path.get(parent.parent or "", parent)
    return parent


def assemble(devices: Sequence[Device], ctx: Context) -> GraphicsChain:
    by_path = {d.path: d for d in devices}
    drm = [d for d in devices if d.subsystem == "drm"]
    card_devs = sorted((d for d in drm if _CARD.match(d.sysname)), key=lambda d: int(d.sysname[4:]))
    render_by_parent = {d.parent: d for d in drm if _RENDER.match(d.sysname)}
    gpu_devs: dict[str, Device] = {}
    cards_of: dict[str, list[DrmCard]] = {}
    for cd in card_devs:
        gdev = _gpu_of_card(cd, by_path)
        owner = by_path.get(cd.parent or "")
        render = render_by_parent.get(cd.parent)
        card = DrmCard(
            name=cd.sysname,
            devpath=cd.path,
            devnode=cd.properties.get("DEVNAME") or f"/dev/dri/{cd.sysname}",
            render_node=(render.properties.get("DEVNAME") or f"/dev/dri/{render.sysname}") if render else None,
            driver=owner.driver if owner else None,
            primary_for_display=_bool_attr(cd.properties.get("PRIMARY_DEVICE_FOR_DISPLAY")),
        )
        key = gdev.path if gdev else cd.path
        if gdev is not None:
            gpu_devs[gdev.path] = gdev
        cards_of.setdefault(key, []).append(card)
    notes: list[str] = []
    for d in devices:
        if _is_display_pci(d) or (is_firmware_framebuffer(d) and d.driver):
            if d.subsystem == "pci" and (first := _secondary_function_of(d, by_path)):
                notes.append(
                    N_("{sysname}: secondary display function of {rsplit}, no driver needed").format(
                        sysname=d.sysname, rsplit=first.rsplit("/", 1)[-1]
                    )
                )
                continue
            gpu_devs.setdefault(d.path, d)
    if not gpu_devs:
        raise ProbeUnavailable(ctx.no_drm_reason)
    gpus = [_gpu(d, tuple(cards_of.get(d.path, ())), ctx) for d in sorted(gpu_devs.values(), key=_gpu_order)]
    card_by_path = {c.devpath: (g, c) for g in gpus for c in g.cards}
    connectors: list[Connector] = []
    for d in drm:
        if not _CONNECTOR.match(d.sysname) or d.parent not in card_by_path:
            continue
        g, card = card_by_path[d.parent]
        connectors.append(_connector(d, card, g.devpath, ctx))
    connectors.sort(key=lambda c: (int(c.card[4:]), c.type, c.index))
    if not card_devs:
        notes.insert(0, N_("no DRM devices: {why_no_drm}").format(why_no_drm="; ".join(_why_no_drm(gpus))))
    problems = _chain_problems(gpus)
    default, reason, more = _default_gpu(gpus, ctx.environ)
    return GraphicsChain(
        gpus=tuple(gpus),
        connectors=tuple(connectors),
        default_gpu=default,
        default_gpu_reason=reason,
        problems=tuple(problems),
        notes=tuple(notes + more),
        source=ctx.source,
    )


def _gpu_order(d: Device) -> tuple[int, str]:
    # PCI GPUs in bus order (as lspci lists them), then SoC display devices, then firmware framebuffers.
    rank = 0 if d.subsystem == "pci" else 1 if not is_firmware_framebuffer(d) else 2
    return (rank, d.properties.get("PCI_SLOT_NAME") or d.sysname if rank == 0 else d.path)


def _gpu(dev: Device, cards: tuple[DrmCard, ...], ctx: Context) -> Gpu:
    name, vendor, model = _gpu_names(dev)
    v, d = pci_ids(dev.properties, dev.attributes) if dev.subsystem == "pci" else (None, None)
    boot = _bool_attr(dev.attributes.get("boot_vga"))
    if boot is None and any(c.primary_for_display for c in cards):
        boot = True
    fw = ctx.firmware.get(dev.path, FirmwareInfo(()))
    fwfb = is_firmware_framebuffer(dev)
    address = dev.properties.get("PCI_SLOT_NAME") or dev.sysname
    problems: list[GraphicsProblem] = []
    notes = list(fw.notes)
    if dev.driver is None and not fwfb:
        problems.append(GraphicsProblem("error", address, N_("no driver bound: no acceleration, no display outputs")))
    elif dev.driver in _NO_DRM_DRIVERS and not cards:
        notes.append(_NO_DRM_DRIVERS[dev.driver])
    return Gpu(
        devpath=dev.path,
        address=address,
        bus=dev.subsystem,
        name=name,
        vendor=vendor,
        model=model,
        vendor_id=v,
        device_id=d,
        subsystem_ids=_hex_ids(dev) if dev.subsystem == "pci" else None,
        pci_class=pci_class_code(dev.properties, dev.attributes) if dev.subsystem == "pci" else None,
        boot_vga=boot,
        driver=dev.driver,
        module=dev.module,
        firmware=fw.versions,
        cards=cards,
        firmware_framebuffer=fwfb,
        runtime_status=dev.attributes.get("power/runtime_status"),
        problems=tuple(problems),
        notes=tuple(notes),
    )


def _why_no_drm(gpus: Sequence[Gpu]) -> list[str]:
    out = []
    for g in gpus:
        if g.driver is None:
            out.append(N_("{address} has no driver").format(address=g.address))
        elif g.driver in _NO_DRM_DRIVERS:
            out.append(
                N_("{address} is driven by {driver}, which has no DRM card").format(address=g.address, driver=g.driver)
            )
        else:
            out.append(N_("{address} ({driver}) registered no DRM card").format(address=g.address, driver=g.driver))
    return out or [N_("no GPU")]


def _chain_problems(gpus: Sequence[Gpu]) -> list[GraphicsProblem]:
    real = [g for g in gpus if not g.firmware_framebuffer]
    fbs = [g for g in gpus if g.firmware_framebuffer and g.driver]
    out: list[GraphicsProblem] = []
    if fbs and real and not any(g.driver for g in real):
        fb = ", ".join(f"{g.driver} on {g.address}" for g in fbs)
        undriven = ", ".join(g.address for g in real)
        out.append(
            GraphicsProblem(
                "error",
                "graphics",
                N_(
                    "only a firmware framebuffer ({fb}) drives the display while {undriven} has no driver: no "
                    "acceleration, one fixed mode, no hotplug"
                ).format(fb=fb, undriven=undriven),
            )
        )
    elif any(g.cards for g in fbs) and any(g.cards for g in real):
        fb = ", ".join(c.name for g in fbs for c in g.cards)
        out.append(
            GraphicsProblem(
                "warning",
                "graphics",
                N_(
                    "firmware framebuffer card {fb} is still registered next to the GPU's own: the GPU driver "
                    "did not take over the console framebuffer, and a compositor may pick the wrong card"
                ).format(fb=fb),
            )
        )
    return out


def _default_gpu(gpus: Sequence[Gpu], environ: Mapping[str, str]) -> tuple[str | None, str, list[str]]:
    drm = [g for g in gpus if g.cards and not g.firmware_framebuffer]
    # Mesa renders on render nodes; display-only devices (vc4 next to v3d, imx-drm next to etnaviv)
    # have none. Dumps from kernels before 3.17 list no render nodes at all: then every card counts.
    render = [g for g in drm if any(c.render_node for c in g.cards)] or drm
    if not render:
        return None, N_("no GPU with a DRM device"), []
    notes = []
    display_only = [g for g in drm if g not in render]
    if display_only:
        shown = ", ".join(f"{g.address} ({g.driver})" for g in display_only)
        notes.append(
            N_("display-only DRM device {shown}: it scans out what {address} renders").format(
                shown=shown, address=render[0].address
            )
        )
    base = next((g for g in render if g.boot_vga), None)
    if base is not None:
        why = N_("boot VGA device: the firmware initialised it")
    elif len(render) == 1:
        base, why = (
            render[0],
            N_("the only GPU with a render node") if render is not drm else N_("the only GPU with a DRM card"),
        )
    else:
        vga = [g for g in render if g.pci_class is not None and g.pci_class >> 8 == 0x0300]
        base = vga[0] if len(vga) == 1 else render[0]
        why = N_("guessed: boot_vga is not recorded; ") + (
            N_("the only VGA-compatible controller") if len(vga) == 1 else N_("the first DRM card")
        )
    chosen, why = _apply_prime(render, base, why, environ)
    if len(render) > 1:
        others = ", ".join(f"{g.address} ({g.driver})" for g in render if g is not chosen)
        notes.append(
            N_("hybrid graphics: {address} ({driver}) renders by default; also {others}").format(
                address=chosen.address, driver=chosen.driver, others=others
            )
        )
    return chosen.devpath, why, notes


_PRIME_PCI = re.compile(r"^pci-([0-9a-f]{4})_([0-9a-f]{2})_([0-9a-f]{2})_([0-7])$", re.IGNORECASE)
_PRIME_IDS = re.compile(r"^([0-9a-f]{4}):([0-9a-f]{4})$", re.IGNORECASE)


def _apply_prime(render: Sequence[Gpu], base: Gpu, why: str, environ: Mapping[str, str]) -> tuple[Gpu, str]:
    """Mesa's loader: DRI_PRIME=N (the Nth GPU other than the default), pci-0000_01_00_0, or vendor:device."""
    if environ.get("__NV_PRIME_RENDER_OFFLOAD") == "1":
        nv = next((g for g in render if g.driver == "nvidia"), None)
        if nv is not None:
            return nv, N_("__NV_PRIME_RENDER_OFFLOAD=1 (NVIDIA render offload)")
    raw = environ.get("DRI_PRIME")
    if not raw:
        return base, why
    value = raw.rstrip("!")
    pick: Gpu | None = None
    if value.isdigit():
        n = int(value)
        others = [g for g in render if g is not base]
        pick = base if n == 0 else (others[n - 1] if n <= len(others) else None)
    elif m := _PRIME_PCI.match(value):
        slot = f"{m[1]}:{m[2]}:{m[3]}.{m[4]}".lower()
        pick = next((g for g in render if g.address.lower() == slot), None)
    elif m := _PRIME_IDS.match(value):
        ids = (int(m[1], 16), int(m[2], 16))
        pick = next((g for g in render if (g.vendor_id, g.device_id) == ids), None)
    if pick is None:
        return base, N_("{why}; DRI_PRIME={raw} matches no GPU here, so Mesa keeps the default").format(
            why=why, raw=raw
        )
    return pick, f"DRI_PRIME={raw}"
