"""`make bench` in a clone without the real-hardware corpus: the benchmarks that need it skip and say why."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_device_tree_benchmark_skips_without_the_corpus(tmp_path: Path) -> None:
    env = {**os.environ, "HWINSPECTOR_CORPUS": str(tmp_path / "no-corpus-here")}
    proc = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "device_tree.py")],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr  # make bench goes on with the next benchmark
    doc = json.loads(proc.stdout)
    assert doc["benchmark"] == "device_tree"
    assert "no corpus" in doc["skipped"] and str(tmp_path / "no-corpus-here") in doc["skipped"]
