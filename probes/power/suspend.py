"""Suspend analysis: how the last suspends went, what can wake the machine, and what woke it.

Sources (all readable without root): /sys/power/suspend_stats (Linux 6.x; ``last_hw_sleep`` and
``total_hw_sleep`` since 6.4, counted by the AMD and Intel PMC drivers for s2idle), /sys/power/
pm_wakeup_irq (the IRQ that ended the last suspend; ENODATA when none did), /sys/power/mem_sleep,
/sys/class/wakeup (one entry per wakeup source, Linux 5.4+), power/wakeup of every device, the LPI
residency counters and the kernel log's PM lines.
"""

from __future__ import annotations

import contextlib
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hwinspector.probes.errors import ProbeUnavailable
from hwinspector.probes.kernel_log import LogLine, read_kernel_log
from hwinspector.probes.power.idle_readers import parse_interrupts, read_lpi_residency_us

# amd-s2idle's thresholds: a cycle that ends before 90 % of the requested time was woken by
# something else; hardware sleep under 90 % of a cycle of at least 60 s means the SoC did not stay
# in its deepest state for most of the time.
SPURIOUS_FRACTION = 0.9
HW_SLEEP_FRACTION = 0.9
HW_SLEEP_MIN_CYCLE_S = 60.0

_PM_LINE = re.compile(
    r"PM: (suspend entry|suspend exit|Syncing|Preparing|Some devices failed|Wakeup pending|"
    r"Triggering wakeup from IRQ|last active wakeup source|hibernation|resume|suspend of devices|"
    r"noirq|late suspend|Device .* failed)|ACPI: PM: (Waking up|Low-level resume|Preparing to enter)|"
    r"Timekeeping suspended for|Freezing (user space|remaining)|Restarting tasks|"
    r"amd_pmc|intel_pmc_core|s2idle|Filesystems sync",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class WakeupSource:
    name: str
    device: str | None  # the device it belongs to (devpath), where sysfs links one
    event_count: int | None
    wakeup_count: int | None  # events that aborted a suspend or woke the machine
    active_count: int | None
    total_time_ms: int | None


def _text(path: Path) -> str | None:
    try:
        return path.read_text(errors="replace").strip()
    except OSError:
        return None


def _int(path: Path) -> int | None:
    t = _text(path)
    try:
        return None if t is None else int(t)
    except ValueError:
        return None


def read_suspend_stats(sysfs: Path = Path("/sys")) -> dict[str, int | str]:
    """Every file of /sys/power/suspend_stats: integers as integers, names (last_failed_dev) as text."""
    d = sysfs / "power" / "suspend_stats"
    out: dict[str, int | str] = {}
    try:
        names = sorted(os.listdir(d))
    except OSError:
        return out
    for n in names:
        t = _text(d / n)
        if t is None:
            continue
        out[n] = int(t) if re.fullmatch(r"-?\d+", t) else t
    return out


def list_wakeup_sources(sysfs: Path = Path("/sys")) -> list[WakeupSource]:
    base = sysfs / "class" / "wakeup"
    try:
        names = sorted(os.listdir(base), key=lambda n: (len(n), n))
    except OSError:
        raise ProbeUnavailable(f"{base} is absent (Linux < 5.4, or no wakeup sources here)") from None
    out = []
    for n in names:
        d = base / n
        dev = None
        # Sources registered without a device (eventpoll, autosleep, ...) have no link; realpath of a
        # missing path would echo it back as if it were a device.
        if os.path.islink(d / "device"):
            try:
                link = os.path.realpath(d / "device", strict=True)
                if link.startswith(os.path.realpath(sysfs) + "/"):
                    dev = "/" + os.path.relpath(link, os.path.realpath(sysfs))
            except OSError:
                pass
        out.append(
            WakeupSource(
                _text(d / "name") or n,
                dev,
                _int(d / "event_count"),
                _int(d / "wakeup_count"),
                _int(d / "active_count"),
                _int(d / "total_time_ms"),
            )
        )
    return out


def list_wake_enabled(sysfs: Path = Path("/sys"), limit: int = 500) -> list[str]:
    """Devpaths whose power/wakeup says "enabled" (those may wake the machine from suspend)."""
    out = []
    root = sysfs / "devices"
    for dirpath, dirnames, _ in os.walk(root):
        if "power" in dirnames:
            dirnames.remove("power")
            if _text(Path(dirpath) / "power" / "wakeup") == "enabled":
                out.append("/" + os.path.relpath(dirpath, sysfs))
                if len(out) >= limit:
                    break
    return sorted(out)


def suspend_log_lines(lines: list[LogLine], limit: int = 200) -> list[str]:
    """The kernel log's suspend/resume lines, newest last, with their timestamps."""
    picked = [
        (f"[{x.time_us / 1e6:12.6f}] " if x.time_us is not None else "") + x.message
        for x in lines
        if _PM_LINE.search(x.message)
    ]
    return picked[-limit:]


def read_suspend(
    sysfs: Path = Path("/sys"), procfs: Path = Path("/proc"), devkmsg: Path = Path("/dev/kmsg")
) -> dict[str, Any]:
    """Everything the suspend analysis shows, as JSON; a part that cannot be read says why."""
    power = sysfs / "power"
    if not power.is_dir():
        raise ProbeUnavailable(f"{power} is absent: this kernel has no power management interface")
    mem_sleep = (_text(power / "mem_sleep") or "").split()
    doc: dict[str, Any] = {
        "state": (_text(power / "state") or "").split(),
        "mem_sleep": [w.strip("[]") for w in mem_sleep],
        "mem_sleep_current": next((w.strip("[]") for w in mem_sleep if w.startswith("[")), None),
        "stats": read_suspend_stats(sysfs),
        "lpi_residency_us": read_lpi_residency_us(sysfs),
        "notes": [],
    }
    irq = _text(power / "pm_wakeup_irq")
    wake_irq: dict[str, Any] | None = None
    if irq is not None and irq.isdigit():
        name = None
        with contextlib.suppress(OSError):
            name = next((i.name for i in parse_interrupts((procfs / "interrupts").read_text()) if i.irq == irq), None)
        wake_irq = {"irq": int(irq), "name": name}
    doc["wakeup_irq"] = wake_irq
    try:
        doc["wakeup_sources"] = [
            {
                "name": w.name,
                "device": w.device,
                "event_count": w.event_count,
                "wakeup_count": w.wakeup_count,
                "active_count": w.active_count,
                "total_time_ms": w.total_time_ms,
            }
            for w in list_wakeup_sources(sysfs)
        ]
    except ProbeUnavailable as exc:
        doc["wakeup_sources"] = []
        doc["notes"].append(exc.reason)
    doc["wake_enabled"] = list_wake_enabled(sysfs)
    try:
        doc["log"] = suspend_log_lines(read_kernel_log(devkmsg))
    except (OSError, ProbeUnavailable) as exc:
        doc["log"] = []
        why = exc.reason if isinstance(exc, ProbeUnavailable) else (exc.strerror or str(exc))
        doc["notes"].append(why)
    if not doc["stats"]:
        doc["notes"].append("no /sys/power/suspend_stats (kernel without CONFIG_PM_SLEEP, or older than 6.x)")
    elif "last_hw_sleep" not in doc["stats"]:
        doc["notes"].append("no last_hw_sleep in suspend_stats (Linux 6.4+ with the AMD or Intel PMC driver)")
    return doc


def judge_cycle(requested_s: float, suspended_s: float, hw_sleep_us: int | None) -> list[str]:
    """amd-s2idle's flags for one test cycle: spurious wakeup, too little hardware sleep."""
    flags = []
    if suspended_s < SPURIOUS_FRACTION * requested_s:
        flags.append(
            f"spurious wakeup: woke after {suspended_s:.1f} s of the {requested_s:g} s asked "
            f"(under {SPURIOUS_FRACTION:.0%})"
        )
    if hw_sleep_us is not None and suspended_s >= HW_SLEEP_MIN_CYCLE_S:
        share = hw_sleep_us / 1e6 / suspended_s
        if share < HW_SLEEP_FRACTION:
            flags.append(
                f"hardware sleep only {share:.0%} of the {suspended_s:.0f} s cycle (under {HW_SLEEP_FRACTION:.0%})"
            )
    return flags


def cycle_report(before: dict[str, Any], after: dict[str, Any], result: dict[str, Any]) -> dict[str, Any]:
    """A test cycle from the helper's answer and the suspend readings on either side of it."""
    sb, sa = before.get("stats", {}), after.get("stats", {})
    succeeded = (
        isinstance(sa.get("success"), int) and isinstance(sb.get("success"), int) and sa["success"] > sb["success"]
    )
    hw = sa.get("last_hw_sleep") if succeeded and isinstance(sa.get("last_hw_sleep"), int) else None
    lb, la = before.get("lpi_residency_us", {}), after.get("lpi_residency_us", {})
    lpi = {k: la[k] - lb[k] for k in la if k in lb}
    requested, suspended = float(result["requested_s"]), float(result["suspended_s"])
    flags = judge_cycle(requested, suspended, hw)
    if succeeded and lpi.get("system") == 0 and suspended >= HW_SLEEP_MIN_CYCLE_S:
        flags.append(f"the platform never reached S0ix/LPI: system LPI residency did not move in {suspended:.0f} s")
    return {
        "requested_s": requested,
        "suspended_s": round(suspended, 3),
        "succeeded": succeeded,
        "hw_sleep_us": hw,
        "lpi_delta_us": lpi,
        "wakeup_irq": after.get("wakeup_irq"),
        "failed_step": sa.get("last_failed_step") if not succeeded else None,
        "flags": flags,
    }
