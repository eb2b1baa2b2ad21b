"""Bundles from someone else: every malicious or broken one is refused in one line or opens with a
warning; nothing lands outside the process's private temp directory and nothing is run."""

from __future__ import annotations

import json
import lzma
import subprocess
import tarfile
import time
from pathlib import Path
from typing import Any

import pytest

from hwinspector.probes.bundle.reader import Limits, process_temp_dir
from hwinspector.probes.errors import InputFormatError
from hwinspector.probes.machine.snapshot import load_snapshot
from hwinspector.report.open_bundle import describe_source, open_bundle, verify_bundle
from tests.report.bundles import NAME, member, minimal_members, tar_xz

TOP = NAME


@pytest.fixture(autouse=True)
def _nothing_runs_and_nothing_stays(monkeypatch: pytest.MonkeyPatch) -> Any:
    """No test here may start a process, and every refused bundle leaves the temp dir as it was."""

    def refuse(*a: object, **k: object) -> None:
        raise AssertionError("a bundle made hwinspector run a program")

    monkeypatch.setattr(subprocess.Popen, "__init__", refuse)
    before = set(process_temp_dir().iterdir())
    yield
    assert set(process_temp_dir().iterdir()) == before


def _write(tmp_path: Path, data: bytes, name: str = f"{TOP}.tar.xz") -> Path:
    p = tmp_path / "in" / name
    p.parent.mkdir(exist_ok=True)
    p.write_bytes(data)
    return p


def _refused(path: Path, match: str, **kw: Any) -> InputFormatError:
    with pytest.raises(InputFormatError, match=match) as info:
        open_bundle(path, **kw)
    message = str(info.value)
    assert "\n" not in message and message.startswith(str(path))
    return info.value


@pytest.mark.parametrize(
    ("entry", "match"),
    [
        (member("/tmp/hwinspector-victim"), "absolute path"),
        (member(f"{TOP}/../../hwinspector-victim"), "leaves or bends"),
        (member(f"{TOP}/raw/./x"), "leaves or bends"),
        (member(f"{TOP}/raw/evil", kind=tarfile.SYMTYPE, link="/etc/passwd"), "symbolic link"),
        (member(f"{TOP}/raw/evil", kind=tarfile.LNKTYPE, link=f"{TOP}/manifest.json"), "hard link"),
        (member(f"{TOP}/raw/sda", kind=tarfile.BLKTYPE), "device node"),
        (member(f"{TOP}/raw/tty", kind=tarfile.CHRTYPE), "device node"),
        (member(f"{TOP}/raw/fifo", kind=tarfile.FIFOTYPE), "FIFO"),
        (member(f"{TOP}/raw/new\nline", b"x"), "unsafe name"),
        (member(f"{TOP}/raw/back\\slash", b"x"), "unsafe name"),
        (member("other-top/manifest.json", b"{}"), "more than one top directory"),
        (member(f"{TOP}/manifest.json", b"{}"), "appears twice"),
    ],
)
def test_links_traversal_and_odd_members_are_refused(tmp_path: Path, entry: Any, match: str) -> None:
    path = _write(tmp_path, tar_xz([*minimal_members(), entry]))
    _refused(path, match)
    assert not Path("/tmp/hwinspector-victim").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in"]


def test_a_pax_path_that_escapes_is_refused(tmp_path: Path) -> None:
    info, data = member(f"{TOP}/raw/harmless", b"x")
    info.pax_headers = {"path": f"{TOP}/../../escaped"}
    path = _write(tmp_path, tar_xz([*minimal_members(), (info, data)], pax=True))
    _refused(path, "leaves or bends")


def test_a_long_gnu_name_is_checked_like_any_other(tmp_path: Path) -> None:
    deep = f"{TOP}/" + "/".join(["d" * 40] * 20) + "/x"  # longer than 100 bytes: a GNU longname header
    path = _write(tmp_path, tar_xz([*minimal_members(), member(deep, b"x")]))
    _refused(path, "unsafe name")


def test_size_caps_per_member_count_and_total(tmp_path: Path) -> None:
    big = _write(tmp_path, tar_xz([*minimal_members(), member(f"{TOP}/raw/big", b"a" * 8192)]))
    _refused(big, "member 'raw/big' is 8 KiB; over 4 KiB, refused", limits=Limits(member_bytes=4096))
    many = _write(
        tmp_path, tar_xz([*minimal_members(), *(member(f"{TOP}/raw/{i}", b"x") for i in range(20))]), "m.tar.xz"
    )
    _refused(many, "more than 10 members", limits=Limits(members=10))
    _refused(big, "decompresses to more than", limits=Limits(total_bytes=4096))


def test_an_xz_bomb_stops_at_the_budget(tmp_path: Path) -> None:
    # 256 MiB of zeros compress to ~40 KB; the reader must stop at its budget, not inflate them all
    raw = tar_xz([*minimal_members(), member(f"{TOP}/raw/zeros", bytes(256 << 20))])
    assert len(raw) < 100_000
    path = _write(tmp_path, raw)
    start = time.monotonic()
    _refused(path, "decompresses to more than 16 MiB", limits=Limits(total_bytes=16 << 20))
    assert time.monotonic() - start < 10


def test_an_xz_header_asking_for_a_huge_dictionary_is_refused(tmp_path: Path) -> None:
    import io

    body = io.BytesIO()
    with tarfile.open(fileobj=body, mode="w") as tar:
        for info, data in minimal_members():
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    filters = [{"id": lzma.FILTER_LZMA2, "dict_size": 1 << 30}]
    path = _write(tmp_path, lzma.compress(body.getvalue(), format=lzma.FORMAT_XZ, filters=filters))
    _refused(path, "not a valid xz stream", limits=Limits(xz_memory_bytes=64 << 20))


def test_cut_off_and_foreign_files_are_refused(tmp_path: Path) -> None:
    whole = tar_xz([*minimal_members(), member(f"{TOP}/raw/log", bytes(range(256)) * 400)])
    _refused(_write(tmp_path, whole[: len(whole) // 2], "cut.tar.xz"), "cut off|not a readable tar|damaged")
    _refused(_write(tmp_path, b"P: /devices/x\nE: A=b\n", "text.tar.xz"), "no xz header")
    _refused(_write(tmp_path, lzma.compress(b"not a tar at all" * 100), "xz.tar.xz"), "not a readable tar")
    _refused(_write(tmp_path, lzma.compress(b""), "empty.tar.xz"), "empty archive|not a readable tar")


def test_a_member_shorter_than_its_header_says_is_refused(tmp_path: Path) -> None:
    import io

    info, _ = member(f"{TOP}/raw/endless", b"")
    info.size = 50 << 20  # the header promises 50 MiB; the stream ends after a few bytes
    body = io.BytesIO()
    with tarfile.open(fileobj=body, mode="w") as tar:
        for i, d in minimal_members():
            tar.addfile(i, io.BytesIO(d) if d is not None else None)
        body.write(info.tobuf(tarfile.GNU_FORMAT) + b"only this")
    _refused(_write(tmp_path, lzma.compress(body.getvalue())), "cut off|not a readable tar|damaged|unexpected end")


def test_a_file_where_a_directory_must_go_is_refused(tmp_path: Path) -> None:
    entries = [*minimal_members(), member(f"{TOP}/raw", b"a file"), member(f"{TOP}/raw/x", b"x")]
    _refused(_write(tmp_path, tar_xz(entries)), "cannot extract")


def test_broken_json_is_a_refusal_for_the_manifest_and_a_warning_for_a_section(tmp_path: Path) -> None:
    top = [member(f"{TOP}/", kind=tarfile.DIRTYPE)]
    no_manifest = _write(tmp_path, tar_xz([*top, member(f"{TOP}/structured/devices.json", b"{}")]), "a.tar.xz")
    _refused(no_manifest, "no manifest.json")
    bad = _write(tmp_path, tar_xz([*top, member(f"{TOP}/manifest.json", b"{not json")]), "b.tar.xz")
    _refused(bad, "manifest.json is not valid JSON")
    listy = _write(tmp_path, tar_xz([*top, member(f"{TOP}/manifest.json", b"[1, 2]")]), "c.tar.xz")
    _refused(listy, "not a JSON object")
    manifest = json.dumps({"schema_version": 1, "created": "2025-06-01T12:00:00.000Z"}).encode()
    deep = b"[" * 200_000 + b"]" * 200_000
    entries = [
        *top,
        member(f"{TOP}/manifest.json", manifest),
        member(f"{TOP}/structured/devices.json", b'{"available": true, "data": {"devices": [}'),
        member(f"{TOP}/structured/power.json", deep),
        member(
            f"{TOP}/structured/drivers.json", b'{"available": true, "data": {"bindings": "no", "problems": [1, {}]}}'
        ),
    ]
    path = _write(tmp_path, tar_xz(entries), "d.tar.xz")
    with open_bundle(path) as b:
        assert not b.sections["devices"].available and not b.sections["power"].available
        assert any("structured/devices.json is not valid JSON" in w for w in b.warnings)
        assert any("structured/power.json is not valid JSON (nested too deeply)" in w for w in b.warnings)
        snap = b.snapshot()
    assert snap.devices == () and snap.bindings == ()
    assert any("2 malformed problem entries" in n for n in snap.source.notes)
    assert "damaged" in describe_source(snap) or "not valid JSON" in describe_source(snap)


def test_devices_of_the_wrong_shape_are_skipped_not_fatal(tmp_path: Path) -> None:
    devices = [
        {"path": "/devices/ok", "name": "Good", "kind": "Other devices", "properties": {"A": "b"}},
        {"path": 42, "name": "bad path"},
        "not even an object",
        {"path": "/devices/odd", "name": "Odd", "properties": ["x"], "attributes": {"n": {"deep": 1}}, "errors": "e"},
    ]
    path = _write(tmp_path, tar_xz(minimal_members(devices=devices)))
    snap = load_snapshot(path)
    assert [d.path for d in snap.devices] == ["/devices/ok", "/devices/odd"]
    assert snap.devices[1].properties == {} and snap.devices[1].attributes == {} and snap.devices[1].errors == ()
    assert any("2 malformed device entries" in n for n in snap.source.notes)


def test_checksums_that_do_not_match_open_with_a_warning(tmp_path: Path) -> None:
    entries = [
        *minimal_members(),
        member(f"{TOP}/raw/log", b"real content"),
        member(f"{TOP}/SHA256SUMS", ("0" * 64 + "  raw/log\n" + "1" * 64 + "  raw/gone\n").encode()),
    ]
    path = _write(tmp_path, tar_xz(entries))
    problems = verify_bundle(path)
    assert any("raw/log" in p and "checksum" in p for p in problems)
    assert any("raw/gone: listed in SHA256SUMS but missing" in p for p in problems)
    assert any("not listed in SHA256SUMS" in p for p in problems)
    assert "changed after capture" in describe_source(load_snapshot(path))


def test_markup_in_names_stays_text(tmp_path: Path) -> None:
    evil = '<img src=x onerror="alert(1)"><b>Evil</b> &amp; <script>alert(2)</script>'
    devices = [{"path": "/devices/evil", "name": evil, "kind": evil, "properties": {"ID_MODEL": evil}}]
    path = _write(tmp_path, tar_xz(minimal_members(devices=devices)), f"{evil[:10]}.tar.xz".replace("/", "_"))
    snap = load_snapshot(path)
    assert snap.devices[0].name == evil  # kept verbatim; every view escapes or shows it as plain text
    assert "<img" in describe_source(snap)  # the banner is set as plain text (tests/app/test_open_in_window.py)
