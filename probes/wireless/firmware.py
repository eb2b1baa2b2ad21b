"""What the kernel log says about wireless firmware and regulation: versions, failed loads, the regulatory domain.

Each driver logs its firmware in its own words; the patterns below are the lines of the drivers as they
print them (iwlwifi's iwl-drv.c, ath10k/ath11k/ath12k core.c, rtw88/rtw89 fw.c, mt76 mt7921/mt792x,
brcmfmac common.c; btintel.c, btrtl.c, btbcm.c, btmtk.c, btqca.c) and net/wireless/reg.c for the
regulatory domain.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from hwinspector.probes.kernel_log import LogLine, find_firmware_failures

# "<driver> <bus id>: <message>" as dev_info() prints it.
_DEV_LINE = re.compile(r"^(?P<drv>[\w.-]+) (?P<dev>\S+?)(?: (?P<ifname>\w+))?: (?P<msg>.*)$")
_WIFI_FW = (
    re.compile(r"loaded firmware version (?P<v>\S+)"),  # iwlwifi
    re.compile(r"firmware ver (?P<v>\S+)"),  # ath10k
    re.compile(r"fw_version (?P<v>0x[0-9a-f]+)"),  # ath11k, ath12k
    re.compile(r"[Ff]irmware version (?P<v>[\d.]+)"),  # rtw88, rtw89
    re.compile(r"WM Firmware Version: (?P<v>\S+), Build Time: (?P<b>\S+)"),  # mt7921, mt7922
    re.compile(r"HW/SW Version: (?P<v>\S+), Build Time: (?P<b>\S+)"),  # mt76 ROM patch
)
# brcmfmac names no device: "brcmfmac: brcmf_c_preinit_dcmds: Firmware: BCM4345/6 wl0: … version 7.45.241 …"
_BRCM = re.compile(r"^brcmfmac: \S+: Firmware: (?P<chip>\S+) .*version (?P<v>\S+)")
_HCI = re.compile(r"^Bluetooth: (?P<hci>hci\d+): (?P<msg>.*)$")
_BT_FW = (
    re.compile(r"^Firmware revision (?P<v>.*)$"),  # btintel (legacy)
    re.compile(r"^Firmware timestamp (?P<v>.*)$"),  # btintel (TLV)
    re.compile(r"^Intel device is already patched\. patch num: (?P<v>\S+)"),
    re.compile(r"^Found device firmware: (?P<v>\S+)"),  # btintel
    re.compile(r"^RTL: fw version (?P<v>\S+)"),  # btrtl
    re.compile(r"^RTL: loading (?P<v>\S+)"),
    re.compile(r"^(?P<v>BCM\w* \([\d.]+\) build \d+)"),  # btbcm
    re.compile(r"^BCM: chip id (?P<v>.*)$"),
    re.compile(r"^(?:HW/SW Version|Device setup).*?(?P<v>0x[0-9a-f]+|\S+ \(\S+\))"),  # btmtk
    re.compile(r"^QCA (?:Patch|Product|SOC|ROM) Version:?\s*(?P<v>\S+)"),  # btqca
)
_BT_FAIL = re.compile(
    r"(Patch \S+ not found|[Ff]ailed to (?:load|download|open) .*firmware.*|[Ff]irmware.*(?:failed|not found)|"
    r"setup failed|[Rr]eading Intel version information failed|[Dd]evice is not responding)"
)
_REGDOM = re.compile(
    r"^cfg80211: (?:Regulatory domain changed to country: (?P<cc>\w\w)|Calling CRDA for country: (?P<crda>\w\w))"
)
_REGDB = re.compile(
    r"^cfg80211: (?P<msg>failed to load regulatory\.db|.*regulatory\.db.*(?:fail|invalid).*)", re.IGNORECASE
)


@dataclass(frozen=True, slots=True)
class FirmwareNote:
    device: str  # the bus id the driver logged ("0000:03:00.0") or the hci name
    driver: str | None
    version: str | None
    message: str
    failed: bool = False


@dataclass(frozen=True, slots=True)
class RegulatoryLog:
    country: str | None  # the last "changed to country" the kernel logged
    regdb_error: str | None


def wifi_firmware(lines: Sequence[LogLine]) -> list[FirmwareNote]:
    """Version lines of Wi-Fi drivers and every failed firmware load, in log order."""
    out: list[FirmwareNote] = []
    for line in lines:
        msg = line.message
        if (b := _BRCM.match(msg)) is not None:
            out.append(FirmwareNote("brcmfmac", "brcmfmac", f"{b['chip']} {b['v']}", msg))
            continue
        m = _DEV_LINE.match(msg)
        if m is None:
            continue
        for pat in _WIFI_FW:
            v = pat.search(m["msg"])
            if v is not None:
                out.append(FirmwareNote(m["dev"], m["drv"], v["v"], msg))
                break
    out += [FirmwareNote(f.device, f.driver, None, f.message, True) for f in find_firmware_failures(list(lines))]
    return out


def bluetooth_firmware(lines: Sequence[LogLine]) -> list[FirmwareNote]:
    """What btusb's vendor helpers log per hci: chip, firmware, patch; and failures."""
    out: list[FirmwareNote] = []
    for line in lines:
        m = _HCI.match(line.message)
        if m is None:
            # "bluetooth hci0: Direct firmware load for brcm/BCM.hcd failed with error -2"
            if line.message.startswith("bluetooth hci") and "firmware" in line.message.lower():
                hci = line.message.split()[1].rstrip(":")
                out.append(FirmwareNote(hci, None, None, line.message, True))
            continue
        msg = m["msg"]
        if _BT_FAIL.search(msg):
            out.append(FirmwareNote(m["hci"], None, None, line.message, True))
            continue
        for pat in _BT_FW:
            v = pat.search(msg)
            if v is not None:
                out.append(FirmwareNote(m["hci"], None, v["v"].strip(), line.message))
                break
    return out


def regulatory_from_log(lines: Sequence[LogLine]) -> RegulatoryLog:
    country = None
    err = None
    for line in lines:
        m = _REGDOM.match(line.message)
        if m is not None:
            country = m["cc"] or m["crda"]
        e = _REGDB.match(line.message)
        if e is not None:
            err = e["msg"]
    return RegulatoryLog(country, err)
