"""The agent: serves the remote protocol on stdin/stdout of an ssh session on the target.

Stdlib-only at import time, so the same code runs as ``hwinspector agent`` (with the probes and the
native sampler) and as the zero-install agent sent over the link to a target that only has python3
(then telemetry comes from the stdlib sampler in ``lite.py`` and devices from the udev database).
"""

from __future__ import annotations

import base64
import codecs
import importlib
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from typing import IO, Any

from hwinspector.probes.remote import lite
from hwinspector.probes.remote.protocol import (
    CONTROL,
    VERSION,
    Frame,
    ProtocolError,
    control,
    encode,
    read_frame,
)

# Subcommands a client may run through the "cli" channel: read-only views of the machine.
CLI_COMMANDS = frozenset({"devices", "drivers", "graphics", "edid", "power", "firmware", "telemetry", "check", "idle"})
# Imported by name, only where the full package is installed: this module stays stdlib-only.
_FULL_SOURCE = "hwinspector.probes.remote.full_source"
_SENSORS = "hwinspector.probes.remote.sensors"
BATCH_S = 0.1  # telemetry batches cross the link at 10 Hz
CHUNK_BYTES = 192 * 1024  # file chunks: base64 keeps each frame well under the frame limit


def installed() -> bool:
    """Whether the full package (probes, sampler) can be imported here."""
    try:
        importlib.import_module(_FULL_SOURCE)
    except Exception:  # any import failure means: serve what the stdlib can
        return False
    return True


class Agent:
    def __init__(self, rfile: IO[bytes], wfile: IO[bytes], *, full: bool) -> None:
        self._r = rfile
        self._w = wfile
        self._lock = threading.Lock()
        self.full = full
        self._stops: dict[str, threading.Event] = {}
        self._threads: list[threading.Thread] = []

    @property
    def capabilities(self) -> list[str]:
        caps = ["telemetry", "catalogue", "udev-db"]
        return ["cli", "report", "hotplug", "sensors", *caps] if self.full else caps

    def send(self, channel: str, message: dict[str, Any]) -> None:
        self.send_raw(encode(channel, message))

    def send_raw(self, data: bytes) -> None:
        with self._lock:
            try:
                self._w.write(data)
                self._w.flush()
            except (BrokenPipeError, ValueError, OSError):
                pass  # the client went away; the reader sees EOF and ends the agent

    def close_channel(
        self, channel: str, problem: str | None = None, message: str | None = None, status: int | None = None
    ) -> None:
        self._stops.pop(channel, None)
        extra: dict[str, Any] = {"problem": problem} if problem else {}
        if message is not None:
            extra["message"] = message
        if status is not None:
            extra["exit-status"] = status
        self.send_raw(control("close", channel=channel, **extra))

    def serve(self) -> int:
        import platform

        self.send_raw(
            control(
                "init",
                version=VERSION,
                capabilities=self.capabilities,
                agent="hwinspector" if self.full else "python",
                python=platform.python_version(),
                host=platform.node(),
                kernel=platform.release(),
            )
        )
        try:
            while (frame := read_frame(self._r)) is not None:
                self._dispatch(frame)
        except ProtocolError as exc:
            self.send_raw(control("close", problem=exc.problem, message=str(exc)))
            return 1
        finally:
            for ev in list(self._stops.values()):
                ev.set()
            for t in self._threads:
                t.join(timeout=5)
        return 0

    def _dispatch(self, frame: Frame) -> None:
        if frame.channel != CONTROL:
            return  # no channel takes input from the client yet
        msg = frame.message
        cmd = frame.command
        if cmd == "ping":
            self.send_raw(control("pong"))
        elif cmd == "init":
            if msg.get("version") != VERSION:
                self.send_raw(control("close", problem="protocol-error", message=f"version {msg.get('version')!r}"))
        elif cmd == "close":
            ev = self._stops.get(str(msg.get("channel", "")))
            if ev:
                ev.set()
        elif cmd == "open":
            self._open(msg)

    def _open(self, msg: dict[str, Any]) -> None:
        channel = msg.get("channel")
        payload = msg.get("payload")
        if not isinstance(channel, str) or not channel or channel in self._stops:
            self.send_raw(control("close", channel=str(channel), problem="protocol-error", message="bad channel id"))
            return
        handlers: dict[str, Callable[[str, dict[str, Any], threading.Event], None]] = {
            "telemetry": self._telemetry,
            "catalogue": self._catalogue,
            "udev-db": self._udev_db,
        }
        if self.full:
            handlers |= {"cli": self._cli, "report": self._report, "hotplug": self._hotplug, "sensors": self._sensors}
        handler = handlers.get(str(payload))
        if handler is None:
            self.close_channel(channel, "not-supported", message=f"this agent has no {payload!r} channel")
            return
        stop = threading.Event()
        self._stops[channel] = stop

        def run() -> None:
            try:
                handler(channel, msg, stop)
            except Exception as exc:  # a failing channel is reported, the agent keeps serving
                self.close_channel(channel, "internal-error", message=f"{type(exc).__name__}: {exc}")

        t = threading.Thread(target=run, name=f"channel-{channel}", daemon=True)
        self._threads.append(t)
        t.start()

    # --- channels -------------------------------------------------------------------------------

    def _run_streamed(self, channel: str, argv: list[str], stop: threading.Event) -> int:
        """Run our own CLI; its stdout and stderr cross the link as they come."""
        env = dict(os.environ, LC_ALL="C.UTF-8", PYTHONUNBUFFERED="1")
        proc = subprocess.Popen(
            [sys.executable, "-m", "hwinspector", *argv],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )

        def pump(stream: IO[bytes], key: str) -> None:
            text = codecs.getincrementaldecoder("utf-8")("replace")  # a character may span two reads
            while chunk := os.read(stream.fileno(), 65536):
                self.send(channel, {key: text.decode(chunk)})

        pumps = [
            threading.Thread(target=pump, args=(proc.stdout, "out"), daemon=True),
            threading.Thread(target=pump, args=(proc.stderr, "err"), daemon=True),
        ]
        for p in pumps:
            p.start()
        while proc.poll() is None:
            if stop.wait(0.1):
                proc.terminate()
                break
        rc = proc.wait()
        for p in pumps:
            p.join()
        return rc

    def _cli(self, channel: str, msg: dict[str, Any], stop: threading.Event) -> None:
        argv = msg.get("argv")
        if not (isinstance(argv, list) and argv and all(isinstance(a, str) for a in argv)):
            self.close_channel(channel, "protocol-error", message="argv must be a list of strings")
            return
        if argv[0] not in CLI_COMMANDS:
            self.close_channel(channel, "not-supported", message=f"{argv[0]!r} is not a command the agent runs")
            return
        rc = self._run_streamed(channel, argv, stop)
        self.close_channel(channel, status=rc)

    def _report(self, channel: str, msg: dict[str, Any], stop: threading.Event) -> None:
        argv = msg.get("argv", [])
        if not (isinstance(argv, list) and all(isinstance(a, str) for a in argv)):
            self.close_channel(channel, "protocol-error", message="argv must be a list of strings")
            return
        tmp = tempfile.mkdtemp(prefix="hwinspector-agent-")
        try:
            rc = self._run_streamed(channel, ["report", *argv, "-o", tmp], stop)
            bundles = sorted(n for n in os.listdir(tmp) if n.endswith(".tar.xz"))
            if rc != 0 or not bundles:
                self.close_channel(channel, status=rc)
                return
            path = os.path.join(tmp, bundles[0])
            self.send(channel, {"file": bundles[0], "size": os.path.getsize(path)})
            with open(path, "rb") as f:
                while (chunk := f.read(CHUNK_BYTES)) and not stop.is_set():
                    self.send(channel, {"chunk": base64.b64encode(chunk).decode()})
            self.close_channel(channel, status=rc)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)

    def _hotplug(self, channel: str, msg: dict[str, Any], stop: threading.Event) -> None:
        """Device add/remove/change events on the target, coalesced into one frame per 0.2 s."""
        pending: list[list[str]] = []
        lock = threading.Lock()
        last = [time.monotonic()]

        def emit(action: str, path: str) -> None:
            with lock:
                pending.append([action, path])

        def should_stop() -> bool:
            if time.monotonic() - last[0] >= 0.2:
                last[0] = time.monotonic()
                with lock:
                    batch = pending[:1000]
                    del pending[:]
                if batch:
                    self.send(channel, {"events": batch})
            return stop.is_set()

        watch = importlib.import_module("hwinspector.probes.devices.hotplug").watch_uevents
        reason = watch(emit, should_stop, None, 0.1, lambda: self.send(channel, {"listening": True}))
        self.close_channel(channel, "not-supported" if reason else None, message=reason or None)

    def _sensors(self, channel: str, msg: dict[str, Any], stop: threading.Event) -> None:
        """One reading of the Power and Thermal pages' lists here (the client asks again at its own pace)."""
        names = msg.get("lists")
        if not (isinstance(names, list) and all(isinstance(n, str) for n in names)):
            self.close_channel(channel, "protocol-error", message="lists must be a list of names")
            return
        self.send(channel, importlib.import_module(_SENSORS).read_sensor_lists(names))
        self.close_channel(channel)

    def _catalogue(self, channel: str, msg: dict[str, Any], stop: threading.Event) -> None:
        if self.full:
            doc = importlib.import_module(_FULL_SOURCE).catalogue_json()
        else:
            doc = {"channels": [lite.channel_json(c) for c in lite.list_lite_channels()], "unavailable": {}}
        self.send(channel, doc)
        self.close_channel(channel)

    def _udev_db(self, channel: str, msg: dict[str, Any], stop: threading.Event) -> None:
        text, origin = lite.read_udev_db()
        self.send(channel, {"origin": origin, "size": len(text)})
        for i in range(0, len(text), CHUNK_BYTES):
            if stop.is_set():
                break
            self.send(channel, {"text": text[i : i + CHUNK_BYTES]})
        self.close_channel(channel)

    def _telemetry(self, channel: str, msg: dict[str, Any], stop: threading.Event) -> None:
        globs = msg.get("channels")
        rate = msg.get("rate")
        globs = [g for g in globs if isinstance(g, str)] if isinstance(globs, list) else None
        rate = float(rate) if isinstance(rate, (int, float)) and 0 < rate <= 1000 else None
        source = _full_source(globs, rate) if self.full else lite.LiteSource(globs, rate)
        if source.error:
            self.close_channel(channel, "not-supported", message=source.error)
            return
        # t values in the batches are this machine's CLOCK_MONOTONIC; the anchor maps them to wall time
        clock = {"monotonic_ns": time.monotonic_ns(), "realtime_ns": time.time_ns()}
        self.send(channel, {"type": "meta", **source.meta(), "clock": clock})
        source.start()
        last_cost = time.monotonic()
        try:
            while not stop.wait(BATCH_S):
                for batch in source.poll():
                    self.send(channel, {"type": "data", **batch})
                if time.monotonic() - last_cost >= 1.0:  # what sampling costs there, once a second
                    last_cost = time.monotonic()
                    self.send(channel, {"type": "cost", **source.cost(final=False)})
        finally:
            source.stop()
        for batch in source.poll():
            self.send(channel, {"type": "data", **batch})
        self.send(channel, {"type": "cost", **source.cost()})
        self.close_channel(channel)


def _full_source(globs: list[str] | None, rate: float | None) -> Any:
    return importlib.import_module(_FULL_SOURCE).SessionSource(globs, rate)


def serve_stdio(full: bool | None = None) -> int:
    """Serve on this process's stdin/stdout; stray prints go to stderr, never into the stream."""
    out_fd = os.dup(1)
    os.dup2(2, 1)  # anything printed by a library or a child from here on lands on stderr
    sys.stdout = sys.stderr
    wfile = os.fdopen(out_fd, "wb", buffering=0)
    rfile = sys.stdin.buffer
    agent = Agent(rfile, wfile, full=installed() if full is None else full)
    return agent.serve()
