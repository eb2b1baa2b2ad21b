"""The camera chain: IPU and sensors, or a UVC camera → driver → V4L2 nodes → libcamera → PipeWire.

Assembled from devices of any source; QUERYCAP answers, ``cam -l`` and the PipeWire graph come in a
``CameraContext`` where the source has them.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from hwinspector.i18n import N_
from hwinspector.probes.audio.model import Problem
from hwinspector.probes.audio.server import ServerNode, SoundServer
from hwinspector.probes.camera.v4l2 import LibcameraCamera, QueryCap, node_role
from hwinspector.probes.devices.naming import pci_ids
from hwinspector.probes.devices.tree import Device

_VIDEO = re.compile(r"^video(\d+)$")
# ACPI ids of image sensors, as ipu-bridge (drivers/media/pci/intel/ipu-bridge.c) lists them: OmniVision,
# Himax, Sony, GalaxyCore, and ids Intel assigned to sensors (INT3474 ov2740, INT33BE ov5693, …).
SENSOR_HID = re.compile(r"^(OVTI|HIMX|SONY|GCTI|APTA|INT347[4-9A-E]|INT33BE|INT0310|XMCC|XMLS)[0-9A-Z]*$")
_I2C_HID = re.compile(r"^i2c-([A-Z0-9]{4,8}):\d+$")
# Intel IPU: IPU3 CIO2, IPU6 (TGL, JSL, ADL, RPL, MTL), IPU7 (LNL, PTL).
IPU_DEVICES = {
    0x9D32: "IPU3 CIO2", 0x9A19: "IPU6", 0x9A39: "IPU6", 0x4E19: "IPU6SE", 0x465D: "IPU6EP", 0x462E: "IPU6EP",
    0xA75D: "IPU6EP", 0x7D19: "IPU6EP-MTL", 0x645D: "IPU7", 0xB05D: "IPU7.5",
}  # fmt: skip
_IPU_NAME = re.compile(r"\bIPU\d*\b|Imaging Unit|Image Processing|CIO2", re.IGNORECASE)
SW_CAMERA_LENS_COVER = 0x09
# Video nodes that are not cameras: codecs, ISPs and scalers (Raspberry Pi, i.MX, Rockchip, MediaTek).
_NOT_CAMERA = re.compile(r"codec|isp\b|-isp|encode|decode|m2m|hevc|h264|jpeg|scaler|rga|hantro", re.IGNORECASE)
_PRIVACY_NAME = re.compile(r"privacy|camera switch|lens cover|shutter", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Sensor:
    devpath: str
    hid: str  # "OVTI01A0"
    driver: str | None


@dataclass(frozen=True, slots=True)
class VideoNode:
    name: str  # "video0"
    devnode: str
    devpath: str
    product: str
    driver: str | None  # the driver that registered it
    role: str  # "capture" | "metadata" | "output" | "m2m" | "other" | "unknown"
    caps: tuple[str, ...]
    caps_from: str  # "ioctl" | "udev" | "none", and why not where the ioctl failed
    index: int | None  # the interface's node index (uvcvideo: 0 capture, 1 metadata)


@dataclass(frozen=True, slots=True)
class CameraPipe:
    key: str  # devpath of the hardware
    kind: str  # "uvc" | "ipu" | "other"
    name: str
    address: str
    ids: str | None  # "0bda:58f5"
    driver: str | None
    module: str | None
    sensors: tuple[Sensor, ...]
    nodes: tuple[VideoNode, ...]
    libcamera: tuple[LibcameraCamera, ...]
    pipewire: tuple[ServerNode, ...]
    privacy: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = ()
    is_camera: bool = True  # False: codecs, ISPs and other video devices that are not cameras


@dataclass(frozen=True, slots=True)
class CameraChain:
    pipes: tuple[CameraPipe, ...]
    libcamera_note: str  # why libcamera's view is missing ("" when present)
    server: SoundServer | None
    server_note: str
    privacy: tuple[str, ...] = ()  # switches not tied to one camera
    problems: tuple[Problem, ...] = ()
    notes: tuple[str, ...] = ()
    source: str = "live"

    @property
    def all_problems(self) -> tuple[Problem, ...]:
        return (*self.problems, *(p for x in self.pipes for p in x.problems))

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "pipes": [asdict(p) for p in self.pipes],
            "libcamera_note": self.libcamera_note,
            "server": asdict(self.server) if self.server is not None else None,
            "server_note": self.server_note,
            "privacy": list(self.privacy),
            "problems": [asdict(p) for p in self.problems],
            "notes": list(self.notes),
        }


@dataclass(slots=True)
class CameraContext:
    querycap: Mapping[str, QueryCap | str] = field(default_factory=dict)  # "video0" -> answer or why none
    libcamera: Sequence[LibcameraCamera] | None = None
    libcamera_absent: str = N_("libcamera's view is not in this source")
    server: SoundServer | None = None
    server_absent: str = N_("PipeWire is not in this source")
    switches: Mapping[str, bool | str] = field(default_factory=dict)  # input devpath -> lens covered, or why unknown
    source: str = "dump"


def _ancestors(dev: Device, by_path: Mapping[str, Device]) -> list[Device]:
    out: list[Device] = []
    cur = by_path.get(dev.parent or "")
    while cur is not None and len(out) < 64:
        out.append(cur)
        cur = by_path.get(cur.parent or "")
    return out


def _usb_class(d: Device) -> str:
    # udev's INTERFACE=14/1/0 on the interface, or sysfs bInterfaceClass/SubClass
    if (v := d.properties.get("INTERFACE")) is not None:
        return v
    a = d.attributes
    try:
        cls, sub = int(a["bInterfaceClass"], 16), int(a["bInterfaceSubClass"], 16)
        return f"{cls}/{sub}/{int(a.get('bInterfaceProtocol', '0'), 16)}"
    except (KeyError, ValueError):
        return ""


def _is_ipu(d: Device) -> bool:
    if d.subsystem != "pci":
        return False
    v, dev_id = pci_ids(d.properties, d.attributes)
    if v == 0x8086 and dev_id in IPU_DEVICES:
        return True
    return bool(_IPU_NAME.search(f"{d.name} {d.properties.get('ID_MODEL_FROM_DATABASE', '')}"))


def _usb_ids(d: Device) -> str | None:
    v = d.properties.get("ID_VENDOR_ID") or d.attributes.get("idVendor")
    p = d.properties.get("ID_MODEL_ID") or d.attributes.get("idProduct")
    return f"{v}:{p}".lower() if v and p else None


def _owner(node: Device, by_path: Mapping[str, Device]) -> tuple[Device, str, Device | None]:
    """(the hardware a node belongs to, its kind, the device carrying the driver)."""
    up = _ancestors(node, by_path)
    for i, a in enumerate(up):
        if a.devtype == "usb_interface":
            usb = up[i + 1] if i + 1 < len(up) else a
            kind = "uvc" if _usb_class(a).startswith("14/") or a.driver == "uvcvideo" else "other"
            return usb, kind, a
        if a.subsystem == "pci":
            return a, "ipu" if _is_ipu(a) else "other", a
    owner = next((a for a in up if a.driver), up[0] if up else node)
    return owner, "other", owner


def _node(d: Device, carrier: Device | None, by_path: Mapping[str, Device], ctx: CameraContext) -> VideoNode:
    answer = ctx.querycap.get(d.sysname)
    driver = next((a.driver for a in _ancestors(d, by_path) if a.driver), None)
    product = html.unescape(d.properties.get("ID_V4L_PRODUCT") or d.attributes.get("name") or d.sysname)
    index: int | None = None
    try:
        index = int(d.attributes["index"])
    except (KeyError, ValueError):
        m = re.search(r"-video-index(\d+)", d.properties.get("DEVLINKS", ""))
        index = int(m[1]) if m else None
    if isinstance(answer, QueryCap):
        caps = answer.caps
        return VideoNode(d.sysname, _devnode(d), d.path, answer.card or product, answer.driver or driver,
                         node_role(caps), caps, "ioctl", index)  # fmt: skip
    udev = d.properties.get("ID_V4L_CAPABILITIES")
    if udev is not None:
        caps = tuple(c for c in udev.split(":") if c)
        # v4l_id names capture, video_output, radio, tuner and audio only: an empty list is a metadata
        # node, or a memory-to-memory codec (those are told apart by name).
        role = "capture" if "capture" in caps else "output" if "video_output" in caps else "metadata"
        if role == "metadata" and _NOT_CAMERA.search(product):
            role = "m2m"
        # udev before v251 asked for the device's capabilities, not the node's: uvcvideo's metadata
        # node (its second, index 1) then also says "capture".
        how = "udev" if not isinstance(answer, str) else N_("udev ({answer})").format(answer=answer)
        if role == "capture" and driver == "uvcvideo" and index == 1:
            # udev named the device's capabilities, not this node's: keep none rather than a wrong one
            role, how, caps = "metadata", N_("node index"), ()
        return VideoNode(d.sysname, _devnode(d), d.path, product, driver, role, caps, how, index)
    if driver == "uvcvideo" and index is not None:
        role = "capture" if index % 2 == 0 else "metadata"
        return VideoNode(d.sysname, _devnode(d), d.path, product, driver, role, (), N_("node index"), index)
    how = answer if isinstance(answer, str) else "none"
    return VideoNode(d.sysname, _devnode(d), d.path, product, driver, "unknown", (), how, index)


def _devnode(d: Device) -> str:
    return d.properties.get("DEVNAME") or f"/dev/{d.sysname}"


def _not_camera(node: VideoNode) -> bool:
    return node.role in ("m2m", "output") or bool(_NOT_CAMERA.search(node.product))


def assemble(devices: Sequence[Device], ctx: CameraContext) -> CameraChain:
    by_path = {d.path: d for d in devices}
    groups: dict[str, tuple[Device, str, Device | None, list[Device]]] = {}
    for d in sorted((d for d in devices if d.subsystem == "video4linux" and _VIDEO.match(d.sysname)), key=_video_no):
        owner, kind, carrier = _owner(d, by_path)
        groups.setdefault(owner.path, (owner, kind, carrier, []))[3].append(d)
    for d in devices:
        if d.devtype == "usb_interface" and _usb_class(d).startswith("14/1/"):
            usb = by_path.get(d.parent or "", d)
            groups.setdefault(usb.path, (usb, "uvc", d, []))
        elif _is_ipu(d):
            groups.setdefault(d.path, (d, "ipu", d, []))
    sensors = [
        Sensor(d.path, m[1], d.driver)
        for d in devices
        if d.subsystem == "i2c" and (m := _I2C_HID.match(d.sysname)) and SENSOR_HID.match(m[1])
    ]
    switches = [d for d in devices if _is_privacy_switch(d)]
    privacy = [_privacy_line(d, ctx.switches.get(d.path)) for d in switches]
    pipes = [_pipe(o, k, c, nodes, sensors, by_path, ctx) for o, k, c, nodes in groups.values()]
    pipes.sort(key=lambda p: (not p.is_camera, p.kind != "ipu", p.address))
    problems: list[Problem] = []
    for d in switches:
        if ctx.switches.get(d.path) is True:
            problems.append(Problem("warning", "camera",
                                    N_("the camera privacy shutter is closed ({switch_name}): applications get black "
                                       "frames").format(switch_name=_switch_name(d))))  # fmt: skip
    notes: list[str] = []
    if not groups:
        notes.append(N_("no camera and no V4L2 device found"))
    if sensors and not any(p.kind == "ipu" for p in pipes):
        hids = ", ".join(sorted({s.hid for s in sensors}))
        problems.append(
            Problem(
                "error",
                "camera",
                N_("image sensor(s) {hids} found, but no IPU to receive their images").format(hids=hids),
            )
        )
    return CameraChain(
        tuple(pipes),
        "" if ctx.libcamera is not None else ctx.libcamera_absent,
        ctx.server,
        "" if ctx.server is not None else ctx.server_absent,
        tuple(privacy),
        tuple(problems),
        tuple(notes),
        ctx.source,
    )


def _video_no(d: Device) -> int:
    m = _VIDEO.match(d.sysname)
    return int(m[1]) if m else -1


def _is_privacy_switch(d: Device) -> bool:
    if d.subsystem != "input" or not re.fullmatch(r"input\d+", d.sysname):
        return False
    try:
        sw = int(d.properties.get("SW") or d.attributes.get("capabilities/sw") or "0", 16)
    except ValueError:
        sw = 0
    name = d.properties.get("NAME") or d.attributes.get("name") or ""
    return bool(sw >> SW_CAMERA_LENS_COVER & 1) or bool(_PRIVACY_NAME.search(name) and "camera" in name.lower())


def _switch_name(d: Device) -> str:
    return html.unescape(d.properties.get("NAME") or d.attributes.get("name") or d.sysname).strip('"')


def _privacy_line(d: Device, state: bool | str | None) -> str:
    if state is True:
        what = N_("closed (lens covered)")
    elif state is False:
        what = "open"
    else:
        what = (
            N_("state unknown: {state}").format(state=state)
            if isinstance(state, str)
            else N_("state not in this source")
        )
    return N_("camera privacy switch {switch_name} ({sysname}): {what}").format(
        switch_name=_switch_name(d), sysname=d.sysname, what=what
    )


def _pipe(
    owner: Device,
    kind: str,
    carrier: Device | None,
    node_devs: list[Device],
    sensors: list[Sensor],
    by_path: Mapping[str, Device],
    ctx: CameraContext,
) -> CameraPipe:
    nodes = tuple(_node(d, carrier, by_path, ctx) for d in node_devs)
    # a USB camera's driver binds its interface; the device itself always has "usb"
    driver = carrier.driver if carrier is not None and carrier.devtype == "usb_interface" else owner.driver
    camera = kind in ("uvc", "ipu") or any(n.role == "capture" and not _not_camera(n) for n in nodes)
    ids = _usb_ids(owner) if owner.subsystem == "usb" else None
    if owner.subsystem == "pci":
        v, d = pci_ids(owner.properties, owner.attributes)
        ids = f"{v:04x}:{d:04x}" if v is not None and d is not None else None
    address = owner.properties.get("PCI_SLOT_NAME") or owner.sysname
    name = html.unescape(owner.properties.get("ID_MODEL_FROM_DATABASE") or owner.name)
    if kind == "uvc" and (p := next((n.product for n in nodes if n.role == "capture"), None)):
        name = p.split(":")[0].replace("_", " ") or name
    mine = list(sensors) if kind == "ipu" else []
    libcam: tuple[LibcameraCamera, ...] = ()
    if ctx.libcamera is not None:
        libcam = tuple(
            c
            for c in ctx.libcamera
            if (ids and kind == "uvc" and ids in c.id.lower()) or (kind == "ipu" and not _usbish(c))
        )
    pw: tuple[ServerNode, ...] = ()
    if ctx.server is not None:
        devnodes = {n.devnode for n in nodes}
        pw = tuple(
            n for n in ctx.server.video_nodes()
            if (n.path in devnodes) or (kind == "ipu" and n.api == "libcamera") or (
                kind == "uvc" and n.api == "libcamera" and ids is not None and ids in n.name.lower())
        )  # fmt: skip
    problems = _pipe_problems(kind, address, driver, nodes, mine, libcam, pw, ctx)
    return CameraPipe(
        owner.path, kind, name, address, ids, driver, (carrier.module if carrier else None) or owner.module,
        tuple(mine), nodes, libcam, pw, (), tuple(problems), camera,
    )  # fmt: skip


def _usbish(c: LibcameraCamera) -> bool:
    return bool(re.search(r"[0-9a-f]{4}:[0-9a-f]{4}$", c.id.lower()))


def _pipe_problems(
    kind: str,
    address: str,
    driver: str | None,
    nodes: tuple[VideoNode, ...],
    sensors: list[Sensor],
    libcam: tuple[LibcameraCamera, ...],
    pw: tuple[ServerNode, ...],
    ctx: CameraContext,
) -> list[Problem]:
    out: list[Problem] = []
    capture = [n for n in nodes if n.role == "capture"]
    if kind in ("uvc", "ipu") and driver is None:
        out.append(Problem("error", address, N_("no driver bound: the camera cannot work")))
    elif kind == "uvc" and not capture:
        out.append(
            Problem("error", address, N_("{driver} is bound but registered no capture node").format(driver=driver))
        )
    if kind == "ipu" and driver is not None:
        if not sensors:
            out.append(Problem("warning", address, N_("no image sensor with a known ACPI id: nothing feeds the IPU")))
        for s in sensors:
            if s.driver is None:
                out.append(
                    Problem(
                        "error", s.hid, N_("sensor {hid} has no driver: no image reaches the IPU").format(hid=s.hid)
                    )
                )
        if not nodes:
            out.append(
                Problem("error", address, N_("{driver} is bound but registered no V4L2 node").format(driver=driver))
            )
    if kind == "ipu" and nodes and ctx.libcamera is not None and not libcam:
        out.append(
            Problem("warning", address, N_("libcamera lists no camera here: applications get raw IPU nodes only "
                    "(libcamera's IPU pipeline or the vendor HAL is needed)"))
        )  # fmt: skip
    if capture and ctx.server is not None and not pw:
        out.append(
            Problem(
                "warning",
                address,
                N_("{name} shows no camera node for {name2}").format(name=ctx.server.name, name2=capture[0].name),
            )
        )
    return out
