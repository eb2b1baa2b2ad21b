"""Scorecard checks of power management: battery, AC, thermal sensors, CPU scaling and idle, suspend, profiles."""

from __future__ import annotations

import re
from typing import Any

from hwinspector.i18n import N_
from hwinspector.probes.checks.base import (
    Sections,
    Status,
    Verdict,
    acpi_hid,
    as_dict,
    as_list,
    bound,
    data,
    devices,
    listed,
    not_in_source,
    portable_reason,
    reason,
    source_lacks,
    supplies,
    virtual_reason,
    worst,
)

# Values a temperature register holds when nothing is wired to it or the firmware fakes it: 0, the
# signed 8-bit maximum and minimum, all ones, absolute zero (Linux hwmon sysfs-interface: temps are
# signed millidegrees; many EC and SMBus chips return 0x7f or 0xff for an absent diode).
IMPLAUSIBLE_CELSIUS = frozenset({0.0, 127.0, 128.0, -128.0, 255.0, -127.0, -273.15})
PLAUSIBLE_RANGE_C = (-40.0, 150.0)
# drivers/base/power/main.c and kernel/power/suspend.c messages of a suspend or resume gone wrong.
_PM_ERROR = re.compile(
    r"PM: (Device \S+ failed to (suspend|resume)|Some devices failed|failed to (suspend|resume)|dpm_run_callback)"
    r"|Freezing of tasks failed|Freezing remaining freezable tasks failed|PM: resume from suspend-to-idle failed",
)
_SUSPEND_ENTRY = re.compile(r"^PM: suspend entry \((?P<mode>[\w-]+)\)")
_SUSPEND_EXIT = re.compile(r"^PM: suspend exit")


# --- battery and AC --------------------------------------------------------------------------------


def _system_batteries(sections: Sections) -> list[dict[str, Any]]:
    # Scope "Device" marks the battery of a mouse or headset (power_supply sysfs ABI), not the system's.
    return [s for s in supplies(sections) if s["type"] == "Battery" and s["scope"] != "Device"]


def _portable_or_na(sections: Sections, cid: str, title: str) -> Verdict | str:
    why = portable_reason(sections)
    if why is not None:
        return why
    vm = virtual_reason(sections)
    what = N_("a virtual machine ({vm})").format(vm=vm) if vm else N_("not a portable machine")
    return Verdict(cid, title, Status.NA, N_("not applicable: {what}").format(what=what))


def check_battery(sections: Sections) -> Verdict:
    cid, title = "battery", N_("Battery")
    if source_lacks(sections, "power") and source_lacks(sections, "devices"):
        return not_in_source(cid, title, N_("power supplies are"))
    batteries = _system_batteries(sections)
    portable = _portable_or_na(sections, cid, title) if not batteries else N_("a system battery is present")
    if isinstance(portable, Verdict):
        return portable
    if not batteries:
        acpi = [d for d in devices(sections) if acpi_hid(d) == "PNP0C0A"]
        if any(bound(d) for d in acpi):
            return Verdict(
                cid,
                title,
                Status.WARNING,
                N_("battery slot empty"),
                (
                    N_("portable: {portable}").format(portable=portable),
                    N_("the ACPI battery (PNP0C0A) is bound but reports no battery present"),
                ),
                N_("Insert or reconnect the battery; if one is fitted, the embedded controller does not report it."),
            )
        return Verdict(
            cid,
            title,
            Status.FAIL,
            N_("portable machine, but no battery seen"),
            (N_("portable: {portable}").format(portable=portable),),
            N_(
                "No power_supply of type Battery: check the ACPI battery device (PNP0C0A) or the platform's "
                "battery driver in the kernel log."
            ),
        )
    statuses, evidence = [], []
    for b in batteries:
        label = f"{b['name']}" + (f" ({b['model']})" if b.get("model") else "")
        if b.get("present") is False:
            statuses.append(Status.WARNING)
            evidence.append(N_("{label}: not present").format(label=label))
            continue
        cap, watts, state = b.get("capacity_percent"), b.get("power_watts"), b.get("status") or N_("unknown state")
        parts = [f"{cap:.0f} %" if isinstance(cap, int | float) else N_("no charge level")]
        parts.append(f"{watts:.2f} W" if isinstance(watts, int | float) else N_("no power draw"))
        parts.append(str(state).lower())
        evidence.append(f"{label}: {', '.join(parts)}")
        if not isinstance(cap, int | float):
            statuses.append(Status.FAIL)
        elif not isinstance(watts, int | float):
            statuses.append(Status.WARNING)
        elif watts == 0 and state == "Discharging":
            statuses.append(Status.WARNING)
            evidence.append(N_("{label}: reports 0 W while discharging").format(label=label))
        else:
            statuses.append(Status.PASS)
    status = worst(statuses)
    summary = {
        Status.PASS: N_("present, reporting charge and power draw"),
        Status.WARNING: N_("present, but not reporting power draw"),
        Status.FAIL: N_("present, but not reporting its charge"),
    }[status]
    hint = "" if status is Status.PASS else N_("The Power page shows every attribute the battery driver exposes.")
    return Verdict(cid, title, status, summary, tuple(listed(evidence)), hint)


def check_ac(sections: Sections) -> Verdict:
    cid, title = "ac", N_("AC adapter")
    if source_lacks(sections, "power") and source_lacks(sections, "devices"):
        return not_in_source(cid, title, N_("power supplies are"))
    all_supplies = supplies(sections)
    mains = [s for s in all_supplies if s["type"] == "Mains"]
    # USB-C laptops charge through a USB power supply (UCSI, Type-C port managers) instead of ACPI AC.
    usb = [s for s in all_supplies if s["type"] in ("USB", "USB_PD", "USB_C") and s["scope"] != "Device"]
    portable = _portable_or_na(sections, cid, title) if not (mains or usb) else N_("a power adapter is listed")
    if isinstance(portable, Verdict):
        return portable
    found = mains + usb
    if not found:
        return Verdict(
            cid,
            title,
            Status.FAIL,
            N_("portable machine, but no AC adapter seen"),
            (N_("portable: {portable}").format(portable=portable),),
            N_(
                "No power_supply of type Mains or USB: the ACPI AC adapter (ACPI0003) or the UCSI driver did not bind, "
                "so the system cannot tell mains from battery."
            ),
        )

    def line(s: dict[str, Any]) -> str:
        online = {True: "online", False: "offline", None: N_("state unknown")}[s.get("online")]
        return f"{s['name']} ({s['type']}): {online}"

    return Verdict(
        cid,
        title,
        Status.PASS,
        N_("seen: {names}").format(names=", ".join(str(s["name"]) for s in found)),
        tuple(listed([line(s) for s in found])),
    )


# --- thermal ---------------------------------------------------------------------------------------


def _temperatures(thermal: dict[str, Any]) -> list[tuple[str, float]]:
    out: list[tuple[str, float]] = []
    for chip in as_list(thermal.get("hwmon")):
        chip = as_dict(chip)
        for i in as_list(chip.get("inputs")):
            i = as_dict(i)
            if i.get("kind") == "temp" and isinstance(i.get("value"), int | float) and not i.get("error"):
                out.append((f"{chip.get('name')} {i.get('label') or i.get('id')}", float(i["value"])))
    for z in as_list(thermal.get("zones")):
        z = as_dict(z)
        if isinstance(z.get("temp_celsius"), int | float) and not z.get("error"):
            out.append((f"{z.get('type') or z.get('id')} ({z.get('id')})", float(z["temp_celsius"])))
    return out


def check_thermal(sections: Sections) -> Verdict:
    cid, title = "thermal", N_("Thermal sensors")
    if source_lacks(sections, "thermal"):
        return not_in_source(cid, title, N_("sensor readings are"))
    temps = _temperatures(as_dict(data(sections, "thermal")))
    if not temps:
        vm = virtual_reason(sections)
        if vm is not None:
            return Verdict(cid, title, Status.NA, N_("not applicable: a virtual machine has no sensors"), (vm,))
        return Verdict(
            cid,
            title,
            Status.FAIL,
            N_("no temperature sensor readable"),
            (reason(sections, "thermal"),) if not data(sections, "thermal") else (),
            N_("Load the CPU's sensor driver (coretemp, k10temp) and check the ACPI thermal zones in the kernel log."),
        )
    lo, hi = PLAUSIBLE_RANGE_C
    bad = [(n, v) for n, v in temps if v in IMPLAUSIBLE_CELSIUS or not lo < v < hi]
    good = [(n, v) for n, v in temps if (n, v) not in bad]
    evidence = []
    if good:
        hottest = max(good, key=lambda x: x[1])
        evidence.append(
            N_("{n} plausible readings, {value:.1f} to {hottest:.1f} °C (hottest: {hottest2})").format(
                n=len(good), value=min(v for _, v in good), hottest=hottest[1], hottest2=hottest[0]
            )
        )
    evidence += [N_("{n}: {v:g} °C is a value unwired or faked sensors report").format(n=n, v=v) for n, v in bad]
    hint = N_("A sensor stuck at 0, 127 or 255 °C is not wired or its firmware fakes it: report it to the vendor.")
    if bad and not good:
        return Verdict(
            cid, title, Status.FAIL, N_("every temperature reading is implausible"), tuple(listed(evidence)), hint
        )
    if bad:
        return Verdict(
            cid,
            title,
            Status.WARNING,
            N_("{n} implausible reading(s)").format(n=len(bad)),
            tuple(listed(evidence)),
            hint,
        )
    return Verdict(
        cid,
        title,
        Status.PASS,
        N_("{n} temperature readings, all plausible").format(n=len(good)),
        tuple(listed(evidence)),
    )


# --- CPU frequency and idle ------------------------------------------------------------------------


def check_cpu(sections: Sections) -> Verdict:
    cid, title = "cpu", N_("CPU scaling and idle")
    if source_lacks(sections, "cpu"):
        return not_in_source(cid, title, N_("CPU frequency and idle state are"))
    cpu = as_dict(data(sections, "cpu"))
    freq = [as_dict(f) for f in as_list(cpu.get("cpufreq"))]
    idle = [as_dict(s) for s in as_list(cpu.get("cpuidle"))]
    drivers = sorted({str(f["driver"]) for f in freq if f.get("driver")})
    governors = sorted({str(f["governor"]) for f in freq if f.get("governor")})
    deep = [s for s in idle if s.get("name") not in (None, "POLL")]
    enabled = [s for s in deep if not s.get("disabled")]
    used = [s for s in enabled if isinstance(s.get("usage"), int) and s["usage"] > 0]
    names = list(dict.fromkeys(str(s.get("name")) for s in sorted(used, key=lambda s: int(s.get("index") or 0))))
    vm = virtual_reason(sections)
    evidence, statuses = [], []
    hint = ""
    if drivers:
        lo = min((f["hw_min_mhz"] for f in freq if isinstance(f.get("hw_min_mhz"), int | float)), default=None)
        hi = max((f["hw_max_mhz"] for f in freq if isinstance(f.get("hw_max_mhz"), int | float)), default=None)
        span = N_(", {lo:.0f} to {hi:.0f} MHz").format(lo=lo, hi=hi) if lo is not None and hi is not None else ""
        evidence.append(
            N_("cpufreq: {drivers}, governor {governors}{span}").format(
                drivers=", ".join(drivers), governors=", ".join(governors) or "?", span=span
            )
        )
        statuses.append(Status.PASS)
    elif vm is not None:
        evidence.append(N_("cpufreq: none (virtual machine: the host scales its CPUs)"))
    else:
        evidence.append(N_("cpufreq: no scaling driver"))
        statuses.append(Status.FAIL)
        hint = N_(
            "No cpufreq driver: CPUs run at a fixed clock (intel_pstate, amd-pstate, acpi-cpufreq, cppc_cpufreq)."
        )
    if used:
        evidence.append(N_("cpuidle: {names} entered").format(names=", ".join(names)))
        statuses.append(Status.PASS)
    elif enabled:
        evidence.append(
            N_("cpuidle: {value} never entered").format(value=", ".join(sorted({str(s.get("name")) for s in enabled})))
        )
        statuses.append(Status.WARNING)
        hint = hint or N_(
            "Idle states exist but are never used: look for idle=poll or max_cstate limits on the command line."
        )
    elif vm is None:
        evidence.append(N_("cpuidle: no idle state beyond polling"))
        statuses.append(Status.WARNING)
        hint = hint or N_("No cpuidle driver: idle CPUs only halt, which costs power (intel_idle, acpi_idle, psci).")
    if not statuses:
        return Verdict(cid, title, Status.NA, N_("not applicable: the hypervisor manages CPU power"), tuple(evidence))
    status = worst(statuses)
    summary = {
        Status.PASS: N_("frequency scaling and idle states active") if drivers else N_("idle states active"),
        Status.WARNING: N_("frequency scales, idle states not in use") if drivers else N_("idle states not in use"),
        Status.FAIL: N_("no frequency scaling"),
    }[status]
    return Verdict(cid, title, status, summary, tuple(evidence), hint)


# --- suspend ---------------------------------------------------------------------------------------


def _last_suspend(sections: Sections) -> tuple[str | None, list[str], list[str]]:
    """Mode of the last suspend in the kernel log, its errors, and its other error-priority lines."""
    lines = [as_dict(r) for r in as_list(data(sections, "kernel_log"))]
    start = None
    for i, r in enumerate(lines):
        if _SUSPEND_ENTRY.match(str(r.get("message", ""))):
            start = i
    if start is None:
        return None, [], []
    m = _SUSPEND_ENTRY.match(str(lines[start].get("message")))
    mode = m.group("mode") if m else "?"
    errors, loud = [], []
    for r in lines[start + 1 :]:
        msg = str(r.get("message", ""))
        if _SUSPEND_EXIT.match(msg):
            break
        if _PM_ERROR.search(msg):
            errors.append(msg)
        elif isinstance(r.get("priority"), int) and r["priority"] <= 3:
            loud.append(msg)
    return mode, errors, loud


def check_suspend(sections: Sections) -> Verdict:
    cid, title = "suspend", N_("Suspend and resume")
    if source_lacks(sections, "sleep"):
        return not_in_source(cid, title, N_("sleep state support is"))
    sleep = as_dict(data(sections, "sleep"))
    if not sleep:
        return Verdict(
            cid, title, Status.NA, N_("not applicable: sleep states unreadable"), (reason(sections, "sleep"),)
        )
    states = [str(s) for s in as_list(sleep.get("state"))]
    modes = [str(s) for s in as_list(sleep.get("mem_sleep"))]
    current = sleep.get("mem_sleep_current")
    if not ({"mem", "freeze"} & set(states)):
        vm = virtual_reason(sections)
        if vm is not None:
            return Verdict(cid, title, Status.NA, N_("not applicable: this virtual machine offers no suspend"), (vm,))
        status = Status.FAIL if portable_reason(sections) else Status.WARNING
        return Verdict(
            cid,
            title,
            status,
            N_("the kernel offers no suspend state"),
            (f"/sys/power/state: {' '.join(states) or 'empty'}",),
            N_("Check that the firmware enables S3 or Modern Standby (S0ix) and that no kernel parameter disables it."),
        )
    offered = ", ".join(modes) if modes else "s2idle"
    evidence = [
        N_("suspend modes: {offered}").format(offered=offered)
        + (N_(" (in use: {current})").format(current=current) if current else "")
    ]
    if source_lacks(sections, "kernel_log"):
        evidence.append(N_("last resume: kernel log not in this source"))
        return Verdict(
            cid, title, Status.PASS, N_("suspend available ({offered})").format(offered=offered), tuple(evidence)
        )
    mode, errors, loud = _last_suspend(sections)
    if mode is None:
        evidence.append(N_("no suspend since boot: the resume path is untested"))
        return Verdict(
            cid,
            title,
            Status.PASS,
            N_("suspend available ({offered}); not tried since boot").format(offered=offered),
            tuple(evidence),
            N_("Suspend once (systemctl suspend) and look again: the last resume is checked from the kernel log."),
        )
    hint = N_("The kernel log around 'PM: suspend entry' names the device that failed.")
    if errors:
        evidence += [f"log: {e}" for e in errors]
        return Verdict(
            cid,
            title,
            Status.FAIL,
            N_("the last suspend ({mode}) logged errors").format(mode=mode),
            tuple(listed(evidence)),
            hint,
        )
    if loud:
        evidence += [f"log: {e}" for e in loud]
        return Verdict(
            cid,
            title,
            Status.WARNING,
            N_("the last resume ({mode}) logged error messages").format(mode=mode),
            tuple(listed(evidence)),
            hint,
        )
    evidence.append(N_("last suspend ({mode}) resumed cleanly").format(mode=mode))
    return Verdict(
        cid,
        title,
        Status.PASS,
        N_("suspend available ({offered}), last resume clean").format(offered=offered),
        tuple(evidence),
    )


# --- power profiles --------------------------------------------------------------------------------


def _profiles(services: dict[str, Any]) -> dict[str, Any]:
    for key in ("power-profiles", "power_profiles", "profiles"):
        if isinstance(services.get(key), dict):
            return as_dict(services[key])
    return {}


def check_power_profiles(sections: Sections) -> Verdict:
    cid, title = "profiles", N_("Power profiles")
    if source_lacks(sections, "services"):
        return not_in_source(cid, title, N_("system services are"), sections, "services")
    pp = _profiles(as_dict(data(sections, "services")))
    if not pp:
        return not_in_source(cid, title, N_("power-profiles-daemon is"))
    if not pp.get("available"):
        why = str(pp.get("reason") or N_("not running"))
        if portable_reason(sections):
            return Verdict(
                cid,
                title,
                Status.WARNING,
                N_("no power profile service"),
                (f"power-profiles-daemon: {why}",),
                N_("Install and start power-profiles-daemon (or tuned-ppd) so the desktop can switch profiles."),
            )
        return Verdict(cid, title, Status.NA, N_("not applicable: no power profile service"), (why,))
    profiles = [as_dict(p) for p in as_list(pp.get("profiles"))]
    names = [str(p.get("name")) for p in profiles]
    drivers = sorted({str(p.get(k)) for p in profiles for k in ("cpu_driver", "platform_driver", "driver") if p.get(k)})
    evidence = [
        N_("active: {active_profile}; offered: {names}").format(
            active_profile=pp.get("active_profile") or "?", names=", ".join(names) or "none"
        )
    ]
    if drivers:
        evidence.append(N_("drivers: {drivers}").format(drivers=", ".join(drivers)))
    if pp.get("performance_degraded"):
        evidence.append(
            N_("performance degraded: {performance_degraded}").format(performance_degraded=pp["performance_degraded"])
        )
        return Verdict(cid, title, Status.WARNING, N_("performance profile degraded"), tuple(evidence))
    if drivers and set(drivers) <= {"placeholder"}:
        return Verdict(
            cid,
            title,
            Status.WARNING,
            N_("profiles offered, but no driver applies them"),
            tuple(evidence),
            N_("Only the placeholder driver is active: no platform_profile or CPU EPP support was found."),
        )
    return Verdict(cid, title, Status.PASS, N_("{n} profiles available").format(n=len(names)), tuple(evidence))
