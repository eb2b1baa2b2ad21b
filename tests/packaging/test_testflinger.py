"""The example testflinger job: the keys testflinger's server accepts, and its test commands run against
this machine standing in for the device under test."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

from hwinspector.probes.checks.scorecard import CHECKS

REPO = Path(__file__).resolve().parents[2]
JOB = REPO / "packaging" / "testflinger" / "hwinspector-job.yaml"

# testflinger's job schema (canonical/testflinger, server/src/testflinger/api/schemas.py: Job, TestData,
# Attachment, MAASProvisionData). The server's marshmallow schemas reject unknown fields.
JOB_FIELDS = {
    "job_id", "parent_job_id", "name", "tags", "job_queue", "global_timeout", "output_timeout",
    "allocation_timeout", "provision_data", "firmware_update_data", "test_data", "allocate_data",
    "reserve_data", "job_status_webhook", "job_priority", "exclude_agents", "debug",
}  # fmt: skip
TEST_DATA_FIELDS = {"test_cmds", "attachments", "test_username", "test_password", "secrets"}
MAAS_PROVISION_FIELDS = {"distro", "kernel", "user_data", "disks", "ephemeral"}
# ``local`` is the CLI's: it uploads that file and the server sees ``agent`` (and optionally ``device``).
ATTACHMENT_FIELDS = {"local", "agent", "device"}


def job() -> dict[str, Any]:
    doc = yaml.safe_load(JOB.read_text(encoding="utf-8"))
    assert isinstance(doc, dict)
    return doc


def test_the_job_has_only_fields_testflinger_accepts() -> None:
    doc = job()
    assert set(doc) <= JOB_FIELDS, set(doc) - JOB_FIELDS
    assert isinstance(doc["job_queue"], str) and doc["job_queue"]
    assert isinstance(doc["global_timeout"], int) and isinstance(doc["output_timeout"], int)
    assert doc["output_timeout"] <= doc["global_timeout"]  # as testflinger's docs require
    assert all(isinstance(t, str) for t in doc["tags"])
    assert set(doc["provision_data"]) <= MAAS_PROVISION_FIELDS and isinstance(doc["provision_data"]["distro"], str)
    test_data = doc["test_data"]
    assert set(test_data) <= TEST_DATA_FIELDS
    assert isinstance(test_data["test_cmds"], str)
    for att in test_data["attachments"]:
        assert set(att) <= ATTACHMENT_FIELDS and isinstance(att["agent"], str)
    syntax = subprocess.run(["bash", "-n"], input=test_data["test_cmds"], text=True, capture_output=True, check=False)
    assert syntax.returncode == 0, syntax.stderr


SSH = """#!/bin/bash
# ssh HOST COMMAND: run COMMAND here; the device's /tmp is a folder of the test's.
shift
exec bash -c "${*//\\/tmp\\//$FAKE_DUT_TMP/}"
"""
SCP = """#!/bin/bash
# scp SRC DST with HOST:PATH on either side: a copy here, the device's /tmp being a folder of the test's.
map() { local p="${1#*:}"; [ "$p" != "$1" ] && p="${p//\\/tmp\\//$FAKE_DUT_TMP/}"; printf '%s' "$p"; }
exec cp "$(map "$1")" "$(map "$2")"
"""


def test_the_commands_leave_the_bundle_in_artifacts(tmp_path: Path) -> None:
    agent = tmp_path / "agent"  # the agent host's working folder for the job
    dut_tmp = tmp_path / "dut-tmp"
    bin_dir = tmp_path / "bin"
    for d in (agent, dut_tmp, bin_dir):
        d.mkdir()
    for name, text in (
        ("ssh", SSH),
        ("scp", SCP),
        ("hwinspector", f'#!/bin/sh\nexec "{sys.executable}" -m hwinspector "$@"\n'),
    ):
        (bin_dir / name).write_text(text)
        (bin_dir / name).chmod(0o755)
    env = {
        **os.environ,
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "DEVICE_IP": "192.0.2.1",
        "FAKE_DUT_TMP": str(dut_tmp),
    }
    done = subprocess.run(
        ["bash", "-c", job()["test_data"]["test_cmds"]], cwd=agent, env=env, capture_output=True, text=True, timeout=600
    )
    alone = subprocess.run(
        [sys.executable, "-m", "hwinspector", "check"], capture_output=True, timeout=300, check=False
    )
    assert done.returncode == alone.returncode, done.stdout[-2000:] + done.stderr[-2000:]
    assert sorted(p.name for p in (agent / "artifacts").iterdir()) == ["hwinspector-evidence.tar.xz", "scorecard.json"]
    verdicts = json.loads((agent / "artifacts" / "scorecard.json").read_text())["verdicts"]
    assert [v["check"] for v in verdicts] == [cid for cid, _ in CHECKS]
    verify = subprocess.run(
        [
            sys.executable,
            "-m",
            "hwinspector",
            "report",
            "--verify",
            str(agent / "artifacts/hwinspector-evidence.tar.xz"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr
    assert not (tmp_path / "agent" / "attachments").exists()  # hwinspector was there: nothing to install


def test_a_missing_bundle_fails_the_job(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "ssh").write_text(SSH)
    (bin_dir / "scp").write_text('#!/bin/sh\necho "scp: connection lost" >&2\nexit 1\n')
    (bin_dir / "hwinspector").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m hwinspector "$@"\n')
    for p in bin_dir.iterdir():
        p.chmod(0o755)
    (tmp_path / "dut").mkdir()
    env = {
        **os.environ,
        "PATH": f"{bin_dir}:{os.environ['PATH']}",
        "DEVICE_IP": "192.0.2.1",
        "FAKE_DUT_TMP": str(tmp_path / "dut"),
    }
    done = subprocess.run(
        ["bash", "-c", job()["test_data"]["test_cmds"]],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 2
