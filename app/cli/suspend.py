"""CLI: ``suspend`` shows how the last suspends went and what can wake the machine; ``--cycle S`` tests one."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from hwinspector.probes.errors import ProbeUnavailable
from hwinspector.probes.power.suspend import cycle_report, read_suspend
from hwinspector.probes.privileged.client import HelperClient, HelperRefused
from hwinspector.probes.privileged.protocol import SUSPEND_MAX_S, SUSPEND_MIN_S

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def register(sub: Any) -> None:
    p = sub.add_parser(
        "suspend",
        help="suspend statistics, wakeup sources and IRQ, sleep modes, kernel log (exit 1: a flagged cycle or failure)",
        description="Read /sys/power/suspend_stats, pm_wakeup_irq, /sys/class/wakeup, wake-enabled devices, "
        "mem_sleep, LPI residency and the kernel log's PM lines. --cycle S suspends the machine for S seconds "
        "through hwinspector-helper (RTC wake alarm; asks for an administrator password) and flags a spurious "
        "wakeup or too little hardware sleep, as amd-s2idle does.",
    )
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument(
        "--cycle",
        type=int,
        metavar="S",
        help=f"suspend now for S seconds ({SUSPEND_MIN_S}-{SUSPEND_MAX_S}) and measure before and after",
    )


def run_cycle(seconds: int, sysfs: Path = Path("/sys"), procfs: Path = Path("/proc")) -> dict[str, Any]:
    """Readings, one helper-driven suspend, readings again; raises HelperUnavailable/HelperRefused."""
    before = read_suspend(sysfs, procfs)
    with HelperClient() as client:
        result = client.request("suspend_cycle", seconds=seconds, timeout_s=seconds + 300)
    after = read_suspend(sysfs, procfs)
    return {"before": before, "after": after, "cycle": cycle_report(before, after, result)}


def run(args: argparse.Namespace) -> int | None:
    if args.command != "suspend":
        return None
    if args.cycle is not None and not SUSPEND_MIN_S <= args.cycle <= SUSPEND_MAX_S:
        print(f"hwinspector suspend: --cycle must be from {SUSPEND_MIN_S} to {SUSPEND_MAX_S} seconds", file=sys.stderr)
        return EXIT_USAGE
    try:
        if args.cycle is not None:
            print(f"suspend: suspending for {args.cycle} s through hwinspector-helper…", file=sys.stderr)
            doc = run_cycle(args.cycle, Path(args.sysfs), Path(args.procfs))
            doc.update(doc.pop("after"))
        else:
            doc = read_suspend(Path(args.sysfs), Path(args.procfs))
    except ProbeUnavailable as exc:  # HelperUnavailable is one too
        print(f"hwinspector suspend: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except HelperRefused as exc:
        print(f"hwinspector suspend: the helper refused: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    cycle = doc.get("cycle")
    problems = bool(cycle and (cycle["flags"] or not cycle["succeeded"]))
    if args.json:
        json.dump(doc, sys.stdout, indent=1, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        print_suspend(doc)
    return EXIT_PROBLEMS if problems else EXIT_OK


def print_suspend(doc: dict[str, Any]) -> None:
    modes = " ".join(f"[{m}]" if m == doc["mem_sleep_current"] else m for m in doc["mem_sleep"]) or "-"
    print(f"Sleep states: {' '.join(doc['state']) or '-'}; mem_sleep: {modes}")
    st = doc["stats"]
    if st:
        line = f"Suspends: {st.get('success', '?')} succeeded, {st.get('fail', '?')} failed"
        if st.get("fail"):
            line += f"; last failure: {st.get('last_failed_dev') or '-'} at {st.get('last_failed_step') or '-'}"
            line += f" (errno {st.get('last_failed_errno')})"
        print(line)
        if "last_hw_sleep" in st:
            total = st.get("total_hw_sleep", 0) / 1e6
            print(f"Hardware sleep: last {st['last_hw_sleep'] / 1e6:.1f} s, total {total:.1f} s")
    w = doc.get("wakeup_irq")
    if w:
        print(f"Woken last by IRQ {w['irq']} {w['name'] or '(name unknown)'}")
    if doc["lpi_residency_us"]:
        print("LPI residency: " + ", ".join(f"{k} {v / 1e6:.1f} s" for k, v in doc["lpi_residency_us"].items()))
    srcs = sorted(doc["wakeup_sources"], key=lambda s: s["wakeup_count"] or 0, reverse=True)
    if srcs:
        print("\nWakeup sources (most wakeups first)")
        for s in srcs[:15]:
            print(f"  {s['wakeup_count'] or 0:6}  events {s['event_count'] or 0:6}  {s['name']}  {s['device'] or ''}")
    if doc["wake_enabled"]:
        print(f"\nDevices allowed to wake the machine ({len(doc['wake_enabled'])})")
        for d in doc["wake_enabled"][:20]:
            print(f"  {d}")
    c = doc.get("cycle")
    if c:
        print(f"\nTest cycle: asked {c['requested_s']:g} s, suspended {c['suspended_s']:.1f} s, "
              f"{'succeeded' if c['succeeded'] else 'FAILED'}")  # fmt: skip
        if c["hw_sleep_us"] is not None:
            print(f"  hardware sleep {c['hw_sleep_us'] / 1e6:.1f} s")
        for f in c["flags"]:
            print(f"  flag: {f}")
    if doc["log"]:
        print("\nKernel log (suspend lines)")
        for line in doc["log"][-20:]:
            print(f"  {line}")
    for n in doc["notes"]:
        print(f"note: {n}")
