"""``hwinspector diff A B``: exit 0 equal, 1 different, 2 bad input; text and JSON; live as a side."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hwinspector import cli
from hwinspector.report.capture import CaptureOptions, capture
from tests.report.bundles import LAPTOP, recording_bytes, write_laptop_bundle


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_equal_sources_exit_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bundle = write_laptop_bundle(tmp_path)
    code, out, _ = _run(capsys, "diff", str(LAPTOP), str(bundle))
    assert code == 0
    assert out.startswith("A: laptop.umockdev (umockdev dump, ")
    assert "No differences in what both sources show." in out
    assert "telemetry: A and B: no recording" in out


def test_different_sources_exit_1_with_text_and_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a = write_laptop_bundle(tmp_path / "a", recording=recording_bytes(tmp_path, (5.0, 5.0)))
    b = write_laptop_bundle(tmp_path / "b", recording=recording_bytes(tmp_path, (6.0, 6.0)))
    code, out, _ = _run(capsys, "diff", str(a), str(b))
    assert code == 1
    assert "Telemetry (recording summaries): 1 changed" in out
    assert "~ Package power: mean 5 W" in out and "[mean +20.0 %]" in out
    code, out, _ = _run(capsys, "diff", str(a), str(b), "--json")
    doc = json.loads(out)
    assert code == 1 and doc["equal"] is False
    assert doc["changes"] == [
        {
            "category": "telemetry",
            "kind": "changed",
            "item": "Package power",
            "a": "mean 5 W (min 5, max 5, 2 samples)",
            "b": "mean 6 W (min 6, max 6, 2 samples)",
            "detail": "mean +20.0 %",
        }
    ]
    assert doc["a"]["kind"] == "bundle" and doc["b"]["label"] == b.name


def test_bad_input_exits_2_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "diff", str(LAPTOP), str(tmp_path / "missing.tar.xz"))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "missing.tar.xz: no such file" in err
    broken = tmp_path / "broken.tar.xz"
    broken.write_bytes(b"\xfd7zXZ\x00" + b"garbage" * 10)
    code, _, err = _run(capsys, "diff", str(broken), "live")
    assert code == 2 and "not a valid xz stream" in err
    with pytest.raises(SystemExit) as exc:
        cli.main(["diff", str(LAPTOP)])
    assert exc.value.code == 2


def test_a_fresh_capture_equals_the_live_machine(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    key = tmp_path / "privacy.key"
    from hwinspector.report.assemble import PrivacySetup

    options = CaptureOptions(include_gl=False, plan=[])
    path, _, _ = capture(options, tmp_path, privacy=PrivacySetup.load(options, key_path=key))
    # the live side goes through the same filter (same key) before comparing
    from hwinspector.report import diff_sides

    left = diff_sides.load_side(str(path))
    right = diff_sides.load_side("live", include_gl=False)
    a, b, notes = diff_sides.align_privacy(left, right, key)
    from hwinspector.report.diff import diff

    d = diff(a, b)
    assert d.equal, [c.to_json() for c in d.changes][:5]
    assert notes == [f"live machine was passed through this installation's privacy filter to match {path.name}"]
    code, out, _ = _run(capsys, "diff", str(path), str(path), "--json")
    assert code == 0 and json.loads(out)["equal"] is True


def test_open_hands_the_file_to_the_window(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import hwinspector.gui

    opened: list[tuple[str | None, str | None]] = []
    monkeypatch.setattr(hwinspector.gui, "run_gui", lambda source, page, *a, **k: opened.append((source, page)) or 0)
    bundle = write_laptop_bundle(tmp_path)
    assert cli.main(["open", str(bundle), "--page", "telemetry"]) == 0
    assert opened == [(str(bundle), "telemetry")]
    code, _, err = _run(capsys, "open", str(tmp_path / "nope.tar.xz"))
    assert code == 2 and "nope.tar.xz: no such file" in err and len(opened) == 1
