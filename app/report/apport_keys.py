"""The keys apport's own hooks add to every report, from a capture's artifacts (apport 2.x source names them):

- ``Report.add_os_info``: DistroRelease (os-release NAME without " GNU/Linux", then VERSION_ID: "Ubuntu
  24.04"), Uname (``uname -srm``), Architecture (``dpkg --print-architecture``);
- ``Report.add_package_info``: Package ("NAME VERSION", or "NAME (not installed)"), SourcePackage;
- ``hookutils.attach_mac_events``/kernel hooks: ProcVersionSignature (/proc/version_signature, Ubuntu only);
- ``hookutils.attach_drm_info``: one ``DRM.<connector>`` key per /sys/class/drm connector with each attribute
  as ``name: value`` (modes on one line) and the EDID as ``edid-base64``.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping

# uname -m → the dpkg architecture name (dpkg's cputable and ostable).
DPKG_ARCH = {
    "x86_64": "amd64",
    "i386": "i386",
    "i486": "i386",
    "i586": "i386",
    "i686": "i386",
    "aarch64": "arm64",
    "armv7l": "armhf",
    "armv6l": "armel",
    "ppc64le": "ppc64el",
    "ppc64": "ppc64",
    "s390x": "s390x",
    "riscv64": "riscv64",
    "loongarch64": "loong64",
}
_INVALID_KEY_CHARS = re.compile(r"[^0-9a-zA-Z_.-]")  # hookutils.path_to_key


def _text(files: Mapping[str, bytes], path: str) -> str:
    return files.get(path, b"").decode("utf-8", "replace").strip()


def os_release(files: Mapping[str, bytes]) -> dict[str, str]:
    out = {}
    for line in _text(files, "raw/os-release").splitlines():
        key, sep, value = line.partition("=")
        if sep:
            out[key.strip()] = value.strip().strip('"').strip("'")
    return out


def distro_release(files: Mapping[str, bytes], os_name: str | None) -> str | None:
    osr = os_release(files)
    if osr.get("NAME"):
        return f"{osr['NAME'].removesuffix(' GNU/Linux')} {osr.get('VERSION_ID', 'n/a')}"
    if os_name:
        # "Ubuntu 24.04.1 LTS", "Debian GNU/Linux 12 (bookworm)": the name and the major.minor version
        m = re.match(r"^(.*?)(?: GNU/Linux)? (\d+(?:\.\d+)?)", os_name)
        if m:
            return f"{m[1]} {m[2]}"
    return None


def architecture(files: Mapping[str, bytes], machine: str | None) -> str | None:
    dpkg = _text(files, "raw/os/dpkg-architecture.txt")
    if dpkg and re.match(r"^[a-z0-9-]+$", dpkg):
        return dpkg
    return DPKG_ARCH.get(machine or "")


def kernel_package(files: Mapping[str, bytes]) -> str:
    """apport's Package form: "linux-image-6.8.0-45-generic 6.8.0-45.45" (dpkg-query -W), else unknown."""
    line = _text(files, "raw/os/kernel-package.txt").splitlines()
    if line and "\t" in line[0]:
        name, version = line[0].split("\t", 1)
        if name and version:
            return f"{name} {version}"
    return "linux (not installed)"


def drm_keys(files: Mapping[str, bytes]) -> dict[str, str]:
    """``DRM.card0-eDP-1`` values as attach_drm_info writes them, from the connector dump and the EDIDs."""
    attrs: dict[str, dict[str, str]] = {}
    for line in _text(files, "raw/drm/connectors.txt").splitlines():
        m = re.match(r"^\S*/(card\d+-[^/]+)/(status|enabled|dpms|modes): ?(.*)$", line)
        if not m:
            continue
        conn, name, val = m[1], m[2], m[3]
        have = attrs.setdefault(conn, {})
        # `modes` is one mode per line in sysfs; apport joins them with spaces
        have[name] = f"{have[name]} {val}".strip() if name in have else val
    for path, data in files.items():
        m = re.match(r"^raw/drm/(card\d+-.+)\.edid\.bin$", path)
        if m:
            attrs.setdefault(m[1], {})["edid-base64"] = base64.b64encode(data).decode()
    out = {}
    for conn, values in sorted(attrs.items()):
        out[f"DRM.{_INVALID_KEY_CHARS.sub('.', conn.replace(' ', '_'))}"] = "\n".join(
            f"{k}: {v}" for k, v in sorted(values.items())
        )
    return out
