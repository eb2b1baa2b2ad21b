"""Fake /sys/bus/event_source trees of real Intel GPU PMUs, written by code (sources: tests/data/SOURCES.md).

The event names are those the public listings show; each event's file holds what the kernel prints for
it: i915 "config=0x%lx" with the value of include/uapi/drm/i915_drm.h's __I915_PMU_ENGINE /
___I915_PMU_OTHER, xe "event=%#04llx" (xe_pmu.c event_attr_show), RAPL "event=0x04" (rapl.c).
"""

from __future__ import annotations

from pathlib import Path

# i915_drm.h: I915_ENGINE_CLASS_* and enum drm_i915_pmu_engine_sample
I915_CLASS = {"rcs": 0, "bcs": 1, "vcs": 2, "vecs": 3, "ccs": 4}
I915_SAMPLE = {"busy": 0, "wait": 1, "sema": 2}
I915_OTHER = {
    "actual-frequency": 0,
    "requested-frequency": 1,
    "interrupts": 2,
    "rc6-residency": 3,
    "software-gt-awake-time": 4,
}
I915_UNITS = {
    "actual-frequency": "M",
    "requested-frequency": "M",
    "rc6-residency": "ns",
    "software-gt-awake-time": "ns",
}


def i915_engine_config(engine: str, sample: str) -> int:
    """__I915_PMU_ENGINE(class, instance, sample): class << 12 | instance << 4 | sample."""
    cls = engine.rstrip("0123456789")
    return I915_CLASS[cls] << 12 | int(engine[len(cls) :]) << 4 | I915_SAMPLE[sample]


def i915_other_config(name: str, gt: int = 0) -> int:
    """___I915_PMU_OTHER(gt, x): __I915_PMU_ENGINE(0xff, 0xff, 0xf) + 1 + x, gt in bits 60-63."""
    return (0xFF << 12 | 0xFF << 4 | 0xF) + 1 + I915_OTHER[name] | gt << 60


# Gemini Lake (Celeron J4105), `perf list` in rr-debugger/rr issue 3098: one GT, no suffixes.
GLK_ENGINES = ("bcs0", "rcs0", "vcs0", "vecs0")
# Meteor Lake (CPU type 0xa06a0), `perf list` in rr-debugger/rr issue 3758: two GTs, "-gtN" suffixes
# (i915_pmu.c create_event_attributes, HAS_EXTRA_GT_LIST), interrupts global.
MTL_ENGINES = ("bcs0", "ccs0", "rcs0", "vcs0", "vcs1", "vecs0")
# DG2 (Arc Pro A40, 0000:b5:00.0): the discrete PMU's name and files in aristocratos/btop issue 938; its
# engine classes as intel_gpu_top's JSON lists them in luisbocanegra/plasma-intel-gpu-monitor issue 4.
DG2_NAME = "i915_0000_b5_00.0"
DG2_ENGINES = ("bcs0", "rcs0", "vcs0", "vecs0")

XE_FORMATS = {
    "event": "config:0-11",
    "engine_instance": "config:12-19",
    "engine_class": "config:20-27",
    "function": "config:44-59",
    "gt": "config:60-63",
}
XE_EVENTS = {
    "gt-c6-residency": (0x01, "ms"),
    "engine-active-ticks": (0x02, None),
    "engine-total-ticks": (0x03, None),
    "gt-actual-frequency": (0x04, "MHz"),
    "gt-requested-frequency": (0x05, "MHz"),
}
RAPL_SCALE = "2.3283064365386962890625e-10"
CPU_CLOCK, DUMMY = 0, 9  # PERF_COUNT_SW_CPU_CLOCK, PERF_COUNT_SW_DUMMY
RAPL_EVENTS = {"energy-cores": 0x01, "energy-pkg": 0x02, "energy-ram": 0x03, "energy-gpu": 0x04}


def _pmu(sysfs: Path, name: str, pmu_type: int, cpumask: str | None = "0") -> Path:
    d = sysfs / "bus" / "event_source" / "devices" / name
    (d / "events").mkdir(parents=True)
    (d / "format").mkdir()
    (d / "type").write_text(f"{pmu_type}\n")
    if cpumask is not None:
        (d / "cpumask").write_text(f"{cpumask}\n")
    return d


def _event(d: Path, name: str, text: str, unit: str | None = None, scale: str | None = None) -> None:
    (d / "events" / name).write_text(text + "\n")
    if unit:
        (d / "events" / f"{name}.unit").write_text(unit + "\n")
    if scale:
        (d / "events" / f"{name}.scale").write_text(scale + "\n")


def i915_pmu(sysfs: Path, name: str, engines: tuple[str, ...], gts: int = 1, pmu_type: int = 14) -> Path:
    """An i915 PMU as i915_pmu.c registers it: every engine with busy/sema/wait, every GT's counters."""
    d = _pmu(sysfs, name, pmu_type)
    (d / "format" / "i915_eventid").write_text("config:0-20\n")
    for engine in engines:
        for sample in I915_SAMPLE:
            _event(d, f"{engine}-{sample}", f"config={i915_engine_config(engine, sample):#x}", "ns")
    for gt in range(gts):
        for other, unit in [*I915_UNITS.items(), ("interrupts", None)]:
            if other == "interrupts" and gt:
                continue
            event = other if gts == 1 or other == "interrupts" else f"{other}-gt{gt}"
            _event(d, event, f"config={i915_other_config(other, gt):#x}", unit)
    return d


def rapl_pmu(sysfs: Path, pmu_type: int = 15) -> Path:
    d = _pmu(sysfs, "power", pmu_type)
    (d / "format" / "event").write_text("config:0-7\n")
    for name, event in RAPL_EVENTS.items():
        _event(d, name, f"event={event:#04x}", "Joules", RAPL_SCALE)
    return d


def bind_i915(sysfs: Path, address: str) -> None:
    drv = sysfs / "bus" / "pci" / "drivers" / "i915"
    drv.mkdir(parents=True, exist_ok=True)
    (drv / address).mkdir()


def glk(sysfs: Path) -> None:
    i915_pmu(sysfs, "i915", GLK_ENGINES)
    rapl_pmu(sysfs)
    bind_i915(sysfs, "0000:00:02.0")


def mtl(sysfs: Path) -> None:
    i915_pmu(sysfs, "i915", MTL_ENGINES, gts=2)
    rapl_pmu(sysfs)
    bind_i915(sysfs, "0000:00:02.0")


def dg2_beside_igpu(sysfs: Path) -> None:
    """A desktop with an integrated i915 GPU and a DG2 card on i915: two PMUs, "i915" and "i915_<pci>"."""
    glk(sysfs)
    i915_pmu(sysfs, DG2_NAME, DG2_ENGINES, pmu_type=16)
    bind_i915(sysfs, "0000:b5:00.0")


def xe_pmu(sysfs: Path, address: str, gts: dict[int, tuple[str, ...]], pmu_type: int = 17) -> Path:
    """An xe PMU (xe_pmu.c) and the device's tileN/gtM/engines/<class> directories (xe_hw_engine_class_sysfs.c)."""
    d = _pmu(sysfs, "xe_" + address.replace(":", "_"), pmu_type)
    for field, bits in XE_FORMATS.items():
        (d / "format" / field).write_text(bits + "\n")
    for name, (event, unit) in XE_EVENTS.items():
        _event(d, name, f"event={event:#04x}", unit)
    dev = sysfs / "bus" / "pci" / "devices" / address
    for gt, classes in gts.items():
        for cls in classes:
            (dev / "tile0" / f"gt{gt}" / "engines" / cls).mkdir(parents=True)
    (dev / "power").mkdir(parents=True, exist_ok=True)
    (dev / "power" / "runtime_status").write_text("active\n")
    return d


def lnl(sysfs: Path) -> None:
    """Lunar Lake on xe: the primary GT (render, copy, compute) and the media GT (video, video enhance)."""
    xe_pmu(sysfs, "0000:00:02.0", {0: ("bcs", "ccs", "rcs"), 1: ("vcs", "vecs")})
    rapl_pmu(sysfs)


def i915_on_software(sysfs: Path, sw_type: int) -> None:
    """An "i915" PMU with the software PMU's type: busy is cpu-clock (100 %), RC6 the dummy event (0 %).

    The software PMU has one quirk real GPU PMUs lack: a group led by the dummy event never reads its
    cpu-clock siblings (the dummy is never active, and perf reads siblings through an active leader).
    The first event of each fake PMU, its group's leader, is therefore a cpu-clock one.
    """
    d = _pmu(sysfs, "i915", sw_type)
    (d / "format" / "i915_eventid").write_text("config:0-20\n")
    _event(d, "interrupts", f"config={CPU_CLOCK:#x}")  # the leader: 1e9 "irq/s"
    _event(d, "rc6-residency", f"config={DUMMY:#x}", "ns")
    _event(d, "rcs0-busy", f"config={CPU_CLOCK:#x}", "ns")
    bind_i915(sysfs, "0000:00:02.0")


def xe_on_software(sysfs: Path, sw_type: int, address: str = "0000:03:00.0") -> None:
    """An xe PMU with the software PMU's type: engine busy is cpu-clock over cpu-clock (100 %)."""
    d = xe_pmu(sysfs, address, {0: ("rcs",)}, pmu_type=sw_type)
    for name in ("engine-active-ticks", "engine-total-ticks", "gt-actual-frequency"):
        _event(d, name, f"event={CPU_CLOCK:#04x}")
    # the leader (xe's counters list C6 first): cpu-clock's ns read as ms of C6 outrun the wall clock a
    # million times, and the share of time caps at 100 %
    _event(d, "gt-c6-residency", f"event={CPU_CLOCK:#04x}", "ms")


def power_on_software(sysfs: Path, sw_type: int) -> None:
    """perf's power PMU with the software PMU's type: energy-gpu is cpu-clock (its ns as 2^-32 J)."""
    d = _pmu(sysfs, "power", sw_type)
    (d / "format" / "event").write_text("config:0-7\n")
    _event(d, "energy-gpu", f"event={CPU_CLOCK:#04x}", "Joules", RAPL_SCALE)
