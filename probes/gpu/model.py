"""The GPU data model: readings keyed by quantity, unit and domain (temperature_c.junction), absent with a reason."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

# A reading's key names the quantity and its unit, then the domain: temperature_c.junction, clock_mhz.soc,
# voltage_mv.mem, power_w.average, fan_rpm, busy_percent.gfx. Scripts parse the unit from the key.
KEY = re.compile(r"^[a-z]+(?:_[a-z]+)*_(c|mhz|mv|ma|w|j|ms|rpm|percent|mib|gts|lanes)(?:\.[a-z0-9_]+)?$")

# runtime_status values (Documentation/ABI/testing/sysfs-devices-power): "unsupported" means runtime PM
# is off for the device, so it is always powered and reading it wakes nothing.
AWAKE_STATES = frozenset({"active", "unsupported"})


def check_key(key: str) -> str:
    if not KEY.match(key):
        raise ValueError(f"not a reading key: {key!r}")
    return key


@dataclass(frozen=True, slots=True)
class Reading:
    """One number: ``key`` (``power_w.average``), the value in the key's unit, and where it came from."""

    key: str
    value: float
    source: str  # "hwmon/hwmon4/temp2_input", "gpu_metrics v1_3", "nvml", "pp_dpm_sclk"


@dataclass(frozen=True, slots=True)
class Absent:
    """A reading the driver offers (or should) that could not be had, and why: never a 0 in its place."""

    key: str
    reason: str


@dataclass(frozen=True, slots=True)
class RuntimePm:
    """power/runtime_status and its time accounting (ms), as the PM core keeps them for the device.

    ``status`` None: the device has no power/ directory (no runtime PM, or a capture without it).
    ``asleep_since_s``: wall-clock time (epoch seconds) from which the GPU has been seen asleep, where a
    watcher saw it fall asleep (SleepTracker); ``since_exact`` False means it was already asleep at the
    first look, so the true start is at or before that time. The kernel keeps no timestamp of the last
    transition, only the running totals, so one look cannot tell more.
    """

    status: str | None
    active_ms: int | None = None
    suspended_ms: int | None = None
    asleep_since_s: float | None = None
    since_exact: bool = False
    control: str | None = None  # "auto" (runtime PM allowed) or "on" (kept awake)

    @property
    def asleep(self) -> bool:
        return self.status is not None and self.status not in AWAKE_STATES


@dataclass(frozen=True, slots=True)
class Gpu:
    """One GPU as read: identity, runtime PM state and, while awake, its readings by key."""

    pci_address: str  # "0000:03:00.0", or the device's own name off PCI
    driver: str | None
    card: str | None  # "card1"
    render_node: str | None  # "renderD129"
    vendor_id: int | None
    device_id: int | None
    runtime: RuntimePm
    readings: tuple[Reading, ...] = ()
    absent: tuple[Absent, ...] = ()
    performance_level: str | None = None  # amdgpu power_dpm_force_performance_level
    throttle_reasons: tuple[str, ...] = ()
    metrics_revision: str | None = None  # "v1_3" where amdgpu's gpu_metrics was decoded
    notes: tuple[str, ...] = ()  # why whole groups are missing ("asleep: nothing read")

    @property
    def asleep(self) -> bool:
        return self.runtime.asleep

    def value(self, key: str) -> float | None:
        return next((r.value for r in self.readings if r.key == key), None)

    def by_domain(self) -> dict[str, list[Reading]]:
        """Readings grouped by their quantity (the part of the key before the dot), in key order."""
        out: dict[str, list[Reading]] = {}
        for r in sorted(self.readings, key=lambda r: r.key):
            out.setdefault(r.key.partition(".")[0], []).append(r)
        return out


@dataclass(frozen=True, slots=True)
class EngineUse:
    """One engine's use by a client over the interval between two fdinfo reads."""

    engine: str  # "gfx", "render", "video", "compute", …
    busy_percent: float


@dataclass(frozen=True, slots=True)
class GpuClient:
    """A process holding a DRM client (an open render or card node), from /proc/PID/fdinfo or NVML."""

    pid: int
    command: str
    pci_address: str
    driver: str
    client_id: int | None
    node: str | None  # "renderD129": the node the fd is open on, where /proc/PID/fd says
    engines: tuple[EngineUse, ...] = ()
    memory_kib: Mapping[str, int] = field(default_factory=dict)  # "vram", "gtt", "system", "total-vram", …

    @property
    def busy_percent(self) -> float | None:
        return max((e.busy_percent for e in self.engines), default=None)


@dataclass(frozen=True, slots=True)
class GpuReport:
    gpus: tuple[Gpu, ...]
    clients: tuple[GpuClient, ...] = ()
    notes: tuple[str, ...] = ()
    source: str = "live"


def merge(readings: Iterable[Reading], absent: Iterable[Absent]) -> tuple[tuple[Reading, ...], tuple[Absent, ...]]:
    """First reading of a key wins (callers list the better source first); absences a reading answers drop out."""
    seen: dict[str, Reading] = {}
    for r in readings:
        seen.setdefault(check_key(r.key), r)
    gone: dict[str, Absent] = {}
    for a in absent:
        if check_key(a.key) not in seen:
            gone.setdefault(a.key, a)
    return tuple(sorted(seen.values(), key=lambda r: r.key)), tuple(sorted(gone.values(), key=lambda a: a.key))


def runtime_json(rt: RuntimePm) -> dict[str, Any]:
    return {
        "status": rt.status,
        "asleep": rt.asleep,
        "control": rt.control,
        "active_ms": rt.active_ms,
        "suspended_ms": rt.suspended_ms,
        "asleep_since": rt.asleep_since_s,
        "asleep_since_exact": rt.since_exact,
    }


def gpu_json(g: Gpu) -> dict[str, Any]:
    return {
        "pci_address": g.pci_address,
        "driver": g.driver,
        "card": g.card,
        "render_node": g.render_node,
        "vendor_id": None if g.vendor_id is None else f"0x{g.vendor_id:04x}",
        "device_id": None if g.device_id is None else f"0x{g.device_id:04x}",
        "runtime_pm": runtime_json(g.runtime),
        "readings": {r.key: r.value for r in g.readings},
        "sources": {r.key: r.source for r in g.readings},
        "absent": {a.key: a.reason for a in g.absent},
        "performance_level": g.performance_level,
        "throttle_reasons": list(g.throttle_reasons),
        "metrics_revision": g.metrics_revision,
        "notes": list(g.notes),
    }


def client_json(c: GpuClient) -> dict[str, Any]:
    return {
        "pid": c.pid,
        "command": c.command,
        "pci_address": c.pci_address,
        "driver": c.driver,
        "client_id": c.client_id,
        "node": c.node,
        "busy_percent": c.busy_percent,
        "engines": {e.engine: e.busy_percent for e in c.engines},
        "memory_kib": dict(c.memory_kib),
    }


def report_json(report: GpuReport) -> dict[str, Any]:
    """The ``hwinspector gpu --json`` contract: ``gpus`` and ``clients`` (English, locale-independent)."""
    return {
        "source": report.source,
        "gpus": [gpu_json(g) for g in report.gpus],
        "clients": [client_json(c) for c in report.clients],
        "notes": list(report.notes),
    }


def gpu_from_json(d: Mapping[str, Any]) -> Gpu:
    """The inverse of gpu_json, for bundles (structured/gpu.json); raises KeyError/TypeError/ValueError on garbage."""
    rt = d["runtime_pm"]
    sources = d.get("sources") or {}
    return Gpu(
        pci_address=str(d["pci_address"]),
        driver=_opt_str(d.get("driver")),
        card=_opt_str(d.get("card")),
        render_node=_opt_str(d.get("render_node")),
        vendor_id=None if d.get("vendor_id") is None else int(str(d["vendor_id"]), 16),
        device_id=None if d.get("device_id") is None else int(str(d["device_id"]), 16),
        runtime=RuntimePm(
            status=_opt_str(rt.get("status")),
            active_ms=_opt_int(rt.get("active_ms")),
            suspended_ms=_opt_int(rt.get("suspended_ms")),
            asleep_since_s=None if rt.get("asleep_since") is None else float(rt["asleep_since"]),
            since_exact=bool(rt.get("asleep_since_exact")),
            control=_opt_str(rt.get("control")),
        ),
        readings=tuple(
            Reading(check_key(str(k)), float(v), str(sources.get(k, ""))) for k, v in dict(d["readings"]).items()
        ),
        absent=tuple(Absent(check_key(str(k)), str(v)) for k, v in dict(d.get("absent") or {}).items()),
        performance_level=_opt_str(d.get("performance_level")),
        throttle_reasons=tuple(str(x) for x in d.get("throttle_reasons") or ()),
        metrics_revision=_opt_str(d.get("metrics_revision")),
        notes=tuple(str(x) for x in d.get("notes") or ()),
    )


def client_from_json(d: Mapping[str, Any]) -> GpuClient:
    return GpuClient(
        pid=int(d["pid"]),
        command=str(d["command"]),
        pci_address=str(d["pci_address"]),
        driver=str(d["driver"]),
        client_id=_opt_int(d.get("client_id")),
        node=_opt_str(d.get("node")),
        engines=tuple(EngineUse(str(k), float(v)) for k, v in dict(d.get("engines") or {}).items()),
        memory_kib={str(k): int(v) for k, v in dict(d.get("memory_kib") or {}).items()},
    )


def report_from_json(d: Mapping[str, Any], source: str) -> GpuReport:
    return GpuReport(
        gpus=tuple(gpu_from_json(g) for g in d["gpus"]),
        clients=tuple(client_from_json(c) for c in d.get("clients") or ()),
        notes=tuple(str(x) for x in d.get("notes") or ()),
        source=source,
    )


def _opt_str(v: object) -> str | None:
    return None if v is None else str(v)


def _opt_int(v: object) -> int | None:
    return None if v is None else int(str(v))
