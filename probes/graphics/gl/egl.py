"""OpenGL through EGL with ctypes: every EGL device, and the session's X11/Wayland display (child side)."""

from __future__ import annotations

import ctypes
import os
from collections.abc import Callable
from ctypes import POINTER, c_char_p, c_int32, c_uint32, c_void_p
from typing import Any

Emit = Callable[[dict[str, Any]], None]

# EGL 1.5 and extension tokens (Khronos egl.h / eglext.h).
EGL_SUCCESS = 0x3000
EGL_NONE = 0x3038
EGL_VENDOR = 0x3053
EGL_VERSION = 0x3054
EGL_EXTENSIONS = 0x3055
EGL_CLIENT_APIS = 0x308D
EGL_RENDERABLE_TYPE = 0x3040
EGL_SURFACE_TYPE = 0x3033
EGL_PBUFFER_BIT = 0x0001
EGL_WIDTH = 0x3057
EGL_HEIGHT = 0x3056
EGL_OPENGL_ES_BIT = 0x0001
EGL_OPENGL_ES2_BIT = 0x0004
EGL_OPENGL_BIT = 0x0008
EGL_OPENGL_ES3_BIT = 0x0040
EGL_OPENGL_ES_API = 0x30A0
EGL_OPENGL_API = 0x30A2
EGL_CONTEXT_MAJOR_VERSION = 0x3098  # also EGL_CONTEXT_CLIENT_VERSION
EGL_CONTEXT_MINOR_VERSION = 0x30FB
EGL_CONTEXT_OPENGL_PROFILE_MASK = 0x30FD
EGL_CONTEXT_OPENGL_CORE_PROFILE_BIT = 0x1
EGL_PLATFORM_DEVICE_EXT = 0x313F
EGL_PLATFORM_X11_KHR = 0x31D5
EGL_PLATFORM_WAYLAND_KHR = 0x31D8
EGL_PLATFORM_SURFACELESS_MESA = 0x31DD
EGL_DRM_DEVICE_FILE_EXT = 0x3233
EGL_DRM_RENDER_NODE_FILE_EXT = 0x3377

GL_VENDOR = 0x1F00
GL_RENDERER = 0x1F01
GL_VERSION = 0x1F02
GL_SHADING_LANGUAGE_VERSION = 0x8B8C

_EGL_ERRORS = {
    0x3001: "EGL_NOT_INITIALIZED",
    0x3002: "EGL_BAD_ACCESS",
    0x3003: "EGL_BAD_ALLOC",
    0x3004: "EGL_BAD_ATTRIBUTE",
    0x3005: "EGL_BAD_CONFIG",
    0x3006: "EGL_BAD_CONTEXT",
    0x3007: "EGL_BAD_CURRENT_SURFACE",
    0x3008: "EGL_BAD_DISPLAY",
    0x3009: "EGL_BAD_MATCH",
    0x300A: "EGL_BAD_NATIVE_PIXMAP",
    0x300B: "EGL_BAD_NATIVE_WINDOW",
    0x300C: "EGL_BAD_PARAMETER",
    0x300D: "EGL_BAD_SURFACE",
    0x300E: "EGL_CONTEXT_LOST",
}
# Newest first, as glxinfo and eglinfo try them: a driver gives the version asked for or fails.
CORE_VERSIONS = ((4, 6), (4, 5), (4, 4), (4, 3), (4, 2), (4, 1), (4, 0), (3, 3), (3, 2))

_GetPlatformDisplay = ctypes.CFUNCTYPE(c_void_p, c_uint32, c_void_p, POINTER(c_int32))
_QueryDevices = ctypes.CFUNCTYPE(c_uint32, c_int32, POINTER(c_void_p), POINTER(c_int32))
_QueryDeviceString = ctypes.CFUNCTYPE(c_char_p, c_void_p, c_int32)
_GetDisplayDriverName = ctypes.CFUNCTYPE(c_char_p, c_void_p)
_GetString = ctypes.CFUNCTYPE(c_char_p, c_uint32)


class _Egl:
    """libEGL's entry points with their C signatures."""

    def __init__(self, lib: ctypes.CDLL) -> None:
        def fn(name: str, restype: Any, *argtypes: Any) -> Any:
            f = getattr(lib, name)
            f.restype = restype
            f.argtypes = list(argtypes)
            return f

        self.GetProcAddress = fn("eglGetProcAddress", c_void_p, c_char_p)
        self.GetError = fn("eglGetError", c_int32)
        self.GetDisplay = fn("eglGetDisplay", c_void_p, c_void_p)
        self.QueryString = fn("eglQueryString", c_char_p, c_void_p, c_int32)
        self.Initialize = fn("eglInitialize", c_uint32, c_void_p, POINTER(c_int32), POINTER(c_int32))
        self.Terminate = fn("eglTerminate", c_uint32, c_void_p)
        self.BindAPI = fn("eglBindAPI", c_uint32, c_uint32)
        self.ChooseConfig = fn(
            "eglChooseConfig", c_uint32, c_void_p, POINTER(c_int32), POINTER(c_void_p), c_int32, POINTER(c_int32)
        )
        self.CreateContext = fn("eglCreateContext", c_void_p, c_void_p, c_void_p, c_void_p, POINTER(c_int32))
        self.DestroyContext = fn("eglDestroyContext", c_uint32, c_void_p, c_void_p)
        self.CreatePbufferSurface = fn("eglCreatePbufferSurface", c_void_p, c_void_p, c_void_p, POINTER(c_int32))
        self.DestroySurface = fn("eglDestroySurface", c_uint32, c_void_p, c_void_p)
        self.MakeCurrent = fn("eglMakeCurrent", c_uint32, c_void_p, c_void_p, c_void_p, c_void_p)
        self.ReleaseThread = fn("eglReleaseThread", c_uint32)

    def proc(self, name: str, proto: Any) -> Any:
        addr = self.GetProcAddress(name.encode())
        return proto(addr) if addr else None

    def error(self) -> str:
        code = int(self.GetError())
        return _EGL_ERRORS.get(code, f"EGL error 0x{code:04x}")

    def string(self, dpy: int | None, name: int) -> str | None:
        s = self.QueryString(dpy, name)
        if s is None:
            self.GetError()  # clear it: the next failure must report its own error
            return None
        return bytes(s).decode("utf-8", errors="replace")


def _attribs(*values: int) -> Any:
    arr = (c_int32 * (len(values) + 1))(*values, EGL_NONE)
    return arr


def probe(emit: Emit) -> None:
    """Emit one "display" record per EGL display tried, or "problem" records when EGL is unusable."""
    try:
        egl = _Egl(ctypes.CDLL("libEGL.so.1"))
    except (OSError, AttributeError) as exc:
        emit({"kind": "problem", "reason": f"EGL: libEGL.so.1 cannot be loaded: {exc}"})
        return
    client = (egl.string(None, EGL_EXTENSIONS) or "").split()
    get_platform_display = egl.proc("eglGetPlatformDisplayEXT", _GetPlatformDisplay)
    tried = False
    if get_platform_display is not None and "EGL_EXT_platform_device" in client:
        tried = _probe_devices(egl, get_platform_display, emit) or tried
    if not tried and get_platform_display is not None and "EGL_MESA_platform_surfaceless" in client:
        dpy = get_platform_display(EGL_PLATFORM_SURFACELESS_MESA, None, None)
        _probe_display(egl, dpy, {"platform": "surfaceless", "name": "surfaceless"}, emit)
        tried = True
    for var, ext, platform in (
        ("WAYLAND_DISPLAY", "_platform_wayland", EGL_PLATFORM_WAYLAND_KHR),
        ("DISPLAY", "_platform_x11", EGL_PLATFORM_X11_KHR),
    ):
        value = os.environ.get(var)
        if not value or get_platform_display is None or not any(e.endswith(ext) for e in client):
            continue
        # EGL_DEFAULT_DISPLAY: the EGL implementation connects to $DISPLAY / $WAYLAND_DISPLAY itself.
        dpy = get_platform_display(platform, None, None)
        _probe_display(egl, dpy, {"platform": ext.removeprefix("_platform_"), "name": value}, emit)
        tried = True
    if not tried:
        # EGL 1.4 without client extensions (or a glvnd without any vendor): only the default display.
        _probe_display(egl, egl.GetDisplay(None), {"platform": "default", "name": "default display"}, emit)
    egl.ReleaseThread()


def _probe_devices(egl: _Egl, get_platform_display: Any, emit: Emit) -> bool:
    query_devices = egl.proc("eglQueryDevicesEXT", _QueryDevices)
    query_string = egl.proc("eglQueryDeviceStringEXT", _QueryDeviceString)
    if query_devices is None:
        return False
    count = c_int32(0)
    if not query_devices(0, None, ctypes.byref(count)) or count.value <= 0:
        egl.GetError()
        emit({"kind": "problem", "reason": "EGL: the driver lists no EGL devices"})
        return False
    devices = (c_void_p * count.value)()
    if not query_devices(count.value, devices, ctypes.byref(count)):
        emit({"kind": "problem", "reason": f"EGL: eglQueryDevicesEXT failed: {egl.error()}"})
        return False
    for i in range(count.value):
        dev = devices[i]
        meta: dict[str, Any] = {"platform": "device", "name": f"EGL device #{i}"}
        if query_string is not None:
            exts = _device_string(egl, query_string, dev, EGL_EXTENSIONS).split()
            meta["device_extensions"] = exts
            if "EGL_EXT_device_drm" in exts:
                meta["drm_device"] = _device_string(egl, query_string, dev, EGL_DRM_DEVICE_FILE_EXT) or None
            if "EGL_EXT_device_drm_render_node" in exts:
                node = _device_string(egl, query_string, dev, EGL_DRM_RENDER_NODE_FILE_EXT)
                meta["drm_render_node"] = node or None
        _probe_display(egl, get_platform_display(EGL_PLATFORM_DEVICE_EXT, dev, None), meta, emit)
    return True


def _device_string(egl: _Egl, query_string: Any, dev: int | None, name: int) -> str:
    s = query_string(dev, name)
    if s is None:
        egl.GetError()
        return ""
    return bytes(s).decode("utf-8", errors="replace")


def _probe_display(egl: _Egl, dpy: int | None, meta: dict[str, Any], emit: Emit) -> None:
    rec: dict[str, Any] = {"kind": "display", "api": "egl", **meta}
    if not dpy:
        emit({**rec, "error": f"no EGL display: {egl.error()}"})
        return
    major, minor = c_int32(0), c_int32(0)
    if not egl.Initialize(dpy, ctypes.byref(major), ctypes.byref(minor)):
        emit({**rec, "error": f"eglInitialize failed: {egl.error()}"})
        return
    try:
        exts = (egl.string(dpy, EGL_EXTENSIONS) or "").split()
        apis = (egl.string(dpy, EGL_CLIENT_APIS) or "").split()
        rec.update(
            version=egl.string(dpy, EGL_VERSION),
            vendor=egl.string(dpy, EGL_VENDOR),
            client_apis=apis,
            extensions=exts,
        )
        if "EGL_MESA_query_driver" in exts:
            driver_name = egl.proc("eglGetDisplayDriverName", _GetDisplayDriverName)
            name = driver_name(dpy) if driver_name is not None else None
            rec["driver_name"] = bytes(name).decode() if name else None
        contexts, errors = _contexts(egl, dpy, (major.value, minor.value), exts, apis)
        rec["contexts"] = contexts
        if errors:
            rec["error"] = "; ".join(errors)
    finally:
        egl.MakeCurrent(dpy, None, None, None)
        egl.Terminate(dpy)
    emit(rec)


def _contexts(
    egl: _Egl, dpy: int, version: tuple[int, int], exts: list[str], apis: list[str]
) -> tuple[list[dict[str, Any]], list[str]]:
    contexts: list[dict[str, Any]] = []
    errors: list[str] = []
    create_context = version >= (1, 5) or "EGL_KHR_create_context" in exts
    get_string = egl.proc("glGetString", _GetString)
    if get_string is None:
        return [], ["eglGetProcAddress(glGetString) returned NULL"]
    if "OpenGL" in apis and egl.BindAPI(EGL_OPENGL_API):
        if create_context:
            for major, minor in CORE_VERSIONS:
                core = (
                    EGL_CONTEXT_MAJOR_VERSION, major, EGL_CONTEXT_MINOR_VERSION, minor,
                    EGL_CONTEXT_OPENGL_PROFILE_MASK, EGL_CONTEXT_OPENGL_CORE_PROFILE_BIT,
                )  # fmt: skip
                got = _strings(egl, dpy, exts, EGL_OPENGL_BIT, core, get_string)
                if isinstance(got, dict):
                    contexts.append({"profile": "core", **got})
                    break
        # No attributes: a compatibility context of the highest version the driver has.
        got = _strings(egl, dpy, exts, EGL_OPENGL_BIT, (), get_string)
        if isinstance(got, dict):
            contexts.append({"profile": "compat", **got})
        else:
            errors.append(f"compat context: {got}")
    if "OpenGL_ES" in apis and egl.BindAPI(EGL_OPENGL_ES_API):
        last = "not tried"
        for major, bit in ((3, EGL_OPENGL_ES3_BIT), (2, EGL_OPENGL_ES2_BIT), (1, EGL_OPENGL_ES_BIT)):
            got = _strings(egl, dpy, exts, bit, (EGL_CONTEXT_MAJOR_VERSION, major), get_string)
            if isinstance(got, dict):
                contexts.append({"profile": "es", **got})
                break
            last = got
        else:
            errors.append(f"es context: {last}")
    return contexts, errors


def _strings(
    egl: _Egl, dpy: int, exts: list[str], api_bit: int, attribs: tuple[int, ...], get_string: Any
) -> dict[str, Any] | str:
    """Make a context current and read its strings; the error text where it cannot."""
    surfaceless = "EGL_KHR_surfaceless_context" in exts
    config: int | None = None
    if not surfaceless or not ("EGL_KHR_no_config_context" in exts or "EGL_MESA_configless_context" in exts):
        want = _attribs(EGL_RENDERABLE_TYPE, api_bit, EGL_SURFACE_TYPE, EGL_PBUFFER_BIT)
        configs = (c_void_p * 1)()
        n = c_int32(0)
        if not egl.ChooseConfig(dpy, want, configs, 1, ctypes.byref(n)) or n.value < 1:
            return f"no EGL config renders this API ({egl.error()})"
        config = configs[0]
    ctx = egl.CreateContext(dpy, config, None, _attribs(*attribs))
    if not ctx:
        return f"eglCreateContext failed: {egl.error()}"
    surface = None
    try:
        if not surfaceless:
            surface = egl.CreatePbufferSurface(dpy, config, _attribs(EGL_WIDTH, 1, EGL_HEIGHT, 1))
            if not surface:
                return f"eglCreatePbufferSurface failed: {egl.error()}"
        if not egl.MakeCurrent(dpy, surface, surface, ctx):
            return f"eglMakeCurrent failed: {egl.error()}"
        return read_gl_strings(get_string)
    finally:
        egl.MakeCurrent(dpy, None, None, None)
        if surface:
            egl.DestroySurface(dpy, surface)
        egl.DestroyContext(dpy, ctx)


def read_gl_strings(get_string: Callable[[int], bytes | None]) -> dict[str, Any]:
    """glGetString of the current context; GL_SHADING_LANGUAGE_VERSION is NULL on OpenGL ES 1.x."""

    def s(name: int) -> str | None:
        v = get_string(name)
        return bytes(v).decode("utf-8", errors="replace") if v else None

    return {
        "vendor": s(GL_VENDOR) or "",
        "renderer": s(GL_RENDERER) or "",
        "version": s(GL_VERSION) or "",
        "shading_language_version": s(GL_SHADING_LANGUAGE_VERSION),
    }
