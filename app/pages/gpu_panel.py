"""The Graphics page's live GPU panel: per GPU its state, readings by quantity with units, and who uses it."""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from hwinspector.collectors.gpu import GpuSource
from hwinspector.collectors.sensors import SensorPoller
from hwinspector.i18n import _
from hwinspector.models.gpu import GpuClientsModel, GpuReadingsModel
from hwinspector.probes.gpu.model import Gpu, GpuReport
from hwinspector.widgets import dim


def gpu_state_text(g: Gpu) -> str:
    ident = f"{g.card or '-'} · {g.pci_address} · {g.driver or _('no driver')}"
    if g.asleep:
        since = ""
        if g.runtime.asleep_since_s is not None:
            clock = time.strftime("%H:%M:%S", time.localtime(g.runtime.asleep_since_s))
            since = (
                _(" since {time}").format(time=clock)
                if g.runtime.since_exact
                else _(" since {time} or earlier").format(time=clock)
            )
        return _("{gpu}: asleep ({status}){since}. Nothing is read while it sleeps, to keep it asleep.").format(
            gpu=ident, status=g.runtime.status, since=since
        )
    parts = [_("{gpu}: awake ({state})").format(gpu=ident, state=g.runtime.status or _("no runtime PM"))]
    if g.metrics_revision:
        parts.append(f"gpu_metrics {g.metrics_revision}")
    if g.performance_level:
        parts.append(_("performance level {level}").format(level=g.performance_level))
    if g.throttle_reasons:
        parts.append(_("throttled by {reasons}").format(reasons=", ".join(g.throttle_reasons)))
    parts += list(g.notes)
    return " · ".join(parts)


class GpuPanel(QWidget):
    """Reads on a worker thread about every 1.5 s, only while shown and only for the live machine;
    a bundle's GPU section is shown as captured."""

    def __init__(
        self, parent: QWidget | None = None, *, sysfs: Path = Path("/sys"), procfs: Path = Path("/proc")
    ) -> None:
        super().__init__(parent)
        self.live = True
        self.report: GpuReport | None = None
        # a plain thread that holds no Qt object; readings reach the GUI thread through a Port (threads.py)
        self.poller = SensorPoller(GpuSource(sysfs, procfs), "gpu-poller", self)
        self.poller.reading.connect(self.show_report)
        self.title = QLabel(_("GPUs"))
        f = self.title.font()
        f.setBold(True)
        self.title.setFont(f)
        self.selector = QComboBox()
        self.selector.currentIndexChanged.connect(self._show_selected)
        self.state = QLabel(_("Reading the GPUs…"))
        self.state.setWordWrap(True)
        self.state.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.readings_model = GpuReadingsModel(self)
        self.readings = self._table(self.readings_model)
        self.clients_title = QLabel(_("Who uses the GPUs (DRM fdinfo, NVML)"))
        dim(self.clients_title)
        self.clients_model = GpuClientsModel(self)
        self.clients = self._table(self.clients_model)
        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addWidget(self.selector, 1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(top)
        lay.addWidget(self.state)
        body = QHBoxLayout()
        body.addWidget(self.readings, 3)
        right = QVBoxLayout()
        right.addWidget(self.clients_title)
        right.addWidget(self.clients, 1)
        body.addLayout(right, 2)
        lay.addLayout(body, 1)

    @staticmethod
    def _table(model: GpuReadingsModel | GpuClientsModel) -> QTableView:
        t = QTableView()
        t.setModel(model)
        t.verticalHeader().hide()
        t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        t.horizontalHeader().setStretchLastSection(True)
        return t

    # --- sources ----------------------------------------------------------------------------------------

    def set_live(self) -> None:
        self.live = True
        if self.isVisible():
            self.poller.start()

    def set_captured(self, report: GpuReport | None, reason: str | None = None) -> None:
        """A bundle's or recording's GPU section (static): shown as it is, never polled."""
        self.live = False
        self.poller.stop()
        if report is None:
            self.report = None
            self.selector.clear()
            self.readings_model.set_gpu(None)
            self.clients_model.set_clients([])
            self.state.setText(reason or _("This source has no GPU readings."))
            return
        self.show_report(report)

    def shutdown(self) -> None:
        self.poller.shutdown()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.live:
            self.poller.start()

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self.poller.stop()  # nothing read, no timer, NVML closed while the panel is not on screen

    # --- showing ------------------------------------------------------------------------------------------

    @Slot(object)
    def show_report(self, report: object) -> None:
        if not isinstance(report, GpuReport):
            return
        self.report = report
        names = [
            f"{g.card or g.pci_address} · {g.driver or '-'}{' · ' + _('asleep') if g.asleep else ''}"
            for g in report.gpus
        ]
        current = max(self.selector.currentIndex(), 0)
        if [self.selector.itemText(i) for i in range(self.selector.count())] != names:
            self.selector.blockSignals(True)
            self.selector.clear()
            self.selector.addItems(names)
            self.selector.setCurrentIndex(min(current, len(names) - 1))
            self.selector.blockSignals(False)
        self.clients_model.set_clients(list(report.clients))
        self._show_selected(self.selector.currentIndex())

    @Slot(int)
    def _show_selected(self, i: int) -> None:
        if self.report is None:
            return
        if not self.report.gpus:
            self.state.setText(" ".join(self.report.notes) or _("No GPU found."))
            self.readings_model.set_gpu(None)
            return
        g = self.report.gpus[max(0, min(i, len(self.report.gpus) - 1))]
        self.state.setText(gpu_state_text(g))
        self.readings_model.set_gpu(g)
