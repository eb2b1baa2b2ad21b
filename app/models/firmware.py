"""Qt models for the Firmware page: fwupd's devices, and the host security (HSI) attributes by level."""

from __future__ import annotations

import re
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from enum import IntEnum

from PySide6.QtCore import Qt

from hwinspector.i18n import N_, _
from hwinspector.models.live_table import LiveTableModel, LiveTreeModel, ValueRole
from hwinspector.probes.services.bus import FirmwareDevice, FirmwareInfo, SecurityAttr
from hwinspector.widgets.property_table import Section
from hwinspector.widgets.status_icons import status_icon

_DISPLAY = Qt.ItemDataRole.DisplayRole
_TOOLTIP = Qt.ItemDataRole.ToolTipRole

# fwupd's HSI levels (docs/hsi.md in fwupd): what each one guards against.
HSI_LEVELS = {
    1: N_("HSI-1 · critical"),
    2: N_("HSI-2 · important"),
    3: N_("HSI-3 · theoretical"),
    4: N_("HSI-4 · system protection"),
    5: N_("HSI-5 · advanced protection"),
    0: N_("Runtime (the ! suffix)"),
}
HSI_MEANING = {
    0: N_("HSI-0: the platform is insecure or fwupd cannot judge it; at least one critical check fails"),
    1: N_("HSI-1: critical protections pass; the most basic level a machine should reach"),
    2: N_("HSI-2: important protections pass as well"),
    3: N_("HSI-3: theoretical attacks are covered too"),
    4: N_("HSI-4: system protection (encrypted memory and the like) as well"),
    5: N_("HSI-5: every known protection"),
}
ACTIONS = {
    "action-contact-oem": N_("ask the vendor for a firmware fix"),
    "action-config-fw": N_("change a firmware (BIOS) setting"),
    "action-config-os": N_("change an operating system setting"),
}
UPDATE_WORDS = {
    "unknown": "",
    "pending": N_("update pending"),
    "success": N_("last update succeeded"),
    "failed": N_("last update failed"),
    "needs-reboot": N_("reboot to finish the update"),
    "failed-transient": N_("last update failed (try again)"),
}


@dataclass(frozen=True, slots=True)
class HsiId:
    level: int | None  # None when fwupd did not say
    runtime_issue: bool  # the "!" suffix: a runtime check failed (a tainted kernel, lockdown off)
    text: str


def parse_hsi(host_security_id: str) -> HsiId:
    """``HSI:1! (v1.9.16)`` → level 1 with runtime issues."""
    m = re.match(r"\s*HSI[:\s-]*(\d)(!?)", host_security_id)
    if m is None:
        return HsiId(None, False, host_security_id)
    return HsiId(int(m[1]), m[2] == "!", host_security_id)


def hsi_summary(info: FirmwareInfo) -> str:
    hsi = parse_hsi(info.host_security_id)
    if hsi.level is None:
        return _("Host security ID: not reported") + (f" ({info.security_reason})" if info.security_reason else "")
    text = _(HSI_MEANING.get(hsi.level, f"HSI-{hsi.level}"))
    if hsi.runtime_issue:
        text += _("; ! — a runtime check fails (see the Runtime group)")
    return text


def result_text(result: str) -> str:
    return result.replace("-", " ").capitalize()


def action_text(attr: SecurityAttr) -> str:
    return "; ".join(_(ACTIONS[f]) for f in attr.flags if f in ACTIONS)


def device_update_text(d: FirmwareDevice) -> str:
    words = _(UPDATE_WORDS.get(d.update_state, d.update_state))
    if d.update_error:
        words = f"{words}: {d.update_error}" if words else d.update_error
    if not words:
        words = "updatable" if d.updatable else _("not updatable")
    return words


def firmware_sections(d: FirmwareDevice) -> list[Section]:
    """Every field fwupd sends for a device, as `fwupdmgr get-devices` shows them."""
    general = [
        (k, v)
        for k, v in (
            (_("Name"), d.name),
            (_("Vendor"), d.vendor),
            (_("Summary"), d.summary),
            (_("Device ID"), d.device_id),
            (_("Parent device ID"), d.parent_id),
            (_("Plugin"), d.plugin),
            (_("Protocol"), d.protocol),
            (_("Serial"), d.serial),
        )
        if v
    ]
    version = [
        (k, v)
        for k, v in (
            (_("Current version"), d.version),
            (_("Minimum version"), d.version_lowest),
            (_("Bootloader version"), d.version_bootloader),
            (_("Update state"), d.update_state),
            (_("Update error"), d.update_error),
        )
        if v
    ]
    sections: list[Section] = [(_("Device"), general), (_("Firmware"), version)]
    sections.append((_("Flags"), [(f, "yes") for f in d.flags]))
    if d.guids:
        sections.append(("GUIDs", [(f"GUID {i}", g) for i, g in enumerate(d.guids, 1)]))
    return sections


def security_report(info: FirmwareInfo) -> str:
    """Plain text for the clipboard, in the order and words of `fwupdmgr security`."""
    lines = [
        _("Host Security ID: {host_security_id}").format(host_security_id=info.host_security_id or _("not reported"))
    ]
    if info.host_product:
        lines.append(
            _("Host: {host_product} (fwupd {daemon_version})").format(
                host_product=info.host_product, daemon_version=info.daemon_version
            )
        )
    if info.security_reason:
        lines.append(_("Not available: {security_reason}").format(security_reason=info.security_reason))
    for level, attrs in group_attrs(info.security_attrs):
        lines.append("")
        lines.append(_(HSI_LEVELS.get(level, f"HSI-{level}")))
        for a in attrs:
            mark = "✔" if a.success else "✘"
            action = action_text(a)
            lines.append(
                f"{mark} {a.name or a.appstream_id}: {result_text(a.result)}" + (f" ({action})" if action else "")
            )
    return "\n".join(lines)


def devices_report(devices: Sequence[FirmwareDevice]) -> str:
    return "\n".join(
        f"{d.name}\t{d.vendor}\t{d.version or '-'}\t{device_update_text(d)}\t{','.join(d.flags)}" for d in devices
    )


def group_attrs(attrs: Sequence[SecurityAttr]) -> list[tuple[int, list[SecurityAttr]]]:
    """Levels 1…5 in order, then the runtime attributes (level 0), as fwupdmgr lists them."""
    levels = sorted({a.hsi_level for a in attrs}, key=lambda lv: (lv == 0, lv))
    return [(lv, sorted((a for a in attrs if a.hsi_level == lv), key=lambda a: a.appstream_id)) for lv in levels]


class FirmwareColumn(IntEnum):
    NAME = 0
    VENDOR = 1
    VERSION = 2
    UPDATE = 3


class FirmwareDeviceModel(LiveTableModel[FirmwareDevice]):
    headers = (N_("Device"), N_("Vendor"), N_("Version"), N_("Update state"))

    def key(self, row: FirmwareDevice) -> Hashable:
        return row.device_id

    def search_text(self, row: FirmwareDevice) -> str:
        extra = (row.summary, row.plugin, row.protocol, row.device_id, " ".join(row.guids), *row.flags)
        return " ".join((super().search_text(row), *extra))

    def cell(self, row: FirmwareDevice, column: int, role: int) -> object:
        col = FirmwareColumn(column)
        if role == _DISPLAY:
            return {
                FirmwareColumn.NAME: row.name,
                FirmwareColumn.VENDOR: row.vendor,
                FirmwareColumn.VERSION: row.version,
            }.get(col, device_update_text(row))
        if role == _TOOLTIP:
            if col == FirmwareColumn.NAME:
                return f"{row.summary}\nplugin: {row.plugin}\n{row.device_id}".strip()
            if col == FirmwareColumn.UPDATE:
                return device_update_text(row) + "\nflags: " + ", ".join(row.flags)
            return self.cell(row, column, _DISPLAY) or None
        if role == ValueRole:
            return {FirmwareColumn.UPDATE: row.update_state, FirmwareColumn.VERSION: row.version}.get(col)
        if role == Qt.ItemDataRole.DecorationRole and col == FirmwareColumn.NAME:
            if row.update_state in ("failed", "failed-transient"):
                return status_icon("error")
            if row.update_state in ("pending", "needs-reboot"):
                return status_icon("warning")
            return status_icon("ok" if row.updatable else "na")
        return None


@dataclass(frozen=True, slots=True)
class HsiGroup:
    level: int
    passed: int
    total: int


class SecurityColumn(IntEnum):
    ATTRIBUTE = 0
    RESULT = 1
    ACTION = 2


class SecurityModel(LiveTreeModel[HsiGroup, SecurityAttr]):
    """HSI levels holding their attributes; a failed attribute is marked, its remedy spelled out."""

    headers = (N_("Attribute"), N_("Result"), N_("What to do"))

    def set_attrs(self, attrs: Sequence[SecurityAttr]) -> bool:
        groups = group_attrs(attrs)
        parents = [HsiGroup(lv, sum(a.success for a in items), len(items)) for lv, items in groups]
        return self.set_tree(parents, [items for _unused, items in groups])

    def search_text(self, parent: HsiGroup, child: SecurityAttr | None) -> str:
        text = super().search_text(parent, child)
        return text if child is None else f"{text} {child.appstream_id} {child.plugin} {child.summary}"

    def parent_key(self, item: HsiGroup) -> Hashable:
        return item.level

    def child_key(self, item: SecurityAttr) -> Hashable:
        return item.appstream_id

    def parent_cell(self, item: HsiGroup, column: int, role: int) -> object:
        col = SecurityColumn(column)
        if role == _DISPLAY:
            if col == SecurityColumn.ATTRIBUTE:
                return _(HSI_LEVELS.get(item.level, f"HSI-{item.level}"))
            if col == SecurityColumn.RESULT:
                return _("{passed} of {total} pass").format(passed=item.passed, total=item.total)
            return ""
        if role == Qt.ItemDataRole.DecorationRole and col == SecurityColumn.ATTRIBUTE:
            return status_icon("ok" if item.passed == item.total else "warning")
        if role == ValueRole and col == SecurityColumn.ATTRIBUTE:
            return item.level
        return None

    def child_cell(self, parent: HsiGroup, item: SecurityAttr, column: int, role: int) -> object:
        col = SecurityColumn(column)
        if role == _DISPLAY:
            return {
                SecurityColumn.ATTRIBUTE: item.name or item.appstream_id,
                SecurityColumn.RESULT: result_text(item.result),
            }.get(col, action_text(item))
        if role == _TOOLTIP:
            if col == SecurityColumn.ATTRIBUTE:
                return "\n".join(x for x in (item.summary, item.appstream_id, f"plugin: {item.plugin}") if x)
            if col == SecurityColumn.ACTION:
                return action_text(item) or None
            if col == SecurityColumn.RESULT:
                return "flags: " + (", ".join(item.flags) or _("none"))
            return None
        if role == Qt.ItemDataRole.DecorationRole and col == SecurityColumn.ATTRIBUTE:
            return status_icon("ok" if item.success else "error")
        if role == ValueRole and col == SecurityColumn.RESULT:
            return item.result
        return None
