"""What the main window says about the source it shows: its title and the status line."""

from __future__ import annotations

from PySide6.QtGui import QGuiApplication

from hwinspector.i18n import _
from hwinspector.probes.machine.snapshot import Snapshot


def window_title(snapshot: Snapshot | None) -> str:
    """What the window is showing, then the application's name.

    Qt's xcb and wayland plugins append the application display name to a title that does not already
    end with it; ending with it ourselves gives one name on every platform (it was "Hardware Inspector —
    live machine — Hardware Inspector").
    """
    # the display name the application set (translated): the one Qt compares the title with; without one
    # (it then reads as the application's name) Qt appends nothing, and the title names us itself
    name = _("Hardware Inspector")
    if QGuiApplication.applicationDisplayName() != QGuiApplication.applicationName():
        name = QGuiApplication.applicationDisplayName()
    if snapshot is None:
        return name
    src = snapshot.source
    if src.is_live:
        what = _("live machine")
    elif src.is_remote:
        what = _("{host} (remote machine)").format(host=src.host)
    else:
        what = src.label
    return f"{what} — {name}"


def source_description(snapshot: Snapshot) -> str:
    src = snapshot.source
    if src.is_live:
        return _("Source: live machine")
    if src.kind == "bundle":
        return _("Source: {label} (evidence bundle)").format(label=src.label)
    return _("Source: {label} ({kind} dump)").format(label=src.label, kind=src.kind)
