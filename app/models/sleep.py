"""Qt model and texts for sleep: what logind allows, who inhibits it, the session, and /sys/power."""

from __future__ import annotations

from collections.abc import Hashable
from enum import IntEnum

from PySide6.QtCore import Qt

from hwinspector.models.live_table import LiveTableModel
from hwinspector.probes.services.bus import Inhibitor, KernelSleep, LogindInfo

_DISPLAY = Qt.ItemDataRole.DisplayRole
_TOOLTIP = Qt.ItemDataRole.ToolTipRole

SLEEP_LABELS = {
    "Suspend": "Suspend",
    "Hibernate": "Hibernate",
    "HybridSleep": "Hybrid sleep",
    "SuspendThenHibernate": "Suspend, then hibernate",
}
# logind's Can* answers (org.freedesktop.login1(5)): what each means for the person at the machine.
CAN_WORDS = {
    "yes": ("ok", "yes"),
    "challenge": ("info", "yes, after authentication"),
    "no": ("na", "no (not permitted)"),
    "na": ("na", "no (not supported here)"),
}
STATE_WORDS = {"freeze": "s2idle", "standby": "standby", "mem": "suspend to RAM", "disk": "hibernate"}
MEM_SLEEP_WORDS = {
    "s2idle": "suspend-to-idle: the CPU idles, the platform stays powered",
    "shallow": "standby (ACPI S1)",
    "deep": "suspend-to-RAM (ACPI S3)",
}


def can_rows(lg: LogindInfo) -> list[tuple[str, str, str]]:
    """(label, status for an icon, answer in words) for each sleep action logind was asked about."""
    out = []
    for action, answer in lg.can:
        status, words = CAN_WORDS.get(answer, ("warning", answer))
        out.append((SLEEP_LABELS.get(action, action), status, words))
    return out


def kernel_sleep_rows(k: KernelSleep) -> list[tuple[str, str]]:
    """/sys/power/state and /sys/power/mem_sleep with the selected variant in brackets, as the kernel shows it."""
    rows: list[tuple[str, str]] = []
    if k.states:
        rows.append(("/sys/power/state", " ".join(k.states)))
    if k.mem_sleep:
        text = " ".join(f"[{m}]" if m == k.mem_sleep_selected else m for m in k.mem_sleep)
        if k.mem_sleep_selected:
            text += f" — {MEM_SLEEP_WORDS.get(k.mem_sleep_selected, k.mem_sleep_selected)}"
        rows.append(("/sys/power/mem_sleep", text))
    if k.disk:
        rows.append(("/sys/power/disk", " ".join(f"[{d}]" if d == k.disk_selected else d for d in k.disk)))
    rows.extend(("cannot read", err) for err in k.errors)
    if not rows:
        rows.append(("/sys/power/state", "no sleep state offered (a virtual machine, or no CONFIG_SUSPEND)"))
    return rows


def mem_sleep_note(k: KernelSleep) -> str:
    """Why s2idle matters: a laptop that offers deep but uses s2idle drains several watts asleep."""
    if k.mem_sleep_selected == "s2idle" and "deep" in k.mem_sleep:
        return (
            "Suspend uses s2idle although this machine offers deep (S3): sleeping battery drain is usually "
            "higher; mem_sleep_default=deep on the kernel command line changes it."
        )
    return ""


def session_text(lg: LogindInfo) -> str:
    s = lg.session
    if s is None:
        return lg.session_reason or "no session"
    parts = [f"session {s.id}", s.type or "type unknown"]
    if s.desktop:
        parts.append(s.desktop)
    parts.append(s.session_class)
    if s.seat:
        parts.append(s.seat)
    if s.remote:
        parts.append("remote")
    return " · ".join(p for p in parts if p) + f" (found by {s.found_by})"


class InhibitorColumn(IntEnum):
    WHO = 0
    WHAT = 1
    WHY = 2
    MODE = 3


class InhibitorModel(LiveTableModel[Inhibitor]):
    """logind's inhibitors; the process (UID, PID) is in the Who column's tooltip."""

    headers = ("Who", "What", "Why", "Mode")

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
                return f"{row.who} (UID {row.uid}, PID {row.pid})"
            if col != InhibitorColumn.MODE:
                return self.cell(row, column, _DISPLAY)
            if row.mode == "block":
                return "block: the action is refused while this inhibitor exists"
            return "delay: the action waits (up to InhibitDelayMaxSec) until the program is ready"
        return None
