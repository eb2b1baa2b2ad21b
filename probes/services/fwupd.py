"""fwupd over the system bus: firmware devices with versions and update state, and the HSI security report."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from hwinspector.probes.services.core import BusCallError, SystemBus, unavailable_reason

FWUPD = "org.freedesktop.fwupd"
FWUPD_PATH = "/"
NOTHING_TO_DO = "org.freedesktop.fwupd.NothingToDo"  # GetDevices on a machine with no supported device
NOT_SUPPORTED = "org.freedesktop.fwupd.NotSupported"

# FwupdDeviceFlags bit positions (libfwupd/fwupd-enums.h), named as fwupd_device_flag_to_string() does.
DEVICE_FLAGS = (
    "internal", "updatable", "only-offline", "require-ac", "locked", "supported", "needs-bootloader",
    "registered", "needs-reboot", "reported", "notified", "use-runtime-version", "install-parent-first",
    "is-bootloader", "wait-for-replug", "ignore-validation", "trusted", "needs-shutdown",
    "another-write-required", "no-auto-instance-ids", "needs-activation", "ensure-semver", "historical",
    "only-supported", "will-disappear", "can-verify", "can-verify-image", "dual-image", "self-recovery",
    "usable-during-update", "version-check-required", "install-all-releases",
)  # fmt: skip
UPDATE_STATES = ("unknown", "pending", "success", "failed", "needs-reboot", "failed-transient")
# FwupdSecurityAttrFlags (libfwupd/fwupd-security-attr.h): bit -> name.
HSI_FLAGS = {
    0: "success", 1: "obsoleted", 2: "missing-data", 8: "runtime-updates", 9: "runtime-attestation",
    10: "runtime-issue", 11: "action-contact-oem", 12: "action-config-fw", 13: "action-config-os", 14: "can-fix",
    15: "can-undo",
}  # fmt: skip
# FwupdSecurityAttrResult: fwupd < 1.7 sent HsiResult as a string, newer ones as this enum.
HSI_RESULTS = (
    "unknown", "enabled", "not-enabled", "valid", "not-valid", "locked", "not-locked", "encrypted",
    "not-encrypted", "tainted", "not-tainted", "found", "not-found", "supported", "not-supported",
)  # fmt: skip


def flag_names(value: int, names: Mapping[int, str]) -> tuple[str, ...]:
    """Set bits as names; a bit this table does not know is kept as "bit-N" rather than dropped."""
    return tuple(names.get(bit, f"bit-{bit}") for bit in range(64) if value >> bit & 1)


def _s(d: Mapping[str, Any], key: str) -> str:
    v = d.get(key)
    return v if isinstance(v, str) else ""


def _i(d: Mapping[str, Any], key: str) -> int:
    v = d.get(key)
    return v if isinstance(v, int) and not isinstance(v, bool) else 0


@dataclass(frozen=True, slots=True)
class FirmwareDevice:
    device_id: str
    parent_id: str
    name: str
    vendor: str
    version: str
    version_lowest: str
    version_bootloader: str
    plugin: str
    protocol: str
    summary: str
    flags: tuple[str, ...]
    update_state: str  # UPDATE_STATES
    update_error: str
    guids: tuple[str, ...]
    serial: str

    IDENTIFYING_FIELDS: ClassVar[tuple[str, ...]] = ("serial",)

    @property
    def updatable(self) -> bool:
        return "updatable" in self.flags


@dataclass(frozen=True, slots=True)
class SecurityAttr:
    appstream_id: str  # "org.fwupd.hsi.Uefi.SecureBoot"
    hsi_level: int  # 1 critical … 4 system protection; 0 for runtime attributes
    result: str  # HSI_RESULTS: "enabled", "not-locked", …
    flags: tuple[str, ...]  # HSI_FLAGS names
    name: str
    summary: str
    plugin: str

    @property
    def success(self) -> bool:
        return "success" in self.flags


@dataclass(frozen=True, slots=True)
class FirmwareInfo:
    """fwupd's devices and HSI report; each part says why it is empty when it could not be read."""

    available: bool
    reason: str
    daemon_version: str = ""
    host_product: str = ""
    host_security_id: str = ""  # "HSI:1! (v1.9.16)"
    tainted: bool | None = None
    devices: tuple[FirmwareDevice, ...] = ()
    devices_reason: str = ""
    security_attrs: tuple[SecurityAttr, ...] = ()
    security_reason: str = ""

    @classmethod
    def unavailable(cls, reason: str) -> FirmwareInfo:
        return cls(available=False, reason=reason)


def decode_fw_device(d: Mapping[str, Any]) -> FirmwareDevice:
    state = _i(d, "UpdateState")
    return FirmwareDevice(
        device_id=_s(d, "DeviceId"),
        parent_id=_s(d, "ParentDeviceId"),
        name=_s(d, "Name"),
        vendor=_s(d, "Vendor"),
        version=_s(d, "Version"),
        version_lowest=_s(d, "VersionLowest"),
        version_bootloader=_s(d, "VersionBootloader"),
        plugin=_s(d, "Plugin"),
        protocol=_s(d, "Protocol"),
        summary=_s(d, "Summary"),
        flags=flag_names(_i(d, "Flags"), dict(enumerate(DEVICE_FLAGS))),
        update_state=UPDATE_STATES[state] if 0 <= state < len(UPDATE_STATES) else f"unknown ({state})",
        update_error=_s(d, "UpdateError"),
        guids=tuple(str(g) for g in d.get("Guid", []) if isinstance(g, str)),
        serial=_s(d, "Serial"),
    )


def decode_security_attr(d: Mapping[str, Any]) -> SecurityAttr:
    raw = d.get("HsiResult")
    if isinstance(raw, int) and not isinstance(raw, bool):
        result = HSI_RESULTS[raw] if 0 <= raw < len(HSI_RESULTS) else f"unknown ({raw})"
    else:
        result = raw if isinstance(raw, str) and raw else "unknown"
    return SecurityAttr(
        appstream_id=_s(d, "AppstreamId"),
        hsi_level=_i(d, "HsiLevel"),
        result=result,
        flags=flag_names(_i(d, "Flags"), HSI_FLAGS),
        name=_s(d, "Name"),
        summary=_s(d, "Summary"),
        plugin=_s(d, "Plugin"),
    )


async def read_fwupd(bus: SystemBus) -> FirmwareInfo:
    """One GetAll, GetDevices and GetHostSecurityAttrs, concurrently; parts fail separately."""
    props_r, devices_r, attrs_r = await asyncio.gather(
        bus.get_all(FWUPD, FWUPD_PATH, FWUPD),
        bus.call(FWUPD, FWUPD_PATH, FWUPD, "GetDevices"),
        bus.call(FWUPD, FWUPD_PATH, FWUPD, "GetHostSecurityAttrs"),
        return_exceptions=True,
    )
    for r in (props_r, devices_r, attrs_r):
        if isinstance(r, BaseException) and not isinstance(r, BusCallError):
            raise r
    if isinstance(props_r, BusCallError):
        return FirmwareInfo.unavailable(unavailable_reason("fwupd", props_r))
    props: dict[str, Any] = props_r if isinstance(props_r, dict) else {}
    devices: tuple[FirmwareDevice, ...] = ()
    devices_reason = ""
    if isinstance(devices_r, BusCallError):
        if devices_r.name != NOTHING_TO_DO:
            devices_reason = unavailable_reason("fwupd", devices_r)
    elif isinstance(devices_r, list):
        devices = tuple(decode_fw_device(d) for d in devices_r[0] if isinstance(d, dict))
    attrs: tuple[SecurityAttr, ...] = ()
    security_reason = ""
    if isinstance(attrs_r, BusCallError):
        # fwupd refuses HSI on machines it cannot judge (not x86, a VM, a virtual firmware) with NotSupported
        security_reason = unavailable_reason("fwupd", attrs_r)
    elif isinstance(attrs_r, list):
        attrs = tuple(decode_security_attr(a) for a in attrs_r[0] if isinstance(a, dict))
    return FirmwareInfo(
        available=True,
        reason="",
        daemon_version=_s(props, "DaemonVersion"),
        host_product=_s(props, "HostProduct"),
        host_security_id=_s(props, "HostSecurityId"),
        tainted=props.get("Tainted") if isinstance(props.get("Tainted"), bool) else None,
        devices=devices,
        devices_reason=devices_reason,
        security_attrs=attrs,
        security_reason=security_reason,
    )
