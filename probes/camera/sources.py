"""The camera chain from each kind of source: the live machine, a bundle's raw files, devices only."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from hwinspector.probes.audio.server import SoundServer, read_sound_server, run_tool
from hwinspector.probes.audio.sources import RawReader, server_from_raw
from hwinspector.probes.camera.chain import SW_CAMERA_LENS_COVER, CameraChain, CameraContext, assemble
from hwinspector.probes.camera.v4l2 import parse_cam_list, query_caps_from_json, read_query_caps, read_switch
from hwinspector.probes.devices.tree import Device
from hwinspector.probes.errors import ProbeUnavailable

RAW_QUERYCAP = "raw/camera/v4l2-querycap.json"
RAW_CAM_LIST = "raw/camera/cam-l.txt"
RAW_V4L2_CTL = "raw/camera/v4l2-ctl-list-devices.txt"


def read_cam_list(timeout_s: float = 8.0) -> bytes:
    # cam logs to stderr; the list itself is on stdout
    return run_tool(["cam", "-l"], timeout_s)


def read_switches(devices: Sequence[Device]) -> dict[str, bool | str]:
    """The lens-cover switch of every input device that has one, through its evdev node."""
    out: dict[str, bool | str] = {}
    for d in devices:
        if d.subsystem != "input" or not _has_lens_cover(d):
            continue
        node = next((e.devnode for e in devices if e.parent == d.path and e.devnode and "/event" in e.devnode), None)
        if node is None:
            out[d.path] = "no evdev node"
            continue
        try:
            out[d.path] = read_switch(Path(node), SW_CAMERA_LENS_COVER)
        except OSError as exc:
            out[d.path] = f"{node}: {exc.strerror or exc}"
    return out


def _has_lens_cover(d: Device) -> bool:
    try:
        return bool(int(d.properties.get("SW") or d.attributes.get("capabilities/sw") or "0", 16) >> 9 & 1)
    except ValueError:
        return False


def live_context(
    devices: Sequence[Device] = (),
    sysfs: Path = Path("/sys"),
    devfs: Path = Path("/dev"),
    read_server: Callable[[], SoundServer] = read_sound_server,
    read_cameras: Callable[[], bytes] = read_cam_list,
) -> CameraContext:
    ctx = CameraContext(source="live", switches=read_switches(devices))
    try:
        ctx.querycap = read_query_caps(sysfs, devfs)
    except ProbeUnavailable:
        ctx.querycap = {}
    try:
        ctx.libcamera = parse_cam_list(read_cameras().decode("utf-8", "replace"))
    except ProbeUnavailable as exc:
        ctx.libcamera_absent = exc.reason
    try:
        ctx.server = read_server()
    except ProbeUnavailable as exc:
        ctx.server_absent = exc.reason
    return ctx


def read_camera_chain(devices: Sequence[Device], **kwargs: Any) -> CameraChain:
    return assemble(devices, live_context(devices, **kwargs))


def raw_context(raw: RawReader, source: str = "bundle") -> CameraContext:
    ctx = CameraContext(source=source)
    if (q := raw(RAW_QUERYCAP)) is not None:
        try:
            ctx.querycap = query_caps_from_json(json.loads(q))
        except ValueError:
            ctx.querycap = {}
    if (cams := raw(RAW_CAM_LIST)) is not None:
        ctx.libcamera = parse_cam_list(cams.decode("utf-8", "replace"))
    else:
        ctx.libcamera_absent = "libcamera's cam was not installed (or failed) when the bundle was captured"
    ctx.server, ctx.server_absent = server_from_raw(raw)
    return ctx


def devices_context(source: str) -> CameraContext:
    why = "a umockdev testbed fakes /sys only" if source == "umockdev" else f"a {source} dump holds devices only"
    return CameraContext(libcamera_absent=f"{why}, not libcamera's view", server_absent=f"{why}, not PipeWire's",
                         source=source)  # fmt: skip
