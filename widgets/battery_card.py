"""A battery at a glance: a drawn gauge, the charge in large type, state, power, time left and health."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QAccessible, QColor, QPainter, QPainterPath, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QProgressBar, QSizePolicy, QVBoxLayout, QWidget

from hwinspector.i18n import _
from hwinspector.widgets import accessible, dim
from hwinspector.widgets.status_icons import COLORS


def level_color(percent: float | None) -> QColor:
    """Red at 10 % and below, amber to 25 %, green above (the thresholds UPower warns at)."""
    if percent is None:
        return QColor(COLORS["unknown"])
    if percent <= 10:
        return QColor(COLORS["error"])
    if percent <= 25:
        return QColor(COLORS["warning"])
    return QColor(COLORS["ok"])


class BatteryGauge(QWidget):
    """A battery outline filled to the charge level, with a bolt while charging."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.percent: float | None = None
        self.charging = False
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

    def sizeHint(self) -> QSize:
        return QSize(84, 44)

    def set_level(self, percent: float | None, charging: bool) -> None:
        self.percent, self.charging = percent, charging
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        text = self.palette().color(QPalette.ColorRole.WindowText)
        w, h = float(self.width()), float(self.height())
        nub = 6.0
        body = QRectF(2, 2, w - nub - 4, h - 4)
        p.setPen(QPen(text, 2))
        p.setBrush(Qt.BrushStyle.NoBrush)
        p.drawRoundedRect(body, 6, 6)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(text)
        p.drawRoundedRect(QRectF(body.right() + 1, h / 2 - h / 6, nub - 1, h / 3), 2, 2)
        if self.percent is not None:
            inner = body.adjusted(4, 4, -4, -4)
            inner.setWidth(max(2.0, inner.width() * min(self.percent, 100.0) / 100.0))
            p.setBrush(level_color(self.percent))
            p.drawRoundedRect(inner, 3, 3)
        if self.charging:
            c = body.center()
            bolt = QPainterPath()
            for i, (dx, dy) in enumerate(((3, -15), (-9, 3), (-1, 3), (-4, 15), (9, -3), (1, -3))):
                pt = QPointF(c.x() + dx, c.y() + dy)
                bolt.moveTo(pt) if i == 0 else bolt.lineTo(pt)
            bolt.closeSubpath()
            p.setPen(QPen(text, 1.5))
            p.setBrush(QColor("white"))
            p.drawPath(bolt)
        p.end()


class BatteryCard(QFrame):
    """Shows values handed to it; the page decides what they say. It takes the keyboard focus (a frame in the
    highlight colour shows it) and says everything it shows to a screen reader in its name."""

    accessible_role = QAccessible.Role.Grouping  # widgets.accessible

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        accessible.install()
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setObjectName("batteryCard")
        self.setStyleSheet(
            "QFrame#batteryCard { border: 1px solid palette(mid); border-radius: 4px; }"
            " QFrame#batteryCard:focus { border: 2px solid palette(highlight); }"
        )
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.gauge = BatteryGauge()
        self.title = QLabel()
        f = self.title.font()
        f.setBold(True)
        self.title.setFont(f)
        self.title.setWordWrap(True)
        self.percent = QLabel()
        big = self.percent.font()
        big.setPointSizeF(big.pointSizeF() * 2.4)
        big.setBold(True)
        self.percent.setFont(big)
        self.state = QLabel()
        self.estimate = QLabel()
        self.health = QProgressBar()
        self.health.setRange(0, 1000)
        self.health.setTextVisible(True)
        self.health.setMaximumHeight(self.fontMetrics().height() + 6)
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        dim(self.detail)
        for label in (self.title, self.state, self.estimate, self.detail):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        left = QVBoxLayout()
        left.addWidget(self.gauge, 0, Qt.AlignmentFlag.AlignHCenter)
        left.addWidget(self.percent, 0, Qt.AlignmentFlag.AlignHCenter)
        left.addStretch(1)
        grid = QGridLayout(self)
        grid.addLayout(left, 0, 0, 5, 1)
        grid.addWidget(self.title, 0, 1)
        grid.addWidget(self.state, 1, 1)
        grid.addWidget(self.estimate, 2, 1)
        grid.addWidget(self.health, 3, 1)
        grid.addWidget(self.detail, 4, 1)
        grid.setColumnStretch(1, 1)
        grid.setHorizontalSpacing(14)

    def set_state(
        self,
        title: str,
        percent: float | None,
        charging: bool,
        state: str,
        estimate: str,
        health_percent: float | None,
        health_text: str,
        detail: str,
    ) -> None:
        self.title.setText(title)
        self.gauge.set_level(percent, charging)
        self.percent.setText("?" if percent is None else f"{percent:.0f} %")
        self.state.setText(state)
        self.estimate.setText(estimate)
        self.estimate.setVisible(bool(estimate))
        if health_percent is None:
            self.health.setValue(0)
        else:
            self.health.setValue(round(min(health_percent, 100.0) * 10))
        # QProgressBar's own text would show the clamped value; over 100 % (a new cell) is real.
        self.health.setFormat(health_text)
        shown = [self.percent.text(), state, estimate, health_text]
        self.setAccessibleName(_("{title}: {readings}").format(title=title, readings=", ".join(x for x in shown if x)))
        self.setAccessibleDescription(detail)
        pal = self.health.palette()
        health = 100.0 if health_percent is None else health_percent
        color = COLORS["ok"] if health >= 80 else COLORS["warning"] if health >= 60 else COLORS["error"]
        pal.setColor(QPalette.ColorRole.Highlight, QColor(color))
        self.health.setPalette(pal)
        self.detail.setText(detail)
