"""Qt models for the CPU part of the Thermal page: frequency per CPU, idle-state residency per CPU."""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from enum import IntEnum

from PySide6.QtCore import QObject, Qt

from hwinspector.collectors.sensors import IdleReading
from hwinspector.i18n import N_, _
from hwinspector.models.live_table import FractionRole, LevelRole, LiveTableModel, ValueRole
from hwinspector.probes.power.cpu import CpuFreq
from hwinspector.widgets.status_icons import status_icon

_DISPLAY = Qt.ItemDataRole.DisplayRole
_TOOLTIP = Qt.ItemDataRole.ToolTipRole
_ALIGN = Qt.ItemDataRole.TextAlignmentRole
_NUMBER = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


def mhz(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f} MHz"


def mhz_range(low: float | None, high: float | None) -> str:
    if low is None and high is None:
        return ""
    return f"{mhz(low).removesuffix(' MHz')}\u2013{mhz(high)}"  # en dash


class FreqColumn(IntEnum):
    CPU = 0
    CURRENT = 1
    POLICY = 2
    HARDWARE = 3
    BASE = 4
    GOVERNOR = 5
    EPP = 6
    DRIVER = 7


_FREQ_WORDS = {"offline": "offline", "no cpufreq": N_("no cpufreq driver")}


class CpuFreqModel(LiveTableModel[CpuFreq]):
    headers = (
        "CPU",
        N_("Current"),
        N_("Allowed (policy)"),
        N_("Hardware range"),
        N_("Base"),
        N_("Governor"),
        "EPP",
        N_("Driver"),
    )

    def key(self, row: CpuFreq) -> Hashable:
        return row.cpu

    def cell(self, row: CpuFreq, column: int, role: int) -> object:
        col = FreqColumn(column)
        if role == _DISPLAY:
            return self._text(row, col)
        if role == _TOOLTIP:
            if col == FreqColumn.CPU:
                policy = [f"policy: {row.policy}"] if row.policy else []
                return "\n".join([row.path, *policy, *row.errors])
            if col == FreqColumn.GOVERNOR and row.available_governors:
                return "available: " + ", ".join(row.available_governors)
            if col == FreqColumn.EPP and row.available_epp:
                return _("energy_performance_preference; available: ") + ", ".join(row.available_epp)
            if col == FreqColumn.CURRENT:
                return _("scaling_cur_freq: on x86 the average over the last scheduler tick")
            return None
        if role == _ALIGN and col in (FreqColumn.CURRENT, FreqColumn.POLICY, FreqColumn.HARDWARE, FreqColumn.BASE):
            return _NUMBER
        if role == FractionRole and col == FreqColumn.CURRENT and row.cur_mhz is not None and row.hw_max_mhz:
            return row.cur_mhz / row.hw_max_mhz
        if role == Qt.ItemDataRole.DecorationRole and col == FreqColumn.CPU:
            return status_icon("ok" if row.error is None else "na" if row.error in _FREQ_WORDS else "warning")
        if role == ValueRole and col == FreqColumn.CURRENT:
            return row.cur_mhz
        return None

    def _text(self, f: CpuFreq, col: FreqColumn) -> str:
        if col == FreqColumn.CPU:
            return f"cpu{f.cpu}"
        if col == FreqColumn.CURRENT:
            if f.cur_mhz is None:
                return _(_FREQ_WORDS.get(f.error or "", f.error or "—"))
            return mhz(f.cur_mhz)
        if col == FreqColumn.POLICY:
            return mhz_range(f.min_mhz, f.max_mhz)
        if col == FreqColumn.HARDWARE:
            return mhz_range(f.hw_min_mhz, f.hw_max_mhz)
        if col == FreqColumn.BASE:
            return "" if f.base_mhz is None else mhz(f.base_mhz)
        if col == FreqColumn.GOVERNOR:
            return f.governor or ""
        if col == FreqColumn.EPP:
            return f.epp or ""
        return f.driver or ""


# --- idle states -----------------------------------------------------------------------------------

RESIDENCY, RATE, USAGE = "residency", "rate", "usage"
METRICS = {RESIDENCY: N_("time in state (%)"), RATE: N_("entries per second"), USAGE: N_("entries since boot")}


@dataclass(frozen=True, slots=True)
class IdleCpuRow:
    cpu: int
    states: tuple[IdleReading, ...]

    def state(self, name: str) -> IdleReading | None:
        return next((r for r in self.states if (r.state.name or f"state{r.state.index}") == name), None)

    @property
    def active_percent(self) -> float | None:
        """Time in no idle state: running tasks (turbostat's Busy%, plus the POLL state's spinning)."""
        shares = [r.residency_percent for r in self.states]
        if not shares or any(s is None for s in shares):
            return None
        return max(0.0, 100.0 - sum(s for s in shares if s is not None))


def _state_name(r: IdleReading) -> str:
    return r.state.name or f"state{r.state.index}"


class IdleModel(LiveTableModel[IdleCpuRow]):
    """Rows: CPUs. Columns: CPU, Active, then one column per idle state, shallow to deep (turbostat's layout)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.headers = ("CPU", N_("Active"))
        self.metric = RESIDENCY
        self._info: dict[str, IdleReading] = {}

    def set_idle(self, idle: Sequence[IdleReading]) -> bool:
        by_cpu: dict[int, list[IdleReading]] = {}
        order: dict[str, int] = {}
        for r in idle:
            by_cpu.setdefault(r.state.cpu, []).append(r)
            order.setdefault(_state_name(r), r.state.index)
            self._info.setdefault(_state_name(r), r)
        names = tuple(sorted(order, key=lambda n: (order[n], n)))
        headers = ("CPU", N_("Active"), *names)
        changed = headers != self.headers
        self.headers = headers
        rows = [IdleCpuRow(cpu, tuple(states)) for cpu, states in sorted(by_cpu.items())]
        return self.set_rows(rows, force_reset=changed)

    def set_metric(self, metric: str) -> None:
        if metric not in METRICS or metric == self.metric:
            return
        self.metric = metric
        if self.rowCount():
            self.dataChanged.emit(self.index(0, 2), self.index(self.rowCount() - 1, self.columnCount() - 1))

    def key(self, row: IdleCpuRow) -> Hashable:
        return row.cpu

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> object:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.headers):
            return None
        name = self.headers[section]
        info = self._info.get(name) if section >= 2 else None
        if role == _DISPLAY:
            if info is not None and info.state.latency_us is not None:
                return f"{name}\n{info.state.latency_us} µs"
            return _(name)
        if role == _TOOLTIP:
            if section == 1:
                return _("Share of the interval in no idle state: running, or spinning in POLL")
            if info is not None:
                s = info.state
                return _(
                    "{name}: {desc}\nexit latency {latency_us} µs, worth entering for {residency_us} µs or more"
                ).format(name=name, desc=s.desc or "", latency_us=s.latency_us, residency_us=s.residency_us)
        return None

    def cell(self, row: IdleCpuRow, column: int, role: int) -> object:
        if column == 0:
            return f"cpu{row.cpu}" if role == _DISPLAY else None
        if column == 1:
            active = row.active_percent
            if role == _DISPLAY:
                return "…" if active is None else f"{active:.1f} %"
            if role == FractionRole and active is not None:
                return active / 100.0
            if role == LevelRole:
                return "warning"
            if role == _ALIGN:
                return _NUMBER
            if role == ValueRole:
                return active
            return None
        r = row.state(self.headers[column]) if column < len(self.headers) else None
        if r is None:
            return "" if role == _DISPLAY else None
        if role == _DISPLAY:
            return self._text(r)
        if role == _TOOLTIP:
            s = r.state
            lines = [
                _("cpu{cpu} {state_name}: {desc}").format(cpu=s.cpu, state_name=_state_name(r), desc=s.desc or ""),
                _("exit latency {latency_us} µs, target residency {residency_us} µs").format(
                    latency_us=s.latency_us, residency_us=s.residency_us
                ),
                _("entered {usage} times since boot, {entries_per_s:.0f} per second now").format(
                    usage=s.usage, entries_per_s=r.entries_per_s or 0
                ),
                _("{time_us:.1f} s in this state since boot").format(time_us=(s.time_us or 0) / 1e6),
            ]
            if s.above is not None and s.below is not None:
                lines.append(
                    _("too deep {above} times, too shallow {below} times").format(above=s.above, below=s.below)
                )
            if s.disabled:
                lines.append(_("disabled (cpuidle/stateN/disable)"))
            return "\n".join(lines + list(s.errors))
        if role == FractionRole and self.metric == RESIDENCY and r.residency_percent is not None:
            return r.residency_percent / 100.0
        if role == _ALIGN:
            return _NUMBER
        if role == ValueRole:
            return {RESIDENCY: r.residency_percent, RATE: r.entries_per_s, USAGE: r.state.usage}[self.metric]
        return None

    def _text(self, r: IdleReading) -> str:
        if r.state.disabled:
            return "disabled"
        if self.metric == RESIDENCY:
            return "…" if r.residency_percent is None else f"{r.residency_percent:.1f} %"
        if self.metric == RATE:
            return "…" if r.entries_per_s is None else f"{r.entries_per_s:.0f}/s"
        return "—" if r.state.usage is None else str(r.state.usage)
