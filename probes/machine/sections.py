"""The whole machine as JSON-ready sections: what bundles store, what the scorecard judges, what pages show.

Every section says whether it could be read and why not, so a check can tell "absent on this machine"
from "not in this source" (a udevadm dump has no thermal data; that does not mean no sensors).
"""

from __future__ import annotations

import dataclasses
import enum
import importlib
import os
import time
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hwinspector.i18n import N_
from hwinspector.probes.devices.hotplug import umockdev_active
from hwinspector.probes.errors import ProbeUnavailable

SECTIONS = (
    "identity",
    "devices",
    "drivers",
    "graphics",
    "gpu",
    "gl",
    "vulkan",
    "session",
    "power",
    "thermal",
    "cpu",
    "sleep",
    "kernel_log",
    "services",
    "audio",
    "camera",
    "usbc",
    "wireless",
    "suspend",
    "idle",
)
# Sections that take hundreds of milliseconds or more (child processes for OpenGL and Vulkan, D-Bus
# calls with timeouts, the sound server, cameras): the Overview shows the rest first (issue 18).
SLOW_SECTIONS = frozenset({"gl", "vulkan", "services", "audio", "camera"})


@dataclass(frozen=True, slots=True)
class Section:
    name: str
    available: bool
    reason: str | None
    data: Any  # JSON-ready: dicts, lists, str, int, float, bool, None

    def to_json(self) -> dict[str, Any]:
        return {"available": self.available, "reason": self.reason, "data": self.data}

    @classmethod
    def from_json(cls, name: str, doc: Any) -> Section:
        if not isinstance(doc, dict):
            return cls(name, False, "malformed section", None)
        return cls(name, bool(doc.get("available")), doc.get("reason"), doc.get("data"))


def jsonable(obj: Any) -> Any:
    """Dataclasses, enums, paths, tuples and bytes as plain JSON values (objects with to_json use it)."""
    if hasattr(obj, "to_json") and callable(obj.to_json):
        return jsonable(obj.to_json())
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple | set | frozenset):
        return [jsonable(v) for v in obj]
    if isinstance(obj, enum.Enum):
        return jsonable(obj.value)
    if isinstance(obj, Path):
        return str(obj)
    if isinstance(obj, bytes):
        return obj.hex()
    if isinstance(obj, float) and obj != obj:  # NaN is not JSON
        return None
    return obj


def _section(name: str, read: Callable[[], Any]) -> Section:
    """Run one reader; its failure is this section's state, never the whole report's."""
    try:
        return Section(name, True, None, jsonable(read()))
    except ProbeUnavailable as exc:
        return Section(name, False, exc.reason, None)
    except OSError as exc:
        return Section(name, False, f"{exc.strerror or exc}", None)
    except Exception as exc:  # a probe bug must not lose the rest of a capture; the reason says what broke
        return Section(name, False, f"{type(exc).__name__}: {exc}", None)


def read_sleep_states(sysfs: Path = Path("/sys")) -> dict[str, Any]:
    """/sys/power/state and mem_sleep ("s2idle [deep]": the bracketed one is in use)."""

    def words(name: str) -> list[str] | None:
        try:
            return (sysfs / "power" / name).read_text().split()
        except OSError:
            return None

    mem_sleep = words("mem_sleep")
    state = words("state")
    if mem_sleep is None and state is None:
        raise ProbeUnavailable("/sys/power is not readable: no suspend support information")
    current = next((w.strip("[]") for w in mem_sleep or [] if w.startswith("[")), None)
    return {"state": state or [], "mem_sleep": [w.strip("[]") for w in mem_sleep or []], "mem_sleep_current": current}


def _mod(name: str) -> Any:
    """A reader's module, imported when that reader runs: a collection of a few sections (the Overview's
    first step) does not pay for the graphics chain's and the EDID decoder's imports."""
    return importlib.import_module(f"hwinspector.probes.{name}")


def _live_readers(sysfs: Path, procfs: Path, include_gl: bool, given: Any = None) -> dict[str, Callable[[], Any]]:
    snap_holder: dict[str, Any] = {} if given is None else {"s": given}

    def snap() -> Any:
        if "s" not in snap_holder:
            snap_holder["s"] = _mod("machine.snapshot").read_live_snapshot(sysfs, procfs)
        return snap_holder["s"]

    readers: dict[str, Callable[[], Any]] = {
        "identity": lambda: _mod("machine.identity").read_identity(sysfs, procfs),
        "devices": lambda: {"source": snap().source.to_json(), "devices": [d.to_json() for d in snap().devices]},
        "drivers": lambda: {
            "bindings": [b.to_json() for b in snap().bindings],
            "problems": [p.to_json() for p in snap().problems],
            "taint": jsonable(snap().taint),
        },
        "graphics": lambda: _mod("graphics.drm").read_graphics(sysfs, Path("/dev"), procfs),
        # One look (no interval): a capture must not linger; the sleeping-dGPU rule holds here too.
        "gpu": lambda: _mod("gpu.model").report_json(_mod("gpu.read").read_gpu_report(sysfs, procfs, 0.0)),
        "session": lambda: _mod("graphics.session").read_session(procfs=procfs),
        "power": lambda: {
            "supplies": _or_empty(lambda: _mod("power.supply").list_power_supplies(sysfs)),
            "rapl": _or_empty(lambda: _mod("power.powercap").list_rapl_domains(sysfs)),
        },
        "thermal": lambda: {
            "hwmon": _or_empty(lambda: _mod("power.hwmon").list_hwmon_chips(sysfs)),
            "zones": _or_empty(lambda: _mod("power.thermal").list_thermal_zones(sysfs)),
            "cooling": _or_empty(lambda: _mod("power.thermal").list_cooling_devices(sysfs)),
        },
        "cpu": lambda: {
            "cpufreq": _or_empty(lambda: _mod("power.cpu").list_cpufreq(sysfs)),
            "cpuidle": _or_empty(lambda: _mod("power.cpu").list_cpuidle(sysfs)),
        },
        "sleep": lambda: read_sleep_states(sysfs),
        "kernel_log": lambda: [
            {"priority": x.priority, "time_us": x.time_us, "message": x.message}
            for x in _mod("kernel_log").read_kernel_log()
        ],
        "services": _services,
        # a umockdev testbed fakes /sys only: /proc/asound, the sound server and cam would answer for this host
        "audio": lambda: _audio_json(snap().devices, "umockdev" if umockdev_active() else None),
        "camera": lambda: _camera_json(snap().devices, "umockdev" if umockdev_active() else None),
        "usbc": lambda: _mod("machine.chains").usbc_section_data(snap()),
        "wireless": lambda: _mod("machine.chains").wireless_section_data(snap()),
        "suspend": lambda: _mod("power.suspend").read_suspend(sysfs, procfs),
        # An idle window takes tens of seconds of an otherwise quiet machine: only `report --idle S`
        # measures one (before anything else runs), so a plain capture says so instead.
        "idle": lambda: _unavailable(N_("not measured: capture with `hwinspector report --idle S` to include one")),
    }
    if include_gl and umockdev_active():
        # A umockdev testbed fakes /sys and /dev only: OpenGL and Vulkan would describe this host's
        # drivers, not the recorded machine's, and judge its graphics by them.
        why = N_("umockdev testbed: OpenGL and Vulkan would answer for this host, not the recorded machine")
        readers["gl"] = readers["vulkan"] = lambda: _unavailable(why)
    elif include_gl:
        readers["gl"] = lambda: _available_or_raise(_mod("graphics.gl.probe").read_gl_info())
        readers["vulkan"] = lambda: _available_or_raise(_mod("graphics.vulkan.probe").read_vulkan_info())
    return readers


def _audio_json(devices: Any, kind: str | None) -> Any:
    """The audio chain; ``kind`` None: the live machine (sound server and kernel log asked), else devices only."""
    from hwinspector.probes.audio import sources
    from hwinspector.probes.audio.chain import assemble

    chain = sources.read_audio_chain(devices) if kind is None else assemble(devices, sources.devices_context(kind))
    return chain.to_json()


def _camera_json(devices: Any, kind: str | None) -> Any:
    from hwinspector.probes.camera import sources
    from hwinspector.probes.camera.chain import assemble

    chain = sources.read_camera_chain(devices) if kind is None else assemble(devices, sources.devices_context(kind))
    return chain.to_json()


def _services() -> dict[str, Any]:
    """The D-Bus services the scorecard and bundles look at; each carries its own availability."""
    from hwinspector.probes.services.bus import read_firmware_report, read_power_report

    power = read_power_report(timeout_s=5.0)
    return {
        "upower": jsonable(power.upower),
        "power-profiles": jsonable(power.profiles),
        "logind": jsonable(power.sleep),
        "switcheroo": jsonable(power.switcheroo),
        "fwupd": jsonable(read_firmware_report(timeout_s=10.0)),
    }


def _unavailable(reason: str) -> Any:
    raise ProbeUnavailable(reason)


def _available_or_raise(info: Any) -> Any:
    if not getattr(info, "available", True):
        raise ProbeUnavailable(str(getattr(info, "unavailable_reason", "") or N_("not available")))
    return info


def _or_empty(read: Callable[[], Iterable[Any]]) -> list[Any]:
    """A sub-list that is simply empty where its subsystem is absent (the others still count)."""
    try:
        return [jsonable(x) for x in read()]
    except ProbeUnavailable:
        return []


def collect_live(
    sysfs: Path = Path("/sys"),
    procfs: Path = Path("/proc"),
    *,
    include_gl: bool = True,
    progress: Callable[[str], None] | None = None,
    snapshot: Any = None,
    only: Collection[str] | None = None,
) -> dict[str, Section]:
    """Read every section of the live machine (seconds: GL and Vulkan start a child each).

    ``snapshot``: the live Snapshot already read (devices, drivers and the chains come from it instead
    of a second walk of /sys); ``only``: these sections and no others (the meta section always).
    """
    out: dict[str, Section] = {}
    for name, read in _live_readers(sysfs, procfs, include_gl, snapshot).items():
        if only is not None and name not in only:
            continue
        if progress is not None:
            progress(name)
        out[name] = _section(name, read)
    for name in SECTIONS:
        if only is None or name in only:
            out.setdefault(name, Section(name, False, "not collected", None))
    out["meta"] = Section("meta", True, None, {"collected_at": time.time(), "pid_uid": os.getuid()})
    return out


def _recorded_gpu(path: Path) -> Any:
    """The GPU section of a umockdev recording: its attributes laid out as a sysfs tree and read like /sys."""
    import tempfile

    from hwinspector.probes.gpu.model import report_json
    from hwinspector.probes.gpu.read import read_gpu_report
    from hwinspector.probes.gpu.umockdev_tree import MAX_RECORDING_BYTES, materialize

    with open(path, "rb") as f:
        text = f.read(MAX_RECORDING_BYTES).decode("utf-8", "replace")
    with tempfile.TemporaryDirectory(prefix="hwinspector-gpu-") as tmp:
        root = materialize(text, Path(tmp), str(path))
        return {**report_json(read_gpu_report(root, Path(tmp) / "no-proc", 0.0)), "source": f"umockdev {path.name}"}


def sections_from_snapshot(snap: Any) -> dict[str, Section]:
    """What a foreign dump (udevadm, umockdev) can say; the rest is "not in this source".
    A bundle's snapshot gives the sections the bundle itself carries (identity, power, thermal, …)."""
    from hwinspector.probes.graphics import drm
    from hwinspector.probes.machine import chains
    from hwinspector.probes.machine.identity import Identity, identity_from_dmi_modalias

    if snap.source.kind == "bundle" and snap.source.path:
        from hwinspector.probes.bundle.reader import read_bundle_sections

        return read_bundle_sections(Path(snap.source.path))
    source = snap.source.label
    out = {name: Section(name, False, N_("not part of {source}").format(source=source), None) for name in SECTIONS}
    dmi = next((d for d in snap.devices if d.subsystem == "dmi" or d.path == "/devices/virtual/dmi/id"), None)
    ident = identity_from_dmi_modalias(dmi.modalias or "") if dmi is not None and dmi.modalias else Identity()
    out["identity"] = Section("identity", True, None, jsonable(ident))
    out["devices"] = Section(
        "devices", True, None, {"source": snap.source.to_json(), "devices": [d.to_json() for d in snap.devices]}
    )
    out["drivers"] = Section(
        "drivers",
        True,
        None,
        {
            "bindings": [b.to_json() for b in snap.bindings],
            "problems": [p.to_json() for p in snap.problems],
            "taint": jsonable(snap.taint),
        },
    )
    out["graphics"] = _section("graphics", lambda: drm.graphics_from_devices(snap.devices))
    if snap.source.kind == "umockdev" and snap.source.path:
        out["gpu"] = _section("gpu", lambda: _recorded_gpu(Path(snap.source.path)))
    out["audio"] = _section("audio", lambda: _audio_json(snap.devices, snap.source.kind))
    out["camera"] = _section("camera", lambda: _camera_json(snap.devices, snap.source.kind))
    out["usbc"] = _section("usbc", lambda: {"inputs": None, "chain": chains.usbc_for(snap).to_json()})
    out["wireless"] = _section("wireless", lambda: {"inputs": None, "chain": chains.wireless_for(snap).to_json()})
    return out
