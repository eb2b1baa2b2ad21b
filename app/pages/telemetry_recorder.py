"""The Telemetry page's recording: where to write it, and the recorder (collectors.telemetry) while one runs."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QFileDialog, QWidget

from hwinspector.collectors.telemetry import Recorder
from hwinspector.i18n import _
from hwinspector.probes.telemetry.channels import Channel


class PageRecorder(QObject):
    """The page hands it what it sampled; nothing happens while no recording runs.

    ``progress`` (rows written) and ``stopped`` (path, error) arrive on the page's thread.
    """

    progress = Signal(int)
    stopped = Signal(str, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._recorder: Recorder | None = None

    @property
    def active(self) -> bool:
        return self._recorder is not None

    @staticmethod
    def ask_path(parent: QWidget) -> Path | None:
        """Where to record, asked in a file dialog (a .jsonl.gz recording, or a .csv spreadsheet)."""
        stamp = time.strftime("%Y%m%d-%H%M%S")
        path, _unused = QFileDialog.getSaveFileName(
            parent,
            _("Record telemetry"),
            str(Path.home() / f"telemetry-{stamp}.jsonl.gz"),
            _("Recording (*.jsonl.gz);;Spreadsheet (*.csv)"),
        )
        return Path(path) if path else None

    @staticmethod
    def ask_open_path(parent: QWidget) -> Path | None:
        """A recording to replay, asked in a file dialog."""
        path, _unused = QFileDialog.getOpenFileName(
            parent, _("Open a telemetry recording"), str(Path.home()), _("Recordings (*.jsonl.gz);;All files (*)")
        )
        return Path(path) if path else None

    def start(self, path: Path, channels: list[Channel], rates: list[float]) -> bool:
        """Open ``path`` on the recorder's thread; False while a recording already runs."""
        if self._recorder is not None:
            return False
        recorder = Recorder(path, channels, rates, {"generator": "hwinspector GUI"}, parent=self)
        recorder.stopped.connect(self.stopped)
        recorder.progress.connect(self.progress)
        self._recorder = recorder
        return True

    def write(self, batch: object) -> None:
        if self._recorder is not None and batch:
            self._recorder.write(batch)

    def add_marker(self, t_ns: int, note: str) -> None:
        if self._recorder is not None:
            self._recorder.add_marker(t_ns, note)

    def add_events(self, batch: Sequence[tuple[int, str, str]]) -> None:
        if self._recorder is not None:
            for t_ns, kind, text in batch:
                self._recorder.add_event(t_ns, kind, text)

    def stop(self, last_batch: object, stats: dict[str, float]) -> None:
        """Write the last rows and the sampler's cost, and close the file (waits, bounded); ``stopped`` follows."""
        recorder, self._recorder = self._recorder, None
        if recorder is None:
            return
        if last_batch:
            recorder.write(last_batch)
        recorder.close(stats)
