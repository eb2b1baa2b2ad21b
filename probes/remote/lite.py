"""What the zero-install agent can read with the standard library: telemetry files and the udev database.

Channel ids match the full catalogue's (``cpuidle:cpu0/POLL``, ``hwmon:coretemp/temp1``…) so plots and
recordings look the same whichever agent served them. Sampling is a Python thread per rate, so rates
are lower and lateness higher than the native sampler's (PERFORMANCE.md).
"""

from __future__ import annotations

import fnmatch
import math
import os
import re
import shutil
import subprocess
import threading
import time
from dataclasses import dataclass
from typing import Any

LITE_MAX_HZ = 100.0  # a Python loop shares the target's CPU with whatever is being measured
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")

RESIDENCY_WINDOW_NS = 250_000_000  # as the full catalogue's cpuidle window (0.25 s)


@dataclass(frozen=True)
class LiteChannel:
    id: str
    label: str
    unit: str
    path: str
    scale: float
    rate_hz: float
    kind: str  # "counter" | "gauge"
    device: str


def _read(path: str) -> str | None:
    try:
        with open(path, "rb") as f:
            return f.read(4096).decode("utf-8", "replace").strip()
    except OSError:
        return None


def _readable_int(path: str) -> bool:
    v = _read(path)
    return v is not None and v.lstrip("-").isdigit()


def list_lite_channels(sysfs: str = "/sys") -> list[LiteChannel]:
    out: list[LiteChannel] = []
    cpu_root = os.path.join(sysfs, "devices/system/cpu")
    for cpu in sorted(os.listdir(cpu_root) if os.path.isdir(cpu_root) else []):
        if not re.fullmatch(r"cpu\d+", cpu):
            continue
        idle = os.path.join(cpu_root, cpu, "cpuidle")
        for st in sorted(os.listdir(idle) if os.path.isdir(idle) else []):
            p = os.path.join(idle, st, "time")
            name = _read(os.path.join(idle, st, "name")) or st
            if _readable_int(p):
                out.append(
                    LiteChannel(
                        f"cpuidle:{cpu}/{_UNSAFE.sub('_', name)}",
                        f"{cpu} {name} residency",
                        "%",
                        p,
                        1e-4,  # µs per second → percent
                        100.0,
                        "counter",
                        cpu,
                    )
                )
        freq = os.path.join(cpu_root, cpu, "cpufreq/scaling_cur_freq")
        if _readable_int(freq):
            out.append(LiteChannel(f"cpufreq:{cpu}", f"{cpu} frequency", "MHz", freq, 1e-3, 100.0, "gauge", cpu))
    hwmon = os.path.join(sysfs, "class/hwmon")
    for hw in sorted(os.listdir(hwmon) if os.path.isdir(hwmon) else []):
        chip = _UNSAFE.sub("_", _read(os.path.join(hwmon, hw, "name")) or hw)
        units = {"temp": ("°C", 1e-3), "power": ("W", 1e-6), "in": ("V", 1e-3), "curr": ("A", 1e-3), "fan": ("RPM", 1)}
        for f in sorted(os.listdir(os.path.join(hwmon, hw))):
            m = re.fullmatch(r"(temp|power|in|curr|fan)(\d+)_(input|average)", f)
            p = os.path.join(hwmon, hw, f)
            if m and _readable_int(p):
                unit, scale = units[m.group(1)]
                sensor = m.group(1) + m.group(2)
                out.append(
                    LiteChannel(f"hwmon:{chip}/{sensor}", f"{chip} {sensor}", unit, p, scale, 10.0, "gauge", chip)
                )
    thermal = os.path.join(sysfs, "class/thermal")
    for z in sorted(os.listdir(thermal) if os.path.isdir(thermal) else []):
        p = os.path.join(thermal, z, "temp")
        if z.startswith("thermal_zone") and _readable_int(p):
            kind = _read(os.path.join(thermal, z, "type")) or z
            out.append(LiteChannel(f"thermal:{z}", f"{kind} ({z})", "°C", p, 1e-3, 10.0, "gauge", kind))
    rapl = os.path.join(sysfs, "class/powercap")
    for d in sorted(os.listdir(rapl) if os.path.isdir(rapl) else []):
        p = os.path.join(rapl, d, "energy_uj")
        if _readable_int(p):
            # a subzone (intel-rapl:0:0) is named after its package, as the catalogue does: "package-0/core"
            chain = [":".join(d.split(":")[: i + 1]) for i in range(1, d.count(":") + 1)]
            name = "/".join(_UNSAFE.sub("_", _read(os.path.join(rapl, z, "name")) or z) for z in chain)
            out.append(LiteChannel(f"rapl:{name}", f"RAPL {name}", "W", p, 1e-6, 100.0, "counter", d))
    return out


class LiteSource:
    """Telemetry for the protocol from Python threads: one ``meta``, then batches from ``poll()``."""

    def __init__(self, globs: list[str] | None, rate: float | None, sysfs: str = "/sys") -> None:
        channels = list_lite_channels(sysfs)
        if globs:
            channels = [
                c for c in channels if any(fnmatch.fnmatch(c.id, g) or fnmatch.fnmatch(c.label, g) for g in globs)
            ]
        self.error = None if channels else "no readable telemetry channel" + (f" matches {globs}" if globs else "")
        self.channels = channels
        cap = min(rate or LITE_MAX_HZ, LITE_MAX_HZ)
        self.groups: dict[float, list[LiteChannel]] = {}
        for c in channels:
            self.groups.setdefault(min(c.rate_hz, cap), []).append(c)
        self._rows: dict[float, list[tuple[int, list[float | None]]]] = {r: [] for r in self.groups}
        self._prev: dict[str, tuple[int, float]] = {}
        self._last: dict[str, float] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._ticks = 0
        self._missed = 0
        self._cpu0 = time.process_time()
        self._t0 = time.monotonic_ns()

    def meta(self) -> dict[str, Any]:
        rate = {c.id: r for r, cs in self.groups.items() for c in cs}
        return {
            "channels": [
                {
                    "id": c.id,
                    "label": c.label,
                    "unit": c.unit,
                    "kind": c.kind,
                    "rate_hz": rate[c.id],
                    "device": c.device,
                }
                for c in self.channels
            ],
            "backend": "python (zero-install agent)",
            "notice": f"the target has no hwinspector: Python sampling, at most {LITE_MAX_HZ:g} Hz",
        }

    def start(self) -> None:
        for rate, chans in self.groups.items():
            t = threading.Thread(target=self._loop, args=(rate, chans), daemon=True)
            self._threads.append(t)
            t.start()

    def _loop(self, rate: float, chans: list[LiteChannel]) -> None:
        fds = []
        for c in chans:
            try:
                fds.append(os.open(c.path, os.O_RDONLY))
            except OSError:
                fds.append(-1)
        period = int(1e9 / rate)
        deadline = time.monotonic_ns()
        try:
            while not self._stop.is_set():
                now = time.monotonic_ns()
                row: list[float | None] = []
                for i, c in enumerate(chans):  # (no zip(strict=): Python 3.9 runs this too)
                    row.append(self._value(c, fds[i], now))
                with self._lock:
                    self._rows[rate].append((now, row))
                    self._ticks += 1
                deadline += period
                late = time.monotonic_ns() - deadline
                if late > period:  # skip the ticks we could not make, and count them
                    skipped = late // period
                    self._missed += int(skipped)
                    deadline += skipped * period
                time.sleep(max(0.0, (deadline - time.monotonic_ns()) / 1e9))
        finally:
            for fd in fds:
                if fd >= 0:
                    os.close(fd)

    def _value(self, c: LiteChannel, fd: int, now: int) -> float | None:
        if fd < 0:
            return None
        try:
            raw = float(int(os.pread(fd, 64, 0).split()[0]) * c.scale)
        except (OSError, ValueError, IndexError):
            return None
        if c.kind == "gauge":
            return raw
        prev = self._prev.get(c.id)
        if c.unit == "%" and prev is not None and raw >= prev[1] and now - prev[0] < RESIDENCY_WINDOW_NS:
            # An idle-state counter moves in steps (a whole idle period at once): over one tick it can
            # pass 100 %. The share is taken over at least a window and repeated until the next one.
            return self._last.get(c.id)
        self._prev[c.id] = (now, raw)
        if prev is None or now <= prev[0] or raw < prev[1]:
            return None
        value = (raw - prev[1]) / ((now - prev[0]) / 1e9)
        if c.unit == "%":
            value = min(max(value, 0.0), 100.0)
            self._last[c.id] = value
        return value

    def poll(self) -> list[dict[str, Any]]:
        out = []
        with self._lock:
            for rate, rows in self._rows.items():
                if rows:
                    out.append(
                        {
                            "ids": [c.id for c in self.groups[rate]],
                            "t": [t for t, _ in rows],
                            "v": [[None if v is None or math.isnan(v) else v for v in r] for _, r in rows],
                        }
                    )
                    self._rows[rate] = []
        return out

    def stop(self) -> None:
        self._stop.set()
        for t in self._threads:
            t.join(timeout=2)

    def cost(self, final: bool = True) -> dict[str, float]:
        elapsed = max((time.monotonic_ns() - self._t0) / 1e9, 1e-9)
        total = self._ticks + self._missed
        return {
            "cpu_percent": 100 * (time.process_time() - self._cpu0) / elapsed,
            "ticks": float(self._ticks),
            "lost_ticks": float(self._missed),
            "lost_percent": 100 * self._missed / total if total else 0.0,
        }


def channel_json(c: LiteChannel) -> dict[str, Any]:
    return {
        "id": c.id,
        "label": c.label,
        "unit": c.unit,
        "kind": c.kind,
        "max_rate_hz": c.rate_hz,
        "device": c.device,
        "readable": True,
        "reason": None,
    }


def read_udev_db(sysfs: str = "/sys") -> tuple[str, str]:
    """The udev database as ``udevadm info --export-db`` prints it, or a stand-in built from sysfs.

    Returns (text, origin). Without udevadm the stand-in has what the kernel's uevent files hold:
    device paths, subsystems, drivers and MODALIAS, enough for the device tree and driver problems.
    """
    udevadm = shutil.which("udevadm")
    if udevadm:
        try:
            done = subprocess.run(
                [udevadm, "info", "--export-db"],
                capture_output=True,
                timeout=60,
                env=dict(os.environ, LC_ALL="C"),
                check=False,
            )
            if done.returncode == 0 and done.stdout:
                return done.stdout.decode("utf-8", "replace"), "udevadm info --export-db"
        except (OSError, subprocess.TimeoutExpired):
            pass
    return _sysfs_db(sysfs), "sysfs uevent files (no udevadm)"


def _sysfs_db(sysfs: str) -> str:
    records = []
    root = os.path.join(sysfs, "devices")
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        if "uevent" not in filenames:
            continue
        rel = "/" + os.path.relpath(dirpath, sysfs)
        lines = [f"P: {rel}"]
        env = {"DEVPATH": rel}
        for line in (_read(os.path.join(dirpath, "uevent")) or "").splitlines():
            k, sep, v = line.partition("=")
            if sep:
                env[k] = v
        for link in ("subsystem", "driver"):
            target = os.path.join(dirpath, link)
            if os.path.islink(target):
                env[link.upper()] = os.path.basename(os.readlink(target))
        if "DEVNAME" in env:
            lines.append(f"N: {env['DEVNAME']}")
        lines += [f"E: {k}={v}" for k, v in env.items()]
        records.append("\n".join(lines))
        dirnames[:] = [d for d in dirnames if d not in ("power", "subsystem", "driver")]
    return "\n\n".join(records) + "\n"
