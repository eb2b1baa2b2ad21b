"""``hwinspector suspend``: this machine's statistics explained, a cycle refused without the helper, bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

HWINSPECTOR = str(Path(sys.executable).with_name("hwinspector"))


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [HWINSPECTOR, *args], capture_output=True, text=True, timeout=60, check=False, env={**os.environ, **(env or {})}
    )


def test_json_of_this_machine() -> None:
    got = _run("suspend", "--json")
    assert got.returncode == 0, got.stderr
    doc = json.loads(got.stdout)
    for key in ("state", "mem_sleep", "stats", "wakeup_irq", "wakeup_sources", "wake_enabled", "log", "notes"):
        assert key in doc
    # this VM: no wakeup class, so the absence is explained rather than an empty success
    if not doc["wakeup_sources"]:
        assert any("wakeup" in n for n in doc["notes"])
    table = _run("suspend")
    assert table.returncode == 0 and "Sleep states:" in table.stdout


def test_cycle_without_a_helper_is_refused_with_a_reason() -> None:
    got = _run("suspend", "--cycle", "10", env={"HWINSPECTOR_HELPER_LAUNCHER": "false"})
    assert got.returncode == 2
    assert "privileged helper is not running: exit status 1" in got.stderr and "Traceback" not in got.stderr


def test_cycle_length_is_checked() -> None:
    got = _run("suspend", "--cycle", "3")
    assert got.returncode == 2 and "--cycle must be from 5 to 600" in got.stderr
