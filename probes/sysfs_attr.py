"""Reading single sysfs attributes for the power and thermal probes: failures become errno names."""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass
from pathlib import Path

# A sysfs show() callback fills at most one page.
MAX_ATTR_BYTES = 4096

# O_NONBLOCK: sysfs ignores it, but a FIFO or device node planted in a fake or foreign tree must never
# hang the reader.
_OPEN_FLAGS = os.O_RDONLY | os.O_CLOEXEC | os.O_NONBLOCK

EMPTY = "empty"
GARBAGE = "garbage"


def errno_name(exc: OSError) -> str:
    """``EIO``, ``EACCES``, … for an OSError (``OSError`` when it carries no errno)."""
    if exc.errno is None:
        return "OSError"
    return errno.errorcode.get(exc.errno, f"errno {exc.errno}")


def read_bytes(path: Path) -> bytes:
    """One open/read/close; raises OSError as the kernel reported it (EIO comes from read, not open).

    The one place attribute bytes are read: tests replace it only to inject an error that root cannot
    provoke on a real file (EAGAIN); every other failure in the tests is a real filesystem condition.
    """
    fd = os.open(path, _OPEN_FLAGS)
    try:
        return os.read(fd, MAX_ATTR_BYTES)
    finally:
        os.close(fd)


def read_text(path: Path) -> str:
    """The attribute as text without the trailing newline and padding (raises OSError)."""
    data = read_bytes(path)
    # Some firmware strings (battery model names) carry NULs or 0xff padding.
    return data.decode("utf-8", "replace").replace("\ufffd", "").strip("\0 \t\n")


@dataclass(frozen=True, slots=True)
class AttrText:
    """Text of an attribute, or why there is none: an errno name, ``empty``."""

    text: str | None
    error: str | None


@dataclass(frozen=True, slots=True)
class AttrInt:
    """Integer value of an attribute, or why there is none: an errno name, ``empty``, ``garbage``."""

    value: int | None
    error: str | None
    raw: str | None = None  # the text when it was garbage, so the page can show it


def read_attr(path: Path) -> AttrText:
    """Never raises. A missing file is ``ENOENT``; an empty one is ``empty``."""
    try:
        text = read_text(path)
    except OSError as exc:
        return AttrText(None, errno_name(exc))
    if not text:
        return AttrText(None, EMPTY)
    return AttrText(text, None)


def parse_int(text: str) -> int | None:
    """First whitespace-separated token as an integer (``0x`` prefix: hexadecimal)."""
    tokens = text.split()
    if not tokens:
        return None
    token = tokens[0]
    try:
        return int(token, 16) if token.lower().startswith("0x") else int(token)
    except ValueError:
        return None


def read_int(path: Path) -> AttrInt:
    """Never raises; decimal integers (``0x`` hex too), first token only."""
    attr = read_attr(path)
    if attr.text is None:
        return AttrInt(None, attr.error)
    value = parse_int(attr.text)
    if value is None:
        return AttrInt(None, GARBAGE, attr.text)
    return AttrInt(value, None)


def optional_text(path: Path) -> str | None:
    """Text of a descriptive attribute whose absence or failure is not worth reporting."""
    return read_attr(path).text


def optional_int(path: Path) -> int | None:
    return read_int(path).value


def devpath_of(link: Path, sysfs: Path) -> str | None:
    """Resolve a ``device`` link to a udev devpath (``/devices/…``); None when absent or dangling."""
    try:
        target = Path(os.path.realpath(link, strict=True))
    except OSError:
        return None
    root = Path(os.path.realpath(sysfs))
    try:
        rel = target.relative_to(root)
    except ValueError:
        return None
    return "/" + rel.as_posix()


def link_name(link: Path) -> str | None:
    """Last component of a symlink's target (``subsystem`` -> ``pci``); None when it is not a link."""
    try:
        return os.readlink(link).rstrip("/").rsplit("/", 1)[-1]
    except OSError:
        return None
