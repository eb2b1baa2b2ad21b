"""Qt model and texts for sleep: what logind allows, who inhibits it, the session, and /sys/power."""

from __future__ import annotations

from collections.abc import Hashable
from enum import IntEnum

from PySide6.QtCore import Qt

from hwinspector.i18n import N_, _
from hwinspector.models.live_table import LiveTableModel
from hwinspector.probes.services.bus import Inhibitor, KernelSleep, LogindInfo

_DISPLAY = Qt.ItemDataRole.DisplayRole
_TOOLTIP = Qt.ItemDataRole.ToolTipRole

SLEEP_LABELS = {
    "Suspend": N_("Suspend"),
    "Hibernate": N_("Hibernate"),
    "HybridSleep": N_("Hybrid sleep"),
    "SuspendThenHibernate": N_("Suspend, then hibernate"),
}
# logind's Can* answers (org.freedesktop.login1(5)): what each means for the person at the machine.
CAN_WORDS = {
    "yes": ("ok", "yes"),
    "challenge": ("info", N_("yes, after authentication")),
    "no": ("na", N_("no (not permitted)")),
    "na": ("na", N_("no (not supported here)")),
}
STATE_WORDS = {"freeze": "s2idle", "standby": "standby", "mem": N_("suspend to RAM"), "disk": "hibernate"}
MEM_SLEEP_WORDS = {
    "s2idle": N_("suspend-to-idle: the CPU idles, the platform stays powered"),
    "shallow": N_("standby (ACPI S1)"),
    "deep": N_("suspend-to-RAM (ACPI S3)"),
}


def can_rows(lg: LogindInfo) -> list[tuple[str, str, str]]:
    """(label, status for an icon, answer in words) for each sleep action logind was asked about."""
    out = []
    for action, answer in lg.can:
        status, words = CAN_WORDS.get(answer, ("warning", answer))
        words = _(words)
        out.append((_(SLEEP_LABELS.get(action, action)), status, words))
    return out


def kernel_sleep_rows(k: KernelSleep) -> list[tuple[str, str]]:
    """/sys/power/state and /sys/power/mem_sleep with the selected variant in brackets, as the kernel shows it."""
    rows: list[tuple[str, str]] = []
    if k.states:
        rows.append(("/sys/power/state", " ".join(k.states)))
    if k.mem_sleep:
        text = " ".join(f"[{m}]" if m == k.mem_sleep_selected else m for m in k.mem_sleep)
        if k.mem_sleep_selected:
            text += f" — {_(MEM_SLEEP_WORDS.get(k.mem_sleep_selected, k.mem_sleep_selected))}"
        rows.append(("/sys/power/mem_sleep", text))
    if k.disk:
        rows.append(("/sys/power/disk", " ".join(f"[{d}]" if d == k.disk_selected else d for d in k.disk)))
    rows.extend((_("cannot read"), err) for err in k.errors)
    if not rows:
        rows.append(("/sys/power/state", _("no sleep state offered (a virtual machine, or no CONFIG_SUSPEND)")))
    return rows


def mem_sleep_note(k: KernelSleep) -> str:
    """Why s2idle matters: a laptop that offers deep but uses s2idle drains several watts asleep."""
    if k.mem_sleep_selected == "s2idle" and "deep" in k.mem_sleep:
        return _(
            "Suspend uses s2idle although this machine offers deep (S3): sleeping battery drain is usually "
            "higher; mem_sleep_default=deep on the kernel command line changes it."
        )
    return ""


def session_text(lg: LogindInfo) -> str:
    s = lg.session
    if s is None:
        return lg.session_reason or _("no session")
    parts = [f"session {s.id}", s.type or _("type unknown")]
    if s.desktop:
        parts.append(s.desktop)
    parts.append(s.session_class)
    if s.seat:
        parts.append(s.seat)
    if s.remote:
        parts.append("remote")
    return " · ".join(p for p in parts if p) + _(" (found by {found_by})").format(found_by=s.found_by)


class InhibitorColumn(IntEnum):
    WHO = 0
    WHAT = 1
    WHY = 2
    MODE = 3


class InhibitorModel(LiveTableModel[Inhibitor]):
    """logind's inhibitors; the process (UID, PID) is in the Who column's tooltip."""

    headers = (N_("Who"), N_("What"), N_("Why"), N_("Mode"))

    def key(self, row: Inhibitor) -> Hashable:
        return (row.who, row.what, row.why, row.mode, row.uid, row.pid)

    def search_text(self, row: Inhibitor) -> str:
        return f"{super().search_text(row)} {row.uid} {row.pid}"

    def cell(self, row: Inhibitor, column: int, role: int) -> object:
        col = InhibitorColumn(column)
        if role == _DISPLAY:
            return {
                InhibitorColumn.WHO: row.who,
                InhibitorColumn.WHAT: row.what.replace(":", ", "),
                InhibitorColumn.WHY: row.why,
            }.get(col, row.mode)
        if role == _TOOLTIP:
            if col == InhibitorColumn.WHO:
                return _("{who} (UID {uid}, PID {pid})").format(who=row.who, uid=row.uid, pid=row.pid)
            if col != InhibitorColumn.MODE:
                return self.cell(row, column, _DISPLAY)
            if row.mode == "block":
                return _("block: the action is refused while this inhibitor exists")
            return _("delay: the action waits (up to InhibitDelayMaxSec) until the program is ready")
        return None
