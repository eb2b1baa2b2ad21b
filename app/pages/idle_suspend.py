"""The Suspend tab of the Idle & suspend page: statistics, wakeup sources, and a test cycle on request."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from hwinspector.i18n import _
from hwinspector.models.idle import Column, RowsModel
from hwinspector.probes.errors import ProbeUnavailable
from hwinspector.probes.power.suspend import cycle_report, read_suspend
from hwinspector.probes.privileged.client import HelperClient, HelperRefused
from hwinspector.probes.privileged.protocol import SUSPEND_MAX_S, SUSPEND_MIN_S
from hwinspector.threads import run_in_background
from hwinspector.widgets.explained_view import ExplainedView
from hwinspector.widgets.reading_table import reading_table


def _read(cycle_s: int) -> dict[str, Any]:
    """On a worker thread: the statistics, or a cycle with the statistics before and after it."""
    try:
        before = read_suspend()
        if cycle_s <= 0:
            return {"reading": before}
        with HelperClient() as client:  # polkit asks for the password here, off the GUI thread
            result = client.request("suspend_cycle", seconds=cycle_s, timeout_s=cycle_s + 300)
        after = read_suspend()
        return {"reading": after, "cycle": cycle_report(before, after, result)}
    except (ProbeUnavailable, HelperRefused) as exc:
        return {"error": str(exc)}


def wakeup_model(parent: QObject | None = None) -> RowsModel:
    return RowsModel(
        [
            Column(_("Wakeups"), "wakeup_count", numeric=True),
            Column(_("Events"), "event_count", numeric=True),
            Column(_("Source"), "name"),
            Column(_("Device"), "device"),
        ],
        ["name", "device"],
        parent,
    )


class SuspendPanel(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.doc: dict[str, Any] | None = None
        self.busy = False
        self._live = False

        self.read_button = QPushButton(_("Read suspend statistics"))
        self.read_button.clicked.connect(lambda: self._start(0))
        self.cycle_s = QSpinBox()
        self.cycle_s.setRange(SUSPEND_MIN_S, SUSPEND_MAX_S)
        self.cycle_s.setValue(60)
        self.cycle_s.setSuffix(" s")
        self.cycle_s.setAccessibleName(_("Suspend cycle length, in seconds"))
        self.cycle_button = QPushButton(_("Test a suspend cycle…"))
        self.cycle_button.clicked.connect(self._confirm_cycle)
        self.copy = QPushButton(_("Copy"))
        self.copy.setEnabled(False)
        self.copy.clicked.connect(self._copy)
        bar = QHBoxLayout()
        for w in (self.read_button, self.cycle_button, self.cycle_s):
            bar.addWidget(w)
        bar.addStretch()
        bar.addWidget(self.copy)
        self.summary = QLabel(
            _("Read the statistics to see how the last suspends went and what can wake this machine.")
        )
        self.summary.setWordWrap(True)
        self.model = wakeup_model(self)
        self.view = reading_table(self.model, name=_("Wakeup sources"))
        self.sources = ExplainedView(self.view)
        self.sources.explain(_("Wakeup sources appear here once the statistics are read."))
        self.log = QPlainTextEdit()
        self.log.setReadOnly(True)
        self.log.setMaximumHeight(140)
        self.log.setPlaceholderText(_("Kernel log lines about suspend and resume appear here."))
        self.log.setAccessibleName(_("Kernel log about suspend and resume"))
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.summary)
        layout.addWidget(self.sources, 1)
        layout.addWidget(self.log)

    def set_live(self, live: bool) -> None:
        self._live = live
        for w in (self.read_button, self.cycle_button, self.cycle_s):
            w.setEnabled(live and not self.busy)
        if self.doc is not None and not {"mem", "freeze"} & set(self.doc["state"]):
            self.cycle_button.setEnabled(False)
            self.cycle_button.setToolTip(_("This machine offers no suspend state (/sys/power/state)"))

    def start_reading(self) -> None:
        self._start(0)

    def _confirm_cycle(self) -> None:
        s = self.cycle_s.value()
        answer = QMessageBox.question(
            self,
            _("Test a suspend cycle"),
            _(
                "The machine will suspend now and wake up by itself after {s} seconds (RTC alarm). Save "
                "your work first. An administrator password is asked for.\n\nSuspend now?"
            ).format(s=s),
        )
        if answer == QMessageBox.StandardButton.Yes:
            self._start(s)

    def _start(self, cycle_s: int) -> None:
        if self.busy:
            return
        self.busy = True
        self.set_live(self._live)
        self.summary.setText(_("Suspending…") if cycle_s else _("Reading…"))
        run_in_background(lambda: _read(cycle_s), self._on_done, self._on_failed)

    def _on_failed(self, why: str) -> None:
        self.busy = False
        self.set_live(self._live)
        self.summary.setText(_("Could not read suspend information: {why}").format(why=why))

    def _on_done(self, result: dict[str, Any]) -> None:
        if "error" in result:
            self._on_failed(result["error"])
            return
        self.busy = False
        self.show_suspend(result["reading"], result.get("cycle"))

    def show_suspend(self, doc: dict[str, Any], cycle: dict[str, Any] | None = None) -> None:
        self.doc = {**doc, **({"cycle": cycle} if cycle else {})}
        self.copy.setEnabled(True)
        st = doc["stats"]
        lines = [
            _("Sleep modes: ")
            + (
                " ".join(f"[{m}]" if m == doc["mem_sleep_current"] else m for m in doc["mem_sleep"])
                or _("none offered")
            )
        ]
        if st:
            failed = _(", {fail} failed").format(fail=st["fail"]) if "fail" in st else ""
            lines.append(
                _("Suspends since boot: {success} succeeded{failed}").format(
                    success=st.get("success", "?"), failed=failed
                )
            )
            if st.get("fail"):
                lines.append(
                    _("Last failure: {last_failed_dev} at {last_failed_step} (errno {last_failed_errno})").format(
                        last_failed_dev=st.get("last_failed_dev") or "-",
                        last_failed_step=st.get("last_failed_step") or "-",
                        last_failed_errno=st.get("last_failed_errno"),
                    )
                )
            if isinstance(st.get("last_hw_sleep"), int):
                lines.append(
                    _("Hardware sleep in the last suspend: {last_hw_sleep:.1f} s").format(
                        last_hw_sleep=st["last_hw_sleep"] / 1e6
                    )
                )
        if doc.get("wakeup_irq"):
            w = doc["wakeup_irq"]
            lines.append(_("Woken last by IRQ {irq} {name}").format(irq=w["irq"], name=w["name"] or ""))
        lines.append(_("Devices allowed to wake the machine: {n}").format(n=len(doc["wake_enabled"])))
        if cycle:
            lines.append(
                _("Test cycle: asked {requested_s:g} s, suspended {suspended_s:.1f} s, ").format(
                    requested_s=cycle["requested_s"], suspended_s=cycle["suspended_s"]
                )
                + ("succeeded" if cycle["succeeded"] else "FAILED")
            )
            lines += [f"⚑ {f}" for f in cycle["flags"]]
        lines += [_("Note: {n}").format(n=n) for n in doc["notes"]]
        self.summary.setText("\n".join(lines))
        self.model.set_rows(
            sorted(doc["wakeup_sources"], key=lambda s: s["wakeup_count"] or 0, reverse=True), force_reset=True
        )
        self.view.resizeColumnsToContents()
        if doc["wakeup_sources"]:
            self.sources.show_view()
        else:
            self.sources.explain(
                _("No wakeup sources listed: ")
                + next((n for n in doc["notes"] if "wakeup" in n), _("the kernel registered none on this machine."))
            )
        unreadable = next((n for n in doc["notes"] if n.startswith("kernel log not readable")), None)
        empty = unreadable or _("No suspend or resume lines in the kernel log since boot.")
        self.log.setPlainText("\n".join(doc["log"]) or empty)
        self.set_live(self._live)

    def _copy(self) -> None:
        if self.doc is not None:
            QGuiApplication.clipboard().setText(json.dumps(self.doc, indent=1, ensure_ascii=False))

    def shutdown(self) -> None:
        """The page closes: a reading or cycle in flight ends on its own thread, its answer dropped
        (the answer reaches this panel only through a weak reference)."""
        self.busy = False
