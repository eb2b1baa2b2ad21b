"""`hwinspector check`: the scorecard as a gate (exit 0 nothing fails, 1 something fails, 2 bad input)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hwinspector.cli import main

DUMPS = "udev/checkbox-udevadm_data"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["check", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def _is_vm() -> bool:
    cpuinfo = Path("/proc/cpuinfo").read_text()
    return any(line.startswith("flags") and " hypervisor" in line for line in cpuinfo.splitlines())


def test_live_json_on_this_machine(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "--json")
    doc = json.loads(out)
    assert len(doc["verdicts"]) == 22
    statuses = [v["status"] for v in doc["verdicts"]]
    assert set(statuses) <= {"pass", "warning", "fail", "n/a"}
    assert code == (1 if "fail" in statuses else 0)
    assert doc["result"] == ("fail" if "fail" in statuses else "warning" if "warning" in statuses else "pass")
    assert not any(v["summary"].startswith("the check itself failed") for v in doc["verdicts"])
    assert doc["source"]["kind"] == "live"
    if not _is_vm():
        pytest.skip("the expectations below are those of a virtual machine")
    by = {v["check"]: v for v in doc["verdicts"]}
    # A VM has no battery, no sensors, no suspend: not applicable, never a failure.
    for check in ("battery", "ac", "thermal", "suspend"):
        assert by[check]["status"] == "n/a", by[check]
    assert statuses.count("n/a") > len(statuses) / 2


def test_dump_with_unbound_devices_fails(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "--from", str(corpus / DUMPS / "TOSHIBA_NVME.txt"), "--json")
    doc = json.loads(out)
    assert code == 1 and doc["result"] == "fail"
    assert doc["counts"]["fail"] == 2  # drivers (GM107, 8086:093c) and network (8086:093c)
    assert doc["source"]["label"] == "TOSHIBA_NVME.txt"
    assert doc["identity"]["Product"] == "Latitude5580"


def test_dump_with_only_warnings_passes_the_gate(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The Vostro 270's one unbound device is its SMBus controller: a warning, and warnings do not fail.
    code, out, _ = _run(capsys, "--from", str(corpus / DUMPS / "DELL_VOSTRO_270.txt"))
    assert code == 0
    assert "PASS  Graphics acceleration" in out
    assert "WARN  Drivers bound" in out
    assert out.rstrip().endswith("Result: WARNING (1 warning, 3 passed, 18 not applicable)")


def test_human_output_lists_evidence_and_next_steps(corpus: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "--from", str(corpus / DUMPS / "TOSHIBA_NVME.txt"))
    assert code == 1
    lines = out.splitlines()
    fail = next(i for i, line in enumerate(lines) if line.startswith("FAIL  Network"))
    assert "- Intel Corporation Network controller [8086:093c]: no driver" in "\n".join(lines[fail : fail + 5])
    assert any("next: A network controller without a driver" in line for line in lines[fail : fail + 6])


@pytest.mark.parametrize("content", [None, "garbage line\n"])
def test_bad_input_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | None) -> None:
    path = tmp_path / "dump.txt"
    if content is not None:
        path.write_text(content)
    code, out, err = _run(capsys, "--from", str(path))
    assert code == 2 and out == ""
    assert err.startswith("hwinspector: ") and err.count("\n") == 1


def test_no_gl_skips_the_renderer_probes(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "--json", "--no-gl")
    doc = json.loads(out)
    assert code in (0, 1)
    assert doc["identity"]["Mesa"] == "unknown"  # no GL section was collected
