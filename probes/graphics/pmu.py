"""Intel GPU PMUs (i915, xe) and the iGPU's RAPL energy in perf's power PMU: what perf_event_open can count.

Everything comes from /sys/bus/event_source/devices/<pmu>/: ``type`` (the number for attr.type, dynamic
for driver PMUs), ``cpumask`` (the CPU an uncore event must be opened on), ``format/<field>`` (which
config bits a field sets, "config:60-63") and ``events/<name>`` ("config=0x100003", "event=0x01"), with
``<name>.unit`` and ``<name>.scale``. Nothing here opens an event: a GPU that sleeps is not woken.

Sources: i915 — drivers/gpu/drm/i915/i915_pmu.c (create_event_attributes: event names and units,
"-gtN" suffixes on multi-GT parts, "i915_<pci>" names for discrete cards, the cpumask check in
i915_pmu_event_init) and include/uapi/drm/i915_drm.h (__I915_PMU_ENGINE, ___I915_PMU_OTHER);
Documentation/gpu/i915.rst "Performance tracking". xe — drivers/gpu/drm/xe/xe_pmu.c
(Documentation/gpu/xe/xe_pmu.rst): gt-c6-residency (ms), engine-active-ticks / engine-total-ticks
(read as one group), gt-actual-frequency / gt-requested-frequency (MHz, added once per read), format
fields gt, function, engine_class, engine_instance. RAPL — arch/x86/events/rapl.c: power/energy-gpu.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from hwinspector.probes.errors import ProbeUnavailable
from hwinspector.probes.sysfs_attr import optional_text
from hwinspector.probes.telemetry.perf import PerfCounter, PerfMode

# i915 samples frequencies with a 200 Hz timer (i915_pmu.c FREQUENCY); every event of one PMU shares a
# group read only when sampled at one rate, so all of them get this one.
PMU_HZ = 200.0
# xe's engine classes (include/uapi/drm/xe_drm.h DRM_XE_ENGINE_CLASS_*) by the sysfs directory names of
# xe_hw_engine_class_sysfs.c (device/tileN/gtM/engines/<class>).
XE_ENGINE_CLASSES = {"rcs": 0, "bcs": 1, "vcs": 2, "vecs": 3, "ccs": 4}
_I915_ENGINE = re.compile(r"((?:rcs|bcs|vcs|vecs|ccs)\d+)-busy")
_GT_SUFFIX = re.compile(r"(.*?)(?:-gt(\d+))?")
_FORMAT = re.compile(r"config([12]?):(\d+)(?:-(\d+))?")
IGPU_ADDRESS = "0000:00:02.0"  # Intel's integrated GPU is always device 2 on bus 0

Quantity = Literal["busy", "frequency", "residency", "awake", "energy", "interrupts"]


@dataclass(frozen=True, slots=True)
class Pmu:
    """One PMU as sysfs describes it; ``error`` says why it cannot be used (its type unreadable)."""

    name: str
    path: str
    type: int | None
    cpu: int  # the first CPU of its cpumask (0 where it has none)
    formats: dict[str, str] = field(default_factory=dict)  # field -> "config:60-63"
    events: dict[str, str] = field(default_factory=dict)  # name -> "config=0x100003"
    units: dict[str, str] = field(default_factory=dict)
    scales: dict[str, float] = field(default_factory=dict)
    error: str | None = None

    @property
    def type_path(self) -> str:
        return os.path.join(self.path, "type")


@dataclass(frozen=True, slots=True)
class GpuCounter:
    """One GPU reading a perf counter gives: what it is, how to open it, how its count becomes a value.

    ``scale`` turns the raw count into the display unit's running total (a counter: its rate is the
    value) or the value itself (``gauge``): ns of busy time * 1e-7 is a share in %, MHz·s is MHz.
    """

    device: str  # PCI address
    driver: str  # i915, xe
    pmu: str
    event: str  # the kernel's event name (the numerator's, for a ratio)
    metric: str  # "rcs0/busy", "gt0/act_freq", "gt0/rc6", "interrupts", "energy"
    quantity: Quantity
    counter: PerfCounter
    unit: str
    scale: float
    kind: Literal["counter", "gauge"]
    full_scale: float | None
    window_s: float
    wakes: bool  # while open it holds a runtime-PM reference on the GPU (xe_pmu_event_init)
    forcewake: bool  # while open it holds GT forcewake: the GT never enters C6 (xe event_gt_forcewake)
    suspended: bool  # the GPU was runtime-suspended at discovery
    raw_unit: str  # what a raw sample counts: the event's sysfs .unit ("ns", "M", "ms"), "count" without one

    @property
    def id(self) -> str:
        """The telemetry channel's id; the privileged helper offers the counter under the same id."""
        return f"gpu:{self.device}/pmu/{self.metric}"


def _first_cpu(text: str | None) -> int:
    """The first CPU of a cpulist ("0", "0-3", "0,4")."""
    m = re.match(r"\s*(\d+)", text or "")
    return int(m.group(1)) if m else 0


def _files(d: Path) -> list[str]:
    try:
        return sorted(os.listdir(d))
    except OSError:
        return []


def read_pmu(path: Path) -> Pmu:
    """One event source directory; never raises."""
    text = optional_text(path / "type")
    pmu_type = int(text) if text is not None and text.isdigit() else None
    formats = {f: optional_text(path / "format" / f) or "" for f in _files(path / "format")}
    events: dict[str, str] = {}
    units: dict[str, str] = {}
    scales: dict[str, float] = {}
    for f in _files(path / "events"):
        value = optional_text(path / "events" / f)
        if value is None:
            continue
        name, dot, attr = f.rpartition(".")
        if dot and attr == "unit":
            units[name] = value
        elif dot and attr == "scale":
            with suppress(ValueError):
                scales[name] = float(value)
        else:
            events[f] = value
    error = None if pmu_type is not None else f"{path.name}/type unreadable ({text!r})"
    cpu = _first_cpu(optional_text(path / "cpumask"))
    return Pmu(path.name, str(path), pmu_type, cpu, formats, events, units, scales, error)


def encode_config(terms: str, formats: dict[str, str], extra: dict[str, int] | None = None) -> int:
    """attr.config from an event's terms ("event=0x01", "config=0x100000") and format fields set on top.

    As perf's own parser does (tools/perf/util/pmu.c): a term names a format field, whose
    "config:lo-hi" says where its value goes, or the raw "config". Raises ValueError for anything else.
    """
    config = 0
    items = [t.strip() for t in terms.split(",") if t.strip()]
    values: dict[str, int] = {}
    for item in items:
        key, eq, text = item.partition("=")
        t = text.strip().lower()
        values[key.strip()] = (int(t, 16) if t.startswith("0x") else int(t, 10)) if eq else 1
    values.update(extra or {})
    for key, value in values.items():
        if key == "config":
            config |= value
            continue
        spec = _FORMAT.fullmatch(formats.get(key, ""))
        if spec is None or spec.group(1):  # config1/config2 fields: no Intel GPU event uses them
            raise ValueError(f"event term {key!r} is not a config field of this PMU")
        lo = int(spec.group(2))
        width = int(spec.group(3) or lo) - lo + 1
        if value < 0 or value >> width:
            raise ValueError(f"{key}={value} does not fit in {width} bits")
        config |= value << lo
    if not 0 <= config < 1 << 64:
        raise ValueError(f"config {config:#x} is not a u64")
    return config


def is_gpu_pmu(name: str) -> bool:
    return name == "i915" or name.startswith(("i915_", "xe_"))


def list_pmus(sysfs: Path = Path("/sys"), wanted: Callable[[str], bool] = lambda name: True) -> list[Pmu]:
    """The event sources whose name ``wanted`` accepts (a server's dozens of uncore PMUs are not read for nothing)."""
    d = sysfs / "bus" / "event_source" / "devices"
    return [read_pmu(d / n) for n in _files(d) if wanted(n)]


def _suspended(sysfs: Path, address: str) -> bool:
    return optional_text(sysfs / "bus" / "pci" / "devices" / address / "power" / "runtime_status") == "suspended"


def _i915_address(sysfs: Path, pmus: list[Pmu]) -> str:
    """The PCI address behind the plain "i915" PMU: the integrated GPU (discrete ones are i915_<pci>)."""
    named = {p.name[5:].replace("_", ":") for p in pmus if p.name.startswith("i915_")}
    bound = [n for n in _files(sysfs / "bus" / "pci" / "drivers" / "i915") if n.count(":") == 2 and n not in named]
    if IGPU_ADDRESS in bound or not bound:
        return IGPU_ADDRESS
    return bound[0]


def _counter(pmu: Pmu, device: str, driver: str, event: str, metric: str, quantity: Quantity, suspended: bool,
             *, extra: dict[str, int] | None = None, mode: PerfMode = "total", ratio_of: str | None = None,
             scale: float = 1.0, unit: str = "%", kind: Literal["counter", "gauge"] = "counter",
             full_scale: float | None = None, window_s: float = 0.0) -> GpuCounter | None:  # fmt: skip
    """The counter, or None where the event's terms do not parse (a garbled or unknown sysfs file)."""
    try:
        config = encode_config(pmu.events[event], pmu.formats, extra)
        config2 = encode_config(pmu.events[ratio_of], pmu.formats, extra) if ratio_of else 0
    except ValueError:
        return None
    counter = PerfCounter(pmu.type_path, config, pmu.cpu, -1, mode, config2)
    xe = pmu.name.startswith("xe_")
    forcewake = xe and event.startswith(("engine-", "gt-actual", "gt-requested"))
    raw_unit = "ns" if mode == "ratio" else pmu.units.get(event, "count")
    return GpuCounter(device, driver, pmu.name, event, metric, quantity, counter, unit, scale, kind, full_scale,
                      window_s, xe, forcewake, suspended, raw_unit)  # fmt: skip


def _i915_counters(sysfs: Path, pmu: Pmu, address: str) -> list[GpuCounter | None]:
    out: list[GpuCounter | None] = []
    asleep = _suspended(sysfs, address)
    for event in sorted(pmu.events):
        engine = _I915_ENGINE.fullmatch(event)
        if engine:
            # Busy time in ns from the engine's own stats; -wait and -sema are left out: they need i915's
            # 200 Hz sampling timer and MMIO reads under forcewake, which keeps the GT awake.
            out.append(_counter(pmu, address, "i915", event, f"{engine.group(1)}/busy", "busy", asleep,
                                scale=1e-7, full_scale=100.0))  # fmt: skip
            continue
        base, gt = _GT_SUFFIX.fullmatch(event).groups()  # type: ignore[union-attr]
        g = f"gt{gt or 0}"
        if base in ("actual-frequency", "requested-frequency"):
            # The count is MHz x seconds (add_sample_mult of MHz x period in us, / USEC_PER_SEC): its
            # rate is the mean frequency between two reads.
            what = "act_freq" if base.startswith("actual") else "req_freq"
            out.append(_counter(pmu, address, "i915", event, f"{g}/{what}", "frequency", asleep, unit="MHz"))
        elif base == "rc6-residency":
            out.append(_counter(pmu, address, "i915", event, f"{g}/rc6", "residency", asleep,
                                scale=1e-7, full_scale=100.0))  # fmt: skip
        elif base == "software-gt-awake-time" and g == "gt0":
            # Reads gt0's awake time whatever the suffix (i915_pmu.c: intel_gt_get_awake_time(to_gt(i915))).
            out.append(_counter(pmu, address, "i915", event, "gt0/awake", "awake", asleep, scale=1e-7,
                                full_scale=100.0))  # fmt: skip
        elif base == "interrupts":
            out.append(_counter(pmu, address, "i915", event, "interrupts", "interrupts", asleep, unit="irq/s"))
    return out


def _xe_gts(sysfs: Path, address: str) -> dict[int, list[str]]:
    """GT id -> engine classes with a sysfs directory (device/tileN/gtM/engines/<class>)."""
    dev = sysfs / "bus" / "pci" / "devices" / address
    gts: dict[int, list[str]] = {}
    for tile in _files(dev):
        if not re.fullmatch(r"tile\d+", tile):
            continue
        for gt in _files(dev / tile):
            if re.fullmatch(r"gt\d+", gt):
                gts[int(gt[2:])] = [c for c in _files(dev / tile / gt / "engines") if c in XE_ENGINE_CLASSES]
    return gts or {0: []}


def _xe_counters(sysfs: Path, pmu: Pmu, address: str) -> list[GpuCounter | None]:
    out: list[GpuCounter | None] = []
    asleep = _suspended(sysfs, address)
    ev = pmu.events
    for gt, classes in sorted(_xe_gts(sysfs, address).items()):
        g, extra = f"gt{gt}", {"gt": gt}
        if "gt-c6-residency" in ev:  # ms: 1 ms steps, so a 100 ms window for 1 % resolution
            out.append(_counter(pmu, address, "xe", "gt-c6-residency", f"{g}/rc6", "residency", asleep, extra=extra,
                                scale=0.1, full_scale=100.0, window_s=0.1))  # fmt: skip
        for event, what in (("gt-actual-frequency", "act_freq"), ("gt-requested-frequency", "req_freq")):
            if event in ev:  # each read adds the instantaneous MHz (xe_pmu_event_update): a delta per read
                out.append(_counter(pmu, address, "xe", event, f"{g}/{what}", "frequency", asleep, extra=extra,
                                    mode="delta", unit="MHz", kind="gauge"))  # fmt: skip
        if "engine-active-ticks" in ev and "engine-total-ticks" in ev:
            # Instances beyond 0 (vcs1, ccs1…) are listed only by DRM_XE_DEVICE_QUERY_ENGINES, an ioctl
            # on the render node: per class, instance 0 is what sysfs proves exists.
            for cls in classes:
                e = {**extra, "engine_class": XE_ENGINE_CLASSES[cls], "engine_instance": 0}
                out.append(_counter(pmu, address, "xe", "engine-active-ticks", f"{g}/{cls}0/busy", "busy", asleep,
                                    extra=e, mode="ratio", ratio_of="engine-total-ticks", scale=1e-7,
                                    full_scale=100.0))  # fmt: skip
    return out


def list_gpu_counters(sysfs: Path = Path("/sys")) -> list[GpuCounter]:
    """Every i915/xe PMU counter worth a channel, plus the iGPU's RAPL energy; ProbeUnavailable if none.

    A PMU whose type cannot be read, or an event whose terms do not parse, is skipped.
    """
    pmus = list_pmus(sysfs, lambda name: is_gpu_pmu(name) or name == "power")
    gpus = [p for p in pmus if is_gpu_pmu(p.name)]
    if not gpus:
        raise ProbeUnavailable("no i915 or xe PMU under /sys/bus/event_source/devices")
    found: list[GpuCounter | None] = []
    for p in gpus:
        if p.error:
            continue
        address = _i915_address(sysfs, pmus) if p.name == "i915" else p.name.partition("_")[2].replace("_", ":")
        read = _i915_counters if p.name.startswith("i915") else _xe_counters
        found.extend(read(sysfs, p, address))
    power = next((p for p in pmus if p.name == "power" and not p.error and "energy-gpu" in p.events), None)
    igpu = next((c for c in found if c is not None and c.device == IGPU_ADDRESS), None)
    if power is not None and igpu is not None:
        # RAPL's PP1 ("uncore", the integrated graphics) in units of 2^-32 J (energy-gpu.scale): its rate is watts.
        scale = power.scales.get("energy-gpu", 2.0**-32)
        found.append(_counter(power, IGPU_ADDRESS, igpu.driver, "energy-gpu", "energy", "energy", igpu.suspended,
                              scale=scale, unit="W"))  # fmt: skip
    return [c for c in found if c is not None]
