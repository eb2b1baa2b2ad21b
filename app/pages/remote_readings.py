"""The Power and Thermal pages' poller: this machine's, or one that reads a remote machine over its ssh link."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

from hwinspector.collectors.sensors import SensorPoller, Source
from hwinspector.i18n import _
from hwinspector.probes.machine.snapshot import Snapshot

if TYPE_CHECKING:
    from hwinspector.probes.remote.client import RemoteLink


class PollerSwitch:
    """Which machine a page's readings come from. Only the current poller's readings reach the page: a
    poller replaced while a read over a slow link was in flight cannot show that machine afterwards."""

    def __init__(
        self,
        owner: QObject,
        own: SensorPoller,
        show: Callable[[object], None],
        remote_source: Callable[[RemoteLink], Source],
        name: str,
    ) -> None:
        self._owner = owner
        self._show = show
        self._remote_source = remote_source
        self._name = name
        self.own = own
        self.current = own
        self.link: RemoteLink | None = None
        own.reading.connect(lambda r: self._deliver(own, r))

    def _deliver(self, poller: SensorPoller, reading: object) -> None:
        if poller is self.current:
            self._show(reading)

    def set_link(self, link: RemoteLink | None) -> bool:
        """Read over ``link`` (None: not over a link); whether that changed anything. A target without
        hwinspector (a temporary python3 agent) has no sensor readings: its link counts as none."""
        if link is not None and "sensors" not in link.capabilities:
            link = None
        if link is self.link:
            return False
        old, self.link = self.current, link
        if link is None:
            self.current = self.own
        else:
            poller = SensorPoller(self._remote_source(link), self._name, self._owner)
            poller.reading.connect(lambda r, p=poller: self._deliver(p, r))
            self.current = poller
        if old is not self.own:
            old.shutdown()
            if not old.running():
                old.deleteLater()
        return True

    def shutdown(self) -> None:
        self.own.shutdown()
        if self.current is not self.own:
            self.current.shutdown()

    def reads(self, snapshot: Snapshot) -> bool:
        """Whether this snapshot's machine is read live: this machine, or the remote one over a link."""
        return snapshot.source.is_live or (snapshot.source.is_remote and self.link is not None)


def link_down_text(snapshot: Snapshot, page: str) -> str:
    """Why a remote machine's readings are not shown on ``page`` ("power", "thermal"): its link is down."""
    text = (
        _(
            "The power readings of {host} are read over the ssh link, which is down now; they resume when it "
            "is back.\n\nFile → Show live machine (Ctrl+L) shows this machine's readings."
        )
        if page == "power"
        else _(
            "The sensor readings of {host} are read over the ssh link, which is down now; they resume when it "
            "is back.\n\nFile → Show live machine (Ctrl+L) shows this machine's readings."
        )
    )
    return text.format(host=snapshot.source.host)
