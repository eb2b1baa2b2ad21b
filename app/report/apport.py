"""An apport problem report (``ubuntu-bug FILE``, ``apport-cli -c FILE``) from a capture's redacted artifacts.

The file format is apport's ``problem_report``: RFC 822-like ``Key: value`` lines, multi-line values
continued with a leading space, binary values as ``Key: base64`` followed by base64 lines of one gzip
stream (header, deflate blocks, then CRC and size), written the way ``ProblemReport.write`` does so
apport's own loader reads them back. Key names are apport's (``hookutils.attach_hardware``,
``attach_drm_info``, ``Report.add_os_info``).
"""

from __future__ import annotations

import base64
import json
import os
import re
import struct
import time
import zlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from hwinspector.report import apport_keys
from hwinspector.report.bundle import Artifact

# raw artifact -> apport key (hookutils.attach_hardware, apport 2.x)
KEYS = {
    "raw/pci/lspci-vvnnk.txt": "Lspci",
    "raw/pci/lspci-tv.txt": "Lspci-vt",
    "raw/usb/lsusb.txt": "Lsusb",
    "raw/usb/lsusb-v.txt": "Lsusb-v",
    "raw/usb/lsusb-t.txt": "Lsusb-t",
    "raw/udev/udevadm-info-export-db.txt": "UdevDb",
    "raw/kernel/dmesg.txt": "CurrentDmesg",
    "raw/cpu/cpuinfo": "ProcCpuinfo",
    "raw/cpu/interrupts": "ProcInterrupts",
    "raw/kernel/modules": "ProcModules",
    "raw/kernel/cmdline": "ProcKernelCmdLine",
}
# apport leaves out the root-only DMI files (they hold serials) and kernel plumbing.
_DMI_LEFT_OUT = frozenset(
    {"product_serial", "board_serial", "chassis_serial", "product_uuid", "board_asset_tag", "chassis_asset_tag"}
)
_GZIP_START = b"\037\213\010"
_KEY_OK = re.compile(r"^[A-Za-z0-9._-]+$")
_CHUNK = 1 << 20


def _is_binary(data: bytes) -> bool:
    """apport's rule (ProblemReport.is_binary): a control character that is not whitespace."""
    return any(c < 32 and not chr(c).isspace() for c in data)


def _text_value(key: str, value: str) -> bytes:
    data = value.encode("utf-8")
    if "\n" in value:
        return key.encode() + b":\n " + data.replace(b"\n", b"\n ") + b"\n"
    return key.encode() + b": " + data + b"\n"


def _binary_value(key: str, data: bytes) -> bytes:
    """Byte for byte what ``ProblemReport.write`` produces for a binary value."""
    out = [key.encode() + b": base64\n "]
    header = _GZIP_START + b"\010\000\000\000\000\002\377" + key.encode() + b"\000"
    out.append(base64.b64encode(header) + b"\n ")
    comp = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS, zlib.DEF_MEM_LEVEL, 0)
    for i in range(0, len(data), _CHUNK):
        block = comp.compress(data[i : i + _CHUNK])
        if block:
            out.append(base64.b64encode(block) + b"\n ")
    tail = comp.flush() + struct.pack("<L", zlib.crc32(data) & 0xFFFFFFFF) + struct.pack("<L", len(data) & 0xFFFFFFFF)
    out.append(base64.b64encode(tail) + b"\n")
    return b"".join(out)


def _clean(data: bytes) -> str | bytes:
    """Text as apport's hooks store it (stripped), or the bytes when apport would treat them as binary."""
    if _is_binary(data):
        return data.strip()
    try:
        return data.decode("utf-8").strip()
    except UnicodeDecodeError:
        return data.strip()


def report_fields(
    manifest: Mapping[str, Any], sections: Mapping[str, Any], artifacts: Sequence[Artifact]
) -> dict[str, str | bytes]:
    """The report's keys and values (text or bytes) from one capture."""
    by_path = {a.path: a for a in artifacts}
    system = manifest.get("system") or {}
    created = time.strptime(str(manifest.get("created", ""))[:19], "%Y-%m-%dT%H:%M:%S")
    fields: dict[str, str | bytes] = {
        "ProblemType": "Bug",
        "Date": time.asctime(created),
        "Title": f"Hardware evidence: {system.get('title') or 'unknown machine'}",
        "SourcePackage": "linux",
        "Tags": "hwinspector",
        "HwinspectorReportId": str(manifest.get("report_id") or ""),
    }
    files = {a.path: a.data for a in artifacts}
    distro = apport_keys.distro_release(files, system.get("os_name"))
    if distro:
        fields["DistroRelease"] = distro
    arch = apport_keys.architecture(files, system.get("architecture"))
    if arch:
        fields["Architecture"] = arch
    if system.get("kernel"):
        # apport: ``uname -srm`` ("Linux 6.8.0-45-generic x86_64")
        fields["Uname"] = f"{system['kernel']} {system.get('architecture') or ''}".strip()
    # a hardware report is filed against the kernel, as apport's own kernel hooks file it
    fields["Package"] = apport_keys.kernel_package(files)
    signature = by_path.get("raw/kernel/version_signature")
    if signature is not None and signature.data.strip():
        fields["ProcVersionSignature"] = signature.data.decode("utf-8", "replace").strip()
    fields.update(apport_keys.drm_keys(files))
    for path, key in KEYS.items():
        art = by_path.get(path)
        if art is None or not art.data:
            continue
        value = _clean(art.data)
        if key == "ProcModules" and isinstance(value, str):
            value = "\n".join(sorted(value.splitlines()))  # apport runs `sort /proc/modules`
        fields[key] = value
    for path in sorted(p for p in by_path if p.startswith("raw/dmi/id/")):
        name = path.rsplit("/", 1)[-1]
        value = _clean(by_path[path].data)
        if name in _DMI_LEFT_OUT or not value or not isinstance(value, str):
            continue
        fields["dmi." + name.replace("_", ".")] = value
    if "dmi.sys.vendor" in fields and "dmi.product.name" in fields:
        fields["MachineType"] = f"{fields['dmi.sys.vendor']!s} {fields['dmi.product.name']!s}"
    summary = by_path.get("summary.md")
    if summary is not None:
        fields["HwinspectorSummary"] = summary.data.decode("utf-8", "replace").strip()
    doc = {"manifest": {**manifest, "artifacts": [a.entry() for a in artifacts]}, "sections": sections}
    fields["HwinspectorReport"] = json.dumps(doc, ensure_ascii=False, allow_nan=False, default=str).encode()
    return fields


def render(fields: Mapping[str, str | bytes]) -> bytes:
    """The report file: text keys sorted with ProblemType first, then binary keys sorted (as apport writes)."""
    for k in fields:
        if not _KEY_OK.match(k):
            raise ValueError(f"apport key {k!r} has characters apport refuses")
    text = sorted(k for k, v in fields.items() if isinstance(v, str))
    binary = sorted(k for k, v in fields.items() if isinstance(v, bytes))
    if "ProblemType" in text:
        text.remove("ProblemType")
        text.insert(0, "ProblemType")
    out = []
    for k in text:
        v = fields[k]
        assert isinstance(v, str)
        out.append(_text_value(k, v))
    for k in binary:
        v = fields[k]
        assert isinstance(v, bytes)
        out.append(_binary_value(k, v))
    return b"".join(out)


def write_apport(
    out: Path, manifest: Mapping[str, Any], sections: Mapping[str, Any], artifacts: Sequence[Artifact]
) -> Path:
    data = render(report_fields(manifest, sections, artifacts))
    tmp = out.with_name(f".{out.name}.{os.getpid()}.part")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return out
