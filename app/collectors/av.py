"""Reads the audio and camera chains on a worker thread; ``reading_ready`` arrives on the GUI thread."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal

from hwinspector.collectors.av_sources import AvReading, read_av
from hwinspector.collectors.base import RequestCollector
from hwinspector.probes.machine.snapshot import Snapshot

WAIT_S = 20.0  # pw-dump, pactl and cam each have a 5-8 s timeout


class AvCollector(RequestCollector):
    """One request at a time; the newest waiting request replaces an older one."""

    reading_ready = Signal(object, int)  # AvReading, generation

    def __init__(self, reader: Callable[[Snapshot], AvReading] = read_av, parent: QObject | None = None) -> None:
        super().__init__(reader, "av-collector", parent, wait_s=WAIT_S)
        self.ready.connect(self.reading_ready)

    def read(self, snapshot: Snapshot) -> int:
        return self.submit(snapshot)
