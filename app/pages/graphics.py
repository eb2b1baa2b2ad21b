"""Graphics page: each GPU's chain from PCI device to monitor, the OpenGL and Vulkan drivers, and the session."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject, Qt, QTimer
from PySide6.QtGui import QGuiApplication, QHideEvent, QResizeEvent, QShowEvent
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

from hwinspector.collectors.graphics import GraphicsCollector
from hwinspector.models.graphics import ChainElement, GraphicsChainModel, chain_text
from hwinspector.models.graphics_elements import DEFAULT_GL
from hwinspector.models.upower import switcheroo_section
from hwinspector.pages.base import Page, empty_state
from hwinspector.probes.devices.hotplug import HotplugEvent
from hwinspector.probes.graphics.stack import GraphicsStack, read_live_stack
from hwinspector.probes.machine.snapshot import Snapshot
from hwinspector.probes.services.bus import SwitcherooInfo
from hwinspector.widgets import dim
from hwinspector.widgets.chain_view import ChainView
from hwinspector.widgets.property_table import PropertyTable, Section
from hwinspector.widgets.status_icons import status_icon

KeyRole = Qt.ItemDataRole.UserRole + 1
SELECT_HINT = "Select an element of the chain (click, or the arrow keys) to see everything about it."


def element_sections(e: ChainElement) -> list[Section]:
    """The detail pane's content: problems first, then every property."""
    out: list[Section] = []
    if e.problems:
        out.append(("Problems", [(p.severity, p.detail) for p in e.problems]))
    out.extend((name, list(rows)) for name, rows in e.sections)
    if e.lines and not e.sections:
        out.append(("Summary", [(f"Line {i + 1}", x) for i, x in enumerate(e.lines)]))
    return out


class GraphicsPage(Page):
    page_id = "graphics"
    title = "Graphics"
    order = 40
    description = "Each GPU as one chain: PCI device, driver, DRM, connectors, monitors, OpenGL, Vulkan, session"

    def __init__(self, parent: QWidget | None = None, *, reader: Callable[[], GraphicsStack] = read_live_stack) -> None:
        super().__init__(parent)
        self.snapshot: Snapshot | None = None
        self.stack: GraphicsStack | None = None
        self.stacks_shown = 0
        self._wanted = 0  # generation of the request whose answer will be shown
        self._stale = True  # the live machine should be read again when the page is next shown
        self._pending_path = ""
        self._switcheroo: Section | None = None
        self.collector = GraphicsCollector(reader, self)
        self.collector.stack_ready.connect(self._stack_ready)
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
        self.refresh_button.setToolTip("Read the chain, OpenGL, Vulkan and the session again (F5 reloads everything)")
        self.refresh_button.clicked.connect(self.refresh)
        self.copy_button = QPushButton("Copy chain")
        self.copy_button.setToolTip("Copy the whole chain as text, for a bug report (monitor serial numbers left out)")
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
        src = snapshot.source
        if src.is_live:
            self._stale = True
            self.refresh_button.setEnabled(True)
            if self.isVisible():
                self.refresh()
            return
        self.refresh_button.setEnabled(False)
        self.refresh_button.setToolTip("A dump does not change: there is nothing to read again")
        self._stale = False
        self._request(lambda: self.collector.read_devices(snapshot.devices, src.kind, src.label), "Reading the dump…")

    def apply_hotplug(self, events: Sequence[HotplugEvent], snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        if any((ev.device is not None and ev.device.subsystem == "drm") or "/drm/" in ev.path for ev in events):
            # A monitor plugged in, a GPU driver (re)bound: read again, now if shown.
            self._stale = True
            if self.isVisible():
                self.refresh()

    def set_filter(self, text: str) -> None:
        self.view.set_filter(text)

    def select_path(self, path: str) -> None:
        order = {"gpu": 0, "connector": 1, "drm": 2, "monitor": 3, "driver": 4}
        hits = [e for e in self.model.picture.elements() if e.devpath == path]
        if hits:
            self.view.select_key(min(hits, key=lambda e: order.get(e.kind, 9)).key)
            self._pending_path = ""
        else:
            self._pending_path = path  # asked before the reading arrived (--select): applied when it does

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
            self._stale = True  # OpenGL and Vulkan are asked once per showing, never on a timer

    # --- reading ------------------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Read the live machine again (the chain, the session, OpenGL and Vulkan in child processes)."""
        if self.snapshot is None or not self.snapshot.source.is_live:
            return
        self._stale = False
        self._request(self.collector.read_live, "Reading the graphics stack…")

    def _request(self, submit: Callable[[], int], text: str) -> None:
        self._wanted = submit()
        self.mark_waiting()
        self.state.setText(text)
        if self.stack is None:
            self.empty.setText(text)

    def _stack_ready(self, stack: object, generation: int) -> None:
        if generation != self._wanted:
            return  # an answer to a request that a newer one replaced
        assert isinstance(stack, GraphicsStack)
        self.show_stack(stack)

    def _failed(self, message: str, generation: int) -> None:
        if generation == self._wanted:
            self.state.setText(f"Could not read the graphics stack: {message}")
            if self.stack is None:
                self.empty.setText(f"Could not read the graphics stack: {message}")
            self.mark_shown()

    def show_stack(self, stack: GraphicsStack) -> None:
        """Show one reading (GUI thread); keeps the selected element when it is still there."""
        self.stack = stack
        self.stacks_shown += 1
        keep = self.view.current_key()
        self.model.set_stack(stack)
        self.view.relayout()
        pic = self.model.picture
        self.summary.setText(pic.summary)
        self.state.setText("" if stack.is_live else "OpenGL, Vulkan and the session: not in a dump")
        self.issues.clear()
        for issue in pic.issues:
            item = QListWidgetItem(status_icon(issue.severity), issue.text)
            item.setData(KeyRole, issue.key or "")
            item.setToolTip(issue.text)
            self.issues.addItem(item)
        self.issues.setVisible(bool(pic.issues))
        self._fit_issues()
        QTimer.singleShot(0, self._fit_issues)  # wrapped rows know their height once laid out
        self.body.setCurrentWidget(self._content)
        if keep and pic.element(keep) is not None:
            self.view.select_key(keep)
            self._show_details(keep)
        else:
            # the start of the first chain (without a GPU: what applications render with); the problems
            # list above leads to the rest
            first = next(iter(self.view.keys()), "")
            if pic.lanes and pic.lanes[0].elements[0].kind == "none":
                first = next((e.key for e in pic.elements() if DEFAULT_GL in e.lines), first)
            self.view.select_key(first)
            self._show_details(first)
        if self._pending_path:
            self.select_path(self._pending_path)
        self.mark_shown()

    def _fit_issues(self) -> None:
        """As tall as the first four issues; the list scrolls for more."""
        n = min(self.issues.count(), 4)
        rows = sum(max(self.issues.visualItemRect(self.issues.item(i)).height(), 18) for i in range(n))
        self.issues.setFixedHeight(rows + 2 * self.issues.frameWidth() + 2)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.issues.count():
            QTimer.singleShot(0, self._fit_issues)

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
        sections = element_sections(e)
        # switcheroo-control says which GPU the desktop launches applications on, and how to pick the other
        if self._switcheroo is not None and e.kind in ("gpu", "session") and (self.stack is None or self.stack.is_live):
            sections.append(self._switcheroo)
        self.details.set_content(f"{e.caption}: {e.title}", sections)

    def set_bus(self, bus: QObject) -> None:
        """The main window's D-Bus bridge: switcheroo-control's GPU list joins the chain's details."""
        bus.switcheroo_changed.connect(self._on_switcheroo)  # type: ignore[attr-defined]

    def _on_switcheroo(self, info: object) -> None:
        if not isinstance(info, SwitcherooInfo):
            return
        self._switcheroo = switcheroo_section(info)
        key = self.view.current_key()
        if key:
            self._show_details(key)

    def copy_chain(self) -> None:
        if self.stack is not None:
            QGuiApplication.clipboard().setText(chain_text(self.stack, self.model.picture))
            self.state.setText("Chain copied to the clipboard")
