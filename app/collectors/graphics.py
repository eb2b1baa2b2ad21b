"""The graphics stack read on a worker thread; the stack itself is read by probes/graphics/stack.py."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject, Signal

from hwinspector.collectors.base import RequestCollector
from hwinspector.probes.devices.tree import Device
from hwinspector.probes.graphics.stack import PROBE_TIMEOUT_S, GraphicsStack, read_live_stack, stack_from_devices

_Devices = tuple[str, str, tuple[Device, ...]] | None  # (source, label, devices), or None for the live machine


def _reader(live_reader: Callable[[], GraphicsStack]) -> Callable[[_Devices], GraphicsStack]:
    def read(devices: _Devices) -> GraphicsStack:
        if devices is None:
            return live_reader()
        source, label, devs = devices
        return stack_from_devices(list(devs), source, label)

    return read


class GraphicsCollector(RequestCollector):
    """Reads the stack, one request at a time; ``stack_ready(stack, generation)`` arrives on the GUI thread."""

    stack_ready = Signal(object, int)

    def __init__(self, live_reader: Callable[[], GraphicsStack] = read_live_stack, parent: QObject | None = None):
        super().__init__(_reader(live_reader), "graphics-collector", parent, wait_s=PROBE_TIMEOUT_S + 5)
        self.ready.connect(self.stack_ready)

    def read_live(self) -> int:
        return self.submit(None)

    def read_devices(self, devices: Sequence[Device], source: str, label: str) -> int:
        return self.submit((source, label, tuple(devices)))
