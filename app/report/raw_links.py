"""Raw artifacts of the USB-C, Thunderbolt and wireless chains: the tools' outputs and the sysfs they read."""

from __future__ import annotations

from pathlib import Path

from hwinspector.report.raw_collectors import RawSpec, dump_attributes


def _cmd(path: str, subsystem: str, *argv: str) -> RawSpec:
    return RawSpec(path, subsystem, " ".join(argv), argv=argv)


TYPEC_GLOBS = (
    "class/typec/*/*",
    "class/typec/*/identity/*",
    "class/usb_power_delivery/*/*",
    "class/usb_power_delivery/*/*/*/*",
    "class/power_supply/ucsi-source-psy-*/*",
)


def link_specs(sysfs: Path) -> list[RawSpec]:
    """USB-C, Thunderbolt and wireless: the tools' own outputs where installed, and the sysfs they read."""
    return [
        _cmd("raw/usbc/boltctl-list.txt", "thunderbolt", "boltctl", "list", "--all"),
        RawSpec(
            "raw/usbc/typec.txt",
            "usbc",
            "Type-C and USB Power Delivery attributes",
            read=lambda: dump_attributes([(sysfs, g) for g in TYPEC_GLOBS]),
            probe=f"{sysfs}/class/{{typec,usb_power_delivery}}/…",
        ),
        RawSpec(
            "raw/usbc/thunderbolt.txt",
            "thunderbolt",
            "Thunderbolt attributes",
            read=lambda: dump_attributes([(sysfs, "bus/thunderbolt/devices/*/*")]),
            probe=f"{sysfs}/bus/thunderbolt/devices/*/*",
        ),
        _cmd("raw/wireless/rfkill.txt", "wireless", "rfkill", "list"),
        _cmd("raw/wireless/iw-reg-get.txt", "wireless", "iw", "reg", "get"),
        _cmd("raw/wireless/iw-dev.txt", "wireless", "iw", "dev"),
        # --timeout: without bluetoothd, bluetoothctl waits for it forever
        _cmd("raw/wireless/bluetoothctl-show.txt", "wireless", "bluetoothctl", "--timeout", "5", "show"),
    ]
