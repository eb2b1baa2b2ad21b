"""Every property of each element of the graphics chain, as sections for the detail pane (Qt-free)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from hwinspector.probes.graphics.drm import Connector, DrmCard, Gpu, GraphicsChain
from hwinspector.probes.graphics.edid.cta import CtaExtension
from hwinspector.probes.graphics.edid.decode import Edid
from hwinspector.probes.graphics.edid.displayid import DisplayIdExtension
from hwinspector.probes.graphics.firmware import Firmware
from hwinspector.probes.graphics.gl.probe import GlDisplay, GlInfo
from hwinspector.probes.graphics.kms import KmsMode
from hwinspector.probes.graphics.session import Session, SessionProcess
from hwinspector.probes.graphics.vulkan.probe import VulkanDevice, VulkanInfo

Rows = tuple[tuple[str, str], ...]
Section = tuple[str, Rows]

# PCI base class 0x03, by subclass (PCI Code and ID Assignment Specification).
_PCI_DISPLAY_CLASSES = {
    0x00: "VGA compatible controller",
    0x01: "XGA controller",
    0x02: "3D controller",
    0x80: "Display controller",
}
_PROFILES = {"core": "Core profile", "compat": "Compatibility profile", "es": "OpenGL ES"}
_SESSION_TYPES = {
    "wayland": "Wayland",
    "x11": "X11",
    "tty": "Text console",
    "mir": "Mir",
    "none": "No graphical session",
}


def _yes(v: bool | None, unknown: str = "not recorded") -> str:
    return unknown if v is None else ("yes" if v else "no")


def _rows(pairs: Sequence[tuple[str, object]]) -> Rows:
    """Pairs with a value; None and empty values are left out."""
    return tuple((k, str(v)) for k, v in pairs if v is not None and v != "" and v != ())


def mode_text(m: KmsMode) -> str:
    return f"{m.width}x{m.height}{'i' if m.interlaced else ''} @ {m.refresh_hz:.2f} Hz"


def firmware_summary(fw: Firmware) -> str:
    """ "GuC 70.1.1 · HuC 4.0.0 · DMC 1.4": each blob with the first word of its version."""
    return " · ".join(f"{name} {version.split()[0]}" for name, version in fw if version)


def gpu_sections(g: Gpu, driver: bool = False) -> tuple[Section, ...]:
    if driver:
        main = _rows(
            [
                ("Driver", g.driver or "none bound"),
                ("Module", g.module or ("none linked: built into the kernel, or not recorded" if g.driver else None)),
                ("Runtime power state", g.runtime_status),
                ("Device", g.address),
            ]
        )
        out: list[Section] = [("Kernel driver", main)]
        if g.firmware:
            out.append(("Firmware", tuple(g.firmware)))
        if g.notes:
            out.append(("Notes", tuple((f"Note {i + 1}", n) for i, n in enumerate(g.notes))))
        return tuple(out)
    cls = None
    if g.pci_class is not None:
        cls = f"0x{g.pci_class:06x}"
        if g.pci_class >> 16 == 0x03:
            cls += f" ({_PCI_DISPLAY_CLASSES.get((g.pci_class >> 8) & 0xFF, 'display')})"
    main = _rows(
        [
            ("Name", g.name),
            ("Vendor", g.vendor),
            ("Model", g.model),
            ("Address", g.address),
            ("Bus", g.bus),
            (
                "Vendor:device",
                f"{g.vendor_id:04x}:{g.device_id:04x}" if g.vendor_id is not None and g.device_id is not None else None,
            ),
            ("Subsystem", f"{g.subsystem_ids[0]:04x}:{g.subsystem_ids[1]:04x}" if g.subsystem_ids else None),
            ("Class", cls),
            ("Boot VGA", _yes(g.boot_vga)),
            ("Firmware framebuffer", "yes" if g.firmware_framebuffer else None),
            ("Runtime power state", g.runtime_status),
            ("DRM cards", ", ".join(c.name for c in g.cards) or "none"),
            ("Devpath", g.devpath),
        ]
    )
    return (("Device", main),)


def card_sections(card: DrmCard) -> tuple[Section, ...]:
    return (
        (
            "DRM device",
            _rows(
                [
                    ("Card", card.name),
                    ("Device node", card.devnode),
                    ("Render node", card.render_node or "none (display only)"),
                    ("Driver", card.driver),
                    ("Minor", card.minor),
                    ("Primary for display (udev)", _yes(card.primary_for_display, "not recorded")),
                    ("Devpath", card.devpath),
                ]
            ),
        ),
    )


def connector_sections(c: Connector) -> tuple[Section, ...]:
    current = mode_text(c.current_mode) if c.current_mode else c.current_mode_note
    main = _rows(
        [
            ("Connector", c.name),
            ("Type", c.type),
            ("Index", c.index),
            ("Card", c.card),
            ("KMS connector id", c.connector_id),
            ("Status", c.status or "not recorded"),
            ("Enabled", _yes(c.enabled)),
            ("DPMS", c.dpms),
            ("Current mode", current),
            ("Current mode clock", f"{c.current_mode.clock_khz} kHz" if c.current_mode else None),
            ("Monitor", c.monitor),
            ("Devpath", c.devpath),
        ]
    )
    out: list[Section] = [("Connector", main)]
    if c.modes:
        out.append(("Modes", tuple((str(i + 1), m) for i, m in enumerate(c.modes))))
    return tuple(out)


def _size(size_cm: tuple[int, int] | None) -> str | None:
    if not size_cm:
        return None
    inches = math.hypot(*size_cm) / 2.54
    return f"{size_cm[0]} x {size_cm[1]} cm ({inches:.1f}″)"


def _ext_name(e: object) -> str:
    tag = str(getattr(e, "tag", "?"))
    if isinstance(e, CtaExtension) and e.hdmi is not None:
        tag += " (HDMI)"
    if isinstance(e, CtaExtension) and e.hdr_static_metadata is not None:
        tag += " HDR"
    if isinstance(e, DisplayIdExtension):
        tag += f" {e.version}"
    return tag


def edid_rows(edid: Edid, serials: bool = True) -> Rows:
    """A compact edid-decode: who, what, when, version, input, size, preferred mode, extensions, checksum."""
    b = edid.base
    pref = edid.preferred_mode
    made = None
    if b is not None:
        made = f"model year {b.model_year}" if b.model_year else (f"week {b.week} of {b.year}" if b.week else b.year)
    digital = None
    if b is not None:
        digital = "digital" if b.digital else "analog"
        if b.digital and b.interface:
            digital += f", {b.interface}"
        if b.digital and b.bits_per_color:
            digital += f", {b.bits_per_color} bits per colour"
    who = None
    if b is not None:
        who = f"{b.manufacturer_id} ({edid.manufacturer_name})" if edid.manufacturer_name else b.manufacturer_id
    return _rows(
        [
            ("Manufacturer", who),
            ("Product code", f"0x{b.product_code:04x} ({b.product_code})" if b else None),
            (
                "Serial number",
                (f"{b.serial_number} (0x{b.serial_number:08x})" if b and b.serial_number else None)
                if serials
                else None,
            ),
            ("Name", b.name if b else None),
            ("Serial string", (b.serial_string if b else None) if serials else None),
            ("Text", " / ".join(s for s in b.strings if s not in (b.name, b.serial_string)) if b else None),
            ("Made", made),
            ("EDID version", f"{b.version[0]}.{b.version[1]}" if b else None),
            ("Input", digital),
            ("Screen size", _size(b.size_cm) if b else None),
            (
                "Preferred mode",
                (
                    f"{pref.width}x{pref.height}{'i' if pref.interlaced else ''} @ {pref.refresh_hz:.3f} Hz, "
                    f"{pref.pixel_clock_khz / 1000:.3f} MHz"
                )
                if pref
                else None,
            ),
            (
                "Extensions",
                ", ".join(f"{_ext_name(e)} (block {getattr(e, 'block', '?')})" for e in edid.extensions) or "none",
            ),
            ("Size", f"{edid.size_bytes} bytes"),
            ("Checksums", "ok" if edid.checksum_ok else "BAD"),
            *((f"Error {i + 1}", err) for i, err in enumerate(edid.errors)),
        ]
    )


def monitor_title(edid: Edid) -> str:
    """The name descriptor; laptop panels have none, and name the panel model in a text descriptor."""
    b = edid.base
    if b is None:
        return "Unreadable EDID"
    who = edid.manufacturer_name or b.manufacturer_id
    text = [x for x in b.strings if x and x not in (who, b.serial_string)]
    return b.name or (text[-1] if text else f"{b.manufacturer_id} 0x{b.product_code:04x}")


def monitor_lines(edid: Edid) -> tuple[str, ...]:
    b = edid.base
    if b is None:
        return (edid.errors[0] if edid.errors else "no EDID header",)
    lines = [edid.manufacturer_name or b.manufacturer_id]
    pref = edid.preferred_mode
    size = f"{b.size_cm[0]}x{b.size_cm[1]} cm" if b.size_cm else ""
    mode = f"{pref.width}x{pref.height}@{pref.refresh_hz:.0f}" if pref else ""
    lines.append(" · ".join(x for x in (size, mode) if x) or "no size, no preferred mode")
    exts = " + ".join(_ext_name(e) for e in edid.extensions)
    lines.append(f"EDID {b.version[0]}.{b.version[1]}" + (f" + {exts}" if exts else ""))
    return tuple(lines)


def monitor_sections(c: Connector) -> tuple[Section, ...]:
    if c.edid is None:
        return ()
    out: list[Section] = [("Monitor (EDID)", edid_rows(c.edid))]
    if c.edid_hex:
        out.append(("Raw EDID", (("hex", c.edid_hex),)))
    return tuple(out)


def _version(d: GlDisplay) -> str | None:
    parts = []
    for ctx, label in ((d.core, "core"), (d.compat, "compatibility"), (d.es, "ES")):
        if ctx is not None and ctx.version_number:
            parts.append(f"{ctx.version_number} {label}")
    return ", ".join(parts) or None


def gl_lines(d: GlDisplay) -> list[str]:
    lines = []
    version = _version(d)
    if version:
        lines.append(f"OpenGL {version}")
    via = " · ".join(x for x in (f"Mesa {d.mesa_version}" if d.mesa_version else "", d.driver_name or "") if x)
    lines.append(via or (d.vendor_string or ""))
    return [x for x in lines if x]


def gl_sections(gl: GlInfo, displays: Sequence[GlDisplay]) -> tuple[Section, ...]:
    out: list[Section] = []
    for d in displays:
        rq = d.renderer_query
        rows = _rows(
            [
                ("API", d.api.upper()),
                ("Platform", d.platform),
                ("Display", d.name),
                (f"{d.api.upper()} version", d.version),
                (f"{d.api.upper()} vendor", d.vendor),
                ("Client vendor", d.client_vendor),
                ("Driver", d.driver_name),
                ("DRM device", d.drm_device),
                ("Render node", d.drm_render_node),
                ("Direct rendering", _yes(d.direct_rendering, "") if d.direct_rendering is not None else None),
                ("Renderer", d.renderer),
                ("GL vendor", d.vendor_string),
                ("Versions", _version(d)),
                *((_PROFILES.get(c.profile, c.profile), c.version) for c in d.contexts),
                ("Mesa", d.mesa_version),
                ("Accelerated", _yes(rq.accelerated, "") if rq and rq.accelerated is not None else None),
                ("Video memory", f"{rq.video_memory_mb} MB" if rq and rq.video_memory_mb else None),
                ("Software rendering", "yes" if d.is_software else "no"),
                ("Error", d.error),
            ]
        )
        out.append((f"{d.api.upper()} {d.name}", rows))
    probe = _rows(
        [
            ("Displays found", len(gl.displays)),
            ("Default for applications", gl.primary.name if gl.primary else "none"),
            ("Unavailable because", gl.unavailable_reason),
            *((f"Problem {i + 1}", p) for i, p in enumerate(gl.problems)),
            ("Probe error", gl.error),
        ]
    )
    out.append(("OpenGL probe", probe))
    return tuple(out)


def vulkan_sections(vk: VulkanInfo, devices: Sequence[VulkanDevice]) -> tuple[Section, ...]:
    out: list[Section] = []
    for d in devices:
        rows = _rows(
            [
                ("Device", d.device_name),
                ("Type", d.device_type),
                ("Vendor:device", f"{d.vendor_id:04x}:{d.device_id:04x}"),
                ("API version", d.api_version),
                ("Driver version", d.driver_version),
                ("Driver id", d.driver_id_name),
                ("Driver name", d.driver_name),
                ("Driver info", d.driver_info),
                ("Mesa", d.mesa_version),
                ("Conformance", d.conformance_version),
                ("PCI address", d.pci_address),
                ("DRM primary", f"{d.drm_primary[0]}:{d.drm_primary[1]}" if d.drm_primary else None),
                ("DRM render", f"{d.drm_render[0]}:{d.drm_render[1]}" if d.drm_render else None),
                ("Software", "yes" if d.is_software else "no"),
            ]
        )
        out.append((f"GPU{d.index}: {d.device_name}", rows))
    loader = _rows(
        [
            ("Instance version", vk.instance_version),
            ("Devices found", len(vk.devices)),
            ("Unavailable because", vk.unavailable_reason),
            *((f"Problem {i + 1}", p) for i, p in enumerate(vk.problems)),
            ("Probe error", vk.error),
        ]
    )
    out.append(("Vulkan loader", loader))
    return tuple(out)


def session_title(s: Session) -> str:
    kind = _SESSION_TYPES.get(s.type, s.type)
    return f"{kind} · {s.compositor.name}" if s.compositor else kind


def _proc(p: SessionProcess | None) -> str | None:
    return f"{p.name} (pid {p.pid}, {p.how})" if p else None


def session_sections(s: Session, chain: GraphicsChain | None, primary: GlDisplay | None) -> tuple[Section, ...]:
    main = _rows(
        [
            ("Type", f"{_SESSION_TYPES.get(s.type, s.type)} (from {s.type_source})"),
            ("Wayland display", s.wayland_display),
            ("Wayland socket", s.wayland_socket),
            ("X display", s.x_display),
            ("Desktop", ", ".join(s.desktop)),
            ("Session desktop", s.session_desktop),
            ("Compositor or window manager", _proc(s.compositor)),
            ("X server", _proc(s.x_server)),
            ("Xwayland", _proc(s.xwayland) or "not running"),
        ]
    )
    out: list[Section] = [("Session", main)]
    default = chain.gpu(chain.default_gpu) if chain else None
    rendering = _rows(
        [
            (
                "Default GPU",
                f"{default.address} ({default.driver}) {default.model or default.name}" if default else "none",
            ),
            ("Why", chain.default_gpu_reason if chain else None),
            ("OpenGL applications get", (primary.renderer or primary.name) if primary else "no OpenGL"),
        ]
    )
    out.append(("Rendering", rendering))
    if s.notes:
        out.append(("Notes", tuple((f"Note {i + 1}", n) for i, n in enumerate(s.notes))))
    return tuple(out)
