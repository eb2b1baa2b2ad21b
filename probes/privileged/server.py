"""hwinspector-helper: reads root-only counters by fixed ids and answers JSON lines on stdin/stdout.

It is the security boundary between the desktop session and root, so it stays small:
- a request names an op from a fixed list and ids from the table ``list`` returned; nothing in a
  request becomes a path, a command, code, or a perf event's type or config (the helper opens only
  the GPU PMU counters its own discovery found);
- it writes nothing except the suspend test cycle (the RTC alarm and /sys/power/state, fixed files);
- it reads GPU crash dumps and firmware tables only by the ids ``list`` names (gpu_dumps.py);
- it starts no other program;
- lines over MAX_REQUEST_BYTES, unknown ops, unknown fields and garbage get ``"ok": false`` and it
  keeps answering; it leaves when its stdin closes or its parent goes away.
"""

from __future__ import annotations

import contextlib
import ctypes
import json
import os
import signal
import sys
import time
from collections.abc import Callable
from typing import IO, Any

from hwinspector.probes.privileged.gpu_dumps import GpuDump, encode, list_gpu_dumps, read_gpu_dump
from hwinspector.probes.privileged.protocol import (
    MAX_IDS_PER_REQUEST,
    MAX_REQUEST_BYTES,
    OPS,
    PROTOCOL_VERSION,
    RAPL_SIDE_CHANNEL_NOTE,
    SUSPEND_MAX_S,
    SUSPEND_MIN_S,
)
from hwinspector.probes.privileged.sources import Registry, Roots, build_registry
from hwinspector.probes.privileged.stream import Stream
from hwinspector.probes.sysfs_attr import errno_name

_FIELDS: dict[str, frozenset[str]] = {
    "hello": frozenset(),
    "list": frozenset(),
    "read": frozenset({"ids"}),
    "stream_start": frozenset({"ids", "rate_hz"}),
    "pmu_stream_start": frozenset({"ids", "rate_hz"}),
    "stream_read": frozenset(),
    "stream_stop": frozenset(),
    "suspend_cycle": frozenset({"seconds"}),
    "gpu_dump": frozenset({"dump"}),
}
assert set(_FIELDS) == set(OPS)


class Refused(Exception):
    """A request the helper will not carry out; the message goes back to the client."""


class Helper:
    """The request handler, separate from the I/O loop so it can be driven directly."""

    def __init__(self, roots: Roots) -> None:
        self.roots = roots
        self.registry: Registry = build_registry(roots)
        self.stream: Stream | None = None

    def handle_line(self, line: bytes) -> dict[str, Any]:
        try:
            req = json.loads(line.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            return {"ok": False, "error": "not a JSON object on one line"}
        if not isinstance(req, dict):
            return {"ok": False, "error": "a request is a JSON object"}
        rid = req.pop("id", None)
        answer = self.handle(req)
        if isinstance(rid, (int, str)) and not isinstance(rid, bool) and len(str(rid)) <= 64:
            answer["id"] = rid
        return answer

    def handle(self, req: dict[str, Any]) -> dict[str, Any]:
        op = req.pop("op", None)
        if not isinstance(op, str) or op not in _FIELDS:
            return {"ok": False, "error": f"unknown op; known: {', '.join(OPS)}"}
        extra = set(req) - _FIELDS[op]
        if extra:
            return {"ok": False, "error": f"{op}: unexpected field(s): {', '.join(sorted(map(str, extra)))[:200]}"}
        handler: Callable[[dict[str, Any]], dict[str, Any]] = getattr(self, "_op_" + op)
        try:
            return {"ok": True, **handler(req)}
        except Refused as exc:
            return {"ok": False, "error": f"{op}: {exc}"}

    def _ids(self, req: dict[str, Any]) -> list[str]:
        ids = req.get("ids")
        if not isinstance(ids, list) or not ids or not all(isinstance(i, str) for i in ids):
            raise Refused("ids must be a non-empty list of ids from the list op")
        if len(ids) > MAX_IDS_PER_REQUEST:
            raise Refused(f"at most {MAX_IDS_PER_REQUEST} ids per request")
        unknown = [i for i in ids if i not in self.registry.sources]
        if unknown:
            raise Refused(f"not offered here: {', '.join(repr(i[:80]) for i in unknown[:5])}")
        return ids

    def _op_hello(self, req: dict[str, Any]) -> dict[str, Any]:
        return {"protocol": PROTOCOL_VERSION, "pid": os.getpid(), "uid": os.geteuid()}

    def _op_list(self, req: dict[str, Any]) -> dict[str, Any]:
        return {
            "sources": self.registry.describe(),
            "absent": dict(self.registry.absent),
            "ops": list(OPS),
            "suspend": self._suspend_files() is not None,
            "rapl_note": RAPL_SIDE_CHANNEL_NOTE,
            "gpu_dumps": [
                {"id": d.id, "kind": d.kind, "description": d.description} for d in self._gpu_dumps().values()
            ],
        }

    def _op_read(self, req: dict[str, Any]) -> dict[str, Any]:
        values: dict[str, int | str | None] = {}
        errors: dict[str, str] = {}
        ids = self._ids(req)
        if any(self.registry.sources[i].kind == "pmu" for i in ids):
            raise Refused("PMU counters are streamed only: pmu_stream_start")
        for i in ids:
            try:
                values[i] = self.registry.sources[i].read()
            except OSError as exc:
                values[i], errors[i] = None, errno_name(exc)
            except ValueError:
                values[i], errors[i] = None, "unparsable value"
        return {"t_ns": time.monotonic_ns(), "values": values, "errors": errors}

    def _op_stream_start(self, req: dict[str, Any]) -> dict[str, Any]:
        ids = self._ids(req)
        if any(self.registry.sources[i].kind == "pmu" for i in ids):
            raise Refused("PMU counters stream through pmu_stream_start")
        return self._start_stream(ids, req)

    def _op_pmu_stream_start(self, req: dict[str, Any]) -> dict[str, Any]:
        """GPU PMU counters (CAP_PERFMON): perf events the helper opens from its own discovery, by id."""
        ids = self._ids(req)
        if any(self.registry.sources[i].kind != "pmu" for i in ids):
            raise Refused("pmu_stream_start takes PMU ids (kind pmu) from the list op")
        answer = self._start_stream(ids, req)
        assert self.stream is not None
        return {**answer, "open_errors": self.stream.open_errors()}

    def _start_stream(self, ids: list[str], req: dict[str, Any]) -> dict[str, Any]:
        rate = req.get("rate_hz", 10.0)
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0.1 <= rate <= 10_000:
            raise Refused("rate_hz must be a number from 0.1 to 10000")
        sources = [self.registry.sources[i] for i in ids]
        if self.stream is not None:
            self.stream.close()
            self.stream = None
        try:
            self.stream = Stream(sources, float(rate))
        except ValueError as exc:
            raise Refused(str(exc)) from None
        s = self.stream
        capped = s.rate_hz < float(rate)
        return {"ids": s.ids, "rate_hz": s.rate_hz, "capped": capped, "backend": s.backend}

    def _op_stream_read(self, req: dict[str, Any]) -> dict[str, Any]:
        if self.stream is None:
            raise Refused("no stream running (stream_start first)")
        return {"ids": self.stream.ids, "rows": self.stream.drain()}

    def _op_stream_stop(self, req: dict[str, Any]) -> dict[str, Any]:
        if self.stream is not None:
            self.stream.close()
            self.stream = None
        return {}

    def _suspend_files(self) -> tuple[str, str] | None:
        alarm = self.roots.sysfs / "class" / "rtc" / "rtc0" / "wakealarm"
        state = self.roots.sysfs / "power" / "state"
        if alarm.is_file() and state.is_file():
            return str(alarm), str(state)
        return None

    def _op_suspend_cycle(self, req: dict[str, Any]) -> dict[str, Any]:
        seconds = req.get("seconds")
        if isinstance(seconds, bool) or not isinstance(seconds, int) or not SUSPEND_MIN_S <= seconds <= SUSPEND_MAX_S:
            raise Refused(f"seconds must be an integer from {SUSPEND_MIN_S} to {SUSPEND_MAX_S}")
        files = self._suspend_files()
        if files is None:
            raise Refused("this machine has no RTC wake alarm or no /sys/power/state")
        alarm, state = files
        try:
            _write(alarm, "0")  # clear a stale alarm: the kernel refuses to arm over one
            _write(alarm, f"+{seconds}")
        except OSError as exc:
            raise Refused(f"arming the RTC wake alarm failed: {errno_name(exc)}") from None
        boot0, mono0 = time.clock_gettime_ns(time.CLOCK_BOOTTIME), time.monotonic_ns()
        try:
            _write(state, "mem")  # returns after resume (mem_sleep decides s2idle or deep)
        except OSError as exc:
            _write_quietly(alarm, "0")
            raise Refused(f"suspend failed: {errno_name(exc)}") from None
        boot1, mono1 = time.clock_gettime_ns(time.CLOCK_BOOTTIME), time.monotonic_ns()
        # CLOCK_MONOTONIC stops during suspend and CLOCK_BOOTTIME does not: their difference is
        # the time the machine spent suspended.
        return {
            "requested_s": seconds,
            "elapsed_s": (boot1 - boot0) / 1e9,
            "suspended_s": ((boot1 - boot0) - (mono1 - mono0)) / 1e9,
        }

    def _gpu_dumps(self) -> dict[str, GpuDump]:
        return list_gpu_dumps(self.roots.sysfs, self.roots.debugfs)

    def _op_gpu_dump(self, req: dict[str, Any]) -> dict[str, Any]:
        """One GPU crash dump or firmware table, by an id from ``list`` (listed afresh: dumps come and go)."""
        # "dump", not "id": a request's "id" is the request's own, echoed in the answer
        ident = req.get("dump")
        dumps = self._gpu_dumps()
        if not isinstance(ident, str) or ident not in dumps:
            raise Refused("dump must be one of the gpu_dumps ids the list op names")
        try:
            data, truncated = read_gpu_dump(dumps[ident])
        except OSError as exc:
            raise Refused(f"{ident}: {errno_name(exc)}") from None
        return encode(dumps[ident], data, truncated)

    def close(self) -> None:
        if self.stream is not None:
            self.stream.close()
            self.stream = None


def _write(path: str, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_NOFOLLOW)
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)


def _write_quietly(path: str, text: str) -> None:
    with contextlib.suppress(OSError):
        _write(path, text)


def read_request(stream: IO[bytes]) -> bytes | None:
    """The next line, b"" for an oversized one (already skipped to its end), None at end of input."""
    line = stream.readline(MAX_REQUEST_BYTES + 1)
    if not line:
        return None
    if len(line) > MAX_REQUEST_BYTES:
        while line and not line.endswith(b"\n"):
            line = stream.readline(MAX_REQUEST_BYTES + 1)
        return b""
    return line


def serve(stdin: IO[bytes], stdout: IO[bytes], roots: Roots | None = None) -> int:
    """Answer requests until stdin ends. Returns the exit status."""
    helper = Helper(roots or Roots())
    try:
        while True:
            line = read_request(stdin)
            if line is None:
                return 0
            if line == b"":
                answer: dict[str, Any] = {"ok": False, "error": f"request over {MAX_REQUEST_BYTES} bytes"}
            elif not line.strip():
                continue
            else:
                answer = helper.handle_line(line)
            try:
                stdout.write(json.dumps(answer, separators=(",", ":")).encode() + b"\n")
                stdout.flush()
            except (BrokenPipeError, OSError):
                return 0
    finally:
        helper.close()


def _die_with_parent() -> None:
    """Ask the kernel for SIGTERM when the parent exits (PR_SET_PDEATHSIG), and check it has not already."""
    parent = os.getppid()
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM, 0, 0, 0)  # 1 = PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if parent == 1 or os.getppid() != parent:
        sys.exit(0)


def main() -> int:
    """Console script entry point. Takes no arguments: every root is the real one."""
    if len(sys.argv) > 1:
        sys.stderr.write("hwinspector-helper takes no arguments; it answers JSON lines on stdin\n")
        return 2
    _die_with_parent()
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    return serve(sys.stdin.buffer, sys.stdout.buffer)
