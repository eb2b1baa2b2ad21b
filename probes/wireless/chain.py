"""The wireless chain: radio hardware → driver and firmware → phy or hci → rfkill → interface or BlueZ adapter."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from hwinspector.i18n import N_
from hwinspector.probes.devices.tree import Device
from hwinspector.probes.kernel_log import LogLine
from hwinspector.probes.problems import Problem
from hwinspector.probes.wireless.bluez import BluezAdapter, BluezInfo
from hwinspector.probes.wireless.ethtool import DriverInfo
from hwinspector.probes.wireless.firmware import (
    FirmwareNote,
    RegulatoryLog,
    bluetooth_firmware,
    regulatory_from_log,
    wifi_firmware,
)
from hwinspector.probes.wireless.radios import (
    BluetoothRadio,
    Rfkill,
    WifiRadio,
    list_bluetooth,
    list_rfkill,
    list_wifi,
    platform_switches,
)

_IW_COUNTRY = re.compile(r"^country (\w\w|\d\d):")
_IW_PHY = re.compile(r"^phy#(\d+)")
WORLD = "00"


@dataclass(frozen=True, slots=True)
class Regulatory:
    country: str | None  # what cfg80211 uses now ("00" is the restrictive world domain)
    source: str  # where the value comes from
    default: str | None  # cfg80211's ieee80211_regdom module parameter
    per_phy: Mapping[str, str] = field(default_factory=dict)  # self-managed phys (iwlwifi LAR, …)
    regdb_error: str | None = None


@dataclass(frozen=True, slots=True)
class WirelessChain:
    wifi: tuple[WifiRadio, ...]
    bluetooth: tuple[BluetoothRadio, ...]
    switches: tuple[Rfkill, ...]  # platform rfkill switches
    firmware: Mapping[str, tuple[FirmwareNote, ...]]  # radio devpath -> its firmware notes
    driver_info: Mapping[str, DriverInfo]  # interface -> ethtool's view
    regulatory: Regulatory | None
    bluez: BluezInfo | None
    problems: tuple[Problem, ...]
    notes: tuple[str, ...]
    source: str = "live"

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "wifi": [asdict(r) for r in self.wifi],
            "bluetooth": [asdict(r) for r in self.bluetooth],
            "switches": [asdict(s) for s in self.switches],
            "firmware": {k: [asdict(n) for n in v] for k, v in self.firmware.items()},
            "driver_info": {k: asdict(v) for k, v in self.driver_info.items()},
            "regulatory": asdict(self.regulatory) if self.regulatory else None,
            "bluez": asdict(self.bluez) if self.bluez else None,
            "problems": [asdict(p) for p in self.problems],
            "notes": list(self.notes),
        }


def parse_iw_reg(text: str) -> tuple[str | None, dict[str, str]]:
    """``iw reg get``: the global country and each self-managed phy's own ("phy#0 (self-managed)")."""
    current: str | None = "global"
    glob: str | None = None
    phys: dict[str, str] = {}
    for line in text.splitlines():
        if line.startswith("global"):
            current = "global"
        elif m := _IW_PHY.match(line):
            current = f"phy{m[1]}"
        elif m := _IW_COUNTRY.match(line):
            if current == "global":
                glob = m[1]
            elif current:
                phys[current] = m[1]
    return glob, phys


def run_iw_reg(timeout_s: float = 3.0) -> str | None:
    """``iw reg get`` where iw is installed (nl80211; no root needed); None otherwise."""
    iw = shutil.which("iw") or next((p for p in ("/usr/sbin/iw", "/sbin/iw") if Path(p).exists()), None)
    if iw is None:
        return None
    try:
        res = subprocess.run(
            [iw, "reg", "get"], capture_output=True, text=True, timeout=timeout_s, env={"LC_ALL": "C"}, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return res.stdout if res.returncode == 0 else None


def read_regdom_default(sysfs: Path = Path("/sys")) -> str | None:
    try:
        return (sysfs / "module" / "cfg80211" / "parameters" / "ieee80211_regdom").read_text().strip() or None
    except OSError:
        return None


def regulatory(log: RegulatoryLog | None, default: str | None, iw_text: str | None) -> Regulatory | None:
    glob, phys = parse_iw_reg(iw_text) if iw_text else (None, {})
    if glob is not None:
        return Regulatory(glob, N_("iw reg get"), default, phys, log.regdb_error if log else None)
    if log is not None and log.country is not None:
        return Regulatory(log.country, N_("kernel log"), default, {}, log.regdb_error)
    if default is not None:
        return Regulatory(
            default, N_("cfg80211 default (module parameter)"), default, {}, log.regdb_error if log else None
        )
    return None


def _notes_for(
    address: str | None, hci: str | None, notes: Sequence[FirmwareNote], driver: str | None
) -> tuple[FirmwareNote, ...]:
    out = []
    for n in notes:
        if (
            (address and n.device == address)
            or (hci and n.device == hci)
            or (n.device == "brcmfmac" and driver == "brcmfmac")
        ):
            out.append(n)
    return tuple(out)


def assemble_wireless(
    devices: Sequence[Device],
    *,
    kernel_log: Sequence[LogLine] | None = None,
    driver_info: Callable[[str], DriverInfo] | None = None,
    regdom_default: str | None = None,
    iw_reg: str | None = None,
    bluez: BluezInfo | None = None,
    source: str = "live",
) -> WirelessChain:
    rf = list_rfkill(devices)
    wifi = list_wifi(devices, rf)
    bt = list_bluetooth(devices, rf)
    switches = platform_switches(rf)
    wnotes = wifi_firmware(kernel_log or ())
    bnotes = bluetooth_firmware(kernel_log or ())
    firmware: dict[str, tuple[FirmwareNote, ...]] = {}
    for w in wifi:
        hw = w.hardware
        firmware[w.devpath] = _notes_for(hw.address if hw else None, None, wnotes, hw.driver if hw else None)
    for b in bt:
        hw = b.hardware
        firmware[b.devpath] = _notes_for(hw.address if hw else None, b.hci, bnotes, None)
    infos: dict[str, DriverInfo] = {}
    if driver_info is not None:
        for w in wifi:
            for i in w.interfaces:
                try:
                    infos[i.name] = driver_info(i.name)
                except OSError:
                    continue  # gone, or the driver does not answer ETHTOOL_GDRVINFO
    reg = (
        regulatory(regulatory_from_log(kernel_log) if kernel_log is not None else None, regdom_default, iw_reg)
        if wifi
        else None
    )
    problems = _problems(wifi, bt, switches, firmware, infos, reg, bluez)
    notes = []
    if kernel_log is None:
        notes.append(
            N_("no kernel log readable here (dmesg_restrict): firmware versions and failures are unknown; run as root")
            if source == "live"
            else N_("no kernel log in this source: firmware versions and failures are unknown")
        )
    return WirelessChain(
        tuple(wifi), tuple(bt), tuple(switches), firmware, infos, reg, bluez, tuple(problems), tuple(notes), source
    )


def firmware_version(chain: WirelessChain, devpath: str, interfaces: Sequence[str] = ()) -> str | None:
    """ethtool's firmware-version first (what the driver runs now), else the last version the log shows."""
    for name in interfaces:
        info = chain.driver_info.get(name)
        if info is not None and info.firmware_version:
            return info.firmware_version
    versions = [n.version for n in chain.firmware.get(devpath, ()) if n.version and not n.failed]
    return versions[-1] if versions else None


def _switch_problems(kind: str, switches: Sequence[Rfkill], subject: str) -> list[Problem]:
    out = []
    for s in switches:
        if s.type not in (kind, "all"):
            continue
        if s.hard:
            out.append(
                Problem(
                    "error",
                    subject,
                    N_("{label}: hard-blocked by the laptop's switch or firmware").format(label=s.label or s.name),
                )
            )
        elif s.soft:
            out.append(
                Problem(
                    "warning",
                    subject,
                    N_("{label}: soft-blocked (airplane mode or rfkill block)").format(label=s.label or s.name),
                )
            )
    return out


def _problems(
    wifi: Sequence[WifiRadio],
    bt: Sequence[BluetoothRadio],
    switches: Sequence[Rfkill],
    firmware: Mapping[str, tuple[FirmwareNote, ...]],
    infos: Mapping[str, DriverInfo],
    reg: Regulatory | None,
    bluez: BluezInfo | None,
) -> list[Problem]:
    out: list[Problem] = []
    for w in wifi:
        subj = w.phy or (w.interfaces[0].name if w.interfaces else w.devpath)
        if w.hardware is not None and w.hardware.driver is None:
            out.append(Problem("error", subj, N_("{address} has no driver").format(address=w.hardware.address)))
        out += [
            Problem("error", subj, N_("firmware failed to load: {message}").format(message=n.message))
            for n in firmware.get(w.devpath, ())
            if n.failed
        ]
        for r in w.rfkill:
            if r.hard:
                out.append(Problem("error", subj, N_("radio hard-blocked (hardware switch or firmware)")))
            elif r.soft:
                out.append(Problem("warning", subj, N_("radio soft-blocked (airplane mode or rfkill block)")))
        out += _switch_problems("wlan", switches, subj)
        if w.phy and not w.interfaces:
            out.append(Problem("error", subj, N_("the phy registered no network interface")))
    if reg is not None and reg.country == WORLD and not reg.per_phy and wifi:
        out.append(
            Problem(
                "info",
                "regulatory",
                N_("world regulatory domain (00): channels 12 to 14 and 5 GHz may be passive-only"),
            )
        )
    if reg is not None and reg.regdb_error:
        out.append(Problem("warning", "regulatory", reg.regdb_error))
    for b in bt:
        if b.hardware is not None and b.hardware.driver is None:
            out.append(Problem("error", b.hci, N_("{address} has no driver").format(address=b.hardware.address)))
        out += [Problem("error", b.hci, f"firmware: {n.message}") for n in firmware.get(b.devpath, ()) if n.failed]
        for r in b.rfkill:
            if r.hard:
                out.append(Problem("error", b.hci, N_("radio hard-blocked (hardware switch or firmware)")))
            elif r.soft:
                out.append(Problem("warning", b.hci, N_("radio soft-blocked (airplane mode or rfkill block)")))
        out += _switch_problems("bluetooth", switches, b.hci)
        if bluez is not None and bluez.running:
            a = bluez.adapter(b.hci)
            if a is None:
                out.append(Problem("error", b.hci, N_("BlueZ has no adapter for it: the desktop cannot use it")))
            elif a.powered is False:
                out.append(
                    Problem(
                        "warning",
                        b.hci,
                        N_("BlueZ adapter is powered off ({power_state})").format(power_state=a.power_state or "off"),
                    )
                )
    return out


@dataclass(frozen=True, slots=True)
class WirelessInputs:
    """What the chain needs besides the device list; stored in bundles so --from rebuilds the same chain."""

    kernel_lines: tuple[str, ...] | None = None  # Wi-Fi, Bluetooth and cfg80211 lines of the kernel log
    driver_info: Mapping[str, DriverInfo] = field(default_factory=dict)
    regdom_default: str | None = None
    iw_reg: str | None = None
    bluez: BluezInfo | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "kernel_lines": list(self.kernel_lines) if self.kernel_lines is not None else None,
            "driver_info": {k: asdict(v) for k, v in self.driver_info.items()},
            "regdom_default": self.regdom_default,
            "iw_reg": self.iw_reg,
            "bluez": asdict(self.bluez) if self.bluez else None,
        }

    @classmethod
    def from_json(cls, doc: Any) -> WirelessInputs:
        """Tolerant of anything: a field of the wrong type is dropped, never trusted."""
        if not isinstance(doc, dict):
            return cls()
        lines = doc.get("kernel_lines")
        infos = {}
        raw = doc.get("driver_info")
        for name, d in raw.items() if isinstance(raw, dict) else ():
            if isinstance(name, str) and isinstance(d, dict) and isinstance(d.get("driver"), str):
                infos[name] = DriverInfo(
                    name, d["driver"], _s(d.get("version")) or "", _s(d.get("firmware_version")), _s(d.get("bus_info"))
                )
        return cls(
            tuple(x for x in lines if isinstance(x, str)) if isinstance(lines, list) else None,
            infos,
            _s(doc.get("regdom_default")),
            _s(doc.get("iw_reg")),
            bluez_from_json(doc.get("bluez")),
        )


def _s(v: Any) -> str | None:
    return v if isinstance(v, str) else None


def bluez_from_json(doc: Any) -> BluezInfo | None:
    if not isinstance(doc, dict):
        return None
    adapters = []
    listed = doc.get("adapters")
    for a in listed if isinstance(listed, list) else []:
        if not isinstance(a, dict) or not isinstance(a.get("name"), str):
            continue
        powered, disc, n = a.get("powered"), a.get("discoverable"), a.get("devices")
        adapters.append(
            BluezAdapter(
                a["name"], _s(a.get("path")) or "", _s(a.get("address")), _s(a.get("alias")),
                powered if isinstance(powered, bool) else None, _s(a.get("power_state")),
                disc if isinstance(disc, bool) else None, n if isinstance(n, int) and not isinstance(n, bool) else 0,
            )
        )  # fmt: skip
    return BluezInfo(bool(doc.get("running")), _s(doc.get("reason")), tuple(adapters))


_WIRELESS_LOG = re.compile(
    r"^(Bluetooth: |bluetooth hci|cfg80211: |brcmfmac|iwlwifi |ath\d+k|rtw|mt7|mt76|b43|wl |rtl8|btusb|btintel|btrtl)"
)


def wireless_log_lines(lines: Sequence[LogLine]) -> tuple[str, ...]:
    """The lines the chain reads, plus failed firmware loads of any driver (matched to devices later)."""
    return tuple(x.message for x in lines if _WIRELESS_LOG.match(x.message) or "firmware load for" in x.message.lower())


def wireless_from_inputs(devices: Sequence[Device], inputs: WirelessInputs, source: str) -> WirelessChain:
    log = [LogLine(6, None, m) for m in inputs.kernel_lines] if inputs.kernel_lines is not None else None
    infos = dict(inputs.driver_info)

    def known(name: str) -> DriverInfo:
        if name in infos:
            return infos[name]
        raise OSError(19, N_("not recorded"))

    return assemble_wireless(
        devices, kernel_log=log, driver_info=known, regdom_default=inputs.regdom_default, iw_reg=inputs.iw_reg,
        bluez=inputs.bluez, source=source,
    )  # fmt: skip
