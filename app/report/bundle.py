"""Writing a bundle (format v1): a deterministic tar.xz with manifest.json and SHA256SUMS.

The same artifacts, manifest and capture time give the same bytes: members sorted by name, mtime the
capture time, owner root with empty names, fixed modes, no atime or ctime headers, one xz preset.
"""

from __future__ import annotations

import hashlib
import io
import json
import lzma
import os
import secrets
import tarfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

SCHEMA_VERSION = 1
SUFFIX = ".tar.xz"
GENERATOR = "hwinspector"
XZ_PRESET = 6
MAX_MEMBER_BYTES = 256 << 20  # what verify() reads of one member; a bundle from elsewhere is untrusted
NOT_SUMMED = frozenset({"SHA256SUMS", "manifest.json"})


@dataclass(frozen=True, slots=True)
class Artifact:
    """One member of the bundle and its manifest entry."""

    path: str  # relative to the bundle's top directory
    data: bytes
    kind: str  # raw | structured | recording | attachment | summary
    media_type: str
    subsystem: str | None = None
    producer: dict[str, Any] = field(default_factory=dict)
    exit_code: int | None = None
    started: float | None = None
    finished: float | None = None
    truncated: bool = False
    error: str | None = None

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    def entry(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "sha256": self.sha256,
            "size": len(self.data),
            "media_type": self.media_type,
            "kind": self.kind,
            "subsystem": self.subsystem,
            "producer": self.producer,
            "exit_code": self.exit_code,
            "started": iso_utc(self.started) if self.started is not None else None,
            "finished": iso_utc(self.finished) if self.finished is not None else None,
            "truncated": self.truncated,
            "error": self.error,
        }


def iso_utc(t: float) -> str:
    """``2025-06-01T12:00:00.250Z`` (milliseconds; what the manifest stores)."""
    ms = round(t * 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ms // 1000)) + f".{ms % 1000:03d}Z"


def report_id(created: float, random_hex: str | None = None) -> str:
    """``hwreport-<UTC YYYYmmddTHHMMSSZ>-<8 hex>``: no hostname, sortable, unique enough."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(int(created)))
    return f"hwreport-{stamp}-{random_hex or secrets.token_hex(4)}"


def top_dir(out: Path) -> str:
    """Members live under a directory named like the file without ``.tar.xz``."""
    name = out.name
    return name[: -len(SUFFIX)] if name.endswith(SUFFIX) else out.stem


def sha256sums(artifacts: Iterable[Artifact]) -> bytes:
    """``sha256sum -c`` format: ``<hex>  <path>`` (two spaces: text mode), sorted by path."""
    lines = [f"{a.sha256}  {a.path}\n" for a in sorted(artifacts, key=lambda a: a.path) if a.path not in NOT_SUMMED]
    return "".join(lines).encode()


def manifest_bytes(manifest: dict[str, Any]) -> bytes:
    return (json.dumps(manifest, indent=1, ensure_ascii=False, allow_nan=False) + "\n").encode()


def check_member_path(path: str) -> None:
    p = PurePosixPath(path)
    if p.is_absolute() or ".." in p.parts or not p.parts or path != str(p):
        raise ValueError(f"not a clean relative member path: {path!r}")


def _info(name: str, size: int, mtime: int, is_dir: bool) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = 0 if is_dir else size
    info.mtime = mtime  # an int: a float would add a pax header
    info.mode = 0o755 if is_dir else 0o644
    info.type = tarfile.DIRTYPE if is_dir else tarfile.REGTYPE
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    return info


def write_bundle(out: Path, manifest: dict[str, Any], artifacts: Sequence[Artifact], mtime: float) -> Path:
    """Write ``out`` (atomically, owner-only) and return it. The manifest's artifact list is filled here."""
    paths = [a.path for a in artifacts]
    for p in paths:
        check_member_path(p)
        if p in NOT_SUMMED:
            raise ValueError(f"{p} is written by the bundle writer")
    if len(set(paths)) != len(paths):
        raise ValueError("two artifacts with the same path")
    doc = {**manifest, "artifacts": [a.entry() for a in sorted(artifacts, key=lambda a: a.path)]}
    files = {a.path: a.data for a in artifacts}
    files["manifest.json"] = manifest_bytes(doc)
    files["SHA256SUMS"] = sha256sums(artifacts)
    top = top_dir(out)
    dirs = {top}
    for p in files:
        parts = PurePosixPath(p).parts[:-1]
        dirs.update(f"{top}/" + "/".join(parts[: i + 1]) for i in range(len(parts)))
    entries = sorted([(d, None) for d in dirs] + [(f"{top}/{p}", data) for p, data in files.items()])
    when = int(mtime)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.{os.getpid()}.part")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with (
            os.fdopen(fd, "wb") as raw,
            lzma.LZMAFile(raw, "wb", format=lzma.FORMAT_XZ, check=lzma.CHECK_CRC64, preset=XZ_PRESET) as xz,
            tarfile.open(fileobj=xz, mode="w", format=tarfile.PAX_FORMAT) as tar,
        ):
            for name, data in entries:
                if data is None:
                    tar.addfile(_info(name, 0, when, True))
                else:
                    tar.addfile(_info(name, len(data), when, False), io.BytesIO(data))
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return out


def read_members(path: Path) -> tuple[str, dict[str, bytes]]:
    """Top directory and regular members (path relative to it) of a bundle we wrote, in memory; raises
    ValueError. Bundles from elsewhere are opened with ``open_bundle`` (limits, safe extraction)."""
    members: dict[str, bytes] = {}
    tops: set[str] = set()
    try:
        with tarfile.open(path, "r:xz") as tar:
            for m in tar:
                top, _, rel = m.name.partition("/")
                tops.add(top)
                if not m.isfile():
                    continue
                if m.size > MAX_MEMBER_BYTES:
                    raise ValueError(f"{m.name}: larger than {MAX_MEMBER_BYTES} bytes")
                check_member_path(rel)
                f = tar.extractfile(m)
                members[rel] = f.read() if f is not None else b""
    except (OSError, tarfile.TarError, lzma.LZMAError, EOFError) as exc:
        raise ValueError(f"not a readable .tar.xz bundle: {exc}") from None
    if len(tops) != 1:
        raise ValueError(f"expected one top directory, found {len(tops)}")
    return tops.pop(), members
