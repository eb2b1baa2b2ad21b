"""The USB-C/Thunderbolt and wireless chains of a snapshot as reports for the pages and the CLI."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

from hwinspector.models.link_chain import ChainReport, picture
from hwinspector.models.usbc import build_usbc_picture
from hwinspector.models.wireless import build_wireless_picture
from hwinspector.probes.machine.chains import usbc_for, wireless_for
from hwinspector.probes.machine.snapshot import Snapshot

USBC_TITLE = "USB-C and Thunderbolt"
WIRELESS_TITLE = "Wireless"


def usbc_report(snap: Snapshot, **live: Any) -> ChainReport:
    chain = usbc_for(snap, **live)
    unavailable = None
    if not chain.ports and not chain.domains and not chain.orphan_controllers:
        unavailable = "No USB-C port (/sys/class/typec) and no Thunderbolt/USB4 controller in " + (
            "this machine" if snap.source.is_live else snap.source.label
        )
    pic = build_usbc_picture(chain) if unavailable is None else picture([], "")
    return ChainReport(USBC_TITLE, snap.source.label, snap.source.is_live, pic, chain, unavailable, _taken(snap))


def wireless_report(snap: Snapshot, **live: Any) -> ChainReport:
    chain = wireless_for(snap, **live)
    unavailable = None
    if not chain.wifi and not chain.bluetooth:
        unavailable = "No Wi-Fi (ieee80211) or Bluetooth (hci) device in " + (
            "this machine" if snap.source.is_live else snap.source.label
        )
    pic = build_wireless_picture(chain) if unavailable is None else picture([], "")
    return ChainReport(WIRELESS_TITLE, snap.source.label, snap.source.is_live, pic, chain, unavailable, _taken(snap))


def _taken(snap: Snapshot) -> float:
    return time.time() if snap.source.is_live else snap.source.taken_at


class _Worker(QObject):
    done = Signal(object, int)
    failed = Signal(str, int)

    @Slot(object, int)
    def work(self, fn: object, generation: int) -> None:
        assert callable(fn)
        try:
            self.done.emit(fn(), generation)
        except Exception as exc:  # a probe bug becomes the page's message, never a dead thread
            self.failed.emit(f"{type(exc).__name__}: {exc}", generation)


class ChainCollector(QObject):
    """Reads a chain on its own thread (the live read may wait on D-Bus); the newest request wins."""

    report_ready = Signal(object, int)
    failed = Signal(str, int)
    _submit = Signal(object, int)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread = QThread(self)
        self._worker = _Worker()
        self._worker.moveToThread(self._thread)
        self._submit.connect(self._worker.work)
        self._worker.done.connect(self._done)
        self._worker.failed.connect(self.failed)
        self._thread.start()
        self.generation = 0
        self.busy = False

    def read(self, fn: Callable[[], ChainReport]) -> int:
        self.generation += 1
        self.busy = True
        self._submit.emit(fn, self.generation)
        return self.generation

    def _done(self, report: object, generation: int) -> None:
        if generation == self.generation:
            self.busy = False
        self.report_ready.emit(report, generation)

    def shutdown(self) -> None:
        self._thread.quit()
        self._thread.wait(10_000)
