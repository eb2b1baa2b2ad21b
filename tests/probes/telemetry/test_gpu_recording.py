"""GPU channels in a recording: `hwinspector record` on a captured APU tree while its runtime_status flips,
then the replay: values while awake, the asleep gap as NaN (null in the file), never 0."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from hwinspector.probes.telemetry.recording import read_recording
from tests.probes.gpu.captured import PHOENIX, captured_card

CHANNELS = {"temperature_c.edge": 25.0, "busy": 0.0, "power": 3.103, "vram_used": 1272893440 / 2**20}


@pytest.mark.timeout(120)
def test_record_then_replay_keeps_the_asleep_gap_as_nan(tmp_path: Path) -> None:
    sysfs = tmp_path / "sys"
    status = captured_card(sysfs, "card1", PHOENIX) / "device" / "power" / "runtime_status"
    out = tmp_path / "gpu.jsonl.gz"
    argv = [sys.executable, "-m", "hwinspector", "record", "--sysfs", str(sysfs), "--duration", "2.4"]
    argv += ["--channels", *(f"gpu:0000:64:00.0/{c}" for c in CHANNELS), "-o", str(out)]
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(1.0)  # start-up (imports) included: the first phase is awake
        marks = [time.monotonic_ns()]
        status.write_text("suspended\n")
        time.sleep(0.6)
        marks.append(time.monotonic_ns())
        status.write_text("active\n")
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    rec = read_recording(out)
    assert rec.complete and not rec.warnings
    gap = 150_000_000  # a 10 Hz channel's next tick, and the writes' own moment
    nulls = 0
    for suffix, value in CHANNELS.items():
        t, v = rec.series[f"gpu:0000:64:00.0/{suffix}"]
        awake = ((t < marks[0]) | (t >= marks[1] + gap)) & (t > 0)
        asleep = (t >= marks[0] + gap) & (t < marks[1])
        assert awake.sum() >= 5 and asleep.sum() >= 2, (suffix, awake.sum(), asleep.sum())
        assert np.allclose(v[awake], value), suffix
        assert np.isnan(v[asleep]).all(), suffix  # replayed as NaN: no value, never 0
        nulls += int(np.isnan(v).sum())
    # in the file itself: null where asleep, and the only zeros are gpu_busy_percent's own (it reads 0)
    with gzip.open(out, "rt") as f:
        docs = [json.loads(x) for x in f.read().splitlines()]
    names = {c.id.rsplit("/", 1)[1] for c in rec.channels}
    assert names == set(CHANNELS)
    order = [c.id.rsplit("/", 1)[1] for c in rec.channels]
    columns: dict[str, list[float | None]] = {n: [] for n in order}
    for doc in docs:
        if doc.get("type") == "rows":
            for i, col in zip(doc["ch"], doc["v"], strict=True):
                columns[order[i]] += col
    assert sum(col.count(None) for col in columns.values()) == nulls > 0
    assert all(0 not in col for n, col in columns.items() if n != "busy")
