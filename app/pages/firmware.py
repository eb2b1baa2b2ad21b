"""Firmware page: fwupd's devices with their versions and update state, and the Host Security ID report."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QItemSelection, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QAction, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from hwinspector.i18n import N_, _, localize
from hwinspector.models.firmware import (
    FirmwareColumn,
    FirmwareDeviceModel,
    SecurityColumn,
    SecurityModel,
    devices_report,
    firmware_sections,
    hsi_summary,
    parse_hsi,
    security_report,
)
from hwinspector.models.live_table import ItemRole, SearchRole
from hwinspector.pages.base import Page, empty_state
from hwinspector.probes.machine.snapshot import Snapshot
from hwinspector.probes.services.bus import FirmwareDevice, FirmwareInfo
from hwinspector.widgets import dim
from hwinspector.widgets.device_tree_view import TextFilterProxy
from hwinspector.widgets.explained_view import ExplainedView
from hwinspector.widgets.property_table import PropertyTable
from hwinspector.widgets.reading_table import reading_table
from hwinspector.widgets.status_icons import COLORS

if TYPE_CHECKING:
    from hwinspector.bus_bridge import BusBridge

WAITING = N_("Waiting for the system bus…")
# Badge colours per HSI level: 0 is a failing machine, 1 the floor, 2 and above good.
LEVEL_COLORS = {0: COLORS["error"], 1: COLORS["warning"]}


def _searchable(index: QModelIndex | QPersistentModelIndex) -> str:
    return str(index.data(SearchRole) or "")


def _copyable(view: QAbstractItemView) -> None:
    """Ctrl+C on the view copies the selected rows as tab-separated text."""
    act = QAction(_("Copy"), view)
    act.setShortcut(QKeySequence.StandardKey.Copy)
    act.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
    act.triggered.connect(lambda: copy_rows(view))
    view.addAction(act)
    view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)


def copy_rows(view: QAbstractItemView) -> str:
    model = view.model()
    rows = sorted({(i.parent().row(), i.row(), i.parent()) for i in view.selectionModel().selectedIndexes()},
                  key=lambda r: (r[0], r[1]))  # fmt: skip
    lines = [
        "\t".join(str(model.index(row, c, parent).data() or "") for c in range(model.columnCount(parent)))
        for _unused, row, parent in rows
    ]
    text = "\n".join(lines)
    if text:
        QGuiApplication.clipboard().setText(text)
    return text


class FirmwarePage(Page):
    page_id = "firmware"
    title = N_("Firmware")
    order = 80
    description = N_("Firmware versions and update state (fwupd), and the Host Security ID (HSI) report")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._live: bool | None = None
        self.info: FirmwareInfo | None = None
        self.badge = QLabel("HSI")
        self.badge.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.badge.setMinimumWidth(120)
        big = self.badge.font()
        big.setPointSizeF(big.pointSizeF() * 1.8)
        big.setBold(True)
        self.badge.setFont(big)
        self.headline = QLabel()
        self.headline.setWordWrap(True)
        self.headline.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.host = QLabel()
        self.host.setWordWrap(True)
        self.host.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        dim(self.host)
        words = QVBoxLayout()
        words.addWidget(self.headline)
        words.addWidget(self.host)
        header = QHBoxLayout()
        header.addWidget(self.badge)
        header.addLayout(words, 1)

        self.device_model = FirmwareDeviceModel(self)
        self.device_proxy = TextFilterProxy(_searchable, self)
        self.device_proxy.setSourceModel(self.device_model)
        self.device_view = reading_table(
            self.device_proxy, QAbstractItemView.SelectionMode.ExtendedSelection, name=_("Firmware devices")
        )
        self.device_view.selectionModel().selectionChanged.connect(self._on_device_selection)
        _copyable(self.device_view)
        self.devices = ExplainedView(self.device_view)
        self.details = PropertyTable()
        self.details.clear(_("Select a device to see what fwupd knows about it."))
        copy_devices = QPushButton(_("Copy list"))
        copy_devices.setToolTip(_("Copy every device with its version, update state and flags"))
        copy_devices.clicked.connect(self.copy_devices)
        self.devices_box = QGroupBox(_("Devices"))
        dl = QVBoxLayout(self.devices_box)
        drow = QHBoxLayout()
        drow.addStretch(1)
        drow.addWidget(copy_devices)
        dsplit = QSplitter(Qt.Orientation.Vertical)
        dsplit.addWidget(self.devices)
        dsplit.addWidget(self.details)
        dsplit.setSizes([260, 300])
        dl.addLayout(drow)
        dl.addWidget(dsplit, 1)

        self.security_model = SecurityModel(self)
        self.security_proxy = TextFilterProxy(_searchable, self)
        self.security_proxy.setSourceModel(self.security_model)
        self.security_view = QTreeView()
        self.security_view.setAccessibleName(_("Host security"))
        self.security_view.setModel(self.security_proxy)
        self.security_view.setAlternatingRowColors(True)
        self.security_view.setUniformRowHeights(True)
        self.security_view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.security_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        _copyable(self.security_view)
        self.security = ExplainedView(self.security_view)
        copy_security = QPushButton(_("Copy report"))
        copy_security.setToolTip(_("Copy the HSI report as text, in the order of fwupdmgr security"))
        copy_security.clicked.connect(self.copy_security)
        self.security_box = QGroupBox(_("Host security"))
        sl = QVBoxLayout(self.security_box)
        srow = QHBoxLayout()
        srow.addStretch(1)
        srow.addWidget(copy_security)
        sl.addLayout(srow)
        sl.addWidget(self.security, 1)

        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.devices_box)
        split.addWidget(self.security_box)
        split.setSizes([560, 560])
        content = QWidget()
        cl = QVBoxLayout(content)
        cl.setContentsMargins(0, 0, 0, 0)
        cl.addLayout(header)
        cl.addWidget(split, 1)
        self.live_view = ExplainedView(content)
        self.live_view.explain(_(WAITING))

        self.empty = empty_state(_("Waiting for the source to load…"))
        self.empty.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.body = QStackedWidget()
        self.body.addWidget(self.empty)
        self.body.addWidget(self.live_view)
        QVBoxLayout(self).addWidget(self.body)

    # --- Page API ------------------------------------------------------------------------------

    def set_bus(self, bus: BusBridge) -> None:
        bus.firmware_changed.connect(self.show_firmware)
        latest = bus.latest("fwupd")
        if isinstance(latest, FirmwareInfo):
            self.show_firmware(latest)

    def set_snapshot(self, snapshot: Snapshot) -> None:
        src = snapshot.source
        self._live = src.is_live
        if src.is_live:
            self.body.setCurrentWidget(self.live_view)
            if self.info is not None:
                self.mark_shown()
            else:
                self.mark_waiting()  # fwupd's answer comes through the bus bridge
            return
        self.empty.setText(
            _(
                "Firmware devices and the host security report come from fwupd on the live machine: they "
                "are not part of this source ({label}, a {kind} dump).\n\nFile → Show live machine (Ctrl+L) "
                "shows this machine's firmware."
            ).format(label=src.label, kind=src.kind)
        )
        self.body.setCurrentWidget(self.empty)
        self.mark_shown()

    def set_filter(self, text: str) -> None:
        self.device_proxy.set_text(text)
        self.security_proxy.set_text(text)
        self.security_view.expandAll()

    def select_path(self, path: str) -> None:
        """Select a device by fwupd's device ID."""
        for row, d in enumerate(self.device_model.rows()):
            if d.device_id == path:
                self.device_view.selectRow(self.device_proxy.mapFromSource(self.device_model.index(row, 0)).row())

    # --- fwupd ---------------------------------------------------------------------------------

    def show_firmware(self, info: FirmwareInfo) -> None:
        self.info = info
        if not info.available:
            self.device_model.set_rows([])
            self.security_model.set_attrs([])
            self.live_view.explain(_("fwupd: not available: {reason}").format(reason=localize(info.reason)))
            self._shown_if_live()
            return
        self.live_view.show_view()
        hsi = parse_hsi(info.host_security_id)
        self.badge.setText("HSI:?" if hsi.level is None else f"HSI:{hsi.level}{'!' if hsi.runtime_issue else ''}")
        color = LEVEL_COLORS.get(hsi.level if hsi.level is not None else -1, COLORS["ok"])
        if hsi.level is None:
            color = COLORS["unknown"]
        self.badge.setStyleSheet(f"color: white; background: {color}; border-radius: 6px; padding: 8px;")
        self.badge.setToolTip(info.host_security_id)
        self.headline.setText(hsi_summary(info))
        tainted = (
            ""
            if info.tainted is None
            else _(" · kernel tainted: {value}").format(value=_("yes") if info.tainted else _("no"))
        )
        self.host.setText(
            _("{host_product} · fwupd {daemon_version}{tainted}").format(
                host_product=info.host_product or _("Host"), daemon_version=info.daemon_version, tainted=tainted
            )
        )
        selected = self.selected_device()
        if self.device_model.set_rows(info.devices):
            view = self.device_view
            view.resizeColumnsToContents()
            # the update state stretches into what is left; long names and vendors elide (tooltips have all)
            for col, most in ((FirmwareColumn.NAME, 220), (FirmwareColumn.VENDOR, 150), (FirmwareColumn.VERSION, 120)):
                view.setColumnWidth(col, min(view.columnWidth(col), most))
        self.devices_box.setTitle(_("Devices ({n})").format(n=len(info.devices)))
        if info.devices_reason:
            self.devices.explain(
                _("Devices not available: {devices_reason}").format(devices_reason=info.devices_reason)
            )
        elif not info.devices:
            self.devices.explain(_("fwupd found no device it can update or describe on this machine."))
        else:
            self.devices.show_view()
        keep = selected.device_id if selected is not None else (info.devices[0].device_id if info.devices else "")
        self.select_path(keep)
        self._show_details()
        if self.security_model.set_attrs(info.security_attrs):
            self.security_view.expandAll()
            for column, most in ((SecurityColumn.ATTRIBUTE, 300), (SecurityColumn.RESULT, 130)):
                self.security_view.resizeColumnToContents(column)
                self.security_view.setColumnWidth(column, min(self.security_view.columnWidth(column), most))
        if info.security_reason:
            self.security.explain(
                _("Host security report not available: {security_reason}").format(security_reason=info.security_reason)
            )
        else:
            self.security.show_view()
        self._shown_if_live()

    def _shown_if_live(self) -> None:
        if self._live:
            self.mark_shown()  # before a source or for a dump, fwupd's answer is not what the page shows

    def selected_device(self) -> FirmwareDevice | None:
        idx = self.device_view.currentIndex()
        if not idx.isValid():
            return None
        d = idx.data(ItemRole)
        return d if isinstance(d, FirmwareDevice) else None

    def _on_device_selection(self, _sel: QItemSelection, _desel: QItemSelection) -> None:
        self._show_details()

    def _show_details(self) -> None:
        d = self.selected_device()
        if d is None:
            self.details.clear(_("Select a device to see what fwupd knows about it."))
            return
        self.details.set_content(d.name, firmware_sections(d))

    def copy_security(self) -> str:
        text = security_report(self.info) if self.info is not None and self.info.available else ""
        if text:
            QGuiApplication.clipboard().setText(text)
        return text

    def copy_devices(self) -> str:
        text = devices_report(self.info.devices) if self.info is not None and self.info.available else ""
        if text:
            QGuiApplication.clipboard().setText(text)
        return text
