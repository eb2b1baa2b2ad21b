"""What every page provides; the main window knows pages only through this."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QLabel, QWidget

from hwinspector.i18n import _
from hwinspector.probes.devices.hotplug import HotplugEvent
from hwinspector.probes.machine.snapshot import Snapshot
from hwinspector.widgets import dim


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
