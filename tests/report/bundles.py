"""Bundles for the open/diff tests: a real one written by the bundle writer, and raw tars for hostile ones."""

from __future__ import annotations

import io
import json
import lzma
import tarfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from hwinspector.probes.machine.sections import Section, sections_from_snapshot
from hwinspector.probes.machine.snapshot import Snapshot, read_file_snapshot
from hwinspector.probes.telemetry.channels import Channel
from hwinspector.probes.telemetry.recording import RecordingWriter
from hwinspector.report.bundle import Artifact, iso_utc, write_bundle

DATA = Path(__file__).resolve().parent.parent / "data"
LAPTOP = DATA / "umockdev" / "laptop.umockdev"
CREATED = 1748779200.0  # 2025-06-01T12:00:00Z
NAME = "hwreport-20250601T120000Z-0a1b2c3d"


def laptop_snapshot() -> Snapshot:
    return read_file_snapshot(LAPTOP)


def recording_bytes(tmp: Path, watts: Iterable[float] = (5.0, 7.0, 9.0), note: str = "lid closed") -> bytes:
    ch = Channel("rapl:package-0", "Package power", "W", "/sys/fake", 1.0, 1000.0, "gauge", "rapl", True, None)  # type: ignore[arg-type]
    path = tmp / "rec.jsonl.gz"
    w = RecordingWriter(path, [ch], [10.0], anchor_monotonic_ns=1_000, anchor_realtime_ns=int(CREATED * 1e9))
    values = list(watts)
    t = np.arange(1, len(values) + 1, dtype=np.int64) * 100_000_000 + 1_000
    w.write_rows([ch], t, np.array([[v] for v in values]))
    w.add_marker(1_000 + 150_000_000, note)
    w.close()
    data = path.read_bytes()
    path.unlink()
    return data


def section_bytes(sec: Section | Mapping[str, Any]) -> bytes:
    doc = sec.to_json() if isinstance(sec, Section) else dict(sec)
    return (json.dumps(doc, indent=1) + "\n").encode()


def write_laptop_bundle(
    out_dir: Path,
    *,
    name: str = NAME,
    sections: Mapping[str, Section] | None = None,
    extra_sections: Mapping[str, Mapping[str, Any]] | None = None,
    system: Mapping[str, Any] | None = None,
    recording: bytes | None = None,
    created: float = CREATED,
) -> Path:
    """A bundle as the capture writes one, from the laptop umockdev recording's devices."""
    secs = dict(sections if sections is not None else sections_from_snapshot(laptop_snapshot()))
    if sections is None:
        supplies = [{"name": "BAT0", "type": "Battery", "capacity_percent": 80}]
        secs["power"] = Section("power", True, None, {"supplies": supplies})
    arts = [
        Artifact(f"structured/{n}.json", section_bytes(s), "structured", "application/json", n) for n, s in secs.items()
    ]
    for n, doc in (extra_sections or {}).items():
        arts.append(Artifact(f"structured/{n}.json", section_bytes(doc), "structured", "application/json", n))
    arts.append(
        Artifact(
            "raw/udev/udevadm-info-export-db.txt",
            LAPTOP.read_bytes(),
            "raw",
            "text/plain",
            "udev",
            {"argv": ["udevadm"]},
        )
    )
    if recording is not None:
        arts.append(Artifact("recordings/telemetry.jsonl.gz", recording, "recording", "application/gzip", "telemetry"))
    manifest = {
        "schema_version": 1,
        "report_id": name,
        "created": iso_utc(created),
        "generator": {"name": "hwinspector", "version": "test"},
        "system": dict(
            system
            or {"title": "Dell Inc. XPS 13 9310", "vendor": "Dell Inc.", "product": "XPS 13 9310", "kernel": "6.8.0"}
        ),
        "privacy": {"redacted": False, "key_fingerprint": None, "categories": {}},
        "notes": "",
    }
    return write_bundle(out_dir / f"{name}.tar.xz", manifest, arts, created)


def tar_xz(entries: Iterable[tuple[tarfile.TarInfo, bytes | None]], *, pax: bool = False) -> bytes:
    """A tar.xz of exactly these headers and contents (nothing checked: tests build hostile ones)."""
    raw = io.BytesIO()
    fmt = tarfile.PAX_FORMAT if pax else tarfile.GNU_FORMAT
    with tarfile.open(fileobj=raw, mode="w", format=fmt) as tar:
        for info, data in entries:
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return lzma.compress(raw.getvalue(), format=lzma.FORMAT_XZ)


def member(
    name: str, data: bytes = b"", *, kind: bytes = tarfile.REGTYPE, link: str = ""
) -> tuple[tarfile.TarInfo, bytes | None]:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = link
    info.size = len(data) if kind in (tarfile.REGTYPE, tarfile.AREGTYPE) else 0
    info.mode = 0o755 if kind == tarfile.DIRTYPE else 0o644
    return info, (data if kind in (tarfile.REGTYPE, tarfile.AREGTYPE) else None)


def minimal_members(
    top: str = NAME, devices: list[dict[str, Any]] | None = None
) -> list[tuple[tarfile.TarInfo, bytes | None]]:
    """The smallest bundle that opens: a manifest and a device list."""
    manifest = {"schema_version": 1, "report_id": top, "created": "2025-06-01T12:00:00.000Z", "system": {}}
    devs = {"available": True, "reason": None, "data": {"devices": devices or []}}
    return [
        member(f"{top}/", kind=tarfile.DIRTYPE),
        member(f"{top}/manifest.json", json.dumps(manifest).encode()),
        member(f"{top}/structured/devices.json", json.dumps(devs).encode()),
    ]
