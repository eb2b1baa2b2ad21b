"""A property table whose values change in place, so a live reading keeps the user's selection and scroll."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt

from hwinspector.i18n import _
from hwinspector.widgets.property_table import MAX_SHOWN_CHARS, PropertyTable, Section

MAX_NAME_WIDTH = 240


def _shown(value: str) -> str:
    text = value if len(value) <= MAX_SHOWN_CHARS else value[:MAX_SHOWN_CHARS] + _("… ({n} chars)").format(n=len(value))
    return text.replace("\n", " ⏎ ")


class LivePropertyTable(PropertyTable):
    def update_content(self, title: str, sections: Sequence[Section]) -> None:
        """Like ``set_content``; when the same sections hold the same keys only the changed values are set."""
        shape = [(name, [k for k, _unused in rows]) for name, rows in sections]
        if shape != [(name, [k for k, _unused in rows]) for name, rows in self._sections]:
            self.set_content(title, sections)
            # the base class sizes names to the view's width, which is still unknown on a first reading
            fit = self.tree.sizeHintForColumn(0) + self.tree.indentation()
            self.tree.setColumnWidth(0, max(self.tree.columnWidth(0), min(fit, MAX_NAME_WIDTH)))
            return
        self._title.setText(title)
        old = self._sections
        self._sections = list(sections)
        for i, (_unused, rows) in enumerate(sections):
            head = self.tree.topLevelItem(i)
            if head is None:
                continue
            for j, (_unused, value) in enumerate(rows):
                child = head.child(j)
                if child is None or old[i][1][j][1] == value:
                    continue
                child.setText(1, _shown(value))
                child.setData(1, Qt.ItemDataRole.UserRole, value)
                child.setToolTip(1, value[:4000])
        self._apply_filter(self._filter.text())
