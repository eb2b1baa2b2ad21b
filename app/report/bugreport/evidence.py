"""Where a bug report's evidence comes from: the live machine, a bundle, a udevadm/umockdev dump, a folder of outputs.

Every source becomes the same ``Collected`` a capture makes, so the report goes through the very privacy
filter (``assemble.redact``) and preview that bundles go through. What a source cannot give is recorded in
``not_collected`` with the reason, never invented.
"""

from __future__ import annotations

import os
import re
import stat
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from hwinspector.probes.errors import InputFormatError
from hwinspector.probes.machine.sections import SECTIONS, Section
from hwinspector.report.capture import CaptureControl, CaptureOptions, Collected, Progress, collect
from hwinspector.report.raw_collectors import BINARY, FILE_CAP_BYTES, JSON, RawResult, RawSpec, read_capped

MAX_FOLDER_FILES = 200  # a folder of tool outputs, not a home directory


@dataclass
class Evidence:
    """One source, read: ``collected`` is unfiltered and never written; run ``assemble.redact`` on it."""

    origin: str  # "live" | "bundle" | "udevadm" | "umockdev" | "folder"
    label: str
    collected: Collected
    taken_at: float
    notes: list[str] = field(default_factory=list)


# --- recognising tool outputs by their content (a folder, a file of unknown name) ------------------------

# (bundle path, subsystem, test): the first test that matches a file's head decides what it is.
_SNIFF: tuple[tuple[str, str, re.Pattern[str]], ...] = (
    ("raw/udev/udevadm-info-export-db.txt", "udev", re.compile(r"\A(?:P: /devices/|P: /sys/)", re.M)),
    ("raw/graphics/vulkaninfo-summary.txt", "graphics", re.compile(r"^(?:VULKANINFO|Vulkan Instance Version)", re.M)),
    ("raw/graphics/glxinfo-B.txt", "graphics", re.compile(r"^(?:name of display:|direct rendering:)", re.M)),
    ("raw/graphics/eglinfo.txt", "graphics", re.compile(r"^EGL client extensions string:", re.M)),
    ("raw/graphics/inxi.txt", "graphics", re.compile(r"^System:\s*$|^System:\s+Host:", re.M)),
    ("raw/dmi/dmidecode.txt", "dmi", re.compile(r"^# dmidecode |^Handle 0x[0-9A-Fa-f]{4}, DMI type", re.M)),
    ("raw/firmware/efibootmgr-v.txt", "firmware", re.compile(r"^BootCurrent: |^BootOrder: ", re.M)),
    ("raw/firmware/fwupdmgr-get-devices.txt", "firmware", re.compile(r"^\S.*\n(?:[│├└ ].*\n)*.*Device ID:", re.M)),
    ("raw/pci/lspci-tv.txt", "pci", re.compile(r"\A-\[[0-9a-f]{4}:[0-9a-f]{2}\]-")),
    ("raw/pci/lspci-vvnnk.txt", "pci", re.compile(r"\A(?:[0-9a-f]{4}:)?[0-9a-f]{2}:[0-9a-f]{2}\.[0-7] ", re.M)),
    ("raw/usb/lsusb-v.txt", "usb", re.compile(r"^Bus \d{3} Device \d{3}: ID .*\nDevice Descriptor:", re.M)),
    ("raw/usb/lsusb.txt", "usb", re.compile(r"\ABus \d{3} Device \d{3}: ID ", re.M)),
    ("raw/kernel/version", "kernel", re.compile(r"\ALinux version \S+")),
    ("raw/kernel/dmesg.txt", "kernel", re.compile(r"\A(?:<\d>)?\[\s*\d+\.\d+\] ", re.M)),
    ("raw/cpu/cpuinfo", "cpu", re.compile(r"\Aprocessor\s*: \d", re.M)),
    ("raw/cpu/lscpu.txt", "cpu", re.compile(r"\AArchitecture:\s+\S", re.M)),
    ("raw/os-release", "os", re.compile(r"^(?:PRETTY_NAME|VERSION_ID)=", re.M)),
    ("raw/kernel/modules", "kernel", re.compile(r"\A\w+ \d+ \d+ (?:-|\S+,) (?:Live|Loading|Unloading) 0x", re.M)),
    ("raw/drm/amdgpu_firmware_info.txt", "drm", re.compile(r"^VCE feature version: |^SMC feature version: ", re.M)),
    ("raw/drm/connectors.txt", "drm", re.compile(r"\A\S*/card\d+-[^/\s]+/(?:status|enabled|dpms|modes): ", re.M)),
)
_EDID_NAME = re.compile(r"^(card\d+-[A-Za-z0-9-]+)\.edid\.bin$")
# Files whose content says too little: recognised by their usual names.
_BY_NAME = {
    "cmdline": ("raw/kernel/cmdline", "kernel"),
    "proc_cmdline": ("raw/kernel/cmdline", "kernel"),
    "tainted": ("raw/kernel/tainted", "kernel"),
    "version_signature": ("raw/kernel/version_signature", "kernel"),
    "fwupdmgr-version.txt": ("raw/firmware/fwupdmgr-version.txt", "firmware"),
    "uname-mi.txt": ("raw/kernel/uname-mi.txt", "kernel"),
    "i915_error_state": ("raw/drm/gpu-error-state.txt", "drm"),
    "error": ("raw/drm/gpu-error-state.txt", "drm"),
    "i915_vbt": ("raw/drm/i915_vbt.bin", "drm"),
}
_FENCE = re.compile(r"\A(?:#[^\n]*\n+)?```[\w-]*\n(?P<body>.*?)\n```\s*\Z", re.S)


def unwrap_markdown(text: str) -> str:
    """A tool output pasted into Markdown (a heading, then one fenced block) as the tool printed it."""
    m = _FENCE.match(text)
    return m["body"] + "\n" if m else text


def sniff(name: str, data: bytes) -> tuple[str, str] | None:
    """(bundle path, subsystem) for a tool output, or None when it is none we know."""
    if name in _BY_NAME:
        return _BY_NAME[name]
    m = _EDID_NAME.match(name)
    if m:
        return f"raw/drm/{m[1]}.edid.bin", "drm"
    head = unwrap_markdown(data[: 256 << 10].decode("utf-8", "replace")).lstrip("\ufeff")
    for path, subsystem, test in _SNIFF:
        if test.search(head[:65536]):
            return path, subsystem
    return None


# --- sources -------------------------------------------------------------------------------------------


def _result(path: str, subsystem: str, data: bytes, producer: dict[str, Any], taken: float) -> RawResult:
    media = BINARY if path.endswith(".bin") else (JSON if path.endswith(".json") else "text/plain; charset=utf-8")
    # an EDID goes through the filter's EDID rule (serial zeroed, checksum fixed), as in a bundle
    privacy = "edid" if path.endswith(".edid.bin") else "text"
    spec = RawSpec(path, subsystem, path.rsplit("/", 1)[-1], media_type=media, probe=str(producer), privacy=privacy)
    return RawResult(spec, "ok", data, producer, None, taken, taken)


def _empty_sections(why: str) -> dict[str, Section]:
    return {name: Section(name, False, why, None) for name in SECTIONS}


def _collected(options: CaptureOptions, taken: float, sections: dict[str, Section]) -> Collected:
    from hwinspector.report import bundle

    return Collected(bundle.report_id(taken, options.random_hex), taken, options, sections, [], [], finished=taken)


def from_live(
    options: CaptureOptions, progress: Progress | None = None, control: CaptureControl | None = None
) -> Evidence:
    """A capture of this machine, with the outputs the trackers ask for beyond a bundle's."""
    from hwinspector.report.bugreport.live_extra import bugreport_plan
    from hwinspector.report.raw_collectors import default_plan

    if options.plan is None:
        plan = default_plan(options.sysfs, options.procfs, options.devfs)
        options = replace(options, plan=[*plan, *bugreport_plan(options.sysfs, options.procfs, options.etc)])
    collected = collect(options, progress, control)
    return Evidence("live", "live machine", collected, collected.created)


def from_bundle(path: Path, options: CaptureOptions) -> Evidence:
    """An evidence bundle: its raw outputs and sections as captured (read through the bundle reader's limits)."""
    from hwinspector.report.open_bundle import open_bundle

    with open_bundle(path) as b:
        manifest = b.manifest
        created = _parse_created(manifest.get("created"))
        sections = dict(b.sections)
        for name in SECTIONS:
            sections.setdefault(name, Section(name, False, f"not in {path.name}", None))
        collected = _collected(
            replace(options, notes=str(manifest.get("notes") or ""), steps=_steps(manifest, options)), created, sections
        )
        for rel in b.members:
            if not rel.startswith(("raw/", "attachments/notes")) or rel.endswith("/"):
                continue
            try:
                data = b.raw(rel)
            except (OSError, KeyError, ValueError) as exc:
                collected.not_collected.append({"step": rel, "reason": f"unreadable in the bundle: {exc}"})
                continue
            if rel.startswith("raw/"):
                subsystem = rel.split("/")[1]
                producer = _manifest_entry(manifest, rel).get("producer")
                producer = dict(producer) if isinstance(producer, dict) else {"file": rel}
                collected.raw.append(_result(rel, subsystem, data, producer, created))
        for entry in manifest.get("not_collected") or []:
            if isinstance(entry, dict):
                collected.not_collected.append({k: entry[k] for k in ("step", "producer", "reason") if k in entry})
        notes = [f"{path.name}: {w}" for w in b.warnings]
    if manifest.get("privacy", {}).get("redacted") is False:
        notes.append(f"{path.name} was captured with --no-redact: the privacy filter runs over it now")
    return Evidence("bundle", path.name, collected, created, notes)


def _steps(manifest: dict[str, object], options: CaptureOptions) -> tuple[str, ...]:
    steps = manifest.get("steps")
    own = tuple(options.steps)
    if isinstance(steps, list):
        return own + tuple(str(s) for s in steps if isinstance(s, str) and str(s) not in own)
    return own


def _manifest_entry(manifest: dict[str, object], rel: str) -> dict[str, object]:
    for entry in manifest.get("artifacts") or []:  # type: ignore[attr-defined]
        if isinstance(entry, dict) and entry.get("path") == rel:
            return entry
    return {}


def _parse_created(value: object) -> float:
    try:
        return time.mktime(time.strptime(str(value)[:19], "%Y-%m-%dT%H:%M:%S")) - time.timezone
    except (ValueError, OverflowError):
        return 0.0


def from_dump(path: Path, options: CaptureOptions) -> Evidence:
    """A udevadm --export-db dump (Launchpad's UdevDb.txt, checkbox, hw-probe) or a umockdev recording."""
    from hwinspector.probes.machine.sections import sections_from_snapshot
    from hwinspector.probes.machine.snapshot import read_file_snapshot

    snap = read_file_snapshot(path)
    taken = snap.source.taken_at or time.time()
    collected = _collected(options, taken, dict(sections_from_snapshot(snap)))
    if snap.source.kind == "udevadm":
        data, cut = _read_file(path)
        collected.raw.append(_result("raw/udev/udevadm-info-export-db.txt", "udev", data, {"file": path.name}, taken))
        if cut:
            collected.not_collected.append({"step": path.name, "reason": f"cut at {FILE_CAP_BYTES} bytes"})
    return Evidence(snap.source.kind, path.name, collected, taken, list(snap.source.notes))


def _read_file(path: Path) -> tuple[bytes, bool]:
    st = os.stat(path)  # follows a link the user made on purpose; a FIFO or device is refused below
    if not stat.S_ISREG(st.st_mode):
        raise InputFormatError(str(path), "not a regular file")
    return read_capped(path)


def from_folder(folder: Path, options: CaptureOptions) -> Evidence:
    """A folder of tool outputs (dmesg, lspci, glxinfo, vulkaninfo, dmidecode, a udevadm dump …), by content."""
    from hwinspector.probes.machine.sections import sections_from_snapshot
    from hwinspector.probes.machine.snapshot import read_file_snapshot

    try:
        names = sorted(os.listdir(folder))
    except OSError as exc:
        raise InputFormatError(str(folder), f"cannot list: {exc.strerror or exc}") from None
    taken = 0.0
    found: dict[str, list[tuple[str, bytes]]] = {}
    notes: list[str] = []
    udev_file: Path | None = None
    for name in names[:MAX_FOLDER_FILES]:
        p = folder / name
        try:
            data, cut = _read_file(p)
            taken = max(taken, os.stat(p).st_mtime)
        except (OSError, InputFormatError) as exc:
            reason = exc.reason if isinstance(exc, InputFormatError) else (exc.strerror or str(exc))
            notes.append(f"{name}: skipped ({reason})")
            continue
        if not data.strip():
            notes.append(f"{name}: empty; left out")
            continue
        kind = sniff(name, data)
        if kind is None:
            notes.append(f"{name}: not a tool output hwinspector recognises; left out")
            continue
        rel, _ = kind
        if cut:
            notes.append(f"{name}: cut at {FILE_CAP_BYTES} bytes")
        text_like = not rel.endswith(".bin")
        body = unwrap_markdown(data.decode("utf-8", "surrogateescape")).encode("utf-8", "surrogateescape")
        found.setdefault(rel, []).append((name, body if text_like else data))
        if rel == "raw/udev/udevadm-info-export-db.txt" and udev_file is None:
            udev_file = p
    if len(names) > MAX_FOLDER_FILES:
        notes.append(f"only the first {MAX_FOLDER_FILES} of {len(names)} files were looked at")
    if not found:
        raise InputFormatError(str(folder), "holds no tool output hwinspector recognises (dmesg, lspci, glxinfo …)")
    taken = taken or time.time()
    sections = _empty_sections(f"not part of {folder.name}")
    if udev_file is not None:
        try:
            sections.update(sections_from_snapshot(read_file_snapshot(udev_file)))
        except InputFormatError as exc:
            notes.append(str(exc))
    collected = _collected(options, taken, sections)
    subsystems = {path: sub for path, sub, _ in _SNIFF} | dict(_BY_NAME.values())
    for rel, parts in sorted(found.items()):
        # several dmidecode -t outputs (baseboard, chassis …) are one dmidecode listing
        data = b"\n".join(body for _, body in parts) if len(parts) > 1 else parts[0][1]
        producer: dict[str, object] = {"file": ", ".join(n for n, _ in parts)}
        collected.raw.append(_result(rel, subsystems.get(rel, rel.split("/")[1]), data, producer, taken))
    return Evidence("folder", folder.name, collected, taken, notes)


def load_evidence(
    source: str | None,
    options: CaptureOptions,
    progress: Progress | None = None,
    control: CaptureControl | None = None,
) -> Evidence:
    """Any source by name: None or "live", a bundle, a dump, or a folder. Raises InputFormatError (one line)."""
    if source is None or source == "live":
        return from_live(options, progress, control)
    p = Path(source)
    if not p.exists():
        raise InputFormatError(source, "no such file or folder")
    if p.is_dir():
        return from_folder(p, options)
    from hwinspector.probes.bundle.reader import is_bundle

    if is_bundle(p):
        return from_bundle(p, options)
    return from_dump(p, options)


SourceLoader = Callable[[str | None], Evidence]
