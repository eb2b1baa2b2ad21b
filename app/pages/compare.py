"""Compare page: pick two sources (bundles, dumps or the live machine) and see what differs."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from hwinspector.collectors.base import RequestCollector
from hwinspector.i18n import N_, _, ngettext
from hwinspector.pages.base import Page
from hwinspector.probes.errors import InputFormatError, ProbeUnavailable
from hwinspector.probes.machine.snapshot import Snapshot
from hwinspector.report.diff import CATEGORY_TITLES, CHANGE_SIGNS, Diff
from hwinspector.widgets.accessible import cell_text

LIVE = "live"
# a problem that appeared is bad news, one that disappeared good news; other changes are just news.
# Light and dark variants keep 4.5:1 against the theme's base; the sign and, for a screen reader, the word say
# the same without colour.
_COLOUR = {
    "added": ("#2e7d32", "#5cd17a"),
    "removed": ("#c62828", "#ff6b6b"),
    "changed": ("#a66a00", "#ffc93c"),
    "appeared": ("#c62828", "#ff6b6b"),
    "disappeared": ("#2e7d32", "#5cd17a"),
}
_CHANGE_WORDS = {
    "added": N_("added"),
    "removed": N_("removed"),
    "changed": N_("changed"),
    "appeared": N_("appeared"),
    "disappeared": N_("disappeared"),
}


def _plain(label: QLabel) -> QLabel:
    label.setTextFormat(Qt.TextFormat.PlainText)  # names and paths come from other people's files
    label.setWordWrap(True)
    return label


def _compare(request: tuple[str, str, bool]) -> tuple[Diff | None, str]:
    """On the worker thread: read both sources and compare them (an unreadable one is the page's message)."""
    from hwinspector.cli.diff import compare

    a, b, include_gl = request
    try:
        return compare(a, b, include_gl=include_gl), ""
    except (InputFormatError, ProbeUnavailable) as exc:
        return None, str(exc)


def _spoken(item: QTreeWidgetItem) -> QTreeWidgetItem:
    """Every cell says something to a screen reader, an empty one "empty"."""
    for col in range(item.columnCount()):
        item.setData(col, Qt.ItemDataRole.AccessibleTextRole, cell_text(item.text(col)))
    return item


class ComparePage(Page):
    page_id = "compare"
    title = N_("Compare")
    order = 90
    description = N_("Compare two evidence bundles, dumps or the live machine")

    # the worker thread hands its result to the GUI thread through this (Diff, or an error message)
    compared = Signal(object)  # Diff | None, after the view shows it

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.include_gl = True  # the live side's OpenGL/Vulkan probes start a child each (seconds)
        self.result: Diff | None = None
        self.error = ""
        self.pickers: dict[str, QComboBox] = {}
        grid = QGridLayout()
        for row, side in enumerate(("A", "B")):
            combo = QComboBox()
            combo.setMinimumContentsLength(40)
            combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            combo.addItem(_("Live machine"), LIVE)
            browse = QPushButton(_("Browse…"))
            browse.clicked.connect(lambda _unused=False, s=side: self.browse(s))
            label = QLabel(f"{side}:")
            label.setBuddy(combo)
            combo.setAccessibleName(_("Source {side}").format(side=side))
            grid.addWidget(label, row, 0)
            grid.addWidget(combo, row, 1)
            grid.addWidget(browse, row, 2)
            self.pickers[side] = combo
        grid.setColumnStretch(1, 1)
        self.compare_button = QPushButton(_("Compare"))
        self.compare_button.setDefault(True)
        self.compare_button.clicked.connect(self.start)
        self.status = _plain(
            QLabel(_("Pick two sources: evidence bundles (.tar.xz), udevadm dumps or the live machine."))
        )
        buttons = QHBoxLayout()
        buttons.addWidget(self.compare_button)
        buttons.addWidget(self.status, 1)
        self.tree = QTreeWidget()
        self.tree.setColumnCount(3)
        self.tree.setHeaderLabels([_("Difference"), "A", "B"])
        self.tree.setAccessibleName(_("Differences between A and B"))
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        self.tree.header().setStretchLastSection(True)
        self.tree.setColumnWidth(0, 460)
        self.tree.setColumnWidth(1, 260)
        lay = QVBoxLayout(self)
        lay.addLayout(grid)
        lay.addLayout(buttons)
        lay.addWidget(self.tree, 1)
        self._collector = RequestCollector(_compare, "compare", self)
        self._collector.ready.connect(self._answered)
        self._collector.failed.connect(self._refused)

    # --- sources ----------------------------------------------------------------------------------

    def add_source(self, path: str, side: str | None = None) -> None:
        """Offer ``path`` on both pickers (once) and select it on ``side``."""
        for s, combo in self.pickers.items():
            index = combo.findData(path)
            if index < 0:
                combo.addItem(Path(path).name, path)
                index = combo.count() - 1
                combo.setItemData(index, path, Qt.ItemDataRole.ToolTipRole)
            if s == side:
                combo.setCurrentIndex(index)

    def browse(self, side: str) -> None:
        path, _unused = QFileDialog.getOpenFileName(
            self,
            _("Source {side}").format(side=side),
            str(Path.home()),
            _("Bundles and dumps (*.tar.xz *.txt *.umockdev *.log);;All files (*)"),
        )
        if path:
            self.add_source(path, side)

    def source(self, side: str) -> str:
        return str(self.pickers[side].currentData())

    # --- Page API ---------------------------------------------------------------------------------

    def set_snapshot(self, snapshot: Snapshot) -> None:
        # what the window shows becomes side A, compared with the live machine by default
        if not snapshot.source.is_live and snapshot.source.path:
            self.add_source(snapshot.source.path, "A")
            self.pickers["B"].setCurrentIndex(self.pickers["B"].findData(LIVE))
        if not self.compare_button.isEnabled():
            return  # a comparison is running: its result is what this page shows next
        self.mark_shown()  # the two pickers: a comparison is the user's to start

    def set_filter(self, text: str) -> None:
        needle = text.strip().lower()
        for i in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(i)
            if top is None:
                continue
            shown = 0
            for j in range(top.childCount()):
                child = top.child(j)
                if child is None:
                    continue
                hit = not needle or any(needle in child.text(c).lower() for c in range(3))
                child.setHidden(not hit)
                shown += hit
            top.setHidden(bool(needle) and not shown)

    def shutdown(self) -> None:
        self._collector.shutdown()  # a comparison still running is ignored when it ends

    # --- comparing ---------------------------------------------------------------------------------

    def start(self) -> None:
        """Compare the two picked sources on a worker thread (reading them is I/O, maybe seconds)."""
        a, b = self.source("A"), self.source("B")
        self.compare_button.setEnabled(False)
        self.mark_waiting()
        self.status.setText(
            _("Comparing {currentText} with {currentText2}…").format(
                currentText=self.pickers["A"].currentText(), currentText2=self.pickers["B"].currentText()
            )
        )
        self._collector.submit((a, b, self.include_gl))

    def _answered(self, answer: tuple[Diff | None, str], generation: int) -> None:
        if generation == self._collector.generation:
            self._show_result(*answer)

    def _refused(self, error: str, generation: int) -> None:
        if generation == self._collector.generation:
            self._show_result(None, error)

    def _show_result(self, result: Diff | None, error: str) -> None:
        self.compare_button.setEnabled(True)
        self.result, self.error = result, error
        self.tree.clear()
        if result is None:
            self.status.setText(_("Cannot compare: {error}").format(error=error))
            self.mark_shown()
            self.compared.emit(None)
            return
        n = len(result.changes)
        self.status.setText(
            _("No differences in what both sources show.")
            if result.equal
            else ngettext("{n} difference between A and B.", "{n} differences between A and B.", n).format(n=n)
        )
        for cat, changes in result.by_category().items():
            if not changes:
                continue
            top = _spoken(QTreeWidgetItem([f"{_(CATEGORY_TITLES.get(cat, cat))} ({len(changes)})", "", ""]))
            font = top.font(0)
            font.setBold(True)
            top.setFont(0, font)
            dark = self.tree.palette().color(QPalette.ColorRole.Base).lightness() < 128
            for c in changes:
                name = f"  ({c.detail})" if c.detail else ""
                item = _spoken(
                    QTreeWidgetItem([f"{CHANGE_SIGNS.get(c.kind, '?')} {c.item}{name}", c.a or "—", c.b or "—"])
                )
                word = _(_CHANGE_WORDS.get(c.kind, c.kind))
                item.setData(
                    0,
                    Qt.ItemDataRole.AccessibleTextRole,
                    _("{change}: {item}").format(change=word, item=f"{c.item}{name}"),
                )
                item.setToolTip(0, word)
                colour = _COLOUR.get(c.kind)
                if colour is not None:
                    item.setForeground(0, QBrush(QColor(colour[1] if dark else colour[0])))
                top.addChild(item)
            self.tree.addTopLevelItem(top)
            top.setExpanded(len(changes) <= 50)
        for title, lines in ((_("Not compared"), result.not_compared), (_("Notes"), result.notes)):
            if lines:
                top = _spoken(QTreeWidgetItem([title, "", ""]))
                for line in lines:
                    top.addChild(_spoken(QTreeWidgetItem([line, "", ""])))
                self.tree.addTopLevelItem(top)
                top.setExpanded(True)
        self.mark_shown()
        self.compared.emit(result)
