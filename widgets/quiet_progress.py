"""A progress bar that repaints only when its value changes (no style animation)."""

from __future__ import annotations

from PySide6.QtWidgets import QProgressBar, QWidget

# Fusion (and Breeze) animate a bar in progress at the screen's frame rate (QProgressStyleAnimation, 60 fps):
# every frame wakes the GUI thread and, for the blending, two threads of Qt's GUI thread pool ("Thread
# (pooled)") — 23 to 30 wakeups a second, measured while the Idle page asked the user to leave the machine
# alone. A chunk given in a style sheet is drawn by QStyleSheetStyle, which has no animation.
QUIET_STYLE = (
    "QProgressBar { border: 1px solid palette(mid); border-radius: 3px; text-align: center;"
    " background: palette(base); } QProgressBar::chunk { background: palette(highlight); border-radius: 2px; }"
)


class QuietProgressBar(QProgressBar):
    """A determinate progress bar without the style's animation: no wakeups between value changes."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setStyleSheet(QUIET_STYLE)
