"""A page that shows one chain (audio, camera) with the Graphics page's widgets: lanes of linked boxes,
the problems above them, every property of the selected box beside them, and Copy chain for bug reports."""

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

from hwinspector.collectors.av import AvCollector
from hwinspector.collectors.av_sources import AvReading
from hwinspector.models.av_common import picture_text
from hwinspector.models.graphics import GraphicsChainModel
from hwinspector.models.graphics_elements import ChainPicture
from hwinspector.pages.base import Page, empty_state
from hwinspector.pages.graphics import SELECT_HINT, element_sections
from hwinspector.probes.devices.hotplug import HotplugEvent
from hwinspector.probes.machine.snapshot import Snapshot
from hwinspector.widgets import dim
from hwinspector.widgets.chain_view import ChainView
from hwinspector.widgets.property_table import PropertyTable
from hwinspector.widgets.status_icons import status_icon

KeyRole = Qt.ItemDataRole.UserRole + 1


class ChainPage(Page):
    """Subclasses name the chain and turn a reading into a picture."""

    what: ClassVar[str] = ""  # "Audio"
    subsystems: ClassVar[tuple[str, ...]] = ()  # hotplug of these makes the live reading stale
    empty_text: ClassVar[str] = ""

    def picture(self, reading: AvReading) -> ChainPicture:
        raise NotImplementedError

    def __init__(self, parent: QWidget | None = None, *, collector: AvCollector | None = None) -> None:
        super().__init__(parent)
        self.snapshot: Snapshot | None = None
        self.reading: AvReading | None = None
        self._wanted = 0
        self._stale = True
        self.collector = collector or AvCollector(self._read, self)
        self.collector.reading_ready.connect(self._ready)
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
        self.refresh_button.setToolTip(f"Read the {self.what.lower()} chain again")
        self.refresh_button.clicked.connect(self.refresh)
        self.refresh_button.setEnabled(False)  # until a live snapshot arrives: a dump does not change
        self.copy_button = QPushButton("Copy chain")
        self.copy_button.setToolTip("Copy the whole chain as text, for a bug report")
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
        split.setSizes([860, 300])
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

    def _read(self, snapshot: Snapshot) -> AvReading:
        from hwinspector.collectors.av_sources import read_av

        return read_av(snapshot, audio=self.what == "Audio", camera=self.what == "Camera")

    # --- Page API ---------------------------------------------------------------------------------------

    def set_snapshot(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        live = snapshot.source.is_live
        self.refresh_button.setEnabled(live)
        if live:
            self._stale = True
            if self.isVisible():
                self.refresh()
            return
        self._stale = False
        self._request(f"Reading {snapshot.source.label}…")

    def apply_hotplug(self, events: Sequence[HotplugEvent], snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        if any((ev.device is not None and ev.device.subsystem in self.subsystems) for ev in events):
            self._stale = True
            if self.isVisible():
                self.refresh()

    def set_filter(self, text: str) -> None:
        self.view.set_filter(text)

    def select_path(self, path: str) -> None:
        hits = [e for e in self.model.picture.elements() if e.devpath == path]
        if hits:
            self.view.select_key(hits[0].key)

    def shutdown(self) -> None:
        self._wanted = -1
        self.collector.shutdown()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.snapshot is not None and self.snapshot.source.is_live and self._stale:
            self.refresh()

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        if self.snapshot is not None and self.snapshot.source.is_live:
            self._stale = True  # the sound server and cameras are asked once per showing, never on a timer

    def settled(self) -> bool:
        return self.reading is not None and not self.collector.busy

    # --- reading ------------------------------------------------------------------------------------------

    def refresh(self) -> None:
        if self.snapshot is None or not self.snapshot.source.is_live:
            return
        self._stale = False
        self._request(f"Reading the {self.what.lower()} chain…")

    def _request(self, text: str) -> None:
        assert self.snapshot is not None
        self._wanted = self.collector.read(self.snapshot)
        self.state.setText(text)
        if self.reading is None:
            self.empty.setText(text)

    def _ready(self, reading: object, generation: int) -> None:
        if generation == self._wanted and isinstance(reading, AvReading):
            self.show_reading(reading)

    def _failed(self, message: str, generation: int) -> None:
        if generation == self._wanted:
            self.state.setText(f"Could not read the {self.what.lower()} chain: {message}")
            if self.reading is None:
                self.empty.setText(f"Could not read the {self.what.lower()} chain: {message}")

    def show_reading(self, reading: AvReading) -> None:
        self.reading = reading
        keep = self.view.current_key()
        pic = self.picture(reading)
        self.model.set_picture(pic)
        self.view.relayout()
        self.summary.setText(pic.summary)
        self.state.setText("")
        self.issues.clear()
        for issue in pic.issues:
            item = QListWidgetItem(status_icon(issue.severity), issue.text)
            item.setData(KeyRole, issue.key or "")
            item.setToolTip(issue.text)
            self.issues.addItem(item)
        self.issues.setVisible(bool(pic.issues))
        self._fit_issues()
        QTimer.singleShot(0, self._fit_issues)
        if not pic.lanes:
            notes = "\n".join(i.text for i in pic.issues)
            self.empty.setText(f"{pic.summary}.\n\n{self.empty_text}" + (f"\n\n{notes}" if notes else ""))
            self.body.setCurrentWidget(self.empty)
            return
        self.body.setCurrentWidget(self._content)
        first = keep if keep and pic.element(keep) is not None else next(iter(self.view.keys()), "")
        self.view.select_key(first)
        self._show_details(first)

    def _fit_issues(self) -> None:
        n = min(self.issues.count(), 4)
        rows = sum(max(self.issues.visualItemRect(self.issues.item(i)).height(), 18) for i in range(n))
        self.issues.setFixedHeight(rows + 2 * self.issues.frameWidth() + 2)

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

    def chain_text(self) -> str:
        if self.reading is None:
            return ""
        r = self.reading
        return picture_text(self.what, r.label, self.model.picture, r.taken_at)

    def copy_chain(self) -> None:
        if self.reading is not None:
            QGuiApplication.clipboard().setText(self.chain_text())
            self.state.setText("Chain copied to the clipboard")
