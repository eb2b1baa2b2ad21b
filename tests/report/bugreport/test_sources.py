"""Every source (a capture made here, a bundle made here, dumps, folders); bad input gives a line, never a traceback."""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path

import pytest

from hwinspector.cli.main import main
from hwinspector.probes.errors import InputFormatError
from hwinspector.report.bugreport.build import make_report
from hwinspector.report.bugreport.evidence import from_live, load_evidence
from hwinspector.report.bugreport.model import fit
from hwinspector.report.bugreport.trackers import TRACKERS
from hwinspector.report.capture import CaptureOptions, capture
from tests.report.bugreport.helpers import amd_folder, filtered
from tests.report.bundles import member, tar_xz
from tests.report.fixtures_capture import HOSTNAME, fixed_options, fixed_privacy


def test_a_bundle_made_here_gives_the_same_report_as_its_capture(tmp_path: Path) -> None:
    opts = fixed_options(tmp_path)
    path, _, _ = capture(opts, tmp_path / "b.tar.xz", privacy=fixed_privacy())
    live = from_live(replace(opts, steps=("Close the lid",)))  # the capture path, with this fake machine
    bundle = filtered(str(path))
    assert bundle.evidence.origin == "bundle"
    r = make_report(bundle, tracker="kernel", title="Lid close hangs")
    assert "ACME Laptop 9000" in r.body and "Test CPU" in r.body
    assert HOSTNAME not in r.body and "hostname=HOSTNAME-" in r.body  # filtered as the bundle was
    assert live.collected.options.steps == ("Close the lid",)
    assert r.to_json("issue.md")["tracker"] == "kernel"


def test_a_hostile_bundle_is_refused_in_one_line(tmp_path: Path) -> None:
    evil = tmp_path / "hwreport-evil.tar.xz"
    evil.write_bytes(tar_xz([member("hwreport-evil/../../etc/passwd", b"root:x:0:0")]))
    with pytest.raises(InputFormatError) as exc:
        load_evidence(str(evil), CaptureOptions())
    assert "\n" not in str(exc.value)


def test_a_folder_with_a_fifo_an_unreadable_file_and_garbage_says_so(tmp_path: Path) -> None:
    folder = amd_folder(tmp_path)
    os.mkfifo(folder / "pipe")
    (folder / "garbage.bin").write_bytes(os.urandom(4096))
    locked = folder / "locked.txt"
    locked.write_text("secret")
    locked.chmod(0)
    ev = load_evidence(str(folder), CaptureOptions())
    notes = "\n".join(ev.notes)
    assert "pipe: skipped (not a regular file)" in notes
    assert "garbage.bin: not a tool output hwinspector recognises" in notes
    if os.geteuid() != 0:  # root reads a mode-0 file anyway
        assert "locked.txt: skipped" in notes


def test_an_empty_folder_or_a_missing_path_is_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "empty").mkdir()
    assert main(["bugreport", "--from", str(tmp_path / "empty"), "-o", str(tmp_path / "r")]) == 2
    assert "holds no tool output" in capsys.readouterr().err
    assert main(["bugreport", "--from", str(tmp_path / "nope"), "-o", str(tmp_path / "r")]) == 2
    assert "no such file or folder" in capsys.readouterr().err
    args = ["bugreport", "--from", "a", "--from", "b", "--from", "c"]
    assert main(args) == 2


def test_cli_json_has_the_documented_keys_and_the_folder_matches(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "report"
    code = main(
        [
            "bugreport",
            "--from",
            str(amd_folder(tmp_path)),
            "--tracker",
            "drm-amd",
            "--title",
            "Flicker",
            "--step",
            "Boot",
            "-o",
            str(out),
            "--json",
        ]
    )
    assert code == 0
    doc = json.loads(capsys.readouterr().out)
    assert {"tracker", "why", "title", "body_file", "attachments", "missing"} <= set(doc)
    assert doc["tracker"] == "drm-amd" and doc["why"] == "chosen: --tracker drm-amd" and doc["title"] == "Flicker"
    assert Path(doc["body_file"]).read_text().startswith("## Brief summary of the problem:")
    for a in doc["attachments"]:
        assert set(a) == {"name", "bytes", "what"}
        assert (out / "attachments" / a["name"]).stat().st_size == a["bytes"]
    assert all(set(m) == {"item", "how"} for m in doc["missing"])
    assert (out / "missing.md").read_text().startswith("# Still missing")
    assert (out / "issue.md").stat().st_mode & 0o077 == 0  # private until the user files it


def test_regression_from_two_captures(tmp_path: Path) -> None:
    good_dir = amd_folder(tmp_path / "good")
    bad_dir = amd_folder(tmp_path / "bad")
    text = (bad_dir / "dmesg.txt").read_text().replace("6.8.0-45-generic", "6.11.0-8-generic")
    (bad_dir / "dmesg.txt").write_text(text)
    (bad_dir / "version_signature").write_text("Ubuntu 6.11.0-8.8-generic 6.11.0\n")
    os.utime(good_dir / "dmesg.txt", (1_700_000_000, 1_700_000_000))
    r = make_report(filtered(str(bad_dir)), tracker="drm-amd", title="Panel flickers", other=filtered(str(good_dir)))
    assert r.title == "[REGRESSION] Panel flickers"
    assert "- Last good: kernel 6.8.0-45-generic" in r.body and "- First bad: kernel 6.11.0-8-generic" in r.body
    assert "- kernel: 6.8.0-45-generic → 6.11.0-8-generic" in r.body


def test_large_files_are_compressed_and_kept_under_the_trackers_limit() -> None:
    kernel = TRACKERS["kernel"]
    log = b"".join(b"[%8d.000000] line %d of a long kernel log\n" % (i, i) for i in range(40000))
    name, data, note = fit("dmesg.txt", log, kernel)
    assert name == "dmesg.txt.gz" and len(data) < len(log) and note is None
    noise = os.urandom(kernel.attachment_limit_bytes * 2)  # does not compress
    name, data, note = fit("dump.bin", noise, kernel)
    assert len(data) <= kernel.attachment_limit_bytes and note and "cut" in note
