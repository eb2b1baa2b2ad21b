"""Tables of the Idle & suspend page: rows are the idle report's JSON objects, columns pick their keys."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Qt

from hwinspector.i18n import _
from hwinspector.models.live_table import LiveTableModel, ValueRole

Row = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Column:
    header: str
    key: str
    fmt: Callable[[Any], str] = str
    numeric: bool = False


def pct(v: Any) -> str:
    return "" if v is None else f"{float(v):.1f} %"


def rate(v: Any) -> str:
    return "" if v is None else f"{float(v):.1f}"


class RowsModel(LiveTableModel[Row]):
    """A table over report rows; ``key_fields`` make a row's identity (pid, irq, path …)."""

    def __init__(self, columns: Sequence[Column], key_fields: Sequence[str], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.columns = tuple(columns)
        self.headers = tuple(c.header for c in columns)
        self._key_fields = tuple(key_fields)

    def key(self, row: Row) -> Hashable:
        return tuple(str(row.get(k)) for k in self._key_fields)

    def cell(self, row: Row, column: int, role: int) -> object:
        if not 0 <= column < len(self.columns):
            return None
        col = self.columns[column]
        value = row.get(col.key)
        if role == Qt.ItemDataRole.DisplayRole:
            return "" if value is None else col.fmt(value)
        if role == ValueRole:
            return value
        if role == Qt.ItemDataRole.TextAlignmentRole and col.numeric:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


def process_model(parent: QObject | None = None) -> RowsModel:
    return RowsModel(
        [
            Column(_("Process"), "name"),
            Column("PID", "pid", numeric=True),
            # xgettext:no-python-format
            Column(_("CPU (% of a core)"), "cpu_percent", pct, True),
            Column(_("Wakeups/s (voluntary switches)"), "wakeups_per_s", rate, True),
        ],
        ["pid"],
        parent,
    )


def interrupt_model(parent: QObject | None = None) -> RowsModel:
    return RowsModel(
        [
            Column("IRQ", "irq"),
            Column(_("Source"), "name"),
            Column(_("Per second"), "per_s", rate, True),
            Column(_("Busiest CPU"), "busiest_cpu", lambda v: f"CPU {v}", True),
            Column(_("On it, /s"), "busiest_cpu_per_s", rate, True),
        ],
        ["irq"],
        parent,
    )


def cstate_rows(doc: Row) -> list[Row]:
    """One row per CPU and idle state, then the platform's LPI, rc6 and root-only package states."""
    rows: list[Row] = []
    for c in doc.get("cpuidle", []):
        for s in c["states"]:
            rows.append({"where": f"CPU {c['cpu']}", "state": s["state"], "pct": s["residency_percent"],
                         "per_s": s["entries_per_s"], "source": "cpuidle"})  # fmt: skip
    for k, v in (doc.get("lpi") or {}).items():
        rows.append({"where": "platform", "state": f"LPI {k.split('_')[0]}", "pct": v, "source": _("ACPI LPI")})
    for k, v in (doc.get("gpu_rc6_percent") or {}).items():
        rows.append({"where": k, "state": _("GPU rc6"), "pct": v, "source": "i915"})
    priv = doc.get("privileged") or {}
    for table in ("package_cstates", "core_cstates", "pmc"):
        for k, v in (priv.get(table) or {}).items():
            where, _unused, state = k.rpartition(":")
            rows.append({"where": where, "state": state.upper().replace("_", " "), "pct": v, "source": "helper"})
    return rows


def cstate_model(parent: QObject | None = None) -> RowsModel:
    return RowsModel(
        [
            Column(_("Where"), "where"),
            Column(_("State"), "state"),
            Column(_("Residency"), "pct", pct, True),
            Column(_("Entries/s"), "per_s", rate, True),
            Column(_("Source"), "source"),
        ],
        ["where", "state"],
        parent,
    )


def device_model(parent: QObject | None = None) -> RowsModel:
    return RowsModel(
        [
            Column(_("Active"), "active_percent", pct, True),
            Column(_("Runtime PM"), "control", lambda v: _("auto (allowed)") if v == "auto" else _("on (forbidden)")),
            Column(_("Status"), "status"),
            Column(_("Driver"), "driver"),
            Column(_("Device"), "path"),
        ],
        ["path"],
        parent,
    )


def tunable_model(parent: QObject | None = None) -> RowsModel:
    return RowsModel(
        [
            Column(_("Setting"), "what"),
            Column(_("Now"), "current"),
            Column(_("Suggested"), "suggested"),
            Column(_("Command"), "command"),
        ],
        ["what"],
        parent,
    )
