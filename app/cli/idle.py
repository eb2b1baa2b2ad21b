"""CLI: ``idle`` measures what keeps the machine out of deep idle over a window (default 20 s)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from hwinspector.cli.tables import table
from hwinspector.i18n import _, localize
from hwinspector.probes.power.idle import DEFAULT_DURATION_S, PrivilegedReader, measure_idle
from hwinspector.probes.privileged.client import HelperClient, HelperReader, HelperRefused, HelperUnavailable

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def register(sub: Any) -> None:
    p = sub.add_parser(
        "idle",
        help=_("what keeps the machine out of deep idle: processes, interrupts, devices, C-states (exit 1: culprits)"),
        description=_(
            "Read every idle counter, wait, read again: per-process CPU and wakeups, interrupts/s, "
            "cpuidle and LPI residency, GPU rc6, runtime PM, throttling, battery drain; a verdict naming the "
            "culprits and powertop-style tunables (shown, never applied). Progress goes to stderr."
        ),
    )
    p.add_argument("--duration", type=float, default=DEFAULT_DURATION_S, metavar="S", help=_("window in seconds (20)"))
    p.add_argument("--json", action="store_true", help=_("machine-readable output"))
    p.add_argument(
        "--privileged",
        action="store_true",
        help=_(
            "also read root-only counters (package C-states, RAPL, PMC) through hwinspector-helper "
            "(asks for an administrator password through polkit)"
        ),
    )


def start_helper_reader() -> tuple[HelperClient | None, HelperReader | None, str | None]:
    """The helper and a reader over it, or the sentence saying why not."""
    try:
        client = HelperClient()
    except HelperUnavailable as exc:
        return None, None, str(exc)
    try:
        return client, HelperReader(client), None
    except (HelperUnavailable, HelperRefused) as exc:
        client.close()
        return None, None, str(exc)


def _progress(total_s: float) -> Any:
    tty = sys.stderr.isatty()
    shown = [-1]

    def report(fraction: float) -> None:
        done = int(fraction * total_s)
        if tty:
            sys.stderr.write("\r" + _("idle: measuring {done}/{total_s:g} s").format(done=done, total_s=total_s))
            if fraction >= 1:
                sys.stderr.write("\n")
        elif done // 5 != shown[0] // 5 or fraction >= 1:
            sys.stderr.write(_("idle: measuring {done}/{total_s:g} s").format(done=done, total_s=total_s) + "\n")
        shown[0] = done
        sys.stderr.flush()

    return report


def run(args: argparse.Namespace) -> int | None:
    if args.command != "idle":
        return None
    if not 1 <= args.duration <= 3600:
        print(_("hwinspector idle: --duration must be from 1 to 3600 seconds"), file=sys.stderr)
        return EXIT_USAGE
    client, reader, why = (None, None, None)
    if args.privileged:
        client, reader, why = start_helper_reader()
        if why:
            print(_("idle: root-only counters unavailable: {why}").format(why=why), file=sys.stderr)
    try:
        priv: PrivilegedReader | None = reader
        report = measure_idle(
            args.duration,
            sysfs=Path(args.sysfs),
            procfs=Path(args.procfs),
            privileged=priv,
            progress=_progress(args.duration),
        )
    finally:
        if client is not None:
            client.close()
    doc = report.doc
    gpu_findings = _dgpu(doc, Path(args.sysfs), Path(args.procfs))
    if args.privileged and reader is None:
        doc["privileged"] = {"available": False, "reason": why}
    elif reader is not None and doc.get("privileged") is not None:
        doc["privileged"]["absent"] = reader.absent
        doc["privileged"]["note"] = reader.note
    if args.json:
        json.dump(doc, sys.stdout, indent=1, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        print_idle(doc)
    return EXIT_OK if report.verdict.quiet and not gpu_findings else EXIT_PROBLEMS


def _dgpu(doc: dict[str, Any], sysfs: Path, procfs: Path) -> list[str]:
    """Discrete GPUs awake at the end of the window, and who holds them open: culprits of the verdict."""
    from hwinspector.probes.gpu.awake import read_awake_gpus

    gpus = read_awake_gpus(sysfs, procfs)
    doc["dgpu"] = [
        {
            "pci_address": g.pci_address,
            "driver": g.driver,
            "runtime_status": g.status,
            "control": g.control,
            "holders": [{"pid": p, "command": c, "node": n} for p, c, n in g.holders],
            "finding": g.finding,
        }
        for g in gpus
    ]
    findings = [g.finding for g in gpus if g.finding]
    doc["verdict"]["culprits"] = [*doc["verdict"]["culprits"], *findings]
    return findings


def print_idle(doc: dict[str, Any]) -> None:
    v = doc["verdict"]
    print(_("Idle analysis over {duration_s:.1f} s").format(duration_s=doc["duration_s"]))
    print(_("Verdict: {summary}").format(summary=v["summary"]))
    for c in v["culprits"]:
        print(f"  culprit: {c}")
    for h in v["hints"]:
        print(f"  hint: {h}")
    s = doc["self"]
    print(
        _("This inspector: {cpu_percent:.2f} % CPU, {wakeups_per_s:.1f} wakeups/s (pid {pid})").format(
            cpu_percent=s["cpu_percent"], wakeups_per_s=s["wakeups_per_s"], pid=s["pid"]
        )
    )
    print(_("\nProcesses (wakeups = voluntary context switches/s, all threads, from /proc)"))
    rows = [
        [str(p["pid"]), p["name"], f"{p['cpu_percent']:.1f}", f"{p['wakeups_per_s']:.1f}"]
        for p in doc["processes"][:15]
    ]
    print(table(rows, ["PID", _("NAME"), _("CPU%"), _("WAKEUPS/S")]))
    print(_("\nInterrupts"))
    rows = [[i["irq"], f"{i['per_s']:.1f}", f"cpu{i['busiest_cpu']}", i["name"]] for i in doc["interrupts"][:15]]
    print(table(rows, ["IRQ", _("PER S"), _("BUSIEST"), _("NAME")]))
    # xgettext:no-python-format
    print(_("\nIdle states (residency % of the window)"))
    for c in doc["cpuidle"]:
        print(f"  cpu{c['cpu']}: " + ", ".join(f"{st['state']} {st['residency_percent']:.1f}%" for st in c["states"]))
    if doc.get("lpi"):
        print("  LPI: " + ", ".join(f"{k.split('_')[0]} {v:.1f}%" for k, v in doc["lpi"].items()))
    for card, pct in doc.get("gpu_rc6_percent", {}).items():
        print(_("  GPU {card} rc6: {pct:.1f}%").format(card=card, pct=pct))
    priv = doc.get("privileged")
    if isinstance(priv, dict) and priv.get("available") is False:
        print(_("\nRoot-only counters: unavailable ({reason})").format(reason=priv["reason"]))
    elif isinstance(priv, dict):
        print(_("\nRoot-only counters (hwinspector-helper)"))
        for section in ("package_cstates", "core_cstates", "pmc"):
            for k, pct in priv.get(section, {}).items():
                print(f"  {k}: {pct:.1f}%")
        for k, w in priv.get("rapl_watts", {}).items():
            print(f"  {k}: {w:.2f} W")
        for kind, reason in priv.get("absent", {}).items():
            print(_("  no {kind}: {reason}").format(kind=kind, reason=reason))
    busy = [d for d in doc["devices"] if d["active_percent"] > 0][:10]
    if busy:
        print(_("\nRuntime PM (devices active during the window)"))
        rows = [[f"{d['active_percent']:.0f}", d["control"], d["driver"] or "-", d["path"]] for d in busy]
        print(table(rows, [_("ACTIVE%"), _("CONTROL"), _("DRIVER"), _("DEVICE")]))
    b = doc.get("battery")
    if b:
        print(
            _("\nBattery {name} ({status}): {power_now_watts} W now").format(
                name=b["name"], status=b["status"], power_now_watts=b["power_now_watts"]
            )
        )
    if doc["tunables"]:
        print(_("\nTunables (suggestions; nothing was changed)"))
        for t in doc["tunables"][:20]:
            print(f"  {t['what']}: {t['current']} → {t['suggested']}\n    {t['command']}")
    for e in doc["errors"]:
        print(_("note: {note}").format(note=localize(e)))
