"""Graphics page: each GPU's chain from PCI device to monitor, the OpenGL and Vulkan drivers, and the session."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtGui import QGuiApplication, QHideEvent, QShowEvent
from PySide6.QtWidgets import QVBoxLayout, QWidget

from hwinspector.collectors.graphics import GraphicsCollector
from hwinspector.i18n import N_, _
from hwinspector.models.graphics import ChainElement, chain_text
from hwinspector.models.graphics_elements import DEFAULT_GL
from hwinspector.models.graphics_lanes import build_picture
from hwinspector.models.upower import switcheroo_section
from hwinspector.pages.base import Page
from hwinspector.pages.chain_panel import SELECT_HINT, ChainPanel, element_sections
from hwinspector.pages.gpu_panel import GpuPanel
from hwinspector.probes.bundle.reader import cached_bundle_sections
from hwinspector.probes.devices.hotplug import HotplugEvent
from hwinspector.probes.gpu.model import report_from_json
from hwinspector.probes.graphics.stack import GraphicsStack, read_live_stack
from hwinspector.probes.machine.snapshot import Snapshot
from hwinspector.probes.services.bus import SwitcherooInfo
from hwinspector.widgets.property_table import Section

__all__ = ["SELECT_HINT", "GraphicsPage", "element_sections"]


class GraphicsPage(Page):
    page_id = "graphics"
    title = N_("Graphics")
    order = 40
    description = N_("Each GPU as one chain: PCI device, driver, DRM, connectors, monitors, OpenGL, Vulkan, session")

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

        # The same panel as the other chain pages: summary, Refresh and Copy chain, problems, lanes, details;
        # this machine's GPU readings below the chain.
        self.gpu_panel = GpuPanel()
        self.panel = ChainPanel(
            _("Read the chain, OpenGL, Vulkan and the session again (F5 reloads everything)"),
            _("Copy the whole chain as text, for a bug report (monitor serial numbers left out)"),
            split_sizes=(820, 300),
            below=self.gpu_panel,
        )
        self.panel.extra_sections = self._switcheroo_rows
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
        src = snapshot.source
        self._gpu_source(snapshot)
        if src.is_live:
            self._stale = True
            self.refresh_button.setEnabled(True)
            if self.isVisible():
                self.refresh()
            return
        self.refresh_button.setEnabled(False)
        self.refresh_button.setToolTip(_("A dump does not change: there is nothing to read again"))
        self._stale = False
        self._request(
            lambda: self.collector.read_devices(snapshot.devices, src.kind, src.label), _("Reading the dump…")
        )

    def apply_hotplug(self, events: Sequence[HotplugEvent], snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        if any((ev.device is not None and ev.device.subsystem == "drm") or "/drm/" in ev.path for ev in events):
            # A monitor plugged in, a GPU driver (re)bound: read again, now if shown.
            self._stale = True
            if self.isVisible():
                self.refresh()
            if snapshot.source.is_live:
                self.gpu_panel.set_live()

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
        self.gpu_panel.shutdown()

    def _gpu_source(self, snapshot: Snapshot) -> None:
        src = snapshot.source
        if src.is_live:
            self.gpu_panel.set_live()
            return
        sections = cached_bundle_sections(Path(src.path)) if src.kind == "bundle" and src.path else None
        sec = sections.get("gpu") if sections else None
        if sec is not None and sec.available and isinstance(sec.data, dict):
            try:
                self.gpu_panel.set_captured(report_from_json(sec.data, src.label))
                return
            except (KeyError, TypeError, ValueError):
                self.gpu_panel.set_captured(None, _("This bundle's GPU section is malformed."))
                return
        why = sec.reason if sec is not None and sec.reason else None
        self.gpu_panel.set_captured(
            None, why or _("No GPU readings in this source: `hwinspector gpu --from RECORDING` reads a umockdev one.")
        )

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
        self._request(self.collector.read_live, _("Reading the graphics stack…"))

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
            self.state.setText(_("Could not read the graphics stack: {message}").format(message=message))
            if self.stack is None:
                self.empty.setText(_("Could not read the graphics stack: {message}").format(message=message))
            self.mark_shown()

    def show_stack(self, stack: GraphicsStack) -> None:
        """Show one reading (GUI thread); keeps the selected element when it is still there."""
        self.stack = stack
        self.stacks_shown += 1
        pic = build_picture(stack)
        # without a GPU, the chain starts at what applications render with; the problems lead to the rest
        first = ""
        if pic.lanes and pic.lanes[0].elements[0].kind == "none":
            first = next((e.key for e in pic.elements() if DEFAULT_GL in e.lines), "")
        self.panel.show_picture(pic, first=first)
        self.state.setText("" if stack.is_live else _("OpenGL, Vulkan and the session: not in a dump"))
        if self._pending_path:
            self.select_path(self._pending_path)
        self.mark_shown()

    def _switcheroo_rows(self, e: ChainElement) -> list[Section]:
        # switcheroo-control says which GPU the desktop launches applications on, and how to pick the other
        if self._switcheroo is not None and e.kind in ("gpu", "session") and (self.stack is None or self.stack.is_live):
            return [self._switcheroo]
        return []

    def set_bus(self, bus: QObject) -> None:
        """The main window's D-Bus bridge: switcheroo-control's GPU list joins the chain's details."""
        bus.switcheroo_changed.connect(self._on_switcheroo)  # type: ignore[attr-defined]

    def _on_switcheroo(self, info: object) -> None:
        if not isinstance(info, SwitcherooInfo):
            return
        self._switcheroo = switcheroo_section(info)
        self.panel.refresh_details()

    def copy_chain(self) -> None:
        if self.stack is not None:
            QGuiApplication.clipboard().setText(chain_text(self.stack, self.model.picture))
            self.state.setText(_("Chain copied to the clipboard"))
