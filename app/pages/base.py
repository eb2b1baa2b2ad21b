"""What every page provides; the main window knows pages only through this."""

from __future__ import annotations

import enum
import time
from collections.abc import Callable, Sequence
from typing import ClassVar

from PySide6.QtCore import QCoreApplication, QEventLoop, Signal
from PySide6.QtWidgets import QLabel, QWidget

from hwinspector.i18n import _
from hwinspector.probes.devices.hotplug import HotplugEvent
from hwinspector.probes.machine.snapshot import Snapshot
from hwinspector.widgets import dim


class DataState(enum.IntEnum):
    """How much of what a page was given is on screen (its data, or why there is none)."""

    WAITING = 0  # nothing yet: "Reading the machine…" and the like
    PARTIAL = 1  # a first part is shown, slower parts are on their way (shown progressively)
    COMPLETE = 2  # everything this source gives is on screen; nothing more is coming until it changes


class Page(QWidget):
    """A page of the main window. Subclasses set the class attributes and override what they need.

    Adding a page is adding one module to ``hwinspector.pages`` that defines a Page subclass.
    """

    page_id: ClassVar[str] = ""  # used by --page NAME
    title: ClassVar[str] = ""
    order: ClassVar[int] = 100  # position in the sidebar
    description: ClassVar[str] = ""
    # True: apply_hotplug on every batch even while hidden (the page keeps a running record).
    # False: a hidden page is re-rendered with set_snapshot when it is shown next.
    follows_hotplug: ClassVar[bool] = False

    # Ask the main window to show another page and select something there (page_id, devpath).
    navigate = Signal(str, str)
    # The page's one notion of "my data (or my error) is on screen", emitted each time it has rendered
    # what it was given: False while slower parts are still coming, True once it is complete. Screenshots
    # wait for it (issue 18: a screenshot caught "Reading the machine…"), the start-up benchmark times it.
    data_shown = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._data_state = DataState.WAITING

    @property
    def data_state(self) -> DataState:
        return self._data_state

    def settled(self) -> bool:
        """Whether a picture of the page now shows everything its source gives."""
        return self._data_state is DataState.COMPLETE

    def mark_waiting(self) -> None:
        """A new read is on its way: what is on screen is no longer what the page was last given."""
        self._data_state = DataState.WAITING

    def mark_shown(self, *, complete: bool = True) -> None:
        """The page has rendered its data or its error; ``complete=False``: more is on its way."""
        self._data_state = DataState.COMPLETE if complete else DataState.PARTIAL
        self.data_shown.emit(complete)

    def set_snapshot(self, snapshot: Snapshot) -> None:
        """Show this snapshot (called on the GUI thread with an immutable object)."""

    def apply_hotplug(self, events: Sequence[HotplugEvent], snapshot: Snapshot) -> None:
        """Fold live device changes in; the default re-renders from the updated snapshot."""
        self.set_snapshot(snapshot)

    def set_filter(self, text: str) -> None:
        """Filter what the page lists by the search field's text."""

    def select_path(self, path: str) -> None:
        """Select the device with this devpath, where the page lists devices."""

    def shutdown(self) -> None:
        """Stop the page's background work (threads, timers); the main window calls it once, on close."""


def run_until(done: Callable[[], bool], timeout_s: float) -> bool:
    """Run the GUI thread's events until ``done()`` or the timeout (offscreen renders); whether it was done."""
    deadline = time.monotonic() + timeout_s
    while not done():
        if time.monotonic() >= deadline:
            return False
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        time.sleep(0.005)
    return True


def wait_for_data(page: Page, timeout_s: float) -> bool:
    """Until the page says its data (or its error) is on screen, completely; whether it did in time."""
    return run_until(lambda: page.data_state is DataState.COMPLETE, timeout_s)


def empty_state(text: str) -> QLabel:
    """A centred, wrapped explanation shown where a page has nothing to list."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setMargin(24)
    dim(label)
    return label


def not_live_text(snapshot: Snapshot, what: str, devices: str, readings: str, extra: str = "") -> str:
    """Why a page of live readings is empty for a udevadm dump or a umockdev file, and what to do.

    ``what``: "Power supplies"; ``devices``: "power_supply and powercap"; ``readings``: the sentence's
    middle, e.g. "battery, adapter and processor power are".
    """
    src = snapshot.source
    how = (
        _("A udevadm dump names the {devices} devices but holds none of their readings.").format(devices=devices)
        if src.kind == "udevadm"
        else _("To see this recording as a live machine, run: umockdev-run -d {label} -- hwinspector").format(
            label=src.label
        )
    )
    return (
        _(
            "{what} are not part of a {kind} dump: {readings} read live from the machine's /sys, and "
            "{label} comes from another machine.\n\n{how}\n\n"
        ).format(what=what, kind=src.kind, readings=readings, label=src.label, how=how)
        + (f"{extra}\n\n" if extra else "")
        + _("File → Show live machine (Ctrl+L) shows this machine's readings.")
    )
