"""powertop-style tunables: settings that cost idle power, each with the exact command that changes it.

They are suggestions only: nothing here writes anything. The commands use ``tee`` so they can be
run by an administrator exactly as shown.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True, slots=True)
class Tunable:
    what: str
    current: str
    suggested: str
    command: str

    def to_json(self) -> dict[str, Any]:
        return {"what": self.what, "current": self.current, "suggested": self.suggested, "command": self.command}


def _read(path: Path) -> str | None:
    try:
        return path.read_text(errors="replace").strip()
    except OSError:
        return None


def _tee(value: str, path: Path, sysfs: Path, procfs: Path) -> str:
    # Show the real path even when reading a fake tree in tests.
    shown = str(path)
    for root, real in ((sysfs, "/sys"), (procfs, "/proc")):
        if shown.startswith(str(root) + "/"):
            shown = real + shown[len(str(root)) :]
    return f"echo {value} | sudo tee {shown}"


def list_tunables(sysfs: Path = Path("/sys"), procfs: Path = Path("/proc"), limit: int = 40) -> list[Tunable]:
    out: list[Tunable] = []
    checks: list[tuple[Path, str, Callable[[str], bool], str]] = [
        (procfs / "sys/kernel/nmi_watchdog", "NMI watchdog", lambda v: v != "0", "0"),
        (procfs / "sys/vm/dirty_writeback_centisecs", "VM writeback timeout", lambda v: int(v) < 1500, "1500"),
        (sysfs / "module/snd_hda_intel/parameters/power_save", "audio codec power save", lambda v: v == "0", "1"),
    ]
    for path, what, bad, good in checks:
        v = _read(path)
        try:
            if v is not None and bad(v):
                out.append(Tunable(what, v, good, _tee(good, path, sysfs, procfs)))
        except ValueError:
            continue
    hosts = sysfs / "class" / "scsi_host"
    try:
        names = sorted(os.listdir(hosts))
    except OSError:
        names = []
    for h in names:
        p = hosts / h / "link_power_management_policy"
        v = _read(p)
        if v is not None and v not in ("med_power_with_dipm", "min_power"):
            out.append(
                Tunable(
                    f"SATA link power ({h})", v, "med_power_with_dipm", _tee("med_power_with_dipm", p, sysfs, procfs)
                )
            )
    for dirpath, dirnames, _ in os.walk(sysfs / "devices"):
        if dirpath == str(sysfs / "devices") and "virtual" in dirnames:
            dirnames.remove("virtual")
        dirnames[:] = [d for d in dirnames if d != "power"]
        p = Path(dirpath) / "power" / "control"
        if _read(p) == "on" and _read(Path(dirpath) / "power" / "runtime_status") in ("active", "suspended"):
            rel = "/" + os.path.relpath(dirpath, sysfs)
            out.append(Tunable(f"runtime PM for {rel}", "on", "auto", _tee("auto", p, sysfs, procfs)))
        if len(out) >= limit:
            break
    return out
