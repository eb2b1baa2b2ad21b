"""The client end of a remote link: starts ssh, boots or finds the agent, routes frames to channels.

The peer is untrusted: every frame goes through the size-limited reader, each channel has a byte
budget, silence is a timeout, and ssh's stderr is kept to a bounded tail for the error message.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import queue
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from hwinspector.probes.remote.protocol import (
    CONTROL,
    PROBLEMS,
    VERSION,
    Frame,
    ProtocolError,
    control,
    read_frame,
)
from hwinspector.probes.remote.transport import (
    classify,
    offered_host_key,
    printable,
    ssh_argv,
    unknown_key_message,
)

HANDSHAKE_TIMEOUT_S = 45.0
SILENCE_TIMEOUT_S = 30.0  # no frame at all for this long (pings are answered every 5 s): the link is gone
PING_S = 5.0
STDERR_KEEP = 16 * 1024
_AGENT_FILES = ("protocol.py", "lite.py", "agent.py")


class RemoteError(Exception):
    """A connection problem, with a problem code (protocol.PROBLEMS) and one line for a person."""

    def __init__(self, problem: str, message: str) -> None:
        super().__init__(message)
        self.problem = problem if problem in PROBLEMS else "internal-error"
        self.message = message


@dataclass
class Closed:
    """The end of a channel: the agent's close message, or the link's end."""

    problem: str | None
    message: str
    fields: dict[str, Any] = field(default_factory=dict)


def agent_source() -> bytes:
    """The zero-install agent: our stdlib-only modules, registered under their own names, then served."""
    here = Path(__file__).parent
    parts = [
        "import sys, types\n",
        "for _n in ('hwinspector', 'hwinspector.probes', 'hwinspector.probes.remote'):\n",
        "    _m = types.ModuleType(_n); _m.__path__ = []; sys.modules[_n] = _m\n",
        "def _load(name, src):\n",
        "    m = types.ModuleType(name); sys.modules[name] = m\n",
        "    setattr(sys.modules[name.rpartition('.')[0]], name.rpartition('.')[2], m)\n",
        "    exec(compile(src, '<hwinspector-agent ' + name + '>', 'exec'), m.__dict__)\n",
    ]
    for f in _AGENT_FILES:
        parts.append(f"_load('hwinspector.probes.remote.{f[:-3]}', {(here / f).read_text()!r})\n")
    parts.append("sys.exit(sys.modules['hwinspector.probes.remote.agent'].serve_stdio(full=False))\n")
    return "".join(parts).encode()


class Channel:
    def __init__(self, link: RemoteLink, cid: str, budget_bytes: int) -> None:
        self.link = link
        self.id = cid
        self.queue: queue.Queue[dict[str, Any] | Closed] = queue.Queue()
        self.budget = budget_bytes
        self.closed: Closed | None = None

    def messages(self, timeout_s: float | None = None) -> Iterator[dict[str, Any]]:
        """The channel's messages until it closes; ``self.closed`` then says how."""
        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        while self.closed is None:
            try:
                item = self.queue.get(timeout=0.5)
            except queue.Empty:
                self.link.check_alive()
                if deadline is not None and time.monotonic() > deadline:
                    self.close()
                    raise RemoteError("timeout", f"no answer within {timeout_s:g} s") from None
                continue
            if isinstance(item, Closed):
                self.closed = item
                return
            yield item

    def close(self) -> None:
        if self.closed is None:
            self.link.send(control("close", channel=self.id))


class RemoteLink:
    """One ssh connection to HOST speaking the protocol. Use as a context manager."""

    def __init__(
        self,
        host: str,
        *,
        batch: bool = True,
        env: Mapping[str, str] | None = None,
        handshake_timeout_s: float = HANDSHAKE_TIMEOUT_S,
    ) -> None:
        self.host = host
        self.init: dict[str, Any] = {}
        self._channels: dict[str, Channel] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._send_lock = threading.Lock()
        self._stderr = bytearray()
        self._last_seen = time.monotonic()
        self._error: RemoteError | None = None
        self._done = threading.Event()
        # Told once, from a reader thread, when the link ends by itself (not by close()).
        self.on_lost: Callable[[RemoteError], None] | None = None
        try:
            argv = ssh_argv(host, batch=batch, env=env)
        except ValueError as exc:
            raise RemoteError("unknown-host", str(exc)) from None
        run_env = dict(os.environ if env is None else env)
        self._env = run_env
        try:
            self.proc = subprocess.Popen(
                argv,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=run_env,
                start_new_session=True,  # Ctrl-C reaches us, and we end ssh in order
            )
        except OSError as exc:
            raise RemoteError("internal-error", f"cannot run {argv[0]}: {exc.strerror or exc}") from None
        assert self.proc.stdout and self.proc.stderr and self.proc.stdin
        self._stdout: IO[bytes] = self.proc.stdout
        threading.Thread(target=self._drain_stderr, daemon=True).start()
        try:
            self._handshake(handshake_timeout_s)
        except BaseException:
            self.close()
            raise
        threading.Thread(target=self._dispatch, daemon=True).start()
        threading.Thread(target=self._pinger, daemon=True).start()

    # --- lifecycle ----------------------------------------------------------------------------

    def __enter__(self) -> RemoteLink:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def capabilities(self) -> list[str]:
        caps = self.init.get("capabilities")
        return [c for c in caps if isinstance(c, str)] if isinstance(caps, list) else []

    @property
    def zero_install(self) -> bool:
        return self.init.get("agent") != "hwinspector"

    def close(self) -> None:
        self._done.set()
        if self.proc.poll() is None:
            try:
                assert self.proc.stdin
                self.proc.stdin.close()  # the agent sees EOF and ends; ssh then exits
            except OSError:
                pass
            try:
                self.proc.wait(timeout=3)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGTERM)
                try:
                    self.proc.wait(timeout=3)
                except subprocess.TimeoutExpired:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                    self.proc.wait()
        for s in (self.proc.stdin, self.proc.stdout, self.proc.stderr):
            if s:
                with contextlib.suppress(OSError):
                    s.close()

    def _drain_stderr(self) -> None:
        assert self.proc.stderr
        while chunk := os.read(self.proc.stderr.fileno(), 65536):
            self._stderr += chunk
            if len(self._stderr) > STDERR_KEEP:
                del self._stderr[: len(self._stderr) - STDERR_KEEP]

    def _failure(self) -> RemoteError:
        """Why the link ended, from ssh's stderr and exit status."""
        try:
            status = self.proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            status = None
        time.sleep(0.05)  # the stderr reader may still hold ssh's last line
        problem, message = classify(self._stderr.decode("utf-8", "replace"), status)
        if problem == "unknown-hostkey":
            # what ssh's own prompt shows: the key's type and fingerprint, and how to check it
            message = unknown_key_message(self.host, offered_host_key(self.host, self._env))
        return RemoteError(problem, message)

    # --- frames ------------------------------------------------------------------------------

    def send(self, data: bytes) -> None:
        with self._send_lock:
            try:
                assert self.proc.stdin
                self.proc.stdin.write(data)
                self.proc.stdin.flush()
            except (BrokenPipeError, OSError, ValueError):
                pass  # the reader notices the end and says why

    def _read(self) -> Frame | None:
        frame = read_frame(self._stdout)
        self._last_seen = time.monotonic()
        return frame

    def _handshake(self, timeout_s: float) -> None:
        result: list[Frame | BaseException | None] = []

        def first() -> None:
            try:
                f = self._read()
                if f is not None and f.channel == CONTROL and f.command == "boot":
                    src = agent_source()
                    self.send(str(len(src)).encode() + b"\n" + src)
                    f = self._read()
                result.append(f)
            except BaseException as exc:  # handed to the waiting thread
                result.append(exc)

        t = threading.Thread(target=first, daemon=True)
        t.start()
        t.join(timeout_s)
        if not result:
            raise RemoteError("timeout", f"no answer from the agent within {timeout_s:g} s")
        got = result[0]
        if isinstance(got, ProtocolError):
            if got.problem == "terminated":
                raise self._failure()
            raise RemoteError(got.problem, f"{got.detail} (is something printing on login, e.g. in ~/.bashrc?)")
        if isinstance(got, BaseException):
            raise RemoteError("internal-error", str(got))
        if got is None:
            raise self._failure()
        if got.channel != CONTROL or got.command != "init":
            raise RemoteError("protocol-error", "the agent did not start with init")
        if got.message.get("version") != VERSION:
            raise RemoteError(
                "protocol-error", f"the agent speaks protocol version {got.message.get('version')!r}, not {VERSION}"
            )
        self.init = got.message
        self.send(control("init", version=VERSION))

    def _dispatch(self) -> None:
        try:
            while (f := self._read()) is not None:
                self._route(f)
            err = self._failure() if not self._done.is_set() else RemoteError("terminated", "closed")
            if err.problem in ("no-host", "internal-error") or not err.message:
                err = RemoteError("terminated", f"the connection was closed ({err.message or 'end of stream'})")
        except ProtocolError as exc:
            err = RemoteError(exc.problem, exc.detail)
        except (OSError, ValueError) as exc:
            err = RemoteError("terminated", f"the connection was closed ({exc})")
        self._fail_all(err)

    def _fail_all(self, err: RemoteError) -> None:
        with self._lock:
            first = self._error is None
            if first:
                self._error = err
            chans = list(self._channels.values())
            self._channels.clear()
        if first and not self._done.is_set() and self.on_lost is not None:
            self.on_lost(err)
        for ch in chans:
            ch.queue.put(Closed(err.problem, err.message))
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)

    def _route(self, f: Frame) -> None:
        msg = f.message
        if f.channel == CONTROL:
            if f.command == "close":
                cid = msg.get("channel")
                if cid is None:  # the agent closes everything: a protocol problem on its side
                    problem = str(msg.get("problem") or "terminated")
                    raise ProtocolError(problem, printable(str(msg.get("message") or problem)))
                with self._lock:
                    ch = self._channels.pop(str(cid), None)
                if ch:
                    code = msg.get("problem")
                    ch.queue.put(
                        Closed(
                            # an unknown code is not repeated as if it meant something
                            (code if code in PROBLEMS else "internal-error")
                            if isinstance(code, str) and code
                            else None,
                            printable(str(msg.get("message") or "")),
                            msg,
                        )
                    )
            return
        with self._lock:
            ch = self._channels.get(f.channel)
        if ch is None:
            return  # data for a channel we closed: dropped
        size = len(str(msg))
        ch.budget -= size
        if ch.budget < 0:
            with self._lock:
                self._channels.pop(f.channel, None)
            ch.queue.put(Closed("too-large", "the agent sent more than this request allows"))
            self.send(control("close", channel=f.channel))
            return
        ch.queue.put(msg)

    def _pinger(self) -> None:
        while not self._done.wait(PING_S):
            self.send(control("ping"))
            if self._error is None and time.monotonic() - self._last_seen > SILENCE_TIMEOUT_S:
                self._fail_all(RemoteError("timeout", f"nothing heard from {self.host} for {SILENCE_TIMEOUT_S:g} s"))

    def check_alive(self) -> None:
        if self._error is not None:
            raise self._error
        if time.monotonic() - self._last_seen > SILENCE_TIMEOUT_S:
            err = RemoteError("timeout", f"nothing heard from {self.host} for {SILENCE_TIMEOUT_S:g} s")
            self._fail_all(err)
            raise err

    def open(self, payload: str, budget_bytes: int = 64 * 1024 * 1024, **options: Any) -> Channel:
        if self._error is not None:
            raise self._error
        cid = str(next(self._ids))
        ch = Channel(self, cid, budget_bytes)
        with self._lock:
            self._channels[cid] = ch
        self.send(control("open", channel=cid, payload=payload, **options))
        return ch
