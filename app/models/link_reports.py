"""The USB-C/Thunderbolt and wireless chains of a snapshot as reports the pages and the CLI show (Qt-free)."""

from __future__ import annotations

import time
from typing import Any

from hwinspector.i18n import N_, _
from hwinspector.models.link_chain import ChainReport, picture
from hwinspector.models.usbc import build_usbc_picture
from hwinspector.models.wireless import build_wireless_picture
from hwinspector.probes.machine.chains import usbc_for, wireless_for
from hwinspector.probes.machine.snapshot import Snapshot

USBC_TITLE = N_("USB-C and Thunderbolt")
WIRELESS_TITLE = N_("Wireless")


def usbc_report(snap: Snapshot, **live: Any) -> ChainReport:
    chain = usbc_for(snap, **live)
    unavailable = None
    if not chain.ports and not chain.domains and not chain.orphan_controllers:
        unavailable = _("No USB-C port (/sys/class/typec) and no Thunderbolt/USB4 controller in {where}").format(
            where=_("this machine") if snap.source.is_live else snap.source.label
        )
    pic = build_usbc_picture(chain) if unavailable is None else picture([], "")
    return ChainReport(USBC_TITLE, snap.source.label, snap.source.is_live, pic, chain, unavailable, _taken(snap))


def wireless_report(snap: Snapshot, **live: Any) -> ChainReport:
    chain = wireless_for(snap, **live)
    unavailable = None
    if not chain.wifi and not chain.bluetooth:
        unavailable = _("No Wi-Fi (ieee80211) or Bluetooth (hci) device in {where}").format(
            where=_("this machine") if snap.source.is_live else snap.source.label
        )
    pic = build_wireless_picture(chain) if unavailable is None else picture([], "")
    return ChainReport(WIRELESS_TITLE, snap.source.label, snap.source.is_live, pic, chain, unavailable, _taken(snap))


def _taken(snap: Snapshot) -> float:
    return time.time() if snap.source.is_live else snap.source.taken_at
