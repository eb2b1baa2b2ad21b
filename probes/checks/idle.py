"""Scorecard checks for idle and suspend: deep idle reached, the last suspend's hardware sleep, spurious wakeups."""

from __future__ import annotations

from typing import Any

from hwinspector.i18n import N_
from hwinspector.probes.checks.base import (
    Sections,
    Status,
    Verdict,
    as_dict,
    as_list,
    data,
    not_in_source,
    reason,
    source_lacks,
    virtual_reason,
)

HW_SLEEP_FRACTION = 0.9  # amd-s2idle's threshold (probes.power.suspend has the same)


def _deepest_per_cpu(cpuidle: list[Any]) -> dict[int, dict[str, Any]]:
    """The deepest enabled state of each CPU (highest index), from the cpu section's cpuidle list."""
    out: dict[int, dict[str, Any]] = {}
    for s in (as_dict(x) for x in cpuidle):
        cpu, idx = s.get("cpu"), s.get("index")
        if not isinstance(cpu, int) or not isinstance(idx, int) or s.get("disabled"):
            continue
        if cpu not in out or idx > int(out[cpu].get("index", -1)):
            out[cpu] = s
    return out


def check_deep_idle(sections: Sections) -> Verdict:
    cid, title = "deep-idle", N_("Deep idle reached")
    idle = as_dict(data(sections, "idle"))
    if idle:
        return _deep_idle_in_window(cid, title, idle)
    if source_lacks(sections, "cpu"):
        return not_in_source(cid, title, N_("idle state counters are"), sections, "cpu")
    cpuidle = as_list(as_dict(data(sections, "cpu")).get("cpuidle"))
    if not cpuidle:
        vm = virtual_reason(sections)
        why = (
            N_("not applicable: no cpuidle states ({vm})").format(vm=vm)
            if vm
            else N_("not applicable: no cpuidle driver")
        )
        return Verdict(cid, title, Status.NA, why, (reason(sections, "cpu"),))
    deepest = _deepest_per_cpu(cpuidle)
    names = {str(s.get("name")) for s in deepest.values()}
    if names <= {"POLL", "haltpoll idle", "WFI"} or all(str(s.get("name")).startswith("C1") for s in deepest.values()):
        vm = virtual_reason(sections)
        if vm:
            return Verdict(cid, title, Status.NA, N_("not applicable: a virtual machine's idle is the host's"), (vm,))
    never = sorted(c for c, s in deepest.items() if not s.get("time_us"))
    evidence = [N_("deepest state: {names}").format(names=", ".join(sorted(names)))]
    suspend = as_dict(data(sections, "suspend"))
    lpi = as_dict(suspend.get("lpi_residency_us"))
    if "system" in lpi:
        evidence.append(
            N_("ACPI LPI system residency since boot: {system:.1f} s").format(system=int(lpi["system"]) / 1e6)
        )
    if never:
        return Verdict(
            cid,
            title,
            Status.WARNING,
            N_("CPU {map} never entered its deepest idle state since boot").format(map=", ".join(map(str, never[:8]))),
            tuple(evidence),
            N_("Run `hwinspector idle` to see what keeps them awake (a process, an interrupt, a latency limit)."),
        )
    if lpi.get("system") == 0:
        return Verdict(
            cid,
            title,
            Status.WARNING,
            N_("the platform never reached its low-power idle state (LPI system residency 0)"),
            tuple(evidence),
            N_("A device blocks S0ix: `hwinspector idle --privileged` shows package C-states and PMC residency."),
        )
    return Verdict(cid, title, Status.PASS, N_("every CPU reached its deepest idle state"), tuple(evidence))


def _deep_idle_in_window(cid: str, title: str, idle: dict[str, Any]) -> Verdict:
    dur = idle.get("duration_s", 0)
    verdict = as_dict(idle.get("verdict"))
    evidence = [N_("idle window of {dur:.0f} s: {summary}").format(dur=dur, summary=verdict.get("summary", ""))]
    pkg = as_dict(as_dict(idle.get("privileged")).get("package_cstates"))
    lpi = as_dict(idle.get("lpi"))
    if pkg:
        deep = sum(
            float(v) for k, v in pkg.items() if k.split(":")[-1] in ("pkg_c6", "pkg_c7", "pkg_c8", "pkg_c9", "pkg_c10")
        )
        # xgettext:no-python-format
        evidence.append(N_("package C6 or deeper: {deep:.1f} % of the window").format(deep=deep))
        if deep < 1:
            return Verdict(
                cid, title, Status.FAIL, N_("the package never reached C6 or deeper while idle"), tuple(evidence)
            )
    if "system_residency_percent" in lpi:
        evidence.append(
            N_("LPI system residency: {system_residency_percent:.1f} %").format(
                system_residency_percent=lpi["system_residency_percent"]
            )
        )
        if lpi["system_residency_percent"] == 0:
            return Verdict(
                cid, title, Status.WARNING, N_("the platform never reached LPI/S0ix while idle"), tuple(evidence)
            )
    culprits = as_list(verdict.get("culprits"))
    if culprits:
        evidence += [N_("culprit: {c}").format(c=c) for c in culprits[:5]]
        return Verdict(
            cid, title, Status.WARNING, N_("kept awake: {culprits}").format(culprits=culprits[0]), tuple(evidence)
        )
    return Verdict(cid, title, Status.PASS, N_("quiet while idle"), tuple(evidence))


def _suspend(sections: Sections) -> dict[str, Any] | None:
    return as_dict(data(sections, "suspend")) or None


def check_hw_sleep(sections: Sections) -> Verdict:
    cid, title = "hw-sleep", N_("Last suspend's hardware sleep")
    if source_lacks(sections, "suspend"):
        return not_in_source(cid, title, N_("suspend statistics are"), sections, "suspend")
    doc = _suspend(sections)
    if doc is None:
        return Verdict(
            cid, title, Status.NA, N_("not applicable: suspend statistics unreadable"), (reason(sections, "suspend"),)
        )
    stats = as_dict(doc.get("stats"))
    if not stats:
        vm = virtual_reason(sections)
        why = N_("no /sys/power/suspend_stats") + (f" ({vm})" if vm else "")
        return Verdict(cid, title, Status.NA, N_("not applicable: {why}").format(why=why))
    if not stats.get("success"):
        return Verdict(cid, title, Status.NA, N_("not applicable: no successful suspend since boot"))
    cycle = as_dict(doc.get("cycle"))
    hw = stats.get("last_hw_sleep")
    if not isinstance(hw, int):
        return Verdict(
            cid,
            title,
            Status.NA,
            N_("not applicable: the kernel does not count hardware sleep (last_hw_sleep, Linux 6.4+)"),
        )
    evidence = [
        N_("last_hw_sleep {hw:.1f} s, total_hw_sleep {total_hw_sleep:.1f} s").format(
            hw=hw / 1e6, total_hw_sleep=int(stats.get("total_hw_sleep", 0)) / 1e6
        )
    ]
    if hw == 0:
        return Verdict(
            cid,
            title,
            Status.FAIL,
            N_("the last suspend never reached hardware sleep"),
            tuple(evidence),
            N_("Something kept the SoC out of S0ix: `hwinspector suspend --cycle 60` and the kernel log name it."),
        )
    if cycle and float(cycle.get("suspended_s", 0)) >= 60:
        share = hw / 1e6 / float(cycle["suspended_s"])
        evidence.append(
            N_("test cycle: {share:.0%} of {suspended_s:.0f} s in hardware sleep").format(
                share=share, suspended_s=float(cycle["suspended_s"])
            )
        )
        if share < HW_SLEEP_FRACTION:
            return Verdict(
                cid,
                title,
                Status.WARNING,
                N_("hardware sleep only {share:.0%} of the test cycle").format(share=share),
                tuple(evidence),
            )
    return Verdict(
        cid,
        title,
        Status.PASS,
        N_("the last suspend slept in hardware for {hw:.0f} s").format(hw=hw / 1e6),
        tuple(evidence),
    )


def check_spurious_wakeups(sections: Sections) -> Verdict:
    cid, title = "spurious-wakeups", N_("Spurious wakeups")
    if source_lacks(sections, "suspend"):
        return not_in_source(cid, title, N_("suspend statistics are"), sections, "suspend")
    doc = _suspend(sections)
    if doc is None:
        return Verdict(
            cid, title, Status.NA, N_("not applicable: suspend statistics unreadable"), (reason(sections, "suspend"),)
        )
    cycle = as_dict(doc.get("cycle"))
    irq = as_dict(doc.get("wakeup_irq"))
    evidence = (
        [N_("last wakeup IRQ {irq} {name}").format(irq=irq.get("irq"), name=irq.get("name") or "").rstrip()]
        if irq
        else []
    )
    if not cycle:
        return Verdict(
            cid,
            title,
            Status.NA,
            N_("not applicable: no test cycle (hwinspector suspend --cycle 60 runs one)"),
            tuple(evidence),
        )
    flags = [f for f in as_list(cycle.get("flags")) if str(f).startswith("spurious")]
    if flags:
        return Verdict(cid, title, Status.FAIL, str(flags[0]), tuple(evidence), N_("The wakeup IRQ names the device."))
    return Verdict(cid, title, Status.PASS, N_("the test cycle slept its whole time"), tuple(evidence))
