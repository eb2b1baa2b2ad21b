"""A umockdev recording laid out as a sysfs tree, so the GPU readers read a recorded machine as they read /sys."""

from __future__ import annotations

import os
import re
from pathlib import Path

from hwinspector.probes.errors import InputFormatError

_ESC = re.compile(r"\\(.)")
# A recording is text of a few MB at most; attribute values are one sysfs page.
MAX_RECORDING_BYTES = 64 << 20


def _unescape(value: str) -> str:
    # umockdev-record writes attribute values with C escapes (\n, \\, \t)
    return _ESC.sub(lambda m: {"n": "\n", "t": "\t", "\\": "\\"}.get(m.group(1), m.group(0)), value)


def _inside(root: Path, rel: str) -> Path:
    """root/rel, refusing anything that would leave root (a hostile recording: "../", absolute links)."""
    p = Path(os.path.normpath(root / rel.lstrip("/")))
    if p != root and root not in p.parents:
        raise InputFormatError(str(rel), "path leaves the recording's tree")
    return p


def materialize(text: str, root: Path, source: str = "recording") -> Path:
    """Write the recording's devices under ``root`` (devices/…, class/<subsystem>/<name> links) and return it."""
    root = Path(os.path.normpath(root))
    for n, block in enumerate(re.split(r"\n\s*\n", text), 1):
        lines = [ln for ln in block.splitlines() if ln.strip()]
        if not lines:
            continue
        if not lines[0].startswith("P: "):
            raise InputFormatError(source, f"record {n} does not start with 'P: devpath'")
        devpath = lines[0][3:].strip()
        d = _inside(root, devpath)
        d.mkdir(parents=True, exist_ok=True)
        props: dict[str, str] = {}
        for ln in lines[1:]:
            tag, _, rest = ln.partition(": ")
            name, _, value = rest.partition("=")
            if tag == "E":
                props[name] = value
            elif tag in ("A", "H", "L") and name and "/" not in name.replace("power/", ""):
                target = _inside(root, f"{devpath}/{name}")
                target.parent.mkdir(parents=True, exist_ok=True)
                if tag == "A":
                    target.write_text(_unescape(value))
                elif tag == "H":
                    try:
                        target.write_bytes(bytes.fromhex(value))
                    except ValueError:
                        raise InputFormatError(source, f"record {n}: {name} is not hex") from None
                elif not target.exists() and not target.is_symlink():
                    _inside(root, os.path.normpath(f"{devpath}/{value}"))  # refuse links out of the tree
                    target.symlink_to(value)
        uevent = d / "uevent"
        if not uevent.exists():
            keep = ("DRIVER", "PCI_CLASS", "PCI_ID", "PCI_SUBSYS_ID", "PCI_SLOT_NAME", "MAJOR", "MINOR", "DEVNAME")
            uevent.write_text("".join(f"{k}={props[k]}\n" for k in keep if k in props))
        subsystem = props.get("SUBSYSTEM")
        if subsystem:
            link = root / "class" / subsystem / d.name
            link.parent.mkdir(parents=True, exist_ok=True)
            if not link.is_symlink():
                link.symlink_to(os.path.relpath(d, link.parent))
    return root
