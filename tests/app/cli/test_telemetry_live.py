"""`hwinspector telemetry` and `record` on this machine: cpuidle shares within 0..100 %, psutil's system channels."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from hwinspector.probes.telemetry.channels import cpuidle_channels
from hwinspector.probes.telemetry.recording import read_recording

needs_cpuidle = pytest.mark.skipif(
    not any(c.readable for c in cpuidle_channels(Path("/sys"))), reason="no readable cpuidle counters here"
)


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "hwinspector", *args], capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.returncode == 0, proc.stderr
    return proc


@needs_cpuidle
def test_telemetry_json_gives_residency_shares_within_bounds() -> None:
    doc = json.loads(_run("telemetry", "--json").stdout)
    idle = [c for c in doc["channels"] if c["id"].startswith("cpuidle:") and c["value"] is not None]
    assert idle
    assert all(0.0 <= c["value"] <= 100.0 for c in idle), [(c["id"], c["value"]) for c in idle]


@needs_cpuidle
@pytest.mark.parametrize("rate", ["10", "250", "1000"])
def test_record_of_cpuidle_stays_within_bounds(rate: str, tmp_path: Path) -> None:
    out = tmp_path / "idle.jsonl.gz"
    _run("record", "--duration", "1.5", "--rate", rate, "--channels", "cpuidle:*", "-o", str(out))
    rec = read_recording(out)
    assert rec.channels and all(c.full_scale == 100.0 for c in rec.channels)
    values = np.concatenate([v[np.isfinite(v)] for _, v in rec.series.values()])
    assert len(values) > 0
    assert values.min() >= 0.0 and values.max() <= 100.0
    assert not rec.warnings


def test_telemetry_lists_system_channels_with_readings() -> None:
    doc = json.loads(_run("telemetry", "--json").stdout)
    system = {c["id"]: c for c in doc["channels"] if c["id"].startswith("system:")}
    assert system["system:cpu"]["unit"] == "%" and 0.0 <= system["system:cpu"]["value"] <= 100.0
    assert system["system:memory/used"]["unit"] == "MiB" and system["system:memory/used"]["value"] > 0
    assert system["system:interrupts"]["unit"] == "/s" and system["system:interrupts"]["value"] > 0
    human = _run("telemetry").stdout
    assert "CPU utilisation (all cores)" in human and "context switches" in human and "memory used" in human


def test_record_system_channels(tmp_path: Path) -> None:
    out = tmp_path / "system.jsonl.gz"
    proc = _run("record", "--duration", "1.5", "--channels", "system:*", "-o", str(out))
    assert proc.returncode == 0
    rec = read_recording(out)
    ids = {c.id for c in rec.channels}
    assert {"system:cpu", "system:memory/used", "system:disk/write", "system:net/recv"} <= ids
    rates = {c.id: c.rate_hz for c in rec.channels}
    assert rates["system:cpu"] == 10.0 and rates["system:memory/used"] == 2.0
    _, cpu = rec.series["system:cpu"]
    cpu = cpu[np.isfinite(cpu)]
    assert len(cpu) >= 8 and cpu.min() >= 0.0 and cpu.max() <= 100.0
    ctx = rec.series["system:context_switches"][1]
    assert np.nanmean(ctx) > 0
