"""GUI tests: every test here runs with the QApplication that pytest-qt creates."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _qt_application(qapp):  # type: ignore[no-untyped-def]
    return qapp


class QtCallsOffTheGuiThread:
    """Records every call a thread other than the GUI thread makes into PySide6/shiboken6 (C functions)."""

    def __init__(self) -> None:
        self.gui = threading.get_ident()
        self.calls: list[tuple[str, str]] = []

    def __call__(self, frame: Any, event: str, arg: Any) -> None:
        if event != "c_call" or threading.get_ident() == self.gui:
            return
        owner = getattr(arg, "__self__", None)
        module = getattr(type(owner), "__module__", "") if owner is not None else getattr(arg, "__module__", "")
        if module and module.split(".")[0] in ("PySide6", "shiboken6"):
            self.calls.append((threading.current_thread().name, getattr(arg, "__qualname__", repr(arg))))


@pytest.fixture
def qt_calls_off_gui() -> Iterator[QtCallsOffTheGuiThread]:
    watch = QtCallsOffTheGuiThread()
    threading.setprofile(watch)
    try:
        yield watch
    finally:
        threading.setprofile(None)  # type: ignore[arg-type]
