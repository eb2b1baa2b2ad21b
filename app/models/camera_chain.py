"""The Camera page's picture: one lane per camera (IPU or UVC) and per other video device, as linked boxes."""

from __future__ import annotations

from hwinspector.i18n import N_, _, ngettext
from hwinspector.models.av_common import box, issues_of
from hwinspector.models.graphics_elements import ChainElement, ChainPicture, Lane
from hwinspector.probes.camera.chain import CameraChain, CameraPipe, VideoNode

COL_DEVICE, COL_DRIVER, COL_SENSOR, COL_NODES, COL_LIBCAMERA, COL_PIPEWIRE = range(6)
_CAPTION = {"uvc": N_("USB camera"), "ipu": N_("Image processing unit"), "other": N_("Video device")}
_ROLE = {
    "capture": N_("V4L2 capture"),
    "metadata": N_("V4L2 metadata"),
    "output": N_("V4L2 output"),
    "m2m": N_("V4L2 memory-to-memory"),
    "other": N_("V4L2 node"),
    "unknown": N_("V4L2 node"),
}
GROUP_OVER = 3  # more nodes of one role than this share one box (an IPU6 registers dozens)


def _node_boxes(p: CameraPipe, lane: str, after: str) -> tuple[list[ChainElement], list[str]]:
    by_role: dict[str, list[VideoNode]] = {}
    for n in p.nodes:
        by_role.setdefault(n.role, []).append(n)
    out: list[ChainElement] = []
    keys: list[str] = []
    row = 0
    for role, nodes in sorted(by_role.items(), key=lambda kv: (kv[0] != "capture", kv[0])):
        links = [f"{lane}:libcamera"] if role == "capture" and p.is_camera else []
        groups = [nodes] if len(nodes) > GROUP_OVER else [[n] for n in nodes]
        for g in groups:
            key = f"{lane}:node:{g[0].name}"
            first = g[0]
            title = (
                first.devnode
                if len(g) == 1
                else _("{n} nodes ({name}…{name2})").format(n=len(g), name=g[0].name, name2=g[-1].name)
            )
            lines = [
                first.product,
                ", ".join(first.caps) if first.caps else "",
                _("capabilities from {caps_from}").format(caps_from=first.caps_from),
            ]
            rows = [(n.devnode, f"{n.product} · {', '.join(n.caps) or 'no capabilities named'} · {n.caps_from}")
                    for n in g]  # fmt: skip
            out.append(box(key, "node", _(_ROLE.get(role, N_("V4L2 node"))), title, lines, COL_NODES, row, links=links,
                           rows=rows, devpath=first.devpath, quiet="ok" if p.is_camera else "info"))  # fmt: skip
            keys.append(key)
            row += 1
    return out, keys


def _pipe_lane(p: CameraPipe, chain: CameraChain) -> Lane:
    lane = f"cam:{p.address}"
    drv_problems = [x for x in p.problems if "driver" in x.detail and "sensor" not in x.detail]
    lib_problems = [x for x in p.problems if "libcamera" in x.detail]
    pw_problems = [x for x in p.problems if "camera node" in x.detail]
    sensor_problems = [x for x in p.problems if x.detail.startswith(("sensor", "no image sensor"))]
    rest = [x for x in p.problems if x not in drv_problems + lib_problems + pw_problems + sensor_problems]
    elements: list[ChainElement] = [
        box(f"{lane}:dev", "device", _(_CAPTION.get(p.kind, N_("Video device"))), p.name, [p.ids or "", p.address],
            COL_DEVICE, links=[f"{lane}:drv"], problems=rest, devpath=p.key,
            rows=[(_("Name"), p.name), (_("Address"), p.address), ("IDs", p.ids or "?"),
                  (_("Kind"), {"uvc": _("USB Video Class"), "ipu": _("Intel IPU (MIPI camera)")}.get(p.kind,
                                                                                                     "video device")),
                  (_("Driver"), p.driver or _("none")), (_("Module"),
                                                      p.module or _("not recorded")), (_("Device path"), p.key),
                  *((_("Sensor"), f"{s.hid} ({s.driver or 'no driver'})") for s in p.sensors),
                  *((_("Privacy switch"), line) for line in chain.privacy)]),
    ]  # fmt: skip
    sensor_keys = [f"{lane}:sensor:{s.hid}" for s in p.sensors] if p.kind == "ipu" else []
    nodes, node_keys = _node_boxes(p, lane, "")
    drv_links = (sensor_keys or [f"{lane}:sensors"]) if p.kind == "ipu" else node_keys
    elements.append(box(f"{lane}:drv", "driver", _("Kernel driver"), p.driver or _("no driver"),
                        [f"module {p.module}" if p.module and p.module != p.driver else ""], COL_DRIVER,
                        links=drv_links, problems=drv_problems))  # fmt: skip
    if p.kind == "ipu":
        for i, s in enumerate(p.sensors):
            mine = [x for x in sensor_problems if x.subject == s.hid]
            elements.append(box(sensor_keys[i], "sensor", _("Sensor (ACPI id)"), s.hid, [s.driver or _("no driver")],
                                COL_SENSOR, i, links=node_keys, problems=mine, devpath=s.devpath))  # fmt: skip
        if not p.sensors:
            elements.append(box(f"{lane}:sensors", "sensor", _("Sensor"), _("none found"), [], COL_SENSOR,
                                links=node_keys, problems=sensor_problems, quiet="info"))  # fmt: skip
    elements += nodes
    if p.is_camera:
        if chain.libcamera_note:
            lib = box(f"{lane}:libcamera", "libcamera", "libcamera", _("not read"), [chain.libcamera_note],
                      COL_LIBCAMERA, links=[f"{lane}:pw"], problems=lib_problems, quiet="na")  # fmt: skip
        else:
            title = p.libcamera[0].name if p.libcamera else _("no camera listed")
            lib = box(f"{lane}:libcamera", "libcamera", "libcamera", title, [c.id for c in p.libcamera[:2]],
                      COL_LIBCAMERA, links=[f"{lane}:pw"], problems=lib_problems,
                      rows=[(_("Camera {index}").format(index=c.index), f"{c.name} ({c.id})") for c in p.libcamera],
                      quiet="ok" if p.libcamera else "info")  # fmt: skip
        elements.append(lib)
        if chain.server is None:
            pw = box(f"{lane}:pw", "pipewire", "PipeWire", _("not read"), [chain.server_note], COL_PIPEWIRE, quiet="na")
        else:
            title = p.pipewire[0].description if p.pipewire else _("no camera node")
            pw = box(f"{lane}:pw", "pipewire", chain.server.name, title, [n.name for n in p.pipewire[:2]],
                     COL_PIPEWIRE, problems=pw_problems,
                     rows=[(n.media_class, f"{n.description} [{n.api or '?'}: {n.path or n.name}]")
                           for n in p.pipewire],
                     quiet="ok" if p.pipewire else "info")  # fmt: skip
        elements.append(pw)
    title = f"{p.name}" + ("" if p.is_camera else _(" (not a camera)"))
    return Lane(lane, title, " · ".join(x for x in (p.driver, p.ids) if x), tuple(elements))


def camera_picture(chain: CameraChain, label: str) -> ChainPicture:
    lanes = [_pipe_lane(p, chain) for p in chain.pipes]
    notes = [*chain.notes, *chain.privacy]
    if chain.libcamera_note and any(p.is_camera for p in chain.pipes):
        notes.append(f"libcamera: {chain.libcamera_note}")
    if chain.server_note and any(p.is_camera for p in chain.pipes):
        notes.append(_("PipeWire: {server_note}").format(server_note=chain.server_note))
    cams = [p for p in chain.pipes if p.is_camera]
    parts = [ngettext("{n} camera", "{n} cameras", len(cams)).format(n=len(cams)) if cams else _("No camera")]
    others = len(chain.pipes) - len(cams)
    if others:
        parts.append(
            ngettext("{others} other video device", "{others} other video devices", others).format(others=others)
        )
    if chain.source != "live":
        parts.append(f"from {label}")
    return ChainPicture(tuple(lanes), issues_of(lanes, chain.problems, notes), " · ".join(parts))
