"""Qt models for power-profiles-daemon: the profiles with their drivers, and who holds one."""

from __future__ import annotations

from collections.abc import Hashable
from enum import IntEnum

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QFont

from hwinspector.i18n import N_, _
from hwinspector.models.live_table import LiveTableModel, ValueRole
from hwinspector.probes.services.bus import PowerProfile, PowerProfiles, ProfileHold
from hwinspector.widgets.status_icons import status_icon

_DISPLAY = Qt.ItemDataRole.DisplayRole
_TOOLTIP = Qt.ItemDataRole.ToolTipRole

PROFILE_LABELS = {"power-saver": N_("Power saver"), "balanced": N_("Balanced"), "performance": N_("Performance")}
# What power-profiles-daemon says in PerformanceDegraded (src/power-profiles-daemon.c), in words.
DEGRADED_WORDS = {
    "lap-detected": N_("the laptop is on a lap (the firmware limits heat)"),
    "high-operating-temperature": N_("the machine is too hot"),
}


def profile_label(name: str) -> str:
    return _(PROFILE_LABELS.get(name, name.replace("-", " ").capitalize()))


def drivers_text(p: PowerProfile) -> str:
    """The CPU and platform drivers (0.20+), else the single driver older daemons name."""
    both = [x for x in (p.cpu_driver, p.platform_driver) if x]
    return " + ".join(both) if both else p.driver


def profiles_status(pp: PowerProfiles) -> str:
    """The active profile, who holds it and why performance is degraded, as one sentence."""
    text = _("Active profile: {profile_label}").format(profile_label=profile_label(pp.active_profile))
    held = [h for h in pp.holds if h.profile == pp.active_profile]
    if held:
        text += _(", held by {application_id}").format(application_id=held[0].application_id) + (
            f" ({held[0].reason})" if held[0].reason else ""
        )
    if pp.performance_degraded:
        why = ", ".join(_(DEGRADED_WORDS.get(r, r)) for r in pp.performance_degraded.split(","))
        text += _(". Performance is degraded: {why}").format(why=why)
    return text + "."


class ProfileColumn(IntEnum):
    PROFILE = 0
    DRIVER = 1
    CPU = 2
    PLATFORM = 3


class ProfileModel(LiveTableModel[PowerProfile]):
    headers = (N_("Profile"), N_("Driver"), N_("CPU driver"), N_("Platform driver"))

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.active = ""

    def set_profiles(self, pp: PowerProfiles) -> None:
        changed = pp.active_profile != self.active
        self.active = pp.active_profile
        if not self.set_rows(pp.profiles) and changed and self.rowCount():
            self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, self.columnCount() - 1))

    def key(self, row: PowerProfile) -> Hashable:
        return row.name

    def cell(self, row: PowerProfile, column: int, role: int) -> object:
        col = ProfileColumn(column)
        if role == _DISPLAY:
            if col == ProfileColumn.PROFILE:
                return profile_label(row.name) + (" (active)" if row.name == self.active else "")
            return {ProfileColumn.DRIVER: row.driver, ProfileColumn.CPU: row.cpu_driver}.get(col, row.platform_driver)
        if role == ValueRole and col == ProfileColumn.PROFILE:
            return row.name
        if role == Qt.ItemDataRole.FontRole and row.name == self.active:
            bold = QFont()
            bold.setBold(True)
            return bold
        if role == Qt.ItemDataRole.DecorationRole and col == ProfileColumn.PROFILE:
            return status_icon("ok" if row.name == self.active else "na")
        return None


class HoldColumn(IntEnum):
    APPLICATION = 0
    PROFILE = 1
    REASON = 2


class HoldModel(LiveTableModel[ProfileHold]):
    headers = (N_("Held by"), N_("Profile"), N_("Reason"))

    def key(self, row: ProfileHold) -> Hashable:
        return (row.application_id, row.profile, row.reason)

    def cell(self, row: ProfileHold, column: int, role: int) -> object:
        if role in (_DISPLAY, _TOOLTIP):  # the tooltip holds text a narrow column elides
            col = HoldColumn(column)
            if col == HoldColumn.APPLICATION:
                return row.application_id
            return profile_label(row.profile) if col == HoldColumn.PROFILE else row.reason
        return None
