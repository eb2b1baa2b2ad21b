"""Idle before/after: two bundles captured with ``report --idle``, one with a planted busy process, diffed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from hwinspector.probes.machine.sections import Section
from hwinspector.report.diff import Side, compare_idle, diff

HWINSPECTOR = str(Path(sys.executable).with_name("hwinspector"))
SLEEPER = (
    "import ctypes, time\n"
    "ctypes.CDLL(None).prctl(15, b'hwi-sleeper', 0, 0, 0)\n"  # PR_SET_NAME: a name no other process has
    "end = time.monotonic() + 30\n"
    "while time.monotonic() < end: time.sleep(0.002)\n"
)


def _side(label: str, idle: dict[str, object] | None) -> Side:
    sec = Section("idle", True, None, idle) if idle else Section("idle", False, "not measured", None)
    return Side(label, "bundle", {"idle": sec})


def test_compare_idle_figures_and_verdict() -> None:
    a = {
        "verdict": {"summary": "Quiet"},
        "processes": [{"name": "x", "wakeups_per_s": 2.0}],
        "interrupts": [{"irq": "142", "name": "i915", "per_s": 40.0}],
        "lpi": {"system_residency_percent": 80.0},
    }
    b = {
        "verdict": {"summary": "Kept awake by: x"},
        "processes": [{"name": "x", "wakeups_per_s": 400.0}],
        "interrupts": [{"irq": "142", "name": "i915", "per_s": 42.0}],
        "lpi": {"system_residency_percent": 3.0},
    }
    changes = {c.item: c for c in compare_idle(_side("A", a), _side("B", b))}
    assert changes["verdict"].b == "Kept awake by: x"
    assert changes["wakeups/s of x"].a == "2" and changes["wakeups/s of x"].b == "400"
    assert changes["LPI system residency percent"].detail == "-96 %"
    assert "interrupts/s of i915" not in changes  # 40 → 42 is noise
    d = diff(_side("A", a), _side("B", None))
    assert any(s.startswith("idle: B: no idle (not measured)") for s in d.not_compared)


def test_two_real_captures_show_the_planted_wakeups(tmp_path: Path) -> None:
    quiet, busy = tmp_path / "quiet.tar.xz", tmp_path / "busy.tar.xz"
    args = ["report", "--idle", "3", "--no-gl", "--command-timeout", "10"]
    got = subprocess.run(
        [HWINSPECTOR, *args, "-o", str(quiet)], capture_output=True, text=True, timeout=110, check=False
    )
    assert got.returncode == 0, got.stderr
    sleeper = subprocess.Popen([sys.executable, "-c", SLEEPER])
    try:
        got = subprocess.run(
            [HWINSPECTOR, *args, "-o", str(busy)], capture_output=True, text=True, timeout=110, check=False
        )
    finally:
        sleeper.kill()
        sleeper.wait()
    assert got.returncode == 0, got.stderr
    out = subprocess.run(
        [HWINSPECTOR, "diff", str(quiet), str(busy), "--json"], capture_output=True, text=True, timeout=60, check=False
    )
    doc = json.loads(out.stdout)
    idle = [c for c in doc["changes"] if c["category"] == "idle"]
    moved = [c for c in idle if c["item"] == "wakeups/s of hwi-sleeper"]
    assert moved and moved[0]["kind"] == "added" and float(moved[0]["b"]) > 100, idle
    assert os.path.getsize(busy) > 0
