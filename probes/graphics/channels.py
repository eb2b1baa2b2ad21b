"""GPU telemetry channels: amdgpu load, VRAM and power; i915/xe frequencies and RC6; NVIDIA through nvidia-smi."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from hwinspector.probes.errors import ProbeUnavailable
from hwinspector.probes.sysfs_attr import link_name, optional_int, optional_text, read_int
from hwinspector.probes.telemetry.channels import (
    MS_RESIDENCY_WINDOW_S,
    Channel,
    ChannelReading,
    register_provider,
)

# amdgpu answers gpu_busy_percent and mem_busy_percent from SMU metrics cached for 1 ms; its
# power1_average is itself an average over ~100 ms (PERFORMANCE.md).
AMDGPU_BUSY_HZ = 100.0
AMDGPU_POWER_HZ = 10.0
# mem_info_vram_used is a counter in the TTM manager: no firmware round trip, changes per allocation.
AMDGPU_VRAM_HZ = 100.0
# i915's own PMU samples the frequencies with a 200 Hz timer (i915_pmu.c FREQUENCY).
INTEL_FREQ_HZ = 200.0
# rc6_residency_ms has a 1 ms resolution: at 10 Hz a sample spans 100 ms, so 1 % steps.
INTEL_RC6_HZ = 10.0
# One nvidia-smi run costs tens of milliseconds of CPU; NVML's power reading is a 1 s average.
NVIDIA_SMI_HZ = 1.0

NVIDIA_SMI_SCHEME = "nvidia-smi:"
# (nvidia-smi field, channel suffix, unit, label, kind of value)
NVIDIA_FIELDS = (
    ("utilization.gpu", "busy", "%", "GPU busy"),
    ("power.draw", "power", "W", "power"),
    ("temperature.gpu", "temp", "°C", "temperature"),
    ("clocks.sm", "sm_clock", "MHz", "SM clock"),
    ("memory.used", "vram_used", "MiB", "VRAM used"),
)
_SUSPENDED_REASON = "asleep at discovery: sampled only while awake (runtime_status is read first, every time)"
# GPU hwmon readings worth plotting, by key prefix: (rate, label); energy is a counter (its rate is W).
HWMON_HZ = {"temperature_c": 10.0, "fan_rpm": 2.0, "voltage_mv": 10.0, "clock_mhz": 100.0, "energy_j": 100.0}


@dataclass(frozen=True, slots=True)
class _Card:
    name: str  # card0
    card_dir: Path
    device_dir: Path
    address: str  # PCI slot, or the device's name
    driver: str | None
    suspended: bool


def _cards(sysfs: Path) -> Iterator[_Card]:
    drm = sysfs / "class" / "drm"
    try:
        names = sorted((n for n in os.listdir(drm) if re.fullmatch(r"card\d+", n)), key=lambda n: int(n[4:]))
    except OSError:
        return
    for name in names:
        card_dir = Path(os.path.realpath(drm / name))
        dev = Path(os.path.realpath(card_dir / "device"))
        uevent = optional_text(dev / "uevent") or ""
        props = {k: v for k, sep, v in (line.partition("=") for line in uevent.splitlines()) if sep}
        driver = link_name(dev / "driver") or props.get("DRIVER")
        address = props.get("PCI_SLOT_NAME") or dev.name
        suspended = optional_text(dev / "power" / "runtime_status") == "suspended"
        yield _Card(name, card_dir, dev, address, driver, suspended)


def _channel(
    card: _Card, metric: str, label: str, unit: str, path: Path, scale: float, rate: float, kind: str = "gauge"
) -> Channel:
    reason: str | None
    if card.suspended:
        readable, reason = True, _SUSPENDED_REASON
    else:
        attr = read_int(path)
        readable, reason = attr.value is not None, attr.error
    return Channel(
        id=f"gpu:{card.address}/{metric}",
        label=f"{card.driver} {card.address} {label}",
        unit=unit,
        path=str(path),
        scale=scale,
        max_rate_hz=rate,
        kind="counter" if kind == "counter" else "gauge",
        device=card.address,
        readable=readable,
        reason=reason,
        guard=str(card.device_dir / "power" / "runtime_status"),
    )


def _hwmon_channels(card: _Card, skip: set[str]) -> Iterator[Channel]:
    """Temperatures by the driver's labels, fan, voltages, clocks and energy from the GPU's own hwmon
    (the same keys as ``hwinspector gpu``). Labels are read only while the GPU is awake."""
    if card.suspended:
        return
    from hwinspector.probes.gpu.hwmon import hwmon_plan
    from hwinspector.probes.gpu.runtime import Asleep, GuardedReader
    from hwinspector.probes.gpu.units import unit_of

    guard = GuardedReader(card.device_dir)
    try:
        plan = hwmon_plan(guard)
    except Asleep:
        return
    for key, path in plan:
        quantity = key.partition(".")[0]
        rate = HWMON_HZ.get(quantity)
        if rate is None or key in skip:
            continue
        scale = {"temperature_c": 0.001, "clock_mhz": 1e-6, "energy_j": 1e-6}.get(quantity, 1.0)
        if quantity == "energy_j":
            dom = key.partition(".")[2]
            yield _channel(card, f"power.{dom}", f"power ({dom}, from energy)", "W", path, scale, rate, "counter")
        else:
            yield _channel(card, key, key, unit_of(key), path, scale, rate)


def _hwmon_dirs(device_dir: Path) -> list[Path]:
    try:
        return [Path(e.path) for e in sorted(os.scandir(device_dir / "hwmon"), key=lambda e: e.name)]
    except OSError:
        return []


def amdgpu_channels(sysfs: Path) -> list[Channel]:
    cards = [c for c in _cards(sysfs) if c.driver == "amdgpu"]
    if not cards:
        raise ProbeUnavailable("no GPU driven by amdgpu")
    out: list[Channel] = []
    for card in cards:
        d = card.device_dir
        for attr, metric, label, unit, scale, rate in (
            ("gpu_busy_percent", "busy", "GPU busy", "%", 1.0, AMDGPU_BUSY_HZ),
            ("mem_busy_percent", "mem_busy", "memory busy", "%", 1.0, AMDGPU_BUSY_HZ),  # absent on APUs
            ("mem_info_vram_used", "vram_used", "VRAM used", "MiB", 1.0 / (1 << 20), AMDGPU_VRAM_HZ),
        ):
            if (d / attr).exists():
                out.append(_channel(card, metric, label, unit, d / attr, scale, rate))
        for hw in _hwmon_dirs(d):
            # RDNA3 and later report the instantaneous power1_input instead of power1_average.
            power = next((hw / n for n in ("power1_average", "power1_input") if (hw / n).exists()), None)
            if power is not None:
                out.append(_channel(card, "power", "power", "W", power, 1e-6, AMDGPU_POWER_HZ))
                break
        out.extend(_hwmon_channels(card, set()))
    return out


def intel_channels(sysfs: Path) -> list[Channel]:
    cards = [c for c in _cards(sysfs) if c.driver in ("i915", "xe")]
    if not cards:
        raise ProbeUnavailable("no GPU driven by i915 or xe")
    out: list[Channel] = []
    for card in cards:
        out.extend(_i915(card) if card.driver == "i915" else _xe(card))
        out.extend(_hwmon_channels(card, set()))
    return out


def _freq_label(what: str, rp0: int | None) -> str:
    return f"{what} frequency" + (f" (RP0 {rp0} MHz)" if rp0 else "")


def _i915(card: _Card) -> Iterator[Channel]:
    c = card.card_dir
    gts = sorted((c / "gt").glob("gt[0-9]*")) if (c / "gt").is_dir() else []
    # Per-GT directories since Linux 6.0 (Meteor Lake has a media GT); the card-level files are gt0's.
    layout = [
        (gt.name, gt / "rps_act_freq_mhz", gt / "rps_cur_freq_mhz", gt / "rps_RP0_freq_mhz", gt / "rc6_residency_ms")
        for gt in gts
    ] or [
        ("gt0", c / "gt_act_freq_mhz", c / "gt_cur_freq_mhz", c / "gt_RP0_freq_mhz", c / "power" / "rc6_residency_ms")
    ]
    for gt, act, cur, rp0_path, rc6 in layout:
        rp0 = optional_int(rp0_path)
        if act.exists():
            yield _channel(card, f"{gt}/act_freq", f"{gt} {_freq_label('actual', rp0)}", "MHz", act, 1.0, INTEL_FREQ_HZ)
        if cur.exists():
            # gt_cur_freq_mhz is what the driver last requested from the PCU, not what it got.
            yield _channel(
                card, f"{gt}/req_freq", f"{gt} {_freq_label('requested', rp0)}", "MHz", cur, 1.0, INTEL_FREQ_HZ
            )
        if rc6.exists():
            yield _rc6(card, gt, rc6)


def _rc6(card: _Card, gt: str, path: Path) -> Channel:
    # A running total of milliseconds in RC6 (GT powered down): its rate in ms/s * 0.1 is the share of
    # time idle, in percent; 100 minus it is the share of time the GT was awake.
    ch = _channel(card, f"{gt}/rc6", f"{gt} RC6 (idle) residency", "%", path, 0.1, INTEL_RC6_HZ, "counter")
    return replace(ch, full_scale=100.0, window_s=MS_RESIDENCY_WINDOW_S)


def _xe(card: _Card) -> Iterator[Channel]:
    d = card.device_dir
    for gt_dir in sorted(d.glob("tile[0-9]*/gt[0-9]*")):
        gt = f"{gt_dir.parent.name}/{gt_dir.name}" if gt_dir.parent.name != "tile0" else gt_dir.name
        freq = gt_dir / "freq0"
        rp0 = optional_int(freq / "rp0_freq")
        for attr, metric, what in (("act_freq", "act_freq", "actual"), ("cur_freq", "req_freq", "requested")):
            if (freq / attr).exists():
                yield _channel(
                    card, f"{gt}/{metric}", f"{gt} {_freq_label(what, rp0)}", "MHz", freq / attr, 1.0, INTEL_FREQ_HZ
                )
        idle = gt_dir / "gtidle" / "idle_residency_ms"
        if idle.exists():
            yield _rc6(card, gt, idle)


# --- NVIDIA: nvidia-smi, a command rather than a file -----------------------------------------------


def _nvidia_slots(sysfs: Path) -> list[str]:
    try:
        return sorted(n for n in os.listdir(sysfs / "bus" / "pci" / "drivers" / "nvidia") if n.count(":") == 2)
    except OSError:
        return []


def nvidia_channels(sysfs: Path, nvidia_smi: str | None = None) -> list[Channel]:
    """One channel per GPU and field; ``path`` is ``nvidia-smi:<slot>/<field>``, sampled by a poller."""
    slots = _nvidia_slots(sysfs)
    if not slots:
        raise ProbeUnavailable("no GPU bound to the nvidia driver")
    exe = nvidia_smi or shutil.which("nvidia-smi")
    if exe is None:
        raise ProbeUnavailable("nvidia-smi is not installed: NVIDIA telemetry comes from it (NVML)")
    return [
        Channel(
            id=f"gpu:{slot}/{suffix}",
            label=f"nvidia {slot} {label}",
            unit=unit,
            path=f"{NVIDIA_SMI_SCHEME}{slot}/{field}",
            scale=1.0,
            max_rate_hz=NVIDIA_SMI_HZ,
            kind="gauge",
            device=slot,
            # readable: a value can be had, by running nvidia-smi (a low-rate poller, never the file
            # sampler: is_command_channel); the CLI, recordings and tiles read it like any channel
            readable=True,
            reason=None,
        )
        for slot in slots
        for field, suffix, unit, label in NVIDIA_FIELDS
    ]


def is_command_channel(ch: Channel) -> bool:
    """True for channels the file sampler cannot read (they come from running a program)."""
    return ch.path.startswith(NVIDIA_SMI_SCHEME)


def nvidia_smi_argv(exe: str = "nvidia-smi") -> list[str]:
    fields = ",".join(["pci.bus_id", *(f for f, *_ in NVIDIA_FIELDS)])
    return [exe, f"--query-gpu={fields}", "--format=csv,noheader,nounits"]


def _slot(bus_id: str) -> str:
    # nvidia-smi prints an 8-digit PCI domain ("00000000:01:00.0"); sysfs uses 4.
    domain, _, rest = bus_id.strip().lower().partition(":")
    return f"{int(domain, 16):04x}:{rest}" if rest else bus_id.strip().lower()


def parse_nvidia_smi(text: str) -> dict[str, dict[str, float | None]]:
    """Rows of ``nvidia-smi --query-gpu=pci.bus_id,… --format=csv,noheader,nounits`` by PCI slot.

    ``[N/A]`` and ``[Not Supported]`` (GPUs without a power sensor, MIG partitions) become None.
    """
    out: dict[str, dict[str, float | None]] = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.split(",")]
        if len(cells) != len(NVIDIA_FIELDS) + 1 or ":" not in cells[0]:
            continue
        values: dict[str, float | None] = {}
        for (field, *_), cell in zip(NVIDIA_FIELDS, cells[1:], strict=True):
            try:
                values[field] = float(cell)
            except ValueError:
                values[field] = None
        out[_slot(cells[0])] = values
    return out


Runner = Callable[[Sequence[str]], str]


def _run(argv: Sequence[str]) -> str:
    proc = subprocess.run(list(argv), capture_output=True, text=True, timeout=5, check=False, env=_c_env())
    if proc.returncode != 0:
        last = ((proc.stderr or proc.stdout).strip().splitlines() or [""])[-1]
        raise OSError(f"exit status {proc.returncode}: {last}".rstrip(": "))
    return proc.stdout


def _c_env() -> dict[str, str]:
    return {**os.environ, "LC_ALL": "C"}


def read_nvidia_smi(
    channels: Sequence[Channel], nvidia_smi: str = "nvidia-smi", run: Runner = _run
) -> list[ChannelReading]:
    """One nvidia-smi run answers every NVIDIA channel given; other channels are not touched.

    Readings carry the value (``raw`` stays None: nvidia-smi prints decimals).
    """
    wanted = [ch for ch in channels if ch.path.startswith(NVIDIA_SMI_SCHEME)]
    if not wanted:
        return []
    try:
        rows = parse_nvidia_smi(run(nvidia_smi_argv(nvidia_smi)))
    except (OSError, subprocess.SubprocessError) as exc:
        why = f"nvidia-smi failed: {exc}"
        return [ChannelReading(ch.id, None, None, why) for ch in wanted]
    out = []
    for ch in wanted:
        slot, _, field = ch.path[len(NVIDIA_SMI_SCHEME) :].partition("/")
        row = rows.get(slot)
        if row is None:
            out.append(ChannelReading(ch.id, None, None, f"nvidia-smi does not list {slot}"))
        elif row.get(field) is None:
            out.append(ChannelReading(ch.id, None, None, "not supported by this GPU"))
        else:
            value = row[field]
            out.append(ChannelReading(ch.id, None, None if value is None else value * ch.scale, None))
    return out


PROVIDERS = {"amdgpu": amdgpu_channels, "intel-gpu": intel_channels, "nvidia": nvidia_channels}


def register() -> None:
    """Register the GPU providers; calling it again replaces them, so importing twice adds nothing."""
    for name, provider in PROVIDERS.items():
        register_provider(name, provider)


register()
