"""Opening evidence bundles: safe extraction, checksum verification, and what the GUI says about one.

The reading itself lives in ``hwinspector.probes.bundle.reader`` (Qt-free, no app imports) so that
``probes.snapshot.load_snapshot`` opens bundles for every CLI command and the GUI alike.
"""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hwinspector.probes.bundle.reader import (
    DEFAULT_LIMITS,
    Limits,
    OpenedBundle,
    cached_bundle_sections,
    extract_bundle,
    is_bundle,
    process_temp_dir,
)
from hwinspector.probes.errors import InputFormatError
from hwinspector.probes.machine.snapshot import Snapshot

if TYPE_CHECKING:
    from hwinspector.probes.telemetry.recording import Recording

__all__ = [
    "DEFAULT_LIMITS",
    "Limits",
    "OpenedBundle",
    "captured_text",
    "describe_source",
    "is_bundle",
    "load_recording",
    "open_bundle",
    "process_temp_dir",
    "verify_bundle",
]

RECORDING = "recordings/telemetry.jsonl.gz"


def open_bundle(path: Path, workdir: Path | None = None, *, limits: Limits = DEFAULT_LIMITS) -> OpenedBundle:
    """Extract a bundle into a private directory (this process's temp dir unless ``workdir``) and read
    its manifest and sections; raises InputFormatError with a one-line reason. Close it when done."""
    return extract_bundle(path, workdir, limits=limits)


def verify_bundle(path: Path) -> list[str]:
    """Every problem found opening the bundle: [] when it opens and every checksum matches."""
    try:
        with extract_bundle(path, keep=lambda rel: rel in ("manifest.json", "SHA256SUMS")) as b:
            return list(b.warnings)
    except InputFormatError as exc:
        return [str(exc)]


def load_recording(path: Path) -> Recording | None:
    """The telemetry recording inside a bundle, or None; nothing else is written out."""
    with extract_bundle(path, keep=lambda rel: rel in ("manifest.json", "SHA256SUMS", RECORDING)) as b:
        rec: Recording | None = b.recording()
    # the extracted file is gone once the bundle is closed: name the bundle instead
    return dataclasses.replace(rec, path=f"{path} (recording)") if rec is not None else None


def describe_source(snapshot: Snapshot) -> str:
    """One sentence for the banner: what is shown, from where, captured when (plain text)."""
    src = snapshot.source
    if src.is_live:
        return "Live machine"
    if src.kind != "bundle":
        return f"You are looking at {src.label}, a {src.kind} dump from another machine, not at the live machine."
    machine = " ".join(x for x in (snapshot.system.vendor, snapshot.system.product) if x) or "an unknown machine"
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(src.taken_at)) if src.taken_at > 0 else "at an unknown time"
    text = f"You are looking at {src.label}: an evidence bundle captured {when} on {machine}, not at the live machine."
    damaged = [n for n in src.notes if "checksum" in n or "damaged" in n or "not valid JSON" in n or "newer" in n]
    if damaged:
        text += " ⚠ " + "; ".join(damaged[:2])
    return text


def _count(items: Any, what: str) -> str | None:
    if not isinstance(items, list):
        return None
    return f"{what}: {len(items)}"


def captured_text(snapshot: Snapshot, section: str, page: str) -> str:
    """What a live-only page says for a bundle: what the bundle captured of its subject, and where.

    Uses the sections read when the bundle was opened (no file access on the GUI thread)."""
    src = snapshot.source
    sections = cached_bundle_sections(Path(src.path)) if src.path else None
    sec = sections.get(section) if sections else None
    where = f"structured/{section}.json"
    if sec is None or not sec.available:
        why = sec.reason if sec is not None and sec.reason else "not captured"
        return (
            f"{src.label} holds no {page.lower()} data ({where}: {why}).\n\n"
            "File → Show live machine (Ctrl+L) shows this machine."
        )
    data = sec.data if isinstance(sec.data, dict) else {}
    parts = [p for p in (_count(v, k) for k, v in data.items()) if p]
    names = [
        str(x.get("name"))
        for v in data.values()
        if isinstance(v, list)
        for x in v[:8]
        if isinstance(x, dict) and x.get("name")
    ]
    detail = ", ".join(parts) or "no entries"
    listed = f" ({', '.join(names[:8])})" if names else ""
    return (
        f"Captured in {src.label}: {where} — {detail}{listed}.\n\n"
        f"The {page} page reads and polls the live machine's sensors; a bundle holds one reading of them. "
        f"Its values are in {where} inside the bundle, and `hwinspector diff {src.label} live` compares "
        "them with this machine.\n\nFile → Show live machine (Ctrl+L) shows this machine."
    )
