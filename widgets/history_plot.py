"""A battery history plot on wall-clock time: charge in percent on the left axis, power in watts on the right."""

from __future__ import annotations

from collections.abc import Sequence

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QLabel, QWidget

from hwinspector.i18n import _
from hwinspector.widgets import dim

CHARGE_COLOR = "#1f77b4"
RATE_COLOR = "#d62728"
KERNEL_COLOR = "#2ca02c"
SYMBOLS_BELOW = 60  # sparse histories (a week at UPower's resolution) get a dot per point


def _sorted(t: Sequence[float], v: Sequence[float]) -> tuple[list[float], list[float]]:
    pairs = sorted(zip(t, v, strict=True))
    return [p[0] for p in pairs], [p[1] for p in pairs]


class HistoryPlot(pg.PlotWidget):  # type: ignore[misc]
    """Three series handed in as (unix times, values): charge %, the daemon's power and the kernel's power.

    The two power series share the right axis, so the kernel's live reading sits on the same scale as
    UPower's stored history.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent, axisItems={"bottom": pg.DateAxisItem(orientation="bottom")})
        self.setBackground("w")
        item = self.getPlotItem()
        item.setMenuEnabled(False)
        item.hideButtons()
        item.setMouseEnabled(x=False, y=False)
        item.showAxis("right")
        item.setLabel("left", "charge", units="%")
        item.setLabel("right", "power", units="W")
        item.setYRange(0, 100, padding=0.02)
        self._power = pg.ViewBox()
        self._power.setMouseEnabled(x=False, y=False)
        item.scene().addItem(self._power)
        item.getAxis("right").linkToView(self._power)
        self._power.setXLink(item)
        item.vb.sigResized.connect(self._sync_views)
        legend = item.addLegend(offset=(8, 4), labelTextSize="8pt")
        self.charge = item.plot([], [], pen=pg.mkPen(CHARGE_COLOR, width=1), name=_("charge (UPower)"))
        self.rate = pg.PlotDataItem([], [], pen=pg.mkPen(RATE_COLOR, width=1))
        self.kernel = pg.PlotDataItem([], [], pen=pg.mkPen(KERNEL_COLOR, width=1))
        for curve, name in ((self.rate, _("power (UPower)")), (self.kernel, _("power (kernel, live)"))):
            self._power.addItem(curve)
            legend.addItem(curve, name)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        dim(self.message)
        self.message.hide()
        self._counts = {"charge": 0, "rate": 0, "kernel": 0}

    def _sync_views(self) -> None:
        vb = self.getPlotItem().vb
        self._power.setGeometry(vb.sceneBoundingRect())
        self._power.linkedViewChanged(vb, self._power.XAxis)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        message = self.__dict__.get("message")  # resize events arrive while the base class is being built
        if message is not None:
            message.setGeometry(self.rect().adjusted(60, 40, -60, -40))

    def set_window(self, t0_unix: float, t1_unix: float) -> None:
        self.getPlotItem().setXRange(t0_unix, t1_unix, padding=0)

    def _set(self, curve: pg.PlotDataItem, key: str, t: Sequence[float], v: Sequence[float], color: str) -> None:
        ts, vs = _sorted(t, v)
        self._counts[key] = len(ts)
        if 0 < len(ts) < SYMBOLS_BELOW:
            curve.setData(ts, vs, symbol="o", symbolSize=4, symbolBrush=color, symbolPen=None)
        else:
            curve.setData(ts, vs, symbol=None)

    def set_charge(self, t_unix: Sequence[float], percent: Sequence[float]) -> None:
        self._set(self.charge, "charge", t_unix, percent, CHARGE_COLOR)

    def set_rate(self, t_unix: Sequence[float], watts: Sequence[float]) -> None:
        self._set(self.rate, "rate", t_unix, watts, RATE_COLOR)
        self._fit_power()

    def set_kernel_power(self, t_unix: Sequence[float], watts: Sequence[float]) -> None:
        self._set(self.kernel, "kernel", t_unix, watts, KERNEL_COLOR)
        self._fit_power()

    def _fit_power(self) -> None:
        highs = [max(c.yData) for c in (self.rate, self.kernel) if c.yData is not None and len(c.yData)]
        self._power.setYRange(0, max([*highs, 1.0]) * 1.15, padding=0)

    def counts(self) -> dict[str, int]:
        """Points drawn per series: what a test or the page's caption can check."""
        return dict(self._counts)

    def set_message(self, text: str) -> None:
        """A sentence over the plot (no history, not available); empty hides it."""
        self.message.setText(text)
        self.message.setVisible(bool(text))
