"""A view that gives way to a sentence saying why there is nothing to show."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QStackedWidget, QWidget

from hwinspector.i18n import localize
from hwinspector.widgets import dim


class ExplainedView(QStackedWidget):
    """Shows ``view``, or in its place a wrapped, dimmed explanation (absent subsystem, foreign dump)."""

    def __init__(self, view: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = view
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.setMargin(16)
        self.message.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        dim(self.message)
        self.addWidget(view)
        self.addWidget(self.message)

    def show_view(self) -> None:
        self.setCurrentWidget(self.view)

    def explain(self, text: str) -> None:
        # Pages hand over their own translated sentences or a probe's English reason; the latter is localized.
        self.message.setText(localize(text))
        self.setCurrentWidget(self.message)

    def explaining(self) -> bool:
        return self.currentWidget() is self.message
