"""The idle verdict: name what keeps the machine awake, from an idle analysis document."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Thresholds in the spirit of powertop's and of Intel's S0ix guidance: a quiet laptop wakes a few
# hundred times a second in total; one source above these deserves a name.
PROCESS_WAKEUPS_PER_S = 50.0
PROCESS_CPU_PERCENT = 5.0
IRQ_PER_S = 200.0
TIMER_IRQ_NAMES = ("Local timer interrupts", "timer")
DEEP_PACKAGE_STATES = ("pkg_c6", "pkg_c7", "pkg_c8", "pkg_c9", "pkg_c10")


@dataclass(frozen=True, slots=True)
class Verdict:
    summary: str
    culprits: tuple[str, ...]
    hints: tuple[str, ...]
    quiet: bool  # nothing above the thresholds

    def to_json(self) -> dict[str, Any]:
        return {
            "summary": self.summary,
            "culprits": list(self.culprits),
            "hints": list(self.hints),
            "quiet": self.quiet,
        }


def judge(doc: dict[str, Any]) -> Verdict:
    culprits: list[str] = []
    hints: list[str] = []
    own = doc.get("self", {}).get("pid")
    for p in doc.get("processes", []):
        if p["pid"] == own:
            continue
        if p["cpu_percent"] >= PROCESS_CPU_PERCENT:
            culprits.append(f"{p['name']} (pid {p['pid']}) uses {p['cpu_percent']:.0f} % of a core")
        elif p["wakeups_per_s"] >= PROCESS_WAKEUPS_PER_S:
            culprits.append(f"{p['name']} (pid {p['pid']}) wakes up {p['wakeups_per_s']:.0f} times a second")
    for i in doc.get("interrupts", []):
        # Numbered IRQs are devices; LOC, RES, CAL, TLB… are the CPUs' own (timer, IPIs), caused by
        # the processes already listed.
        if i["per_s"] >= IRQ_PER_S and i["irq"].isdigit() and not any(t in i["name"] for t in TIMER_IRQ_NAMES):
            culprits.append(
                f"CPU {i['busiest_cpu']} woken {i['busiest_cpu_per_s']:.0f}/s by irq {i['irq']} {i['name']}".rstrip()
            )
    priv = doc.get("privileged") or {}
    pkg = priv.get("package_cstates") or {}
    if pkg:
        deep = sum(v for k, v in pkg.items() if k.split(":")[1] in DEEP_PACKAGE_STATES)
        if deep < 1.0:
            reached = [k.split(":")[1] for k, v in pkg.items() if v >= 1.0]
            floor = reached[-1].replace("pkg_c", "PC") if reached else "PC0/PC2"
            culprits.insert(0, f"package never below {floor} (PC6 and deeper: {deep:.1f} % of the window)")
    lpi = doc.get("lpi") or {}
    if "system_residency_percent" in lpi and lpi["system_residency_percent"] == 0:
        hints.append("the platform never entered S0ix/LPI during the window (system residency did not move)")
    on_devices = [d for d in doc.get("devices", []) if d["control"] == "on" and d["active_percent"] >= 99]
    if on_devices:
        hints.append(f"{len(on_devices)} device(s) have runtime PM off (power/control = on): see the tunables")
    for cpu in doc.get("cpuidle", []):
        states = cpu["states"]
        if (
            len(states) > 1
            and states[-1]["residency_percent"] < 10
            and sum(s["residency_percent"] for s in states) > 50
        ):
            hints.append(
                f"CPU {cpu['cpu']} idles mostly in shallow states ({states[-1]['state']}: "
                f"{states[-1]['residency_percent']:.0f} %): a latency constraint or frequent timers"
            )
            break
    if doc.get("throttle_events"):
        hints.append("thermal throttling happened during the window")
    if culprits:
        summary = "Kept awake by: " + "; ".join(culprits[:3])
    elif hints:
        summary = "No single culprit; " + hints[0]
    else:
        summary = "Quiet: no process, interrupt or device above the thresholds"
    return Verdict(summary, tuple(culprits), tuple(hints), not culprits)
