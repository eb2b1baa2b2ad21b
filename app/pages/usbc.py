"""USB-C and Thunderbolt page: each Type-C port and Thunderbolt domain as one chain, problems in place."""

from __future__ import annotations

from hwinspector.i18n import N_
from hwinspector.models.link_chain import ChainReport
from hwinspector.models.link_reports import usbc_report
from hwinspector.pages.link_chain import LinkChainPage
from hwinspector.probes.machine.snapshot import Snapshot


class UsbcPage(LinkChainPage):
    page_id = "usbc"
    title = "USB-C"
    order = 44
    description = N_(
        "Each USB-C port: roles, partner, cable, alternate modes, power contract, what hangs off it; Thunderbolt"
    )
    subsystems = frozenset({"typec", "thunderbolt", "usb_power_delivery", "power_supply", "drm"})

    def read_report(self, snapshot: Snapshot) -> ChainReport:
        return usbc_report(snapshot)
