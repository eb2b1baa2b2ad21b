"""V4L2 nodes as the driver describes them: VIDIOC_QUERYCAP on /dev/videoN, and ``cam -l`` (libcamera)."""

from __future__ import annotations

import errno
import fcntl
import os
import re
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from hwinspector.probes.errors import ProbeUnavailable

# include/uapi/linux/videodev2.h: struct v4l2_capability is driver[16], card[32], bus_info[32],
# version, capabilities, device_caps, reserved[3] (104 bytes); VIDIOC_QUERYCAP = _IOR('V', 0, it).
_CAPABILITY = struct.Struct("=16s32s32sIII12x")
VIDIOC_QUERYCAP = (2 << 30) | (_CAPABILITY.size << 16) | (ord("V") << 8) | 0
V4L2_CAP_DEVICE_CAPS = 0x80000000
CAP_BITS = {
    0x00000001: "video-capture",
    0x00001000: "video-capture-mplane",
    0x00000002: "video-output",
    0x00002000: "video-output-mplane",
    0x00004000: "video-m2m-mplane",
    0x00008000: "video-m2m",
    0x00800000: "meta-capture",
    0x08000000: "meta-output",
    0x00010000: "radio",
    0x00020000: "tuner",
    0x10000000: "touch",
    0x20000000: "io-mc",
    0x04000000: "streaming",
    0x01000000: "readwrite",
}
_VIDEO = re.compile(r"^video\d+$")
# "1: 'Integrated Camera: Integrated C' (\_SB_.PCI0.XHC_.RHUB.HS05-5:1.0-04f2:b6d9)"; older: "1: Name (id)"
_CAM_LINE = re.compile(r"^\s*(\d+):\s*(.*?)\s*\((.*)\)\s*$")


@dataclass(frozen=True, slots=True)
class QueryCap:
    driver: str
    card: str
    bus_info: str
    capabilities: int
    device_caps: int  # this node's own capabilities (capabilities covers the whole device)

    @property
    def caps(self) -> tuple[str, ...]:
        bits = self.device_caps if self.capabilities & V4L2_CAP_DEVICE_CAPS else self.capabilities
        return tuple(name for bit, name in CAP_BITS.items() if bits & bit)


@dataclass(frozen=True, slots=True)
class LibcameraCamera:
    index: int
    name: str
    id: str  # the ACPI path of a sensor, or "<USB path>-<vid>:<pid>" of a UVC camera


def node_role(caps: tuple[str, ...]) -> str:
    """What a node is for: "capture", "metadata", "output", "m2m" (a codec or scaler) or "other"."""
    s = set(caps)
    if s & {"video-m2m", "video-m2m-mplane"} or ({"video-capture", "video-output"} <= s):
        return "m2m"
    if s & {"video-capture", "video-capture-mplane"}:
        return "capture"
    if "meta-capture" in s:
        return "metadata"
    if s & {"video-output", "video-output-mplane", "meta-output"}:
        return "output"
    return "other"


def _text(raw: bytes) -> str:
    return raw.split(b"\0", 1)[0].decode("utf-8", "replace")


def query_cap(devnode: Path) -> QueryCap:
    """VIDIOC_QUERYCAP on one node; OSError (EACCES, ENODEV, ENOTTY, EBUSY) goes to the caller."""
    fd = os.open(devnode, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        buf = bytearray(_CAPABILITY.size)
        fcntl.ioctl(fd, VIDIOC_QUERYCAP, buf, True)
    finally:
        os.close(fd)
    driver, card, bus, _version, caps, dev_caps = _CAPABILITY.unpack(bytes(buf))
    return QueryCap(_text(driver), _text(card), _text(bus), caps, dev_caps)


def read_query_caps(sysfs: Path = Path("/sys"), devfs: Path = Path("/dev")) -> dict[str, QueryCap | str]:
    """Every /sys/class/video4linux/videoN: its QUERYCAP, or why it could not be asked."""
    base = sysfs / "class" / "video4linux"
    try:
        names = sorted((n for n in os.listdir(base) if _VIDEO.match(n)), key=lambda n: int(n[5:]))
    except OSError as exc:
        if exc.errno == errno.ENOENT:
            raise ProbeUnavailable(f"{base}: no V4L2 devices (videodev not loaded)") from None
        raise ProbeUnavailable(f"{base}: {exc.strerror or exc}") from None
    out: dict[str, QueryCap | str] = {}
    for name in names:
        try:
            out[name] = query_cap(devfs / name)
        except OSError as exc:
            # EACCES: not in the video group and no uaccess seat; ENOTTY: not a V4L2 node after all
            out[name] = f"{devfs / name}: {errno.errorcode.get(exc.errno or 0, '')} ({exc.strerror or exc})".strip()
    return out


def query_caps_to_json(caps: Mapping[str, QueryCap | str]) -> dict[str, object]:
    return {
        k: v if isinstance(v, str) else {
            "driver": v.driver, "card": v.card, "bus_info": v.bus_info,
            "capabilities": v.capabilities, "device_caps": v.device_caps,
        }
        for k, v in caps.items()
    }  # fmt: skip


def query_caps_from_json(doc: object) -> dict[str, QueryCap | str]:
    """The bundle's copy (our own JSON, but from someone else's machine: checked field by field)."""
    out: dict[str, QueryCap | str] = {}
    if not isinstance(doc, dict):
        return out
    for k, v in doc.items():
        if not isinstance(k, str) or not _VIDEO.match(k):
            continue
        if isinstance(v, str):
            out[k] = v[:300]
        elif isinstance(v, dict):
            try:
                out[k] = QueryCap(
                    str(v.get("driver", ""))[:64], str(v.get("card", ""))[:64], str(v.get("bus_info", ""))[:64],
                    int(v.get("capabilities", 0)) & 0xFFFFFFFF, int(v.get("device_caps", 0)) & 0xFFFFFFFF,
                )  # fmt: skip
            except (TypeError, ValueError):
                out[k] = "malformed QUERYCAP record"
    return out


# include/uapi/linux/input.h: EVIOCGSW(len) = _IOC(_IOC_READ, 'E', 0x1b, len), the switches' state bitmap.
_SW_BYTES = 8


def read_switch(devnode: Path, code: int) -> bool:
    """One switch's state on an evdev node (True: on; for SW_CAMERA_LENS_COVER, the lens is covered).

    OSError (EACCES outside the input group, ENODEV after an unplug) goes to the caller.
    """
    fd = os.open(devnode, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        buf = bytearray(_SW_BYTES)
        fcntl.ioctl(fd, (2 << 30) | (_SW_BYTES << 16) | (ord("E") << 8) | 0x1B, buf, True)
    finally:
        os.close(fd)
    return bool(buf[code // 8] >> (code % 8) & 1)


def parse_cam_list(text: str) -> list[LibcameraCamera]:
    """``cam -l``: "Available cameras:" then one numbered line per camera (log lines are skipped)."""
    out = []
    for line in text.splitlines():
        m = _CAM_LINE.match(line)
        if m is None or line.lstrip().startswith("["):
            continue
        name = m[2].strip()
        # libcamera 0.0.x: "External camera 'HP Wide Vision FHD Camera: HP W'" (location, then the model)
        where, quote, model = name.partition("'")
        if quote:
            name = f"{model.strip(chr(39))} ({where.strip()})" if where.strip() else model.strip("'")
        out.append(LibcameraCamera(int(m[1]), name, m[3].strip()))
    return out
