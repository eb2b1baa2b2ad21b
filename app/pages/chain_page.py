"""A page that shows one chain (audio, camera) with the Graphics page's widgets: lanes of linked boxes,
the problems above them, every property of the selected box beside them, and Copy chain for bug reports."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from PySide6.QtGui import QGuiApplication, QHideEvent, QShowEvent
from PySide6.QtWidgets import (
    QVBoxLayout,
    QWidget,
)

from hwinspector.collectors.av import AvCollector
from hwinspector.collectors.av_sources import AvReading
from hwinspector.i18n import _, localize
from hwinspector.models.av_common import picture_text
from hwinspector.models.graphics_elements import ChainPicture
from hwinspector.pages.base import Page
from hwinspector.pages.chain_panel import ChainPanel
from hwinspector.probes.devices.hotplug import HotplugEvent
from hwinspector.probes.machine.snapshot import Snapshot


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
        self.panel = ChainPanel(
            _("Read the {what} chain again").format(what=_(self.what)),
            _("Copy the whole chain as text, for a bug report"),
        )
        self.panel.refresh_button.clicked.connect(self.refresh)
        self.panel.refresh_button.setEnabled(False)  # until a live snapshot arrives: a dump does not change
        self.panel.copy_button.clicked.connect(self.copy_chain)
        self.summary, self.state, self.issues = self.panel.summary, self.panel.state, self.panel.issues
        self.refresh_button, self.copy_button = self.panel.refresh_button, self.panel.copy_button
        self.model, self.view, self.details = self.panel.model, self.panel.view, self.panel.details
        self.view.setAccessibleName(_("{page}: chain of linked boxes").format(page=_(self.title)))
        self.empty, self.body = self.panel.empty, self.panel.body
        lay = QVBoxLayout(self)
        lay.addWidget(self.panel)

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
        self._request(_("Reading {label}…").format(label=snapshot.source.label))

    def apply_hotplug(self, events: Sequence[HotplugEvent], snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        if any((ev.device is not None and ev.device.subsystem in self.subsystems) for ev in events):
            self._stale = True
            if self.isVisible():
                self.refresh()

    def set_filter(self, text: str) -> None:
        self.view.set_filter(text)

    def select_path(self, path: str) -> None:
        self.panel.select_path(path)

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

    # --- reading ------------------------------------------------------------------------------------------

    def refresh(self) -> None:
        if self.snapshot is None or not self.snapshot.source.is_live:
            return
        self._stale = False
        self._request(_("Reading the {what} chain…").format(what=_(self.what)))

    def _request(self, text: str) -> None:
        assert self.snapshot is not None
        self._wanted = self.collector.read(self.snapshot)
        self.mark_waiting()
        self.state.setText(text)
        if self.reading is None:
            self.empty.setText(text)

    def _ready(self, reading: object, generation: int) -> None:
        if generation == self._wanted and isinstance(reading, AvReading):
            self.show_reading(reading)

    def _failed(self, message: str, generation: int) -> None:
        if generation == self._wanted:
            self.state.setText(
                _("Could not read the {what} chain: {message}").format(what=_(self.what), message=message)
            )
            if self.reading is None:
                self.empty.setText(
                    _("Could not read the {what} chain: {message}").format(what=_(self.what), message=message)
                )
            self.mark_shown()

    def show_reading(self, reading: AvReading) -> None:
        self.reading = reading
        pic = self.picture(reading)
        self.state.setText("")
        empty = None
        if not pic.lanes:
            notes = "\n".join(i.text for i in pic.issues)
            empty = f"{localize(pic.summary)}.\n\n{_(self.empty_text)}" + (f"\n\n{notes}" if notes else "")
        self.panel.show_picture(pic, empty)
        self.mark_shown()

    def chain_text(self) -> str:
        if self.reading is None:
            return ""
        r = self.reading
        return picture_text(self.what, r.label, self.model.picture, r.taken_at)

    def copy_chain(self) -> None:
        if self.reading is not None:
            QGuiApplication.clipboard().setText(self.chain_text())
            self.state.setText(_("Chain copied to the clipboard"))
