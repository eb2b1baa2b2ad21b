"""The GUI's and the CLI's side of the privileged helper: start it through pkexec, ask, read answers.

The desktop session never runs as root. When the user allows it, the helper is started through the
launcher (``pkexec`` by default, which asks polkit; ``HWINSPECTOR_HELPER_LAUNCHER`` replaces it, e.g.
``sudo -n`` in a lab) and spoken to over a pipe. Everything that can go wrong (no pkexec, no polkit
agent, the user said no, the helper died) becomes a HelperUnavailable with a sentence to show.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import shlex
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hwinspector.probes.errors import ProbeUnavailable
from hwinspector.probes.privileged.protocol import HELPER_NAME, MAX_REQUEST_BYTES, PROTOCOL_VERSION

LAUNCHER_ENV = "HWINSPECTOR_HELPER_LAUNCHER"
POLKIT_ACTION = "io.github.hwinspector.helper"

# pkexec's own exit statuses (pkexec(1)): 126 the dialog was dismissed or authorization failed,
# 127 not authorized, or no authentication agent could be reached.
_PKEXEC_STATUS = {
    126: "the administrator password was not given (dialog dismissed or authentication failed)",
    127: "not authorized by polkit (no authentication agent running, or the policy says no)",
}


class HelperUnavailable(ProbeUnavailable):
    """The helper could not be started or has gone; the message says why in a sentence."""


class HelperRefused(Exception):
    """The helper answered ``"ok": false``; the message is its reason."""


def helper_path() -> str | None:
    """The installed helper script: next to this interpreter (venv) first, then on PATH."""
    beside = Path(sys.executable).with_name(HELPER_NAME)
    if beside.is_file():
        return str(beside)
    return shutil.which(HELPER_NAME)


def launcher_argv(environ: dict[str, str] | None = None) -> list[str]:
    env = os.environ if environ is None else environ
    override = env.get(LAUNCHER_ENV)
    if override is not None:
        return shlex.split(override)
    return ["pkexec"]


class HelperClient:
    """A running helper. ``argv`` defaults to the launcher followed by the installed helper."""

    def __init__(self, argv: Sequence[str] | None = None, *, start_timeout_s: float = 120.0) -> None:
        if argv is None:
            path = helper_path()
            if path is None:
                raise HelperUnavailable(f"{HELPER_NAME} is not installed")
            argv = [*launcher_argv(), path]
        if not argv or shutil.which(argv[0]) is None:
            raise HelperUnavailable(f"cannot start the helper: {argv[0] if argv else '(empty launcher)'} not found")
        self.argv = list(argv)
        self._lock = threading.Lock()
        try:
            self._proc = subprocess.Popen(
                self.argv,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                close_fds=True,
            )
        except OSError as exc:
            raise HelperUnavailable(f"cannot start the helper: {exc.strerror}") from None
        # The first answer waits for the password dialog, so it gets a long timeout.
        hello = self.request("hello", timeout_s=start_timeout_s)
        if hello.get("protocol") != PROTOCOL_VERSION:
            self.close()
            raise HelperUnavailable(f"the helper speaks protocol {hello.get('protocol')}, not {PROTOCOL_VERSION}")
        self.uid: int = int(hello.get("uid", -1))

    def _gone(self) -> HelperUnavailable:
        try:
            code = self._proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            code = self._proc.wait()
        err = b""
        if self._proc.stderr is not None:
            err = self._proc.stderr.read(2000) or b""
        uses_pkexec = any(os.path.basename(a) == "pkexec" for a in self.argv)
        why = _PKEXEC_STATUS.get(code) if uses_pkexec else None
        last = (err.decode(errors="replace").strip().splitlines() or [""])[-1]
        detail = "; ".join(x for x in (why, last) if x) or f"exit status {code}"
        self._close_pipes()
        return HelperUnavailable(f"the privileged helper is not running: {detail}")

    def request(self, op: str, *, timeout_s: float = 10.0, **fields: Any) -> dict[str, Any]:
        """Send one request and return its answer; raises HelperRefused or HelperUnavailable."""
        line = json.dumps({"op": op, **fields}, separators=(",", ":")).encode() + b"\n"
        if len(line) > MAX_REQUEST_BYTES:
            raise HelperRefused(f"{op}: request too long")
        with self._lock:
            stdin, stdout = self._proc.stdin, self._proc.stdout
            assert stdin is not None and stdout is not None
            try:
                stdin.write(line)
                stdin.flush()
            except (BrokenPipeError, OSError):
                raise self._gone() from None
            deadline = time.monotonic() + timeout_s
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    self._proc.kill()
                    raise HelperUnavailable(f"the helper did not answer {op} within {timeout_s:g} s")
                ready, _, _ = select.select([stdout], [], [], left)
                if ready:
                    break
            answer_line = stdout.readline()
            if not answer_line:
                raise self._gone()
        try:
            answer = json.loads(answer_line)
        except ValueError:
            raise HelperUnavailable("the helper answered something that is not JSON") from None
        if not isinstance(answer, dict):
            raise HelperUnavailable("the helper answered something that is not a JSON object")
        if answer.get("ok") is not True:
            raise HelperRefused(str(answer.get("error", "refused")))
        return answer

    def close(self) -> None:
        """Close the pipe (the helper leaves at end of input) and reap it."""
        if self._proc.stdin is not None and not self._proc.stdin.closed:
            with contextlib.suppress(OSError):
                self._proc.stdin.close()
        try:
            self._proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
        self._close_pipes()

    def _close_pipes(self) -> None:
        for f in (self._proc.stdin, self._proc.stdout, self._proc.stderr):
            if f is not None and not f.closed:
                with contextlib.suppress(OSError):
                    f.close()

    def __enter__(self) -> HelperClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


IDLE_KINDS = ("msr", "rapl", "pmc")


class HelperReader:
    """The idle analysis' PrivilegedReader over a running helper: every numeric counter it offers."""

    def __init__(self, client: HelperClient) -> None:
        self.client = client
        listed = client.request("list")
        self.ids: list[str] = [
            s["id"]
            for s in listed.get("sources", [])
            if s.get("kind") in IDLE_KINDS and s.get("unit") != "text" and s.get("unit") != "raw"
        ]
        self.absent: dict[str, str] = dict(listed.get("absent", {}))
        self.note: str = str(listed.get("rapl_note", ""))

    def read(self) -> dict[str, int | str | None]:
        out: dict[str, int | str | None] = {}
        for i in range(0, len(self.ids), 200):
            out.update(self.client.request("read", ids=self.ids[i : i + 200])["values"])
        return out
