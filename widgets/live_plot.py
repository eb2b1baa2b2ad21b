"""Live plots: one panel per unit sharing the time axis, min/max envelopes, cursor read-out, event marks."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Signal
from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QWidget

from hwinspector.i18n import _
from hwinspector.widgets import accessible
from hwinspector.widgets.envelope import BinCache

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#7f7f7f", "#bcbd22")
EVENT_COLORS = {"udev": "#2e9e44", "kernel": "#d0302f", "marker": "#3574c4", "profile": "#9467bd", "sleep": "#8c564b"}
# Axis text, labels and legends in near-black on the plots' white: pyqtgraph's default grey is about 3:1 there,
# under the 4.5:1 that text needs (WCAG AA), in every theme.
pg.setConfigOption("foreground", "#202020")
MAX_LEGEND = 4
# A keyboard user sees where the focus is (Space pauses the plot that has it); the frame keeps its width unfocused.
FOCUS_FRAME = "{cls} {{ border: 2px solid transparent; }} {cls}:focus {{ border: 2px solid palette(highlight); }}"
MAX_EVENTS = 2000
EVENT_ROWS = {"udev": 0, "kernel": 1, "profile": 2, "sleep": 2, "marker": 3}


def envelope(
    t: npt.NDArray[np.float64], v: npt.NDArray[np.float64], t0: float, t1: float, columns: int
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """At most two points per pixel column over [t0, t1]: each column's min and max, drawn as a
    vertical stroke at the column's centre.

    A history of 600,000 points draws as fast as one of 2,000, and no peak is lost (which plain
    subsampling would do). NaN gaps stay gaps. One point beyond each end keeps lines reaching the edges.
    """
    lo = max(int(np.searchsorted(t, t0, "left")) - 1, 0)
    hi = min(int(np.searchsorted(t, t1, "right")) + 1, len(t))
    t, v = t[lo:hi], v[lo:hi]
    if len(t) <= 2 * columns:
        return t, v
    edges = np.linspace(t[0], t[-1], columns + 1)
    starts = np.searchsorted(t, edges[:-1], "left")
    starts = np.unique(starts[starts < len(t)])
    # fmin/fmax skip NaN (a failed read) unless a whole column is NaN: then the column is a gap
    mins = np.fmin.reduceat(v, starts)
    maxs = np.fmax.reduceat(v, starts)
    ends = np.append(starts[1:], len(t))
    x_mid = (t[starts] + t[ends - 1]) / 2
    xs = np.repeat(x_mid, 2)
    ys = np.empty(2 * len(starts))
    ys[0::2] = mins
    ys[1::2] = maxs
    return xs, ys


@dataclass(frozen=True, slots=True)
class CurveSpec:
    id: str
    label: str
    unit: str


class LivePlot(pg.GraphicsLayoutWidget):  # type: ignore[misc]
    """Stacked panels, one per unit, x-linked; an event lane at the bottom."""

    cursor_moved = Signal(float)  # seconds on the shared axis
    accessible_role = QAccessible.Role.Chart  # widgets.accessible: a chart, its text alternative the description
    accessible_leaf = True

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        accessible.install()
        self.setAccessibleName(_("Live plot"))
        self._describer = accessible.Describer(self)
        self._last: dict[str, float] = {}
        self.setStyleSheet(FOCUS_FRAME.format(cls=type(self).__name__))
        self.setBackground("w")
        self._panels: dict[str, pg.PlotItem] = {}
        self._curves: dict[str, pg.PlotDataItem] = {}
        self._specs: dict[str, CurveSpec] = {}
        self._colors: dict[str, str] = {}
        self._bins: dict[str, BinCache] = {}
        self._range_ns: tuple[int, int] | None = None
        self._cursor_lines: list[pg.InfiniteLine] = []
        self._marks: list[tuple[pg.PlotItem, pg.InfiniteLine]] = []
        self._events: list[tuple[float, str, str]] = []
        self._event_lane: pg.PlotItem | None = None
        self._event_scatter: pg.ScatterPlotItem | None = None
        self.following = True
        self.window_s = 60.0
        self._proxy = pg.SignalProxy(self.scene().sigMouseMoved, rateLimit=30, slot=self._mouse_moved)

    # --- structure ---------------------------------------------------------------------------------

    def set_curves(self, specs: Sequence[CurveSpec]) -> None:
        self.clear()
        self._last = {}
        self._panels, self._curves, self._specs = {}, {}, {s.id: s for s in specs}
        self._bins = {}
        self._cursor_lines = []
        self._marks = []
        first: pg.PlotItem | None = None
        units = list(dict.fromkeys(s.unit for s in specs))
        for row, unit in enumerate(units):
            p = self.addPlot(row=row, col=0)
            # no grid: pyqtgraph's grid lines triple the cost of a frame (20 ms instead of 7 at 1280x720)
            p.setLabel("left", unit)
            p.setMenuEnabled(False)
            p.setClipToView(True)
            p.getAxis("bottom").setStyle(showValues=row == len(units) - 1)
            if first is None:
                first = p
            else:
                p.setXLink(first)
            self._panels[unit] = p
            line = pg.InfiniteLine(angle=90, movable=False, pen=pg.mkPen("#888", style=pg.QtCore.Qt.PenStyle.DashLine))
            line.hide()
            p.addItem(line, ignoreBounds=True)
            self._cursor_lines.append(line)
        per_unit = {u: sum(s.unit == u for s in specs) for u in units}
        for unit, p in self._panels.items():
            # a legend of more than a few curves hides the data; the stats table names every colour
            if per_unit[unit] <= MAX_LEGEND:
                p.addLegend(offset=(8, 4), labelTextSize="8pt", labelTextColor="#202020")
        # colours count per panel, so curves that share an axis never share a colour
        seen: dict[str, int] = {}
        self._colors = {}
        for s in specs:
            n = seen.get(s.unit, 0)
            seen[s.unit] = n + 1
            self._colors[s.id] = PALETTE[n % len(PALETTE)]
            # width 1 is a cosmetic pen: Qt's fast line path; wider lines cost 3-4x per frame
            pen = pg.mkPen(self._colors[s.id], width=1)
            self._curves[s.id] = self._panels[s.unit].plot([], [], pen=pen, name=s.label, connect="finite")
        lane = self.addPlot(row=len(units), col=0)
        lane.setMaximumHeight(70)
        lane.hideAxis("left")
        lane.setYRange(-0.5, 3.5)
        lane.setMouseEnabled(x=True, y=False)
        lane.setMenuEnabled(False)
        lane.setLabel("bottom", "time", "s")
        lane.getAxis("bottom").setStyle(showValues=True)
        if first is not None:
            lane.setXLink(first)
            first.getAxis("bottom").setStyle(showValues=not units)
            for p in self._panels.values():
                p.getAxis("bottom").setStyle(showValues=False)
        self._event_lane = lane
        self._event_scatter = pg.ScatterPlotItem(size=9, hoverable=True, tip=self._event_tip, pxMode=True)
        lane.addItem(self._event_scatter)
        self._redraw_events()
        self._describer.set(self.describe(), force=True)

    def color_of(self, curve_id: str) -> str:
        return self._colors.get(curve_id, "#555555")

    def panels(self) -> dict[str, pg.PlotItem]:
        return dict(self._panels)

    # --- data --------------------------------------------------------------------------------------

    def set_following(self, following: bool) -> None:
        """Following: the time axis slides with "now" and mouse panning is off; paused: free scrolling."""
        self.following = following
        for p in [*self._panels.values(), *([self._event_lane] if self._event_lane else [])]:
            p.setMouseEnabled(x=not following, y=False)

    def update_data(
        self, series: Mapping[str, tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]], origin_ns: int, now_s: float
    ) -> None:
        """``series`` maps curve id to (CLOCK_MONOTONIC ns, values); the axis shows seconds since
        ``origin_ns``. Draws the visible window as min/max envelopes from time-aligned bins."""
        if self.following:
            t0, t1 = now_s - self.window_s, now_s
            first = next(iter(self._panels.values()), None)
            if first is not None:
                first.setXRange(t0, t1, padding=0)
            elif self._event_lane is not None:
                self._event_lane.setXRange(t0, t1, padding=0)
        else:
            t0, t1 = self.visible_range()
        width_px = max(100, int(self.width()))
        # bin width in whole milliseconds-ish steps, so a resize by a pixel does not rebin everything
        bin_ns = max(1, int((t1 - t0) * 1e9 / width_px))
        bin_ns = int(2 ** round(np.log2(bin_ns))) if self.following else bin_ns
        a, b = origin_ns + int(t0 * 1e9), origin_ns + int(t1 * 1e9)
        self._range_ns = (a, b)
        for cid, curve in self._curves.items():
            data = series.get(cid)
            cache = self._bins.setdefault(cid, BinCache())
            if data is None or not len(data[0]):
                curve.setData([], [])
                cache.update(np.empty(0, np.int64), np.empty(0), bin_ns)
                continue
            cache.update(data[0], data[1], bin_ns, a, b)
            self._last[cid] = float(data[1][-1])
            x, y = cache.polyline(a, b, origin_ns)
            curve.setData(x, y, connect="finite")
        # pyqtgraph applies a new range (and the y auto-range of new data) only when it paints, and
        # moving the view inside a paint asks for a second paint of the whole plot area; applying it
        # now lets one paint per frame show it all.
        for p in [*self._panels.values(), *([self._event_lane] if self._event_lane is not None else [])]:
            p.getViewBox().prepareForPaint()
        if self._describer.due():
            self._describer.set(self.describe())

    def describe(self) -> str:
        """The plot in words, its text alternative: each channel's last reading and the window's lowest and highest."""
        if not self._specs:
            return _("No channels plotted")
        return "; ".join(
            accessible.series_text(s.label, s.unit, self._last.get(cid), *self.window_stats(cid)[:2])
            for cid, s in self._specs.items()
        )

    def seconds_per_pixel(self) -> float:
        """How much time one pixel column of the drawn window spans."""
        t0, t1 = (0.0, self.window_s) if self.following else self.visible_range()
        return max(t1 - t0, 1e-3) / max(100, int(self.width()))

    def window_stats(self, curve_id: str) -> tuple[float, float, float]:
        """(min, max, mean) of a curve over the window drawn last."""
        cache = self._bins.get(curve_id)
        if cache is None or self._range_ns is None:
            return float("nan"), float("nan"), float("nan")
        return cache.stats(*self._range_ns)

    def visible_range(self) -> tuple[float, float]:
        p = next(iter(self._panels.values()), self._event_lane)
        if p is None:
            return 0.0, self.window_s
        (x0, x1), _ = p.viewRange()
        return float(x0), float(x1)

    def show_range(self, t0: float, t1: float) -> None:
        p = next(iter(self._panels.values()), self._event_lane)
        if p is not None:
            p.setXRange(t0, t1, padding=0.01)

    # --- events and markers --------------------------------------------------------------------------

    def add_event(self, t_s: float, kind: str, text: str) -> None:
        self.add_events([(t_s, kind, text)])

    def add_events(self, events: Sequence[tuple[float, str, str]]) -> None:
        """Add timeline events at once (the event lane is redrawn once per batch, not per event)."""
        for t_s, kind, text in events:
            self._events.append((t_s, kind, text))
            if kind in ("marker", "kernel", "profile", "sleep"):
                self._add_line(t_s, kind, text)
        del self._events[:-MAX_EVENTS]
        self._redraw_events()

    def _add_line(self, t_s: float, kind: str, text: str) -> None:
        for p in self._panels.values():
            line = pg.InfiniteLine(
                t_s,
                angle=90,
                movable=False,
                pen=pg.mkPen(EVENT_COLORS.get(kind, "#555"), width=1),
                label=text[:40] if kind == "marker" else None,
                labelOpts={"position": 0.92, "color": EVENT_COLORS["marker"], "fill": (255, 255, 255, 200)},
            )
            p.addItem(line, ignoreBounds=True)
            self._marks.append((p, line))

    def events(self) -> list[tuple[float, str, str]]:
        return list(self._events)

    def clear_events(self) -> None:
        for p, line in self._marks:
            p.removeItem(line)
        self._marks = []
        self._events = []
        self._redraw_events()

    def _redraw_events(self) -> None:
        if self._event_scatter is None:
            return
        spots = [
            {
                "pos": (t, EVENT_ROWS.get(kind, 2)),
                "data": f"{kind}: {text}",
                "brush": pg.mkBrush(EVENT_COLORS.get(kind, "#555")),
                "pen": None,
            }
            for t, kind, text in self._events
        ]
        self._event_scatter.setData(spots)

    @staticmethod
    def _event_tip(x: float, y: float, data: object) -> str:
        return f"{x:.3f} s  {data}"

    # --- cursor ------------------------------------------------------------------------------------

    def _mouse_moved(self, args: tuple[QPointF]) -> None:
        pos = args[0]
        for p in self._panels.values():
            if p.sceneBoundingRect().contains(pos):
                x = float(p.vb.mapSceneToView(pos).x())
                for line in self._cursor_lines:
                    line.setPos(x)
                    line.show()
                self.cursor_moved.emit(x)
                return

    def values_at(
        self,
        series: Mapping[str, tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]],
        origin_ns: int,
        t_s: float,
    ) -> dict[str, float]:
        """The sample nearest to ``t_s`` (seconds since ``origin_ns``) of every curve (NaN where none)."""
        target = origin_ns + int(t_s * 1e9)
        out = {}
        for cid in self._curves:
            t, v = series.get(cid, (np.empty(0, np.int64), np.empty(0)))
            if not len(t):
                out[cid] = float("nan")
                continue
            i = int(np.clip(np.searchsorted(t, target), 0, len(t) - 1))
            if i > 0 and abs(int(t[i - 1]) - target) < abs(int(t[i]) - target):
                i -= 1
            out[cid] = float(v[i])
        return out
