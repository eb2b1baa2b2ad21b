"""Idle analysis: read every idle-related counter twice over a window and turn the deltas into rates.

What keeps a machine out of deep idle is, in order of how often it is the answer: a process that
wakes up many times a second, an interrupt source that fires often, a device whose runtime PM is
off, and a platform that never reaches package C10/S0ix. This module measures all of them without
root; root-only figures (package C-states, RAPL, PMC) come in through ``PrivilegedReader`` when the
caller has the helper running.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from hwinspector.probes.power import idle_readers as r
from hwinspector.probes.power.idle_verdict import Verdict, judge
from hwinspector.probes.power.tunables import Tunable, list_tunables

DEFAULT_DURATION_S = 20.0
MAX_PROCESSES = 40
MAX_INTERRUPTS = 40
MAX_DEVICES = 60


class PrivilegedReader(Protocol):
    """Reads the helper's counters by id (the CLI and the page wrap the helper client in one)."""

    ids: list[str]

    def read(self) -> dict[str, int | str | None]: ...


@dataclass(frozen=True, slots=True)
class Counters:
    """Everything read at one moment."""

    t: float
    interrupts: list[r.IrqCount]
    softirqs: dict[str, int]
    cpuidle: list[r.IdleStateCount]
    lpi_us: dict[str, int]
    rc6_ms: dict[str, int]
    runtime_pm: list[r.RuntimePm]
    throttle: dict[str, int]
    batteries: list[r.BatteryCount]
    tasks: dict[tuple[int, float], r.TaskCount]
    self_cpu_s: float
    self_switches: int
    privileged: dict[str, int | str | None] | None = None  # None: no helper was asked
    errors: tuple[str, ...] = ()


def read_counters(
    sysfs: Path = Path("/sys"), procfs: Path = Path("/proc"), privileged: PrivilegedReader | None = None
) -> Counters:
    errors: list[str] = []
    try:
        irqs = r.read_interrupts(procfs)
    except OSError as exc:
        irqs = []
        errors.append(f"/proc/interrupts: {exc.strerror}")
    priv: dict[str, int | str | None] | None = None
    if privileged is not None:
        priv = {}
        try:
            priv = privileged.read()
        except Exception as exc:  # the helper went away mid-window: say so, keep the rest
            errors.append(f"privileged helper: {exc}")
    t = os.times()
    return Counters(
        t=time.monotonic(),
        interrupts=irqs,
        softirqs=r.read_softirqs(procfs),
        cpuidle=r.read_cpuidle(sysfs),
        lpi_us=r.read_lpi_residency_us(sysfs),
        rc6_ms=r.read_rc6_ms(sysfs),
        runtime_pm=r.read_runtime_pm(sysfs),
        throttle=r.read_throttle_counts(sysfs),
        batteries=r.read_batteries(sysfs),
        tasks=r.read_tasks(procfs),
        self_cpu_s=t.user + t.system,
        self_switches=r.voluntary_switches(os.getpid(), procfs) or 0,
        privileged=priv,
        errors=tuple(errors),
    )


def _pct(part: float, whole: float) -> float:
    """A share of a window as a percentage, clamped to 0-100: counters that move in steps can
    overshoot a short window by one step, and a percentage outside 0-100 is never true."""
    if whole <= 0:
        return 0.0
    return round(min(100.0, max(0.0, 100.0 * part / whole)), 2)


def _processes(a: Counters, b: Counters, dt: float) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for key, tb in b.tasks.items():
        ta = a.tasks.get(key)
        if ta is None:
            continue  # started during the window: no baseline
        cpu = 100.0 * (tb.cpu_s - ta.cpu_s) / dt
        wake = (tb.voluntary_switches - ta.voluntary_switches) / dt
        if cpu <= 0 and wake <= 0:
            continue
        rows.append(
            {
                "pid": tb.pid,
                "name": tb.name,
                "cpu_percent": round(max(0.0, cpu), 2),
                "wakeups_per_s": round(max(0.0, wake), 1),
            }
        )
    rows.sort(key=lambda x: x["wakeups_per_s"] + 10 * x["cpu_percent"], reverse=True)
    return rows[:MAX_PROCESSES]


def _interrupts(a: Counters, b: Counters, dt: float) -> list[dict[str, Any]]:
    before = {i.irq: i for i in a.interrupts}
    rows: list[dict[str, Any]] = []
    for i in b.interrupts:
        prev = before.get(i.irq)
        if prev is None:
            continue
        per_cpu = [max(0, x - y) for x, y in zip(i.per_cpu, prev.per_cpu, strict=False)]
        total = sum(per_cpu)
        if total <= 0:
            continue
        busiest = max(range(len(per_cpu)), key=per_cpu.__getitem__)
        rows.append(
            {
                "irq": i.irq,
                "name": i.name,
                "per_s": round(total / dt, 1),
                "busiest_cpu": busiest,
                "busiest_cpu_per_s": round(per_cpu[busiest] / dt, 1),
            }
        )
    rows.sort(key=lambda x: x["per_s"], reverse=True)
    return rows[:MAX_INTERRUPTS]


def _cpuidle(a: Counters, b: Counters, dt: float) -> list[dict[str, Any]]:
    before = {(s.cpu, s.index): s for s in a.cpuidle}
    per_cpu: dict[int, list[dict[str, Any]]] = {}
    for s in b.cpuidle:
        p = before.get((s.cpu, s.index))
        if p is None:
            continue
        per_cpu.setdefault(s.cpu, []).append(
            {
                "state": s.name,
                "desc": s.desc,
                "residency_percent": _pct((s.time_us - p.time_us) / 1e6, dt),
                "entries_per_s": round(max(0, s.usage - p.usage) / dt, 1),
            }
        )
    return [{"cpu": cpu, "states": states} for cpu, states in sorted(per_cpu.items())]


def _devices(a: Counters, b: Counters) -> list[dict[str, Any]]:
    before = {d.path: d for d in a.runtime_pm}
    rows = []
    for d in b.runtime_pm:
        p = before.get(d.path)
        if p is None:
            continue
        act, sus = d.active_ms - p.active_ms, d.suspended_ms - p.suspended_ms
        if act + sus <= 0:
            continue  # runtime PM not accounting for this device (unsupported, or disabled)
        rows.append(
            {
                "path": d.path,
                "driver": d.driver,
                "control": d.control,
                "status": d.status,
                "active_percent": _pct(act, act + sus),
            }
        )
    rows.sort(key=lambda x: (x["active_percent"], x["control"] == "on"), reverse=True)
    return rows[:MAX_DEVICES]


def _battery(a: Counters, b: Counters, dt: float) -> dict[str, Any] | None:
    before = {x.name: x for x in a.batteries}
    for x in b.batteries:
        p = before.get(x.name)
        if p is None:
            continue
        drained = None
        if x.energy_uwh is not None and p.energy_uwh is not None:
            drained = (p.energy_uwh - x.energy_uwh) * 3600 / 1e6 / dt  # µWh over the window → W
        return {
            "name": x.name,
            "status": x.status,
            "power_now_watts": None if x.power_uw is None else round(x.power_uw / 1e6, 3),
            # The energy gauge moves in steps of tens of mWh: over a short window this is often 0.
            "energy_delta_watts": None if drained is None else round(drained, 3),
        }
    return None


def _delta(a: Mapping[str, Any], b: Mapping[str, Any]) -> dict[str, int]:
    return {k: int(b[k]) - int(a[k]) for k in b if isinstance(b.get(k), int) and isinstance(a.get(k), int)}


def _privileged(a: Counters, b: Counters, dt: float) -> dict[str, Any]:
    d = _delta(a.privileged or {}, b.privileged or {})
    out: dict[str, Any] = {"package_cstates": {}, "core_cstates": {}, "rapl_watts": {}, "pmc": {}}
    tsc = {k.split(":")[1]: v for k, v in d.items() if k.endswith(":tsc")}
    any_tsc = next(iter(tsc.values()), 0)
    for k, v in d.items():
        parts = k.split(":")
        if k.startswith("msr:") and k.endswith("_residency") and any_tsc > 0:
            state = parts[2].removesuffix("_residency")
            table = "package_cstates" if state.startswith("pkg_") else "core_cstates"
            out[table][f"{parts[1]}:{state}"] = _pct(v, any_tsc)
        elif k.startswith("rapl:") and v >= 0:  # a wrap reads negative: left out, not made up
            out["rapl_watts"][k] = round(v / 1e6 / dt, 3)
        elif k.startswith("pmc:") and k.endswith("_usec"):
            out["pmc"][k] = _pct(v / 1e6, dt)
    return out


@dataclass(frozen=True, slots=True)
class IdleReport:
    doc: dict[str, Any]
    verdict: Verdict


def analyse(a: Counters, b: Counters, tunables: list[Tunable] | None = None) -> IdleReport:
    dt = max(1e-3, b.t - a.t)
    lpi = {f"{k}_residency_percent": _pct((b.lpi_us[k] - a.lpi_us[k]) / 1e6, dt) for k in b.lpi_us if k in a.lpi_us}
    rc6 = {k: _pct((v - a.rc6_ms[k]) / 1e3, dt) for k, v in b.rc6_ms.items() if k in a.rc6_ms}
    doc: dict[str, Any] = {
        "duration_s": round(dt, 3),
        "processes_note": "wakeups_per_s are voluntary context switches per second, all threads, from /proc",
        "processes": _processes(a, b, dt),
        "interrupts": _interrupts(a, b, dt),
        "softirqs": [
            {"name": k, "per_s": round((v - a.softirqs.get(k, v)) / dt, 1)} for k, v in sorted(b.softirqs.items())
        ],
        "cpuidle": _cpuidle(a, b, dt),
        "lpi": lpi or None,
        "gpu_rc6_percent": rc6,
        "devices": _devices(a, b),
        "throttle_events": {k: v for k, v in _delta(a.throttle, b.throttle).items() if v > 0},
        "battery": _battery(a, b, dt),
        "self": {
            "pid": os.getpid(),
            "cpu_percent": round(max(0.0, 100.0 * (b.self_cpu_s - a.self_cpu_s) / dt), 2),
            "wakeups_per_s": round(max(0, b.self_switches - a.self_switches) / dt, 2),
        },
        "privileged": _privileged(a, b, dt) if b.privileged is not None else None,
        "tunables": [t.to_json() for t in (tunables or [])],
        "errors": sorted(set(a.errors + b.errors)),
    }
    verdict = judge(doc)
    doc["verdict"] = verdict.to_json()
    return IdleReport(doc, verdict)


def measure_idle(
    duration_s: float = DEFAULT_DURATION_S,
    *,
    sysfs: Path = Path("/sys"),
    procfs: Path = Path("/proc"),
    privileged: PrivilegedReader | None = None,
    progress: Callable[[float], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    stop: threading.Event | None = None,
) -> IdleReport:
    """Read, wait ``duration_s``, read again, analyse.

    With ``progress`` the wait is taken in one-second steps (one wakeup a second, for a progress line).
    Without it the thread sleeps through the whole window on ``stop`` (which ends it early when set): no
    wakeup at all, so a window showing its own progress measures as quietly as it can. The two readings
    cost what they cost, and the report's ``self`` says how much that was.
    """
    a = read_counters(sysfs, procfs, privileged)
    end = a.t + duration_s
    while True:
        now = time.monotonic()
        if now >= end or (should_stop is not None and should_stop()) or (stop is not None and stop.is_set()):
            break
        if progress is None and stop is not None:
            stop.wait(end - now)
            continue
        if progress is not None:
            progress(min(1.0, (now - a.t) / duration_s))
        time.sleep(min(1.0, end - now))
    b = read_counters(sysfs, procfs, privileged)
    if progress is not None:
        progress(1.0)
    return analyse(a, b, list_tunables(sysfs, procfs))
