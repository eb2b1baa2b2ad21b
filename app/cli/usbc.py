"""CLI: ``usbc`` prints the USB-C and Thunderbolt chain; ``wireless`` the Wi-Fi and Bluetooth chain."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from hwinspector.i18n import _

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def register(sub: Any) -> None:
    usbc = sub.add_parser(
        "usbc",
        help=_("the USB-C and Thunderbolt chain: ports, partners, alternate modes, power, docks and displays"),
        description=_(
            "Print each Type-C port (roles, partner, cable, alternate modes, Power Delivery objects and "
            "the negotiated contract, what hangs off it) and each Thunderbolt/USB4 domain (security level, devices "
            "and their authorisation, boltd's view). Exit 1 when the chain has problems."
        ),
    )
    wifi = sub.add_parser(
        "wireless",
        help=_("the Wi-Fi and Bluetooth chain: device, driver, firmware, rfkill, interface, regulatory domain, BlueZ"),
        description=_(
            "Print each Wi-Fi phy and Bluetooth controller with its driver, firmware version (kernel log "
            "and ethtool's driver info), rfkill state, interfaces, regulatory domain and BlueZ adapter. "
            "Exit 1 when the chain has problems."
        ),
    )
    for p in (usbc, wifi):
        p.add_argument(
            "--from",
            dest="source",
            metavar="PATH",
            help=_(
                "read an evidence bundle, a udevadm --export-db dump or a umockdev recording instead of this machine"
            ),
        )
        p.add_argument("--json", action="store_true", help=_("machine-readable output"))


def run(args: argparse.Namespace) -> int | None:
    if args.command not in ("usbc", "wireless"):
        return None
    # Imported here: the chain models bring Qt's core library, which the other commands never need.
    from hwinspector.models.link_chain import chain_text
    from hwinspector.models.link_reports import usbc_report, wireless_report
    from hwinspector.probes.machine.snapshot import load_snapshot

    snap = load_snapshot(
        args.source, Path(args.sysfs), Path(args.procfs)
    )  # InputFormatError: exit 2, with its one-line reason
    report = usbc_report(snap) if args.command == "usbc" else wireless_report(snap)
    if args.json:
        doc = {
            "source": snap.source.to_json(),
            "unavailable": report.unavailable,
            "chain": report.data.to_json(),  # type: ignore[attr-defined]
            "problems": [{"severity": i.severity, "text": i.text} for i in report.problems],
        }
        json.dump(doc, sys.stdout, indent=1, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(chain_text(report))
    return EXIT_PROBLEMS if report.problems else EXIT_OK
