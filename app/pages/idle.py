"""Idle & suspend page: what keeps the machine out of deep idle, and how its last suspend went."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from hwinspector.collectors.idle import IdleCollector
from hwinspector.i18n import N_, _, localize
from hwinspector.models.idle import (
    RowsModel,
    cstate_model,
    cstate_rows,
    device_model,
    interrupt_model,
    process_model,
    tunable_model,
)
from hwinspector.pages.base import Page, empty_state
from hwinspector.pages.idle_suspend import SuspendPanel
from hwinspector.probes.machine.snapshot import Snapshot
from hwinspector.probes.power.idle import DEFAULT_DURATION_S
from hwinspector.probes.privileged.protocol import RAPL_MAX_RATE_HZ
from hwinspector.widgets import dim, note_style
from hwinspector.widgets.quiet_progress import QuietProgressBar
from hwinspector.widgets.reading_table import reading_table

BEFORE_TEXT = N_(
    "Measure watches this machine for a while without touching it: which processes wake the CPU, which "
    "interrupts fire, how deep each CPU sleeps, which devices stay awake, and whether the platform reaches "
    "its lowest idle state. Leave the machine alone while it measures; the inspector itself sleeps meanwhile "
    "and reports its own cost.\n\n"
    "Root-only counters (package C-states, processor energy, PMC residency) need an administrator's consent: "
    "tick the box and polkit asks once."
)


def _side_channel_note() -> str:
    """protocol.RAPL_SIDE_CHANNEL_NOTE (the helper's English, stdlib-only module) in the user's language."""
    return _(
        "Processor energy counters are root-only since Linux 5.10 because fast readings leak what other "
        "programs compute (PLATYPUS, CVE-2020-8694). The helper reads them at most {rate:g} times a second "
        "and only while you ask it to."
    ).format(rate=RAPL_MAX_RATE_HZ)


class IdlePage(Page):
    page_id = "idle"
    title = N_("Idle & suspend")
    order = 55
    description = N_("What keeps the machine out of deep idle; how its suspends went")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.doc: dict[str, Any] | None = None
        self._live = False
        self.collector = IdleCollector(self)
        self.collector.progress.connect(self._on_progress)
        self.collector.finished.connect(self.show_report)
        self.collector.failed.connect(self._on_failed)

        self.measure = QPushButton(_("Measure idle"))
        self.measure.clicked.connect(self._on_measure)
        self.duration = QDoubleSpinBox()
        self.duration.setRange(2, 600)
        self.duration.setValue(DEFAULT_DURATION_S)
        self.duration.setSuffix(" s")
        self.duration.setAccessibleName(_("How long to measure, in seconds"))
        self.privileged = QCheckBox(_("Include root-only counters"))
        self.privileged.setToolTip(_side_channel_note())
        # Said where it is enabled: the energy counters are root-only because reading them is a side channel.
        self.consent_note = QLabel(
            _side_channel_note() + _(" polkit asks for an administrator password when you measure.")
        )
        self.consent_note.setWordWrap(True)
        self.consent_note.setStyleSheet(note_style("info"))
        self.consent_note.hide()
        self.privileged.toggled.connect(self.consent_note.setVisible)
        self.progress = QuietProgressBar()  # the window measures idle as quietly as the CLI
        self.progress.setRange(0, 100)
        self.progress.setFormat("measuring… %p %")
        self.progress.hide()
        self.copy = QPushButton(_("Copy"))
        self.copy.setToolTip(_("Copy the whole report as JSON"))
        self.copy.setEnabled(False)
        self.copy.clicked.connect(self.copy_report)
        bar = QHBoxLayout()
        for w in (self.measure, QLabel(_("for")), self.duration, self.privileged):
            bar.addWidget(w)
        bar.addWidget(self.progress, 1)
        bar.addStretch()
        bar.addWidget(self.copy)

        self.verdict = QLabel()
        f = self.verdict.font()
        f.setPointSizeF(f.pointSizeF() * 1.2)
        f.setBold(True)
        self.verdict.setFont(f)
        self.verdict.setWordWrap(True)
        self.verdict.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details = QLabel()
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.priv_note = QLabel()
        self.priv_note.setWordWrap(True)
        self.priv_note.setStyleSheet(note_style("info"))
        self.priv_note.hide()

        self.models: dict[str, RowsModel] = {
            "processes": process_model(self),
            "interrupts": interrupt_model(self),
            "cstates": cstate_model(self),
            "devices": device_model(self),
            "tunables": tunable_model(self),
        }
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName(_(self.title))
        titles = {
            "processes": _("Processes"),
            "interrupts": _("Interrupts"),
            "cstates": _("Idle states"),
            "devices": _("Devices (runtime PM)"),
            "tunables": _("Tunables (suggestions, never applied)"),
        }
        self.views = {}
        for key, model in self.models.items():
            view = reading_table(model, name=titles[key])
            self.views[key] = view
            self.tabs.addTab(view, titles[key])
        self.suspend = SuspendPanel(self)
        self.tabs.addTab(self.suspend, _("Suspend"))

        results = QWidget()
        rl = QVBoxLayout(results)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(self.verdict)
        rl.addWidget(self.details)
        rl.addWidget(self.priv_note)
        rl.addWidget(self.tabs, 1)
        self.before = empty_state(_(BEFORE_TEXT))
        self.not_live = empty_state("")
        self.stack = QStackedWidget()
        for page in (self.before, results, self.not_live):
            self.stack.addWidget(page)
        self.results = results
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.consent_note)
        layout.addWidget(self.stack, 1)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        # Suspend statistics are a handful of small files: read them once when the page is first seen.
        if self._live and self.suspend.doc is None and not self.suspend.busy:
            self.suspend.start_reading()

    # --- source --------------------------------------------------------------------------------------

    def set_snapshot(self, snapshot: Snapshot) -> None:
        live = snapshot.source.kind == "live"
        self._live = live
        for w in (self.measure, self.duration, self.privileged):
            w.setEnabled(live and not self.collector.busy)
        if not live:
            self.not_live.setText(
                _(
                    "Idle analysis watches the live machine; {label} is a {kind} dump from another "
                    "machine.\n\nAn evidence bundle made with `hwinspector report --idle S` carries its idle "
                    "report: compare two of them on the Evidence page.\n\nFile → Show live machine (Ctrl+L) "
                    "measures this one."
                ).format(label=snapshot.source.label, kind=snapshot.source.kind)
            )
            self.stack.setCurrentWidget(self.not_live)
        elif self.doc is None:
            self.stack.setCurrentWidget(self.before)
        self.suspend.set_live(live)
        self.mark_shown()  # a measurement is the user's to start: before it, the page shows what it offers

    # --- measuring -----------------------------------------------------------------------------------

    def _on_measure(self) -> None:
        if self.collector.busy:
            self.collector.stop()
            self.measure.setText(_("Stopping…"))
            self.measure.setEnabled(False)
            return
        if self.collector.start(self.duration.value(), self.privileged.isChecked()):
            self.measure.setText(_("Stop"))
            self.duration.setEnabled(False)
            self.privileged.setEnabled(False)
            self.progress.setValue(0)
            self.progress.show()

    def _on_progress(self, fraction: float) -> None:
        self.progress.setValue(round(100 * fraction))

    def _idle_controls(self) -> None:
        self.measure.setText(_("Measure again") if self.doc else _("Measure idle"))
        for w in (self.measure, self.duration, self.privileged):
            w.setEnabled(True)
        self.progress.hide()

    def _on_failed(self, why: str) -> None:
        self._idle_controls()
        self.verdict.setText(_("The measurement failed"))
        self.details.setText(why)
        self.stack.setCurrentWidget(self.results)

    def show_report(self, doc: object) -> None:
        assert isinstance(doc, dict)
        self.doc = doc
        self._idle_controls()
        self.copy.setEnabled(True)
        v = doc["verdict"]
        self.verdict.setText(localize(v["summary"]))
        me = doc["self"]
        lines = [f"• {localize(c)}" for c in v["culprits"][3:6]] + [f"• {localize(h)}" for h in v["hints"][:3]]
        lines.append(
            _(
                "Measured over {duration_s:.0f} s. This inspector meanwhile: {cpu_percent:.2f} % CPU, "
                "{wakeups_per_s:.1f} wakeups/s (it is listed among the processes too)."
            ).format(duration_s=doc["duration_s"], cpu_percent=me["cpu_percent"], wakeups_per_s=me["wakeups_per_s"])
        )
        self.details.setText("\n".join(lines))
        dim(self.details)
        priv = doc.get("privileged")
        if isinstance(priv, dict) and priv.get("available") is False:
            self.priv_note.setText(
                _("Root-only counters unavailable: {reason}. Everything else was measured.").format(
                    reason=priv["reason"]
                )
            )
            self.priv_note.show()
        elif isinstance(priv, dict):
            absent = "; ".join(_("no {k}: {r}").format(k=k, r=r) for k, r in (priv.get("absent") or {}).items())
            self.priv_note.setText(_side_channel_note() + (f"\n{absent}" if absent else ""))
            self.priv_note.show()
        else:
            self.priv_note.hide()
        self.models["processes"].set_rows(doc["processes"], force_reset=True)
        self.models["interrupts"].set_rows(doc["interrupts"], force_reset=True)
        self.models["cstates"].set_rows(cstate_rows(doc), force_reset=True)
        self.models["devices"].set_rows(doc["devices"], force_reset=True)
        self.models["tunables"].set_rows(doc["tunables"], force_reset=True)
        for view in self.views.values():
            view.resizeColumnsToContents()
        self.stack.setCurrentWidget(self.results)

    def copy_report(self) -> None:
        if self.doc is not None:
            QGuiApplication.clipboard().setText(json.dumps(self.doc, indent=1, ensure_ascii=False))

    def shutdown(self) -> None:
        self.collector.shutdown()
        self.suspend.shutdown()
