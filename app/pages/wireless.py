"""Wireless page: each Wi-Fi phy and Bluetooth controller as one chain, from the device to what the desktop sees."""

from __future__ import annotations

from hwinspector.i18n import N_
from hwinspector.models.link_chain import ChainReport
from hwinspector.models.link_reports import wireless_report
from hwinspector.pages.link_chain import LinkChainPage
from hwinspector.probes.machine.snapshot import Snapshot


class WirelessPage(LinkChainPage):
    page_id = "wireless"
    title = N_("Wireless")
    order = 46
    description = N_(
        "Wi-Fi and Bluetooth: device, driver, firmware, rfkill, interface or BlueZ adapter, regulatory domain"
    )
    subsystems = frozenset({"ieee80211", "net", "bluetooth", "rfkill"})

    def read_report(self, snapshot: Snapshot) -> ChainReport:
        return wireless_report(snapshot)
