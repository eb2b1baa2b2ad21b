"""The boxes of the graphics chain: what each says, where it sits, what it leads to, its detail; and as text."""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

from hwinspector.i18n import N_, _
from hwinspector.models.graphics_detail import (
    Section,
    card_sections,
    connector_sections,
    firmware_summary,
    gl_lines,
    gl_sections,
    gpu_sections,
    mode_text,
    monitor_lines,
    monitor_sections,
    monitor_title,
    session_sections,
    session_title,
    vulkan_sections,
)
from hwinspector.probes.graphics.drm import Connector, DrmCard, Gpu, GraphicsChain, GraphicsProblem
from hwinspector.probes.graphics.gl.probe import GlDisplay, GlInfo
from hwinspector.probes.graphics.session import Session
from hwinspector.probes.graphics.stack import GraphicsStack
from hwinspector.probes.graphics.vulkan.probe import VulkanDevice, VulkanInfo

COL_DEVICE, COL_DRIVER, COL_DRM, COL_OUTPUT, COL_END = range(5)
COLUMNS = (
    N_("Device"),
    N_("Kernel driver"),
    N_("DRM device"),
    N_("Connectors, userspace drivers"),
    N_("Monitors, session"),
)
SESSION_KEY = "session"
DEFAULT_GL = N_("default for applications")
RANK = {"error": 3, "warning": 2, "info": 1}


@dataclass(frozen=True, slots=True)
class ChainElement:
    """One box of the chain."""

    key: str
    kind: str  # "gpu" "driver" "drm" "connector" "monitor" "opengl" "vulkan" "session" "cpu" "none"
    caption: str
    title: str
    lines: tuple[str, ...]
    column: int
    row: int
    links: tuple[str, ...] = ()
    problems: tuple[GraphicsProblem, ...] = ()
    active: bool = True
    sections: tuple[Section, ...] = ()
    devpath: str | None = None
    quiet_status: str = "ok"  # the status when no problem is attached: "ok", "info" or "na"

    @property
    def status(self) -> str:
        worst = max((p.severity for p in self.problems), key=lambda s: RANK.get(s, 0), default=None)
        return worst if worst in ("error", "warning") else self.quiet_status

    def search_text(self) -> str:
        rows = (f"{k} {v}" for _unused, section in self.sections for k, v in section)
        return " ".join([self.caption, self.title, *self.lines, *(p.detail for p in self.problems), *rows]).lower()

    def linked(self, keys: list[str]) -> ChainElement:
        new = tuple(k for k in keys if k not in self.links and k != self.key)
        return replace(self, links=(*self.links, *new)) if new else self

    def with_problems(self, problems: list[GraphicsProblem]) -> ChainElement:
        return replace(self, problems=tuple(problems)) if problems else self


@dataclass(frozen=True, slots=True)
class Lane:
    key: str
    title: str
    subtitle: str
    elements: tuple[ChainElement, ...]

    @property
    def status(self) -> str:
        worst = max((e.status for e in self.elements), key=lambda s: RANK.get(s, 0), default="ok")
        if worst in ("error", "warning"):
            return worst
        return self.elements[0].status if self.elements and self.elements[0].status in ("info", "na") else "ok"


@dataclass(frozen=True, slots=True)
class Issue:
    severity: str  # "error" | "warning" | "info"
    text: str
    key: str | None  # the element it belongs to


@dataclass(frozen=True, slots=True)
class ChainPicture:
    lanes: tuple[Lane, ...]
    issues: tuple[Issue, ...]
    summary: str = ""

    def element(self, key: str) -> ChainElement | None:
        return next((e for lane in self.lanes for e in lane.elements if e.key == key), None)

    def elements(self) -> list[ChainElement]:
        return [e for lane in self.lanes for e in lane.elements]


# --- one function per kind of box -----------------------------------------------------------------------


def gpu_element(g: Gpu) -> ChainElement:
    caption = (
        _("PCI device") if g.bus == "pci" else (_("Firmware framebuffer") if g.firmware_framebuffer else _("Device"))
    )
    ids = f"[{g.vendor_id:04x}:{g.device_id:04x}] " if g.vendor_id is not None and g.device_id is not None else ""
    lines = [g.vendor or "", f"{ids}{g.address}"]
    if g.runtime_status == "suspended":
        lines.append(_("runtime-suspended (asleep)"))
    return ChainElement(
        f"gpu:{g.devpath}", "gpu", caption, g.model or g.name, tuple(x for x in lines if x), COL_DEVICE, 0,
        links=(f"driver:{g.devpath}",), sections=gpu_sections(g), devpath=g.devpath,
    )  # fmt: skip


def driver_element(g: Gpu, card_keys: list[str]) -> ChainElement:
    lines = [f"module {g.module}" if g.module else ""]
    if g.firmware:
        lines.append(firmware_summary(g.firmware))
    return ChainElement(
        f"driver:{g.devpath}", "driver", _("Kernel driver"), g.driver or _("No driver"), tuple(x for x in lines if x),
        COL_DRIVER, 0, links=tuple(card_keys), sections=gpu_sections(g, driver=True), devpath=g.devpath,
        quiet_status="ok" if g.driver or g.firmware_framebuffer else "error",
    )  # fmt: skip


def card_element(card: DrmCard, row: int, conn_keys: list[str]) -> ChainElement:
    render = (
        _("render node {render_node}").format(render_node=card.render_node)
        if card.render_node
        else _("no render node: display only")
    )
    return ChainElement(
        f"drm:{card.devpath}", "drm", _("DRM device"), card.name, (card.devnode, render), COL_DRM, row,
        links=tuple(conn_keys), sections=card_sections(card), devpath=card.devpath,
    )  # fmt: skip


def no_card_element(g: Gpu) -> ChainElement:
    note = next((n for n in g.notes if "DRM" in n), None)
    why = note or (_("no driver, so no DRM device") if g.driver is None else _("the driver registered no DRM device"))
    return ChainElement(
        f"nodrm:{g.devpath}", "drm", _("DRM device"), _("No DRM device"), (why,), COL_DRM, 0,
        sections=((_("DRM device"), ((_("Why none"), why),)),), devpath=g.devpath, quiet_status="na",
    )  # fmt: skip


def connector_elements(c: Connector, row: int) -> list[ChainElement]:
    """The connector, and the monitor its EDID describes (on the same row)."""
    if c.status is None:
        state = _("status not recorded")
    elif c.status == "connected":
        enabled = {True: "enabled", False: "disabled", None: ""}[c.enabled]
        state = " · ".join(x for x in ("connected", enabled, f"DPMS {c.dpms}" if c.dpms else "") if x)
    else:
        state = c.status
    lines = [state]
    if c.current_mode is not None:
        lines.append(f"{mode_text(c.current_mode)} (current)")
    if c.modes:
        lines.append(
            _("{n} modes, first {modes}").format(n=len(c.modes), modes=c.modes[0])
            if len(c.modes) > 1
            else f"mode {c.modes[0]}"
        )
    mon_key = f"mon:{c.devpath}"
    active = c.status != "disconnected"
    out = [
        ChainElement(
            f"conn:{c.devpath}", "connector", _("Connector"), c.name.removeprefix(f"{c.card}-"), tuple(lines),
            COL_OUTPUT, row, links=(mon_key,) if c.edid is not None else (), active=active,
            sections=connector_sections(c), devpath=c.devpath,
        )
    ]  # fmt: skip
    if c.edid is not None:
        title = monitor_title(c.edid)
        out.append(
            ChainElement(
                mon_key, "monitor", _("Monitor"), title, monitor_lines(c.edid), COL_END, row, active=active,
                sections=monitor_sections(c), devpath=c.devpath,
            )
        )  # fmt: skip
    return out


def gl_element(key: str, gl: GlInfo, displays: list[GlDisplay], primary: GlDisplay | None, row: int) -> ChainElement:
    shown = next((d for d in displays if d is primary), None) or (displays[0] if displays else None)
    if shown is None:
        enumerated = any(d.api == "egl" and d.platform == "device" for d in gl.displays)
        why = _("EGL lists no device for this GPU") if enumerated else _("no OpenGL display names this GPU")
        why = why if gl.available else (gl.unavailable_reason or "")
        return ChainElement(
            key, "opengl", "OpenGL", _("No OpenGL driver"), (why,), COL_OUTPUT, row, sections=gl_sections(gl, []),
            quiet_status="na",
        )  # fmt: skip
    lines = gl_lines(shown)
    if shown is primary:
        lines.append(_(DEFAULT_GL))
    return ChainElement(
        key, "opengl",
        _("OpenGL · {upper}").format(upper=shown.api.upper()) + (_(" · software") if shown.is_software else ""),
        shown.renderer or shown.driver_name or shown.name,
        tuple(lines), COL_OUTPUT, row, sections=gl_sections(gl, [shown, *(d for d in displays if d is not shown)]),
        quiet_status="info" if shown.is_software else "ok",
    )  # fmt: skip


def vulkan_element(key: str, vk: VulkanInfo, devices: list[VulkanDevice], row: int) -> ChainElement:
    if not devices:
        why = _("no Vulkan driver for this GPU") if vk.available else (vk.unavailable_reason or "")
        return ChainElement(
            key, "vulkan", _("Vulkan"), _("No Vulkan device"), (why,), COL_OUTPUT, row,
            sections=vulkan_sections(vk, []), quiet_status="na",
        )  # fmt: skip
    d = devices[0]
    lines = [
        _("Vulkan {api_version} · {driver_name}").format(
            api_version=d.api_version, driver_name=d.driver_name or d.driver_id_name or d.device_type
        )
    ]
    if d.driver_info:
        lines.append(d.driver_info)
    if len(devices) > 1:
        lines.append(_("and {n} more").format(n=len(devices) - 1))
    return ChainElement(
        key, "vulkan", _("Vulkan · software") if d.is_software else _("Vulkan"), d.device_name, tuple(lines),
        COL_OUTPUT, row,
        sections=vulkan_sections(vk, devices),
        quiet_status="info" if d.is_software else "ok",
    )  # fmt: skip


def session_element(
    s: Session, chain: GraphicsChain | None, primary: GlDisplay | None, row: int, column: int = COL_END
) -> ChainElement:
    default = chain.gpu(chain.default_gpu) if chain else None
    lines = [x for x in (_("Xwayland running") if s.xwayland else "", ", ".join(s.desktop)) if x]
    if s.x_server is not None and s.x_server.name != "Xwayland":
        lines.append(_("X server {name}").format(name=s.x_server.name))
    if s.type == "none" and s.notes:
        lines.append(s.notes[0])
    if default is not None:
        lines.append(_("default GPU {address} ({driver})").format(address=default.address, driver=default.driver))
    return ChainElement(
        SESSION_KEY, "session", _("Session"), session_title(s), tuple(lines), column, row,
        sections=session_sections(s, chain, primary), quiet_status="ok" if s.type in ("wayland", "x11") else "info",
    )  # fmt: skip


def head_element(key: str, kind: str, caption: str, title: str, rows: tuple[tuple[str, str], ...]) -> ChainElement:
    """The first box of a lane that has no GPU: the processor (software rendering), or "no DRM device"."""
    return ChainElement(
        key, kind, caption, title, tuple(v for _unused, v in rows), COL_DEVICE, 0, sections=((_("Details"), rows),),
        quiet_status="info" if kind == "none" else "ok",
    )  # fmt: skip


# --- as text -----------------------------------------------------------------------------------------------

_TEXT_ORDER = {"none": 0, "cpu": 0, "gpu": 0, "driver": 1, "drm": 2, "connector": 3, "opengl": 5, "vulkan": 6}
MARKS = {"error": "✖", "warning": "⚠", "info": "i"}


def issue_lines(pic: ChainPicture) -> list[str]:
    """A chain's problems, then its notes, as text lines for a bug report."""
    problems = [i for i in pic.issues if i.severity != "info"]
    notes = [i for i in pic.issues if i.severity == "info"]
    out: list[str] = []
    if problems:
        out += ["", _("Problems:"), *(f"  {MARKS.get(i.severity, '!')} {i.text}" for i in problems)]
    if notes:
        out += ["", _("Notes:"), *(f"  {MARKS['info']} {i.text}" for i in notes)]
    return out


def lane_lines(pic: ChainPicture) -> list[str]:
    """Each lane box by box with the problems of each box (the audio, camera, USB-C and wireless chains)."""
    out: list[str] = []
    for lane in pic.lanes:
        out += ["", lane.title + (f" — {lane.subtitle}" if lane.subtitle else "")]
        for e in sorted(lane.elements, key=lambda e: (e.column, e.row)):
            lines = " · ".join(e.lines)
            out.append(f"  {e.caption}: {e.title}" + (f" — {lines}" if lines else ""))
            out += [f"      {MARKS.get(p.severity, '!')} {p.detail}" for p in e.problems]
    return out


def picture_text(stack: GraphicsStack, pic: ChainPicture) -> str:
    """The whole chain as plain text for a bug report (no serial numbers: they identify the monitor)."""
    when = time.strftime("%Y-%m-%d %H:%M", time.localtime(stack.taken_at)) if stack.taken_at else ""
    out = [
        _("Graphics chain of {source_label}").format(source_label=stack.source_label) + (f" ({when})" if when else ""),
        pic.summary,
    ]
    out += issue_lines(pic)
    for lane in pic.lanes:
        out += ["", f"{lane.title}" + (f" — {lane.subtitle}" if lane.subtitle else "")]
        by_key = {e.key: e for e in lane.elements}
        for e in sorted(lane.elements, key=lambda e: (_TEXT_ORDER.get(e.kind, 9), e.row)):
            if e.kind == "monitor":
                continue  # under its connector
            out.extend(_element_text(e, "  "))
            for k in e.links if e.kind == "connector" else ():
                if k in by_key:
                    out.extend(_element_text(by_key[k], "      └ "))
    return "\n".join(out).rstrip() + "\n"


def _element_text(e: ChainElement, indent: str) -> list[str]:
    lines = " · ".join(e.lines)
    out = [f"{indent}{e.caption}: {e.title}" + (f" — {lines}" if lines else "")]
    pad = " " * (len(indent) + 4)
    out += [f"{pad}{MARKS.get(p.severity, '!')} {p.detail}" for p in e.problems]
    return out
