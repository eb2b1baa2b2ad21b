"""Probes run in a child process with a timeout: a driver that hangs or crashes costs a reason, not the app."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

# The child writes one JSON object per line and this record last; anything after it (a driver that
# crashes in its atexit handler, which happens) does not spoil what was already reported.
DONE = {"kind": "done"}


@dataclass(frozen=True, slots=True)
class ChildResult:
    """What a child probe reported before it finished, or before it died."""

    records: tuple[dict[str, Any], ...]
    failure: str | None  # None when the child reported DONE; else why it did not (timeout, crash, exit status)


def run_child(module: str, timeout_s: float, env: Mapping[str, str] | None = None) -> ChildResult:
    """Run ``python -m module`` and collect its JSON lines; never raises for anything the child does."""
    argv = [sys.executable, "-m", module]
    try:
        # A session of its own: a driver may fork helpers, and a timeout must kill all of them.
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=dict(env) if env is not None else None,
            start_new_session=True,
        )
    except OSError as exc:
        return ChildResult((), f"cannot start {sys.executable}: {exc.strerror or exc}")
    timed_out = False
    try:
        out, err = proc.communicate(timeout=max(timeout_s, 0.0))
    except subprocess.TimeoutExpired:
        timed_out = True
        _kill_group(proc)
        out, err = proc.communicate()
    records, done = _parse_lines(out)
    if done:
        return ChildResult(records, None)
    if timed_out:
        return ChildResult(records, f"timed out after {timeout_s:g} s (the driver hangs, or the machine is overloaded)")
    return ChildResult(records, _exit_reason(proc.returncode, err))


def child_main(probe: Callable[[Callable[[dict[str, Any]], None]], None]) -> None:
    """The child's side: run ``probe(emit)``, emit DONE, and leave without running driver destructors."""

    # Our records get a private copy of stdout; fd 1 becomes stderr, so a driver that prints to
    # stdout (Mesa's and NVIDIA's debug output can) cannot split or corrupt a record.
    sys.stdout.flush()
    out = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)

    def emit(record: dict[str, Any]) -> None:
        out.write(json.dumps(record, separators=(",", ":")) + "\n")
        out.flush()

    probe(emit)
    emit(DONE)
    # Some drivers crash or hang in their atexit handlers; everything is already written.
    os._exit(0)


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    except PermissionError:
        proc.kill()


def _parse_lines(out: bytes) -> tuple[tuple[dict[str, Any], ...], bool]:
    records: list[dict[str, Any]] = []
    done = False
    for line in out.decode("utf-8", errors="replace").splitlines():
        try:
            obj = json.loads(line)
        except ValueError:
            continue  # a driver that writes to stdout; not ours
        if not isinstance(obj, dict):
            continue
        if obj == DONE:
            done = True
        else:
            records.append(obj)
    return tuple(records), done


def _exit_reason(returncode: int, err: bytes) -> str:
    last = _last_line(err)
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        reason = f"the probe crashed ({name})"
    else:
        reason = f"the probe exited with status {returncode}"
    return f"{reason}: {last}" if last else reason


def _last_line(err: bytes) -> str:
    lines = [ln.strip() for ln in err.decode("utf-8", errors="replace").splitlines() if ln.strip()]
    return lines[-1][:300] if lines else ""
