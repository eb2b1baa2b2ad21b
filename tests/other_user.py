"""Let a test's unprivileged user reach this checkout where it lies under a folder others cannot enter.

A clone in ``mktemp -d`` (mode 0700) or under /root is closed to every other user: the user ``nobody``
cannot import the package, run the venv's helper, or read the tests. In a private mount namespace each
closed folder on the way to a needed path is covered with a tmpfs of mode 0755 into which every entry
of the folder is bind-mounted back: the folder is the same, by the same names, for every process in
the namespace, except that other users may enter it. The machine's own mounts are untouched and the
namespace ends with the process; a checkout that is open already needs no mount at all.

Run as a program (root), it does that and then execs the command after ``--``:
``python tests/other_user.py [--reach PATH]... -- setpriv --reuid=65534 ... CMD``.
"""

from __future__ import annotations

import ctypes
import os
import sys
from collections.abc import Sequence
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
_CLONE_NEWNS = 0x00020000
_MS_BIND = 4096
_MS_REC = 16384
_MS_PRIVATE = 1 << 18


def closed_to_others(path: Path) -> Path | None:
    """The first folder on the way to ``path`` (itself included) that users other than its owner may not enter."""
    for d in [*reversed(path.parents), path]:
        if d.is_dir() and not d.stat().st_mode & 0o001:
            return d
    return None


def needed_paths() -> list[Path]:
    """What a test's other user needs: this checkout, the interpreter's prefix (the venv) and sys.path."""
    found = [REPO, Path(sys.prefix), *(Path(p) for p in sys.path if p)]
    return [p.resolve() for p in found if p.is_dir()]


def _libc() -> ctypes.CDLL:
    return ctypes.CDLL(None, use_errno=True)


def _check(ret: int, what: str) -> None:
    if ret != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _mount(source: str | None, target: str, fstype: str | None, flags: int, data: str | None = None) -> None:
    enc = [None if s is None else os.fsencode(s) for s in (source, target, fstype, data)]
    _check(_libc().mount(enc[0], enc[1], enc[2], ctypes.c_ulong(flags), enc[3]), f"mount {target}")


def enter_private_mount_namespace() -> None:
    """unshare(CLONE_NEWNS) for this process, with every mount private: nothing leaks to the machine."""
    _check(_libc().unshare(_CLONE_NEWNS), "unshare(CLONE_NEWNS)")
    _mount(None, "/", None, _MS_REC | _MS_PRIVATE)


def plan(paths: Sequence[Path]) -> list[Path]:
    """The closed folders on the way to ``paths``, outermost first (empty where everything is open)."""
    closed: list[Path] = []
    for p in paths:
        for d in [*reversed(p.parents), p]:
            if d not in closed and d.is_dir() and not d.stat().st_mode & 0o001:
                closed.append(d)
    return sorted(closed, key=lambda d: len(d.parts))


def open_folder(folder: Path) -> None:
    """Cover ``folder`` with a tmpfs of mode 0755 holding every one of its entries, bind-mounted back."""
    entries = list(os.scandir(folder))
    # O_PATH handles keep the originals reachable once the tmpfs hides them: /proc/self/fd/N is the source.
    fds = {e.name: os.open(e.path, os.O_PATH | os.O_NOFOLLOW) for e in entries if not e.is_symlink()}
    links = {e.name: os.readlink(e.path) for e in entries if e.is_symlink()}
    try:
        _mount("tmpfs", str(folder), "tmpfs", 0, "mode=0755")
        for e in entries:
            target = folder / e.name
            if e.is_symlink():
                os.symlink(links[e.name], target)
                continue
            if e.is_dir(follow_symlinks=False):
                target.mkdir()
            else:
                target.touch()
            _mount(f"/proc/self/fd/{fds[e.name]}", str(target), None, _MS_BIND | _MS_REC)
    finally:
        for fd in fds.values():
            os.close(fd)


def expose(paths: Sequence[Path]) -> list[Path]:
    """Make ``paths`` reachable for every user in this (private) mount namespace; returns the folders opened."""
    opened = plan(paths)
    for folder in opened:
        open_folder(folder)
    for p in paths:
        still = closed_to_others(p)
        if still is not None:
            raise PermissionError(f"{still} is still closed to other users after opening {opened}")
    return opened


def main(argv: Sequence[str]) -> int:
    """``[--reach PATH]... -- COMMAND [ARG...]``: open the way to needed_paths() and each PATH, then exec."""
    if "--" not in argv or argv.index("--") == len(argv) - 1:
        print("usage: other_user.py [--reach PATH]... -- COMMAND [ARG...]", file=sys.stderr)
        return 2
    options, command = list(argv[: argv.index("--")]), list(argv[argv.index("--") + 1 :])
    needed = needed_paths()
    while options:
        if options[0] != "--reach" or len(options) < 2:
            print(f"other_user.py: unexpected {options[0]!r}", file=sys.stderr)
            return 2
        needed.append(Path(options[1]).resolve())
        del options[:2]
    if plan(needed):
        enter_private_mount_namespace()
        expose(needed)
    os.execvp(command[0], command)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
