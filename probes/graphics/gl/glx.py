"""OpenGL through GLX on the X server in $DISPLAY with ctypes, as glxinfo -B reads it (child side)."""

from __future__ import annotations

import ctypes
import functools
import os
import time
from collections.abc import Callable
from ctypes import POINTER, c_char_p, c_int, c_uint, c_ulong, c_void_p
from typing import Any

from hwinspector.probes.graphics.gl.egl import CORE_VERSIONS, read_gl_strings

Emit = Callable[[dict[str, Any]], None]

# GLX 1.4 and extension tokens (glx.h, glxext.h).
GLX_VENDOR = 1
GLX_VERSION = 2
GLX_RENDER_TYPE = 0x8011
GLX_RGBA_BIT = 0x1
GLX_RGBA_TYPE = 0x8014
GLX_DRAWABLE_TYPE = 0x8010
GLX_PBUFFER_BIT = 0x4
GLX_PBUFFER_WIDTH = 0x8041
GLX_PBUFFER_HEIGHT = 0x8040
GLX_CONTEXT_MAJOR_VERSION_ARB = 0x2091
GLX_CONTEXT_MINOR_VERSION_ARB = 0x2092
GLX_CONTEXT_PROFILE_MASK_ARB = 0x9126
GLX_CONTEXT_CORE_PROFILE_BIT_ARB = 0x1
GLX_CONTEXT_ES2_PROFILE_BIT_EXT = 0x4
# GLX_MESA_query_renderer
GLX_RENDERER_VENDOR_ID_MESA = 0x8183
GLX_RENDERER_DEVICE_ID_MESA = 0x8184
GLX_RENDERER_VERSION_MESA = 0x8185
GLX_RENDERER_ACCELERATED_MESA = 0x8186
GLX_RENDERER_VIDEO_MEMORY_MESA = 0x8187
GLX_RENDERER_UNIFIED_MEMORY_ARCHITECTURE_MESA = 0x8188
GLX_RENDERER_OPENGL_CORE_PROFILE_VERSION_MESA = 0x818A
GLX_RENDERER_OPENGL_COMPATIBILITY_PROFILE_VERSION_MESA = 0x818B
_OPEN_RETRIES = 5
# Mesa reports this PCI id for renderers that are not a PCI device (llvmpipe, softpipe).
NO_PCI_ID = 0xFFFFFFFF


class _XErrorEvent(ctypes.Structure):
    _fields_ = [
        ("type", c_int),
        ("display", c_void_p),
        ("resourceid", c_ulong),
        ("serial", c_ulong),
        ("error_code", ctypes.c_ubyte),
        ("request_code", ctypes.c_ubyte),
        ("minor_code", ctypes.c_ubyte),
    ]


_ErrorHandler = ctypes.CFUNCTYPE(c_int, c_void_p, POINTER(_XErrorEvent))
_CreateContextAttribs = ctypes.CFUNCTYPE(c_void_p, c_void_p, c_void_p, c_void_p, c_int, POINTER(c_int))
_QueryRendererInteger = ctypes.CFUNCTYPE(c_int, c_int, POINTER(c_uint))
_QueryRendererString = ctypes.CFUNCTYPE(c_char_p, c_int)


class _Glx:
    """libX11 and libGL entry points with their C signatures, and an X error trap."""

    def __init__(self, x11: ctypes.CDLL, gl: ctypes.CDLL) -> None:
        def fn(lib: ctypes.CDLL, name: str, restype: Any, *argtypes: Any) -> Any:
            f = getattr(lib, name)
            f.restype = restype
            f.argtypes = list(argtypes)
            return f

        self.XOpenDisplay = fn(x11, "XOpenDisplay", c_void_p, c_char_p)
        self.XCloseDisplay = fn(x11, "XCloseDisplay", c_int, c_void_p)
        self.XDisplayString = fn(x11, "XDisplayString", c_char_p, c_void_p)
        self.XDefaultScreen = fn(x11, "XDefaultScreen", c_int, c_void_p)
        self.XSync = fn(x11, "XSync", c_int, c_void_p, c_int)
        self.XFree = fn(x11, "XFree", c_int, c_void_p)
        self.XSetErrorHandler = fn(x11, "XSetErrorHandler", c_void_p, _ErrorHandler)
        self.QueryExtension = fn(gl, "glXQueryExtension", c_int, c_void_p, POINTER(c_int), POINTER(c_int))
        self.QueryVersion = fn(gl, "glXQueryVersion", c_int, c_void_p, POINTER(c_int), POINTER(c_int))
        self.QueryServerString = fn(gl, "glXQueryServerString", c_char_p, c_void_p, c_int, c_int)
        self.GetClientString = fn(gl, "glXGetClientString", c_char_p, c_void_p, c_int)
        self.QueryExtensionsString = fn(gl, "glXQueryExtensionsString", c_char_p, c_void_p, c_int)
        self.ChooseFBConfig = fn(
            gl, "glXChooseFBConfig", POINTER(c_void_p), c_void_p, c_int, POINTER(c_int), POINTER(c_int)
        )
        self.CreateNewContext = fn(gl, "glXCreateNewContext", c_void_p, c_void_p, c_void_p, c_int, c_void_p, c_int)
        self.DestroyContext = fn(gl, "glXDestroyContext", None, c_void_p, c_void_p)
        self.CreatePbuffer = fn(gl, "glXCreatePbuffer", c_ulong, c_void_p, c_void_p, POINTER(c_int))
        self.DestroyPbuffer = fn(gl, "glXDestroyPbuffer", None, c_void_p, c_ulong)
        self.MakeContextCurrent = fn(gl, "glXMakeContextCurrent", c_int, c_void_p, c_ulong, c_ulong, c_void_p)
        self.IsDirect = fn(gl, "glXIsDirect", c_int, c_void_p, c_void_p)
        self.GetProcAddress = fn(gl, "glXGetProcAddressARB", c_void_p, c_char_p)
        self.glGetString = fn(gl, "glGetString", c_char_p, c_uint)
        self.x_errors: list[int] = []

        def on_error(_dpy: int | None, event: Any) -> int:
            # Xlib's default handler exits the process on any error; a driver that refuses a context
            # version answers with BadMatch or GLXBadFBConfig, which is an answer, not a failure.
            self.x_errors.append(int(event.contents.error_code))
            return 0

        self._handler = _ErrorHandler(on_error)  # kept referenced: Xlib holds only the C pointer
        self.XSetErrorHandler(self._handler)

    def proc(self, name: str, proto: Any) -> Any:
        addr = self.GetProcAddress(name.encode())
        return proto(addr) if addr else None


def _ints(*values: int) -> Any:
    return (c_int * (len(values) + 1))(*values, 0)


def _text(b: bytes | None) -> str | None:
    return b.decode("utf-8", errors="replace") if b is not None else None


def probe(emit: Emit) -> None:
    """Emit one GLX "display" record for $DISPLAY, or a "problem" record saying why there is none."""
    if not os.environ.get("DISPLAY"):
        emit({"kind": "problem", "reason": "GLX: DISPLAY is not set (no X server to ask)"})
        return
    try:
        glx = _Glx(ctypes.CDLL("libX11.so.6"), ctypes.CDLL("libGL.so.1"))
    except (OSError, AttributeError) as exc:
        emit({"kind": "problem", "reason": f"GLX: libGL.so.1 or libX11.so.6 cannot be loaded: {exc}"})
        return
    dpy = glx.XOpenDisplay(None)
    for _ in range(_OPEN_RETRIES):
        if dpy:
            break
        # An X server resets itself when its last client leaves (Xvfb without -noreset does, and EGL's
        # own X11 connection may just have been that client); it refuses connections while it does.
        time.sleep(0.1)
        dpy = glx.XOpenDisplay(None)
    if not dpy:
        emit({"kind": "problem", "reason": f"GLX: cannot open X display {os.environ['DISPLAY']}"})
        return
    try:
        emit(_probe_screen(glx, dpy))
    finally:
        glx.XCloseDisplay(dpy)


def _probe_screen(glx: _Glx, dpy: int) -> dict[str, Any]:
    screen = glx.XDefaultScreen(dpy)
    name = _text(glx.XDisplayString(dpy)) or os.environ.get("DISPLAY", "")
    rec: dict[str, Any] = {"kind": "display", "api": "glx", "platform": "x11", "name": name}
    base, event = c_int(0), c_int(0)
    if not glx.QueryExtension(dpy, ctypes.byref(base), ctypes.byref(event)):
        return {**rec, "error": "the X server has no GLX extension"}
    major, minor = c_int(0), c_int(0)
    glx.QueryVersion(dpy, ctypes.byref(major), ctypes.byref(minor))
    rec.update(
        version=f"{major.value}.{minor.value}",
        vendor=_text(glx.QueryServerString(dpy, screen, GLX_VENDOR)),
        client_vendor=_text(glx.GetClientString(dpy, GLX_VENDOR)),
    )
    exts = set((_text(glx.QueryExtensionsString(dpy, screen)) or "").split())
    n = c_int(0)
    want = _ints(GLX_RENDER_TYPE, GLX_RGBA_BIT, GLX_DRAWABLE_TYPE, GLX_PBUFFER_BIT)
    configs = glx.ChooseFBConfig(dpy, screen, want, ctypes.byref(n))
    if not configs or n.value < 1:
        return {**rec, "error": "no GLX framebuffer config with a pbuffer"}
    config = configs[0]
    glx.XFree(configs)
    pbuffer = glx.CreatePbuffer(dpy, config, _ints(GLX_PBUFFER_WIDTH, 1, GLX_PBUFFER_HEIGHT, 1))
    glx.XSync(dpy, 0)
    if glx.x_errors:  # no pbuffers here: contexts of GL 3.0 and later can still be made current without one
        pbuffer = 0
        glx.x_errors.clear()
    contexts: list[dict[str, Any]] = []
    errors: list[str] = []
    attribs_create = glx.proc("glXCreateContextAttribsARB", _CreateContextAttribs)

    def with_attribs(*attribs: int) -> int | None:
        return _create(glx, dpy, functools.partial(attribs_create, dpy, config, None, 1, _ints(*attribs)))

    if attribs_create is not None and "GLX_ARB_create_context_profile" in exts:
        for maj, mnr in CORE_VERSIONS:
            ctx = with_attribs(
                GLX_CONTEXT_MAJOR_VERSION_ARB, maj, GLX_CONTEXT_MINOR_VERSION_ARB, mnr,
                GLX_CONTEXT_PROFILE_MASK_ARB, GLX_CONTEXT_CORE_PROFILE_BIT_ARB,
            )  # fmt: skip
            if ctx:
                _add(contexts, errors, "core", _current(glx, dpy, pbuffer, ctx, rec, exts))
                break
    ctx = _create(glx, dpy, functools.partial(glx.CreateNewContext, dpy, config, GLX_RGBA_TYPE, None, 1))
    _add(
        contexts, errors, "compat", _current(glx, dpy, pbuffer, ctx, rec, exts) if ctx else "glXCreateNewContext failed"
    )
    if attribs_create is not None and exts & {
        "GLX_EXT_create_context_es2_profile",
        "GLX_EXT_create_context_es_profile",
    }:
        # Version 2.0 as glxinfo asks: drivers give their highest ES version that is compatible.
        ctx = with_attribs(
            GLX_CONTEXT_MAJOR_VERSION_ARB, 2, GLX_CONTEXT_MINOR_VERSION_ARB, 0,
            GLX_CONTEXT_PROFILE_MASK_ARB, GLX_CONTEXT_ES2_PROFILE_BIT_EXT,
        )  # fmt: skip
        _add(
            contexts, errors, "es", _current(glx, dpy, pbuffer, ctx, rec, exts) if ctx else "refused an ES 2.0 profile"
        )
    if pbuffer:
        glx.DestroyPbuffer(dpy, pbuffer)
    rec["contexts"] = contexts
    if errors:
        rec["error"] = "; ".join(errors)
    return rec


def _add(contexts: list[dict[str, Any]], errors: list[str], profile: str, got: dict[str, Any] | str) -> None:
    if isinstance(got, dict):
        contexts.append({"profile": profile, **got})
    else:
        errors.append(f"{profile} context: {got}")


def _create(glx: _Glx, dpy: int, make: Callable[[], int | None]) -> int | None:
    """Create a context; a context that came with an X error is no context."""
    glx.x_errors.clear()
    ctx = make()
    glx.XSync(dpy, 0)
    if glx.x_errors:
        if ctx:
            glx.DestroyContext(dpy, ctx)
        glx.x_errors.clear()
        return None
    return ctx


def _current(glx: _Glx, dpy: int, pbuffer: int, ctx: int, rec: dict[str, Any], exts: set[str]) -> dict[str, Any] | str:
    """Make ``ctx`` current, read its strings (and the renderer query once), and destroy it."""
    try:
        # Without a pbuffer, GLX_ARB_create_context allows no drawable for GL 3.0 and later contexts.
        if not glx.MakeContextCurrent(dpy, pbuffer, pbuffer, ctx):
            return "glXMakeContextCurrent failed"
        glx.XSync(dpy, 0)
        if "direct_rendering" not in rec:
            rec["direct_rendering"] = bool(glx.IsDirect(dpy, ctx))
        if "renderer_query" not in rec and "GLX_MESA_query_renderer" in exts:
            rec["renderer_query"] = _renderer_query(glx)
        return read_gl_strings(glx.glGetString)
    finally:
        glx.MakeContextCurrent(dpy, 0, 0, None)
        glx.DestroyContext(dpy, ctx)
        glx.XSync(dpy, 0)
        glx.x_errors.clear()


def _renderer_query(glx: _Glx) -> dict[str, Any] | None:
    query_int = glx.proc("glXQueryCurrentRendererIntegerMESA", _QueryRendererInteger)
    query_str = glx.proc("glXQueryCurrentRendererStringMESA", _QueryRendererString)
    if query_int is None or query_str is None:
        return None

    def ints(attr: int, n: int = 1) -> list[int] | None:
        buf = (c_uint * 3)()
        return [int(buf[i]) for i in range(n)] if query_int(attr, buf) else None

    def pci(attr: int) -> int | None:
        v = ints(attr)
        return v[0] if v and v[0] != NO_PCI_ID else None

    def flag(attr: int) -> bool | None:
        v = ints(attr)
        return bool(v[0]) if v else None

    def gl_version(attr: int) -> str | None:
        v = ints(attr, 2)
        return f"{v[0]}.{v[1]}" if v else None

    version = ints(GLX_RENDERER_VERSION_MESA, 3)
    memory = ints(GLX_RENDERER_VIDEO_MEMORY_MESA)
    return {
        "vendor": _text(query_str(GLX_RENDERER_VENDOR_ID_MESA)),
        "device": _text(query_str(GLX_RENDERER_DEVICE_ID_MESA)),
        "pci_vendor_id": pci(GLX_RENDERER_VENDOR_ID_MESA),
        "pci_device_id": pci(GLX_RENDERER_DEVICE_ID_MESA),
        "mesa_version": ".".join(str(x) for x in version) if version else None,
        "accelerated": flag(GLX_RENDERER_ACCELERATED_MESA),
        "video_memory_mb": memory[0] if memory else None,
        "unified_memory": flag(GLX_RENDERER_UNIFIED_MEMORY_ARCHITECTURE_MESA),
        "max_core_version": gl_version(GLX_RENDERER_OPENGL_CORE_PROFILE_VERSION_MESA),
        "max_compat_version": gl_version(GLX_RENDERER_OPENGL_COMPATIBILITY_PROFILE_VERSION_MESA),
    }
