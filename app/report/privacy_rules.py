"""What the privacy filter recognises: serial-bearing keys, identifier patterns, placeholders, a trie regex."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from typing import Any

CATEGORIES: tuple[str, ...] = (
    "dmi_serial",
    "disk_serial",
    "usb_serial",
    "pci_serial",
    "battery_serial",
    "ram_serial",
    "edid_serial",
    "mac",
    "bluetooth",
    "ip",
    "hostname",
    "user",
    "home",
    "email",
    "machine_id",
    "boot_id",
    "fs_uuid",
    "fs_label",
    "ssid",
)

# Values firmware and drivers leave where nothing identifying was filled in; masking them would only
# hide that the field is empty (dmidecode and upower print these verbatim).
_PLACEHOLDERS = frozenset(
    {
        "none",
        "n/a",
        "na",
        "unknown",
        "null",
        "empty",
        "[empty]",
        "invalid",
        "not specified",
        "not applicable",
        "not available",
        "not provided",
        "not present",
        "default string",
        "to be filled by o.e.m.",
        "filled by o.e.m.",
        "o.e.m.",
        "oem",
        "system serial number",
        "chassis serial number",
        "base board serial number",
        "serial number",
        "asset tag",
        "asset-1234567890",
        "no asset tag",
        "no asset information",
        "0123456789",
        "123456789",
        "1234567890",
        "<out of spec>",
        "sernum0",
        "sernum1",
        "sernum2",
        "sernum3",
        "(none)",
        "noserial",
        "localhost",
        "localhost.localdomain",
    }
)
# "Vendor_Model_SERIAL" (udev's ID_SERIAL): only the last part, when it is the device's known serial,
# is identifying; "Chicony_Electronics_Integrated_Camera" is what the device is, not which one.
COMPOSITE_KEYS = frozenset({"id_serial", "id_usb_serial"})


def whole_value_identifies(key: str, value: str) -> bool:
    """Whether all of the value under ``key`` is the identifier (not so for Vendor_Model_SERIAL; but
    an ID_SERIAL without underscores, as udev sets it for SD cards, is the serial itself)."""
    return key.lower() not in COMPOSITE_KEYS or "_" not in value.strip()


TOKEN_RE = re.compile(r"^[A-Z_]+-[A-Z2-7]{12}(?![A-Za-z0-9])")
_PCI_ADDRESS = re.compile(r"^[0-9a-fA-F]{4}:[0-9a-fA-F]{2}:[0-9a-fA-F]{2}\.[0-7]$")
# System accounts are not personal: masking "root" would mangle "root hub", "/root", "rootfs".
SYSTEM_USERS = frozenset({"root", "nobody", "daemon", "bin", "sys", "sync", "games", "man", "lp", "mail", "news"})


def is_placeholder(value: str) -> bool:
    """True where a serial-like field holds nothing that identifies a machine."""
    v = value.strip().strip('"').strip()
    if not v or v.lower() in _PLACEHOLDERS or TOKEN_RE.match(v):
        return True
    if len(set(v.lower()) - set(" -:._")) <= 1:  # 00000000, FFFFFFFF, "xxxx", "----"
        return True
    # USB root hubs report their controller's PCI address as iSerial: a topology fact, not a serial
    return bool(_PCI_ADDRESS.match(v))


# --- serial-bearing keys --------------------------------------------------------------------------

_SERIAL_KEYS = frozenset(
    {
        "serial",
        "serials",
        "serial_number",
        "serialnumber",
        "serial number",
        "serial no",
        "serial no.",
        "serial_string",
        "iserial",
        "id_serial",
        "id_serial_short",
        "id_usb_serial",
        "id_usb_serial_short",
    }
)
_FIXED_KEYS: dict[str, str] = {
    "power_supply_serial_number": "battery_serial",
    "product_serial": "dmi_serial",
    "board_serial": "dmi_serial",
    "chassis_serial": "dmi_serial",
    "product_uuid": "dmi_serial",
    "board_asset_tag": "dmi_serial",
    "chassis_asset_tag": "dmi_serial",
    "id_wwn": "disk_serial",
    "id_wwn_with_extension": "disk_serial",
    "wwid": "disk_serial",
    "wwn": "disk_serial",
    "nguid": "disk_serial",
    "eui": "disk_serial",
    "eui64": "disk_serial",
    "id_fs_uuid": "fs_uuid",
    "id_fs_uuid_enc": "fs_uuid",
    "id_fs_uuid_sub": "fs_uuid",
    "id_fs_uuid_sub_enc": "fs_uuid",
    "id_part_entry_uuid": "fs_uuid",
    "id_part_table_uuid": "fs_uuid",
    "fs_uuid": "fs_uuid",
    "partuuid": "fs_uuid",
    "id_fs_label": "fs_label",
    "id_fs_label_enc": "fs_label",
    "id_part_entry_name": "fs_label",
    "fs_label": "fs_label",
    "partlabel": "fs_label",
    "ssid": "ssid",
    "essid": "ssid",
    "hostname": "hostname",
    "static hostname": "hostname",
    "transient hostname": "hostname",
    "pretty hostname": "hostname",
    "nodename": "hostname",
    "machine_id": "machine_id",
    "machine-id": "machine_id",
    "boot_id": "boot_id",
}
# "UUID" and "LABEL" mean a file system in blkid and /proc/cmdline (UUID=…), the machine in dmidecode
# ("UUID: …"); "Asset Tag" is the machine's in dmidecode -t system, a DIMM's under -t memory.
_ASSIGN_ONLY = {"uuid": "fs_uuid", "label": "fs_label"}
_COLON_ONLY = {"uuid": "dmi_serial", "asset tag": "dmi_serial"}


_HINTS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(rx, re.I), cat)
    for rx, cat in (
        (r"power_supply|batter|upower|\bBAT\d|\bsupplies\b", "battery_serial"),
        (r"/block/|nvme|scsi|\bata\d|/ata|disk|smart|lsblk|storage|\bsd[a-z]\b|mmcblk", "disk_serial"),
        (r"memory|dimm|\bram\b|type 17|\bmem\b", "ram_serial"),
        (r"/drm/|\bdrm\b|edid|graphics|monitor|connector|display|card\d-", "edid_serial"),
        (r"\bdmi|identity", "dmi_serial"),
        (r"usb", "usb_serial"),
        (r"pci", "pci_serial"),
    )
)


def hint_category(hint: str) -> str:
    """Which serial a generic "serial" key holds, from where it was seen (a devpath, a file name)."""
    for rx, cat in _HINTS:
        if rx.search(hint):
            return cat
    return "dmi_serial"


def key_category(key: str, hint: str, form: str) -> str | None:
    """The category of the value under ``key`` (``form``: "=" assignment, ":" label, "json"), or None."""
    k = key.strip().lower()
    if k in _FIXED_KEYS:
        cat = _FIXED_KEYS[k]
        if cat == "dmi_serial" and "asset" in k and hint_category(hint) == "ram_serial":
            return "ram_serial"
        return cat
    if k in _SERIAL_KEYS:
        if k in ("iserial", "serialnumber") and form != "json":
            return "usb_serial"  # lsusb -v and the kernel's "usb 1-1: SerialNumber:" lines
        return hint_category(hint)
    if form == "=" and k in _ASSIGN_ONLY:
        return _ASSIGN_ONLY[k]
    if form == ":" and k in _COLON_ONLY:
        cat = _COLON_ONLY[k]
        return "ram_serial" if k == "asset tag" and hint_category(hint) == "ram_serial" else cat
    return None


_KEYWORDS = sorted({*_SERIAL_KEYS, *_FIXED_KEYS, *_ASSIGN_ONLY, *_COLON_ONLY}, key=len, reverse=True)
DISK_LINK = re.compile(
    r"(?P<kind>by-uuid|by-partuuid|by-label|by-partlabel)/(?P<v>[^\s/\"'\\]+(?:\\x[0-9a-fA-F]{2}[^\s/\"'\\]*)*)"
)
DISK_LINK_CATEGORY = {
    "by-uuid": "fs_uuid",
    "by-partuuid": "fs_uuid",
    "by-label": "fs_label",
    "by-partlabel": "fs_label",
}

# --- identifier patterns --------------------------------------------------------------------------

# Patterns open with a character class and check the character before it with a lookbehind after
# it: a leading lookbehind stops the regex engine from skipping ahead to possible first characters
# (three times slower over a udev dump).
MAC = re.compile(
    r"(?P<v>[0-9A-Fa-f](?<![0-9A-Fa-f].)(?<![0-9A-Fa-f][:-].)[0-9A-Fa-f]([:-])(?:[0-9A-Fa-f]{2}\2){4}[0-9A-Fa-f]{2})"
    r"(?![0-9A-Fa-f]|[:-][0-9A-Fa-f])"
)
IPV4 = re.compile(r"(?P<v>\d(?<![0-9.]\d)\d{0,2}(?:\.\d{1,3}){3})(?![0-9]|\.\d)")
IPV6_CANDIDATE = re.compile(
    r"(?P<v>[0-9A-Fa-f:](?<![0-9A-Za-z:.][0-9A-Fa-f:])[0-9A-Fa-f]{0,3}:[0-9A-Fa-f:]{1,40})(?![0-9A-Za-z:])"
)
EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+-])(?P<v>[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})(?![A-Za-z0-9-])"
)
HOME = re.compile(r"/home/(?P<v>[^/\s\"'\\:;,<>|*?=]+)")
BLUETOOTH_CONTEXT = re.compile(r"(?i)bluetooth|\bhci\d|bd ?addr|\bbt\b|bluez")
# "v: 1.21.1.7" is how inxi prints a version (X.org, Mesa): a four-part version is no IPv4 address
VERSION_CONTEXT = re.compile(r"(?i)(?:version|firmware|\bfw|\brev|bios|\bver)\W{0,12}$|v$|\bv:[ \t]*$")
EDID_HEX = re.compile(r"(?<![0-9A-Fa-f])00[fF]{12}00(?:[0-9A-Fa-f]{2}){120}(?:(?:[0-9A-Fa-f]{2}){128})*(?![0-9A-Fa-f])")
# xrandr --verbose prints the EDID as tab-indented rows of 32 hex digits after "EDID:"
EDID_ROWS = re.compile(r"(?P<head>EDID:[ \t]*\n)(?P<rows>(?:[ \t]+[0-9a-fA-F]{32}[ \t]*\n)+)")


def normalise(category: str, value: str) -> str:
    """One spelling per identifier, so every spelling of it gets the same token."""
    v = value.strip()
    if category in ("mac", "bluetooth"):
        hexdigits = re.sub(r"[^0-9a-fA-F]", "", v).lower()
        if len(hexdigits) == 12:
            return ":".join(hexdigits[i : i + 2] for i in range(0, 12, 2))
        return v.lower()
    if category == "ip":
        try:
            return str(ipaddress.ip_address(v.split("%", 1)[0]))
        except ValueError:
            return v.lower()
    if category in ("email", "hostname", "fs_uuid", "machine_id", "boot_id"):
        return v.lower()
    return v


def spellings(category: str, canonical: str) -> list[str]:
    """Other ways the same identifier is written (a MAC without colons, a boot_id without dashes)."""
    out = [canonical]
    if category in ("mac", "bluetooth") and ":" in canonical:
        out += [canonical.replace(":", "-"), canonical.replace(":", "")]
    elif category in ("boot_id", "machine_id", "fs_uuid") and "-" in canonical:
        out.append(canonical.replace("-", ""))
    elif category == "machine_id" and len(canonical) == 32:
        c = canonical
        out.append(f"{c[:8]}-{c[8:12]}-{c[12:16]}-{c[16:20]}-{c[20:]}")
    elif category == "disk_serial" and canonical.lower().startswith("0x"):
        out.append(canonical[2:])
    return out


def ip_is_identifying(text: str) -> bool:
    """Loopback, unspecified, broadcast and netmasks say nothing about a machine; the rest do."""
    try:
        ip = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return False
    if ip.is_loopback or ip.is_unspecified:
        return False
    return not (ip.version == 4 and (text.startswith("255.") or text == "0.0.0.0"))


def valid_ipv6(text: str) -> bool:
    if "::" not in text and text.count(":") != 7:
        return False
    try:
        ipaddress.IPv6Address(text)
    except ValueError:
        return False
    return True


def trie_pattern(words: Iterable[str]) -> str:
    """One regex alternation, factored as a trie: linear in the text however many words there are
    (an alternation of literals tries every branch at every position)."""
    trie: dict[str, Any] = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict[str, Any]) -> str:
        ends = "" in node
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if ends:
            return f"(?:{body})?"
        return body

    return build(trie)


# Keys as one trie alternation: these patterns run over whole udev dumps (megabytes).
_KEY_ALT = trie_pattern(k.lower() for k in _KEYWORDS).replace("\\ ", "[ _]")
# udevadm/umockdev record lines and udev database files: the value runs to the end of the line
RECORD_LINE = re.compile(r"^(?P<pre>[EA]: ?)(?P<key>[A-Za-z0-9_]+)=(?P<v>[^\n]*?)(?P<esc>(?:\\n)?)[ \t]*$", re.M)
# KEY=value and KEY="value" (blkid, /proc/cmdline, nmcli, os-release style)
ASSIGN = re.compile(
    rf"(?<![A-Za-z0-9_.-])(?P<key>(?i:{_KEY_ALT}))=(?:\"(?P<q>[^\"\n]*)\"|'(?P<sq>[^'\n]*)'|(?P<v>[^\s\"',;=]+))"
)
# "Serial Number: X" to the end of the line (dmidecode, smartctl, upower -d, the kernel's usb lines), or to the
# next "key: " of the same line where a tool prints several (inxi: "serial: X UEFI: LENOVO v: 8BET66WW")
COLON = re.compile(
    rf"(?<![A-Za-z0-9_])(?P<key>(?i:{_KEY_ALT}))[ \t]*:[ \t]*(?P<v>[^\n]*?)(?=[ \t]+[A-Za-z][\w-]*:[ \t]|[ \t]*$)", re.M
)
# "serial": "X" inside JSON text that a raw artifact carries (sensors -j, upower --dump as JSON)
JSON_PAIR = re.compile(rf"\"(?P<key>(?i:{_KEY_ALT}))\"\s*:\s*(?:\"(?P<v>[^\"\n]*)\"|(?P<n>\d{{4,}}))")
# "\t\tssid Home Net" in ``iw dev`` (iw prints the network name after a space, no colon)
IW_SSID = re.compile(r"^[ \t]+ssid (?P<v>\S[^\n]*?)[ \t]*$", re.M)
LSUSB_ISERIAL = re.compile(r"(?<![A-Za-z0-9])iSerial[ \t]+\d+[ \t]+(?P<v>\S[^\n]*?)[ \t]*$", re.M)
# efibootmgr -v: "HD(1,GPT,<partition GUID>,0x800,0x82000)": the GPT partition's unique GUID names one disk
EFI_GPT_PARTITION = re.compile(r"(?P<pre>HD\(\d+,GPT,)(?P<v>[0-9A-Fa-f]{8}-(?:[0-9A-Fa-f]{4}-){3}[0-9A-Fa-f]{12})")
PCIE_DSN = re.compile(r"Device Serial Number (?P<v>[0-9a-fA-F]{2}(?:-[0-9a-fA-F]{2}){7})")
ENX_NAME = re.compile(r"(?<![A-Za-z0-9])(?:enx|wlx)(?P<v>[0-9a-fA-F]{12})(?![0-9A-Za-z])")
