"""Drivers page: which driver drives what, and the problem list (unbound devices, firmware, taint)."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from hwinspector.i18n import N_, _, localize, ngettext
from hwinspector.models.drivers import BindingsModel, ProblemColumn, ProblemsModel
from hwinspector.models.live_table import ItemRole
from hwinspector.pages.base import Page
from hwinspector.probes.devices.drivers import Binding, Problem
from hwinspector.probes.devices.tree import Device
from hwinspector.probes.machine.snapshot import Snapshot
from hwinspector.widgets.device_tree_view import TextFilterProxy
from hwinspector.widgets.property_table import PropertyTable


def problems_text(problems: list[Problem]) -> str:
    """Plain text of the problem list, for pasting into a bug report."""
    if not problems:
        return _("No driver problems found.")
    lines = []
    for p in problems:
        lines.append(f"[{p.severity}] {p.name or p.path}: {p.detail}")
        if p.path:
            lines.append(f"    path: {p.path}")
        if p.modalias:
            lines.append(f"    modalias: {p.modalias}")
    return "\n".join(lines)


class DriversPage(Page):
    page_id = "drivers"
    title = N_("Drivers")
    order = 30
    description = N_("Driver bindings, modules, and devices that lack a driver")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._snapshot: Snapshot | None = None
        self.problems_model = ProblemsModel(self)
        self.problems_proxy = QSortFilterProxyModel(self)
        self.problems_proxy.setSourceModel(self.problems_model)
        self.problems_proxy.setFilterKeyColumn(-1)
        self.problems_proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.problems_view = QTableView()
        self.problems_view.setModel(self.problems_proxy)
        self.problems_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.problems_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.problems_view.setWordWrap(False)
        self.problems_view.verticalHeader().hide()
        self.problems_view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.problems_view.setAlternatingRowColors(True)
        hh = self.problems_view.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        hh.setStretchLastSection(True)
        self.problems_view.doubleClicked.connect(self._open_problem)
        self.problems_view.selectionModel().currentRowChanged.connect(self._problem_selected)
        self.problems_empty = QLabel()
        self.problems_empty.setWordWrap(True)
        self.taint_label = QLabel()
        self.taint_label.setWordWrap(True)
        copy = QPushButton(_("Copy problems"))
        copy.setToolTip(_("Copy the problem list as text for a bug report"))
        copy.clicked.connect(lambda: QGuiApplication.clipboard().setText(self.problems_as_text()))
        pbox = QGroupBox(_("Problems"))
        pl = QVBoxLayout(pbox)
        top = QHBoxLayout()
        top.addWidget(self.problems_empty, 1)
        top.addWidget(copy)
        pl.addLayout(top)
        pl.addWidget(self.taint_label)
        pl.addWidget(self.problems_view, 1)

        self.bindings_model = BindingsModel(self)
        self.bindings_proxy = TextFilterProxy(self._binding_text, self)
        self.bindings_proxy.setSourceModel(self.bindings_model)
        self.bindings_view = QTreeView()
        self.bindings_view.setModel(self.bindings_proxy)
        self.bindings_view.setUniformRowHeights(True)
        self.bindings_view.setAlternatingRowColors(True)
        self.bindings_view.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.bindings_view.selectionModel().currentChanged.connect(self._binding_selected)
        self.bindings_view.doubleClicked.connect(self._open_binding_device)
        self.show_unused = QCheckBox(_("Show drivers without devices"))
        self.show_unused.toggled.connect(lambda _unused: self._fill_bindings())
        self.bindings_count = QLabel()
        bbox = QGroupBox(_("Drivers and the devices bound to them"))
        bl = QVBoxLayout(bbox)
        brow = QHBoxLayout()
        brow.addWidget(self.bindings_count)
        brow.addStretch(1)
        brow.addWidget(self.show_unused)
        bl.addLayout(brow)
        bl.addWidget(self.bindings_view, 1)

        self.details = PropertyTable()
        self.details.clear(_("Select a driver or a problem."))
        left = QSplitter(Qt.Orientation.Vertical)
        left.addWidget(pbox)
        left.addWidget(bbox)
        left.setSizes([260, 420])
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(left)
        split.addWidget(self.details)
        split.setSizes([700, 400])
        lay = QVBoxLayout(self)
        lay.addWidget(split)

    def set_snapshot(self, snapshot: Snapshot) -> None:
        self._snapshot = snapshot
        self._devices = {d.path: d for d in snapshot.devices}
        self.problems_model.set_problems(snapshot.problems)
        n = len(snapshot.problems)
        errors = sum(p.severity == "error" for p in snapshot.problems)
        if n == 0:
            self.problems_empty.setText(
                _("No problems: every device that needs a driver has one, and no firmware failed to load.")
            )
        else:
            self.problems_empty.setText(
                ngettext(
                    "{n} problem, {errors} serious. Double-click it to find the device.",
                    "{n} problems, {errors} serious. Double-click one to find the device.",
                    n,
                ).format(n=n, errors=errors)
            )
        self.problems_view.setVisible(n > 0)
        self.problems_view.resizeColumnsToContents()
        for col in (ProblemColumn.DEVICE, ProblemColumn.DETAIL):
            self.problems_view.setColumnWidth(col, min(self.problems_view.columnWidth(col), 320))
        if n:
            self.problems_view.selectRow(0)
        t = snapshot.taint
        if t is None:
            self.taint_label.setText(_("Kernel taint: not known for this source."))
        elif not t.flags:
            self.taint_label.setText(_("Kernel taint: none."))
        else:
            self.taint_label.setText(
                _("Kernel taint: {flags}").format(flags="; ".join(f"{c} — {localize(m)}" for c, m in t.flags))
            )
        self._fill_bindings()
        self.mark_shown()

    def _fill_bindings(self) -> None:
        if self._snapshot is None:
            return
        rows = [b for b in self._snapshot.bindings if b.devices or self.show_unused.isChecked()]
        self.bindings_model.set_bindings(rows, self._devices)
        used = sum(1 for b in self._snapshot.bindings if b.devices)
        self.bindings_count.setText(
            _("{used} drivers in use, {n} known").format(used=used, n=len(self._snapshot.bindings))
        )

    def set_filter(self, text: str) -> None:
        self.problems_proxy.setFilterFixedString(text)
        self.bindings_proxy.set_text(text)
        if text:
            self.bindings_view.expandAll()

    def problems_as_text(self) -> str:
        return problems_text(list(self._snapshot.problems) if self._snapshot else [])

    def _binding_text(self, index: QModelIndex | QPersistentModelIndex) -> str:
        item = index.data(ItemRole)
        if isinstance(item, Binding):
            return " ".join([item.driver, item.module or "", item.bus or ""])
        if isinstance(item, Device):
            return " ".join([item.name, item.path, item.driver or ""])
        return str(index.data() or "")

    def _problem_selected(self, current: QModelIndex, _prev: QModelIndex) -> None:
        p = current.data(ItemRole) if current.isValid() else None
        if not isinstance(p, Problem):
            p = (
                self.problems_model.problem_at(self.problems_proxy.mapToSource(current).row())
                if current.isValid()
                else None
            )
        if p is None:
            return
        rows = [
            (_("Severity"), p.severity),
            (_("Problem"), p.kind),
            (_("Detail"), localize(p.detail)),
            (_("Device path"), p.path or "—"),
            (_("Subsystem"), p.subsystem or "—"),
            (_("Modalias"), p.modalias or "—"),
            (_("Candidate modules"), ", ".join(p.candidates) or _("none known")),
        ]
        self.details.set_content(p.name or p.kind, [(_("Problem"), rows)])

    def _binding_selected(self, current: QModelIndex, _prev: QModelIndex) -> None:
        item = current.data(ItemRole) if current.isValid() else None
        if isinstance(item, Binding):
            info = [
                (_("Driver"), item.driver),
                (_("Bus"), item.bus or "—"),
                (_("Module"), item.module or _("built-in or unknown")),
                (_("Module version"), item.module_version or "—"),
                ("srcversion", item.srcversion or "—"),
                (_("Bound devices"), str(len(item.devices))),
            ]
            sections = [
                (_("Driver"), info),
                (_("Module parameters"), list(item.parameters)),
                (_("Devices"), [(self._devices[p].name if p in self._devices else p, p) for p in item.devices]),
            ]
            self.details.set_content(item.driver, sections)
        elif isinstance(item, Device):
            self.details.set_content(
                item.name,
                [
                    (
                        _("Device"),
                        [
                            (_("Path"), item.path),
                            (_("Driver"), item.driver or _("none")),
                            (_("Subsystem"), item.subsystem or "—"),
                        ],
                    )
                ],
            )

    def _open_problem(self, index: QModelIndex) -> None:
        p = self.problems_model.problem_at(self.problems_proxy.mapToSource(index).row())
        if p.path:
            self.navigate.emit("devices", p.path)

    def _open_binding_device(self, index: QModelIndex) -> None:
        item = index.data(ItemRole)
        if isinstance(item, Device):
            self.navigate.emit("devices", item.path)
