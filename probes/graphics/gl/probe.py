"""The OpenGL driver that applications get, through EGL and GLX, read in a child process."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from hwinspector.probes.isolated import child_main, run_child

# Renderer strings of software rasterisers. Mesa: llvmpipe, softpipe, swrast ("Software Rasterizer"
# before Gallium), lavapipe for Vulkan; Google's SwiftShader; Windows' fallback under WSL/Dozen.
_SOFTWARE_RE = re.compile(
    r"llvmpipe|softpipe|swrast|software rasterizer|lavapipe|swiftshader|microsoft basic render driver",
    re.IGNORECASE,
)
# EGL_MESA_query_driver names of Mesa's software drivers; kms_swrast renders on the CPU into a KMS
# buffer (simpledrm, virtio-gpu without virgl), so it is software rendering too.
_SOFTWARE_EGL_DRIVERS = frozenset({"swrast", "kms_swrast", "softpipe", "llvmpipe"})
# "4.5 (Core Profile) Mesa 22.3.6", "OpenGL ES 3.2 Mesa 23.2.0-devel (git-1234abcd)", "3.0 Mesa 18.0.0-rc5"
_MESA_RE = re.compile(r"\bMesa (\d+\.\d+(?:\.\d+)?(?:-[0-9A-Za-z.]+)?)")
_GL_NUMBER_RE = re.compile(r"^(?:OpenGL ES(?:-C[ML])? )?(\d+\.\d+)")

PROFILE_CORE = "core"
PROFILE_COMPAT = "compat"
PROFILE_ES = "es"


def is_software_renderer(name: str | None) -> bool:
    """True for a renderer or device name of a CPU rasteriser (llvmpipe, softpipe, lavapipe, SwiftShader)."""
    return bool(name) and _SOFTWARE_RE.search(name or "") is not None


def mesa_version_of(version: str | None) -> str | None:
    """The Mesa release in a GL or Vulkan version string ("4.5 (Core Profile) Mesa 22.3.6" -> "22.3.6")."""
    m = _MESA_RE.search(version or "")
    return m.group(1) if m else None


@dataclass(frozen=True, slots=True)
class GlContext:
    """The four strings of one GL context: what glGetString says once the context is current."""

    profile: str  # PROFILE_CORE | PROFILE_COMPAT | PROFILE_ES
    vendor: str
    renderer: str
    version: str
    shading_language_version: str | None  # None for OpenGL ES 1.x, which has no shaders

    @property
    def version_number(self) -> str | None:
        """ "4.5" from "4.5 (Core Profile) Mesa 22.3.6", "3.2" from "OpenGL ES 3.2 NVIDIA 418.43"."""
        m = _GL_NUMBER_RE.match(self.version)
        return m.group(1) if m else None

    @property
    def mesa_version(self) -> str | None:
        return mesa_version_of(self.version)

    @property
    def is_software(self) -> bool:
        return is_software_renderer(self.renderer)

    def to_json(self) -> dict[str, Any]:
        return {
            "profile": self.profile,
            "vendor": self.vendor,
            "renderer": self.renderer,
            "version": self.version,
            "shading_language_version": self.shading_language_version,
        }

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> GlContext:
        return cls(
            profile=str(d["profile"]),
            vendor=str(d.get("vendor") or ""),
            renderer=str(d.get("renderer") or ""),
            version=str(d.get("version") or ""),
            shading_language_version=_opt_str(d.get("shading_language_version")),
        )


@dataclass(frozen=True, slots=True)
class RendererQuery:
    """GLX_MESA_query_renderer: what a Mesa driver says about the GPU behind the context."""

    vendor: str | None  # "Intel Open Source Technology Center", "X.Org", "Mesa/X.org"
    device: str | None  # "Mesa DRI Intel(R) HD Graphics 515 (Skylake GT2)"
    pci_vendor_id: int | None  # None where Mesa reports ~0 (software renderers)
    pci_device_id: int | None
    mesa_version: str | None  # "22.3.6"
    accelerated: bool | None
    video_memory_mb: int | None
    unified_memory: bool | None
    max_core_version: str | None  # "4.5"; "0.0" where the driver has no core profile
    max_compat_version: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "vendor": self.vendor,
            "device": self.device,
            "pci_vendor_id": self.pci_vendor_id,
            "pci_device_id": self.pci_device_id,
            "mesa_version": self.mesa_version,
            "accelerated": self.accelerated,
            "video_memory_mb": self.video_memory_mb,
            "unified_memory": self.unified_memory,
            "max_core_version": self.max_core_version,
            "max_compat_version": self.max_compat_version,
        }

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> RendererQuery:
        return cls(
            vendor=_opt_str(d.get("vendor")),
            device=_opt_str(d.get("device")),
            pci_vendor_id=_opt_int(d.get("pci_vendor_id")),
            pci_device_id=_opt_int(d.get("pci_device_id")),
            mesa_version=_opt_str(d.get("mesa_version")),
            accelerated=_opt_bool(d.get("accelerated")),
            video_memory_mb=_opt_int(d.get("video_memory_mb")),
            unified_memory=_opt_bool(d.get("unified_memory")),
            max_core_version=_opt_str(d.get("max_core_version")),
            max_compat_version=_opt_str(d.get("max_compat_version")),
        )


@dataclass(frozen=True, slots=True)
class GlDisplay:
    """One way to reach a GL driver: a GLX screen, an EGL platform display, or one EGL device."""

    api: str  # "glx" | "egl"
    platform: str  # "x11", "wayland", "device", "surfaceless", "gbm", "default"
    name: str  # ":0", "EGL device #1", "surfaceless"
    version: str | None  # GLX version "1.4" / EGL version string "1.5"
    vendor: str | None  # server GLX vendor / EGL vendor ("SGI", "NVIDIA Corporation", "Mesa Project")
    client_vendor: str | None = None  # GLX client vendor ("Mesa Project and SGI")
    client_apis: tuple[str, ...] = ()  # EGL: "OpenGL", "OpenGL_ES"
    driver_name: str | None = None  # EGL_MESA_query_driver: "iris", "radeonsi", "swrast"
    drm_device: str | None = None  # EGL_EXT_device_drm: /dev/dri/card1 (links GL to the DRM card)
    drm_render_node: str | None = None  # EGL_EXT_device_drm_render_node: /dev/dri/renderD128
    device_extensions: tuple[str, ...] = ()  # EGL device extensions (EGL_MESA_device_software, ...)
    extensions: tuple[str, ...] = ()  # EGL display extensions
    direct_rendering: bool | None = None  # GLX only
    renderer_query: RendererQuery | None = None  # GLX_MESA_query_renderer
    contexts: tuple[GlContext, ...] = ()
    error: str | None = None  # why this display gave no (or fewer) contexts

    def context(self, profile: str) -> GlContext | None:
        return next((c for c in self.contexts if c.profile == profile), None)

    @property
    def core(self) -> GlContext | None:
        return self.context(PROFILE_CORE)

    @property
    def compat(self) -> GlContext | None:
        return self.context(PROFILE_COMPAT)

    @property
    def es(self) -> GlContext | None:
        return self.context(PROFILE_ES)

    @property
    def renderer(self) -> str | None:
        return self.contexts[0].renderer if self.contexts else None

    @property
    def vendor_string(self) -> str | None:
        """The GL vendor string (not the GLX/EGL vendor)."""
        return self.contexts[0].vendor if self.contexts else None

    @property
    def mesa_version(self) -> str | None:
        """From the version strings ("18.0.0-rc5"), else from GLX_MESA_query_renderer (numbers only)."""
        from_strings = next((v for c in self.contexts if (v := c.mesa_version)), None)
        return from_strings or (self.renderer_query.mesa_version if self.renderer_query else None)

    @property
    def usable(self) -> bool:
        """It gave a GL context; or, from an eglinfo too old to print GL strings, it initialised."""
        return bool(self.contexts) or (self.error is None and self.version is not None)

    @property
    def is_software(self) -> bool:
        """Rendering on the CPU: a software renderer string, a Mesa software device or driver."""
        if "EGL_MESA_device_software" in self.device_extensions:
            return True
        if self.renderer_query is not None and self.renderer_query.accelerated is False:
            return True
        if self.driver_name in _SOFTWARE_EGL_DRIVERS:
            return True
        return any(c.is_software for c in self.contexts)

    def to_json(self) -> dict[str, Any]:
        return {
            "api": self.api,
            "platform": self.platform,
            "name": self.name,
            "version": self.version,
            "vendor": self.vendor,
            "client_vendor": self.client_vendor,
            "client_apis": list(self.client_apis),
            "driver_name": self.driver_name,
            "drm_device": self.drm_device,
            "drm_render_node": self.drm_render_node,
            "device_extensions": list(self.device_extensions),
            "extensions": list(self.extensions),
            "direct_rendering": self.direct_rendering,
            "renderer_query": self.renderer_query.to_json() if self.renderer_query else None,
            "contexts": [c.to_json() for c in self.contexts],
            "error": self.error,
            "is_software": self.is_software,
        }

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> GlDisplay:
        rq = d.get("renderer_query")
        return cls(
            api=str(d.get("api") or ""),
            platform=str(d.get("platform") or ""),
            name=str(d.get("name") or ""),
            version=_opt_str(d.get("version")),
            vendor=_opt_str(d.get("vendor")),
            client_vendor=_opt_str(d.get("client_vendor")),
            client_apis=_str_tuple(d.get("client_apis")),
            driver_name=_opt_str(d.get("driver_name")),
            drm_device=_opt_str(d.get("drm_device")),
            drm_render_node=_opt_str(d.get("drm_render_node")),
            device_extensions=_str_tuple(d.get("device_extensions")),
            extensions=_str_tuple(d.get("extensions")),
            direct_rendering=_opt_bool(d.get("direct_rendering")),
            renderer_query=RendererQuery.from_json(rq) if isinstance(rq, Mapping) else None,
            contexts=tuple(GlContext.from_json(c) for c in d.get("contexts") or () if isinstance(c, Mapping)),
            error=_opt_str(d.get("error")),
        )


@dataclass(frozen=True, slots=True)
class GlInfo:
    """Every GL display the probe could open, and why the others could not be opened."""

    displays: tuple[GlDisplay, ...]
    problems: tuple[str, ...] = ()  # "GLX: DISPLAY is not set", "EGL: libEGL.so.1 cannot be loaded: ..."
    error: str | None = None  # the probe as a whole was cut short: timeout, crash
    source: str = "live"  # "live" | "glxinfo" | "eglinfo"

    @property
    def available(self) -> bool:
        return any(d.usable for d in self.displays)

    @property
    def unavailable_reason(self) -> str | None:
        """None when some display is usable; else every reason we have, in one line."""
        if self.available:
            return None
        reasons = [r for r in (self.error, *self.problems) if r]
        reasons += [f"{d.api.upper()} {d.name}: {d.error}" for d in self.displays if d.error]
        return "; ".join(reasons) or "no OpenGL display or device was found"

    @property
    def primary(self) -> GlDisplay | None:
        """The display applications get by default: the session's (Wayland EGL, then GLX), else a GPU."""

        def rank(d: GlDisplay) -> int:
            if d.api == "egl" and d.platform == "wayland":
                return 0
            if d.api == "glx":
                return 1
            if d.api == "egl" and d.platform == "x11":
                return 2
            return 3 if not d.is_software else 4

        usable = [d for d in self.displays if d.usable]
        return min(usable, key=rank) if usable else None

    @property
    def is_software(self) -> bool:
        """Applications render on the CPU: on real hardware that is an enablement failure."""
        p = self.primary
        return p is not None and p.is_software

    @property
    def hardware_displays(self) -> tuple[GlDisplay, ...]:
        return tuple(d for d in self.displays if d.usable and not d.is_software)

    def to_json(self) -> dict[str, Any]:
        p = self.primary
        return {
            "source": self.source,
            "available": self.available,
            "unavailable_reason": self.unavailable_reason,
            "is_software": self.is_software,
            "primary": self.displays.index(p) if p is not None else None,
            "displays": [d.to_json() for d in self.displays],
            "problems": list(self.problems),
            "error": self.error,
        }

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> GlInfo:
        return cls(
            displays=tuple(GlDisplay.from_json(x) for x in d.get("displays") or () if isinstance(x, Mapping)),
            problems=_str_tuple(d.get("problems")),
            error=_opt_str(d.get("error")),
            source=str(d.get("source") or "live"),
        )


def read_gl_info(timeout_s: float = 10.0, env: Mapping[str, str] | None = None) -> GlInfo:
    """Ask EGL (every device, and the session's platform) and GLX which GL driver they give.

    The work runs in ``python -m hwinspector.probes.graphics.gl.probe`` so that a driver that hangs or crashes costs
    a reason string, not the application. ``env`` replaces the child's environment (DISPLAY, ...).
    Never raises: when nothing works, ``unavailable_reason`` says why.
    """
    result = run_child("hwinspector.probes.graphics.gl.probe", timeout_s, env)
    displays: list[GlDisplay] = []
    problems: list[str] = []
    for rec in result.records:
        kind = rec.get("kind")
        if kind == "display":
            displays.append(GlDisplay.from_json(rec))
        elif kind == "problem":
            problems.append(str(rec.get("reason")))
    return GlInfo(tuple(displays), tuple(problems), result.failure, "live")


def _probe_all(emit: Callable[[dict[str, Any]], None]) -> None:
    # Imported here: the parent process never loads a GL library.
    from hwinspector.probes.graphics.gl import egl as gl_egl
    from hwinspector.probes.graphics.gl import glx as gl_glx

    gl_egl.probe(emit)
    gl_glx.probe(emit)


def _opt_str(v: object) -> str | None:
    return None if v is None else str(v)


def _opt_int(v: object) -> int | None:
    return v if isinstance(v, int) and not isinstance(v, bool) else None


def _opt_bool(v: object) -> bool | None:
    return v if isinstance(v, bool) else None


def _str_tuple(v: object) -> tuple[str, ...]:
    return tuple(str(x) for x in v) if isinstance(v, list | tuple) else ()


if __name__ == "__main__":
    child_main(_probe_all)
