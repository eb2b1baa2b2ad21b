"""Bundle format v1: deterministic tar.xz, manifest, SHA256SUMS (checked with coreutils' sha256sum)."""

from __future__ import annotations

import hashlib
import io
import json
import lzma
import re
import shutil
import socket
import subprocess
import tarfile
from pathlib import Path

import pytest

from hwinspector.report import bundle
from hwinspector.report.bundle import Artifact, read_members, write_bundle
from hwinspector.report.capture import capture, default_output
from hwinspector.report.open_bundle import verify_bundle
from tests.report.fixtures_capture import CREATED, RANDOM_HEX, fixed_options, fixed_privacy

ENTRY_KEYS = {
    "path",
    "sha256",
    "size",
    "media_type",
    "kind",
    "subsystem",
    "producer",
    "exit_code",
    "started",
    "finished",
    "truncated",
    "error",
}


@pytest.fixture
def captured(tmp_path: Path) -> Path:
    path, _, _ = capture(fixed_options(tmp_path / "in", notes="n"), tmp_path / "b.tar.xz", privacy=fixed_privacy())
    return path


def test_same_inputs_give_the_same_bytes(tmp_path: Path) -> None:
    a, _, _ = capture(fixed_options(tmp_path / "in"), tmp_path / "a" / "x.tar.xz", privacy=fixed_privacy())
    b, _, _ = capture(fixed_options(tmp_path / "in"), tmp_path / "b" / "x.tar.xz", privacy=fixed_privacy())
    assert a.read_bytes() == b.read_bytes()
    # and a different capture time changes them (the test can fail)
    c, _, _ = capture(
        fixed_options(tmp_path / "in", clock=lambda: CREATED + 1), tmp_path / "c" / "x.tar.xz", privacy=fixed_privacy()
    )
    assert c.read_bytes() != a.read_bytes()


def test_tar_headers_are_normalised(captured: Path) -> None:
    with tarfile.open(captured, "r:xz") as tar:
        members = tar.getmembers()
    names = [m.name for m in members]
    assert names == sorted(names)
    top = "b"
    assert all(n == top or n.startswith(top + "/") for n in names)
    for m in members:
        assert m.mtime == int(CREATED) and m.uid == 0 and m.gid == 0 and m.uname == "" and m.gname == ""
        assert m.mode == (0o755 if m.isdir() else 0o644)
        assert not m.pax_headers  # no atime/ctime, no float mtimes
    assert {
        f"{top}/manifest.json",
        f"{top}/SHA256SUMS",
        f"{top}/summary.html",
        f"{top}/summary.md",
        f"{top}/structured/devices.json",
        f"{top}/raw/test/ok.txt",
    } <= set(names)
    assert captured.stat().st_mode & 0o077 == 0  # owner-only, like recordings
    # a real xz stream with a CRC64 check
    assert lzma.LZMADecompressor().decompress(captured.read_bytes()[:4096]) is not None


def test_sha256sum_check_passes_inside_the_extracted_bundle(captured: Path, tmp_path: Path) -> None:
    if shutil.which("sha256sum") is None:
        pytest.skip("coreutils sha256sum not installed")
    out = tmp_path / "x"
    out.mkdir()
    with tarfile.open(captured, "r:xz") as tar:
        tar.extractall(out, filter="data")
    top = out / "b"
    proc = subprocess.run(
        ["sha256sum", "-c", "--strict", "SHA256SUMS"], cwd=top, capture_output=True, text=True, check=False
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    listed = {line.split("  ", 1)[1] for line in (top / "SHA256SUMS").read_text().splitlines()}
    files = {str(p.relative_to(top)) for p in top.rglob("*") if p.is_file()}
    assert listed == files - {"SHA256SUMS", "manifest.json"}
    (top / "raw/test/ok.txt").write_text("tampered\n")
    bad = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=top, capture_output=True, text=True, check=False)
    assert bad.returncode == 1 and "raw/test/ok.txt: FAILED" in bad.stdout


def test_manifest_describes_every_artifact(captured: Path) -> None:
    _, members = read_members(captured)
    m = json.loads(members["manifest.json"])
    assert m["schema_version"] == 1
    assert m["report_id"] == f"hwreport-20250615T150640Z-{RANDOM_HEX}"
    assert m["created"] == "2025-06-15T15:06:40.250Z"
    assert m["generator"]["name"] == "hwinspector" and m["generator"]["version"]
    assert m["system"]["title"] == "ACME Laptop 9000" and m["system"]["kernel"] == "Linux 6.1.0"
    assert set(m["privacy"]) >= {"redacted", "key_fingerprint", "categories"}
    paths = [a["path"] for a in m["artifacts"]]
    assert paths == sorted(paths) and set(paths) == set(members) - {"manifest.json", "SHA256SUMS"}
    for a in m["artifacts"]:
        assert set(a) == ENTRY_KEYS
        assert a["sha256"] == hashlib.sha256(members[a["path"]]).hexdigest() and a["size"] == len(members[a["path"]])
        assert a["kind"] in ("raw", "structured", "recording", "attachment", "summary")
    ok = next(a for a in m["artifacts"] if a["path"] == "raw/test/ok.txt")
    assert ok["started"] == "2025-06-15T15:06:40.250Z" and ok["media_type"] == "text/plain; charset=utf-8"
    assert ok["subsystem"] == "test" and ok["exit_code"] == 0
    edid = next(a for a in m["artifacts"] if a["path"].endswith(".edid.bin"))
    assert edid["media_type"] == "application/octet-stream" and edid["producer"]["file"].endswith("/edid")
    structured = json.loads(members["structured/power.json"])
    assert set(structured) == {"available", "reason", "data"}
    assert members["attachments/notes.md"].startswith(b"# QA notes")


def test_verify_bundle_finds_tampering(captured: Path, tmp_path: Path) -> None:
    assert verify_bundle(captured) == []
    top, members = read_members(captured)
    members["raw/test/ok.txt"] = b"tampered\n"
    bad = tmp_path / "bad.tar.xz"
    with tarfile.open(bad, "w:xz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(f"{top}/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    problems = verify_bundle(bad)
    assert len(problems) == 1 and "raw/test/ok.txt" in problems[0] and "do not match their checksums" in problems[0]
    (tmp_path / "junk.tar.xz").write_bytes(b"not xz")
    assert verify_bundle(tmp_path / "junk.tar.xz")


def test_default_name_has_time_and_random_but_no_hostname(tmp_path: Path) -> None:
    rid = bundle.report_id(CREATED)
    out = default_output(rid, tmp_path)
    assert re.fullmatch(r"hwreport-20250615T150640Z-[0-9a-f]{8}\.tar\.xz", out.name)
    assert socket.gethostname() not in out.name
    assert bundle.report_id(CREATED) != rid  # the random part differs
    # -o naming a folder: the default name inside it
    path, _, _ = capture(fixed_options(tmp_path / "in"), tmp_path, privacy=None)
    assert path == tmp_path / f"hwreport-20250615T150640Z-{RANDOM_HEX}.tar.xz" and path.is_file()


def test_writer_refuses_unsafe_member_paths(tmp_path: Path) -> None:
    for bad in ("../evil", "/etc/passwd", "a/../../b", "manifest.json", "SHA256SUMS", "a//b"):
        with pytest.raises(ValueError):
            write_bundle(tmp_path / "x.tar.xz", {}, [Artifact(bad, b"x", "raw", "text/plain")], CREATED)
    assert not list(tmp_path.iterdir())  # nothing half-written
