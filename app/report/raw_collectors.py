"""The raw artifacts of a bundle: the commands and files upstream developers ask for, run with limits.

Every command runs with LC_ALL=C (upstream parsers and people expect untranslated output), its own
session (a timeout kills the whole process group: a tool's helper children too), a wall-clock timeout
and an output cap. A missing tool or unreadable file is skipped with a reason, never fatal.
"""

from __future__ import annotations

import contextlib
import os
import re
import selectors
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from hwinspector.probes.errors import ProbeUnavailable

COMMAND_TIMEOUT_S = 20.0
OUTPUT_CAP_BYTES = 32 << 20  # udevadm's database of a large server is ~20 MB
FILE_CAP_BYTES = 16 << 20
STDERR_CAP_BYTES = 16 << 10
PROBE_TIMEOUT_S = 5.0  # eglinfo -h, to learn whether it knows -B
TEXT = "text/plain; charset=utf-8"
JSON = "application/json"
BINARY = "application/octet-stream"
# DMI attributes apport and we leave out: kernel plumbing, not firmware strings.
_DMI_SKIP = frozenset({"uevent", "subsystem", "power"})


@dataclass(frozen=True, slots=True)
class RawSpec:
    """One raw artifact: a command to run, a file to copy, or text a probe writes."""

    path: str  # inside the bundle: raw/<subsystem>/<name>
    subsystem: str
    step: str  # what the progress shows
    argv: tuple[str, ...] = ()
    file: Path | None = None
    read: Callable[[], bytes] | None = None
    probe: str | None = None  # name of the reader, for the manifest
    media_type: str = TEXT
    privacy: str = "text"  # how the privacy filter treats it: "text" | "edid" | "binary" (kept as is)
    fallback: RawSpec | None = None  # tried when this one is missing or fails (dmesg -> /dev/kmsg)
    choose_argv: Callable[[float], tuple[str, ...]] | None = None  # picks argv at run time (eglinfo -B)

    def producer(self, argv: Sequence[str] | None = None) -> dict[str, Any]:
        if self.argv or argv:
            return {"argv": list(argv or self.argv)}
        if self.file is not None:
            return {"file": str(self.file)}
        return {"probe": self.probe or self.step}


@dataclass(frozen=True, slots=True)
class RawResult:
    """What one spec gave. ``status``: ok | failed (ran, non-zero exit) | timeout | skipped (nothing ran)."""

    spec: RawSpec
    status: str
    data: bytes = b""
    producer: dict[str, Any] = field(default_factory=dict)
    exit_code: int | None = None
    started: float = 0.0
    finished: float = 0.0
    truncated: bool = False
    error: str | None = None


@dataclass(frozen=True, slots=True)
class CommandOutput:
    stdout: bytes
    stderr: bytes
    exit_code: int | None  # None: killed by us (timeout or cap)
    timed_out: bool
    truncated: bool


def command_env() -> dict[str, str]:
    return {**os.environ, "LC_ALL": "C", "LANG": "C"}


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError):
        proc.kill()


def run_command(argv: Sequence[str], timeout_s: float, cap_bytes: int = OUTPUT_CAP_BYTES) -> CommandOutput:
    """Run ``argv``; read stdout up to ``cap_bytes``; kill its process group at the deadline.

    Raises OSError when it cannot start (the caller records that).
    """
    proc = subprocess.Popen(
        list(argv),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=command_env(),
        start_new_session=True,
        close_fds=True,
    )
    assert proc.stdout is not None and proc.stderr is not None
    deadline = time.monotonic() + timeout_s
    out, err = bytearray(), bytearray()
    timed_out = truncated = False
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stdout, selectors.EVENT_READ)
        sel.register(proc.stderr, selectors.EVENT_READ)
        while sel.get_map() and not truncated:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                timed_out = True
                break
            for key, _ in sel.select(remaining):
                chunk = os.read(key.fd, 1 << 16)
                if not chunk:
                    sel.unregister(key.fileobj)
                elif key.fileobj is proc.stdout:
                    room = cap_bytes - len(out)
                    out += chunk[:room]
                    truncated = len(chunk) > room
                else:
                    err += chunk[: max(0, STDERR_CAP_BYTES - len(err))]
    if not (timed_out or truncated):
        try:
            # Both pipes closed: the tool is exiting, or it detached and lives on past the deadline.
            proc.wait(timeout=max(0.05, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            timed_out = True
    if timed_out or truncated:
        _kill_group(proc)
    proc.wait()
    proc.stdout.close()
    proc.stderr.close()
    code = None if (timed_out or truncated) else proc.returncode
    return CommandOutput(bytes(out), bytes(err), code, timed_out, truncated or timed_out)


def read_capped(path: Path, cap_bytes: int = FILE_CAP_BYTES) -> tuple[bytes, bool]:
    """A file's bytes up to the cap (procfs files say size 0: read until EOF). Raises OSError."""
    # O_NONBLOCK: a FIFO planted in a fake or foreign tree must never hang the capture.
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK)
    try:
        chunks: list[bytes] = []
        total = 0
        while total <= cap_bytes:
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    finally:
        os.close(fd)
    data = b"".join(chunks)
    return data[:cap_bytes], len(data) > cap_bytes


def _stderr_reason(err: bytes) -> str | None:
    text = err.decode("utf-8", "replace").strip()
    if not text:
        return None
    lines = text.splitlines()
    return " / ".join(lines[-3:])[:500]


def collect(
    spec: RawSpec,
    *,
    timeout_s: float = COMMAND_TIMEOUT_S,
    cap_bytes: int = OUTPUT_CAP_BYTES,
    clock: Callable[[], float] = time.time,
) -> RawResult:
    """Run or read one spec (and its fallback when it is missing or fails); never raises."""
    result = _collect_one(spec, timeout_s, cap_bytes, clock)
    if result.status in ("skipped", "failed") and spec.fallback is not None:
        alt = _collect_one(spec.fallback, timeout_s, cap_bytes, clock)
        if alt.status == "ok":
            why = result.error or result.status
            return replace(
                alt, spec=replace(spec.fallback, path=spec.path), error=f"{spec.step}: {why}; used {alt.spec.step}"
            )
    return result


def _collect_one(spec: RawSpec, timeout_s: float, cap_bytes: int, clock: Callable[[], float]) -> RawResult:
    started = clock()
    if spec.argv or spec.choose_argv is not None:
        argv = spec.argv
        if shutil.which(argv[0]) is None:
            return RawResult(
                spec,
                "skipped",
                producer=spec.producer(),
                started=started,
                finished=started,
                error=f"{argv[0]} is not installed",
            )
        if spec.choose_argv is not None:
            argv = spec.choose_argv(timeout_s)
        try:
            out = run_command(argv, timeout_s, cap_bytes)
        except OSError as exc:
            return RawResult(
                spec,
                "skipped",
                producer=spec.producer(argv),
                started=started,
                finished=clock(),
                error=f"cannot run {argv[0]}: {exc.strerror or exc}",
            )
        finished = clock()
        if out.timed_out:
            status, error = "timeout", f"timed out after {timeout_s:g} s; killed; output kept up to then"
        elif out.truncated:
            status, error = "ok", f"output cut at {cap_bytes} bytes"
        elif out.exit_code != 0:
            status = "failed"
            error = f"exit code {out.exit_code}" + (f": {r}" if (r := _stderr_reason(out.stderr)) else "")
        else:
            status, error = "ok", None
        return RawResult(
            spec, status, out.stdout, spec.producer(argv), out.exit_code, started, finished, out.truncated, error
        )
    if spec.file is not None:
        try:
            data, cut = read_capped(spec.file, cap_bytes)
        except OSError as exc:
            return RawResult(
                spec,
                "skipped",
                producer=spec.producer(),
                started=started,
                finished=clock(),
                error=str(exc.strerror or exc),
            )
        return RawResult(
            spec, "ok", data, spec.producer(), None, started, clock(), cut, f"cut at {cap_bytes} bytes" if cut else None
        )
    assert spec.read is not None
    try:
        data = spec.read()
    except Exception as exc:  # a probe bug must not lose the rest of the capture; the reason says what broke
        reason = getattr(exc, "reason", None) or f"{type(exc).__name__}: {exc}"
        return RawResult(
            spec, "skipped", producer=spec.producer(), started=started, finished=clock(), error=str(reason)
        )
    cut = len(data) > cap_bytes
    return RawResult(
        spec,
        "ok",
        data[:cap_bytes],
        spec.producer(),
        None,
        started,
        clock(),
        cut,
        f"cut at {cap_bytes} bytes" if cut else None,
    )


# --- what to collect ---------------------------------------------------------------------------------


def _eglinfo_argv(timeout_s: float) -> tuple[str, ...]:
    """mesa-demos 9 eglinfo has -B (brief); 8.x (Debian 12) ignores every argument and prints it all."""
    try:
        out = run_command(["eglinfo", "-h"], min(timeout_s, PROBE_TIMEOUT_S), 1 << 20)
    except OSError:
        return ("eglinfo",)
    usage = out.stdout.decode("utf-8", "replace")
    return ("eglinfo", "-B") if re.search(r"^Usage: eglinfo .*-B", usage, re.M) else ("eglinfo",)


def format_kmsg(devkmsg: Path = Path("/dev/kmsg")) -> bytes:
    """The kernel log as dmesg prints it ("[    1.234567] text"), from /dev/kmsg records."""
    from hwinspector.probes.kernel_log import read_kernel_log

    lines = []
    for rec in read_kernel_log(devkmsg):
        t = rec.time_us or 0
        lines.append(f"[{t // 1_000_000:5d}.{t % 1_000_000:06d}] {rec.message}")
    return ("\n".join(lines) + "\n").encode() if lines else b""


def dump_attributes(patterns: Sequence[tuple[Path, str]], cap_lines: int = 20_000) -> bytes:
    """``path: value`` for every readable regular file matching the globs (like ``grep -H . files``)."""
    from hwinspector.probes.power.hwmon import sleeping_gpu
    from hwinspector.probes.sysfs_attr import read_bytes

    lines: list[str] = []
    asleep: dict[Path, str | None] = {}
    for root, pattern in patterns:
        for p in sorted(root.glob(pattern)):
            if p.parent.name.startswith("hwmon"):
                # a sleeping GPU's hwmon attributes would wake it: its hwmon folder is left out
                if p.parent not in asleep:
                    asleep[p.parent] = sleeping_gpu(p.parent)
                    if asleep[p.parent]:
                        lines.append(f"{p.parent}: <{asleep[p.parent]}>")
                if asleep[p.parent]:
                    continue
            if len(lines) >= cap_lines:
                break
            try:
                if not p.is_file():
                    continue
                value = read_bytes(p).decode("utf-8", "replace").rstrip("\n\0")
            except OSError as exc:
                value = f"<{exc.strerror or exc}>"
            for part in value.splitlines() or [""]:
                lines.append(f"{p}: {part}")
    if not lines:
        raise ProbeUnavailable(f"nothing matches {', '.join(str(r / g) for r, g in patterns)}")
    return ("\n".join(lines) + "\n").encode()


def _cmd(path: str, subsystem: str, *argv: str, media_type: str = TEXT) -> RawSpec:
    return RawSpec(path, subsystem, " ".join(argv), argv=argv, media_type=media_type)


def _file(path: str, subsystem: str, file: Path, media_type: str = TEXT) -> RawSpec:
    return RawSpec(path, subsystem, str(file), file=file, media_type=media_type)


def default_plan(
    sysfs: Path = Path("/sys"), procfs: Path = Path("/proc"), devfs: Path = Path("/dev"), *, root: bool | None = None
) -> list[RawSpec]:
    """What upstream kernel, Mesa and distribution developers ask for in a hardware bug."""
    is_root = os.geteuid() == 0 if root is None else root
    plan = [
        _cmd("raw/pci/lspci-vvnnk.txt", "pci", "lspci", "-vvnnk"),
        _cmd("raw/pci/lspci-tv.txt", "pci", "lspci", "-tv"),
        _cmd("raw/usb/lsusb.txt", "usb", "lsusb"),
        _cmd("raw/usb/lsusb-v.txt", "usb", "lsusb", "-v"),
        _cmd("raw/usb/lsusb-t.txt", "usb", "lsusb", "-t"),
        _cmd("raw/udev/udevadm-info-export-db.txt", "udev", "udevadm", "info", "--export-db"),
        replace(
            _cmd("raw/kernel/dmesg.txt", "kernel", "dmesg"),
            # dmesg_restrict=1 keeps dmesg(1) from ordinary users; /dev/kmsg says the same, also restricted
            fallback=RawSpec(
                "raw/kernel/dmesg.txt",
                "kernel",
                "/dev/kmsg",
                read=lambda: format_kmsg(devfs / "kmsg"),
                probe=f"{devfs / 'kmsg'} records as dmesg text",
            ),
        ),
        _file("raw/kernel/cmdline", "kernel", procfs / "cmdline"),
        _file("raw/kernel/modules", "kernel", procfs / "modules"),
        _file("raw/kernel/version", "kernel", procfs / "version"),
        _file("raw/kernel/tainted", "kernel", procfs / "sys/kernel/tainted"),
        _file("raw/cpu/cpuinfo", "cpu", procfs / "cpuinfo"),
        _file("raw/cpu/interrupts", "cpu", procfs / "interrupts"),
        RawSpec(
            "raw/cpu/cpufreq.txt",
            "cpu",
            "cpufreq attributes",
            read=lambda: dump_attributes([(sysfs, "devices/system/cpu/cpufreq/policy*/*")]),
            probe=f"{sysfs}/devices/system/cpu/cpufreq/policy*/*",
        ),
        RawSpec(
            "raw/drm/connectors.txt",
            "drm",
            "DRM connector state",
            read=lambda: dump_attributes(
                [(sysfs, f"class/drm/card*-*/{a}") for a in ("status", "enabled", "dpms", "modes")]
            ),
            probe=f"{sysfs}/class/drm/card*-*/{{status,enabled,dpms,modes}}",
        ),
        _cmd("raw/graphics/glxinfo-B.txt", "graphics", "glxinfo", "-B"),
        RawSpec("raw/graphics/eglinfo.txt", "graphics", "eglinfo", argv=("eglinfo",), choose_argv=_eglinfo_argv),
        _cmd("raw/graphics/vulkaninfo-summary.txt", "graphics", "vulkaninfo", "--summary"),
        _cmd("raw/sensors/sensors-j.json", "sensors", "sensors", "-j", media_type=JSON),
        _cmd("raw/sensors/sensors.txt", "sensors", "sensors"),
        _cmd("raw/power/upower-d.txt", "power", "upower", "-d"),
        _file("raw/power/mem_sleep", "power", sysfs / "power/mem_sleep"),
        _file("raw/power/state", "power", sysfs / "power/state"),
        RawSpec(
            "raw/power/power_supply.txt",
            "power",
            "power supply uevents",
            read=lambda: dump_attributes([(sysfs, "class/power_supply/*/uevent")]),
            probe=f"{sysfs}/class/power_supply/*/uevent",
        ),
        RawSpec(
            "raw/thermal/thermal_zones.txt",
            "thermal",
            "thermal zones",
            read=lambda: dump_attributes(
                [(sysfs, "class/thermal/thermal_zone*/*"), (sysfs, "class/thermal/cooling_device*/*")]
            ),
            probe=f"{sysfs}/class/thermal/{{thermal_zone,cooling_device}}*/*",
        ),
        RawSpec(
            "raw/thermal/hwmon.txt",
            "thermal",
            "hwmon attributes",
            read=lambda: dump_attributes([(sysfs, "class/hwmon/hwmon*/name"), (sysfs, "class/hwmon/hwmon*/*_*")]),
            probe=f"{sysfs}/class/hwmon/hwmon*/{{name,*_*}}",
        ),
    ]
    from hwinspector.report.raw_links import link_specs  # it builds on this module's RawSpec

    plan += link_specs(sysfs)
    plan += _dmi_specs(sysfs)
    if is_root:
        plan.append(_cmd("raw/dmi/dmidecode.txt", "dmi", "dmidecode"))
    plan += _edid_specs(sysfs)
    from hwinspector.report.raw_gpu import gpu_specs  # imports this module's RawSpec

    plan += gpu_specs(sysfs)
    from hwinspector.report.raw_av import av_plan  # imports this module's RawSpec

    plan += av_plan(sysfs, procfs, devfs)
    return plan


def _dmi_specs(sysfs: Path) -> list[RawSpec]:
    base = sysfs / "class/dmi/id"
    try:
        names = sorted(os.listdir(base))
    except OSError:
        return []
    out = []
    for name in names:
        p = base / name
        if name in _DMI_SKIP or not p.is_file() or not os.access(p, os.R_OK):
            continue
        out.append(_file(f"raw/dmi/id/{name}", "dmi", p))
    return out


def _edid_specs(sysfs: Path) -> list[RawSpec]:
    """Every connector's EDID as the kernel holds it (an empty file means no monitor)."""
    out = []
    for p in sorted((sysfs / "class/drm").glob("*/edid")):
        connector = p.parent.name
        out.append(
            RawSpec(
                f"raw/drm/{connector}.edid.bin",
                "drm",
                f"EDID of {connector}",
                file=p,
                media_type=BINARY,
                privacy="edid",
            )
        )
    return out
