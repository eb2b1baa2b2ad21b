"""The privacy preview bundles and bug reports share: what the filter found, per category, and what it becomes.

Ticking a category keeps its values as read; the owner re-runs the filter (off the GUI thread) and shows the
new result here.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from hwinspector.i18n import _
from hwinspector.report.assemble import Redacted, categories

MAX_FINDINGS_SHOWN = 50


class PrivacyPreview(QWidget):
    relaxed_changed = Signal()  # ``relaxed`` changed: run the filter again

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.relaxed: set[str] = set()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels([_("What was found"), _("Becomes")])
        self.tree.setColumnWidth(0, 360)
        self.tree.itemChanged.connect(self._relax_changed)
        self.hint = QLabel(_("Tick a category to keep its values as read (for example when the serial is the point)."))
        self.hint.setWordWrap(True)
        for w in (self.label, self.tree, self.hint):
            lay.addWidget(w)

    def show_redacted(self, red: Redacted) -> None:
        self.tree.blockSignals(True)
        self.tree.clear()
        if not red.privacy.get("redacted"):
            self.label.setText(_("Nothing will be redacted: you chose to keep identifying values as read."))
        else:
            cats = red.privacy["categories"]
            total = sum(c["count"] for n, c in cats.items() if n not in self.relaxed)
            self.label.setText(
                _("{n} identifying values will be replaced by tokens (key {key}). Review them before saving.").format(
                    n=total, key=red.privacy["key_fingerprint"]
                )
            )
            for cat in categories():
                found = red.findings.get(cat) or []
                if not found:
                    continue
                kept = cat in self.relaxed
                top = QTreeWidgetItem(self.tree, [f"{cat} ({len(found)})", _("kept as read") if kept else _("masked")])
                top.setData(0, Qt.ItemDataRole.UserRole, cat)
                top.setFlags(top.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                top.setCheckState(0, Qt.CheckState.Checked if kept else Qt.CheckState.Unchecked)
                for original, replacement in found[:MAX_FINDINGS_SHOWN]:
                    QTreeWidgetItem(top, [original, original if kept else replacement])
                if len(found) > MAX_FINDINGS_SHOWN:
                    QTreeWidgetItem(top, [_("… {n} more").format(n=len(found) - MAX_FINDINGS_SHOWN), ""])
            self.tree.expandAll()
        self.tree.blockSignals(False)

    def _relax_changed(self, item: QTreeWidgetItem, column: int) -> None:
        cat = item.data(0, Qt.ItemDataRole.UserRole)
        if not isinstance(cat, str) or column != 0:
            return
        if item.checkState(0) == Qt.CheckState.Checked:
            self.relaxed.add(cat)
        else:
            self.relaxed.discard(cat)
        self.relaxed_changed.emit()

    def category_item(self, category: str) -> QTreeWidgetItem | None:
        for i in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(i)
            if item is not None and item.data(0, Qt.ItemDataRole.UserRole) == category:
                return item
        return None
