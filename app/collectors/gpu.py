"""The GPU panel's source for a SensorPoller: GpuReader on the poller's thread, closed (NVML too) when it stops."""

from __future__ import annotations

from pathlib import Path

from hwinspector.probes.gpu.model import GpuReport
from hwinspector.probes.gpu.read import GpuReader


class GpuSource:
    """open/read/close as a SensorPoller calls them, all on its thread: one look per poll, rates from the
    previous look; close() shuts NVML down, so no fd of ours stays on /dev/nvidia* while the panel hides."""

    def __init__(self, sysfs: Path = Path("/sys"), procfs: Path = Path("/proc")) -> None:
        self._sysfs = sysfs
        self._procfs = procfs
        self._reader: GpuReader | None = None

    def open(self) -> None:
        self.close()
        self._reader = GpuReader(self._sysfs, self._procfs)

    def close(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None

    def read(self) -> GpuReport:
        if self._reader is None:
            self.open()
        assert self._reader is not None
        return self._reader.read()
