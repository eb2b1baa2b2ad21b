"""The inspection commands run on a headless board without Qt: nothing but the GUI may import PySide6."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

# PySide6 and pyqtgraph made unimportable, as on a board where only the probes' dependencies are installed.
WITHOUT_QT = (
    "import sys; sys.modules['PySide6'] = None; sys.modules['pyqtgraph'] = None; "
    "from hwinspector.cli import main; sys.exit(main(sys.argv[1:]))"
)


@pytest.mark.parametrize(
    "args",
    [
        ["devices", "--json"],
        ["drivers", "--json"],
        ["graphics", "--json"],
        ["telemetry", "--json"],
        ["check", "--json"],
        ["audio", "--json"],
        ["camera", "--json"],
        ["usbc", "--json"],
        ["wireless", "--json"],
        ["suspend", "--json"],
        ["idle", "--duration", "1", "--json"],
    ],
)
def test_command_runs_without_qt(args: list[str]) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", WITHOUT_QT, *args], capture_output=True, text=True, timeout=120, check=False
    )
    assert "PySide6" not in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode in (0, 1), proc.stderr  # 1: the command found problems (graphics, check)
    assert isinstance(json.loads(proc.stdout), dict)
