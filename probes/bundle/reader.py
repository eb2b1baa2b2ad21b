"""Reading an evidence bundle from anyone: stream-decompressed within byte budgets, regular files only,
extracted into this process's private temp directory, nothing executed; every refusal is one line.
"""

from __future__ import annotations

import atexit
import hashlib
import lzma
import os
import re
import shutil
import tarfile
import tempfile
import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, Any

from hwinspector.probes.errors import InputFormatError
from hwinspector.probes.machine.sections import Section

SUFFIX = ".tar.xz"
SCHEMA_VERSION = 1
XZ_MAGIC = b"\xfd7zXZ\x00"
_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class Limits:
    """What a bundle may cost to open. A real one is a few MB; these leave room for long recordings."""

    compressed_bytes: int = 1 << 30
    member_bytes: int = 512 << 20
    total_bytes: int = 2 << 30  # the whole decompressed tar stream, headers included (xz bombs stop here)
    members: int = 20_000
    json_bytes: int = 128 << 20  # manifest and structured sections are parsed in memory
    xz_memory_bytes: int = 256 << 20  # a crafted xz header can ask for gigabytes of dictionary


DEFAULT_LIMITS = Limits()
_SAFE_COMPONENT = re.compile(r"^[^\x00-\x1f\x7f/\\]{1,255}$")
_SECTION_NAME = re.compile(r"^[a-z0-9_]{1,40}$")


def _size(n: int) -> str:
    for unit in ("bytes", "KiB", "MiB"):
        if n < 1024 or n % 1024:
            return f"{n} {unit}"
        n //= 1024
    return f"{n} GiB"


# --- the process's own temp directory -----------------------------------------------------------------

_lock = threading.Lock()
_process_dir: tuple[int, Path] | None = None


def process_temp_dir() -> Path:
    """A mode-0700 directory for this process's extracted bundles, removed when the process exits."""
    global _process_dir
    with _lock:
        if _process_dir is None or _process_dir[0] != os.getpid():  # a forked child gets its own
            d = Path(tempfile.mkdtemp(prefix=f"hwinspector-{os.getpid()}-"))
            atexit.register(shutil.rmtree, d, True)
            _process_dir = (os.getpid(), d)
        return _process_dir[1]


# --- decompression within a budget ------------------------------------------------------------------


class _XzBudget:
    """A read()-able xz stream that refuses to produce more than ``limit`` bytes (an xz bomb of a few
    KB expands to gigabytes of zeros) or to ask for more than ``memlimit`` of dictionary."""

    def __init__(self, f: IO[bytes], name: str, limits: Limits) -> None:
        self._f, self._name, self._limits = f, name, limits
        self._d = lzma.LZMADecompressor(lzma.FORMAT_XZ, memlimit=limits.xz_memory_bytes)
        self.produced = 0
        self._ended = False

    def _fail(self, reason: str) -> InputFormatError:
        return InputFormatError(self._name, reason)

    def read(self, n: int = -1) -> bytes:
        n = _CHUNK if n is None or n < 0 else n
        while not self._ended:
            if self._d.eof:
                rest = self._d.unused_data.lstrip(b"\0")  # xz allows stream padding between streams
                if not rest:
                    rest = self._f.read(len(XZ_MAGIC)).lstrip(b"\0")
                if not rest:
                    self._ended = True
                    break
                self._d = lzma.LZMADecompressor(lzma.FORMAT_XZ, memlimit=self._limits.xz_memory_bytes)
                chunk = rest
            elif self._d.needs_input:
                chunk = self._f.read(64 << 10)
                if not chunk:
                    raise self._fail("the xz stream is cut off (truncated download?)")
            else:
                chunk = b""
            try:
                out = self._d.decompress(chunk, n)
            except lzma.LZMAError as exc:
                raise self._fail(f"not a valid xz stream ({exc})") from None
            self.produced += len(out)
            if self.produced > self._limits.total_bytes:
                raise self._fail(f"decompresses to more than {_size(self._limits.total_bytes)}; refused")
            if out:
                return out
        return b""


# --- the opened bundle -----------------------------------------------------------------------------


class OpenedBundle:
    """A bundle extracted into a private directory; ``close()`` (or leaving a ``with``) removes it."""

    def __init__(
        self,
        path: Path,
        root: Path,
        top: str,
        manifest: dict[str, Any],
        sections: dict[str, Section],
        members: tuple[str, ...],
        warnings: tuple[str, ...],
    ) -> None:
        self.path = path
        self.root = root
        self.top = top
        self.manifest = manifest
        self.sections = sections
        self.members = members
        self.warnings = warnings
        self._finalizer = weakref.finalize(self, shutil.rmtree, root, True)

    def __enter__(self) -> OpenedBundle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._finalizer()

    @property
    def closed(self) -> bool:
        return not self._finalizer.alive

    def has(self, relpath: str) -> bool:
        return relpath in self.members and (self.root / relpath).is_file()

    def raw(self, relpath: str) -> bytes:
        """One member's bytes (the path as the manifest names it: ``raw/pci/lspci-vvnnk.txt``)."""
        if relpath not in self.members:
            raise KeyError(f"{relpath}: not in {self.path.name}")
        try:
            return (self.root / relpath).read_bytes()
        except OSError as exc:
            raise KeyError(f"{relpath}: not extracted ({exc.strerror or exc})") from None

    def snapshot(self) -> Any:
        """The captured machine as a Snapshot: devices and drivers from its structured sections."""
        from hwinspector.probes.bundle.snapshot import snapshot_from_bundle

        return snapshot_from_bundle(self)

    def recording(self) -> Any:
        """The telemetry recording (probes/recording.py's Recording), or None where there is none."""
        from hwinspector.probes.telemetry.recording import read_recording

        name = "recordings/telemetry.jsonl.gz"
        if not self.has(name):
            return None
        return read_recording(self.root / name)


def _check_name(name: str, source: str) -> tuple[str, str]:
    """(top directory, path below it) of a member name, or a refusal: nothing absolute, no "..",
    no control characters, nothing that is not spelled the one canonical way."""
    shown = name.encode("unicode_escape").decode("ascii")[:120]
    if name.startswith("/"):
        raise InputFormatError(source, f"member {shown!r} has an absolute path; refused")
    parts = name.rstrip("/").split("/")
    if any(p in ("..", ".", "") for p in parts):
        raise InputFormatError(source, f"member {shown!r} leaves or bends the bundle directory; refused")
    if len(parts) > 16 or len(name) > 1024 or not all(_SAFE_COMPONENT.match(p) for p in parts):
        raise InputFormatError(source, f"member {shown!r} has an unsafe name; refused")
    return parts[0], "/".join(parts[1:])


def _mkdirs(root: Path, rel: str) -> None:
    d = root
    for part in PurePosixPath(rel).parts:
        d = d / part
        try:
            os.mkdir(d, 0o700)
        except FileExistsError:
            if d.is_symlink() or not d.is_dir():
                raise
    return None


def extract_bundle(
    path: Path,
    workdir: Path | None = None,
    *,
    limits: Limits = DEFAULT_LIMITS,
    keep: Callable[[str], bool] | None = None,
) -> OpenedBundle:
    """Open ``path`` safely; raises InputFormatError with a one-line reason. ``keep`` chooses which
    members are written out (all by default); every member is read and checksummed either way."""
    source = str(path)
    try:
        st = path.stat()
        f = open(path, "rb")  # noqa: SIM115 - closed in the finally below
    except OSError as exc:
        raise InputFormatError(source, f"cannot read: {exc.strerror or exc}") from None
    root = Path(tempfile.mkdtemp(prefix="bundle-", dir=workdir or process_temp_dir()))
    try:
        with f:
            if st.st_size > limits.compressed_bytes:
                raise InputFormatError(
                    source, f"{_size(st.st_size)}; bundles over {_size(limits.compressed_bytes)} are refused"
                )
            if f.read(len(XZ_MAGIC)) != XZ_MAGIC:
                raise InputFormatError(source, "not an evidence bundle (.tar.xz): no xz header")
            f.seek(0)
            top, digests, members = _extract(_XzBudget(f, source, limits), root, source, limits, keep)
        from hwinspector.probes.bundle.snapshot import read_manifest_and_sections

        manifest, sections, warnings = read_manifest_and_sections(root, source, digests, members, limits)
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise
    return OpenedBundle(path, root, top, manifest, sections, tuple(members), tuple(warnings))


def _extract(
    stream: _XzBudget, root: Path, source: str, limits: Limits, keep: Callable[[str], bool] | None
) -> tuple[str, dict[str, str], list[str]]:
    tops: set[str] = set()
    digests: dict[str, str] = {}
    seen: set[str] = set()
    count = 0
    try:
        with tarfile.open(fileobj=stream, mode="r|", errorlevel=2) as tar:  # type: ignore[call-overload]
            for m in tar:
                count += 1
                if count > limits.members:
                    raise InputFormatError(source, f"more than {limits.members} members; refused")
                top, rel = _check_name(m.name, source)
                tops.add(top)
                if len(tops) > 1:
                    raise InputFormatError(source, "members under more than one top directory; refused")
                if m.name.rstrip("/") in seen:
                    raise InputFormatError(source, f"member {rel!r} appears twice; refused")
                seen.add(m.name.rstrip("/"))
                if m.isdir():
                    if rel and (keep is None or keep(rel + "/")):
                        _mkdirs(root, rel)
                    continue
                if m.type not in (tarfile.REGTYPE, tarfile.AREGTYPE) or m.issparse():
                    what = {tarfile.SYMTYPE: "a symbolic link", tarfile.LNKTYPE: "a hard link"}.get(m.type)
                    what = what or (
                        "a device node" if m.ischr() or m.isblk() else "a FIFO" if m.isfifo() else "not a regular file"
                    )
                    raise InputFormatError(source, f"member {rel or top!r} is {what}; bundles hold regular files only")
                if not rel:
                    raise InputFormatError(source, "the top directory is a file; not a bundle")
                if m.size > limits.member_bytes:
                    raise InputFormatError(
                        source, f"member {rel!r} is {_size(m.size)}; over {_size(limits.member_bytes)}, refused"
                    )
                digests[rel] = _copy_member(tar, m, root, rel, keep is None or keep(rel))
    except tarfile.ReadError as exc:
        raise InputFormatError(source, f"not a readable tar archive ({exc})") from None
    except tarfile.TarError as exc:
        raise InputFormatError(source, f"damaged tar archive ({exc})") from None
    except (EOFError, OSError) as exc:
        raise InputFormatError(source, f"cannot extract: {getattr(exc, 'strerror', None) or exc}") from None
    if not tops:
        raise InputFormatError(source, "empty archive: not an evidence bundle")
    return tops.pop(), digests, sorted(digests)


def _copy_member(tar: tarfile.TarFile, m: tarfile.TarInfo, root: Path, rel: str, write: bool) -> str:
    h = hashlib.sha256()
    src = tar.extractfile(m)
    out = None
    if write:
        parent = str(PurePosixPath(rel).parent)
        if parent != ".":
            _mkdirs(root, parent)
        # O_EXCL and O_NOFOLLOW: nothing is written through a link, nothing overwritten
        fd = os.open(root / rel, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, 0o600)
        out = os.fdopen(fd, "wb")
    try:
        while src is not None:
            chunk = src.read(_CHUNK)
            if not chunk:
                break
            h.update(chunk)
            if out is not None:
                out.write(chunk)
    finally:
        if out is not None:
            out.close()
    return h.hexdigest()


def is_bundle(path: Path) -> bool:
    """A .tar.xz by name or an xz file by content (a renamed bundle still opens)."""
    if path.name.endswith(SUFFIX):
        return True
    try:
        with open(path, "rb") as f:
            return f.read(len(XZ_MAGIC)) == XZ_MAGIC
    except OSError:
        return False


# --- sections of a bundle, for probes.machine.sections_from_snapshot ---------------------------------

_cache_lock = threading.Lock()
_sections_cache: dict[tuple[str, int, int], dict[str, Section]] = {}
_CACHE_SIZE = 4


def _structured_only(rel: str) -> bool:
    return rel in ("manifest.json", "SHA256SUMS") or rel.startswith("structured/")


def read_bundle_sections(path: Path) -> dict[str, Section]:
    """The structured sections a bundle carries (cached per file and modification time)."""
    try:
        st = path.stat()
    except OSError as exc:
        raise InputFormatError(str(path), f"cannot read: {exc.strerror or exc}") from None
    key = (str(path.resolve()), st.st_mtime_ns, st.st_size)
    with _cache_lock:
        hit = _sections_cache.get(key)
    if hit is not None:
        return dict(hit)
    with extract_bundle(path, keep=_structured_only) as b:
        sections = dict(b.sections)
    with _cache_lock:
        _sections_cache[key] = sections
        while len(_sections_cache) > _CACHE_SIZE:
            _sections_cache.pop(next(iter(_sections_cache)))
    return dict(sections)


def cached_bundle_sections(path: Path) -> dict[str, Section] | None:
    """The sections of a bundle opened before, without touching the file (for the GUI thread)."""
    name = str(path.resolve())
    with _cache_lock:
        hits = [v for k, v in _sections_cache.items() if k[0] == name]
    return dict(hits[-1]) if hits else None


def read_bundle_snapshot(path: Path) -> Any:
    """The Snapshot of a bundle, without keeping any of its files on disk."""
    with extract_bundle(path, keep=_structured_only) as b:
        snap = b.snapshot()
        st = path.stat()
        with _cache_lock:
            _sections_cache[(str(path.resolve()), st.st_mtime_ns, st.st_size)] = dict(b.sections)
        return snap
