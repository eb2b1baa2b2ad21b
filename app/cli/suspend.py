"""CLI: ``suspend`` shows how the last suspends went and what can wake the machine; ``--cycle S`` tests one."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from hwinspector.i18n import _, localize
from hwinspector.probes.errors import ProbeUnavailable
from hwinspector.probes.power.suspend import cycle_report, read_suspend
from hwinspector.probes.privileged.client import HelperClient, HelperRefused
from hwinspector.probes.privileged.protocol import SUSPEND_MAX_S, SUSPEND_MIN_S

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def register(sub: Any) -> None:
    p = sub.add_parser(
        "suspend",
        help=_(
            "suspend statistics, wakeup sources and IRQ, sleep modes, kernel log (exit 1: a flagged cycle or failure)"
        ),
        description=_(
            "Read /sys/power/suspend_stats, pm_wakeup_irq, /sys/class/wakeup, wake-enabled devices, "
            "mem_sleep, LPI residency and the kernel log's PM lines. --cycle S suspends the machine for S seconds "
            "through hwinspector-helper (RTC wake alarm; asks for an administrator password) and flags a spurious "
            "wakeup or too little hardware sleep, as amd-s2idle does."
        ),
    )
    p.add_argument("--json", action="store_true", help=_("machine-readable output"))
    p.add_argument(
        "--cycle",
        type=int,
        metavar="S",
        help=_("suspend now for S seconds ({SUSPEND_MIN_S}-{SUSPEND_MAX_S}) and measure before and after").format(
            SUSPEND_MIN_S=SUSPEND_MIN_S, SUSPEND_MAX_S=SUSPEND_MAX_S
        ),
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
        print(
            _("hwinspector suspend: --cycle must be from {SUSPEND_MIN_S} to {SUSPEND_MAX_S} seconds").format(
                SUSPEND_MIN_S=SUSPEND_MIN_S, SUSPEND_MAX_S=SUSPEND_MAX_S
            ),
            file=sys.stderr,
        )
        return EXIT_USAGE
    try:
        if args.cycle is not None:
            print(
                _("suspend: suspending for {cycle} s through hwinspector-helper…").format(cycle=args.cycle),
                file=sys.stderr,
            )
            doc = run_cycle(args.cycle, Path(args.sysfs), Path(args.procfs))
            doc.update(doc.pop("after"))
        else:
            doc = read_suspend(Path(args.sysfs), Path(args.procfs))
    except ProbeUnavailable as exc:  # HelperUnavailable is one too
        print(_("hwinspector suspend: {exc}").format(exc=exc), file=sys.stderr)
        return EXIT_USAGE
    except HelperRefused as exc:
        print(_("hwinspector suspend: the helper refused: {exc}").format(exc=exc), file=sys.stderr)
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
    print(_("Sleep states: {state}; mem_sleep: {modes}").format(state=" ".join(doc["state"]) or "-", modes=modes))
    st = doc["stats"]
    if st:
        line = _("Suspends: {success} succeeded, {fail} failed").format(
            success=st.get("success", "?"), fail=st.get("fail", "?")
        )
        if st.get("fail"):
            line += _("; last failure: {last_failed_dev} at {last_failed_step}").format(
                last_failed_dev=st.get("last_failed_dev") or "-", last_failed_step=st.get("last_failed_step") or "-"
            )
            line += _(" (errno {last_failed_errno})").format(last_failed_errno=st.get("last_failed_errno"))
        print(line)
        if "last_hw_sleep" in st:
            total = st.get("total_hw_sleep", 0) / 1e6
            print(
                _("Hardware sleep: last {last_hw_sleep:.1f} s, total {total:.1f} s").format(
                    last_hw_sleep=st["last_hw_sleep"] / 1e6, total=total
                )
            )
    w = doc.get("wakeup_irq")
    if w:
        print(_("Woken last by IRQ {irq} {name}").format(irq=w["irq"], name=w["name"] or "(name unknown)"))
    if doc["lpi_residency_us"]:
        print(_("LPI residency: ") + ", ".join(f"{k} {v / 1e6:.1f} s" for k, v in doc["lpi_residency_us"].items()))
    srcs = sorted(doc["wakeup_sources"], key=lambda s: s["wakeup_count"] or 0, reverse=True)
    if srcs:
        print(_("\nWakeup sources (most wakeups first)"))
        for s in srcs[:15]:
            print(f"  {s['wakeup_count'] or 0:6}  events {s['event_count'] or 0:6}  {s['name']}  {s['device'] or ''}")
    if doc["wake_enabled"]:
        print(_("\nDevices allowed to wake the machine ({n})").format(n=len(doc["wake_enabled"])))
        for d in doc["wake_enabled"][:20]:
            print(f"  {d}")
    c = doc.get("cycle")
    if c:
        outcome = _("succeeded") if c["succeeded"] else _("FAILED")
        print(
            _("\nTest cycle: asked {requested_s:g} s, suspended {suspended_s:.1f} s, {outcome}").format(
                requested_s=c["requested_s"], suspended_s=c["suspended_s"], outcome=outcome
            )
        )
        if c["hw_sleep_us"] is not None:
            print(_("  hardware sleep {hw_sleep_us:.1f} s").format(hw_sleep_us=c["hw_sleep_us"] / 1e6))
        for f in c["flags"]:
            print(f"  flag: {f}")
    if doc["log"]:
        print(_("\nKernel log (suspend lines)"))
        for line in doc["log"][-20:]:
            print(f"  {line}")
    for n in doc["notes"]:
        print(_("note: {note}").format(note=localize(n)))
