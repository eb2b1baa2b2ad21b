"""The idle verdict: name what keeps the machine awake, from an idle analysis document."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hwinspector.i18n import N_

# Thresholds in the spirit of powertop's and of Intel's S0ix guidance: a quiet laptop wakes a few
# hundred times a second in total; one source above these deserves a name.
PROCESS_WAKEUPS_PER_S = 50.0
PROCESS_CPU_PERCENT = 5.0
IRQ_PER_S = 200.0
TIMER_IRQ_NAMES = (N_("Local timer interrupts"), "timer")
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
            culprits.append(
                # xgettext:no-python-format
                N_("{name} (pid {pid}) uses {cpu_percent:.0f} % of a core").format(
                    name=p["name"], pid=p["pid"], cpu_percent=p["cpu_percent"]
                )
            )
        elif p["wakeups_per_s"] >= PROCESS_WAKEUPS_PER_S:
            culprits.append(
                N_("{name} (pid {pid}) wakes up {wakeups_per_s:.0f} times a second").format(
                    name=p["name"], pid=p["pid"], wakeups_per_s=p["wakeups_per_s"]
                )
            )
    for i in doc.get("interrupts", []):
        # Numbered IRQs are devices; LOC, RES, CAL, TLB… are the CPUs' own (timer, IPIs), caused by
        # the processes already listed.
        if i["per_s"] >= IRQ_PER_S and i["irq"].isdigit() and not any(t in i["name"] for t in TIMER_IRQ_NAMES):
            culprits.append(
                N_("CPU {busiest_cpu} woken {busiest_cpu_per_s:.0f}/s by irq {irq} {name}")
                .format(
                    busiest_cpu=i["busiest_cpu"], busiest_cpu_per_s=i["busiest_cpu_per_s"], irq=i["irq"], name=i["name"]
                )
                .rstrip()
            )
    priv = doc.get("privileged") or {}
    pkg = priv.get("package_cstates") or {}
    if pkg:
        deep = sum(v for k, v in pkg.items() if k.split(":")[1] in DEEP_PACKAGE_STATES)
        if deep < 1.0:
            reached = [k.split(":")[1] for k, v in pkg.items() if v >= 1.0]
            floor = reached[-1].replace("pkg_c", "PC") if reached else "PC0/PC2"
            culprits.insert(
                0,
                # xgettext:no-python-format
                N_("package never below {floor} (PC6 and deeper: {deep:.1f} % of the window)").format(
                    floor=floor, deep=deep
                ),
            )
    lpi = doc.get("lpi") or {}
    if "system_residency_percent" in lpi and lpi["system_residency_percent"] == 0:
        hints.append(N_("the platform never entered S0ix/LPI during the window (system residency did not move)"))
    on_devices = [d for d in doc.get("devices", []) if d["control"] == "on" and d["active_percent"] >= 99]
    if on_devices:
        hints.append(
            N_("{n} device(s) have runtime PM off (power/control = on): see the tunables").format(n=len(on_devices))
        )
    for cpu in doc.get("cpuidle", []):
        states = cpu["states"]
        if (
            len(states) > 1
            and states[-1]["residency_percent"] < 10
            and sum(s["residency_percent"] for s in states) > 50
        ):
            hints.append(
                N_(
                    "CPU {cpu} idles mostly in shallow states ({state}: {residency_percent:.0f} %): a latency "
                    "constraint or frequent timers"
                ).format(cpu=cpu["cpu"], state=states[-1]["state"], residency_percent=states[-1]["residency_percent"])
            )
            break
    if doc.get("throttle_events"):
        hints.append(N_("thermal throttling happened during the window"))
    if culprits:
        summary = N_("Kept awake by: ") + "; ".join(culprits[:3])
    elif hints:
        summary = N_("No single culprit; ") + hints[0]
    else:
        summary = N_("Quiet: no process, interrupt or device above the thresholds")
    return Verdict(summary, tuple(culprits), tuple(hints), not culprits)
