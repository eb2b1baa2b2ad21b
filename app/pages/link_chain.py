"""A page that shows one chain (USB-C and Thunderbolt, wireless) the way the Graphics page shows its own."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from PySide6.QtGui import QGuiApplication, QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QVBoxLayout,
    QWidget,
)

from hwinspector.collectors.links import ChainCollector
from hwinspector.i18n import _
from hwinspector.models.link_chain import ChainReport, chain_text
from hwinspector.pages.base import Page
from hwinspector.pages.chain_panel import ChainPanel
from hwinspector.probes.devices.hotplug import HotplugEvent
from hwinspector.probes.machine.snapshot import Snapshot


class LinkChainPage(Page):
    """Subclasses name the chain, the subsystems whose hotplug re-reads it, and how a report is read."""

    subsystems: ClassVar[frozenset[str]] = frozenset()

    def read_report(self, snapshot: Snapshot) -> ChainReport:
        """Runs on the collector's thread: no widget access here."""
        raise NotImplementedError

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.snapshot: Snapshot | None = None
        self.report: ChainReport | None = None
        self._wanted = 0
        self._stale = True
        self._pending_path = ""
        self.collector = ChainCollector(self)
        self.collector.report_ready.connect(self._ready)
        self.collector.failed.connect(self._failed)

        self.panel = ChainPanel(
            _("Read the chain again"), _("Copy the whole chain as text, for a bug report (addresses left out)")
        )
        self.panel.refresh_button.clicked.connect(self.refresh)
        self.panel.copy_button.clicked.connect(self.copy_chain)
        self.summary, self.state, self.issues = self.panel.summary, self.panel.state, self.panel.issues
        self.refresh_button, self.copy_button = self.panel.refresh_button, self.panel.copy_button
        self.model, self.view, self.details = self.panel.model, self.panel.view, self.panel.details
        self.view.setAccessibleName(_("{page}: chain of linked boxes").format(page=_(self.title)))
        self.empty, self.body = self.panel.empty, self.panel.body
        lay = QVBoxLayout(self)
        lay.addWidget(self.panel)

    # --- Page API ---------------------------------------------------------------------------------------

    def set_snapshot(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        live = snapshot.source.is_live
        self.refresh_button.setEnabled(live)
        self.refresh_button.setToolTip(_("Read the chain again") if live else _("A dump does not change"))
        self._stale = True
        if self.isVisible() or not live:
            self.refresh()

    def apply_hotplug(self, events: Sequence[HotplugEvent], snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        if any(ev.device is not None and ev.device.subsystem in self.subsystems for ev in events):
            self._stale = True  # a dock or a charger came or went: read again, now if shown
            if self.isVisible():
                self.refresh()

    def set_filter(self, text: str) -> None:
        self.view.set_filter(text)

    def select_path(self, path: str) -> None:
        self._pending_path = "" if self.panel.select_path(path) else path

    def shutdown(self) -> None:
        self._wanted = -1
        self.collector.shutdown()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.snapshot is not None and self._stale:
            self.refresh()

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)

    # --- reading ------------------------------------------------------------------------------------------

    def refresh(self) -> None:
        snap = self.snapshot
        if snap is None:
            return
        self._stale = False
        read = self.read_report
        self._wanted = self.collector.read(lambda: read(snap))
        self.mark_waiting()
        self.state.setText(_("Reading…"))
        if self.report is None:
            self.empty.setText(_("Reading…"))

    def _ready(self, report: object, generation: int) -> None:
        if generation != self._wanted or not isinstance(report, ChainReport):
            return
        self.show_report(report)

    def _failed(self, message: str, generation: int) -> None:
        if generation == self._wanted:
            self.state.setText(_("Could not read the chain: {message}").format(message=message))
            if self.report is None:
                self.empty.setText(_("Could not read the chain: {message}").format(message=message))
            self.mark_shown()

    def show_report(self, report: ChainReport) -> None:
        self.report = report
        self.state.setText("" if report.is_live else _("From {source_label}").format(source_label=report.source_label))
        self.refresh_button.setEnabled(report.is_live)
        self.panel.show_picture(report.picture, report.unavailable)
        if not report.unavailable and self._pending_path:
            self.select_path(self._pending_path)
        self.mark_shown()

    def copy_text(self) -> str:
        return chain_text(self.report) if self.report is not None else ""

    def copy_chain(self) -> None:
        if self.report is not None:
            QGuiApplication.clipboard().setText(self.copy_text())
            self.state.setText(_("Chain copied to the clipboard"))
