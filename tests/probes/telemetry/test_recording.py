"""Recordings: round trip, survival of SIGKILL up to the last flush, write errors, hostile files."""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from hwinspector.probes.errors import InputFormatError
from hwinspector.probes.telemetry.channels import Channel
from hwinspector.probes.telemetry.recording import RecordingWriter, read_recording


def _ch(cid: str, unit: str = "W", kind: str = "gauge") -> Channel:
    return Channel(cid, cid.upper(), unit, f"/sys/fake/{cid}", 1.0, 10.0, kind, "dev", True, None)  # type: ignore[arg-type]


def test_round_trip_with_markers_events_and_nan(tmp_path: Path) -> None:
    a, b = _ch("a"), _ch("b", "°C")
    out = tmp_path / "r.jsonl.gz"
    w = RecordingWriter(out, [a, b], [10.0, 1.0], anchor_monotonic_ns=1_000, anchor_realtime_ns=5)
    t = np.array([1_000 + 100, 1_000 + 200, 1_000 + 300], np.int64)
    w.write_rows([a], t, np.array([[1.5], [np.nan], [3.0]]))
    w.write_rows([b], t[:1], np.array([[40.0]]))
    w.add_marker(1_000 + 250, "lid closed")
    w.add_event(1_000 + 260, "udev", "remove 1-5")
    w.close({"ticks": 3})
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    rec = read_recording(out)
    assert rec.complete and rec.warnings == ()
    assert [c.id for c in rec.channels] == ["a", "b"] and rec.channels[1].unit == "°C"
    ta, va = rec.series["a"]
    assert ta.tolist() == t.tolist()
    assert va[0] == 1.5 and np.isnan(va[1]) and va[2] == 3.0
    assert rec.series["b"][1].tolist() == [40.0]
    assert [(m.t_ns, m.note) for m in rec.markers] == [(1_250, "lid closed")]
    assert [(e.kind, e.text) for e in rec.events] == [("udev", "remove 1-5")]
    # a standard gzip reader sees a header line first
    with gzip.open(out, "rt") as f:
        assert json.loads(f.readline())["format"] == "hwinspector-recording"


def test_csv_export_for_spreadsheets(tmp_path: Path) -> None:
    a = _ch("a")
    out = tmp_path / "r.csv"
    w = RecordingWriter(out, [a], [10.0], anchor_monotonic_ns=0)
    w.write_rows([a], np.array([500_000_000, 1_000_000_000]), np.array([[1.0], [np.nan]]))
    w.add_marker(750_000_000, "m1")
    w.close()
    lines = out.read_text().splitlines()
    assert lines[0] == "time_s,A [W],note"
    assert lines[1] == "0.500000,1.0,"
    assert lines[2] == "1.000000,,"
    assert lines[3] == "0.750000,,marker: m1"


def test_sigkill_keeps_everything_up_to_the_last_flush(tmp_path: Path) -> None:
    out = tmp_path / "killed.jsonl.gz"
    script = textwrap.dedent(f"""
        import sys, time, numpy as np
        from pathlib import Path
        from hwinspector.probes.telemetry.channels import Channel
        from hwinspector.probes.telemetry.recording import RecordingWriter
        import hwinspector.probes.telemetry.recording as r
        r.FLUSH_INTERVAL_S = 0.05
        ch = Channel("a", "A", "W", "/x", 1.0, 10.0, "gauge", "d", True, None)
        w = RecordingWriter(Path({str(out)!r}), [ch], [100.0])
        w.add_marker(time.monotonic_ns(), "start")
        i = 0
        while True:
            w.write_rows([ch], np.array([time.monotonic_ns()]), np.array([[float(i)]]))
            if i == 50:
                print("ready", flush=True)
            i += 1
            time.sleep(0.005)
    """)
    with subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True) as proc:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(0.3)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    rec = read_recording(out)
    assert not rec.complete
    assert any("interrupted" in w for w in rec.warnings)
    values = rec.series["a"][1]
    # every row up to the last flush, in order, nothing invented
    assert len(values) > 50
    assert values.tolist() == [float(i) for i in range(len(values))]
    assert [m.note for m in rec.markers] == ["start"]


def test_write_error_stops_with_a_message_and_keeps_what_was_written(tmp_path: Path) -> None:
    """A file size limit makes write() fail like a full disk: the recording so far stays readable."""
    out = tmp_path / "full.jsonl.gz"
    script = textwrap.dedent(f"""
        import resource, signal, numpy as np
        from pathlib import Path
        from hwinspector.probes.telemetry.channels import Channel
        from hwinspector.probes.telemetry.recording import RecordingWriter
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # get EFBIG instead of being killed
        resource.setrlimit(resource.RLIMIT_FSIZE, (20000, 20000))
        ch = Channel("a", "A", "W", "/x", 1.0, 10.0, "gauge", "d", True, None)
        w = RecordingWriter(Path({str(out)!r}), [ch], [100.0])
        rng = np.random.default_rng(1)
        for i in range(400):
            w.write_rows([ch], np.arange(i * 100, i * 100 + 100), rng.random((100, 1)))
            w.flush()
            if w.error:
                break
        w.close()
        print(w.error)
    """)
    res = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert "recording stopped" in res.stdout and "rows before it are kept" in res.stdout
    rec = read_recording(out)
    assert len(rec.series["a"][0]) >= 100
    assert not rec.complete


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"", "not a hwinspector recording"),
        (b"time_s,a\n1,2\n", "CSV exports are for spreadsheets"),
        (gzip.compress(b"not json\n"), "first line is not a JSON header"),
        (gzip.compress(b'{"format": "other"}\n'), "wrong header"),
        (gzip.compress(b'{"format": "hwinspector-recording", "version": 99}\n'), "version 99"),
        (gzip.compress(b'{"format": "hwinspector-recording", "version": 1}\n'), "lacks channels"),
        (b"\x1f\x8b\x08garbage-garbage", "not a gzip recording"),
    ],
)
def test_hostile_or_broken_files_are_refused_in_one_line(tmp_path: Path, content: bytes, words: str) -> None:
    f = tmp_path / "x.jsonl.gz"
    f.write_bytes(content)
    with pytest.raises(InputFormatError) as info:
        read_recording(f)
    assert words in str(info.value) and "\n" not in str(info.value)


def test_malformed_row_names_its_line(tmp_path: Path) -> None:
    header = {
        "type": "header",
        "format": "hwinspector-recording",
        "version": 1,
        "channels": [{"id": "a", "label": "A", "unit": "W", "kind": "gauge", "rate_hz": 1}],
        "clock": {"monotonic_ns": 0, "realtime_ns": 0},
    }
    body = json.dumps(header) + "\n" + '{"type": "rows", "ch": [0], "t": [1, 2], "v": [[1.0]]}\n'
    f = tmp_path / "x.jsonl.gz"
    f.write_bytes(gzip.compress(body.encode()))
    with pytest.raises(InputFormatError) as info:
        read_recording(f)
    assert info.value.line == 2


def test_decompression_bomb_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import hwinspector.probes.telemetry.recording as r

    monkeypatch.setattr(r, "MAX_DECOMPRESSED", 1 << 20)
    f = tmp_path / "bomb.jsonl.gz"
    f.write_bytes(gzip.compress(b"\n" * (8 << 20)))
    with pytest.raises(InputFormatError, match="refused"):
        read_recording(f)
