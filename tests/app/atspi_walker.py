"""A real accessibility client: walks the window's pages through AT-SPI, as a screen reader sees them.

Run by Debian's /usr/bin/python3 (pyatspi is a system package) under ``dbus-run-session``; it starts Xvfb, the
AT-SPI bus and the window (the command after ``--``, tests/app/atspi_app.py), shows each page in turn and prints,
as JSON, every SHOWING object of the application: its role, name, description, states and value.

    dbus-run-session -- /usr/bin/python3 tests/app/atspi_walker.py --pages overview,devices -- .venv/bin/python \
        tests/app/atspi_app.py
"""

from __future__ import annotations

import argparse
import json
import os
import select
import signal
import subprocess
import sys
import time
from typing import Any

MAX_CHILDREN = 3000  # a table of thousands of cells: the first ones tell what a screen reader hears


def _readline(proc: subprocess.Popen[bytes], timeout_s: float) -> str:
    """One line of the window's answers, or "" when it says nothing in time or exits."""
    assert proc.stdout is not None
    deadline = time.monotonic() + timeout_s
    line = b""
    while time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stdout], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            break
        ch = os.read(proc.stdout.fileno(), 1)
        if not ch:
            break
        if ch == b"\n":
            return line.decode()
        line += ch
    return ""


def _start_display() -> tuple[subprocess.Popen[bytes], str]:
    r, w = os.pipe()
    xvfb = subprocess.Popen(
        # -noreset: the server stays as it is when the window, its last client, goes
        ["Xvfb", "-displayfd", str(w), "-noreset", "-screen", "0", "1366x900x24", "-nolisten", "tcp"],
        pass_fds=(w,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(w)
    # Read up to the newline: Xvfb writes the number and the newline apart, and exits when the second
    # write finds the pipe closed ("Cannot write display number to fd").
    number = b""
    deadline = time.monotonic() + 20
    while not number.endswith(b"\n") and time.monotonic() < deadline:
        ready, _, _ = select.select([r], [], [], max(0.0, deadline - time.monotonic()))
        chunk = os.read(r, 16) if ready else b""
        if not chunk:
            break
        number += chunk
    os.close(r)
    if not number.endswith(b"\n"):
        xvfb.kill()
        raise SystemExit("Xvfb did not start")
    return xvfb, f":{number.decode().strip()}"


def _start_bus() -> subprocess.Popen[bytes]:
    launcher = subprocess.Popen(
        ["/usr/libexec/at-spi-bus-launcher", "--launch-immediately"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    # the launcher owns org.a11y.Bus on the session bus once the accessibility bus is up
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        names = subprocess.run(
            [
                "dbus-send",
                "--session",
                "--print-reply",
                "--dest=org.freedesktop.DBus",
                "/org/freedesktop/DBus",
                "org.freedesktop.DBus.ListNames",
            ],
            capture_output=True,
            text=True,
            check=False,
        ).stdout
        if "org.a11y.Bus" in names:
            return launcher
        time.sleep(0.1)
    launcher.kill()
    raise SystemExit("the AT-SPI bus did not start")


def _find_app(pyatspi: Any, name: str, timeout_s: float) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        desktop = pyatspi.Registry.getDesktop(0)
        for i in range(desktop.childCount):
            app = desktop.getChildAtIndex(i)
            if app is not None and app.name == name:
                return app
        time.sleep(0.2)
    return None


def _value(obj: Any) -> dict[str, float] | None:
    try:
        v = obj.queryValue()
    except NotImplementedError:
        return None
    return {"current": v.currentValue, "min": v.minimumValue, "max": v.maximumValue}


def walk(pyatspi: Any, root: Any) -> tuple[list[dict[str, Any]], int]:
    """Every SHOWING object under ``root`` (a hidden object's subtree is not visited: nobody can reach it),
    and how many objects vanished while it was read (a page re-renders a reading)."""
    from gi.repository import GLib

    out: list[dict[str, Any]] = []
    vanished = 0

    def visit(obj: Any, path: list[str]) -> None:
        nonlocal vanished
        try:
            states = obj.getState()
            if not states.contains(pyatspi.STATE_SHOWING) and path:
                return
            role = obj.getRoleName()
            name = obj.name or ""
            entry = {
                "role": role,
                "name": name,
                "description": obj.description or "",
                "id": obj.accessibleId or "",
                "focusable": states.contains(pyatspi.STATE_FOCUSABLE),
                "focused": states.contains(pyatspi.STATE_FOCUSED),
                "value": _value(obj),
                "path": " / ".join(path[-4:]),
            }
            count = obj.childCount
        except GLib.GError:  # "No such object path": gone between listing and reading
            vanished += 1
            return
        out.append(entry)
        here = [*path, f"{role}:{name[:40]}"]
        for i in range(min(count, MAX_CHILDREN)):
            try:
                child = obj.getChildAtIndex(i)
            except GLib.GError:
                vanished += 1
                continue
            if child is not None:
                visit(child, here)

    visit(root, [])
    return out, vanished


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", default="", help="comma-separated page ids (default: every page)")
    parser.add_argument("--app-name", default="hwinspector")
    parser.add_argument("--timeout", type=float, default=90.0, help="seconds for the window to be ready")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- the window's command line")
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    xvfb, display = _start_display()
    launcher = app_proc = None
    try:
        launcher = _start_bus()
        env = dict(os.environ, DISPLAY=display, QT_LINUX_ACCESSIBILITY_ALWAYS_ON="1", QT_QPA_PLATFORM="xcb")
        app_proc = subprocess.Popen(command, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        ready = _readline(app_proc, args.timeout)
        if not ready.startswith("ready "):
            raise SystemExit(f"the window did not get ready: {ready!r}")
        pages = args.pages.split(",") if args.pages else ready.split(" ", 1)[1].split(",")
        os.environ["DISPLAY"] = display
        import pyatspi  # after the bus is up: libatspi asks the session bus for its address once

        result: dict[str, Any] = {"pages": {}}
        for page in pages:
            assert app_proc.stdin is not None
            app_proc.stdin.write(f"page {page}\n".encode())
            app_proc.stdin.flush()
            answer = _readline(app_proc, 30)
            if answer != f"shown {page}":
                raise SystemExit(f"page {page}: the window answered {answer!r}")
            app = _find_app(pyatspi, args.app_name, 20)
            if app is None:
                raise SystemExit(f"no application named {args.app_name!r} on the accessibility bus")
            t0 = time.monotonic()
            objects, vanished = walk(pyatspi, app)
            result["pages"][page] = {
                "seconds": round(time.monotonic() - t0, 2),
                "vanished": vanished,
                "objects": objects,
            }
        json.dump(result, sys.stdout)
        return 0
    finally:
        for proc in (app_proc, launcher, xvfb):
            if proc is not None and proc.poll() is None:
                if proc is app_proc and proc.stdin is not None:
                    proc.stdin.close()  # the window closes on end of input
                    try:
                        proc.wait(10)
                        continue
                    except subprocess.TimeoutExpired:
                        pass
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()


if __name__ == "__main__":
    sys.exit(main())
