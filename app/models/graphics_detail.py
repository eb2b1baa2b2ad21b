"""Every property of each element of the graphics chain, as sections for the detail pane (Qt-free)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from hwinspector.i18n import N_, _
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
    0x00: N_("VGA compatible controller"),
    0x01: N_("XGA controller"),
    0x02: N_("3D controller"),
    0x80: N_("Display controller"),
}
_PROFILES = {"core": N_("Core profile"), "compat": N_("Compatibility profile"), "es": N_("OpenGL ES")}
_SESSION_TYPES = {
    "wayland": N_("Wayland"),
    "x11": "X11",
    "tty": N_("Text console"),
    "mir": N_("Mir"),
    "none": N_("No graphical session"),
}


def _yes(v: bool | None, unknown: str = _("not recorded")) -> str:
    return unknown if v is None else (_("yes") if v else _("no"))


def _rows(pairs: Sequence[tuple[str, object]]) -> Rows:
    """Pairs with a value; None and empty values are left out."""
    return tuple((k, str(v)) for k, v in pairs if v is not None and v != "" and v != ())


def mode_text(m: KmsMode) -> str:
    return _("{width}x{height}{value} @ {refresh_hz:.2f} Hz").format(
        width=m.width, height=m.height, value="i" if m.interlaced else "", refresh_hz=m.refresh_hz
    )


def firmware_summary(fw: Firmware) -> str:
    """ "GuC 70.1.1 · HuC 4.0.0 · DMC 1.4": each blob with the first word of its version."""
    return " · ".join(f"{name} {version.split()[0]}" for name, version in fw if version)


def gpu_sections(g: Gpu, driver: bool = False) -> tuple[Section, ...]:
    if driver:
        main = _rows(
            [
                (_("Driver"), g.driver or _("none bound")),
                (
                    _("Module"),
                    g.module or (_("none linked: built into the kernel, or not recorded") if g.driver else None),
                ),
                (_("Runtime power state"), g.runtime_status),
                (_("Device"), g.address),
            ]
        )
        out: list[Section] = [(_("Kernel driver"), main)]
        if g.firmware:
            out.append((_("Firmware"), tuple(g.firmware)))
        if g.notes:
            out.append((_("Notes"), tuple((_("Note {i}").format(i=i + 1), n) for i, n in enumerate(g.notes))))
        return tuple(out)
    cls = None
    if g.pci_class is not None:
        cls = f"0x{g.pci_class:06x}"
        if g.pci_class >> 16 == 0x03:
            cls += f" ({_(_PCI_DISPLAY_CLASSES.get((g.pci_class >> 8) & 0xFF, 'display'))})"
    main = _rows(
        [
            (_("Name"), g.name),
            (_("Vendor"), g.vendor),
            (_("Model"), g.model),
            (_("Address"), g.address),
            (_("Bus"), g.bus),
            (
                _("Vendor:device"),
                f"{g.vendor_id:04x}:{g.device_id:04x}" if g.vendor_id is not None and g.device_id is not None else None,
            ),
            (_("Subsystem"), f"{g.subsystem_ids[0]:04x}:{g.subsystem_ids[1]:04x}" if g.subsystem_ids else None),
            (_("Class"), cls),
            (_("Boot VGA"), _yes(g.boot_vga)),
            (_("Firmware framebuffer"), "yes" if g.firmware_framebuffer else None),
            (_("Runtime power state"), g.runtime_status),
            (_("DRM cards"), ", ".join(c.name for c in g.cards) or _("none")),
            (_("Devpath"), g.devpath),
        ]
    )
    return ((_("Device"), main),)


def card_sections(card: DrmCard) -> tuple[Section, ...]:
    return (
        (
            _("DRM device"),
            _rows(
                [
                    (_("Card"), card.name),
                    (_("Device node"), card.devnode),
                    (_("Render node"), card.render_node or _("none (display only)")),
                    (_("Driver"), card.driver),
                    (_("Minor"), card.minor),
                    (_("Primary for display (udev)"), _yes(card.primary_for_display, _("not recorded"))),
                    (_("Devpath"), card.devpath),
                ]
            ),
        ),
    )


def connector_sections(c: Connector) -> tuple[Section, ...]:
    current = mode_text(c.current_mode) if c.current_mode else c.current_mode_note
    main = _rows(
        [
            (_("Connector"), c.name),
            (_("Type"), c.type),
            (_("Index"), c.index),
            (_("Card"), c.card),
            (_("KMS connector id"), c.connector_id),
            (_("Status"), c.status or _("not recorded")),
            (_("Enabled"), _yes(c.enabled)),
            ("DPMS", c.dpms),
            (_("Current mode"), current),
            (_("Current mode clock"), f"{c.current_mode.clock_khz} kHz" if c.current_mode else None),
            (_("Monitor"), c.monitor),
            (_("Devpath"), c.devpath),
        ]
    )
    out: list[Section] = [(_("Connector"), main)]
    if c.modes:
        out.append((_("Modes"), tuple((str(i + 1), m) for i, m in enumerate(c.modes))))
    return tuple(out)


def _size(size_cm: tuple[int, int] | None) -> str | None:
    if not size_cm:
        return None
    inches = math.hypot(*size_cm) / 2.54
    return _("{size_cm} x {size_cm2} cm ({inches:.1f}″)").format(size_cm=size_cm[0], size_cm2=size_cm[1], inches=inches)


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
        made = (
            _("model year {model_year}").format(model_year=b.model_year)
            if b.model_year
            else (_("week {week} of {year}").format(week=b.week, year=b.year) if b.week else b.year)
        )
    digital = None
    if b is not None:
        digital = "digital" if b.digital else "analog"
        if b.digital and b.interface:
            digital += f", {b.interface}"
        if b.digital and b.bits_per_color:
            digital += _(", {bits_per_color} bits per colour").format(bits_per_color=b.bits_per_color)
    who = None
    if b is not None:
        who = f"{b.manufacturer_id} ({edid.manufacturer_name})" if edid.manufacturer_name else b.manufacturer_id
    return _rows(
        [
            (_("Manufacturer"), who),
            (_("Product code"), f"0x{b.product_code:04x} ({b.product_code})" if b else None),
            (
                _("Serial number"),
                (f"{b.serial_number} (0x{b.serial_number:08x})" if b and b.serial_number else None)
                if serials
                else None,
            ),
            (_("Name"), b.name if b else None),
            (_("Serial string"), (b.serial_string if b else None) if serials else None),
            (_("Text"), " / ".join(s for s in b.strings if s not in (b.name, b.serial_string)) if b else None),
            (_("Made"), made),
            (_("EDID version"), f"{b.version[0]}.{b.version[1]}" if b else None),
            (_("Input"), digital),
            (_("Screen size"), _size(b.size_cm) if b else None),
            (
                _("Preferred mode"),
                (
                    _("{width}x{height}{value} @ {refresh_hz:.3f} Hz, {pixel_clock_khz:.3f} MHz").format(
                        width=pref.width,
                        height=pref.height,
                        value="i" if pref.interlaced else "",
                        refresh_hz=pref.refresh_hz,
                        pixel_clock_khz=pref.pixel_clock_khz / 1000,
                    )
                )
                if pref
                else None,
            ),
            (
                _("Extensions"),
                ", ".join(
                    _("{ext_name} (block {getattr})").format(ext_name=_ext_name(e), getattr=getattr(e, "block", "?"))
                    for e in edid.extensions
                )
                or _("none"),
            ),
            (_("Size"), f"{edid.size_bytes} bytes"),
            (_("Checksums"), "ok" if edid.checksum_ok else "BAD"),
            *((_("Error {i}").format(i=i + 1), err) for i, err in enumerate(edid.errors)),
        ]
    )


def monitor_title(edid: Edid) -> str:
    """The name descriptor; laptop panels have none, and name the panel model in a text descriptor."""
    b = edid.base
    if b is None:
        return _("Unreadable EDID")
    who = edid.manufacturer_name or b.manufacturer_id
    text = [x for x in b.strings if x and x not in (who, b.serial_string)]
    return b.name or (text[-1] if text else f"{b.manufacturer_id} 0x{b.product_code:04x}")


def monitor_lines(edid: Edid) -> tuple[str, ...]:
    b = edid.base
    if b is None:
        return (edid.errors[0] if edid.errors else _("no EDID header"),)
    lines = [edid.manufacturer_name or b.manufacturer_id]
    pref = edid.preferred_mode
    size = _("{size_cm}x{size_cm2} cm").format(size_cm=b.size_cm[0], size_cm2=b.size_cm[1]) if b.size_cm else ""
    mode = f"{pref.width}x{pref.height}@{pref.refresh_hz:.0f}" if pref else ""
    lines.append(" · ".join(x for x in (size, mode) if x) or _("no size, no preferred mode"))
    exts = " + ".join(_ext_name(e) for e in edid.extensions)
    lines.append(
        _("EDID {version}.{version2}").format(version=b.version[0], version2=b.version[1])
        + (f" + {exts}" if exts else "")
    )
    return tuple(lines)


def monitor_sections(c: Connector) -> tuple[Section, ...]:
    if c.edid is None:
        return ()
    out: list[Section] = [(_("Monitor (EDID)"), edid_rows(c.edid))]
    if c.edid_hex:
        out.append((_("Raw EDID"), (("hex", c.edid_hex),)))
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
    via = " · ".join(
        x
        for x in (
            _("Mesa {mesa_version}").format(mesa_version=d.mesa_version) if d.mesa_version else "",
            d.driver_name or "",
        )
        if x
    )
    lines.append(via or (d.vendor_string or ""))
    return [x for x in lines if x]


def gl_sections(gl: GlInfo, displays: Sequence[GlDisplay]) -> tuple[Section, ...]:
    out: list[Section] = []
    for d in displays:
        rq = d.renderer_query
        rows = _rows(
            [
                ("API", d.api.upper()),
                (_("Platform"), d.platform),
                (_("Display"), d.name),
                (f"{d.api.upper()} version", d.version),
                (f"{d.api.upper()} vendor", d.vendor),
                (_("Client vendor"), d.client_vendor),
                (_("Driver"), d.driver_name),
                (_("DRM device"), d.drm_device),
                (_("Render node"), d.drm_render_node),
                (_("Direct rendering"), _yes(d.direct_rendering, "") if d.direct_rendering is not None else None),
                (_("Renderer"), d.renderer),
                (_("GL vendor"), d.vendor_string),
                (_("Versions"), _version(d)),
                *((_(_PROFILES.get(c.profile, c.profile)), c.version) for c in d.contexts),
                (_("Mesa"), d.mesa_version),
                (_("Accelerated"), _yes(rq.accelerated, "") if rq and rq.accelerated is not None else None),
                (_("Video memory"), f"{rq.video_memory_mb} MB" if rq and rq.video_memory_mb else None),
                (_("Software rendering"), _("yes") if d.is_software else _("no")),
                (_("Error"), d.error),
            ]
        )
        out.append((f"{d.api.upper()} {d.name}", rows))
    probe = _rows(
        [
            (_("Displays found"), len(gl.displays)),
            (_("Default for applications"), gl.primary.name if gl.primary else _("none")),
            (_("Unavailable because"), gl.unavailable_reason),
            *((_("Problem {i}").format(i=i + 1), p) for i, p in enumerate(gl.problems)),
            (_("Probe error"), gl.error),
        ]
    )
    out.append((_("OpenGL probe"), probe))
    return tuple(out)


def vulkan_sections(vk: VulkanInfo, devices: Sequence[VulkanDevice]) -> tuple[Section, ...]:
    out: list[Section] = []
    for d in devices:
        rows = _rows(
            [
                (_("Device"), d.device_name),
                (_("Type"), d.device_type),
                (_("Vendor:device"), f"{d.vendor_id:04x}:{d.device_id:04x}"),
                (_("API version"), d.api_version),
                (_("Driver version"), d.driver_version),
                (_("Driver id"), d.driver_id_name),
                (_("Driver name"), d.driver_name),
                (_("Driver info"), d.driver_info),
                (_("Mesa"), d.mesa_version),
                (_("Conformance"), d.conformance_version),
                (_("PCI address"), d.pci_address),
                (_("DRM primary"), f"{d.drm_primary[0]}:{d.drm_primary[1]}" if d.drm_primary else None),
                (_("DRM render"), f"{d.drm_render[0]}:{d.drm_render[1]}" if d.drm_render else None),
                (_("Software"), _("yes") if d.is_software else _("no")),
            ]
        )
        out.append((f"GPU{d.index}: {d.device_name}", rows))
    loader = _rows(
        [
            (_("Instance version"), vk.instance_version),
            (_("Devices found"), len(vk.devices)),
            (_("Unavailable because"), vk.unavailable_reason),
            *((_("Problem {i}").format(i=i + 1), p) for i, p in enumerate(vk.problems)),
            (_("Probe error"), vk.error),
        ]
    )
    out.append((_("Vulkan loader"), loader))
    return tuple(out)


def session_title(s: Session) -> str:
    kind = _(_SESSION_TYPES.get(s.type, s.type))
    return f"{kind} · {s.compositor.name}" if s.compositor else kind


def _proc(p: SessionProcess | None) -> str | None:
    return _("{name} (pid {pid}, {how})").format(name=p.name, pid=p.pid, how=p.how) if p else None


def session_sections(s: Session, chain: GraphicsChain | None, primary: GlDisplay | None) -> tuple[Section, ...]:
    main = _rows(
        [
            (
                _("Type"),
                _("{get} (from {type_source})").format(
                    get=_(_SESSION_TYPES.get(s.type, s.type)), type_source=s.type_source
                ),
            ),
            (_("Wayland display"), s.wayland_display),
            (_("Wayland socket"), s.wayland_socket),
            (_("X display"), s.x_display),
            (_("Desktop"), ", ".join(s.desktop)),
            (_("Session desktop"), s.session_desktop),
            (_("Compositor or window manager"), _proc(s.compositor)),
            (_("X server"), _proc(s.x_server)),
            (_("Xwayland"), _proc(s.xwayland) or _("not running")),
        ]
    )
    out: list[Section] = [(_("Session"), main)]
    default = chain.gpu(chain.default_gpu) if chain else None
    rendering = _rows(
        [
            (
                _("Default GPU"),
                f"{default.address} ({default.driver}) {default.model or default.name}" if default else _("none"),
            ),
            (_("Why"), chain.default_gpu_reason if chain else None),
            (_("OpenGL applications get"), (primary.renderer or primary.name) if primary else _("no OpenGL")),
        ]
    )
    out.append((_("Rendering"), rendering))
    if s.notes:
        out.append((_("Notes"), tuple((_("Note {i}").format(i=i + 1), n) for i, n in enumerate(s.notes))))
    return tuple(out)
