"""Presentation mode: full screen, large type, high contrast, live tiles and the scorecard, for a projector."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import (
    QCloseEvent,
    QColor,
    QGuiApplication,
    QHideEvent,
    QKeyEvent,
    QPalette,
    QResizeEvent,
    QShowEvent,
)
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from hwinspector.collectors.sensors import PowerSource, SensorPoller
from hwinspector.i18n import N_, _, localize
from hwinspector.probes.telemetry.channels import Channel, read_catalogue, read_channel_values
from hwinspector.widgets.scorecard import CardData, ScorecardView, status_color
from hwinspector.widgets.tile import Tile

TILES = (("power", N_("Package power")), ("cpu", N_("CPU temperature")), ("battery", N_("Battery")), ("gpu", "GPU"))
# Which temperature stands for "the CPU": the package sensor of each vendor's driver, in that order.
CPU_TEMPS = ("hwmon:coretemp/temp1", "hwmon:k10temp/temp1", "hwmon:zenpower/temp1", "hwmon:cpu_thermal/temp1")
GPU_HWMON = ("amdgpu", "radeon", "nouveau", "i915", "xe", "nvidia")
HOT_C, CRITICAL_C = 85.0, 95.0


@dataclass(frozen=True, slots=True)
class TileValue:
    key: str
    value: str  # "12.3 W", "—"
    detail: str
    level: str | None = None  # "pass" | "warning" | "fail": the tile's accent


@dataclass(frozen=True, slots=True)
class TileReading:
    values: tuple[TileValue, ...]


def _fmt(v: float | None, unit: str, digits: int = 1) -> str:
    return "—" if v is None else f"{v:.{digits}f} {unit}"


class TileSource:
    """Reads the headline numbers once a second on the poller's thread (a Source for SensorPoller)."""

    def __init__(self, sysfs: Path = Path("/sys")) -> None:
        self._sysfs = sysfs
        self._power = PowerSource(sysfs)
        self._cpu: Channel | None = None
        self._gpu: Channel | None = None

    def open(self) -> None:
        self._power.open()
        channels = [c for c in read_catalogue(self._sysfs).channels if c.readable]
        by_id = {c.id: c for c in channels}
        temps = [c for c in channels if c.unit == "°C"]
        self._cpu = next((by_id[i] for i in CPU_TEMPS if i in by_id), None) or next(
            (c for c in temps if "x86_pkg_temp" in c.label or "cpu" in c.label.lower()), None
        )
        self._gpu = next((c for c in temps if c.id.startswith("hwmon:") and c.device in GPU_HWMON), None) or next(
            (c for c in channels if c.id.startswith("gpu:") and c.unit == "%"), None
        )

    def close(self) -> None:
        self._power.close()

    def _channel(self, key: str, channel: Channel | None, missing: str) -> TileValue:
        if channel is None:
            return TileValue(key, "—", missing)
        reading = read_channel_values([channel])[0]
        value = reading.value
        if value is None:
            return TileValue(key, "—", f"{channel.label}: {reading.reason}")
        level = None
        if channel.unit == "°C":
            level = "fail" if value >= CRITICAL_C else "warning" if value >= HOT_C else "pass"
        digits = 0 if channel.unit in ("%", "°C") else 1
        return TileValue(key, _fmt(value, channel.unit, digits), channel.label, level)

    def read(self) -> TileReading:
        power = self._power.read()
        packages = [r for r in power.rapl if r.domain.parent is None and r.domain.name.startswith("package")]
        psys = [r for r in power.rapl if r.domain.name == "psys"]
        chosen = packages or psys
        watts = [r.power_watts for r in chosen if r.power_watts is not None]
        if watts:
            label = "RAPL " + " + ".join(r.domain.name for r in chosen)
            pkg = TileValue("power", _fmt(sum(watts), "W"), label)
        elif chosen:
            pkg = TileValue("power", "…", next((r.reason for r in chosen if r.reason), None) or N_("measuring"))
        else:
            pkg = TileValue("power", "—", power.rapl_error or _("no RAPL domain on this machine"))
        batteries = [s for s in power.supplies if s.type == "Battery" and s.scope != "Device"]
        if batteries:
            b = batteries[0]
            state = (b.status or "unknown").lower()
            level = "warning" if b.capacity_percent is not None and b.capacity_percent <= 20 else "pass"
            charge = f"{b.capacity_percent:.0f} %" if b.capacity_percent is not None else _("charge unknown")
            bat = TileValue("battery", _fmt(b.power_watts, "W", 2), f"{b.name}: {charge}, {state}", level)
        else:
            bat = TileValue("battery", "—", power.supplies_error or _("no battery"))
        cpu = self._channel("cpu", self._cpu, _("no CPU temperature sensor"))
        gpu = self._channel("gpu", self._gpu, _("no GPU sensor"))
        return TileReading((pkg, cpu, bat, gpu))


def desktop_is_dark() -> bool:
    """The desktop's colour scheme (Qt 6.5+), else the application palette's lightness."""
    hints = QGuiApplication.styleHints()
    scheme = hints.colorScheme() if hasattr(hints, "colorScheme") else Qt.ColorScheme.Unknown
    if scheme == Qt.ColorScheme.Dark:
        return True
    if scheme == Qt.ColorScheme.Light:
        return False
    return QGuiApplication.palette().color(QPalette.ColorRole.Window).lightness() < 128


def contrast_palette(dark: bool) -> QPalette:
    """Black on white or white on black: a projector washes out anything in between."""
    fg, bg = (QColor("#ffffff"), QColor("#000000")) if dark else (QColor("#000000"), QColor("#ffffff"))
    pal = QPalette()
    for role in (QPalette.ColorRole.Window, QPalette.ColorRole.Base, QPalette.ColorRole.Button):
        pal.setColor(role, bg)
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text, QPalette.ColorRole.ButtonText):
        pal.setColor(role, fg)
    pal.setColor(QPalette.ColorRole.Highlight, QColor("#3574c4"))
    pal.setColor(QPalette.ColorRole.HighlightedText, QColor("#ffffff"))
    return pal


class PresentationWindow(QWidget):
    """Shows what the Overview page hands it; reads only its own live tiles (on a worker thread)."""

    closed = Signal()

    def __init__(self, parent: QWidget | None = None, *, sysfs: Path = Path("/sys")) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle(_("Hardware Inspector — presentation"))
        self.setAutoFillBackground(True)
        self.dark = desktop_is_dark()
        self.setPalette(contrast_palette(self.dark))
        self.title = QLabel("…")
        self.title.setWordWrap(True)
        self.subtitle = QLabel()
        self.subtitle.setWordWrap(True)
        self.badge = QLabel()
        self.badge.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.counts = QLabel()
        self.counts.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.tiles = {key: Tile(_(caption)) for key, caption in TILES}
        self.scorecard = ScorecardView(compact=True)
        self.scorecard.max_columns = 5
        self.footer = QLabel()
        self.live = False
        self.readings_shown = 0
        self.poller = SensorPoller(TileSource(sysfs), "presentation-tiles", self)
        self.poller.reading.connect(self.show_tiles)

        head = QHBoxLayout()
        names = QVBoxLayout()
        names.addWidget(self.title)
        names.addWidget(self.subtitle)
        status = QVBoxLayout()
        status.addWidget(self.badge)
        status.addWidget(self.counts)
        head.addLayout(names, 1)
        head.addLayout(status)
        self.tile_row = QHBoxLayout()
        for tile in self.tiles.values():
            self.tile_row.addWidget(tile, 1)
        self.body = QVBoxLayout(self)
        self.body.addLayout(head)
        self.body.addLayout(self.tile_row)
        self.body.addWidget(self.scorecard, 1)
        self.body.addWidget(self.footer)
        hints = QGuiApplication.styleHints()
        if hasattr(hints, "colorSchemeChanged"):
            hints.colorSchemeChanged.connect(self._scheme_changed)
        self._rescale()

    # --- content -----------------------------------------------------------------------------------

    def set_content(
        self, title: str, subtitle: str, overall: str, counts: str, cards: Sequence[CardData], live: bool, source: str
    ) -> None:
        self.title.setText(title)
        self.subtitle.setText(subtitle)
        words = {
            "pass": _("ALL CHECKS PASS"),
            "warning": _("PASS WITH WARNINGS"),
            "fail": _("FAILING"),
            "n/a": _("NOTHING TO CHECK"),
        }
        self.badge.setText(words.get(overall, overall.upper()))
        self._badge_color(overall)
        self.counts.setText(counts)
        self.scorecard.set_cards(cards)
        if self.scale_px:
            self.scorecard.set_scale(self.scale_px)
        self.live = live
        self.footer.setText(_("{source}  ·  Esc or F11 leaves presentation mode").format(source=source))
        if not live:
            self.poller.stop()
            for tile in self.tiles.values():
                tile.set_value("—", _("captured machine: no live readings"))
        elif self.isVisible():
            self.poller.start()

    def show_tiles(self, reading: object) -> None:
        if not isinstance(reading, TileReading) or not self.live:
            return
        for v in reading.values:
            tile = self.tiles.get(v.key)
            if tile is not None:
                accent = status_color(v.level, self.palette()) if v.level else None
                tile.set_value(v.value, localize(v.detail), accent)
        self.readings_shown += 1

    def _badge_color(self, overall: str) -> None:
        pal = self.badge.palette()
        pal.setColor(QPalette.ColorRole.WindowText, status_color(overall, self.palette()))
        self.badge.setPalette(pal)

    def _scheme_changed(self, *_unused: object) -> None:
        self.dark = desktop_is_dark()
        self.setPalette(contrast_palette(self.dark))
        self._rescale()

    # --- size --------------------------------------------------------------------------------------

    scale_px = 0

    def _rescale(self) -> None:
        """Type in pixels from the window size: 22 px at 1920x1080, 44 px at 3840x2160."""
        w, h = max(self.width(), 640), max(self.height(), 360)
        px = max(12, round(min(w / 1920, h / 1080) * 22))
        if px == self.scale_px:
            return
        self.scale_px = px
        for label, factor, bold in (
            (self.title, 2.4, True),
            (self.subtitle, 1.0, False),
            (self.badge, 1.7, True),
            (self.counts, 1.0, False),
            (self.footer, 0.8, False),
        ):
            f = label.font()
            f.setPixelSize(round(px * factor))
            f.setBold(bold)
            label.setFont(f)
        for tile in self.tiles.values():
            tile.set_scale(px)
        self.scorecard.min_card_width = px * 16
        self.scorecard.set_scale(px)
        m = px * 2
        self.body.setContentsMargins(m, m, m, m)
        self.body.setSpacing(px)
        self.tile_row.setSpacing(px)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._rescale()

    # --- lifetime ----------------------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.live:
            self.poller.start()

    def hideEvent(self, event: QHideEvent) -> None:
        self.poller.stop()
        super().hideEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Escape, Qt.Key.Key_F11):
            self.close()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.poller.stop()
        super().closeEvent(event)
        self.closed.emit()

    def shutdown(self) -> None:
        self.poller.shutdown()
