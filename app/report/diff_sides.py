"""The sides of a comparison: the live machine, a bundle or a foreign dump, read as sections.

A redacted bundle holds tokens where the live machine has serials and MAC addresses; when the bundle
was redacted with this installation's key, the other side goes through the same filter first, so a
device whose path carries a MAC is the same device on both sides.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from hwinspector.probes.bundle.reader import extract_bundle, is_bundle
from hwinspector.probes.errors import InputFormatError
from hwinspector.probes.machine.sections import Section, collect_live, sections_from_snapshot
from hwinspector.probes.machine.snapshot import read_file_snapshot
from hwinspector.probes.telemetry.recording import Recording
from hwinspector.report.diff import ChannelStats, Side

LIVE = "live"
_KEEP = ("manifest.json", "SHA256SUMS", "recordings/telemetry.jsonl.gz")


def summarize_recording(rec: Recording) -> dict[str, ChannelStats]:
    """Mean, minimum and maximum of every channel over the finite samples."""
    out: dict[str, ChannelStats] = {}
    for ch in rec.channels:
        _, values = rec.series.get(ch.id, (np.zeros(0, np.int64), np.zeros(0)))
        finite = values[np.isfinite(values)]
        if len(finite):
            out[ch.id] = ChannelStats(
                ch.label, ch.unit, float(finite.mean()), float(finite.min()), float(finite.max()), len(finite)
            )
    return out


def load_side(spec: str, *, include_gl: bool = True, sysfs: Path = Path("/sys"), procfs: Path = Path("/proc")) -> Side:
    """``live``, a bundle or a udevadm/umockdev dump; raises InputFormatError for what is none of them."""
    if spec == LIVE:
        sections = collect_live(sysfs, procfs, include_gl=include_gl)
        sections.pop("meta", None)
        return Side("live machine", "live", sections, None, (), time.time())
    path = Path(spec)
    if not path.exists():
        raise InputFormatError(spec, "no such file (give a bundle, a udevadm dump, a umockdev file or 'live')")
    if path.is_dir():
        raise InputFormatError(spec, "is a directory; give a bundle, a udevadm dump, a umockdev file or 'live'")
    if is_bundle(path):
        with extract_bundle(path, keep=lambda rel: rel in _KEEP or rel.startswith("structured/")) as b:
            snap = b.snapshot()
            notes = list(snap.source.notes)
            try:
                rec = b.recording()
            except InputFormatError as exc:
                rec = None
                notes.append(f"its recording cannot be read: {exc.reason}")
            privacy = b.manifest.get("privacy")
            return Side(
                path.name,
                "bundle",
                dict(b.sections),
                summarize_recording(rec) if rec is not None else None,
                tuple(notes),
                snap.source.taken_at,
                privacy if isinstance(privacy, dict) else {},
            )
    snap = read_file_snapshot(path)
    return Side(
        path.name, snap.source.kind, sections_from_snapshot(snap), None, snap.source.notes, snap.source.taken_at
    )


def _redacted_with(side: Side) -> str | None:
    fp = side.privacy.get("key_fingerprint") if side.privacy.get("redacted") else None
    return fp if isinstance(fp, str) else None


def _relaxed(side: Side) -> tuple[str, ...]:
    cats = side.privacy.get("categories")
    if not isinstance(cats, dict):
        return ()
    return tuple(c for c, v in cats.items() if isinstance(v, dict) and v.get("relaxed"))


def align_privacy(a: Side, b: Side, key_path: Path | None = None) -> tuple[Side, Side, list[str]]:
    """Pass the unredacted side through the redacted side's filter when this installation holds its key."""
    from hwinspector.report import privacy

    fa, fb = _redacted_with(a), _redacted_with(b)
    if fa == fb:
        return a, b, []
    if fa and fb:
        return a, b, ["the two bundles were redacted with different keys: their tokens never match"]
    redacted, plain = (a, b) if fa else (b, a)
    fingerprint = fa or fb
    path = key_path or privacy.default_key_path()
    key = privacy.load_or_create_key(path) if path.exists() else None
    if key is None or privacy.key_fingerprint(key) != fingerprint:
        note = (
            f"{redacted.label} was redacted on another installation: identifiers there are tokens, so devices "
            "named after a serial or MAC address show as added and removed"
        )
        return a, b, [note]
    ctx = privacy.gather_context() if plain.kind == "live" else _dump_context(plain)
    f = privacy.PrivacyFilter(key, _relaxed(redacted), ctx)
    sections: dict[str, Section] = {}
    for name, sec in plain.sections.items():
        sections[name] = Section(name, sec.available, sec.reason, f.json(sec.data, where=f"structured/{name}.json"))
    filtered = Side(plain.label, plain.kind, sections, plain.telemetry, plain.notes, plain.taken_at, plain.privacy)
    note = f"{plain.label} was passed through this installation's privacy filter to match {redacted.label}"
    return (filtered, b, [note]) if plain is a else (a, filtered, [note])


def _dump_context(side: Side) -> Any:
    from hwinspector.probes.bundle.snapshot import device_from_json
    from hwinspector.report.privacy import PrivacyContext
    from hwinspector.report.privacy_context import device_identifiers

    doc = side.sections.get("devices")
    data: Mapping[str, Any] = doc.data if doc is not None and isinstance(doc.data, dict) else {}
    devices = [d for d in (device_from_json(x) for x in data.get("devices") or []) if d is not None]
    return PrivacyContext(tuple(device_identifiers(devices)))
