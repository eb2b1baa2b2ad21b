"""`hwinspector telemetry` and `record` on a recorded laptop (umockdev-run makes it the live machine)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from hwinspector.cli.telemetry import FALLBACK_CHANNELS, default_record_channels
from hwinspector.probes.telemetry.channels import Channel
from hwinspector.probes.telemetry.recording import read_recording

LAPTOP = Path(__file__).resolve().parents[2] / "data" / "umockdev" / "laptop.umockdev"
pytestmark = pytest.mark.skipif(shutil.which("umockdev-run") is None, reason="umockdev-run not installed")


def on_laptop(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TMPDIR": "/dev/shm" if Path("/dev/shm").is_dir() else "/tmp"}
    proc = subprocess.run(
        ["umockdev-run", "-d", str(LAPTOP), "--", sys.executable, "-m", "hwinspector", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


def _attr(devpath: str, name: str) -> str:
    """An attribute value as the recording holds it (the oracle for what we read)."""
    text = LAPTOP.read_text()
    block = text.split(f"P: {devpath}\n", 1)[1].split("\n\n", 1)[0]
    for line in block.splitlines():
        if line.startswith(f"A: {name}="):
            return line.split("=", 1)[1].replace("\\n", "").strip()
    raise KeyError(name)


def test_telemetry_json_lists_channels_with_readings() -> None:
    doc = json.loads(on_laptop("telemetry", "--json").stdout)
    chans = {c["id"]: c for c in doc["channels"]}
    temp = chans["hwmon:coretemp/temp1"]
    assert temp["label"] == "coretemp Package id 0" and temp["unit"] == "°C" and temp["max_rate_hz"] == 1.0
    assert temp["value"] == int(_attr("/devices/platform/coretemp.0/hwmon/hwmon3", "temp1_input")) / 1000
    assert temp["source"].endswith("/hwmon3/temp1_input")
    for c in doc["channels"]:
        assert {"id", "label", "unit", "source", "max_rate_hz", "readable", "reason", "value"} <= set(c)
        if not c["readable"]:
            assert c["reason"]
    # RAPL energy is a counter: the recording's energy_uj does not move, so its power is 0 W, not absent
    assert chans["rapl:package-0"]["kind"] == "counter" and chans["rapl:package-0"]["value"] == 0.0


def test_telemetry_human_output() -> None:
    out = on_laptop("telemetry").stdout
    assert "coretemp Package id 0" in out and "°C" in out and "1000 Hz" in out


def test_record_headless_then_read_back(tmp_path: Path) -> None:
    out = tmp_path / "lab.jsonl.gz"
    proc = on_laptop(
        "record",
        "--duration",
        "1.5",
        "--channels",
        "hwmon:coretemp/*",
        "battery:*/power",
        "--note",
        "boot done",
        "-o",
        str(out),
    )
    assert "wrote" in proc.stdout and "recording" in proc.stderr  # the progress line
    rec = read_recording(out)
    assert rec.complete
    assert {c.id for c in rec.channels} >= {"hwmon:coretemp/temp1", "battery:BAT0/power"}
    t, v = rec.series["hwmon:coretemp/temp1"]
    assert len(t) >= 1 and set(v.tolist()) == {53.0}
    assert [m.note for m in rec.markers] == ["boot done"]
    doc = json.loads(on_laptop("telemetry", "--from", str(out), "--json").stdout)
    assert doc["source"]["complete"] is True
    csv = tmp_path / "lab.csv"
    on_laptop("record", "--duration", "0.5", "--channels", "hwmon:coretemp/temp1", "-o", str(csv))
    assert csv.read_text().splitlines()[0] == "time_s,coretemp Package id 0 [°C],note"


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--duration", "1", "--rate", "5000", "-o", "x.jsonl.gz"], "--rate must be in"),
        (["--duration", "0", "-o", "x.jsonl.gz"], "--duration must be positive"),
        (["--duration", "1", "-o", "x.txt"], "-o must end in"),
        (["--duration", "1", "--channels", "nosuch:*", "-o", "x.jsonl.gz"], "no readable channel matches"),
    ],
)
def test_record_bad_usage(args: list[str], words: str, tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "hwinspector", "record", *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert proc.returncode == 2 and words in proc.stderr


def test_telemetry_from_a_broken_recording(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl.gz"
    bad.write_bytes(b"junk")
    proc = subprocess.run(
        [sys.executable, "-m", "hwinspector", "telemetry", "--from", str(bad)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2 and "not a hwinspector recording" in proc.stderr


CPUIDLE_ONLY = LAPTOP.with_name("cpuidle-only.umockdev")  # a VM-like machine: idle-state counters only


def test_record_without_channels_falls_back_to_what_is_readable(tmp_path: Path) -> None:
    out = tmp_path / "vm.jsonl.gz"
    env = {**os.environ, "TMPDIR": "/dev/shm" if Path("/dev/shm").is_dir() else "/tmp"}
    cmd = ["umockdev-run", "-d", str(CPUIDLE_ONLY), "--", sys.executable, "-m", "hwinspector"]
    proc = subprocess.run(
        [*cmd, "record", "--duration", "0.5", "-o", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    rec = read_recording(out)
    recorded = [c.id for c in rec.channels]
    assert {"cpuidle:cpu0/POLL", "cpuidle:cpu0/C1"} <= set(recorded)
    named = proc.stderr.split("recording ", 1)[1].split(" (", 1)[0].split(", ")
    assert named == recorded  # the user is told exactly what was chosen
    assert "none of the default channels" in proc.stderr and "--channels" in proc.stderr


def _channel(cid: str, unit: str, readable: bool = True) -> Channel:
    return Channel(cid, cid, unit, f"/sys/x/{cid}", 1.0, 10.0, "gauge", "dev", readable, None if readable else "EACCES")


def test_default_record_channels_says_why() -> None:
    readable = [_channel(f"cpuidle:cpu{i}/C1", "%") for i in range(12)]
    chosen, why = default_record_channels(readable, [])
    assert chosen == readable[:FALLBACK_CHANNELS] and f"first {FALLBACK_CHANNELS} of 12" in why
    rapl = _channel("rapl:package-0", "W")
    assert default_record_channels([rapl, *readable], [rapl]) == ([rapl], ANY_DEFAULT_WHY)
    chosen, why = default_record_channels([], [])
    assert chosen == [] and "no readable telemetry channel" in why and "RAPL" in why


ANY_DEFAULT_WHY = "the default channels; choose others with --channels GLOB"
