"""The Telemetry page's controls bar (pause, time window, rate, marker, record, open a recording, back to live)
and the statistics table under its plot."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QHeaderView, QLabel, QPushButton, QTableView, QWidget

from hwinspector.i18n import N_, _
from hwinspector.models.telemetry_stats import StatsModel, StatsRow
from hwinspector.probes.telemetry.channels import Channel
from hwinspector.probes.telemetry.recording import RecordedChannel
from hwinspector.widgets.live_plot import LivePlot

Series = Mapping[str, tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]]

WINDOWS = (
    ("10 s", 10.0),
    ("30 s", 30.0),
    (N_("1 min"), 60.0),
    (N_("2 min"), 120.0),
    (N_("5 min"), 300.0),
    (N_("10 min"), 600.0),
)
DEFAULT_WINDOW = 2  # 1 min
RATES = (
    (N_("Sensible rates"), None),
    (N_("1 Hz"), 1.0),
    (N_("10 Hz"), 10.0),
    (N_("50 Hz"), 50.0),
    (N_("100 Hz"), 100.0),
    (N_("250 Hz"), 250.0),
    (N_("500 Hz"), 500.0),
    (N_("1000 Hz"), 1000.0),
)


def cost_text(backend: str, c: Mapping[str, float]) -> str:
    """What sampling costs, under the plot: the sampler's CPU, lost ticks and lateness."""
    return _(
        "{backend} sampler · {cpu_percent:.1f} % CPU · lost {lost_ticks:.0f} ticks "
        "({lost_percent:.2f} %) · p99 lateness {lateness_p99_us:.0f} µs"
    ).format(
        backend=backend,
        cpu_percent=c["cpu_percent"],
        lost_ticks=c["lost_ticks"],
        lost_percent=c["lost_percent"],
        lateness_p99_us=c["lateness_p99_us"],
    )


class TelemetryControls(QWidget):
    """The buttons and choices above the plot; the page connects them and says what state it is in."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pause_button = QPushButton(_("Pause"))
        self.pause_button.setToolTip(
            _("Stop following time to scroll back and zoom (Space on the plot); sampling goes on")
        )
        self.pause_button.setCheckable(True)
        self.window_box = QComboBox()
        for text, _unused in WINDOWS:
            self.window_box.addItem(_(text))
        self.window_box.setCurrentIndex(DEFAULT_WINDOW)
        self.rate_box = QComboBox()
        for text, _rate in RATES:
            self.rate_box.addItem(_(text))
        self.rate_box.setToolTip(
            _("Each channel's sensible maximum (how often it really changes), or one rate for all")
        )
        self.marker_button = QPushButton(_("Marker (M)"))
        self.record_button = QPushButton(_("Record…"))
        self.record_button.setCheckable(True)
        self.open_button = QPushButton(_("Open recording…"))
        self.live_button = QPushButton(_("Back to live"))
        self.live_button.hide()
        window_label, rate_label = QLabel(_("Window:")), QLabel(_("Rate:"))
        window_label.setBuddy(self.window_box)  # a screen reader names each box by its label
        rate_label.setBuddy(self.rate_box)
        bar = QHBoxLayout(self)
        bar.setContentsMargins(0, 0, 0, 0)
        for w in (
            self.pause_button,
            window_label,
            self.window_box,
            rate_label,
            self.rate_box,
            self.marker_button,
            self.record_button,
            self.open_button,
            self.live_button,
        ):
            bar.addWidget(w)
        bar.addStretch(1)

    def rate_cap(self) -> float | None:
        """One rate for every channel, or None: each channel's own sensible maximum."""
        return RATES[self.rate_box.currentIndex()][1]

    def window_s(self) -> float:
        return WINDOWS[self.window_box.currentIndex()][1]

    def set_paused(self, paused: bool) -> None:
        self.pause_button.setChecked(paused)
        self.pause_button.setText(_("Follow") if paused else _("Pause"))

    def set_recording(self, recording: bool) -> None:
        self.record_button.setChecked(recording)
        self.record_button.setText(_("Stop recording") if recording else _("Record…"))

    def set_replaying(self, replaying: bool) -> None:
        """A recording on screen: back to live offered, the live-only controls off."""
        self.live_button.setVisible(replaying)
        for w in (self.pause_button, self.marker_button, self.record_button):
            w.setEnabled(not replaying)


class StatsTable(QTableView):
    """Last value, window minimum, mean and maximum, and the value under the cursor, per plotted channel."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.stats = StatsModel(self)
        self.setAccessibleName(_("Channel statistics"))
        self.setModel(self.stats)
        self.verticalHeader().hide()
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.setAlternatingRowColors(True)

    def show_stats(
        self,
        specs: Sequence[Channel | RecordedChannel],
        series: Series,
        origin_ns: int,
        cursor_s: float,
        plot: LivePlot,
    ) -> None:
        cursor = plot.values_at(series, origin_ns, cursor_s) if not math.isnan(cursor_s) else {}
        rows = []
        for ch in specs:
            _unused, v = series.get(ch.id, (np.empty(0, np.int64), np.empty(0)))
            tail = v[-4096:]
            finite = tail[~np.isnan(tail)]
            last = float(finite[-1]) if len(finite) else math.nan
            lo, hi, mean = plot.window_stats(ch.id)
            rows.append(
                StatsRow(
                    ch.id, ch.label, ch.unit, plot.color_of(ch.id), last, lo, mean, hi, cursor.get(ch.id, math.nan)
                )
            )
        self.stats.set_rows(rows)
