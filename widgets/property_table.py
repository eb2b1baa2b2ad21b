"""A two-column key/value view in sections, with filtering and copy to clipboard."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAction, QFont, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from hwinspector.i18n import _

Section = tuple[str, Sequence[tuple[str, str]]]
MAX_SHOWN_CHARS = 512  # longer values (binary attributes as hex) are cut in the cell; copy gives all


class PropertyTable(QWidget):
    """Sections of (key, value) rows. Ctrl+C copies the selected rows as ``key=value`` lines."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._title = QLabel()
        self._title.setTextFormat(Qt.TextFormat.PlainText)  # device names from a bundle or dump are not markup
        self._title.setWordWrap(True)
        self._title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self._title.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        font.setBold(True)
        self._title.setFont(font)
        self._filter = QLineEdit()
        self._filter.setPlaceholderText(_("Filter properties"))
        self._filter.setClearButtonEnabled(True)
        self._filter.textChanged.connect(self._apply_filter)
        self._copy_all = QPushButton(_("Copy all"))
        self._copy_all.setToolTip(_("Copy every section as text"))
        self._copy_all.clicked.connect(self.copy_all)
        self.tree = QTreeWidget()
        self.tree.setColumnCount(2)
        self.tree.setHeaderLabels([_("Property"), _("Value")])
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.tree.setAlternatingRowColors(True)
        self.tree.setUniformRowHeights(True)
        # sysfs paths and modaliases are long: keep both ends visible, the tooltip has the whole value
        self.tree.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._menu)
        mono = QFont("monospace")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        self._mono = mono
        copy = QAction(_("Copy"), self.tree)
        copy.setShortcut(QKeySequence.StandardKey.Copy)
        copy.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        copy.triggered.connect(self.copy_selection)
        self.tree.addAction(copy)
        top = QHBoxLayout()
        top.addWidget(self._filter, 1)
        top.addWidget(self._copy_all)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self._title)
        lay.addLayout(top)
        lay.addWidget(self.tree, 1)
        self._sections: list[Section] = []

    def set_content(self, title: str, sections: Sequence[Section]) -> None:
        self._title.setText(title)
        self._sections = list(sections)
        self.tree.clear()
        for name, rows in sections:
            head = QTreeWidgetItem([f"{name} ({len(rows)})", ""])
            f = head.font(0)
            f.setBold(True)
            head.setFont(0, f)
            head.setFirstColumnSpanned(True)
            for key, value in rows:
                shown = (
                    value
                    if len(value) <= MAX_SHOWN_CHARS
                    else value[:MAX_SHOWN_CHARS] + _("… ({n} chars)").format(n=len(value))
                )
                item = QTreeWidgetItem([key, shown.replace("\n", " ⏎ ")])
                item.setData(1, Qt.ItemDataRole.UserRole, value)
                item.setToolTip(1, value[:4000])
                item.setFont(1, self._mono)
                head.addChild(item)
            self.tree.addTopLevelItem(head)
            head.setExpanded(True)
        self.tree.resizeColumnToContents(0)
        # long property names (ID_PCI_SUBCLASS_FROM_DATABASE) must not squeeze the values out of view
        self.tree.setColumnWidth(0, min(self.tree.columnWidth(0), max(140, self.tree.width() * 2 // 5)))
        self._apply_filter(self._filter.text())

    def clear(self, message: str = "") -> None:
        self.set_content(message, [])

    def title(self) -> str:
        return self._title.text()

    def rows(self) -> list[tuple[str, str, str]]:
        """(section, key, full value) for every row: what the view holds."""
        return [(s, k, v) for s, rows in self._sections for k, v in rows]

    def _apply_filter(self, text: str) -> None:
        needle = text.strip().lower()
        for i in range(self.tree.topLevelItemCount()):
            head = self.tree.topLevelItem(i)
            if head is None:
                continue
            shown = 0
            for j in range(head.childCount()):
                child = head.child(j)
                if child is None:
                    continue
                value = str(child.data(1, Qt.ItemDataRole.UserRole) or "")
                hit = not needle or needle in child.text(0).lower() or needle in value.lower()
                child.setHidden(not hit)
                shown += hit
            head.setHidden(bool(needle) and shown == 0)

    def _item_text(self, item: QTreeWidgetItem) -> str:
        if item.parent() is None:
            idx = self.tree.indexOfTopLevelItem(item)
            name, rows = self._sections[idx]
            return f"[{name}]\n" + "\n".join(f"{k}={v}" for k, v in rows)
        return f"{item.text(0)}={item.data(1, Qt.ItemDataRole.UserRole)}"

    def copy_selection(self) -> None:
        items = self.tree.selectedItems()
        if items:
            QGuiApplication.clipboard().setText("\n".join(self._item_text(i) for i in items))

    def copy_all(self) -> None:
        parts = [self._title.text()]
        for name, rows in self._sections:
            parts.append(f"\n[{name}]")
            parts.extend(f"{k}={v}" for k, v in rows)
        QGuiApplication.clipboard().setText("\n".join(parts))

    def _menu(self, pos: QPoint) -> None:
        item = self.tree.itemAt(pos)
        menu = QMenu(self)
        if item is not None and item.parent() is not None:
            value = str(item.data(1, Qt.ItemDataRole.UserRole))
            menu.addAction(_("Copy value"), lambda: QGuiApplication.clipboard().setText(value))
            menu.addAction(_("Copy name"), lambda: QGuiApplication.clipboard().setText(item.text(0)))
        menu.addAction(_("Copy selected rows"), self.copy_selection)
        menu.addAction(_("Copy all"), self.copy_all)
        menu.exec(self.tree.viewport().mapToGlobal(pos))
