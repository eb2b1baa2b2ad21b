"""A bundle's manifest, checksums and structured sections, and the Snapshot they describe.

Everything here reads what someone else wrote: every field is type-checked, a bad entry is skipped
and counted, and what does not match its checksum is reported, never trusted silently.
"""

from __future__ import annotations

import calendar
import hashlib
import json
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hwinspector.probes.devices import drivers as drv
from hwinspector.probes.devices.tree import Device
from hwinspector.probes.errors import InputFormatError
from hwinspector.probes.machine.sections import SECTIONS, Section

if TYPE_CHECKING:
    from hwinspector.probes.bundle.reader import Limits, OpenedBundle
    from hwinspector.probes.machine.snapshot import Snapshot

_SECTION_PREFIX = "structured/"


def _load_json(root: Path, rel: str, source: str, limit: int) -> Any:
    p = root / rel
    size = p.stat().st_size
    if size > limit:
        raise ValueError(f"{size} bytes, over the {limit >> 20} MiB a JSON member may have")
    try:
        return json.loads(p.read_bytes())
    except RecursionError:  # [[[[…]]]] nested deeper than the parser's stack
        raise ValueError("nested too deeply") from None
    except UnicodeDecodeError:
        raise ValueError("not UTF-8") from None


def read_manifest_and_sections(
    root: Path, source: str, digests: Mapping[str, str], members: list[str], limits: Limits
) -> tuple[dict[str, Any], dict[str, Section], list[str]]:
    """Parse manifest.json (a refusal when it is missing or not an object), verify SHA256SUMS and the
    manifest's checksums (warnings), and read every structured section (a broken one is unavailable)."""
    warnings: list[str] = []
    if "manifest.json" not in digests:
        raise InputFormatError(source, "no manifest.json: not an evidence bundle")
    try:
        manifest = _load_json(root, "manifest.json", source, limits.json_bytes)
    except (OSError, ValueError) as exc:
        raise InputFormatError(source, f"manifest.json is not valid JSON ({exc})") from None
    if not isinstance(manifest, dict):
        raise InputFormatError(source, "manifest.json is not a JSON object")
    version = manifest.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise InputFormatError(source, "manifest.json has no schema_version: not an evidence bundle")
    if version > 1:
        warnings.append(
            f"bundle format version {version} is newer than this hwinspector reads (1): parts may be missing"
        )
    warnings += verify_checksums(root, digests, manifest)
    sections: dict[str, Section] = {}
    for rel in members:
        if not rel.startswith(_SECTION_PREFIX) or not rel.endswith(".json"):
            continue
        name = rel[len(_SECTION_PREFIX) : -len(".json")]
        if not name.replace("_", "").isalnum() or not name.isascii() or len(name) > 40:
            continue
        if not (root / rel).is_file():
            continue  # not kept by this extraction
        try:
            doc = _load_json(root, rel, source, limits.json_bytes)
        except (OSError, ValueError) as exc:
            warnings.append(f"{rel} is not valid JSON ({exc}); that section is not shown")
            sections[name] = Section(name, False, f"{rel} in this bundle is damaged", None)
            continue
        sec = Section.from_json(name, doc)
        if not isinstance(sec.reason, str | type(None)):
            sec = Section(name, sec.available, str(sec.reason), sec.data)
        sections[name] = sec
    for name in SECTIONS:
        sections.setdefault(name, Section(name, False, "not in this bundle", None))
    return manifest, sections, warnings


def verify_checksums(root: Path, digests: Mapping[str, str], manifest: Mapping[str, Any]) -> list[str]:
    """Problems with SHA256SUMS and the manifest's artifact list; [] when everything matches."""
    problems: list[str] = []
    bad: list[str] = []
    if "SHA256SUMS" not in digests:
        problems.append("SHA256SUMS is missing: the files cannot be checked")
    else:
        listed: set[str] = set()
        try:
            text = (root / "SHA256SUMS").read_text("utf-8", errors="replace")
        except OSError:
            text = ""
        for line in text.splitlines()[:100_000]:
            digest, sep, name = line.partition("  ")
            if not sep:
                digest, sep, name = line.partition(" *")  # sha256sum's binary-mode marker
            if not sep:
                problems.append("SHA256SUMS has a malformed line")
                continue
            listed.add(name)
            have = digests.get(name)
            if have is None:
                problems.append(f"{_shown(name)}: listed in SHA256SUMS but missing")
            elif have != digest.strip().lower():
                bad.append(name)
        unlisted = sorted(set(digests) - listed - {"SHA256SUMS", "manifest.json"})
        if unlisted:
            problems.append(f"{len(unlisted)} file(s) not listed in SHA256SUMS: {', '.join(map(_shown, unlisted[:3]))}")
    entries = manifest.get("artifacts")
    for e in entries if isinstance(entries, list) else []:
        if not isinstance(e, dict) or not isinstance(e.get("path"), str):
            continue
        have = digests.get(e["path"])
        if (
            have is not None
            and isinstance(e.get("sha256"), str)
            and have != e["sha256"].lower()
            and e["path"] not in bad
        ):
            bad.append(e["path"])
    if bad:
        problems.insert(
            0,
            f"{len(bad)} file(s) do not match their checksums, changed after capture: "
            + ", ".join(map(_shown, bad[:3])),
        )
    return problems


def _shown(name: str) -> str:
    return name.encode("unicode_escape").decode("ascii")[:80]


def _parse_iso(value: Any) -> float:
    """``2025-06-01T12:00:00.250Z`` as seconds since the epoch; 0 when it is not that."""
    if not isinstance(value, str):
        return 0.0
    try:
        base, _, frac = value.rstrip("Z").partition(".")
        t = calendar.timegm(time.strptime(base, "%Y-%m-%dT%H:%M:%S"))
        return t + (float(f"0.{frac}") if frac.isdigit() else 0.0)
    except (ValueError, OverflowError):
        return 0.0


def _obj(v: Any) -> dict[str, Any]:
    return v if isinstance(v, dict) else {}


def _str(v: Any) -> str | None:
    return v if isinstance(v, str) else None


def _str_map(v: Any) -> dict[str, str]:
    if not isinstance(v, dict):
        return {}
    return {str(k): str(x) for k, x in v.items() if isinstance(x, str | int | float) and not isinstance(x, bool)}


def device_from_json(d: Any) -> Device | None:
    """A Device from its to_json() form, or None where the entry is not one."""
    if not isinstance(d, dict) or not isinstance(d.get("path"), str) or not isinstance(d.get("name"), str):
        return None
    errors = d.get("errors")
    return Device(
        path=d["path"],
        parent=_str(d.get("parent")),
        subsystem=_str(d.get("subsystem")),
        devtype=_str(d.get("devtype")),
        driver=_str(d.get("driver")),
        name=d["name"],
        kind=_str(d.get("kind")) or "Other devices",
        properties=_str_map(d.get("properties")),
        attributes=_str_map(d.get("attributes")),
        binary_attributes=_str_map(d.get("binary_attributes")),
        module=_str(d.get("module")),
        errors=tuple(str(e) for e in errors) if isinstance(errors, list) else (),
    )


def _strs(v: Any) -> tuple[str, ...]:
    return tuple(x for x in v if isinstance(x, str)) if isinstance(v, list) else ()


def _binding(b: Any) -> drv.Binding | None:
    if not isinstance(b, dict) or not isinstance(b.get("driver"), str):
        return None
    return drv.Binding(
        driver=b["driver"],
        module=_str(b.get("module")),
        bus=_str(b.get("bus")),
        devices=_strs(b.get("devices")),
        module_version=_str(b.get("module_version")),
        srcversion=_str(b.get("srcversion")),
        parameters=tuple(sorted(_str_map(b.get("parameters")).items())),
    )


def _problem(p: Any) -> drv.Problem | None:
    if not isinstance(p, dict) or not isinstance(p.get("kind"), str) or not isinstance(p.get("detail"), str):
        return None
    return drv.Problem(
        path=_str(p.get("path")),
        kind=p["kind"],
        severity=_str(p.get("severity")) or "warning",
        subsystem=_str(p.get("subsystem")),
        modalias=_str(p.get("modalias")),
        detail=p["detail"],
        candidates=_strs(p.get("candidates")),
        name=_str(p.get("name")) or "",
    )


def _parsed(items: Any, parse: Any, what: str, notes: list[str]) -> list[Any]:
    out = []
    skipped = 0
    for x in items if isinstance(items, list) else []:
        v = parse(x)
        if v is None:
            skipped += 1
        else:
            out.append(v)
    if skipped:
        notes.append(f"{skipped} malformed {what} entr{'y' if skipped == 1 else 'ies'} in this bundle skipped")
    return out


def snapshot_from_bundle(b: OpenedBundle) -> Snapshot:
    from hwinspector.probes.machine.snapshot import Snapshot, Source, SystemInfo

    m = b.manifest
    notes: list[str] = list(b.warnings)
    system = _obj(m.get("system"))
    ident = _obj(b.sections["identity"].data)
    created = _parse_iso(m.get("created"))
    title = _str(system.get("title")) or "an unknown machine"
    privacy = _obj(m.get("privacy"))
    gen = _obj(m.get("generator"))
    origin = f"captured {_str(m.get('created')) or 'at an unknown time'} on {title}"
    if gen:
        origin += f" by {_str(gen.get('name')) or '?'} {_str(gen.get('version')) or ''}".rstrip()
    notes.insert(0, origin)
    if privacy.get("redacted") is False:
        notes.append("captured with --no-redact: serials, addresses and names are as read on that machine")
    elif privacy.get("redacted"):
        notes.append("identifying values were replaced by tokens (privacy filter) before the bundle was written")
    devices_doc = b.sections["devices"].data if b.sections["devices"].available else None
    drivers_doc = b.sections["drivers"].data if b.sections["drivers"].available else None
    if not isinstance(devices_doc, dict):
        notes.append(f"this bundle has no device list ({b.sections['devices'].reason or 'structured/devices.json'})")
        devices_doc = {}
    if not isinstance(drivers_doc, dict):
        drivers_doc = {}
    devices = _parsed(devices_doc.get("devices"), device_from_json, "device", notes)
    bindings = _parsed(drivers_doc.get("bindings"), _binding, "driver binding", notes)
    problems = _parsed(drivers_doc.get("problems"), _problem, "problem", notes)
    taint_doc = drivers_doc.get("taint")
    value = taint_doc.get("value") if isinstance(taint_doc, dict) else None
    taint = drv.decode_taint(value) if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None
    info = SystemInfo(
        kernel=_str(system.get("kernel")) or _str(ident.get("kernel")),
        os_name=_str(system.get("os_name")) or _str(ident.get("os_name")),
        vendor=_str(system.get("vendor")) or _str(ident.get("vendor")),
        product=_str(system.get("product")) or _str(ident.get("product")),
    )
    return Snapshot(
        Source("bundle", b.path.name, str(b.path), tuple(notes), created),
        tuple(devices),
        tuple(bindings),
        tuple(problems),
        taint,
        info,
    )


def bundle_digest(path: Path) -> str:
    """sha256 of the bundle file itself (what a bug report can quote)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()
