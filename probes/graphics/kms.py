"""The current display mode of each connector, read through libdrm's KMS calls (ctypes, no build step)."""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import functools
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from hwinspector.i18n import N_

LIBDRM_SONAME = "libdrm.so.2"
DRM_DISPLAY_MODE_LEN = 32
# drm_mode.h: DRM_MODE_FLAG_INTERLACE, DRM_MODE_TYPE_PREFERRED
_FLAG_INTERLACE = 1 << 4
_TYPE_PREFERRED = 1 << 3


# Layouts of xf86drmMode.h (libdrm 2.4). drmModeModeInfo is the kernel's struct drm_mode_modeinfo,
# a fixed uapi layout (68 bytes); the others are libdrm's own, stable since libdrm 2.4.0.
class DrmModeModeInfo(ctypes.Structure):
    _fields_ = [
        ("clock", ctypes.c_uint32),
        ("hdisplay", ctypes.c_uint16),
        ("hsync_start", ctypes.c_uint16),
        ("hsync_end", ctypes.c_uint16),
        ("htotal", ctypes.c_uint16),
        ("hskew", ctypes.c_uint16),
        ("vdisplay", ctypes.c_uint16),
        ("vsync_start", ctypes.c_uint16),
        ("vsync_end", ctypes.c_uint16),
        ("vtotal", ctypes.c_uint16),
        ("vscan", ctypes.c_uint16),
        ("vrefresh", ctypes.c_uint32),
        ("flags", ctypes.c_uint32),
        ("type", ctypes.c_uint32),
        ("name", ctypes.c_char * DRM_DISPLAY_MODE_LEN),
    ]


class DrmModeRes(ctypes.Structure):
    _fields_ = [
        ("count_fbs", ctypes.c_int),
        ("fbs", ctypes.POINTER(ctypes.c_uint32)),
        ("count_crtcs", ctypes.c_int),
        ("crtcs", ctypes.POINTER(ctypes.c_uint32)),
        ("count_connectors", ctypes.c_int),
        ("connectors", ctypes.POINTER(ctypes.c_uint32)),
        ("count_encoders", ctypes.c_int),
        ("encoders", ctypes.POINTER(ctypes.c_uint32)),
        ("min_width", ctypes.c_uint32),
        ("max_width", ctypes.c_uint32),
        ("min_height", ctypes.c_uint32),
        ("max_height", ctypes.c_uint32),
    ]


class DrmModeConnector(ctypes.Structure):
    _fields_ = [
        ("connector_id", ctypes.c_uint32),
        ("encoder_id", ctypes.c_uint32),
        ("connector_type", ctypes.c_uint32),
        ("connector_type_id", ctypes.c_uint32),
        ("connection", ctypes.c_int),  # drmModeConnection, an enum
        ("mmWidth", ctypes.c_uint32),
        ("mmHeight", ctypes.c_uint32),
        ("subpixel", ctypes.c_int),  # drmModeSubPixel, an enum
        ("count_modes", ctypes.c_int),
        ("modes", ctypes.POINTER(DrmModeModeInfo)),
        ("count_props", ctypes.c_int),
        ("props", ctypes.POINTER(ctypes.c_uint32)),
        ("prop_values", ctypes.POINTER(ctypes.c_uint64)),
        ("count_encoders", ctypes.c_int),
        ("encoders", ctypes.POINTER(ctypes.c_uint32)),
    ]


class DrmModeEncoder(ctypes.Structure):
    _fields_ = [
        ("encoder_id", ctypes.c_uint32),
        ("encoder_type", ctypes.c_uint32),
        ("crtc_id", ctypes.c_uint32),
        ("possible_crtcs", ctypes.c_uint32),
        ("possible_clones", ctypes.c_uint32),
    ]


class DrmModeCrtc(ctypes.Structure):
    _fields_ = [
        ("crtc_id", ctypes.c_uint32),
        ("buffer_id", ctypes.c_uint32),
        ("x", ctypes.c_uint32),
        ("y", ctypes.c_uint32),
        ("width", ctypes.c_uint32),
        ("height", ctypes.c_uint32),
        ("mode_valid", ctypes.c_int),
        ("mode", DrmModeModeInfo),
        ("gamma_size", ctypes.c_int),
    ]


STRUCTS: Mapping[str, type[ctypes.Structure]] = {
    "drmModeModeInfo": DrmModeModeInfo,
    "drmModeRes": DrmModeRes,
    "drmModeConnector": DrmModeConnector,
    "drmModeEncoder": DrmModeEncoder,
    "drmModeCrtc": DrmModeCrtc,
}

_SIGNATURES: Mapping[str, tuple[Any, list[Any]]] = {
    "drmModeGetResources": (ctypes.POINTER(DrmModeRes), [ctypes.c_int]),
    "drmModeFreeResources": (None, [ctypes.POINTER(DrmModeRes)]),
    "drmModeGetConnector": (ctypes.POINTER(DrmModeConnector), [ctypes.c_int, ctypes.c_uint32]),
    "drmModeGetConnectorCurrent": (ctypes.POINTER(DrmModeConnector), [ctypes.c_int, ctypes.c_uint32]),
    "drmModeFreeConnector": (None, [ctypes.POINTER(DrmModeConnector)]),
    "drmModeGetEncoder": (ctypes.POINTER(DrmModeEncoder), [ctypes.c_int, ctypes.c_uint32]),
    "drmModeFreeEncoder": (None, [ctypes.POINTER(DrmModeEncoder)]),
    "drmModeGetCrtc": (ctypes.POINTER(DrmModeCrtc), [ctypes.c_int, ctypes.c_uint32]),
    "drmModeFreeCrtc": (None, [ctypes.POINTER(DrmModeCrtc)]),
}


@functools.lru_cache(maxsize=1)
def load_libdrm() -> ctypes.CDLL | None:
    """libdrm with typed KMS entry points; None where it is not installed (or lacks them)."""
    try:
        lib = ctypes.CDLL(LIBDRM_SONAME, use_errno=True)
    except OSError:
        found = ctypes.util.find_library("drm")
        if found is None:
            return None
        try:
            lib = ctypes.CDLL(found, use_errno=True)
        except OSError:
            return None
    try:
        for name, (restype, argtypes) in _SIGNATURES.items():
            fn = getattr(lib, name)
            fn.restype = restype
            fn.argtypes = argtypes
    except AttributeError:
        return None  # drmModeGetConnectorCurrent needs libdrm >= 2.4.71 (2016)
    return lib


@dataclass(frozen=True, slots=True)
class KmsMode:
    """A display timing as KMS drives it."""

    name: str
    width: int
    height: int
    refresh_hz: float
    clock_khz: int
    interlaced: bool
    preferred: bool

    def __str__(self) -> str:
        return N_("{width}x{height}{value} @ {refresh_hz:.2f} Hz").format(
            width=self.width, height=self.height, value="i" if self.interlaced else "", refresh_hz=self.refresh_hz
        )


def mode_from_struct(m: DrmModeModeInfo) -> KmsMode:
    interlaced = bool(m.flags & _FLAG_INTERLACE)
    # The exact rate from the timing (drm_mode_vrefresh); the vrefresh field is rounded to an integer.
    total = m.htotal * m.vtotal * (m.vscan if m.vscan > 1 else 1)
    refresh = m.clock * 1000.0 / total if total else float(m.vrefresh)
    if interlaced:
        refresh *= 2
    return KmsMode(
        name=bytes(m.name).split(b"\0", 1)[0].decode("ascii", "replace"),
        width=m.hdisplay,
        height=m.vdisplay,
        refresh_hz=round(refresh, 3),
        clock_khz=m.clock,
        interlaced=interlaced,
        preferred=bool(m.type & _TYPE_PREFERRED),
    )


@dataclass(frozen=True, slots=True)
class KmsConnectorState:
    connector_id: int
    crtc_id: int | None  # None: no encoder/CRTC drives it
    mode: KmsMode | None  # None: not lit (CRTC off or none)


@dataclass(frozen=True, slots=True)
class KmsReading:
    """What one card's KMS state says, or why it could not be read."""

    connectors: Mapping[int, KmsConnectorState] = field(default_factory=dict)
    error: str | None = None


def _errno_of(code: int) -> str:
    return errno.errorcode.get(code, f"errno {code}") if code else N_("no error code")


def get_resources(lib: ctypes.CDLL, fd: int) -> tuple[int, ...] | None:
    """Connector ids of the card behind ``fd``; None when it is not a KMS device (ENOTTY, EOPNOTSUPP …)."""
    res = lib.drmModeGetResources(fd)
    if not res:
        return None
    try:
        r = res.contents
        return tuple(r.connectors[i] for i in range(max(r.count_connectors, 0)))
    finally:
        lib.drmModeFreeResources(res)


def _connector_state(lib: ctypes.CDLL, fd: int, connector_id: int) -> KmsConnectorState | None:
    # GetConnectorCurrent, not GetConnector: the latter forces a probe (DDC, hotplug detection, a
    # runtime-PM wake-up and hundreds of milliseconds on some links) just to answer a question.
    conn = lib.drmModeGetConnectorCurrent(fd, connector_id)
    if not conn:
        return None
    try:
        encoder_id = conn.contents.encoder_id
    finally:
        lib.drmModeFreeConnector(conn)
    if not encoder_id:
        return KmsConnectorState(connector_id, None, None)
    enc = lib.drmModeGetEncoder(fd, encoder_id)
    if not enc:
        return KmsConnectorState(connector_id, None, None)
    try:
        crtc_id = enc.contents.crtc_id
    finally:
        lib.drmModeFreeEncoder(enc)
    if not crtc_id:
        return KmsConnectorState(connector_id, None, None)
    crtc = lib.drmModeGetCrtc(fd, crtc_id)
    if not crtc:
        return KmsConnectorState(connector_id, crtc_id, None)
    try:
        c = crtc.contents
        mode = mode_from_struct(c.mode) if c.mode_valid else None
    finally:
        lib.drmModeFreeCrtc(crtc)
    return KmsConnectorState(connector_id, crtc_id, mode)


def read_kms(devnode: Path, lib: ctypes.CDLL | None = None) -> KmsReading:
    """The CRTC mode behind every connector of one card node; never raises.

    Atomic compositors keep the legacy encoder->CRTC links up to date, so the legacy getters are
    enough to learn what is lit. Opening a primary node makes the opener DRM master when nobody
    else is (drm_master_open); it is dropped again at close, before any compositor could need it.
    """
    lib = lib if lib is not None else load_libdrm()
    if lib is None:
        return KmsReading(error=N_("{LIBDRM_SONAME} is not installed").format(LIBDRM_SONAME=LIBDRM_SONAME))
    try:
        fd = os.open(devnode, os.O_RDWR | os.O_CLOEXEC | os.O_NONBLOCK)
    except OSError as exc:
        return KmsReading(
            error=N_("no access to {devnode}: {errno_of}").format(devnode=devnode, errno_of=_errno_of(exc.errno or 0))
        )
    try:
        ctypes.set_errno(0)
        ids = get_resources(lib, fd)
        if ids is None:
            return KmsReading(
                error=N_("{devnode} is not a KMS device: {errno_of}").format(
                    devnode=devnode, errno_of=_errno_of(ctypes.get_errno())
                )
            )
        states: dict[int, KmsConnectorState] = {}
        for cid in ids:
            state = _connector_state(lib, fd, cid)
            if state is not None:
                states[cid] = state
        return KmsReading(states)
    finally:
        os.close(fd)
