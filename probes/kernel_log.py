"""The kernel log (/dev/kmsg records, or dmesg text from a dump) and what it says about devices."""

from __future__ import annotations

import errno
import os
import re
from dataclasses import dataclass
from pathlib import Path

from hwinspector.probes.errors import ProbeUnavailable


@dataclass(frozen=True, slots=True)
class LogLine:
    priority: int  # syslog level, 0 emerg … 7 debug
    time_us: int | None  # microseconds since boot (CLOCK_MONOTONIC), when known
    message: str


@dataclass(frozen=True, slots=True)
class FirmwareFailure:
    driver: str
    device: str  # bus id as the driver logged it, e.g. "0000:03:00.0"
    firmware: str
    error: int | None
    message: str


# drivers/base/firmware_loader/main.c: "Direct firmware load for %s failed with error %d" and, with
# CONFIG_FW_LOADER_DEBUG or older kernels, "firmware: failed to load %s (%d)".
_FW_PATTERNS = (
    re.compile(r"^(?P<drv>\S+) (?P<dev>\S+): Direct firmware load for (?P<fw>\S+) failed with error (?P<err>-?\d+)"),
    re.compile(r"^(?P<drv>\S+) (?P<dev>\S+): firmware: failed to load (?P<fw>\S+) \((?P<err>-?\d+)\)"),
)
_DMESG_TEXT = re.compile(r"^(?:<(?P<pri>\d+)>)?\s*(?:\[\s*(?P<sec>\d+)\.(?P<frac>\d+)\]\s?)?(?P<msg>.*)$")


def parse_kmsg_record(record: str) -> LogLine | None:
    """One /dev/kmsg record: ``prio,seq,usec,flags;message`` (Documentation/ABI/testing/dev-kmsg)."""
    head, sep, msg = record.partition(";")
    if not sep:
        return None
    fields = head.split(",")
    try:
        prio = int(fields[0]) & 7
        usec = int(fields[2]) if len(fields) > 2 else None
    except ValueError:
        return None
    # Continuation lines (" KEY=value" dictionary entries) follow the message after a newline.
    return LogLine(prio, usec, msg.split("\n", 1)[0])


def read_kernel_log(devkmsg: Path = Path("/dev/kmsg"), max_records: int = 100_000) -> list[LogLine]:
    """Every record the kernel still holds, without blocking (O_NONBLOCK ends at EAGAIN)."""
    try:
        fd = os.open(devkmsg, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        # dmesg_restrict=1 (the default on Debian and Ubuntu) keeps the log from ordinary users.
        raise ProbeUnavailable(f"kernel log not readable ({exc.strerror}); run as root to include it") from None
    lines: list[LogLine] = []
    try:
        while len(lines) < max_records:
            try:
                data = os.read(fd, 8192)
            except BlockingIOError:
                break
            except OSError as exc:
                if exc.errno == errno.EPIPE:  # records overwritten while we read: go on with the next
                    continue
                break
            if not data:
                break
            line = parse_kmsg_record(data.decode("utf-8", errors="replace"))
            if line is not None:
                lines.append(line)
    finally:
        os.close(fd)
    return lines


def parse_dmesg_text(text: str) -> list[LogLine]:
    """``dmesg`` output as captured in dumps and bundles: optional ``<prio>`` and ``[seconds]``."""
    out: list[LogLine] = []
    for raw in text.splitlines():
        m = _DMESG_TEXT.match(raw)
        if m is None or not m.group("msg"):
            continue
        pri = int(m.group("pri")) & 7 if m.group("pri") else 6
        usec = None
        if m.group("sec") is not None:
            frac = (m.group("frac") + "000000")[:6]
            usec = int(m.group("sec")) * 1_000_000 + int(frac)
        out.append(LogLine(pri, usec, m.group("msg")))
    return out


def find_firmware_failures(lines: list[LogLine]) -> list[FirmwareFailure]:
    """Firmware the kernel failed to load, once per (device, file)."""
    seen: set[tuple[str, str]] = set()
    out: list[FirmwareFailure] = []
    for line in lines:
        for pat in _FW_PATTERNS:
            m = pat.match(line.message)
            if m is None:
                continue
            key = (m.group("dev"), m.group("fw"))
            if key not in seen:
                seen.add(key)
                out.append(
                    FirmwareFailure(m.group("drv"), m.group("dev"), m.group("fw"), int(m.group("err")), line.message)
                )
            break
    return out


class KmsgFollower:
    """New kernel log records as they arrive (for the telemetry timeline), from now on.

    /dev/kmsg timestamps come from the kernel's local clock, which on Linux runs with
    CLOCK_MONOTONIC (both count from boot, neither advances in suspend), so they share the
    sampler's time axis.
    """

    def __init__(self, devkmsg: Path = Path("/dev/kmsg")) -> None:
        try:
            self.fd = os.open(devkmsg, os.O_RDONLY | os.O_NONBLOCK)
        except OSError as exc:
            raise ProbeUnavailable(f"kernel log not readable ({exc.strerror}); run as root to see it") from None
        # SEEK_END on /dev/kmsg skips the records already there (Documentation/ABI/testing/dev-kmsg)
        os.lseek(self.fd, 0, os.SEEK_END)

    def read_new(self, max_records: int = 1000) -> list[LogLine]:
        out: list[LogLine] = []
        while len(out) < max_records:
            try:
                data = os.read(self.fd, 8192)
            except BlockingIOError:
                break
            except OSError as exc:
                if exc.errno == errno.EPIPE:
                    continue
                break
            if not data:
                break
            line = parse_kmsg_record(data.decode("utf-8", errors="replace"))
            if line is not None:
                out.append(line)
        return out

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
