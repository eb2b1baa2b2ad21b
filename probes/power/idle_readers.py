"""Counters an idle analysis reads twice: interrupts, softirqs, cpuidle, LPI, rc6, runtime PM, throttling, tasks.

Each reader returns plain cumulative counters at one moment; ``probes.power.idle`` turns two readings
into rates. Everything here is readable without root.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import psutil


@dataclass(frozen=True, slots=True)
class IrqCount:
    irq: str  # "142", "LOC", "NMI"
    name: str  # "i915", "Local timer interrupts"
    per_cpu: tuple[int, ...]

    @property
    def total(self) -> int:
        return sum(self.per_cpu)


_TRIGGERS = ("-edge", "-level", "-fasteoi", "-simple", "-percpu", "-percpu_devid", "-ioapic")


def parse_interrupts(text: str) -> list[IrqCount]:
    """/proc/interrupts: a header of CPU columns, then "IRQ: counts… [chip hwirq trigger] name".

    Rows have fewer count columns than CPUs for some architecture lines (ERR, MIS); the name is what
    follows the counts: for numbered IRQs the last whitespace-separated fields after the chip
    description, i.e. the action names ("i915", "nvme0q1", "ahci[0000:00:17.0]").
    """
    lines = text.splitlines()
    if not lines:
        return []
    ncpu = len(lines[0].split())
    out: list[IrqCount] = []
    for line in lines[1:]:
        head, sep, rest = line.partition(":")
        if not sep:
            continue
        fields = rest.split()
        counts: list[int] = []
        for f in fields[:ncpu]:
            if not f.isdigit():
                break
            counts.append(int(f))
        if not counts:
            continue
        tail = fields[len(counts) :]
        irq = head.strip()
        name = " ".join(tail)
        if irq.isdigit():
            # Chip, hwirq and trigger come first ("IR-PCI-MSI 32768-edge  i915"; before Linux 2.6.19
            # "IO-APIC-fasteoi  ehci_hcd:usb1, ohci_hcd:usb2"): the actions follow the trigger.
            for n, f in enumerate(tail):
                if f.endswith(_TRIGGERS):
                    name = " ".join(tail[n + 1 :])
                    break
            else:
                if len(tail) > 1 and tail[0][:1].isupper() and "-" in tail[0]:  # "PCI-MSI-<NULL>  HDA Intel"
                    name = " ".join(tail[1:])
        out.append(IrqCount(irq, name, tuple(counts)))
    return out


def read_interrupts(procfs: Path = Path("/proc")) -> list[IrqCount]:
    return parse_interrupts((procfs / "interrupts").read_text(errors="replace"))


def read_softirqs(procfs: Path = Path("/proc")) -> dict[str, int]:
    """/proc/softirqs totals over CPUs: {"TIMER": n, "NET_RX": n, …}."""
    out: dict[str, int] = {}
    try:
        text = (procfs / "softirqs").read_text()
    except OSError:
        return out
    for line in text.splitlines()[1:]:
        name, sep, rest = line.partition(":")
        if sep:
            out[name.strip()] = sum(int(x) for x in rest.split() if x.isdigit())
    return out


@dataclass(frozen=True, slots=True)
class IdleStateCount:
    cpu: int
    index: int
    name: str
    desc: str
    time_us: int
    usage: int


def read_cpuidle(sysfs: Path = Path("/sys")) -> list[IdleStateCount]:
    """Every CPU's cpuidle states (cpuN/cpuidle/stateK/{name,desc,time,usage}); broken entries skipped."""
    base = sysfs / "devices" / "system" / "cpu"
    out: list[IdleStateCount] = []
    try:
        cpus = [n for n in os.listdir(base) if n.startswith("cpu") and n[3:].isdigit()]
    except OSError:
        return out
    for cpu in sorted(cpus, key=lambda n: int(n[3:])):
        d = base / cpu / "cpuidle"
        try:
            states = sorted((s for s in os.listdir(d) if s.startswith("state")), key=lambda s: int(s[5:]))
        except (OSError, ValueError):
            continue
        for s in states:
            try:
                out.append(
                    IdleStateCount(
                        int(cpu[3:]),
                        int(s[5:]),
                        (d / s / "name").read_text().strip(),
                        _text(d / s / "desc"),
                        int((d / s / "time").read_text()),
                        int((d / s / "usage").read_text()),
                    )
                )
            except (OSError, ValueError):
                continue
    return out


def _text(path: Path) -> str:
    try:
        return path.read_text(errors="replace").strip()
    except OSError:
        return ""


def _int(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


def read_lpi_residency_us(sysfs: Path = Path("/sys")) -> dict[str, int]:
    """ACPI low-power-idle residency (cpu and system, µs) where the platform has _LPI/LPIT."""
    d = sysfs / "devices" / "system" / "cpu" / "cpuidle"
    out = {}
    for kind in ("cpu", "system"):
        v = _int(d / f"low_power_idle_{kind}_residency_us")
        if v is not None:
            out[kind] = v
    return out


def read_rc6_ms(sysfs: Path = Path("/sys")) -> dict[str, int]:
    """GPU render-C6 residency per card/GT in ms (i915: gt/gtN/rc6_residency_ms or power/rc6_residency_ms)."""
    out: dict[str, int] = {}
    drm = sysfs / "class" / "drm"
    try:
        cards = sorted(c for c in os.listdir(drm) if c.startswith("card") and "-" not in c)
    except OSError:
        return out
    for card in cards:
        dev = drm / card / "device" / "drm" / card
        base = dev if dev.is_dir() else drm / card
        gts = base / "gt"
        try:
            names = sorted(os.listdir(gts))
        except OSError:
            names = []
        for gt in names:
            v = _int(gts / gt / "rc6_residency_ms")
            if v is not None:
                out[f"{card}/{gt}"] = v
        if not names:
            v = _int(base / "power" / "rc6_residency_ms")
            if v is not None:
                out[card] = v
    return out


@dataclass(frozen=True, slots=True)
class RuntimePm:
    path: str  # devpath under /sys/devices
    driver: str | None
    control: str  # "auto" or "on"
    status: str  # "active", "suspended", "unsupported"
    active_ms: int
    suspended_ms: int


def read_runtime_pm(sysfs: Path = Path("/sys"), limit: int = 4000) -> list[RuntimePm]:
    """Devices with runtime PM accounting (power/runtime_active_time), from a walk of /sys/devices.

    Virtual devices are skipped (they never draw power); links are not followed.
    """
    out: list[RuntimePm] = []
    root = sysfs / "devices"
    for dirpath, dirnames, _files in os.walk(root):
        if "virtual" in dirnames and dirpath == str(root):
            dirnames.remove("virtual")
        dirnames[:] = [d for d in dirnames if d != "power"]
        p = Path(dirpath) / "power"
        active = _int(p / "runtime_active_time")
        if active is None:
            continue
        suspended = _int(p / "runtime_suspended_time") or 0
        try:
            driver = os.path.basename(os.readlink(Path(dirpath) / "driver"))
        except OSError:
            driver = None
        out.append(
            RuntimePm(
                "/" + os.path.relpath(dirpath, sysfs),
                driver,
                _text(p / "control"),
                _text(p / "runtime_status"),
                active,
                suspended,
            )
        )
        if len(out) >= limit:
            break
    return out


def read_throttle_counts(sysfs: Path = Path("/sys")) -> dict[str, int]:
    """Thermal throttle event counts per CPU: {"cpu0/core_throttle_count": n, "cpu0/package_throttle_count": n}."""
    base = sysfs / "devices" / "system" / "cpu"
    out: dict[str, int] = {}
    try:
        cpus = [n for n in os.listdir(base) if n.startswith("cpu") and n[3:].isdigit()]
    except OSError:
        return out
    for cpu in cpus:
        for name in ("core_throttle_count", "package_throttle_count"):
            v = _int(base / cpu / "thermal_throttle" / name)
            if v is not None:
                out[f"{cpu}/{name}"] = v
    return out


@dataclass(frozen=True, slots=True)
class BatteryCount:
    name: str
    energy_uwh: int | None
    power_uw: int | None  # instantaneous, as the firmware reports it
    status: str


def read_batteries(sysfs: Path = Path("/sys")) -> list[BatteryCount]:
    base = sysfs / "class" / "power_supply"
    out: list[BatteryCount] = []
    try:
        names = sorted(os.listdir(base))
    except OSError:
        return out
    for n in names:
        d = base / n
        if _text(d / "type") != "Battery":
            continue
        energy = _int(d / "energy_now")
        power = _int(d / "power_now")
        if energy is None:  # charge-based batteries: µAh * µV
            charge, volt = _int(d / "charge_now"), _int(d / "voltage_now")
            energy = charge * volt // 1_000_000 if charge is not None and volt is not None else None
        if power is None:
            cur, volt = _int(d / "current_now"), _int(d / "voltage_now")
            power = cur * volt // 1_000_000 if cur is not None and volt is not None else None
        out.append(BatteryCount(n, energy, power, _text(d / "status")))
    return out


@dataclass(frozen=True, slots=True)
class TaskCount:
    pid: int
    name: str
    started: float  # psutil create_time: tells a reused pid apart
    cpu_s: float  # user + system, all threads
    voluntary_switches: int  # summed over threads


def voluntary_switches(pid: int, procfs: Path = Path("/proc")) -> int | None:
    """Voluntary context switches summed over all threads (/proc/PID/task/*/status).

    psutil's num_ctx_switches() reads /proc/PID/status, which counts the main thread only: a
    process whose worker threads wake 1,000 times a second would read as idle.
    """
    total = 0
    try:
        tids = os.listdir(procfs / str(pid) / "task")
    except OSError:
        return None
    for tid in tids:
        try:
            with open(procfs / str(pid) / "task" / tid / "status", "rb") as f:
                for line in f:
                    if line.startswith(b"voluntary_ctxt_switches:"):
                        total += int(line.split()[1])
                        break
        except (OSError, ValueError, IndexError):
            continue  # the thread ended between listdir and open
    return total


def read_tasks(procfs: Path = Path("/proc")) -> dict[tuple[int, float], TaskCount]:
    """Every process's CPU time and wakeups (psutil for names and times, /proc for the switches)."""
    out: dict[tuple[int, float], TaskCount] = {}
    for p in psutil.process_iter(["pid", "name", "create_time", "cpu_times"]):
        info = p.info
        times = info.get("cpu_times")
        if times is None or info.get("create_time") is None:
            continue  # gone, or a zombie
        sw = voluntary_switches(info["pid"], procfs)
        if sw is None:
            continue
        key = (int(info["pid"]), float(info["create_time"]))
        out[key] = TaskCount(key[0], str(info.get("name") or "?"), key[1], times.user + times.system, sw)
    return out
