"""CPU frequency scaling (cpufreq) and idle states (cpuidle) of every logical CPU."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from hwinspector.i18n import N_
from hwinspector.probes.errors import ProbeUnavailable
from hwinspector.probes.sysfs_attr import link_name, optional_text, read_attr, read_int

_CPU_RE = re.compile(r"^cpu(\d+)$")
_STATE_RE = re.compile(r"^state(\d+)$")


@dataclass(frozen=True, slots=True)
class CpuFreq:
    """cpufreq of one logical CPU (Documentation/admin-guide/pm/cpufreq.rst), frequencies in MHz."""

    cpu: int
    online: bool
    path: str  # the cpufreq directory
    # why cur_mhz is None: an errno name, "offline", or "no cpufreq" when no driver manages the CPU
    error: str | None
    cur_mhz: float | None = None  # scaling_cur_freq: on x86 an APERF/MPERF average over the last tick
    min_mhz: float | None = None  # scaling_min_freq / scaling_max_freq: the policy's current limits
    max_mhz: float | None = None
    hw_min_mhz: float | None = None  # cpuinfo_min_freq / cpuinfo_max_freq: what the hardware allows
    hw_max_mhz: float | None = None
    base_mhz: float | None = None  # base_frequency (intel_pstate, amd-pstate)
    driver: str | None = None  # scaling_driver: intel_pstate, intel_cpufreq, amd-pstate-epp, …
    governor: str | None = None
    available_governors: tuple[str, ...] = ()
    epp: str | None = None  # energy_performance_preference (HWP / CPPC drivers only)
    available_epp: tuple[str, ...] = ()
    policy: str | None = None  # "policy0": CPUs sharing a policy change frequency together
    errors: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class IdleState:
    """One cpuidle state of one CPU (Documentation/admin-guide/pm/cpuidle.rst)."""

    cpu: int
    index: int  # stateN
    name: str | None  # POLL, C1, C1E, C6, …
    desc: str | None
    latency_us: int | None  # exit latency
    residency_us: int | None  # target residency
    usage: int | None  # times entered
    time_us: int | None  # total time spent in it
    disabled: bool | None
    above: int | None  # entries whose idle period was too short for the state
    below: int | None  # entries where a deeper state would have fitted
    path: str
    errors: tuple[str, ...] = ()


def _cpus(sysfs: Path) -> list[tuple[int, Path]]:
    root = sysfs / "devices" / "system" / "cpu"
    try:
        names = os.listdir(root)
    except FileNotFoundError:
        raise ProbeUnavailable(N_("{root} does not exist: sysfs is not mounted").format(root=root)) from None
    except OSError as exc:
        raise ProbeUnavailable(f"cannot list {root}: {exc.strerror}") from None
    cpus = [(int(m.group(1)), root / n) for n in names if (m := _CPU_RE.match(n))]
    return sorted(cpus)


def _online(d: Path) -> bool:
    # cpu0 usually has no "online" file: it cannot be taken offline on x86.
    value = read_int(d / "online").value
    return value is None or value != 0


def _mhz(attr_path: Path, errors: list[str]) -> float | None:
    attr = read_int(attr_path)
    if attr.error not in (None, "ENOENT"):
        errors.append(f"{attr_path.name}: {attr.error}")
    return None if attr.value is None else attr.value / 1000.0  # sysfs reports kHz


def _words(path: Path) -> tuple[str, ...]:
    text = optional_text(path)
    return tuple(text.split()) if text else ()


def list_cpufreq(sysfs: Path = Path("/sys")) -> list[CpuFreq]:
    """cpufreq of every CPU, offline ones included. Raises ProbeUnavailable without any cpufreq driver."""
    out = [read_cpufreq(cpu, d) for cpu, d in _cpus(sysfs)]
    if not any(f.error != "no cpufreq" for f in out if f.online):
        raise ProbeUnavailable(
            "no CPU has a cpufreq directory: no scaling driver is loaded (common in virtual machines)"
        )
    return out


def read_cpufreq(cpu: int, d: Path) -> CpuFreq:
    online = _online(d)
    f = d / "cpufreq"
    errors: list[str] = []
    if not f.is_dir():
        return CpuFreq(cpu, online, str(f), "offline" if not online else "no cpufreq")
    cur_attr = read_int(f / "scaling_cur_freq")
    cur = None if cur_attr.value is None else cur_attr.value / 1000.0
    return CpuFreq(
        cpu=cpu,
        online=online,
        path=str(f),
        error=None if cur is not None else cur_attr.error,
        cur_mhz=cur,
        min_mhz=_mhz(f / "scaling_min_freq", errors),
        max_mhz=_mhz(f / "scaling_max_freq", errors),
        hw_min_mhz=_mhz(f / "cpuinfo_min_freq", errors),
        hw_max_mhz=_mhz(f / "cpuinfo_max_freq", errors),
        base_mhz=_mhz(f / "base_frequency", errors),
        driver=optional_text(f / "scaling_driver"),
        governor=optional_text(f / "scaling_governor"),
        available_governors=_words(f / "scaling_available_governors"),
        epp=optional_text(f / "energy_performance_preference"),
        available_epp=_words(f / "energy_performance_available_preferences"),
        policy=link_name(f),
        errors=tuple(errors),
    )


def list_cpuidle(sysfs: Path = Path("/sys")) -> list[IdleState]:
    """Idle states of every online CPU. Raises ProbeUnavailable without a cpuidle driver."""
    out: list[IdleState] = []
    for cpu, d in _cpus(sysfs):
        out.extend(read_cpuidle(cpu, d))
    if not out:
        driver = optional_text(sysfs / "devices" / "system" / "cpu" / "cpuidle" / "current_driver")
        raise ProbeUnavailable(
            f"no CPU has idle states (cpuidle driver: {driver or 'none'}); virtual machines often "
            "have none or only the halt-poll state"
        )
    return out


def read_cpuidle(cpu: int, d: Path) -> list[IdleState]:
    root = d / "cpuidle"
    try:
        names = os.listdir(root)
    except OSError:
        return []
    states = sorted((int(m.group(1)), root / n) for n in names if (m := _STATE_RE.match(n)))
    out = []
    for index, s in states:
        errors: list[str] = []

        def number(name: str, s: Path = s, errors: list[str] = errors) -> int | None:
            attr = read_int(s / name)
            if attr.error not in (None, "ENOENT"):
                errors.append(f"{name}: {attr.error}")
            return attr.value

        disable = number("disable")
        out.append(
            IdleState(
                cpu=cpu,
                index=index,
                name=read_attr(s / "name").text,
                desc=read_attr(s / "desc").text,
                latency_us=number("latency"),
                residency_us=number("residency"),
                usage=number("usage"),
                time_us=number("time"),
                disabled=None if disable is None else disable != 0,
                above=number("above"),
                below=number("below"),
                path=str(s),
                errors=tuple(errors),
            )
        )
    return out
