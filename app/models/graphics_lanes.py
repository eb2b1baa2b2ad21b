"""The graphics stack laid out as lanes: one per GPU, then software rendering; problems on their elements."""

from __future__ import annotations

from dataclasses import dataclass, field

from hwinspector.i18n import _, localize, ngettext
from hwinspector.models.graphics_detail import session_title
from hwinspector.models.graphics_elements import (
    COL_END,
    COL_OUTPUT,
    RANK,
    SESSION_KEY,
    ChainElement,
    ChainPicture,
    Issue,
    Lane,
    card_element,
    connector_elements,
    driver_element,
    gl_element,
    gpu_element,
    head_element,
    no_card_element,
    picture_text,
    session_element,
    vulkan_element,
)
from hwinspector.probes.graphics.drm import Gpu, GraphicsProblem
from hwinspector.probes.graphics.gl.probe import GlDisplay
from hwinspector.probes.graphics.stack import GraphicsStack, gl_displays_for, renderers, vulkan_devices_for
from hwinspector.probes.graphics.vulkan.probe import VulkanDevice

SOFTWARE_LANE, NO_GPU_LANE = "lane:software", "lane:no-gpu"


@dataclass(slots=True)
class _Draft:
    key: str
    title: str
    subtitle: str
    elements: list[ChainElement] = field(default_factory=list)
    user_row: int = 0  # where the OpenGL and Vulkan boxes start (below the connectors)
    feeders: list[str] = field(default_factory=list)  # the boxes that lead to OpenGL and Vulkan

    def link(self, sources: list[str], targets: list[str]) -> None:
        self.elements[:] = [e.linked(targets) if e.key in sources else e for e in self.elements]


class _Builder:
    def __init__(self, stack: GraphicsStack) -> None:
        self.stack = stack
        self.chain = stack.chain
        self.gpus = self.chain.gpus if self.chain else ()
        self.real = {g.devpath for g in renderers(self.chain)}
        self.problems: dict[str, list[GraphicsProblem]] = {}
        self.unplaced: list[GraphicsProblem] = []
        gl = stack.gl
        self.primary = gl.primary if gl else None
        self.gl_of = {g.devpath: gl_displays_for(gl, g) for g in self.gpus}
        self.vk_of = {g.devpath: vulkan_devices_for(stack.vulkan, g) for g in self.gpus}
        placed = {id(d) for ds in self.gl_of.values() for d in ds}
        # A session display (Wayland, GLX) that names no DRM node renders on the default GPU.
        home = (self.chain.default_gpu if self.chain else None) or next(iter(sorted(self.real)), None)
        if gl is not None and home in self.gl_of:
            loose = [d for d in gl.displays if d.usable and not d.is_software and id(d) not in placed]
            self.gl_of[home] = [*self.gl_of[home], *loose]
        self.sw_gl = [d for d in gl.displays if d.usable and d.is_software] if gl else []
        self.sw_vk = [d for d in stack.vulkan.devices if d.is_software] if stack.vulkan else []
        self.session_lane = self._session_lane()
        self.primary_key = ""  # the OpenGL box showing the display applications get

    def _session_lane(self) -> str | None:
        """The session sits at the end of the lane that renders it: where the default GL display is."""
        if self.stack.session is None:
            return None
        if self.chain is None:
            return NO_GPU_LANE
        p = self.primary
        if p is not None and p.is_software:
            return SOFTWARE_LANE
        if p is not None:
            for g in self.gpus:
                if any(d is p for d in self.gl_of[g.devpath]):
                    return f"lane:{g.devpath}"
        default = self.chain.default_gpu or (self.gpus[0].devpath if self.gpus else None)
        return f"lane:{default}" if default else (SOFTWARE_LANE if self.sw_gl or self.sw_vk else None)

    # --- lanes ---------------------------------------------------------------------------------------------

    def _gpu_lane(self, g: Gpu) -> _Draft:
        chain = self.chain
        assert chain is not None
        flags = [g.address]
        if chain.default_gpu == g.devpath:
            flags.append(_("renders by default"))
        if g.boot_vga:
            flags.append(_("boot VGA"))
        lane = _Draft(f"lane:{g.devpath}", g.name, " · ".join(flags))
        card_keys = [f"drm:{c.devpath}" for c in g.cards] or [f"nodrm:{g.devpath}"]
        lane.elements += [gpu_element(g), driver_element(g, card_keys)]
        conns = [c for c in chain.connectors if c.gpu == g.devpath]
        row = card_next = 0
        render_card: str | None = None
        for card in g.cards:
            card_row = row = max(card_next, row)
            # connected outputs first: they are what the chain is read for
            mine = sorted((c for c in conns if c.card == card.name), key=lambda c: c.status == "disconnected")
            for c in mine:
                lane.elements += connector_elements(c, row)
                row += 1
            card_next = card_row + 1
            lane.elements.append(card_element(card, card_row, [f"conn:{c.devpath}" for c in mine]))
            if render_card is None and (card.render_node or card is g.cards[-1]):
                render_card = f"drm:{card.devpath}"
        if not g.cards:
            lane.elements.append(no_card_element(g))
            render_card = card_keys[0]
        lane.user_row = row
        lane.feeders = [render_card] if render_card else []
        self._userspace(lane, g)
        return lane

    def _head_lane(self, key: str, title: str, subtitle: str, head: ChainElement) -> _Draft:
        lane = _Draft(key, title, subtitle, [head], feeders=[head.key])
        self._userspace(lane, None)
        return lane

    def _userspace(self, lane: _Draft, g: Gpu | None) -> None:
        stack = self.stack
        row = lane.user_row
        base = g.devpath if g else lane.key
        made: list[str] = []
        displays: list[GlDisplay] = self.gl_of.get(g.devpath, []) if g else self.sw_gl
        devices: list[VulkanDevice] = self.vk_of.get(g.devpath, []) if g else self.sw_vk
        should = g is not None and g.devpath in self.real
        if stack.gl is not None and (displays or should):
            e = gl_element(f"gl:{base}", stack.gl, displays, self.primary, row)
            if self.primary is not None and any(d is self.primary for d in displays):
                self.primary_key = e.key
            lane.elements.append(e)
            made.append(e.key)
        if stack.vulkan is not None and (devices or should):
            lane.elements.append(vulkan_element(f"vk:{base}", stack.vulkan, devices, row + len(made)))
            made.append(f"vk:{base}")
        lane.link(lane.feeders, made)
        if self.session_lane == lane.key and stack.session is not None:
            lane.link(made or lane.feeders, [SESSION_KEY])
            # straight after the DRM device when no OpenGL or Vulkan box stands between them
            column = COL_END if made else COL_OUTPUT
            lane.elements.append(session_element(stack.session, self.chain, self.primary, row, column))

    # --- problems onto elements ------------------------------------------------------------------------

    def _place_problems(self, elements: dict[str, ChainElement]) -> None:
        chain = self.chain
        for g in self.gpus:
            for p in g.problems:
                self._put(f"driver:{g.devpath}" if "driver" in p.detail else f"gpu:{g.devpath}", p, elements)
        for c in chain.connectors if chain else ():
            for p in c.problems:
                # EDID errors belong to the monitor that sent it
                edid = "EDID" in p.detail and f"mon:{c.devpath}" in elements
                self._put(f"mon:{c.devpath}" if edid else f"conn:{c.devpath}", p, elements)
        fb = next((g for g in self.gpus if g.firmware_framebuffer), None) or next(iter(self.gpus), None)
        for p in chain.problems if chain else ():
            self._put(f"gpu:{fb.devpath}" if fb else "", p, elements)
        for p in self.stack.problems:
            key = ""
            if p.subject == "opengl":
                key = self.primary_key
            elif p.subject.startswith("opengl:"):
                owner = next((g for g in self.gpus if g.address == p.subject[7:]), None)
                key = f"gl:{owner.devpath}" if owner else ""
            elif p.subject == "vulkan":
                key = next((k for k in (f"vk:{SOFTWARE_LANE}", f"vk:{NO_GPU_LANE}") if k in elements), "")
            self._put(key, p, elements)

    def _put(self, key: str, p: GraphicsProblem, elements: dict[str, ChainElement]) -> None:
        if key in elements:
            self.problems.setdefault(key, []).append(p)
        else:
            self.unplaced.append(p)

    # --- the picture -------------------------------------------------------------------------------------

    def build(self) -> ChainPicture:
        stack, chain = self.stack, self.chain
        drafts = [self._gpu_lane(g) for g in self.gpus]
        if chain is None:
            why = stack.chain_unavailable or _("no DRM device")
            head = head_element(
                f"head:{NO_GPU_LANE}", "none", _("Graphics device"), _("No DRM device"), ((_("Why"), why),)
            )
            drafts.append(self._head_lane(NO_GPU_LANE, _("No GPU"), _("no DRM device"), head))
        elif self.sw_gl or self.sw_vk or self.session_lane == SOFTWARE_LANE:
            lines = ((_("Renderers"), _("llvmpipe, lavapipe, softpipe")), ("GPU", _("none involved: the CPU draws")))
            head = head_element(f"head:{SOFTWARE_LANE}", "cpu", _("Processor"), _("CPU (software)"), lines)
            drafts.append(
                self._head_lane(SOFTWARE_LANE, _("Software rendering"), _("Mesa's rasterisers on the CPU"), head)
            )
        elements = {e.key: e for d in drafts for e in d.elements}
        self._place_problems(elements)
        lanes = tuple(
            Lane(d.key, d.title, d.subtitle, tuple(e.with_problems(self.problems.get(e.key, [])) for e in d.elements))
            for d in drafts
        )
        return ChainPicture(lanes, self._issues(lanes), self._summary())

    def _issues(self, lanes: tuple[Lane, ...]) -> tuple[Issue, ...]:
        found = [(p, e.key) for lane in lanes for e in lane.elements for p in e.problems]
        issues = [Issue(p.severity, _issue_text(p), key) for p, key in found]
        issues += [Issue(p.severity, _issue_text(p), None) for p in self.unplaced]
        issues.sort(key=lambda i: -RANK.get(i.severity, 0))
        notes = [*(self.chain.notes if self.chain else ()), *self.stack.notes]
        if self.chain is None and self.stack.chain_unavailable:
            notes.insert(0, self.stack.chain_unavailable)
        issues += [Issue("info", localize(n), None) for n in notes]
        return tuple(issues)

    def _summary(self) -> str:
        stack, chain = self.stack, self.chain
        real = [g for g in self.gpus if not g.firmware_framebuffer]
        parts = [ngettext("{n} GPU", "{n} GPUs", len(real)).format(n=len(real)) if real else _("No GPU")]
        if chain is not None and chain.connectors and all(c.status is None for c in chain.connectors):
            n = len(chain.connectors)  # a udevadm dump names the connectors, but not what is plugged in
            parts.append(ngettext("{n} connector", "{n} connectors", n).format(n=n))
        elif chain is not None:
            monitors = sum(1 for c in chain.connectors if c.edid is not None and c.status != "disconnected")
            parts.append(ngettext("{n} monitor", "{n} monitors", monitors).format(n=monitors))
        if self.primary is not None:
            soft = " (software)" if self.primary.is_software else ""
            parts.append(
                _("OpenGL: {renderer}{soft}").format(renderer=self.primary.renderer or self.primary.name, soft=soft)
            )
        if stack.session is not None:
            parts.append(session_title(stack.session))
        if not stack.is_live:
            parts.append(f"from {stack.source_label}")
        return " · ".join(parts)


def _issue_text(p: GraphicsProblem) -> str:
    named = p.subject in p.detail or p.subject in ("graphics", "opengl", "vulkan") or p.subject.startswith("opengl:")
    return localize(p.detail) if named else f"{p.subject}: {localize(p.detail)}"


def build_picture(stack: GraphicsStack) -> ChainPicture:
    """Lanes (one per GPU, then software rendering) of linked elements, and the issues list of the page."""
    return _Builder(stack).build()


def chain_text(stack: GraphicsStack, picture: ChainPicture | None = None) -> str:
    """The whole chain as plain text for a bug report (no serial numbers: they identify the monitor)."""
    return picture_text(stack, picture or build_picture(stack))
