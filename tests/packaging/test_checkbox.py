"""The checkbox provider in packaging/checkbox, run headless by a real checkbox-cli with the shipped launcher.

checkbox-ng lives in its own virtual environment (``make checkbox``, pinned in
packaging/checkbox/requirements.txt). checkbox keeps its sessions under a fixed /var/tmp/checkbox-ng;
the run here moves that folder into the test's temporary directory, which is the only change made
to checkbox, so nothing is left behind.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any

import pytest

from hwinspector.probes.checks.scorecard import CHECKS

REPO = Path(__file__).resolve().parents[2]
PROVIDER = REPO / "packaging" / "checkbox"
NAMESPACE = "io.github.hwinspector"

# checkbox-cli, with its session folder inside the test's temporary directory.
RUN_CHECKBOX = """
import sys
from plainbox.impl.session.storage import WellKnownDirsHelper
WellKnownDirsHelper.base_of_everything = sys.argv.pop(1)
from checkbox_ng.launcher.checkbox_cli import main
sys.argv[0] = "checkbox-cli"
sys.exit(main())
"""


def checkbox_python() -> Path:
    venv = Path(os.environ.get("HWINSPECTOR_CHECKBOX_VENV", REPO / ".venv-checkbox"))
    python = venv / "bin" / "python"
    if not python.exists():
        pytest.skip(f"checkbox-ng is not installed in {venv} (make checkbox installs it)")
    return python


def run_checkbox(tmp: Path, env_extra: dict[str, str]) -> dict[str, Any]:
    """Install the provider for this run, run the shipped launcher, return the unpacked submission."""
    python = checkbox_python()
    data = tmp / "data"
    develop = subprocess.run(
        [str(python), "manage.py", "develop", "-d", str(data / "plainbox-providers-1")],
        cwd=PROVIDER,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert develop.returncode == 0, develop.stderr
    bin_dir = tmp / "bin"
    bin_dir.mkdir()
    # The hwinspector under test, as the jobs call it: by name, from PATH.
    wrapper = bin_dir / "hwinspector"
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m hwinspector "$@"\n')
    wrapper.chmod(0o755)
    submission = tmp / "submission.tar.xz"
    launcher = (PROVIDER / "launcher").read_text()
    assert "path = /var/tmp/hwinspector-checkbox-submission.tar.xz" in launcher
    (tmp / "launcher").write_text(launcher.replace("/var/tmp/hwinspector-checkbox-submission.tar.xz", str(submission)))
    env = {
        "PATH": f"{bin_dir}:{python.parent}:/usr/bin:/bin",
        "HOME": str(tmp),
        "XDG_DATA_HOME": str(data),
        "XDG_CACHE_HOME": str(tmp / "cache"),
        "XDG_CONFIG_HOME": str(tmp / "config"),
        "LANG": "C.UTF-8",
        **env_extra,
    }
    done = subprocess.run(
        [str(python), "-c", RUN_CHECKBOX, str(tmp / "checkbox-ng"), "launcher", str(tmp / "launcher")],
        cwd=tmp,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert submission.exists(), done.stdout[-3000:] + done.stderr[-3000:]
    out = tmp / "unpacked"
    with tarfile.open(submission) as tar:
        tar.extractall(out, filter="data")
    doc: dict[str, Any] = json.loads((out / "submission.json").read_text())
    doc["_dir"] = out
    doc["_stdout"] = done.stdout
    return doc


def outcomes(doc: dict[str, Any]) -> dict[str, str]:
    return {r["id"]: r["outcome"] for r in doc["results"] + doc["attachment-results"]}


def attachment(doc: dict[str, Any], job: str) -> Path:
    return Path(doc["_dir"]) / "attachment_files" / f"{NAMESPACE}__{job}"


def test_the_provider_is_valid() -> None:
    python = checkbox_python()
    done = subprocess.run(
        [str(python), "manage.py", "validate"], cwd=PROVIDER, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "The provider seems to be valid" in done.stdout


def test_headless_run_gates_on_the_scorecard_and_attaches_the_bundle(tmp_path: Path) -> None:
    doc = run_checkbox(tmp_path, {"HWINSPECTOR_CHECK_ARGS": "--no-gl", "HWINSPECTOR_REPORT_ARGS": "--no-gl"})
    # The gate says what `hwinspector check` says about this machine, run on its own.
    alone = subprocess.run(
        [sys.executable, "-m", "hwinspector", "check", "--no-gl"], capture_output=True, timeout=300, check=False
    )
    assert alone.returncode in (0, 1)
    got = outcomes(doc)
    assert got == {
        "scorecard": "pass" if alone.returncode == 0 else "fail",
        "scorecard-json": "pass",
        "evidence-bundle": "pass",
    }
    assert doc["testplan_id"] == f"{NAMESPACE}::hwinspector-lab"
    scorecard = json.loads(attachment(doc, "scorecard-json").read_text())
    assert [v["check"] for v in scorecard["verdicts"]] == [cid for cid, _ in CHECKS] and scorecard["source"][
        "kind"
    ] == "live"
    # The attached bytes are a whole bundle: every checksum in it matches.
    bundle = tmp_path / "attached.tar.xz"
    bundle.write_bytes(attachment(doc, "evidence-bundle").read_bytes())
    verify = subprocess.run(
        [sys.executable, "-m", "hwinspector", "report", "--verify", str(bundle)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert "every checksum matches" in verify.stdout
    assert list((tmp_path / "checkbox-ng" / "sessions").iterdir())  # the session stayed in tmp_path


def test_a_failing_scorecard_fails_the_job_and_still_attaches_everything(corpus: Path, tmp_path: Path) -> None:
    dump = corpus / "udev/checkbox-udevadm_data/TOSHIBA_NVME.txt"  # two devices without a driver
    doc = run_checkbox(tmp_path, {"HWINSPECTOR_CHECK_ARGS": f"--from {dump}", "HWINSPECTOR_REPORT_ARGS": "--no-gl"})
    assert outcomes(doc) == {"scorecard": "fail", "scorecard-json": "pass", "evidence-bundle": "pass"}
    scorecard = json.loads(attachment(doc, "scorecard-json").read_text())
    assert scorecard["result"] == "fail"
    io_log = next(r["io_log"] for r in doc["results"] if r["id"] == "scorecard")
    assert "FAIL  Network" in io_log


def test_a_broken_scorecard_run_is_not_attached_as_if_it_were_one(tmp_path: Path) -> None:
    doc = run_checkbox(
        tmp_path,
        {"HWINSPECTOR_CHECK_ARGS": f"--from {tmp_path / 'missing.txt'}", "HWINSPECTOR_REPORT_ARGS": "--no-gl"},
    )
    got = outcomes(doc)
    assert got["scorecard"] == "fail" and got["scorecard-json"] == "fail"
    assert got["evidence-bundle"] == "pass"
