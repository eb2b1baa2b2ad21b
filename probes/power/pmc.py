"""Platform low-power residency from the PMC drivers' debugfs files (Intel pmc_core, AMD amd_pmc).

debugfs is mounted root-only (mode 0700), so these are read by ``hwinspector-helper``. The files and
their formats: Documentation/ABI/testing/debugfs-pmc_core-style names from drivers/platform/x86/intel/pmc
(``slp_s0_residency_usec``: S0ix residency in µs; ``package_cstate_show``: "Package C2 : 123" lines) and
drivers/platform/x86/amd/pmc (``s0ix_stats``: "Residency Time: 123" lines, µs).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

MAX_TEXT_BYTES = 64 * 1024


@dataclass(frozen=True, slots=True)
class PmcFile:
    """One debugfs file the helper offers by id: integer counter or short text table."""

    id: str  # "pmc:intel:slp_s0_residency_usec"
    relative: str  # path under the debugfs mount, fixed here, never taken from a request
    kind: str  # "int" or "text"
    description: str


PMC_FILES: tuple[PmcFile, ...] = (
    PmcFile("pmc:intel:slp_s0_residency_usec", "pmc_core/slp_s0_residency_usec", "int", "S0ix (SLP_S0) residency, µs"),
    PmcFile("pmc:intel:package_cstate_show", "pmc_core/package_cstate_show", "text", "package C-state counters"),
    PmcFile("pmc:intel:substate_residencies", "pmc_core/substate_residencies", "text", "S0ix substate residency"),
    PmcFile("pmc:intel:ltr_show", "pmc_core/ltr_show", "text", "latency tolerance reported per IP block"),
    PmcFile("pmc:amd:s0ix_stats", "amd_pmc/s0ix_stats", "text", "S0ix entry/exit time and residency, µs"),
    PmcFile("pmc:amd:smu_fw_info", "amd_pmc/smu_fw_info", "text", "SMU firmware idle statistics"),
)


def list_pmc_files(debugfs: Path = Path("/sys/kernel/debug")) -> list[PmcFile]:
    """The PMC files present under this debugfs mount (none where debugfs is absent or unreadable)."""
    out = []
    for f in PMC_FILES:
        try:
            if (debugfs / f.relative).is_file():
                out.append(f)
        except OSError:
            continue
    return out


def read_pmc_file(f: PmcFile, debugfs: Path = Path("/sys/kernel/debug")) -> int | str:
    """The file's integer (kind "int") or its text, cut at MAX_TEXT_BYTES. Raises OSError/ValueError."""
    with open(debugfs / f.relative, "rb") as fh:
        data = fh.read(MAX_TEXT_BYTES)
    text = data.decode("utf-8", errors="replace")
    if f.kind == "int":
        return int(text.strip())
    return text


_AMD_RESIDENCY = re.compile(r"^\s*Residency Time:\s*(\d+)", re.MULTILINE)
_INTEL_PKG = re.compile(r"^\s*Package\s+(C\d+)\s*:\s*(\d+)", re.MULTILINE)


def parse_amd_s0ix_residency_us(text: str) -> int | None:
    """amd_pmc s0ix_stats' "Residency Time" (µs in the last s0i3 cycle), or None."""
    m = _AMD_RESIDENCY.search(text)
    return int(m.group(1)) if m else None


def parse_intel_package_cstates(text: str) -> dict[str, int]:
    """pmc_core package_cstate_show: {"C2": counter, ...} (raw counts as the driver prints them)."""
    return {m.group(1): int(m.group(2)) for m in _INTEL_PKG.finditer(text)}
