"""Comparing two machines or two captures: devices, drivers, versions, problems, graphics, telemetry.

Qt-free. Both sides are sections (probes/machine.py's JSON-ready views), so a bundle, a foreign dump
and the live machine compare alike; what one side cannot show is listed as not compared, never as a
difference.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from hwinspector.i18n import N_
from hwinspector.probes.machine.sections import Section
from hwinspector.report.diff_gpu import gpu_map
from hwinspector.report.diff_links import usbc_map, wireless_map

CATEGORIES = (
    "devices",
    "drivers",
    "versions",
    "problems",
    "graphics",
    "gpu",
    "audio",
    "camera",
    "usb-c",
    "wireless",
    "idle",
    "telemetry",
)
CATEGORY_TITLES = {
    "devices": N_("Devices"),
    "drivers": N_("Drivers and modules"),
    "versions": N_("Firmware and versions"),
    "problems": N_("Problems"),
    "graphics": N_("Graphics chain"),
    "gpu": N_("GPU"),
    "audio": N_("Audio chain"),
    "camera": N_("Camera chain"),
    "usb-c": N_("USB-C and Thunderbolt chain"),
    "wireless": N_("Wireless chain"),
    "idle": N_("Idle (what kept the machine awake)"),
    "telemetry": N_("Telemetry (recording summaries)"),
}
CHANGE_SIGNS = {"added": "+", "removed": "-", "changed": "~", "appeared": "+", "disappeared": "-"}
# Device attributes and udev properties that carry firmware versions (NVMe firmware_rev, ATA ID_REVISION,
# network fw_version, amdgpu vbios_version, thunderbolt nvm_version, …)
_FIRMWARE_KEY = re.compile(
    r"^(?:firmware_(?:version|rev|revision)|fw_?(?:version|rev)|vbios_version|nvm_version|ID_REVISION)$"
)
_VERSION_FIELDS = (
    ("kernel", "kernel"),
    ("os_name", "operating system"),
    ("bios_vendor", "BIOS vendor"),
    ("bios_version", "BIOS version"),
    ("bios_date", "BIOS date"),
    ("firmware_type", "firmware type"),
    ("secure_boot", "Secure Boot"),
    ("microcode", "CPU microcode"),
    ("cpu_model", "CPU"),
    ("memory_bytes", "memory"),
)
_MESA = re.compile(r"Mesa (\d+\.\d+(?:\.\d+)?(?:-\S+)?)")


@dataclass(frozen=True, slots=True)
class Change:
    category: str  # one of CATEGORIES
    kind: str  # "added" | "removed" | "changed"
    item: str  # what changed: a devpath, a driver, "kernel", a channel
    a: str | None  # the value on side A (None: absent there)
    b: str | None
    detail: str = ""  # a name to show next to a devpath, a percentage

    def to_json(self) -> dict[str, Any]:
        return {
            "category": self.category,
            "kind": self.kind,
            "item": self.item,
            "a": self.a,
            "b": self.b,
            "detail": self.detail,
        }


@dataclass(frozen=True, slots=True)
class ChannelStats:
    label: str
    unit: str
    mean: float
    minimum: float
    maximum: float
    samples: int


@dataclass(frozen=True)
class Side:
    """One side of a comparison: what it is, its sections, and its recording's summary."""

    label: str  # file name or "live machine"
    kind: str  # "live" | "bundle" | "udevadm" | "umockdev"
    sections: Mapping[str, Section]
    telemetry: Mapping[str, ChannelStats] | None = None  # None: no recording on this side
    notes: tuple[str, ...] = ()
    taken_at: float = 0.0
    privacy: Mapping[str, Any] = field(default_factory=dict)  # a bundle's manifest privacy summary

    def to_json(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "kind": self.kind,
            "taken_at": self.taken_at,
            "redacted": bool(self.privacy.get("redacted")),
            "notes": list(self.notes),
        }


@dataclass(frozen=True, slots=True)
class Diff:
    a: Side
    b: Side
    changes: tuple[Change, ...]
    not_compared: tuple[str, ...]  # "graphics chain: UdevDb.txt has no graphics (not part of UdevDb.txt)"
    notes: tuple[str, ...] = ()  # how the sides were made comparable (the privacy filter applied to one)

    @property
    def equal(self) -> bool:
        return not self.changes

    def by_category(self) -> dict[str, list[Change]]:
        out: dict[str, list[Change]] = {c: [] for c in CATEGORIES}
        for ch in self.changes:
            out.setdefault(ch.category, []).append(ch)
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "equal": self.equal,
            "a": self.a.to_json(),
            "b": self.b.to_json(),
            "changes": [c.to_json() for c in self.changes],
            "not_compared": list(self.not_compared),
            "notes": list(self.notes),
        }


def _data(side: Side, name: str) -> Any:
    sec = side.sections.get(name)
    return sec.data if sec is not None and sec.available else None


def _dicts(v: Any) -> list[dict[str, Any]]:
    return [x for x in v if isinstance(x, dict)] if isinstance(v, list) else []


def _s(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return str(v)


def _keyed(
    category: str, a: Mapping[str, str], b: Mapping[str, str], names: Mapping[str, str] | None = None
) -> list[Change]:
    """Added, removed and changed entries of two {key: value} maps."""
    out: list[Change] = []
    names = names or {}
    for k in sorted(set(a) | set(b)):
        va, vb = a.get(k), b.get(k)
        if k not in a:
            out.append(Change(category, "added", k, None, vb, names.get(k, "")))
        elif k not in b:
            out.append(Change(category, "removed", k, va, None, names.get(k, "")))
        elif va != vb:
            out.append(Change(category, "changed", k, va, vb, names.get(k, "")))
    return out


# --- one comparison per category ---------------------------------------------------------------------


def _devices(side: Side) -> dict[str, dict[str, Any]]:
    doc = _data(side, "devices")
    devices = _dicts(doc.get("devices")) if isinstance(doc, dict) else []
    return {d["path"]: d for d in devices if isinstance(d.get("path"), str)}


def compare_devices(a: Side, b: Side) -> list[Change]:
    da, db = _devices(a), _devices(b)
    names = {p: str(d.get("name") or "") for p, d in {**da, **db}.items()}
    present = _keyed("devices", {p: names[p] for p in da}, {p: names[p] for p in db}, names)
    out = [c for c in present if c.kind != "changed"]
    for p in sorted(set(da) & set(db)):
        for field_name in ("driver", "module"):
            va, vb = _s(da[p].get(field_name)), _s(db[p].get(field_name))
            if va != vb:
                out.append(Change("drivers", "changed", f"{p} {field_name}", va, vb, names[p]))
        fa, fb = _firmware_of(da[p]), _firmware_of(db[p])
        for c in _keyed("versions", fa, fb):
            out.append(Change("versions", c.kind, f"{p} {c.item}", c.a, c.b, names[p]))
    return out


def _firmware_of(d: Mapping[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for where in ("attributes", "properties"):
        m = d.get(where)
        if isinstance(m, dict):
            out.update({k: str(v) for k, v in m.items() if _FIRMWARE_KEY.match(k) and isinstance(v, str | int)})
    return out


def compare_drivers(a: Side, b: Side) -> list[Change]:
    def bindings(side: Side) -> dict[str, dict[str, Any]]:
        doc = _data(side, "drivers")
        items = _dicts(doc.get("bindings")) if isinstance(doc, dict) else []
        return {str(x.get("driver")): x for x in items if x.get("devices")}

    def modules(bs: Mapping[str, dict[str, Any]]) -> dict[str, str]:
        return {k: _s(v.get("module")) or "" for k, v in bs.items()}  # dumps do not say which module

    ba, bb = bindings(a), bindings(b)
    out = [c for c in _keyed("drivers", modules(ba), modules(bb)) if c.kind != "changed"]
    for k in sorted(set(ba) & set(bb)):
        if _s(ba[k].get("module")) != _s(bb[k].get("module")):
            out.append(Change("drivers", "changed", f"{k} module", _s(ba[k].get("module")), _s(bb[k].get("module"))))
        for field_name in ("module_version", "srcversion"):
            va, vb = _s(ba[k].get(field_name)), _s(bb[k].get(field_name))
            if va != vb and (va or vb):
                out.append(Change("versions", "changed", f"{k} {field_name.replace('_', ' ')}", va, vb))
    return out


def compare_versions(a: Side, b: Side) -> list[Change]:
    ia, ib = _data(a, "identity"), _data(b, "identity")
    out: list[Change] = []
    if isinstance(ia, dict) and isinstance(ib, dict):
        for key, label in _VERSION_FIELDS:
            va, vb = _s(ia.get(key)), _s(ib.get(key))
            if va != vb and va is not None and vb is not None:
                out.append(Change("versions", "changed", label, va, vb))
    out += _keyed("versions", _gl_versions(a), _gl_versions(b))
    out += _keyed("versions", _vulkan_versions(a), _vulkan_versions(b))
    return out


def _gl_versions(side: Side) -> dict[str, str]:
    doc = _data(side, "gl")
    out: dict[str, str] = {}
    for disp in _dicts(doc.get("displays")) if isinstance(doc, dict) else []:
        where = f"{disp.get('api', '?')}/{disp.get('platform', '?')}"
        ctx = next(iter(_dicts(disp.get("contexts"))), {})
        rq = disp.get("renderer_query") if isinstance(disp.get("renderer_query"), dict) else {}
        version = str(ctx.get("version") or "")
        mesa = (rq or {}).get("mesa_version") or (m[1] if (m := _MESA.search(version)) else None)
        if ctx.get("renderer"):
            out[f"OpenGL renderer ({where})"] = str(ctx["renderer"])
        if version:
            out[f"OpenGL version ({where})"] = version
        if mesa:
            out[f"Mesa ({where})"] = str(mesa)
    return out


def _vulkan_versions(side: Side) -> dict[str, str]:
    doc = _data(side, "vulkan")
    out: dict[str, str] = {}
    for dev in _dicts(doc.get("devices")) if isinstance(doc, dict) else []:
        name = f"Vulkan {dev.get('device_name', '?')}"
        out[f"{name} driver"] = " ".join(
            str(x) for x in (dev.get("driver_name"), dev.get("driver_info") or dev.get("driver_version")) if x
        )
        if dev.get("api_version"):
            out[f"{name} API"] = str(dev["api_version"])
    return out


def _problem_map(side: Side, with_graphics: bool) -> tuple[dict[str, str], dict[str, str]]:
    """{"kind: device": detail} of a side's problems, and {key: device name}."""
    doc = _data(side, "drivers")
    out: dict[str, str] = {}
    names: dict[str, str] = {}
    for p in _dicts(doc.get("problems")) if isinstance(doc, dict) else []:
        key = f"{p.get('kind')}: {p.get('path') or p.get('name') or p.get('detail')}"
        out[key] = str(p.get("detail") or "")
        names[key] = str(p.get("name") or "")
    graphics = _data(side, "graphics")
    if with_graphics and isinstance(graphics, dict):
        found = _dicts(graphics.get("problems"))
        for item in _dicts(graphics.get("gpus")) + _dicts(graphics.get("connectors")):
            found += _dicts(item.get("problems"))
        for p in found:
            out[f"graphics: {p.get('subject')}: {p.get('detail')}"] = str(p.get("severity") or "")
    return out, names


def compare_problems(a: Side, b: Side) -> list[Change]:
    both = all(s.sections.get("graphics") is not None and s.sections["graphics"].available for s in (a, b))
    (pa, na), (pb, nb) = _problem_map(a, both), _problem_map(b, both)
    renamed = {"added": "appeared", "removed": "disappeared"}
    return [
        Change(c.category, renamed[c.kind], c.item, c.a, c.b, c.detail)
        for c in _keyed("problems", pa, pb, {**na, **nb})
        if c.kind in renamed
    ]


def _mode(m: Any) -> str | None:
    if not isinstance(m, dict):
        return None
    try:
        return f"{m['width']}x{m['height']} @ {float(m['refresh_hz']):.2f} Hz"
    except (KeyError, TypeError, ValueError):
        return None


def _chain(side: Side) -> dict[str, str]:
    doc = _data(side, "graphics")
    out: dict[str, str] = {}
    if not isinstance(doc, dict):
        return out
    out["default GPU"] = str(doc.get("default_gpu"))
    for g in _dicts(doc.get("gpus")):
        gpu = f"GPU {g.get('address') or g.get('devpath')}"
        out[f"{gpu} name"] = str(g.get("name"))
        out[f"{gpu} driver"] = str(g.get("driver"))
        cards = [str(c.get("name")) for c in _dicts(g.get("cards"))]
        out[f"{gpu} DRM cards"] = ", ".join(cards) or "none"
        for fw in g.get("firmware") or []:
            if isinstance(fw, list) and len(fw) == 2:
                out[f"{gpu} firmware {fw[0]}"] = str(fw[1])
    for c in _dicts(doc.get("connectors")):
        con = f"connector {c.get('name')}"
        out[f"{con} status"] = str(c.get("status"))
        if c.get("monitor"):
            out[f"{con} monitor"] = str(c["monitor"])
        if (mode := _mode(c.get("current_mode"))) is not None:
            out[f"{con} mode"] = mode
    return out


def compare_graphics(a: Side, b: Side) -> list[Change]:
    return _keyed("graphics", _chain(a), _chain(b))


def compare_audio(a: Side, b: Side) -> list[Change]:
    from hwinspector.report.diff_av import audio_links

    return _keyed("audio", audio_links(_data(a, "audio")), audio_links(_data(b, "audio")))


def compare_camera(a: Side, b: Side) -> list[Change]:
    from hwinspector.report.diff_av import camera_links

    return _keyed("camera", camera_links(_data(a, "camera")), camera_links(_data(b, "camera")))


def compare_telemetry(a: Side, b: Side) -> list[Change]:
    ta, tb = a.telemetry or {}, b.telemetry or {}
    out: list[Change] = []

    def shown(s: ChannelStats) -> str:
        return f"mean {s.mean:.4g} {s.unit} (min {s.minimum:.4g}, max {s.maximum:.4g}, {s.samples} samples)"

    for cid in sorted(set(ta) | set(tb)):
        sa, sb = ta.get(cid), tb.get(cid)
        label = (sa or sb).label if (sa or sb) else cid  # type: ignore[union-attr]
        if sa is None or sb is None:
            kind = "added" if sa is None else "removed"
            out.append(Change("telemetry", kind, label, shown(sa) if sa else None, shown(sb) if sb else None))
            continue
        if not math.isclose(sa.mean, sb.mean, rel_tol=1e-3, abs_tol=1e-9):
            pct = (sb.mean - sa.mean) / abs(sa.mean) * 100 if sa.mean else math.inf
            out.append(Change("telemetry", "changed", label, shown(sa), shown(sb), f"mean {pct:+.1f} %"))
    return out


def _idle_figures(side: Side) -> dict[str, float]:
    """The idle report's comparable numbers, keyed by what they measure (names, not pids)."""
    doc = _data(side, "idle")
    if not isinstance(doc, dict):
        return {}
    out: dict[str, float] = {}
    for p in _dicts(doc.get("processes")):
        key = f"wakeups/s of {p.get('name')}"
        out[key] = out.get(key, 0.0) + float(p.get("wakeups_per_s") or 0)
    for i in _dicts(doc.get("interrupts")):
        out[f"interrupts/s of {i.get('name') or i.get('irq')}"] = float(i.get("per_s") or 0)
    for k, v in (doc.get("lpi") or {}).items():
        out[f"LPI {k.replace('_', ' ')}"] = float(v)
    for k, v in ((doc.get("privileged") or {}).get("package_cstates") or {}).items():
        out[f"residency % of {k}"] = float(v)
    for k, v in ((doc.get("privileged") or {}).get("rapl_watts") or {}).items():
        out[f"watts of {k}"] = float(v)
    battery = doc.get("battery") or {}
    if isinstance(battery.get("power_now_watts"), (int, float)):
        out["battery discharge W"] = float(battery["power_now_watts"])
    return out


def compare_idle(a: Side, b: Side) -> list[Change]:
    """Idle before and after (a kernel or firmware update): the verdict and every figure that moved.

    Rates are noisy: a figure counts as changed when it moved by more than 25 % and by more than 5
    (wakeups, interrupts per second, percentage points) or 0.2 W.
    """
    out: list[Change] = []
    da, db = _data(a, "idle") or {}, _data(b, "idle") or {}
    va, vb = (d.get("verdict", {}).get("summary") for d in (da, db))
    if va != vb:
        out.append(Change("idle", "changed", "verdict", _s(va), _s(vb)))
    fa, fb = _idle_figures(a), _idle_figures(b)
    for k in sorted(set(fa) | set(fb)):
        x, y = fa.get(k, 0.0), fb.get(k, 0.0)
        floor = 0.2 if k.startswith(("watts", "battery")) else 5.0
        if abs(y - x) > floor and abs(y - x) > 0.25 * max(abs(x), abs(y)):
            kind = "added" if k not in fa else "removed" if k not in fb else "changed"
            pct = f"{(y - x) / x * 100:+.0f} %" if x else ""
            out.append(Change("idle", kind, k, f"{x:.4g}" if k in fa else None, f"{y:.4g}" if k in fb else None, pct))
    return out


_COMPARERS: tuple[tuple[str, tuple[str, ...], Callable[[Side, Side], list[Change]]], ...] = (
    ("devices and drivers", ("devices",), compare_devices),
    ("driver bindings", ("drivers",), compare_drivers),
    ("versions", ("identity",), compare_versions),
    ("problems", ("drivers",), compare_problems),
    ("graphics chain", ("graphics",), compare_graphics),
    ("GPU", ("gpu",), lambda a, b: _keyed("gpu", gpu_map(a.sections), gpu_map(b.sections))),
    ("audio chain", ("audio",), compare_audio),
    ("camera chain", ("camera",), compare_camera),
    (
        "USB-C and Thunderbolt chain",
        ("usbc",),
        lambda a, b: _keyed("usb-c", usbc_map(a.sections), usbc_map(b.sections)),
    ),
    (
        "wireless chain",
        ("wireless",),
        lambda a, b: _keyed("wireless", wireless_map(a.sections), wireless_map(b.sections)),
    ),
    ("idle", ("idle",), compare_idle),
)


def diff(a: Side, b: Side) -> Diff:
    """Every difference between two sides; what only one side can show is listed as not compared."""
    changes: list[Change] = []
    skipped: list[str] = []
    for what, needs, compare in _COMPARERS:
        missing: dict[str, list[str]] = {}  # reason -> sides
        for side in (a, b):
            for n in needs:
                sec = side.sections.get(n)
                if sec is None or not sec.available:
                    reason = f"no {n} ({sec.reason if sec is not None and sec.reason else 'not in this source'})"
                    missing.setdefault(reason, []).append("A" if side is a else "B")
        if missing:
            skipped.append(f"{what}: " + "; ".join(f"{' and '.join(w)}: {r}" for r, w in missing.items()))
            continue
        changes += compare(a, b)
    for name in ("gl", "vulkan"):
        avail = [s.sections.get(name) is not None and s.sections[name].available for s in (a, b)]
        if avail[0] != avail[1]:
            skipped.append(f"{name}: only {'A' if avail[0] else 'B'} has it")
    if a.telemetry is not None and b.telemetry is not None:
        changes += compare_telemetry(a, b)
    else:
        without = ["A" if s is a else "B" for s in (a, b) if s.telemetry is None]
        skipped.append(f"telemetry: {' and '.join(without)}: no recording")
    order = {c: i for i, c in enumerate(CATEGORIES)}
    changes.sort(key=lambda c: (order.get(c.category, len(order)), c.kind, c.item))
    return Diff(a, b, tuple(_dedupe(changes)), tuple(skipped))


def _dedupe(changes: Iterable[Change]) -> list[Change]:
    seen: set[tuple[str, str, str]] = set()
    out = []
    for c in changes:
        key = (c.category, c.kind, c.item)
        if key not in seen:
            seen.add(key)
            out.append(c)
    return out
