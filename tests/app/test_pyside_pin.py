"""Regression: PySide6 6.12.0 on Python < 3.12 drops references to None until the interpreter aborts."""

from __future__ import annotations

import sys
from importlib.metadata import version

import pytest

pytestmark = pytest.mark.skipif(
    sys.version_info >= (3, 12), reason="None is immortal from Python 3.12 on; the crash cannot happen there"
)


def test_installed_pyside6_is_below_6_12() -> None:
    major, minor = (int(x) for x in version("PySide6-Essentials").split(".")[:2])
    assert (major, minor) < (6, 12), "pyproject.toml must pin PySide6-Essentials<6.12 on Python < 3.12"


def test_painting_plots_keeps_none_refcount(qtbot) -> None:  # type: ignore[no-untyped-def]
    """Calls that return nothing (QPainter.setPen, save/restore, pyqtgraph setData) must not leak a
    decref of None: with 6.12.0 the count falls by ~10 per setData and the process aborts."""
    import numpy as np
    import pyqtgraph as pg
    from PySide6.QtGui import QImage, QPainter, QPen

    plot = pg.PlotWidget()
    qtbot.addWidget(plot)
    plot.resize(400, 300)
    curve = plot.plot()
    x = np.arange(2000, dtype=float)
    img = QImage(400, 300, QImage.Format.Format_ARGB32)
    before = sys.getrefcount(None)
    for i in range(300):
        curve.setData(x, np.sin(x / 50 + i))
        painter = QPainter(img)
        painter.save()
        painter.setPen(QPen())
        painter.restore()
        painter.end()
        plot.grab()
    after = sys.getrefcount(None)
    # other code may hold a few more references to None meanwhile; it must never lose them
    assert after >= before - 5, (before, after)
