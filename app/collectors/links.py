"""The USB-C/Thunderbolt and wireless chains of a snapshot as reports for the pages and the CLI."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from hwinspector.collectors.base import RequestCollector
from hwinspector.models.link_chain import ChainReport


def _call(fn: Callable[[], ChainReport]) -> ChainReport:
    return fn()


class ChainCollector(RequestCollector):
    """Reads a chain on a worker thread (the live read may wait on D-Bus); the newest request wins.

    A page deleted while a reading is in flight drops the late answer (the worker holds no Qt object).
    """

    report_ready = Signal(object, int)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(_call, "hwi-chain", parent)
        self.ready.connect(self.report_ready)

    def read(self, fn: Callable[[], ChainReport]) -> int:
        return self.submit(fn)
