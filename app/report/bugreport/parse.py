"""Facts from other tools' outputs as upstream asks for them: dmesg, /proc/version, lspci, glxinfo, vulkaninfo,
dmidecode, lscpu, inxi, /proc/modules. Each parser takes text and returns plain values; garbage gives None."""

from __future__ import annotations

import re
from collections.abc import Iterable

_TS = re.compile(r"^(?:<\d+>)?\s*(?:\[\s*\d+\.\d+\]\s*)?(?:\S+ kernel: )?")


def log_lines(text: str) -> list[str]:
    """Kernel log lines without their timestamps (dmesg and ``journalctl -o short-monotonic`` alike)."""
    return [_TS.sub("", line, count=1) for line in text.splitlines()]


def starts_at_boot(text: str) -> bool:
    """reporting-issues.rst: a complete log starts with 'Linux version …'; else early messages were lost."""
    return any(line.startswith("Linux version ") for line in log_lines(text)[:5])


def kernel_version_line(text: str) -> str | None:
    for line in log_lines(text)[:50]:
        if line.startswith("Linux version "):
            return line.strip()
    return None


_RELEASE = re.compile(r"Linux version (\S+)")


def release_of(proc_version: str) -> str | None:
    m = _RELEASE.search(proc_version)
    return m[1] if m else None


# Release suffixes and build hosts of distribution kernels (Debian, Ubuntu, Fedora/RHEL, SUSE, Arch …).
_DISTRO_RELEASE = re.compile(
    r"-(?:generic|lowlatency|amd64|arm64|armmp|686(?:-pae)?|rt-amd64|cloud-amd64|default|azure|aws|gcp|oem|"
    r"raspi|lts|zen\d*|MANJARO|pve|cachyos)\b|\.fc\d+|\.el\d+|\.mga\d+|-arch\d+|\+deb\d+|\+rpt|-[0-9.]+-\w+$"
)
_DISTRO_BUILD = re.compile(r"(?i)buildd|debian\.org|ubuntu|fedoraproject|redhat|suse|archlinux|mageia|gentoo|build-?vm")
_VANILLA = re.compile(r"^\d+\.\d+(?:\.\d+)?(?:-rc\d+)?\+?$")


def kernel_kind(release: str | None, proc_version: str | None, signature: str | None) -> tuple[str | None, str]:
    """("distribution" | "vanilla" | "custom", why). reporting-issues.rst asks whether the kernel is vanilla."""
    if signature:
        return "distribution", f"/proc/version_signature: {signature.strip()}"
    if not release:
        return None, "the kernel release is not in this source"
    if _DISTRO_RELEASE.search(release):
        return "distribution", f"release {release} carries a distribution's suffix"
    if proc_version and _DISTRO_BUILD.search(proc_version):
        return "distribution", "built by a distribution (its build host or compiler in /proc/version)"
    if _VANILLA.match(release):
        return "vanilla", f"release {release} has no distribution suffix (a mainline or stable build)"
    return "custom", f"release {release} is neither a mainline version nor a known distribution's"


# /proc/modules: "name size refcount deps state address (taint flags)"; O out-of-tree, E unsigned,
# P proprietary, C staging (kernel/module/main.c module_flags()).
_MODULE = re.compile(r"^(?P<name>\S+) \d+ \S+ \S+ \S+ \S+(?: \((?P<flags>[A-Z]+)\))?\s*$")


def out_of_tree_modules(modules: str) -> list[str]:
    out = []
    for line in modules.splitlines():
        m = _MODULE.match(line.strip())
        if m and m["flags"] and set(m["flags"]) & set("OPC"):
            out.append(f"{m['name']} ({m['flags']})")
    return out


def cmdline_param(cmdline: str, name: str) -> str | None:
    for word in cmdline.split():
        key, eq, value = word.partition("=")
        if key == name:
            return value if eq else ""
    return None


def parse_int(text: str | None) -> int | None:
    if text is None:
        return None
    try:
        return int(text.strip(), 0)
    except ValueError:
        return None


# lspci -nn: "01:00.0 VGA compatible controller [0300]: Advanced Micro Devices … [1002:67ef] (rev c2)"
_LSPCI_GPU = re.compile(
    r"^(?P<addr>(?:[0-9a-f]{4}:)?[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]) (?P<cls>VGA compatible controller|3D controller|"
    r"Display controller)(?: \[03[0-9a-f]{2}\])?: (?P<name>.*?)(?: \[(?P<ids>[0-9a-f]{4}:[0-9a-f]{4})\])?"
    r"(?: \(rev [0-9a-f]+\))?(?: \(prog-if .*)?$"
)


def lspci_gpus(text: str) -> list[dict[str, str | None]]:
    """Display-class devices of ``lspci -vvnnk``/``-nn`` (ids only with -nn), with the driver in use (-k)."""
    out: list[dict[str, str | None]] = []
    current: dict[str, str | None] | None = None
    for line in text.splitlines():
        if line and not line[0].isspace():
            m = _LSPCI_GPU.match(line)
            current = {"address": m["addr"], "name": m["name"], "ids": m["ids"], "driver": None} if m else None
            if current is not None:
                out.append(current)
        elif current is not None:
            s = line.strip()
            if s.startswith("Kernel driver in use:"):
                current["driver"] = s.partition(":")[2].strip()
            elif s.startswith("Subsystem:") and current.get("subsystem") is None:
                ids = re.search(r"\[([0-9a-f]{4}:[0-9a-f]{4})\]\s*$", s)
                current["subsystem"] = ids[1] if ids else None
    return out


def glx_facts(text: str) -> dict[str, str]:
    """glxinfo -B's lines Mesa's template quotes ("OpenGL version string" carries the Mesa version)."""
    keys = {
        "direct rendering": "direct_rendering",
        "OpenGL vendor string": "vendor",
        "OpenGL renderer string": "renderer",
        "OpenGL version string": "version",
        "OpenGL core profile version string": "core_version",
        "Device": "device",
    }
    out: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.strip().partition(":")
        if sep and key in keys and keys[key] not in out:
            out[keys[key]] = value.strip()
    return out


_MESA = re.compile(r"Mesa (\d+\.\d+(?:\.\d+)?(?:-\S+)?)")


def mesa_version(*texts: str) -> str | None:
    for t in texts:
        m = _MESA.search(t)
        if m:
            return m[1]
    return None


def vulkan_devices(text: str) -> list[dict[str, str]]:
    """vulkaninfo --summary's Devices: section (GPU0: apiVersion, driverName, driverInfo, deviceName …)."""
    out: list[dict[str, str]] = []
    current: dict[str, str] | None = None
    for line in text.splitlines():
        s = line.strip()
        if re.match(r"^GPU\d+:$", s):
            current = {}
            out.append(current)
        elif current is not None and "=" in s:
            key, _, value = s.partition("=")
            current[key.strip()] = value.strip()
    return out


def dmi_field(dmidecode: str, section: str, key: str) -> str | None:
    """One field of one DMI structure of dmidecode's text ("System Information", "Product Name")."""
    inside = False
    for line in dmidecode.splitlines():
        if line and not line[0].isspace():
            inside = line.strip() == section
        elif inside:
            k, sep, v = line.strip().partition(":")
            if sep and k == key:
                value = v.strip()
                return value if value and value.lower() not in ("not specified", "to be filled by o.e.m.") else None
    return None


def dmi_memory_bytes(dmidecode: str) -> int | None:
    """Installed memory: the sizes of the "Memory Device" structures (dmidecode -t 17)."""
    total = 0
    for m in re.finditer(r"^\tSize: (\d+) (MB|GB|KB)\s*$", dmidecode, re.M):
        total += int(m[1]) << {"KB": 10, "MB": 20, "GB": 30}[m[2]]
    return total or None


def colon_field(text: str, key: str) -> str | None:
    """``Key: value`` lines (lscpu, /proc/cpuinfo with its tab padding)."""
    for line in text.splitlines():
        k, sep, v = line.partition(":")
        if sep and k.strip() == key:
            return v.strip() or None
    return None


def first_match(lines: Iterable[str], pattern: str) -> re.Match[str] | None:
    rx = re.compile(pattern)
    for line in lines:
        m = rx.search(line)
        if m:
            return m
    return None


def grep(lines: Iterable[str], pattern: str, limit: int = 20) -> list[str]:
    rx = re.compile(pattern)
    out = []
    for line in lines:
        if rx.search(line):
            out.append(line.strip())
            if len(out) >= limit:
                break
    return out


def os_release(text: str) -> dict[str, str]:
    out = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and re.match(r"^[A-Z_]+$", key):
            out[key] = value.strip().strip('"').strip("'")
    return out


def inxi_value(text: str, label: str) -> str | None:
    """``label: value`` inside inxi's wrapped lines ("Kernel: 6.1.0-26-amd64 arch: x86_64 …")."""
    flat = " ".join(line.strip() for line in text.splitlines())
    m = re.search(rf"\b{re.escape(label)}: (.+?)(?= [A-Za-z][\w-]*: |$)", flat)
    return m[1].strip() if m else None
