"""`hwinspector telemetry` and `record` on this machine's own cpuidle counters: shares within 0..100 %."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from hwinspector.probes.telemetry.channels import cpuidle_channels
from hwinspector.probes.telemetry.recording import read_recording

pytestmark = pytest.mark.skipif(
    not any(c.readable for c in cpuidle_channels(Path("/sys"))), reason="no readable cpuidle counters here"
)


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "hwinspector", *args], capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.returncode == 0, proc.stderr
    return proc


def test_telemetry_json_gives_residency_shares_within_bounds() -> None:
    doc = json.loads(_run("telemetry", "--json").stdout)
    idle = [c for c in doc["channels"] if c["id"].startswith("cpuidle:") and c["value"] is not None]
    assert idle
    assert all(0.0 <= c["value"] <= 100.0 for c in idle), [(c["id"], c["value"]) for c in idle]


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
