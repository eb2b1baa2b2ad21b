"""Colour themes for the window: the desktop's, light, dark, and high contrast (white and yellow on black).

``--theme high-contrast`` chooses it, and ``auto`` follows the desktop's contrast preference where Qt reports
one (Qt 6.10+: ``QStyleHints.accessibility().contrastPreference()``, from the settings portal on GNOME and KDE).
Everything the window paints itself takes its colours from the palette, so a theme is a palette: status
colours keep their hue and gain brightness on dark backgrounds (``widgets.scorecard.status_color``).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from hwinspector.resources import icon_path

THEMES = ("auto", "light", "dark", "high-contrast")
R = QPalette.ColorRole

DARK = {
    R.Window: "#2b2b2b",
    R.WindowText: "#eeeeee",
    R.Base: "#1e1e1e",
    R.AlternateBase: "#262626",
    R.Text: "#eeeeee",
    R.Button: "#353535",
    R.ButtonText: "#eeeeee",
    R.ToolTipBase: "#353535",
    R.ToolTipText: "#eeeeee",
    R.PlaceholderText: "#9a9a9a",
    R.Highlight: "#3574c4",
    R.HighlightedText: "#ffffff",
    R.Link: "#7fb0ff",
    R.Mid: "#4a4a4a",
}
# White on black (21:1), the selection and links in yellow and cyan, every border white: the high-contrast
# schemes of GNOME, KDE and Windows agree on these. Secondary (dimmed) text still reaches 7:1.
HIGH_CONTRAST = {
    R.Window: "#000000",
    R.WindowText: "#ffffff",
    R.Base: "#000000",
    R.AlternateBase: "#1c1c1c",
    R.Text: "#ffffff",
    R.Button: "#000000",
    R.ButtonText: "#ffffff",
    R.BrightText: "#ffff00",
    R.ToolTipBase: "#000000",
    R.ToolTipText: "#ffff00",
    R.PlaceholderText: "#d0d0d0",
    R.Highlight: "#ffff00",
    R.HighlightedText: "#000000",
    R.Link: "#00ffff",
    R.LinkVisited: "#ff80ff",
    R.Light: "#ffffff",
    R.Midlight: "#ffffff",
    R.Mid: "#ffffff",
    R.Dark: "#ffffff",
    R.Shadow: "#ffffff",
}
DISABLED = {"dark": "#808080", "high-contrast": "#a0a0a0"}
# Fusion draws the frames of fields, lists and check boxes a little darker than the window: black on black. In
# high contrast every field and list gets a white frame, the one with the keyboard focus a thick yellow one, and
# check boxes a white frame, filled yellow when ticked (half filled when some of a group are).
HIGH_CONTRAST_STYLE = """
QLineEdit, QAbstractSpinBox, QComboBox, QPlainTextEdit, QTextEdit, QAbstractItemView {
    border: 1px solid #ffffff;
}
QLineEdit:focus, QAbstractSpinBox:focus, QComboBox:focus, QPlainTextEdit:focus, QTextEdit:focus,
QAbstractItemView:focus {
    border: 2px solid #ffff00;
}
QToolTip { border: 1px solid #ffff00; }
QAbstractSpinBox::up-button, QAbstractSpinBox::down-button {
    background: #000000; border: 1px solid #ffffff; width: 14px;
}
QAbstractSpinBox::up-arrow { image: url(UP); width: 8px; height: 5px; }
QAbstractSpinBox::down-arrow { image: url(DOWN); width: 8px; height: 5px; }
QAbstractItemView::indicator, QCheckBox::indicator {
    width: 12px; height: 12px; border: 1px solid #ffffff; background: #000000;
}
QAbstractItemView::indicator:checked, QCheckBox::indicator:checked { background: #ffff00; }
QAbstractItemView::indicator:indeterminate, QCheckBox::indicator:indeterminate {
    background: qlineargradient(x1: 0, y1: 0, x2: 1, y2: 1, stop: 0.5 #ffff00, stop: 0.51 #000000);
}
"""


def high_contrast_style() -> str:
    """The style sheet, with the arrows' SVG files where this installation keeps them."""
    up, down = (icon_path(n).as_posix() for n in ("arrow-up", "arrow-down"))
    return HIGH_CONTRAST_STYLE.replace("url(UP)", f"url({up})").replace("url(DOWN)", f"url({down})")


def wanted(theme: str) -> str:
    """The theme to apply: ``auto`` becomes high-contrast when the desktop asks for more contrast."""
    if theme != "auto":
        return theme
    hints = QGuiApplication.styleHints()
    access = getattr(hints, "accessibility", None)  # Qt 6.10+
    if access is not None:
        preference = access().contrastPreference()
        if preference == Qt.ContrastPreference.HighContrast:
            return "high-contrast"
    return "auto"


def palette_for(theme: str) -> QPalette:
    """The palette of a dark or high-contrast theme."""
    pal = QPalette()
    colors = HIGH_CONTRAST if theme == "high-contrast" else DARK
    for role, color in colors.items():
        pal.setColor(role, QColor(color))
    for role in (R.WindowText, R.ButtonText, R.Text):
        pal.setColor(QPalette.ColorGroup.Disabled, role, QColor(DISABLED.get(theme, "#808080")))
    return pal


def apply_theme(app: QApplication, theme: str) -> str:
    """--theme light|dark|high-contrast: Fusion, its palette and the matching colour scheme; auto: the desktop's
    (or high contrast, where the desktop asks for it). Returns the theme applied."""
    theme = wanted(theme)
    if theme not in ("light", "dark", "high-contrast"):
        return theme
    app.setStyle("Fusion")
    hints = QGuiApplication.styleHints()
    if hasattr(hints, "setColorScheme"):  # Qt 6.8+
        hints.setColorScheme(Qt.ColorScheme.Light if theme == "light" else Qt.ColorScheme.Dark)
    app.setPalette(app.style().standardPalette() if theme == "light" else palette_for(theme))
    app.setStyleSheet(high_contrast_style() if theme == "high-contrast" else "")
    app.setProperty("hwinspector_theme", theme)
    return theme
