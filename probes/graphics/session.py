"""The graphical session: Wayland or X11, which compositor or window manager, Xwayland, the desktop."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

# Process names (/proc/<pid>/comm, at most 15 characters) of Wayland compositors and X11 window
# managers people run; the first running one wins when no socket says otherwise.
WAYLAND_COMPOSITORS = (
    "gnome-shell", "kwin_wayland", "sway", "Hyprland", "weston", "mutter", "wayfire", "labwc", "river",
    "niri", "cosmic-comp", "gamescope", "cage", "phoc", "hikari", "enlightenment", "kwin_wayland_wr",
)  # fmt: skip
X11_WINDOW_MANAGERS = (
    "gnome-shell", "kwin_x11", "kwin", "mutter", "xfwm4", "marco", "muffin", "cinnamon", "metacity", "openbox",
    "i3", "awesome", "compiz", "fluxbox", "icewm", "bspwm", "dwm", "herbstluftwm", "budgie-wm", "gala",
    "fvwm3", "fvwm", "enlightenment", "xmonad-x86_64-l", "twm",
)  # fmt: skip
X_SERVERS = ("Xorg", "X", "Xvfb", "Xvnc", "Xtigervnc", "Xephyr", "Xwayland")
X11_SOCKET_DIR = "/tmp/.X11-unix"
_DISPLAY = re.compile(r"^(?P<host>[^:]*):(?P<num>\d+)(?:\.\d+)?$")


@dataclass(frozen=True, slots=True)
class SessionProcess:
    pid: int
    name: str  # comm
    how: str  # how it was identified: "owns the Wayland socket …", "process name"


@dataclass(frozen=True, slots=True)
class Session:
    type: str  # "wayland" | "x11" | "tty" | "mir" | "unspecified" | "none"
    type_source: str  # the variable that said so: XDG_SESSION_TYPE, WAYLAND_DISPLAY, DISPLAY, or "nothing"
    wayland_display: str | None
    wayland_socket: str | None  # the socket path WAYLAND_DISPLAY names
    x_display: str | None
    desktop: tuple[str, ...]  # XDG_CURRENT_DESKTOP, most specific first ("ubuntu", "GNOME")
    session_desktop: str | None  # XDG_SESSION_DESKTOP or DESKTOP_SESSION
    compositor: SessionProcess | None  # the Wayland compositor, or the X11 window manager
    x_server: SessionProcess | None  # whoever serves DISPLAY (Xorg, Xwayland, Xvfb, …)
    xwayland: SessionProcess | None
    notes: tuple[str, ...] = ()

    @property
    def xwayland_running(self) -> bool:
        return self.xwayland is not None


def _processes(procfs: Path) -> list[tuple[int, str, int]]:
    """(pid, comm, uid) of every process we can see; vanished ones are skipped."""
    out: list[tuple[int, str, int]] = []
    try:
        entries = [e for e in os.scandir(procfs) if e.name.isdigit()]
    except OSError:
        return out
    for e in entries:
        try:
            with open(os.path.join(e.path, "comm"), encoding="utf-8", errors="replace") as f:
                comm = f.read().strip()
            uid = os.stat(e.path).st_uid
        except OSError:
            continue  # exited between listing and reading
        out.append((int(e.name), comm, uid))
    out.sort()
    return out


def _socket_inodes(procfs: Path, path: str) -> set[int]:
    """Inodes of the listening Unix sockets bound to ``path`` (filesystem or abstract '@path')."""
    try:
        text = (procfs / "net" / "unix").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return set()
    found = set()
    for line in text.splitlines()[1:]:
        parts = line.split()
        # Num RefCount Protocol Flags Type St Inode Path; flags 00010000 is __SO_ACCEPTCON (listening)
        if len(parts) < 8 or parts[7].lstrip("@") != path:
            continue
        try:
            if int(parts[3], 16) & 0x10000:
                found.add(int(parts[6]))
        except ValueError:
            continue
    return found


def _owner(procfs: Path, inodes: set[int], pids: Iterable[int]) -> int | None:
    wanted = {f"socket:[{i}]" for i in inodes}
    for pid in pids:
        fd_dir = procfs / str(pid) / "fd"
        try:
            fds = os.listdir(fd_dir)
        except OSError:
            continue  # another user's process, or gone
        for fd in fds:
            try:
                if os.readlink(fd_dir / fd) in wanted:
                    return pid
            except OSError:
                continue
    return None


def _by_name(procs: list[tuple[int, str, int]], names: Iterable[str], uid: int) -> tuple[int, str] | None:
    # Prefer our own user's processes: the display manager runs its own gnome-shell next to the user's.
    for same_user in (True, False):
        for name in names:
            for pid, comm, owner in procs:
                if comm == name and (owner == uid) == same_user:
                    return pid, comm
    return None


def _socket_owner(
    procfs: Path, procs: list[tuple[int, str, int]], path: str, likely: Iterable[str], what: str
) -> SessionProcess | None:
    inodes = _socket_inodes(procfs, path)
    if not inodes:
        return None
    names = {pid: comm for pid, comm, _ in procs}
    likely_set = set(likely)
    # Likely owners first: scanning every process's fd table costs ~1 ms per hundred processes.
    order = [pid for pid, comm, _ in procs if comm in likely_set] + [p for p, c, _ in procs if c not in likely_set]
    pid = _owner(procfs, inodes, order)
    return None if pid is None else SessionProcess(pid, names[pid], f"owns the {what} socket {path}")


def read_session(environ: Mapping[str, str] | None = None, procfs: Path = Path("/proc")) -> Session:
    """What session this process runs in, from its environment and a /proc scan; never raises."""
    env = os.environ if environ is None else environ
    uid = os.getuid()
    notes: list[str] = []
    wl = env.get("WAYLAND_DISPLAY") or None
    disp = env.get("DISPLAY") or None
    xdg = (env.get("XDG_SESSION_TYPE") or "").strip().lower() or None
    if xdg:
        stype, source = xdg, "XDG_SESSION_TYPE"
    elif wl:
        stype, source = "wayland", "WAYLAND_DISPLAY"
    elif disp:
        stype, source = "x11", "DISPLAY"
    else:
        stype, source = "none", "nothing"
        notes.append(
            "no graphical session in this process's environment (XDG_SESSION_TYPE, WAYLAND_DISPLAY and DISPLAY "
            "are unset): started over ssh, from a service, or with sudo?"
        )
    procs = _processes(procfs)
    wl_socket = None
    compositor = None
    if wl:
        runtime = env.get("XDG_RUNTIME_DIR")
        wl_socket = wl if wl.startswith("/") else (f"{runtime}/{wl}" if runtime else None)
        if wl_socket is None:
            notes.append(f"WAYLAND_DISPLAY={wl} but XDG_RUNTIME_DIR is unset: the socket cannot be located")
        else:
            compositor = _socket_owner(procfs, procs, wl_socket, WAYLAND_COMPOSITORS, "Wayland")
            if compositor is None:
                notes.append(f"no process visible here listens on {wl_socket}")
    if stype == "wayland" and not wl:
        notes.append("XDG_SESSION_TYPE=wayland but WAYLAND_DISPLAY is unset in this process")
    if stype == "x11" and wl:
        notes.append(f"XDG_SESSION_TYPE=x11 with WAYLAND_DISPLAY={wl}: a nested Wayland compositor?")
    x_server = None
    local_x = False
    if disp:
        m = _DISPLAY.match(disp)
        if m is None:
            notes.append(f"DISPLAY={disp} is not of the form [host]:N")
        elif m["host"] and m["host"] != "unix":
            notes.append(f"DISPLAY={disp} names a remote or forwarded X server (ssh -X?), not this machine's")
        else:
            local_x = True
            x_server = _socket_owner(procfs, procs, f"{X11_SOCKET_DIR}/X{m['num']}", X_SERVERS, "X11")
    if compositor is None:
        names = WAYLAND_COMPOSITORS if stype == "wayland" else X11_WINDOW_MANAGERS if stype == "x11" else ()
        found = _by_name(procs, names, uid)
        if found is not None:
            compositor = SessionProcess(found[0], found[1], "process name")
    xw = _by_name(procs, ("Xwayland",), uid)
    xwayland = SessionProcess(xw[0], xw[1], "process name") if xw else None
    if x_server is None and local_x:
        found = _by_name(procs, X_SERVERS, uid)
        if found is not None:
            x_server = SessionProcess(found[0], found[1], "process name")
    desktop = tuple(x for x in (env.get("XDG_CURRENT_DESKTOP") or "").split(":") if x)
    return Session(
        type=stype,
        type_source=source,
        wayland_display=wl,
        wayland_socket=wl_socket,
        x_display=disp,
        desktop=desktop,
        session_desktop=env.get("XDG_SESSION_DESKTOP") or env.get("DESKTOP_SESSION") or None,
        compositor=compositor,
        x_server=x_server,
        xwayland=xwayland,
        notes=tuple(notes),
    )
