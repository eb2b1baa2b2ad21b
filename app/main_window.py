"""The main window: sidebar of pages, search field, source banner and status bar."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QPalette, QShowEvent
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from hwinspector import __version__
from hwinspector.bus_bridge import BusBridge
from hwinspector.collectors.snapshot import HotplugThread, SnapshotCollector
from hwinspector.dialogs.connect import RemoteControl
from hwinspector.i18n import _
from hwinspector.pages import PageInfo, page_infos
from hwinspector.pages.base import Page
from hwinspector.probes.devices.hotplug import HotplugEvent, monitor_source
from hwinspector.probes.errors import InputFormatError
from hwinspector.probes.machine.snapshot import Snapshot
from hwinspector.sampler_notice import show_sampler_backend
from hwinspector.threads import Port, start_thread
from hwinspector.window_actions import build_actions
from hwinspector.window_text import source_description, window_title

if TYPE_CHECKING:
    from hwinspector.probes.telemetry.recording import Recording


BUILD_AFTER_MS = 3000  # the other pages are built by then even when the first one has nothing to show


class MainWindow(QMainWindow):
    capture_action: QAction
    bugreport_action: QAction
    request_load = Signal(object)  # str | None, queued for the collector's thread
    snapshot_shown = Signal(object)  # Snapshot, after every page has it
    load_failed = Signal(str)
    recording_loaded = Signal(str, object, str)  # bundle path, Recording | None, why not (read on a worker thread)

    def __init__(
        self,
        source: str | None = None,
        *,
        live_updates: bool = True,
        interactive: bool = True,
        start_now: bool = False,
    ) -> None:
        super().__init__()
        self.setWindowTitle(window_title(None))
        # False for --screenshot: no dialog may wait for a click; failures go to load_failed only
        self.interactive = interactive
        self.resize(1280, 800)
        self.snapshot: Snapshot | None = None
        self._live_updates = live_updates
        self._hotplug: HotplugThread | None = None
        self._monitor_text = _("no live updates")
        self._started = False
        self.collector = SnapshotCollector(parent=self)  # its thread reads; its signals arrive here
        self.request_load.connect(self.collector.load)
        self.collector.snapshot_ready.connect(self.show_snapshot)
        self.collector.hotplug.connect(self._on_hotplug)
        self.collector.failed.connect(self._on_failed)
        self.collector.progress.connect(self._on_progress)
        if start_now:
            # Read the source while the window and its first page are built (the reader's sysfs reads
            # overlap the imports and widgets here): the first page's data on screen sooner (issue 18).
            self._started = True
            if source is None:
                self._start_hotplug()
            self.request_load.emit(source)
        # Pages are built when first shown, and the rest one per event-loop turn once the window is up:
        # start-up pays for the first page's imports only (issue: first window within 6x a bare window).
        self._infos: list[PageInfo] = page_infos()
        self._built: dict[str, Page] = {}
        self._early_timeline: list[tuple[int, str, str]] = []  # bus events before the Telemetry page exists
        self.sidebar = QListWidget()
        self.sidebar.setAccessibleName(_("Pages"))
        self.sidebar.setIconSize(QSize(20, 20))
        self.sidebar.setMaximumWidth(200)
        self.stack = QStackedWidget()
        for info in self._infos:
            self.stack.addWidget(QWidget())  # a placeholder until the page is built
            item = QListWidgetItem(_(info.title))
            item.setToolTip(_(info.description))
            item.setData(Qt.ItemDataRole.UserRole, info.page_id)
            self.sidebar.addItem(item)
        self.sidebar.currentRowChanged.connect(self._page_changed)
        self._connect_bus()

        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setTextFormat(Qt.TextFormat.PlainText)  # it names files and machines from elsewhere
        # the tool-tip colours: a pale yellow in light themes, and whatever the dark or high-contrast theme says
        self.banner.setAutoFillBackground(True)
        self.banner.setBackgroundRole(QPalette.ColorRole.ToolTipBase)
        self.banner.setForegroundRole(QPalette.ColorRole.ToolTipText)
        self.banner.setMargin(6)
        self.banner.hide()
        split = QSplitter()
        split.addWidget(self.sidebar)
        split.addWidget(self.stack)
        split.setStretchFactor(1, 1)
        split.setSizes([170, 1100])
        central = QWidget()
        lay = QVBoxLayout(central)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(self.banner)
        lay.addWidget(split, 1)
        self.setCentralWidget(central)

        self.search = QLineEdit()
        self.search.setPlaceholderText(_("Search this page (Ctrl+F)"))
        self.search.setAccessibleName(_("Search this page"))
        self.search.setClearButtonEnabled(True)
        self.search.setMaximumWidth(360)
        self.search.textChanged.connect(self._filter_changed)
        build_actions(self)
        self.source_label = QLabel(_("Source: …"))
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)
        self.busy.setMaximumWidth(120)
        self.busy.hide()
        # Shown only where telemetry runs on the pure-Python sampler, with the reason (sampler_notice.py).
        self.sampler_label = QLabel()
        self.sampler_label.hide()
        self.statusBar().addWidget(self.source_label, 1)
        self.statusBar().addPermanentWidget(self.sampler_label)
        self.statusBar().addPermanentWidget(self.busy)

        self.recording_loaded.connect(self._on_recording)
        self._stale: set[str] = set()  # pages that missed hotplug batches while hidden
        self._progress_text = ""  # the collector's last "Reading …" line, cleared once the source is shown
        self._closing = False
        self._background_build_started = False
        self._background_build_queued = False
        self.sidebar.setCurrentRow(0)
        if start_now and source is None:
            expect_live = getattr(self.current_page(), "expect_live", None)
            if callable(expect_live):
                expect_live()  # the first page reads what it can while the snapshot is read
        self._pending_source = source
        self.remote = RemoteControl(self)
        if self._started:
            self.busy.show()

    def _connect_bus(self) -> None:
        """One system-bus bridge for the window: pages with ``set_bus`` get it when built, the timeline its events."""
        self.bus = BusBridge(parent=self)
        self.bus.timeline_event.connect(self._timeline_event)

    def _timeline_event(self, t_ns: int, kind: str, text: str) -> None:
        page = self._built.get("telemetry")
        add_event = getattr(page, "add_timeline_event", None)
        if add_event is None:
            self._early_timeline.append((t_ns, kind, text))
            del self._early_timeline[:-1000]
        else:
            add_event(t_ns, kind, text)

    # --- pages, built on demand --------------------------------------------------------------------

    @property
    def pages(self) -> dict[str, Page]:
        """Every page by id, in sidebar order (builds the ones not built yet)."""
        return {info.page_id: self._page(info.page_id) for info in self._infos}

    def built_pages(self) -> list[Page]:
        return [self._built[i.page_id] for i in self._infos if i.page_id in self._built]

    def _page(self, page_id: str) -> Page:
        page = self._built.get(page_id)
        if page is not None:
            return page
        row = next(i for i, info in enumerate(self._infos) if info.page_id == page_id)
        page = self._infos[row].load()()
        self._built[page_id] = page
        page.navigate.connect(self.navigate)
        set_bus = getattr(page, "set_bus", None)
        if callable(set_bus):
            set_bus(self.bus)
        set_remote = getattr(page, "set_remote", None)
        remote = getattr(self, "remote", None)  # the first page is built before the remote control exists
        if callable(set_remote) and remote is not None and remote.link is not None:
            set_remote(remote.link)  # built while connected: it reads the remote machine too
        if page_id == "telemetry":
            early, self._early_timeline = self._early_timeline, []
            for event in early:
                self._timeline_event(*event)
        placeholder = self.stack.widget(row)
        was_current = self.stack.currentIndex() == row
        self.stack.insertWidget(row, page)
        if placeholder is not None:
            self.stack.removeWidget(placeholder)
            placeholder.deleteLater()
        if was_current:
            self.stack.setCurrentIndex(row)
        if self.snapshot is not None:
            page.set_snapshot(self.snapshot)
            set_monitor_state = getattr(page, "set_monitor_state", None)
            if self.snapshot.source.is_live and callable(set_monitor_state):
                set_monitor_state(self._monitor_text)
        return page

    def _start_background_build(self) -> None:
        """The other pages, the sampler's notice and the system-bus bridge, once the first page shows its data."""
        if not self._background_build_queued:
            self._background_build_queued = True
            QTimer.singleShot(0, self._build_next_page)
            QTimer.singleShot(0, partial(show_sampler_backend, self.sampler_label))
            if self.snapshot is not None and self.snapshot.source.is_live and not self._closing:
                self.bus.start()

    def _build_next_page(self) -> None:
        """Build one page not built yet, then yield to the event loop before the next."""
        if self._closing:
            return
        for info in self._infos:
            if info.page_id not in self._built:
                self._page(info.page_id)
                QTimer.singleShot(0, self._build_next_page)
                return

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._background_build_started:
            self._background_build_started = True
            # Once the first page shows its data (or BUILD_AFTER_MS, without a source): their imports and
            # widgets would otherwise hold the GIL while the source is read and the first page renders.
            self.current_page().data_shown.connect(self._start_background_build)
            QTimer.singleShot(BUILD_AFTER_MS, self._start_background_build)

    # --- sources -----------------------------------------------------------------------------------

    def start(self) -> None:
        """Begin loading the source given at construction (separate so tests can feed snapshots);
        nothing when the window was made with ``start_now``."""
        if not self._started:
            self._started = True
            self.load_source(self._pending_source)

    def load_source(self, source: str | None) -> None:
        self.remote.stop()  # another source replaces the remote machine
        self.busy.show()
        if source is None:
            # Listen before reading: a device that changes while the tree is read is then caught by
            # an event the collector applies right after the read, instead of being missed.
            self._start_hotplug()
        self.request_load.emit(source)

    def _current_path(self) -> str | None:
        if self.snapshot is None or self.snapshot.source.is_live:
            return None
        return self.snapshot.source.path

    def reload(self) -> None:
        if self.remote.active:
            self.remote.connect_to(self.remote.host)
        else:
            self.load_source(self._current_path())

    def capture_evidence(self) -> None:
        from hwinspector.dialogs.capture import open_capture_dialog

        if self.remote.active:
            self.remote.capture()  # captured there, saved here
            return
        open_capture_dialog(self)

    def report_bug(self) -> None:
        from hwinspector.dialogs.bugreport import open_bugreport_dialog

        # the report is about what the window shows: this machine, or the bundle or dump it opened
        src = self.snapshot.source if self.snapshot is not None else None
        open_bugreport_dialog(self, src.path if src is not None and not src.is_live else None)

    def open_dialog(self) -> None:
        path, _unused = QFileDialog.getOpenFileName(
            self,
            _("Open an evidence bundle or a device dump"),
            str(Path.home()),
            _(
                "Bundles and dumps (*.tar.xz *.txt *.umockdev *.log);;Evidence bundles (*.tar.xz);;"
                "Dumps (*.txt *.umockdev *.log);;All files (*)"
            ),
        )
        if path:
            self.load_source(path)

    def show_snapshot(self, snapshot: Snapshot) -> None:
        if self.remote.active and snapshot.source.label != self.remote.host:
            return  # a read of another source that finished after the remote machine replaced it
        self.busy.hide()
        if self.statusBar().currentMessage() == self._progress_text:
            self.statusBar().clearMessage()  # "Reading …" is done: the source line shows again
        self.snapshot = snapshot
        self._stale.clear()
        for page in self.built_pages():
            page.set_snapshot(snapshot)
        self.source_label.setText(source_description(snapshot))
        if snapshot.source.is_live:
            if self._background_build_queued or not self.isVisible():
                self.bus.start()  # idempotent; it keeps running (and reconnecting) until shutdown
            # else: starting up, the bridge's thread waits until the first page shows its data
            self.banner.hide()
            self._start_hotplug()
            devices = self._built.get("devices")
            if devices is not None and hasattr(devices, "set_monitor_state"):
                devices.set_monitor_state(self._monitor_text)
        else:
            self._stop_hotplug()
            if self.remote.active and snapshot.source.label == self.remote.host:
                self.banner.setText(self.remote.banner_text(snapshot))
                self.source_label.setText(_("Source: {host} (remote machine, over ssh)").format(host=self.remote.host))
            else:
                from hwinspector.report.open_bundle import describe_source  # bundle reader: when one is shown

                self.banner.setText(
                    _("{describe_source} File → Show live machine (Ctrl+L) returns.").format(
                        describe_source=describe_source(snapshot)
                    )
                )
            self.banner.show()
            if snapshot.source.kind == "bundle" and snapshot.source.path:
                self._load_bundle_recording(snapshot.source.path)
        self.setWindowTitle(window_title(snapshot))
        self._filter_changed(self.search.text())
        self.snapshot_shown.emit(snapshot)

    def _load_bundle_recording(self, path: str) -> None:
        """Read the bundle's telemetry recording off the GUI thread; the Telemetry page replays it."""

        from hwinspector.report.open_bundle import load_recording

        loaded = Port(self._recording_read)

        def read() -> None:
            try:
                loaded(path, load_recording(Path(path)), "")
            except InputFormatError as exc:
                loaded(path, None, exc.reason)

        start_thread(read, "bundle-recording")

    def _recording_read(self, path: str, rec: Recording | None, error: str) -> None:
        self.recording_loaded.emit(path, rec, error)

    def _on_recording(self, path: str, rec: Recording | None, error: str) -> None:
        if self.snapshot is None or self.snapshot.source.path != path:
            return  # another source was opened meanwhile
        if error:
            self.statusBar().showMessage(
                _("The bundle's recording cannot be replayed: {error}").format(error=error), 15000
            )
        telemetry: Any = self._page("telemetry") if any(i.page_id == "telemetry" for i in self._infos) else None
        if rec is not None and hasattr(telemetry, "show_recording"):
            telemetry.show_recording(rec)
        elif getattr(telemetry, "replay", None) is not None and hasattr(telemetry, "back_to_live"):
            telemetry.back_to_live()  # the previous bundle's recording is not this one's

    def _on_progress(self, text: str) -> None:
        self._progress_text = text
        self.statusBar().showMessage(text, 5000)

    def _on_failed(self, message: str) -> None:
        self.busy.hide()
        self.statusBar().showMessage(message, 15000)
        if self.snapshot is None:
            self.source_label.setText(_("Could not read: {message}").format(message=message))
        self.load_failed.emit(message)
        if self.interactive:
            QMessageBox.warning(self, "Cannot open", message)

    # --- hotplug -----------------------------------------------------------------------------------

    def _start_hotplug(self) -> None:
        if not self._live_updates or self._hotplug is not None:
            return
        source = monitor_source()
        self._hotplug = HotplugThread(source)
        self._hotplug.batch.connect(self.collector.apply_batch)
        self._hotplug.unavailable.connect(self._hotplug_unavailable)
        self.collector.wait_for_monitor(self._hotplug.listening)
        self._hotplug.start()
        self._monitor_text = (
            _("live: udev events")
            if source == "udev"
            else _("live: kernel uevents (no udev daemon, tree read from sysfs)")
        )

    def _hotplug_unavailable(self, reason: str) -> None:
        self.statusBar().showMessage(reason, 15000)
        self._monitor_text = _("no live updates: {reason} (F5 reloads)").format(reason=reason)
        devices = self._built.get("devices")
        if devices is not None and hasattr(devices, "set_monitor_state"):
            devices.set_monitor_state(self._monitor_text)

    def _stop_hotplug(self) -> None:
        if self._hotplug is not None:
            self._hotplug.stop()
            self._hotplug = None

    def _on_hotplug(self, events: Sequence[HotplugEvent], snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        current = self.stack.currentWidget()
        for page in self.built_pages():
            # Pages that keep a running record (the device tree, the timeline) take every batch; the
            # others re-render once, when shown: a storm must not redraw pages nobody looks at.
            if page.follows_hotplug or page is current:
                page.apply_hotplug(events, snapshot)
                self._stale.discard(page.page_id)
            else:
                self._stale.add(page.page_id)

    # --- navigation and search ---------------------------------------------------------------------

    def current_page(self) -> Page:
        row = max(self.sidebar.currentRow(), 0)
        return self._page(self._infos[row].page_id)

    def show_page(self, page_id: str) -> bool:
        for i in range(self.sidebar.count()):
            if self.sidebar.item(i).data(Qt.ItemDataRole.UserRole) == page_id:
                self.sidebar.setCurrentRow(i)
                return True
        return False

    def navigate(self, page_id: str, path: str) -> None:
        if self.show_page(page_id) and path:
            self.search.clear()
            self._page(page_id).select_path(path)

    def _page_changed(self, row: int) -> None:
        if row >= 0:
            self.stack.setCurrentIndex(row)
            page = self.current_page()  # builds it on its first show
            if page.page_id in self._stale and self.snapshot is not None:
                self._stale.discard(page.page_id)
                page.set_snapshot(self.snapshot)
            page.set_filter(self.search.text())

    def _filter_changed(self, text: str) -> None:
        if self.stack.count():
            self.current_page().set_filter(text)

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def about(self) -> None:
        QMessageBox.about(
            self,
            _("About Hardware Inspector"),
            _("hwinspector {version__}\nA Linux hardware inspector.").format(version__=__version__),
        )

    def closeEvent(self, event: QCloseEvent) -> None:
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self) -> None:
        """Stop the worker threads (idempotent)."""
        self._closing = True
        self.remote.shutdown()
        self._stop_hotplug()
        self.bus.stop()
        for page in self.built_pages():
            page.shutdown()
        self.collector.shutdown()


def schedule_start(window: MainWindow) -> None:
    QTimer.singleShot(0, window.start)
