"""How every chain page shows its chain: Graphics, and Audio, Camera, USB-C and Wireless.

A summary line with Refresh and Copy chain, the problems (click one to find its box), the lanes of linked
boxes, and every property of the selected box beside them; an explanation in their place when there is
nothing to draw. The pages own the reading; this panel only shows a picture.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QResizeEvent
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

from hwinspector.i18n import N_, _, localize
from hwinspector.models.graphics import ChainElement, GraphicsChainModel
from hwinspector.models.graphics_elements import ChainPicture
from hwinspector.pages.base import empty_state
from hwinspector.widgets import dim
from hwinspector.widgets.accessible import status_item
from hwinspector.widgets.chain_view import ChainView
from hwinspector.widgets.property_table import PropertyTable, Section

KeyRole = Qt.ItemDataRole.UserRole + 1
SELECT_HINT = N_("Select an element of the chain (click, or the arrow keys) to see everything about it.")


def element_sections(e: ChainElement) -> list[Section]:
    """The detail pane's content: problems first, then every property."""
    out: list[Section] = []
    if e.problems:
        out.append((_("Problems"), [(p.severity, localize(p.detail)) for p in e.problems]))
    out.extend((name, list(rows)) for name, rows in e.sections)
    if e.lines and not e.sections:
        out.append((_("Summary"), [(_("Line {i}").format(i=i + 1), x) for i, x in enumerate(e.lines)]))
    return out


class ChainPanel(QWidget):
    """The page sets ``extra_sections`` to add its own rows to an element's details (Graphics: switcheroo);
    ``below``: a widget under the chain and its details (Graphics: the GPU readings)."""

    def __init__(
        self,
        refresh_tip: str,
        copy_tip: str,
        parent: QWidget | None = None,
        *,
        split_sizes: tuple[int, int] = (840, 300),
        below: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.extra_sections: Callable[[ChainElement], list[Section]] | None = None
        self.summary = QLabel()
        f = self.summary.font()
        f.setPointSizeF(f.pointSizeF() * 1.1)
        f.setBold(True)
        self.summary.setFont(f)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.state = QLabel()
        dim(self.state)
        self.refresh_button = QPushButton(_("Refresh"))
        self.refresh_button.setToolTip(refresh_tip)
        self.copy_button = QPushButton(_("Copy chain"))
        self.copy_button.setToolTip(copy_tip)
        top = QHBoxLayout()
        top.addWidget(self.summary, 1)
        top.addWidget(self.state)
        top.addWidget(self.refresh_button)
        top.addWidget(self.copy_button)
        self.issues = QListWidget()
        self.issues.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.issues.setWordWrap(True)
        self.issues.setAccessibleName(_("Problems"))
        self.issues.itemClicked.connect(self._issue_clicked)
        self.issues.itemActivated.connect(self._issue_clicked)
        self.issues.hide()
        self.model = GraphicsChainModel(self)
        self.view = ChainView()
        self.view.setModel(self.model)
        self.view.current_changed.connect(self._show_details)
        self.details = PropertyTable()
        self.details.clear(_(SELECT_HINT))
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.view)
        split.addWidget(self.details)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        split.setSizes(list(split_sizes))
        self.content = QWidget()
        cl = QVBoxLayout(self.content)
        cl.setContentsMargins(0, 0, 0, 0)
        cl.addLayout(top)
        cl.addWidget(self.issues)
        if below is None:
            cl.addWidget(split, 1)
        else:  # the Graphics page's GPU readings under its chain
            vsplit = QSplitter(Qt.Orientation.Vertical)
            vsplit.addWidget(split)
            vsplit.addWidget(below)
            vsplit.setStretchFactor(0, 3)
            vsplit.setStretchFactor(1, 2)
            cl.addWidget(vsplit, 1)
        self.empty = empty_state(_("Waiting for the source to load…"))
        self.empty.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.body = QStackedWidget()
        self.body.addWidget(self.empty)
        self.body.addWidget(self.content)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.body)

    def show_picture(self, pic: ChainPicture, empty_text: str | None = None, first: str = "") -> None:
        """Draw the picture; with ``empty_text``, say that instead of the (empty) lanes. The selection
        stays where it was when that element is still there, else goes to ``first`` (or the first box)."""
        keep = self.view.current_key()
        self.model.set_picture(pic)
        self.view.relayout()
        self.summary.setText(pic.summary)
        self.issues.clear()
        for issue in pic.issues:
            item = status_item(issue.severity, issue.text)
            item.setData(KeyRole, issue.key or "")
            self.issues.addItem(item)
        self.issues.setVisible(bool(pic.issues))
        self._fit_issues()
        QTimer.singleShot(0, self.issues, self._fit_issues)  # not after the list is gone
        if empty_text is not None:
            self.empty.setText(empty_text)
            self.body.setCurrentWidget(self.empty)
            return
        self.body.setCurrentWidget(self.content)
        start = keep if keep and pic.element(keep) is not None else first or next(iter(self.view.keys()), "")
        self.view.select_key(start)
        self._show_details(start)

    def select_path(self, path: str) -> bool:
        """Select the box of this device; False when the picture has none."""
        hits = [e for e in self.model.picture.elements() if e.devpath == path]
        if hits:
            self.view.select_key(hits[0].key)
        return bool(hits)

    def _fit_issues(self) -> None:
        """As tall as the first four issues; the list scrolls for more."""
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
            self.details.clear(_(SELECT_HINT) if self.model.rowCount() else "")
            return
        sections = element_sections(e)
        if self.extra_sections is not None:
            sections += self.extra_sections(e)
        self.details.set_content(f"{e.caption}: {e.title}", sections)

    def refresh_details(self) -> None:
        """Show the selected element's details again (the page's extra rows changed)."""
        key = self.view.current_key()
        if key:
            self._show_details(key)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self.issues.count():
            QTimer.singleShot(0, self.issues, self._fit_issues)
