"""Every page on a 1366x768 screen, at scale 1 and at QT_SCALE_FACTOR=2: nothing clipped (icons: tests/widgets).

Each scale runs tests/app/scale_check.py in its own process (the scale factor is read when the QApplication is
made), with the recorded laptop through umockdev where it is installed (battery, sensors, chains, plots) and this
machine otherwise; every tab of every page is checked.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from tests.app.clipping import clipped

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "tests" / "app" / "scale_check.py"
LAPTOP = REPO / "tests" / "data" / "umockdev" / "laptop.umockdev"
PAGES = {
    "overview", "devices", "drivers", "graphics", "audio", "camera", "usbc", "wireless", "power", "idle", "thermal",
    "telemetry", "firmware", "compare",
}  # fmt: skip


@pytest.mark.parametrize("scale", ["1", "2"])
def test_every_page_fits_a_1366x768_screen_unclipped(scale: str) -> None:
    cmd = [sys.executable, str(SCRIPT), "1366x768"]
    if shutil.which("umockdev-run") is not None:
        cmd = ["umockdev-run", "-d", str(LAPTOP), "--", *cmd]
    env = dict(os.environ, QT_SCALE_FACTOR=scale, QT_QPA_PLATFORM="offscreen", TMPDIR="/dev/shm")
    proc = subprocess.run(["timeout", "300", *cmd], capture_output=True, text=True, env=env, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout)
    assert result["scale"] == float(scale)
    assert result["window"] == [1366, 768], "the window's minimum size is larger than the screen"
    pages = result["pages"]
    assert {p.split(".")[0] for p in pages} == PAGES
    assert {p: v for p, v in pages.items() if v} == {}


def test_the_check_finds_cut_text_and_blurred_icons(qtbot) -> None:  # type: ignore[no-untyped-def]
    """The check above can fail: a label and a button squeezed below their text, a wrapped label without its
    height; an elided label that keeps its text in a tooltip passes."""
    root = QWidget()
    qtbot.addWidget(root)
    lay = QHBoxLayout(root)
    cut = QLabel("a label far too long for the forty pixels it is given")
    cut.setFixedWidth(40)
    button = QPushButton("A button with a long text")
    button.setFixedWidth(50)
    wrapped = QLabel("a wrapped label " * 20)
    wrapped.setWordWrap(True)
    wrapped.setFixedSize(120, 20)
    elided = QLabel("a label shortened on purp…")
    elided.setToolTip("a label shortened on purpose, whole in its tooltip")
    elided.setFixedWidth(40)
    for w in (cut, button, wrapped, elided):
        lay.addWidget(w)
    root.show()
    qtbot.waitExposed(root)
    problems = clipped(root)
    assert any("cut at the side" in p and "far too long" in p for p in problems), problems
    assert any(p.startswith("button cut") for p in problems), problems
    assert any("cut at the bottom" in p and "wrapped label" in p for p in problems), problems
    assert not any("purp" in p for p in problems), problems
