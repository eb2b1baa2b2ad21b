"""Overview page: what machine this is, and the enablement scorecard (what a partner shows, what QA gates on)."""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, cast

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from hwinspector.collectors.base import RequestCollector
from hwinspector.i18n import N_, _, localize, localize_all
from hwinspector.pages.base import Page
from hwinspector.probes.checks.base import SEVERITY, Status, Verdict
from hwinspector.probes.checks.scorecard import (
    counts_text,
    identity_rows,
    machine_title,
    overall,
    run_scorecard,
    run_scorecard_partial,
    summary_text,
)
from hwinspector.probes.devices.hotplug import HotplugEvent
from hwinspector.probes.machine.sections import (
    SECTIONS,
    SLOW_SECTIONS,
    Section,
    collect_live,
    sections_from_snapshot,
)
from hwinspector.probes.machine.snapshot import Snapshot
from hwinspector.threads import start_thread
from hwinspector.widgets import dim
from hwinspector.widgets.scorecard import WORDS, CardData, ScorecardView
from hwinspector.widgets.status_icons import status_icon

if TYPE_CHECKING:  # presentation mode (live tiles, the sensor poller) is imported when it is opened
    from hwinspector.presentation import PresentationWindow

Sections = dict[str, Section]
Collected = tuple[int, Sections, list[Verdict], list[Verdict]]  # generation, sections, verdicts, still checking
HOTPLUG_SETTLE_MS = 2000  # a dock or a burst of USB devices is one re-collection, not fifty
ICON = {Status.PASS: "ok", Status.WARNING: "warning", Status.FAIL: "error", Status.NA: "na"}


def cards_of(verdicts: Sequence[Verdict], checking: Sequence[Verdict] = ()) -> list[CardData]:
    """Most severe first (fail, warning, pass, not applicable), in check order within each; the checks
    still waiting for a slow source last, saying so."""
    ordered = sorted(verdicts, key=lambda v: SEVERITY[v.status])
    # The probes' English texts, in the user's language (the JSON keeps them English).
    cards = [
        CardData(
            v.check, v.status.value, localize(v.title), localize(v.summary), localize_all(v.evidence), localize(v.hint)
        )
        for v in ordered
    ]
    return cards + [CardData(v.check, "checking", localize(v.title), _("Checking…")) for v in checking]


def with_source(sections: Sections, snapshot: Snapshot) -> Sections:
    """The sections of a capture, naming where the window read them (a bundle's own sections say "live
    machine": the machine it was captured on, at the time; a remote machine's name its host)."""
    devices = sections.get("devices")
    if snapshot.source.is_live or devices is None or not isinstance(devices.data, dict):
        return sections
    data = {**devices.data, "source": snapshot.source.to_json()}
    return {**sections, "devices": dataclasses.replace(devices, data=data)}


def _call(work: Callable[[], object]) -> object:
    return work()


# This machine in two steps. The second: what takes hundreds of milliseconds (OpenGL and Vulkan in child
# processes, D-Bus calls, the sound server, cameras), and what needs heavy imports (the graphics chain and
# EDID decoder, the GPU readers, the USB-C and wireless chain builders) or many reads (suspend statistics). The first:
# the snapshot's devices and drivers, and the rest, read while the window reads the snapshot.
SECOND_STEP = SLOW_SECTIONS | {"graphics", "gpu", "usbc", "wireless", "suspend"}
FROM_SNAPSHOT = frozenset({"devices", "drivers"})
EARLY = frozenset(SECTIONS) - SECOND_STEP - FROM_SNAPSHOT
EARLY_WAIT_S = 10.0
EARLY_FRESH_S = 10.0  # older than this (the Overview opened much later) and it is read again


class _Early:
    """This machine's sections that need no snapshot, read on a worker while the window's snapshot is read.

    Plain Python across threads: the collection's worker waits on ``done`` and reads ``sections``.
    """

    def __init__(self) -> None:
        self.done = threading.Event()
        self.sections: Sections = {}
        self.started = time.monotonic()

    def run(self) -> None:
        try:
            sections = collect_live(only=EARLY)
            sections.pop("meta", None)
            self.sections = sections
        finally:
            self.done.set()


class OverviewPage(Page):
    page_id = "overview"
    title = N_("Overview")
    order = 10
    description = N_("The machine at a glance: identity and enablement scorecard")

    sections_shown = Signal()  # after a collection has been rendered (tests, screenshots)

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        collect: Callable[[], Sections] | None = None,
        settle_ms: int = HOTPLUG_SETTLE_MS,
        sysfs: Path = Path("/sys"),
    ) -> None:
        super().__init__(parent)
        self._collect_live = collect  # tests hand one in; None: this machine, the slow sections after the rest
        self._sysfs = sysfs  # where the presentation's live tiles read
        self.snapshot: Snapshot | None = None
        self.sections: Sections | None = None
        self.verdicts: list[Verdict] = []
        self.checking: list[Verdict] = []  # checks waiting for a slow section (shown as "Checking…")
        self._generation = 0
        self._slow: Callable[[], Collected] | None = None  # the second part of a collection, when due
        self._dirty = False
        self.collecting = False
        self._collector = RequestCollector(_call, "overview-collector", self, wait_s=15.0)
        self._collector.ready.connect(self._collected)
        self._collector.failed.connect(self._failed)
        self._early: _Early | None = None
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(settle_ms)
        self._settle.timeout.connect(self.refresh)
        self.presentation: PresentationWindow | None = None

        self.heading = QLabel("…")
        f = self.heading.font()
        f.setPointSizeF(f.pointSizeF() * 1.8)
        f.setBold(True)
        self.heading.setFont(f)
        self.heading.setWordWrap(True)
        self.heading.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.subheading = QLabel()
        dim(self.subheading)
        self.refresh_button = QPushButton(_("Refresh"))
        self.refresh_button.setToolTip(_("Read the machine again (also done by itself after hotplug)"))
        self.refresh_button.clicked.connect(self.refresh)
        self.copy_button = QPushButton(_("Copy summary"))
        self.copy_button.setToolTip(_("Copy the identity and the scorecard as plain text, for a chat or an e-mail"))
        self.copy_button.clicked.connect(self.copy_summary)
        self.present_button = QPushButton(_("Presentation (F11)"))
        self.present_button.setToolTip(_("Full screen, large type and live tiles: for a projector"))
        self.present_button.clicked.connect(self.toggle_presentation)
        QShortcut(QKeySequence(Qt.Key.Key_F11), self, self.toggle_presentation)
        self._copied = QTimer(self)
        self._copied.setSingleShot(True)
        self._copied.timeout.connect(lambda: self.copy_button.setText(_("Copy summary")))

        self.status_icon = QLabel()
        self.status_text = QLabel()
        sf = self.status_text.font()
        sf.setPointSizeF(sf.pointSizeF() * 1.15)
        sf.setBold(True)
        self.status_text.setFont(sf)
        self.status_text.setWordWrap(True)

        self.identity_box = QGroupBox(_("Machine"))
        self.identity_form = QFormLayout(self.identity_box)
        self.identity_form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        # Preferred, not Maximum: the box must grow to the height its wrapped values need at the width it gets
        # (a size hint is computed before the width is known; longer translations wrap more).
        self.identity_box.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.scorecard = ScorecardView()
        self.scorecard.max_columns = 3
        self.scorecard.show_message(_("Reading the machine…"))
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self.scorecard)
        score_box = QGroupBox(_("Enablement scorecard"))
        QVBoxLayout(score_box).addWidget(scroll)
        self.notes = QLabel()
        self.notes.setWordWrap(True)
        dim(self.notes)

        top = QHBoxLayout()
        names = QVBoxLayout()
        names.addWidget(self.heading)
        names.addWidget(self.subheading)
        top.addLayout(names, 1)
        for b in (self.refresh_button, self.copy_button, self.present_button):
            top.addWidget(b, 0, Qt.AlignmentFlag.AlignTop)
        status = QHBoxLayout()
        status.addWidget(self.status_icon)
        status.addWidget(self.status_text, 1)
        left = QVBoxLayout()
        left.addWidget(self.identity_box)
        left.addWidget(self.notes)
        left.addStretch(1)
        left_w = QWidget()
        left_w.setLayout(left)
        # Identity and notes scroll when they are taller than the window (long values, long translations):
        # squeezed instead, the form's wrapped values lost their last lines.
        left_scroll = QScrollArea()
        left_scroll.setWidgetResizable(True)
        left_scroll.setFrameShape(QFrame.Shape.NoFrame)
        left_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        left_scroll.setWidget(left_w)
        left_scroll.setAccessibleName(_("Machine identity and notes"))
        left_scroll.setMinimumWidth(300)
        left_scroll.setMaximumWidth(470)
        body = QHBoxLayout()
        body.addWidget(left_scroll, 2)
        body.addWidget(score_box, 5)
        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addLayout(status)
        lay.addLayout(body, 1)

    # --- data flow ---------------------------------------------------------------------------------

    def set_snapshot(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self._settle.stop()
        self.subheading.setText(_subheading(snapshot))
        notes = [localize(n) for n in snapshot.source.notes]
        shown = notes[:4] + ([_("… and {n} more").format(n=len(notes) - 4)] if len(notes) > 4 else [])
        self.notes.setText("\n".join(f"• {n}" for n in shown))
        self.notes.setToolTip("\n".join(notes))
        self._request()

    def apply_hotplug(self, events: Sequence[HotplugEvent], snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        if snapshot.source.is_live:
            self._settle.start()  # restarted by each event: one collection once the burst settles

    def refresh(self) -> None:
        self._settle.stop()
        self._request()

    def _request(self) -> None:
        if self.snapshot is None:
            return
        if not self.isVisible() and self.presentation is None:
            self._dirty = True  # collected when shown: a hidden page costs nothing (and no GL child)
            return
        self._dirty = False
        self._generation += 1
        generation = self._generation
        snapshot = self.snapshot
        self.collecting = True
        self.refresh_button.setEnabled(False)
        self.mark_waiting()
        self._slow = None
        if not snapshot.source.is_live or self._collect_live is not None:
            read = self._collect_live if snapshot.source.is_live else (lambda: sections_from_snapshot(snapshot))
            assert read is not None

            def whole() -> Collected:
                sections = with_source(read(), snapshot)
                return generation, sections, run_scorecard(sections), []

            self._submit(whole)
            return
        # This machine: identity, devices, power, thermal … from the snapshot and a few files first, then
        # OpenGL and Vulkan (child processes), the D-Bus services, sound server and cameras (issue 18: data
        # on screen within 6x a bare window). One worker thread runs the two in order.
        first: dict[str, Sections] = {}
        fast_names = frozenset(SECTIONS) - SECOND_STEP

        early, self._early = self._early, None  # read while the snapshot was: the first collection only
        if early is not None and time.monotonic() - early.started > EARLY_FRESH_S:
            early = None

        def fast() -> Collected:
            if early is not None and early.done.wait(EARLY_WAIT_S) and early.sections:
                sections = {**early.sections, **collect_live(snapshot=snapshot, only=FROM_SNAPSHOT)}
            else:
                sections = collect_live(snapshot=snapshot, only=fast_names)
            first["sections"] = sections
            ready, waiting = run_scorecard_partial(sections, SECOND_STEP)
            return generation, sections, ready, waiting

        def slow() -> Collected:
            sections = {**first.get("sections", {}), **collect_live(snapshot=snapshot, only=SECOND_STEP)}
            return generation, sections, run_scorecard(sections), []

        self._slow = slow  # submitted once the first part is on screen: its imports would slow that render
        self._submit(fast)

    def expect_live(self) -> None:
        """The window is reading this machine: read the sections that need no snapshot meanwhile (identity,
        graphics, power, thermal, CPU, kernel log, suspend), for the first collection to use."""
        if self._collect_live is None and self._early is None and self.sections is None:
            self._early = _Early()
            start_thread(self._early.run, "overview-early")

    def _submit(self, work: Callable[[], Collected]) -> None:
        self._collector.submit(work)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._dirty:
            self._request()

    def _collected(self, result: object, _generation: int = 0) -> None:
        generation, sections, verdicts, checking = cast(Collected, result)
        if generation != self._generation:
            return  # a newer collection is on its way
        if not checking:
            self.collecting = False
            self.refresh_button.setEnabled(True)
        self.show_sections(sections, verdicts, checking)
        slow, self._slow = self._slow, None
        if checking and slow is not None:
            self._submit(slow)

    def _failed(self, message: str, _generation: int = 0) -> None:
        self.collecting = False
        self.refresh_button.setEnabled(True)
        self.scorecard.show_message(_("Could not read the machine: {message}").format(message=message))
        self.mark_shown()

    def show_sections(
        self, sections: Sections, verdicts: list[Verdict] | None = None, checking: Sequence[Verdict] = ()
    ) -> None:
        """Render identity and scorecard (the collection's result, or sections handed in by a test);
        ``checking``: the checks still waiting for slower sections, shown as such."""
        self.sections = sections
        self.verdicts = run_scorecard(sections) if verdicts is None else verdicts
        self.checking = list(checking)
        self.heading.setText(localize(machine_title(sections)))
        while self.identity_form.rowCount():
            self.identity_form.removeRow(0)
        for label, value in self.rows():
            v = QLabel(localize(value))
            v.setWordWrap(True)
            v.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.identity_form.addRow(_("{label}:").format(label=localize(label)), v)
        state = overall(self.verdicts)
        self.status_icon.setPixmap(status_icon(ICON[state]).pixmap(28, 28))
        status = _("Scorecard: {upper} — {counts_text}").format(
            upper=_(WORDS.get(state.value, state.value)), counts_text=localize(counts_text(self.verdicts))
        )
        if self.checking:
            status = _("{status} (checking {n} more…)").format(status=status, n=len(self.checking))
        self.status_text.setText(status)
        self.scorecard.set_cards(cards_of(self.verdicts, self.checking))
        self._update_presentation()
        self.sections_shown.emit()
        self.mark_shown(complete=not self.checking)

    def rows(self) -> list[tuple[str, str]]:
        rows = identity_rows(self.sections or {})
        if self.snapshot is not None:
            in_use = sum(1 for b in self.snapshot.bindings if b.devices)
            rows.append(
                (_("Devices"), _("{n}, {in_use} drivers in use").format(n=len(self.snapshot.devices), in_use=in_use))
            )
        return rows

    # --- summary and presentation ------------------------------------------------------------------

    def summary(self) -> str:
        return summary_text(self.sections or {}, self.verdicts + self.checking)

    def copy_summary(self) -> None:
        if self.sections is None:
            return
        QGuiApplication.clipboard().setText(self.summary())
        self.copy_button.setText(_("Copied ✓"))
        self._copied.start(2000)

    def toggle_presentation(self) -> None:
        if self.presentation is not None and self.presentation.isVisible():
            self.presentation.close()
        else:
            self.open_presentation()

    def open_presentation(self, size: tuple[int, int] | None = None) -> PresentationWindow:
        """Full screen on this window's screen; with ``size``, a plain window of that size (screenshots)."""
        if self.presentation is None:
            from hwinspector.presentation import PresentationWindow

            self.presentation = PresentationWindow(sysfs=self._sysfs)
        self._update_presentation()
        if size is not None:
            self.presentation.resize(*size)
            self.presentation.show()
        else:
            screen = self.screen()
            if screen is not None:
                self.presentation.setGeometry(screen.geometry())
            self.presentation.showFullScreen()
        self.presentation.activateWindow()
        if self._dirty:
            self._request()
        return self.presentation

    def _update_presentation(self) -> None:
        p = self.presentation
        if p is None:
            return
        if self.sections is None:
            p.set_content("…", _("Reading the machine…"), "n/a", "", [], False, "")
            return
        rows = dict(identity_rows(self.sections))
        parts = [
            rows.get("Operating system"),
            rows.get("Kernel"),
            _("Mesa {Mesa}").format(Mesa=rows["Mesa"]) if "Mesa" in rows else None,
        ]
        subtitle = "  ·  ".join(x for x in parts if x and "not in this source" not in x and x != "unknown")
        live = self.snapshot is not None and self.snapshot.source.is_live
        if self.snapshot is not None and self.snapshot.source.is_remote:
            source = _("Remote machine: {host}").format(host=self.snapshot.source.host)
        else:
            source = (
                _("Live machine") if live else _("Captured machine: {Source}").format(Source=rows.get("Source", "?"))
            )
        p.set_content(
            localize(machine_title(self.sections)),
            localize(subtitle or (rows.get("Processor") or "")),
            overall(self.verdicts).value,
            localize(counts_text(self.verdicts)),
            cards_of(self.verdicts),
            live,
            source,
        )

    def shutdown(self) -> None:
        self._settle.stop()
        self._generation += 1
        if self.presentation is not None:
            self.presentation.shutdown()
            self.presentation.close()
        self._collector.shutdown()


def _subheading(snapshot: Snapshot) -> str:
    src = snapshot.source
    if src.is_live:
        return _("Live machine")
    if src.is_remote:
        when = time.strftime("%H:%M:%S", time.localtime(src.taken_at)) if src.taken_at > 0 else _("just now")
        return _("Remote machine {host}, read over ssh at {when}").format(host=src.host, when=when)
    return _("Captured machine, read from {label}: not the live machine").format(label=src.label)
