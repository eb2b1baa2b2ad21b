"""Launchpad: apport's problem report with the keys apport's hooks attach, read back by apport's format rules
(our reader, apport_reader.py) and, where it is installed, by apport's own problem_report module."""

from __future__ import annotations

import base64
import json
import os
import subprocess
from pathlib import Path

import pytest

from hwinspector.report.bugreport.build import make_report
from tests.report.bugreport import apport_reader
from tests.report.bugreport.helpers import amd_folder, edid_bytes, filtered

# apport 2.x: Report.add_os_info, add_package_info, hookutils.attach_hardware, attach_dmi, attach_drm_info
STANDARD_KEYS = (
    "ProblemType",
    "Date",
    "DistroRelease",
    "Architecture",
    "Uname",
    "Package",
    "SourcePackage",
    "ProcVersionSignature",
    "CurrentDmesg",
    "Lspci",
    "DRM.card1-eDP-1",
    "DRM.card1-HDMI-A-1",
    "DRM.card1-DP-1",
)
LOADER = """
import json, sys, problem_report
r = problem_report.ProblemReport()
with open(sys.argv[1], "rb") as f:
    r.load(f)
json.dump({k: (v if isinstance(v, str) else {"bytes": v.hex()}) for k, v in r.items()}, sys.stdout)
"""


def _apport_file(tmp_path: Path) -> bytes:
    r = make_report(filtered(str(amd_folder(tmp_path))), tracker="launchpad", title="Panel flickers")
    return next(a.data for a in r.attachments if a.name == "hwinspector.apport")


def test_the_apport_file_carries_apports_standard_keys(tmp_path: Path) -> None:
    fields = apport_reader.read(_apport_file(tmp_path))
    for key in STANDARD_KEYS:
        assert key in fields, key
    assert fields["ProblemType"] == "Bug" and fields["Title"] == "Panel flickers"
    assert fields["DistroRelease"] == "Ubuntu 24.04"  # apport's form: NAME and VERSION_ID
    assert fields["Architecture"] == "amd64"  # the dpkg name, from uname's x86_64
    assert fields["ProcVersionSignature"] == "Ubuntu 6.8.0-45.45-generic 6.8.12"
    assert fields["SourcePackage"] == "linux"
    drm = fields["DRM.card1-eDP-1"]
    assert isinstance(drm, str)
    lines = dict(line.split(": ", 1) for line in drm.splitlines())
    assert lines["status"] == "connected" and lines["modes"] == "1920x1200 1600x1200" and lines["dpms"] == "On"
    edid = base64.b64decode(lines["edid-base64"])
    assert edid[:8] == bytes.fromhex("00ffffffffffff00") and len(edid) == len(edid_bytes())
    assert sum(edid[:128]) % 256 == 0  # the serial was masked and the checksum fixed, as in a bundle
    assert edid[12:16] == bytes(4)
    assert "edid-base64" not in fields["DRM.card1-DP-1"]  # no monitor there
    report = json.loads(fields["HwinspectorReport"])  # binary (gzip) in the file: our bundle's JSON
    assert report["manifest"]["privacy"]["redacted"] is True


def test_the_reader_refuses_what_apport_would(tmp_path: Path) -> None:
    with pytest.raises(apport_reader.Malformed):
        apport_reader.read(b"Bad Key: x\n")
    with pytest.raises(apport_reader.Malformed):
        apport_reader.read(b" continuation first\n")
    cut = b"Blob: base64\n " + base64.b64encode(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff") + b"\n"
    with pytest.raises(apport_reader.Malformed):
        apport_reader.read(cut)


def _apport_python() -> list[str] | None:
    """apport's problem_report: Ubuntu's package, or APPORT_PYTHONPATH pointing at an apport source tree."""
    env = {**os.environ}
    if os.environ.get("APPORT_PYTHONPATH"):
        env["PYTHONPATH"] = os.environ["APPORT_PYTHONPATH"]
    try:
        ok = subprocess.run(
            ["/usr/bin/python3", "-c", "import problem_report"], env=env, capture_output=True, timeout=30
        )
    except OSError:
        return None
    return ["/usr/bin/python3"] if ok.returncode == 0 else None


@pytest.mark.skipif(
    _apport_python() is None,
    reason="apport's problem_report is not importable (Ubuntu: python3-problem-report; or set APPORT_PYTHONPATH)",
)
def test_apports_own_reader_loads_it(tmp_path: Path) -> None:
    path = tmp_path / "hw.apport"
    path.write_bytes(_apport_file(tmp_path))
    env = {**os.environ}
    if os.environ.get("APPORT_PYTHONPATH"):
        env["PYTHONPATH"] = os.environ["APPORT_PYTHONPATH"]
    proc = subprocess.run(
        ["/usr/bin/python3", "-c", LOADER, str(path)], capture_output=True, text=True, timeout=60, env=env, check=False
    )
    assert proc.returncode == 0, proc.stderr
    loaded = json.loads(proc.stdout)
    ours = apport_reader.read(path.read_bytes())
    assert set(loaded) == set(ours)
    for key, value in ours.items():
        theirs = loaded[key]
        if isinstance(value, bytes):
            # apport turns binary values that decode as UTF-8 into str
            assert (bytes.fromhex(theirs["bytes"]) if isinstance(theirs, dict) else theirs.encode()) == value, key
        else:
            assert theirs == value, key
