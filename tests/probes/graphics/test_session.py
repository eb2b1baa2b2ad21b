"""The session probe: fake /proc trees for each desktop shape, and real sockets and a real X server as oracles."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from hwinspector.probes.graphics.session import read_session

UNIX_HEADER = "Num       RefCount Protocol Flags    Type St Inode Path\n"


class FakeProc:
    """/proc with processes (comm, owner, fd links to sockets) and /proc/net/unix."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.unix = [UNIX_HEADER]
        root.mkdir(exist_ok=True)
        self._write_unix()

    def _write_unix(self) -> None:
        (self.root / "net").mkdir(exist_ok=True)
        (self.root / "net" / "unix").write_text("".join(self.unix))

    def listen(self, path: str, inode: int) -> None:
        # Flags 00010000 = __SO_ACCEPTCON: a listening socket; State 01 = unconnected.
        self.unix.append(f"0000000000000000: 00000002 00000000 00010000 0001 01 {inode} {path}\n")
        self._write_unix()

    def process(self, pid: int, comm: str, sockets: tuple[int, ...] = (), uid: int | None = None) -> None:
        d = self.root / str(pid)
        (d / "fd").mkdir(parents=True)
        (d / "comm").write_text(comm + "\n")
        (d / "fd" / "0").symlink_to("/dev/null")
        for n, inode in enumerate(sockets, 3):
            (d / "fd" / str(n)).symlink_to(f"socket:[{inode}]")
        if uid is not None:
            os.chown(d, uid, uid)


@pytest.fixture
def proc(tmp_path: Path) -> FakeProc:
    return FakeProc(tmp_path / "proc")


GNOME_WAYLAND = {
    "XDG_SESSION_TYPE": "wayland",
    "WAYLAND_DISPLAY": "wayland-0",
    "XDG_RUNTIME_DIR": "/run/user/1000",
    "DISPLAY": ":0",
    "XDG_CURRENT_DESKTOP": "ubuntu:GNOME",
    "XDG_SESSION_DESKTOP": "ubuntu",
}


def test_gnome_wayland_with_xwayland(proc: FakeProc) -> None:
    proc.listen("/run/user/1000/wayland-0", 4242)
    proc.listen("@/tmp/.X11-unix/X0", 5555)
    proc.process(1, "systemd")
    proc.process(1234, "gnome-shell", (4242,))
    proc.process(1300, "Xwayland", (5555,))
    s = read_session(GNOME_WAYLAND, proc.root)
    assert (s.type, s.type_source) == ("wayland", "XDG_SESSION_TYPE")
    assert (s.wayland_display, s.wayland_socket, s.x_display) == ("wayland-0", "/run/user/1000/wayland-0", ":0")
    assert s.compositor is not None
    assert (s.compositor.pid, s.compositor.name) == (1234, "gnome-shell")
    assert s.compositor.how == "owns the Wayland socket /run/user/1000/wayland-0"
    assert s.xwayland_running and s.xwayland is not None and s.xwayland.pid == 1300
    assert s.x_server is not None and (s.x_server.pid, s.x_server.how) == (
        1300,
        "owns the X11 socket /tmp/.X11-unix/X0",
    )
    assert (s.desktop, s.session_desktop) == (("ubuntu", "GNOME"), "ubuntu")
    assert s.notes == ()


def test_unknown_compositor_found_by_its_socket(proc: FakeProc) -> None:
    proc.listen("/run/user/1000/wayland-1", 77)
    proc.process(10, "sway")  # running, but not the one serving this session
    proc.process(20, "my-compositor", (77,))
    s = read_session({"WAYLAND_DISPLAY": "wayland-1", "XDG_RUNTIME_DIR": "/run/user/1000"}, proc.root)
    assert (s.type, s.type_source) == ("wayland", "WAYLAND_DISPLAY")
    assert s.compositor is not None and (s.compositor.pid, s.compositor.name) == (20, "my-compositor")
    assert not s.xwayland_running


def test_falls_back_to_process_names(proc: FakeProc) -> None:
    proc.process(30, "kwin_wayland")
    s = read_session({"XDG_SESSION_TYPE": "wayland", "WAYLAND_DISPLAY": "/tmp/kwin-sock"}, proc.root)
    assert s.wayland_socket == "/tmp/kwin-sock"  # an absolute WAYLAND_DISPLAY is the socket itself
    assert s.compositor is not None and (s.compositor.name, s.compositor.how) == ("kwin_wayland", "process name")
    assert s.notes == ("no process visible here listens on /tmp/kwin-sock",)


def test_prefers_the_users_own_compositor(proc: FakeProc) -> None:
    other = 120 if os.getuid() != 120 else 121  # gdm's greeter runs its own gnome-shell
    proc.process(900, "gnome-shell", uid=other)
    proc.process(2000, "gnome-shell", uid=os.getuid())
    s = read_session({"XDG_SESSION_TYPE": "wayland"}, proc.root)
    assert s.compositor is not None and s.compositor.pid == 2000
    assert s.notes == ("XDG_SESSION_TYPE=wayland but WAYLAND_DISPLAY is unset in this process",)


def test_x11_session(proc: FakeProc) -> None:
    proc.listen("/tmp/.X11-unix/X1", 31)
    proc.process(700, "Xorg", (31,))
    proc.process(800, "kwin_x11")
    proc.process(801, "plasmashell")
    env = {"XDG_SESSION_TYPE": "x11", "DISPLAY": ":1.0", "XDG_CURRENT_DESKTOP": "KDE", "DESKTOP_SESSION": "plasma"}
    s = read_session(env, proc.root)
    assert s.type == "x11"
    assert s.x_server is not None and (s.x_server.pid, s.x_server.name) == (700, "Xorg")
    assert s.compositor is not None and (s.compositor.name, s.compositor.how) == ("kwin_x11", "process name")
    assert (s.desktop, s.session_desktop, s.xwayland_running) == (("KDE",), "plasma", False)


def test_no_session(proc: FakeProc) -> None:
    proc.process(1, "systemd")
    s = read_session({}, proc.root)
    assert (s.type, s.type_source, s.compositor, s.x_server) == ("none", "nothing", None, None)
    assert s.notes[0].startswith("no graphical session in this process's environment")


def test_forwarded_display(proc: FakeProc) -> None:
    proc.listen("/tmp/.X11-unix/X10", 9)
    proc.process(5, "Xorg", (9,))
    s = read_session({"DISPLAY": "localhost:10.0"}, proc.root)
    assert s.x_server is None  # X10 here is not the server behind an ssh-forwarded display
    assert s.notes == ("DISPLAY=localhost:10.0 names a remote or forwarded X server (ssh -X?), not this machine's",)


def test_missing_proc_is_not_fatal(tmp_path: Path) -> None:
    s = read_session(GNOME_WAYLAND, tmp_path / "nothing")
    assert s.type == "wayland" and s.compositor is None and s.xwayland is None


# --- real processes and sockets, real /proc --------------------------------------------------------------


def test_real_socket_owner_is_found(tmp_path: Path) -> None:
    path = tmp_path / "wayland-test"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as server:
        server.bind(str(path))
        server.listen()
        s = read_session({"WAYLAND_DISPLAY": "wayland-test", "XDG_RUNTIME_DIR": str(tmp_path)})
    assert s.compositor is not None
    assert s.compositor.pid == os.getpid()
    assert s.compositor.how == f"owns the Wayland socket {path}"


@pytest.fixture
def xvfb() -> Iterator[tuple[int, int]]:
    """A real X server on a free display: (display number, pid)."""
    if shutil.which("Xvfb") is None:
        pytest.skip("needs Xvfb (Debian: xvfb)")
    r, w = os.pipe()
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", str(w), "-nolisten", "tcp", "-screen", "0", "320x240x24"],
        pass_fds=(w,),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(w)
    try:
        with os.fdopen(r) as f:
            display = int(f.readline())
        yield display, server.pid
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_real_x_server_is_found(xvfb: tuple[int, int]) -> None:
    display, pid = xvfb
    s = read_session({"DISPLAY": f":{display}"})
    assert s.type == "x11"
    assert s.x_server is not None
    assert (s.x_server.pid, s.x_server.name) == (pid, "Xvfb")
    assert s.x_server.how == f"owns the X11 socket /tmp/.X11-unix/X{display}"
