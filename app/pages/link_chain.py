"""A page that shows one chain (USB-C and Thunderbolt, wireless) the way the Graphics page shows its own."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QGuiApplication, QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from hwinspector.collectors.links import ChainCollector
from hwinspector.models.graphics import GraphicsChainModel
from hwinspector.models.link_chain import ChainReport, chain_text
from hwinspector.pages.base import Page, empty_state
from hwinspector.pages.graphics import SELECT_HINT, element_sections
from hwinspector.probes.devices.hotplug import HotplugEvent
from hwinspector.probes.machine.snapshot import Snapshot
from hwinspector.widgets import dim
from hwinspector.widgets.chain_view import ChainView
from hwinspector.widgets.property_table import PropertyTable
from hwinspector.widgets.status_icons import status_icon

KeyRole = Qt.ItemDataRole.UserRole + 1


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

        self.summary = QLabel()
        f = self.summary.font()
        f.setPointSizeF(f.pointSizeF() * 1.1)
        f.setBold(True)
        self.summary.setFont(f)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.state = QLabel()
        dim(self.state)
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.setToolTip("Read the chain again")
        self.refresh_button.clicked.connect(self.refresh)
        self.copy_button = QPushButton("Copy chain")
        self.copy_button.setToolTip("Copy the whole chain as text, for a bug report (addresses left out)")
        self.copy_button.clicked.connect(self.copy_chain)
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.state)
        top.addWidget(self.refresh_button)
        top.addWidget(self.copy_button)

        self.issues = QListWidget()
        self.issues.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.issues.setWordWrap(True)
        self.issues.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.issues.itemClicked.connect(self._issue_clicked)
        self.issues.itemActivated.connect(self._issue_clicked)
        self.issues.hide()

        self.model = GraphicsChainModel(self)
        self.view = ChainView()
        self.view.setModel(self.model)
        self.view.current_changed.connect(self._show_details)
        self.details = PropertyTable()
        self.details.clear(SELECT_HINT)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.view)
        split.addWidget(self.details)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        split.setSizes([820, 300])
        content = QWidget()
        cl = QVBoxLayout(content)
        cl.setContentsMargins(0, 0, 0, 0)
        cl.addLayout(top)
        cl.addWidget(self.issues)
        cl.addWidget(split, 1)
        self.empty = empty_state("Waiting for the source to load…")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.body = QStackedWidget()
        self.body.addWidget(self.empty)
        self.body.addWidget(content)
        self._content = content
        lay = QVBoxLayout(self)
        lay.addWidget(self.body)

    # --- Page API ---------------------------------------------------------------------------------------

    def set_snapshot(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        live = snapshot.source.is_live
        self.refresh_button.setEnabled(live)
        self.refresh_button.setToolTip("Read the chain again" if live else "A dump does not change")
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
        hits = [e for e in self.model.picture.elements() if e.devpath == path]
        if hits:
            self.view.select_key(hits[0].key)
            self._pending_path = ""
        else:
            self._pending_path = path

    def shutdown(self) -> None:
        self._wanted = -1
        self.collector.shutdown()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.snapshot is not None and self._stale:
            self.refresh()

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)

    def settled(self) -> bool:
        return self.report is not None and not self.collector.busy

    # --- reading ------------------------------------------------------------------------------------------

    def refresh(self) -> None:
        snap = self.snapshot
        if snap is None:
            return
        self._stale = False
        read = self.read_report
        self._wanted = self.collector.read(lambda: read(snap))
        self.state.setText("Reading…")
        if self.report is None:
            self.empty.setText("Reading…")

    def _ready(self, report: object, generation: int) -> None:
        if generation != self._wanted or not isinstance(report, ChainReport):
            return
        self.show_report(report)

    def _failed(self, message: str, generation: int) -> None:
        if generation == self._wanted:
            self.state.setText(f"Could not read the chain: {message}")
            if self.report is None:
                self.empty.setText(f"Could not read the chain: {message}")

    def show_report(self, report: ChainReport) -> None:
        self.report = report
        self.state.setText("" if report.is_live else f"From {report.source_label}")
        self.refresh_button.setEnabled(report.is_live)
        if report.unavailable:
            self.model.set_picture(report.picture)
            self.empty.setText(report.unavailable)
            self.body.setCurrentWidget(self.empty)
            return
        keep = self.view.current_key()
        self.model.set_picture(report.picture)
        self.view.relayout()
        pic = report.picture
        self.summary.setText(pic.summary)
        self.issues.clear()
        for issue in pic.issues:
            item = QListWidgetItem(status_icon(issue.severity), issue.text)
            item.setData(KeyRole, issue.key or "")
            item.setToolTip(issue.text)
            self.issues.addItem(item)
        self.issues.setVisible(bool(pic.issues))
        self._fit_issues()
        QTimer.singleShot(0, self._fit_issues)
        self.body.setCurrentWidget(self._content)
        first = keep if keep and pic.element(keep) is not None else next(iter(self.view.keys()), "")
        self.view.select_key(first)
        self._show_details(first)
        if self._pending_path:
            self.select_path(self._pending_path)

    def _fit_issues(self) -> None:
        n = min(self.issues.count(), 4)
        rows = sum(max(self.issues.visualItemRect(self.issues.item(i)).height(), 18) for i in range(n))
        self.issues.setFixedHeight(rows + 2 * self.issues.frameWidth() + 2)

    # --- interaction --------------------------------------------------------------------------------------

    def _issue_clicked(self, item: QListWidgetItem) -> None:
        key = str(item.data(KeyRole) or "")
        if key:
            self.view.select_key(key)
            self.view.setFocus()

    def _show_details(self, key: str) -> None:
        e = self.model.element(key) if key else None
        if e is None:
            self.details.clear(SELECT_HINT if self.model.rowCount() else "")
            return
        self.details.set_content(f"{e.caption}: {e.title}", element_sections(e))

    def copy_text(self) -> str:
        return chain_text(self.report) if self.report is not None else ""

    def copy_chain(self) -> None:
        if self.report is not None:
            QGuiApplication.clipboard().setText(self.copy_text())
            self.state.setText("Chain copied to the clipboard")
