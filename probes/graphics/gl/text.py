"""Captured glxinfo and eglinfo output (foreign dumps, bundles) read into the same GlInfo as the live probe."""

from __future__ import annotations

import re
from typing import Any

from hwinspector.probes.errors import InputFormatError
from hwinspector.probes.graphics.gl.probe import (
    PROFILE_COMPAT,
    PROFILE_CORE,
    PROFILE_ES,
    GlContext,
    GlDisplay,
    GlInfo,
    RendererQuery,
)

# glxinfo's context lines: "OpenGL core profile version string: ..." and their compat/ES twins.
_GLX_CONTEXT_KEYS = {
    "OpenGL core profile version string": (PROFILE_CORE, "version"),
    "OpenGL core profile shading language version string": (PROFILE_CORE, "shading_language_version"),
    "OpenGL version string": (PROFILE_COMPAT, "version"),
    "OpenGL shading language version string": (PROFILE_COMPAT, "shading_language_version"),
    "OpenGL ES profile version string": (PROFILE_ES, "version"),
    "OpenGL ES profile shading language version string": (PROFILE_ES, "shading_language_version"),
}
_GLX_DISPLAY_KEYS = {
    "name of display": "name",
    "GLX version": "version",
    "server glx vendor string": "vendor",
    "client glx vendor string": "client_vendor",
}
_PCI_SUFFIX_RE = re.compile(r"^(.*?)\s*\((0x[0-9a-fA-F]+)\)$")
_ERROR_RE = re.compile(r"^(?:Error|glxinfo): .*$|^X Error of failed request: .*$")


def parse_glxinfo(text: str, source: str = "glxinfo") -> GlInfo:
    """``glxinfo`` or ``glxinfo -B`` output -> GlInfo with one GLX display.

    A capture of glxinfo failing ("Error: unable to open display") gives a GlInfo whose problem is
    that message; empty or foreign text raises InputFormatError.
    """
    disp: dict[str, Any] = {}
    gl: dict[str, str] = {}
    profiles: dict[str, dict[str, str]] = {}
    rq: dict[str, Any] | None = None
    problems: list[str] = []
    for raw in text.splitlines():
        line = raw.rstrip()
        key, sep, value = line.partition(": ")
        if not sep:
            if line.startswith("Extended renderer info"):
                rq = {}
            continue
        value = value.strip()
        if rq is not None and raw.startswith((" ", "\t")):
            _renderer_line(rq, key.strip(), value)
            continue
        if key in _GLX_DISPLAY_KEYS:
            disp[_GLX_DISPLAY_KEYS[key]] = value
        elif key == "direct rendering":
            disp["direct_rendering"] = value.lower().startswith("yes")
        elif key in ("OpenGL vendor string", "OpenGL renderer string"):
            gl[key.split()[1]] = value
        elif key in _GLX_CONTEXT_KEYS:
            profile, field = _GLX_CONTEXT_KEYS[key]
            profiles.setdefault(profile, {})[field] = value
        elif _ERROR_RE.match(line):
            problems.append(f"glxinfo: {line}")
    if not gl and not profiles:
        if problems:
            return GlInfo((), tuple(problems), None, "glxinfo")
        raise InputFormatError(source, "not glxinfo output (no 'OpenGL renderer string' line)")
    # glxinfo prints the vendor and renderer once, for every context it made.
    contexts = tuple(
        GlContext(
            profile=p,
            vendor=gl.get("vendor", ""),
            renderer=gl.get("renderer", ""),
            version=profiles[p].get("version", ""),
            shading_language_version=profiles[p].get("shading_language_version"),
        )
        for p in (PROFILE_CORE, PROFILE_COMPAT, PROFILE_ES)
        if p in profiles and "version" in profiles[p]
    )
    display = GlDisplay(
        api="glx",
        platform="x11",
        name=disp.get("name", ""),
        version=disp.get("version"),
        vendor=disp.get("vendor"),
        client_vendor=disp.get("client_vendor"),
        direct_rendering=disp.get("direct_rendering"),
        renderer_query=_renderer_query(rq) if rq else None,
        contexts=contexts,
    )
    return GlInfo((display,), tuple(problems), None, "glxinfo")


def _renderer_line(rq: dict[str, Any], key: str, value: str) -> None:
    if key in ("Vendor", "Device"):
        m = _PCI_SUFFIX_RE.match(value)
        name, pci = (m.group(1), int(m.group(2), 16)) if m else (value, None)
        rq[key.lower()] = name
        # Mesa reports ~0 for renderers that are not PCI devices (llvmpipe).
        rq[f"pci_{key.lower()}_id"] = pci if pci != 0xFFFFFFFF else None
    elif key == "Version":
        rq["mesa_version"] = value
    elif key == "Accelerated":
        rq["accelerated"] = value == "yes"
    elif key == "Unified memory":
        rq["unified_memory"] = value == "yes"
    elif key == "Video memory":
        digits = value.removesuffix("MB")
        rq["video_memory_mb"] = int(digits) if digits.isdigit() else None
    elif key == "Max core profile version":
        rq["max_core_version"] = value
    elif key == "Max compat profile version":
        rq["max_compat_version"] = value


def _renderer_query(rq: dict[str, Any]) -> RendererQuery:
    return RendererQuery.from_json(rq)


# eglinfo (mesa-demos 8.x and 9.x, with or without -B): "<Name> platform:" starts a display; the
# device platform lists "Device #N:" then "Platform Device:" (8.x) or "Platform Device platform:" (9.x).
_PLATFORM_RE = re.compile(r"^(\w+) platform:$")
_EGL_CONTEXT_RE = re.compile(
    r"^(OpenGL core profile|OpenGL compatibility profile|OpenGL ES profile) "
    r"(vendor|renderer|version|shading language version): ?(.*)$"
)
_EGL_PROFILES = {
    "OpenGL core profile": PROFILE_CORE,
    "OpenGL compatibility profile": PROFILE_COMPAT,
    "OpenGL ES profile": PROFILE_ES,
}


def parse_eglinfo(text: str, source: str = "eglinfo") -> GlInfo:
    """``eglinfo`` or ``eglinfo -B`` output -> GlInfo with one display per platform and device.

    mesa-demos before 9.0 print no GL strings; those displays carry EGL facts and no contexts.
    """
    displays: list[dict[str, Any]] = []
    cur: dict[str, Any] | None = None
    device_index: int | None = None
    device_exts: list[str] = []
    collecting: list[str] | None = None  # the extension list that indented lines continue
    for raw in text.splitlines():
        line = raw.rstrip()
        if raw.startswith((" ", "\t")):
            if collecting is not None:
                collecting.extend(line.split())
            continue
        collecting = None
        if line in ("Platform Device:", "Platform Device platform:", "Default display:"):
            cur = _new_egl_display("default" if line.startswith("Default") else "Device", device_index, device_exts)
            displays.append(cur)
        elif m := _PLATFORM_RE.match(line):
            if m.group(1) == "Device":
                continue  # "Device platform:" only announces the devices that follow
            cur = _new_egl_display(m.group(1), device_index, device_exts)
            displays.append(cur)
        elif m := re.match(r"^Device #(\d+):$", line):
            device_index, device_exts = int(m.group(1)), []
        elif line == "EGL device extensions string:":
            collecting = device_exts
        elif cur is None:
            continue
        elif line.startswith("eglinfo: "):
            cur["error"] = line.removeprefix("eglinfo: ")
        elif line == "EGL extensions string:":
            collecting = cur["extensions"]
        elif m := _EGL_CONTEXT_RE.match(line):
            ctx = cur["contexts"].setdefault(_EGL_PROFILES[m.group(1)], {})
            ctx[m.group(2).replace(" ", "_")] = m.group(3).strip()
        else:
            key, sep, value = line.partition(": ")
            field = {
                "EGL vendor string": "vendor",
                "EGL version string": "version",
                "EGL driver name": "driver_name",
            }.get(key)
            if sep and field:
                cur[field] = value.strip()
            elif sep and key == "EGL client APIs":
                cur["client_apis"] = value.split()
    if not displays:
        raise InputFormatError(source, "not eglinfo output (no '<name> platform:' or 'Default display:' section)")
    return GlInfo(tuple(_egl_display(d) for d in displays), (), None, "eglinfo")


def _new_egl_display(name: str, device_index: int | None, device_exts: list[str]) -> dict[str, Any]:
    platform = name.lower()
    d: dict[str, Any] = {"platform": platform, "name": platform, "extensions": [], "contexts": {}}
    if platform == "device":
        d["name"] = f"EGL device #{device_index if device_index is not None else 0}"
        d["device_extensions"] = list(device_exts)
    return d


def _egl_display(d: dict[str, Any]) -> GlDisplay:
    contexts = tuple(
        GlContext(
            profile=p,
            vendor=c.get("vendor", ""),
            renderer=c.get("renderer", ""),
            version=c.get("version", ""),
            shading_language_version=c.get("shading_language_version"),
        )
        for p, c in d["contexts"].items()
    )
    return GlDisplay(
        api="egl",
        platform=d["platform"],
        name=d["name"],
        version=d.get("version"),
        vendor=d.get("vendor"),
        client_apis=tuple(d.get("client_apis", ())),
        driver_name=d.get("driver_name"),
        device_extensions=tuple(d.get("device_extensions", ())),
        extensions=tuple(d["extensions"]),
        contexts=contexts,
        error=d.get("error"),
    )
