"""Runs edid-decode (Debian 12's, git 2022-03-15) as the EDID tests' oracle and reads its output back."""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

EDID_DECODE = shutil.which("edid-decode")


@dataclass
class Section:
    """One data block of an extension: its heading line and its indented lines."""

    heading: str
    lines: list[str] = field(default_factory=list)


@dataclass
class Block:
    index: int
    name: str
    lines: list[str] = field(default_factory=list)

    def value(self, label: str) -> str | None:
        for line in self.lines:
            s = line.strip()
            if s.startswith(label + ": "):
                return s[len(label) + 2 :]
        return None

    def sections(self) -> list[Section]:
        """Data blocks: lines indented by exactly two spaces that end in ':'; the rest is content."""
        out: list[Section] = []
        for line in self.lines:
            if re.match(r"  \S", line):
                if line.endswith(":") and line.strip() != "Detailed Timing Descriptors:":
                    out.append(Section(line.strip()[:-1]))
                else:
                    out.append(Section(""))  # a header line such as "Revision: 3"
            elif out and line.startswith("    "):
                out[-1].lines.append(line)
        return [s for s in out if s.heading]

    @property
    def checksum_ok(self) -> bool:
        last = [line for line in self.lines if line.startswith("Checksum:")]
        return not last or "should be" not in last[-1]


@dataclass
class Decoded:
    blocks: list[Block]
    preferred: list[str]
    text: str


def edid_decode(path: Path) -> Decoded:
    """edid-decode -p on a file (binary, or any text format edid-decode reads)."""
    assert EDID_DECODE, "edid-decode is not installed (apt-get install edid-decode)"
    proc = subprocess.run([EDID_DECODE, "-p", str(path)], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, f"edid-decode failed on {path}: {proc.stderr}"
    return parse_output(proc.stdout)


def parse_output(text: str) -> Decoded:
    blocks: list[Block] = []
    preferred: list[str] = []
    current: list[str] | None = None
    for line in text.splitlines():
        if line in ("Warnings:", "Failures:"):
            break  # -c's summary names blocks too
        m = re.match(r"Block (\d+), (.*):$", line)
        if m:
            blocks.append(Block(int(m.group(1)), m.group(2)))
            current = blocks[-1].lines
        elif line.startswith("Preferred Video Timing"):
            current = preferred
            preferred.append(line)
        elif line.startswith("----") or line.startswith("Native Video Resolution"):
            current = None
        elif current is not None and line:
            current.append(line)
    return Decoded(blocks, preferred, text)


def check_messages(path: Path) -> dict[int, list[str]]:
    """edid-decode -c's warnings and failures, by block number (-1 for the whole-EDID ones)."""
    assert EDID_DECODE
    proc = subprocess.run([EDID_DECODE, "-c", str(path)], capture_output=True, text=True, timeout=30)
    assert proc.returncode in (0, 254), proc.stderr  # 254: the EDID does not conform
    out: dict[int, list[str]] = {}
    block = None
    summary = False
    for line in proc.stdout.splitlines():
        if line in ("Warnings:", "Failures:"):
            summary, block = True, None
            continue
        m = re.match(r"Block (\d+), .*:$", line)
        if summary and (m or line == "EDID:"):
            block = int(m.group(1)) if m else -1
        elif block is not None and line.startswith("  "):
            out.setdefault(block, []).append(line.strip())
    return out


def raw_bytes(path: Path, out: Path) -> bytes:
    """The bytes edid-decode extracts from a text dump (it writes them raw when given an output file)."""
    assert EDID_DECODE
    proc = subprocess.run([EDID_DECODE, str(path), str(out)], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, proc.stderr
    return out.read_bytes()


TIMING = re.compile(r"(?:DTD\s*\d*|VIC\s+\d+|HDMI VIC \d+):\s+(\d+)x(\d+)(i?)\s+([\d.]+) Hz.*?([\d.]+) MHz")


def timing(line: str) -> tuple[int, int, bool, float, int] | None:
    """(width, height, interlaced, refresh Hz, pixel clock kHz) from an edid-decode timing line."""
    m = TIMING.search(line)
    if not m:
        return None
    w, h, i, hz, mhz = m.groups()
    return int(w), int(h), i == "i", float(hz), round(float(mhz) * 1000)


PORCHES = re.compile(r"Hfront\s+(-?\d+) Hsync\s+(\d+) Hback\s+(-?\d+).*?(?:Hborder (\d+))?$")
VPORCHES = re.compile(r"Vfront\s+(-?\d+) Vsync\s+(\d+) Vback\s+(-?\d+).*?(?:Vborder (\d+))?(?: Vfront|$)")


def detailed(lines: list[str], i: int) -> tuple[int, ...] | None:
    """Porches and borders printed under the timing line lines[i]: hfp hsync hbp hborder vfp vsync vbp vborder."""
    if i + 2 >= len(lines):
        return None
    h, v = PORCHES.search(lines[i + 1].strip()), VPORCHES.search(lines[i + 2].strip())
    if not h or not v:
        return None
    return tuple(int(g or 0) for g in h.groups() + v.groups())


TAGS = {
    "CTA-861 Extension Block": "CTA-861",
    "DisplayID Extension Block": "DisplayID",
    "Block Map Extension Block": "Block Map",
    "Localized String Extension Block": "LS-EXT",
    "Display Information Extension Block": "DI-EXT",
    "Video Timing Extension Block": "VTB-EXT",
}


def tag(block_name: str) -> str:
    if block_name in TAGS:
        return TAGS[block_name]
    m = re.fullmatch(r"Unknown EDID Extension Block 0x([0-9a-f]{2})", block_name)
    if m:
        return f"Unknown (0x{m.group(1).upper()})"
    byte = {
        "Manufacturer-Specific Extension Block": 0xFF,
        "EDID 2.0 Extension Block": 0x20,
        "Microdisplay Interface Extension Block": 0x60,
    }[block_name]
    return f"Unknown (0x{byte:02X})"
