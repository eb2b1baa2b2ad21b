"""The helper's gpu_dump op: GPU crash dumps and firmware tables that only root may read, by fixed id.

What the drm maintainers ask for after a hang (drm.pages.freedesktop.org/intel-docs/how-to-file-i915-bugs.html,
Documentation/gpu/amdgpu/debugging.rst): i915's error state (/sys/class/drm/cardN/error, mode 0600), the
devcoredump the xe and amdgpu drivers leave (/sys/class/devcoredump/devcdN/data, Documentation/ABI/testing/
sysfs-devices-coredump), the VBT (debugfs dri/N/i915_vbt) and amdgpu's firmware table (debugfs dri/N/
amdgpu_firmware_info). Ids are built here from those fixed folders; a request names an id, never a path.
Dumps are read whole up to a cap and sent xz-compressed (an error state is mostly ascii85 and compresses well).
"""

from __future__ import annotations

import base64
import hashlib
import lzma
import os
import re
from dataclasses import dataclass
from pathlib import Path

MAX_DUMP_BYTES = 64 << 20
_CARD = re.compile(r"^card\d+$")
_DEVCD = re.compile(r"^devcd\d+$")
_DRI = re.compile(r"^\d+$")


@dataclass(frozen=True, slots=True)
class GpuDump:
    id: str  # "error-state:card0", "devcoredump:devcd1", "vbt:dri0", "amdgpu-firmware:dri0"
    kind: str
    path: Path
    description: str


def _names(folder: Path, rx: re.Pattern[str]) -> list[str]:
    try:
        return sorted(n for n in os.listdir(folder) if rx.match(n))
    except OSError:
        return []


def list_gpu_dumps(sysfs: Path = Path("/sys"), debugfs: Path = Path("/sys/kernel/debug")) -> dict[str, GpuDump]:
    """Every dump and table this machine has now (dumps come and go: listed afresh on each request)."""
    out: dict[str, GpuDump] = {}

    def add(d: GpuDump) -> None:
        if d.path.is_file():
            out[d.id] = d

    for card in _names(sysfs / "class/drm", _CARD):
        add(
            GpuDump(
                f"error-state:{card}",
                "error-state",
                sysfs / "class/drm" / card / "error",
                f"i915 error state of {card}",
            )
        )
    for dev in _names(sysfs / "class/devcoredump", _DEVCD):
        add(
            GpuDump(
                f"devcoredump:{dev}",
                "devcoredump",
                sysfs / "class/devcoredump" / dev / "data",
                f"device coredump {dev}",
            )
        )
    for dri in _names(debugfs / "dri", _DRI):
        add(GpuDump(f"vbt:dri{dri}", "vbt", debugfs / "dri" / dri / "i915_vbt", f"Video BIOS Table of dri/{dri}"))
        add(
            GpuDump(
                f"amdgpu-firmware:dri{dri}",
                "amdgpu-firmware",
                debugfs / "dri" / dri / "amdgpu_firmware_info",
                f"amdgpu firmware versions of dri/{dri}",
            )
        )
    return out


def read_gpu_dump(dump: GpuDump, cap_bytes: int = MAX_DUMP_BYTES) -> tuple[bytes, bool]:
    """The file's bytes up to the cap (sysfs and debugfs files say size 0 or 4096: read to EOF)."""
    fd = os.open(dump.path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK)
    try:
        chunks, total = [], 0
        while total <= cap_bytes:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    finally:
        os.close(fd)
    data = b"".join(chunks)
    return data[:cap_bytes], len(data) > cap_bytes


def encode(dump: GpuDump, data: bytes, truncated: bool) -> dict[str, object]:
    return {
        "id": dump.id,
        "kind": dump.kind,
        "bytes": len(data),
        "truncated": truncated,
        "sha256": hashlib.sha256(data).hexdigest(),
        "xz_base64": base64.b64encode(lzma.compress(data, preset=6)).decode(),
    }


def decode(answer: dict[str, object], cap_bytes: int = MAX_DUMP_BYTES) -> bytes:
    """The client's side: the bytes, checked against the size and checksum the helper sent."""
    packed = base64.b64decode(str(answer.get("xz_base64", "")), validate=True)
    d = lzma.LZMADecompressor()
    data = d.decompress(packed, max_length=cap_bytes + 1)
    if (
        len(data) > cap_bytes
        or len(data) != answer.get("bytes")
        or hashlib.sha256(data).hexdigest() != answer.get("sha256")
    ):
        raise ValueError("the dump does not match the size and checksum the helper sent")
    return data
