"""The graphics stack as one piece (DRM chain, session, OpenGL, Vulkan) and its problems, read from any source."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hwinspector.i18n import N_
from hwinspector.probes.devices.hotplug import umockdev_active
from hwinspector.probes.devices.tree import Device
from hwinspector.probes.errors import ProbeUnavailable
from hwinspector.probes.graphics.drm import Gpu, GraphicsChain, GraphicsProblem, graphics_from_devices, read_graphics
from hwinspector.probes.graphics.edid.base import jsonable
from hwinspector.probes.graphics.gl.probe import GlDisplay, GlInfo, read_gl_info
from hwinspector.probes.graphics.session import Session, read_session
from hwinspector.probes.graphics.vulkan.probe import VulkanDevice, VulkanInfo, read_vulkan_info

# Display adapters of virtual machines: without virgl/venus (virtio-gpu 3D) they have no GPU to render
# on, so software rendering is what they are meant to give, not an enablement failure.
VIRTUAL_DISPLAY_DRIVERS = frozenset({
    "virtio_gpu", "virtio-gpu", "cirrus", "cirrus-qemu", "bochs-drm", "bochs", "qxl", "hyperv_drm", "hyperv_fb",
    "vboxvideo", "vkms",
})  # fmt: skip
# USB display adapters scan out what another GPU renders; they never render themselves.
DISPLAY_ONLY_DRIVERS = frozenset({"udl", "gm12u320", "gud", "evdi", "appletbdrm"})
PROBE_TIMEOUT_S = 10.0
_RENDER_MINOR = re.compile(r"renderD(\d+)$")
_CARD_MINOR = re.compile(r"card(\d+)$")


@dataclass(frozen=True, slots=True)
class GraphicsStack:
    """Everything the Graphics page and ``hwinspector graphics`` show, from one source at one moment."""

    source: str  # "live" | "udevadm" | "umockdev"
    source_label: str
    chain: GraphicsChain | None
    chain_unavailable: str | None  # why there is no chain (no DRM device and no display-class PCI device)
    session: Session | None  # None: not part of the source (a dump)
    gl: GlInfo | None
    vulkan: VulkanInfo | None
    problems: tuple[GraphicsProblem, ...] = ()  # what only the whole stack shows (software rendering, …)
    notes: tuple[str, ...] = ()
    taken_at: float = 0.0

    @property
    def is_live(self) -> bool:
        return self.source == "live"

    @property
    def all_problems(self) -> tuple[GraphicsProblem, ...]:
        return (*(self.chain.all_problems if self.chain else ()), *self.problems)

    def to_json(self) -> dict[str, Any]:
        return {
            "source": {"kind": self.source, "label": self.source_label},
            "chain": self.chain.to_json() if self.chain else None,
            "chain_unavailable": self.chain_unavailable,
            "session": jsonable(self.session) if self.session else None,
            "gl": self.gl.to_json() if self.gl else None,
            "vulkan": self.vulkan.to_json() if self.vulkan else None,
            "problems": [jsonable(p) for p in self.all_problems],
            "notes": list(self.notes),
        }


# --- which userspace driver belongs to which GPU ------------------------------------------------------


def _minor(node: str | None, pattern: re.Pattern[str]) -> int | None:
    m = pattern.search(node or "")
    return int(m[1]) if m else None


def gl_displays_for(gl: GlInfo | None, gpu: Gpu) -> list[GlDisplay]:
    """The usable GL displays that render on this GPU: by DRM node (EGL_EXT_device_drm), else by PCI ids
    (GLX_MESA_query_renderer)."""
    if gl is None:
        return []
    nodes = {c.devnode for c in gpu.cards} | {c.render_node for c in gpu.cards if c.render_node}
    out = []
    for d in gl.displays:
        if not d.usable or d.is_software:
            continue
        rq = d.renderer_query
        by_node = (d.drm_device in nodes) or (d.drm_render_node in nodes)
        by_ids = (
            rq is not None
            and gpu.vendor_id is not None
            and (rq.pci_vendor_id, rq.pci_device_id)
            == (
                gpu.vendor_id,
                gpu.device_id,
            )
        )
        if by_node or by_ids:
            out.append(d)
    return out


def vulkan_devices_for(vk: VulkanInfo | None, gpu: Gpu) -> list[VulkanDevice]:
    """Vulkan devices of this GPU: by PCI address (VK_EXT_pci_bus_info), DRM minors, else vendor:device."""
    if vk is None:
        return []
    renders = {_minor(c.render_node, _RENDER_MINOR) for c in gpu.cards} - {None}
    cards = {c.minor for c in gpu.cards}
    out = []
    for d in vk.devices:
        if d.is_software:
            continue
        if d.pci_address is not None or d.drm_render is not None or d.drm_primary is not None:
            hit = (
                (d.pci_address or "").lower() == gpu.address.lower()
                or (d.drm_render is not None and d.drm_render[1] in renders)
                or (d.drm_primary is not None and d.drm_primary[1] in cards)
            )
        else:  # vulkaninfo --summary of old tools prints neither: the ids are all there is
            hit = gpu.vendor_id is not None and (d.vendor_id, d.device_id) == (gpu.vendor_id, gpu.device_id)
        if hit:
            out.append(d)
    return out


def renderers(chain: GraphicsChain | None) -> list[Gpu]:
    """GPUs that should render: real ones with a driver (not a firmware framebuffer, VM adapter or USB display)."""
    if chain is None:
        return []
    return [
        g
        for g in chain.gpus
        if g.driver is not None
        and not g.firmware_framebuffer
        and g.driver not in VIRTUAL_DISPLAY_DRIVERS
        and g.driver not in DISPLAY_ONLY_DRIVERS
        and (not g.cards or any(c.render_node for c in g.cards) or g.driver == "nvidia")
    ]


def _names(gpus: Sequence[Gpu]) -> str:
    return ", ".join(f"{g.address} ({g.driver})" for g in gpus)


def stack_problems(chain: GraphicsChain | None, gl: GlInfo | None, vk: VulkanInfo | None) -> list[GraphicsProblem]:
    """What the chain alone cannot show: software rendering on a machine with a GPU, a GPU no GL driver loads for."""
    real = renderers(chain)
    undriven = [g for g in (chain.gpus if chain else ()) if g.driver is None and not g.firmware_framebuffer]
    out: list[GraphicsProblem] = []
    if gl is not None:
        primary = gl.primary
        if primary is not None and primary.is_software and (real or undriven):
            what = primary.renderer or primary.driver_name or N_("a software rasteriser")
            if real:
                detail = N_(
                    "software rendering: applications get {what} on the CPU although {names} can render (its "
                    "OpenGL driver is missing or failed to load)"
                ).format(what=what, names=_names(real))
            else:
                detail = N_("software rendering: applications get {what} because no GPU has a driver").format(what=what)
            out.append(GraphicsProblem("error" if real else "warning", "opengl", detail))
        elif not gl.available and real:
            out.append(
                GraphicsProblem(
                    "warning",
                    "opengl",
                    N_("no OpenGL: {unavailable_reason}").format(unavailable_reason=gl.unavailable_reason),
                )
            )
        # EGL lists one device per DRM render node a driver loads for: a GPU missing there has no GL driver.
        if any(d.api == "egl" and d.platform == "device" for d in gl.displays):
            for g in real:
                nodes = [c.render_node for c in g.cards if c.render_node]
                if nodes and not gl_displays_for(gl, g):
                    out.append(
                        GraphicsProblem(
                            "warning",
                            f"opengl:{g.address}",
                            N_(
                                "no OpenGL driver loads for {address} ({driver}): EGL lists no device for {nodes}"
                            ).format(address=g.address, driver=g.driver, nodes=nodes[0]),
                        )
                    )
    if vk is not None and vk.available and vk.is_software and real:
        names = ", ".join(d.device_name for d in vk.devices)
        out.append(
            GraphicsProblem(
                "warning",
                "vulkan",
                N_(
                    "Vulkan offers only {names} (software): no Vulkan driver for {names2} (the GPU predates "
                    "Vulkan, or its driver package is not installed)"
                ).format(names=names, names2=_names(real)),
            )
        )
    return out


def _stack_notes(chain: GraphicsChain | None, gl: GlInfo | None, vk: VulkanInfo | None) -> list[str]:
    notes = []
    virtual = [g for g in (chain.gpus if chain else ()) if g.driver in VIRTUAL_DISPLAY_DRIVERS]
    if virtual and gl is not None and gl.is_software and not renderers(chain):
        notes.append(
            N_(
                "{names} is a virtual display adapter without 3D acceleration: the virtual machine renders "
                "on the CPU, as expected"
            ).format(names=_names(virtual))
        )
    if gl is not None and not gl.available:
        notes.append(N_("OpenGL: {unavailable_reason}").format(unavailable_reason=gl.unavailable_reason))
    if vk is not None and not vk.available:
        notes.append(N_("Vulkan: {unavailable_reason}").format(unavailable_reason=vk.unavailable_reason))
    return notes


# --- reading -------------------------------------------------------------------------------------------


def read_live_stack(
    sysfs: Path = Path("/sys"),
    devfs: Path = Path("/dev"),
    procfs: Path = Path("/proc"),
    environ: Mapping[str, str] | None = None,
    timeout_s: float = PROBE_TIMEOUT_S,
    gl_reader: Callable[[], GlInfo] | None = None,
    vulkan_reader: Callable[[], VulkanInfo] | None = None,
    testbed: bool | None = None,
) -> GraphicsStack:
    """The live stack. OpenGL and Vulkan are asked in two child processes at once (~0.2 s each).

    Under a umockdev testbed (``testbed`` None: detected) the devices are a recording, while OpenGL and
    Vulkan would answer for this host's drivers: they are not asked, and a note says why.
    """
    env = dict(os.environ if environ is None else environ)
    testbed = umockdev_active() if testbed is None else testbed
    read_gl = gl_reader or (lambda: read_gl_info(timeout_s))
    read_vk = vulkan_reader or (lambda: read_vulkan_info(timeout_s))
    with ThreadPoolExecutor(2, thread_name_prefix="graphics-probe") as pool:
        gl_future = pool.submit(read_gl) if not testbed else None
        vk_future = pool.submit(read_vk) if not testbed else None
        chain: GraphicsChain | None = None
        unavailable = None
        try:
            chain = read_graphics(sysfs, devfs, procfs, env)
        except ProbeUnavailable as exc:
            unavailable = exc.reason
        session = read_session(env, procfs)
        gl = gl_future.result() if gl_future else None
        vk = vk_future.result() if vk_future else None
    notes = _stack_notes(chain, gl, vk)
    if testbed:
        notes.append(
            N_(
                "umockdev testbed: the devices are a recording, so OpenGL and Vulkan (which would answer for this "
                "host's drivers, not the recorded machine's) are not asked"
            )
        )
    return GraphicsStack(
        source="live",
        source_label=N_("live machine"),
        chain=chain,
        chain_unavailable=unavailable,
        session=session,
        gl=gl,
        vulkan=vk,
        problems=tuple(stack_problems(chain, gl, vk)),
        notes=tuple(notes),
        taken_at=time.time(),
    )


def stack_from_devices(devices: Sequence[Device], source: str, label: str) -> GraphicsStack:
    """The chain a dump or recording holds; it holds no session, OpenGL or Vulkan, and says so."""
    chain: GraphicsChain | None = None
    unavailable = None
    try:
        chain = graphics_from_devices(devices)
    except ProbeUnavailable as exc:
        unavailable = exc.reason
    note = N_(
        "OpenGL, Vulkan and the session are not part of a {source} dump: they are asked of the "
        "running machine's drivers, and {label} comes from another machine."
    ).format(source=source, label=label)
    return GraphicsStack(source, label, chain, unavailable, None, None, None, notes=(note,), taken_at=time.time())


# --- the collector thread ----------------------------------------------------------------------------
