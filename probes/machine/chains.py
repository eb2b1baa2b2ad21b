"""The USB-C/Thunderbolt and wireless chains of any source: the live machine (sysfs, kernel log, boltd,
BlueZ, ethtool, iw), an evidence bundle (its stored inputs), or a foreign dump (devices only)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hwinspector.probes.devices.tree import Device
from hwinspector.probes.errors import ProbeUnavailable
from hwinspector.probes.kernel_log import LogLine, parse_dmesg_text, read_kernel_log
from hwinspector.probes.machine.sections import Section
from hwinspector.probes.machine.snapshot import Snapshot
from hwinspector.probes.usbc.chain import (
    UsbcChain,
    UsbcInputs,
    read_usbc_extras,
    thunderbolt_log_lines,
    usbc_from_inputs,
)
from hwinspector.probes.usbc.thunderbolt import BoltInfo
from hwinspector.probes.wireless.bluez import BluezInfo
from hwinspector.probes.wireless.chain import (
    WirelessChain,
    WirelessInputs,
    read_regdom_default,
    run_iw_reg,
    wireless_from_inputs,
    wireless_log_lines,
)
from hwinspector.probes.wireless.ethtool import DriverInfo, read_driver_info

BUS_TIMEOUT_S = 5.0


def _kernel_log(devkmsg: Path) -> list[LogLine] | None:
    try:
        return read_kernel_log(devkmsg)
    except ProbeUnavailable:
        return None  # dmesg_restrict: firmware lines are then "not readable", said by the chain's notes


async def _bolt(address: str | None, timeout_s: float) -> BoltInfo:
    from hwinspector.probes.services.bolt import read_bolt
    from hwinspector.probes.services.core import BusUnavailable, SystemBus

    try:
        bus = await SystemBus.connect(address, timeout_s)
    except BusUnavailable as exc:
        return BoltInfo(False, exc.reason)
    try:
        return await read_bolt(bus)
    finally:
        await bus.aclose()


async def _bluez(address: str | None, timeout_s: float) -> BluezInfo:
    from hwinspector.probes.services.bluez import read_bluez
    from hwinspector.probes.services.core import BusUnavailable, SystemBus

    try:
        bus = await SystemBus.connect(address, timeout_s)
    except BusUnavailable as exc:
        return BluezInfo(False, exc.reason)
    try:
        return await read_bluez(bus)
    finally:
        await bus.aclose()


def read_usbc_inputs(
    devices: Sequence[Device],
    sysfs: Path = Path("/sys"),
    devkmsg: Path = Path("/dev/kmsg"),
    bus_address: str | None = None,
    timeout_s: float = BUS_TIMEOUT_S,
) -> UsbcInputs:
    """Links and identity VDOs from sysfs, the thunderbolt kernel lines, and boltd where there is a domain."""
    log = _kernel_log(devkmsg)
    has_tb = any(d.subsystem == "thunderbolt" for d in devices)
    bolt = asyncio.run(_bolt(bus_address, timeout_s)) if has_tb else None
    return UsbcInputs(read_usbc_extras(sysfs), thunderbolt_log_lines(log) if log is not None else None, bolt)


def read_wireless_inputs(
    devices: Sequence[Device],
    sysfs: Path = Path("/sys"),
    devkmsg: Path = Path("/dev/kmsg"),
    bus_address: str | None = None,
    timeout_s: float = BUS_TIMEOUT_S,
    *,
    run_tools: bool = True,
) -> WirelessInputs:
    """Kernel lines, ethtool's driver info per Wi-Fi interface, the regulatory domain, and BlueZ's adapters."""
    log = _kernel_log(devkmsg)
    infos: dict[str, DriverInfo] = {}
    for d in devices:
        if d.subsystem == "net" and d.devtype == "wlan":
            try:
                infos[d.sysname] = read_driver_info(d.sysname)
            except OSError:
                continue
    has_bt = any(d.subsystem == "bluetooth" for d in devices)
    has_wifi = any(d.subsystem == "ieee80211" or (d.subsystem == "net" and d.devtype == "wlan") for d in devices)
    return WirelessInputs(
        wireless_log_lines(log) if log is not None else None,
        infos,
        read_regdom_default(sysfs) if has_wifi else None,
        run_iw_reg() if has_wifi and run_tools else None,
        asyncio.run(_bluez(bus_address, timeout_s)) if has_bt else None,
    )


def _bundle_section(snap: Snapshot, name: str) -> Section | None:
    if snap.source.kind != "bundle" or not snap.source.path:
        return None
    from hwinspector.probes.bundle.reader import read_bundle_sections

    return read_bundle_sections(Path(snap.source.path)).get(name)


def _inputs_doc(section: Section | None) -> Any:
    if section is None or not section.available or not isinstance(section.data, dict):
        return None
    return section.data.get("inputs")


def _dump_log(snap: Snapshot) -> list[LogLine] | None:
    """A bundle's kernel_log section, when the chain's own inputs did not keep lines."""
    section = _bundle_section(snap, "kernel_log")
    if section is None or not section.available or not isinstance(section.data, list):
        return None
    text = "\n".join(str(x.get("message", "")) for x in section.data if isinstance(x, dict))
    return parse_dmesg_text(text)


def usbc_for(snap: Snapshot, **live: Any) -> UsbcChain:
    """The chain of a snapshot: read live, rebuilt from a bundle's stored inputs, or from a dump's devices."""
    if snap.source.is_live:
        inputs = read_usbc_inputs(snap.devices, **live)
    else:
        inputs = UsbcInputs.from_json(_inputs_doc(_bundle_section(snap, "usbc")))
        if inputs.kernel_lines is None and (log := _dump_log(snap)) is not None:
            inputs = UsbcInputs(inputs.extras, thunderbolt_log_lines(log), inputs.bolt)
    return usbc_from_inputs(snap.devices, inputs, snap.source.kind)


def wireless_for(snap: Snapshot, **live: Any) -> WirelessChain:
    if snap.source.is_live:
        inputs = read_wireless_inputs(snap.devices, **live)
    else:
        inputs = WirelessInputs.from_json(_inputs_doc(_bundle_section(snap, "wireless")))
        if inputs.kernel_lines is None and (log := _dump_log(snap)) is not None:
            inputs = WirelessInputs(
                wireless_log_lines(log), inputs.driver_info, inputs.regdom_default, inputs.iw_reg, inputs.bluez
            )
    return wireless_from_inputs(snap.devices, inputs, snap.source.kind)


def usbc_section_data(snap: Snapshot) -> dict[str, Any]:
    """What a bundle stores: the inputs (to rebuild the chain) and the chain itself (for scripts and diff)."""
    inputs = read_usbc_inputs(snap.devices)
    chain = usbc_from_inputs(snap.devices, inputs, snap.source.kind)
    return {"inputs": inputs.to_json(), "chain": chain.to_json()}


def wireless_section_data(snap: Snapshot) -> dict[str, Any]:
    inputs = read_wireless_inputs(snap.devices)
    chain = wireless_from_inputs(snap.devices, inputs, snap.source.kind)
    return {"inputs": inputs.to_json(), "chain": chain.to_json()}
