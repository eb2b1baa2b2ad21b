"""GUI tests: every test here runs with the QApplication that pytest-qt creates."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _qt_application(qapp):  # type: ignore[no-untyped-def]
    return qapp
