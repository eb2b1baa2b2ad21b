"""`hwinspector report`: a bundle of the live machine (and of a recorded laptop under umockdev), --verify."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

import pytest

from hwinspector.probes.graphics.edid.decode import decode_edid
from hwinspector.report.bundle import read_members
from hwinspector.report.capture import capture
from tests.report.fixtures_capture import fixed_options, fixed_privacy

LAPTOP = Path(__file__).resolve().parents[2] / "data" / "umockdev" / "laptop.umockdev"


def hwinspector(
    *args: str, env: dict[str, str] | None = None, prefix: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*prefix, sys.executable, "-m", "hwinspector", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    # the privacy key goes to a fresh XDG_DATA_HOME, never the tester's
    return {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data"), "HOME": str(tmp_path / "home"), **extra}


@pytest.mark.skipif(shutil.which("umockdev-run") is None, reason="umockdev-run not installed")
def test_report_of_a_recorded_laptop(tmp_path: Path) -> None:
    out = tmp_path / "laptop.tar.xz"
    apport = tmp_path / "laptop.apport"
    env = _env(tmp_path, TMPDIR="/dev/shm" if Path("/dev/shm").is_dir() else "/tmp")
    t0 = time.monotonic()
    proc = hwinspector(
        "report",
        "-o",
        str(out),
        "--note",
        "lid test",
        "--step",
        "close lid",
        "--duration",
        "1",
        "--apport",
        str(apport),
        "--no-gl",
        env=env,
        prefix=("umockdev-run", "-d", str(LAPTOP), "--"),
    )
    elapsed = time.monotonic() - t0
    assert proc.returncode == 0, proc.stderr
    assert f"wrote {out}" in proc.stdout and f"wrote {apport}" in proc.stdout
    assert "[1/" in proc.stderr and "structured sections … ok" in proc.stderr  # a progress line per step
    _, members = read_members(out)
    manifest = json.loads(members["manifest.json"])
    assert manifest["system"]["title"] == "Dell Inc. Latitude 3590" and manifest["notes"] == "lid test"
    assert manifest["privacy"]["redacted"] is True
    assert manifest["privacy"]["categories"]["battery_serial"]["count"] >= 1
    # the recorded machine's richer hardware: EDID, battery, hwmon, DMI
    edid = decode_edid(members["raw/drm/card1-eDP-1.edid.bin"])
    assert edid.checksum_ok and edid.base is not None and edid.base.manufacturer_id == "LGD"
    assert b"POWER_SUPPLY_SERIAL_NUMBER=BATTERY_SERIAL-" in members["raw/power/power_supply.txt"]
    assert b"/sys/class/hwmon/hwmon3/name: coretemp" in members["raw/thermal/hwmon.txt"]
    assert members["raw/dmi/id/product_name"] == b"Latitude 3590\n"
    assert members["raw/dmi/id/product_serial"].startswith(b"DMI_SERIAL-")
    everything = b"".join(members.values())
    assert b"4JX9TN2" not in everything and b"POWER_SUPPLY_SERIAL_NUMBER=8179" not in everything
    power = json.loads(members["structured/power.json"])
    bat = next(s for s in power["data"]["supplies"] if s["name"] == "BAT0")
    assert bat["capacity_percent"] == 74.0 and str(bat["serial_number"]).startswith("BATTERY_SERIAL-")
    assert "recordings/telemetry.jsonl.gz" in members
    assert any(e["path"] == "raw/kernel/cmdline" for e in manifest["artifacts"])
    assert apport.read_bytes().startswith(b"ProblemType: Bug\n")
    print(f"laptop capture with a 1 s recording: {elapsed:.1f} s")


def test_verify_ok_tampered_and_missing(tmp_path: Path) -> None:
    path, _, _ = capture(fixed_options(tmp_path / "in"), tmp_path / "b.tar.xz", privacy=fixed_privacy())
    ok = hwinspector("report", "--verify", str(path))
    assert ok.returncode == 0 and "OK" in ok.stdout
    top, members = read_members(path)
    members["structured/devices.json"] = members["structured/devices.json"].replace(b"i915", b"nouv")
    bad = tmp_path / "bad.tar.xz"
    with tarfile.open(bad, "w:xz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(f"{top}/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    failed = hwinspector("report", "--verify", str(bad))
    assert failed.returncode == 1 and "FAILED" in failed.stdout and "structured/devices.json" in failed.stdout
    missing = hwinspector("report", "--verify", str(tmp_path / "nope.tar.xz"))
    assert missing.returncode == 2 and "no such file" in missing.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--relax", "shoe_size"], "unknown privacy category shoe_size"),
        (["-o", "x.zip"], "-o must name a .tar.xz file or a folder"),
        (["--rate", "10"], "--rate and --channels need --duration"),
        (["--duration", "1", "--rate", "5000"], "--rate must be in"),
        (["--no-redact", "--relax", "mac"], "--relax makes no sense with --no-redact"),
    ],
)
def test_bad_usage_exits_2(tmp_path: Path, args: list[str], message: str) -> None:
    proc = hwinspector("report", *args, env=_env(tmp_path))
    assert proc.returncode == 2 and message in proc.stderr
    assert not list(tmp_path.glob("*.tar.xz"))


def test_live_capture_with_hanging_garbage_and_missing_tools(tmp_path: Path) -> None:
    """Fake tools first on PATH: lspci hangs, lsusb prints garbage, sensors fails; the rest are missing."""
    fake = tmp_path / "bin"
    fake.mkdir()
    tools = {
        "lspci": "#!/bin/sh\necho partial\n/bin/sleep 300\n",
        "lsusb": "#!/bin/sh\nprintf '\\377\\000\\033garbage\\n'\n",
        "sensors": "#!/bin/sh\necho 'No sensors found!' >&2\nexit 1\n",
    }
    for name, text in tools.items():
        (fake / name).write_text(text)
        (fake / name).chmod(0o755)
    out = tmp_path / "live.tar.xz"
    t0 = time.monotonic()
    proc = hwinspector(
        "report", "-o", str(out), "--no-gl", "--command-timeout", "2", "--no-redact", env=_env(tmp_path, PATH=str(fake))
    )
    assert proc.returncode == 0, proc.stderr
    assert time.monotonic() - t0 < 60
    assert "--no-redact" in proc.stderr
    _, members = read_members(out)
    manifest = json.loads(members["manifest.json"])
    entries = {a["path"]: a for a in manifest["artifacts"]}
    hang = entries["raw/pci/lspci-vvnnk.txt"]
    assert (
        hang["truncated"] is True
        and "timed out after 2 s" in hang["error"]
        and members["raw/pci/lspci-vvnnk.txt"] == b"partial\n"
    )
    assert members["raw/usb/lsusb.txt"] == b"\xff\x00\x1bgarbage\n"
    assert entries["raw/usb/lsusb.txt"]["media_type"] == "application/octet-stream"
    assert entries["raw/sensors/sensors-j.json"]["exit_code"] == 1
    assert "No sensors found!" in entries["raw/sensors/sensors-j.json"]["error"]
    skipped = {e["step"]: e["reason"] for e in manifest["not_collected"]}
    assert skipped["udevadm info --export-db"] == "udevadm is not installed"
    assert skipped["vulkaninfo --summary"] == "vulkaninfo is not installed"
    assert manifest["privacy"]["redacted"] is False
    assert "structured/devices.json" in members and "summary.html" in members


def test_screenshots_are_rendered_from_redacted_data(tmp_path: Path) -> None:
    out = tmp_path / "shots.tar.xz"
    proc = hwinspector(
        "report", "-o", str(out), "--no-gl", "--screenshots", "-q", env=_env(tmp_path, QT_QPA_PLATFORM="offscreen")
    )
    assert proc.returncode == 0, proc.stderr
    _, members = read_members(out)
    shots = sorted(p for p in members if p.startswith("attachments/screenshot-"))
    assert shots == [f"attachments/screenshot-{p}.png" for p in ("devices", "drivers", "graphics", "overview")]
    for p in shots:
        assert members[p][:8] == b"\x89PNG\r\n\x1a\n" and len(members[p]) > 10_000
    if os.environ.get("HWINSPECTOR_KEEP_SCREENSHOTS"):  # for looking at them
        keep = Path(os.environ["HWINSPECTOR_KEEP_SCREENSHOTS"])
        keep.mkdir(parents=True, exist_ok=True)
        for p in shots:
            (keep / Path(p).name).write_bytes(members[p])
