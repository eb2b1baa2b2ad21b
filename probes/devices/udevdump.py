"""Foreign dumps: ``udevadm info --export-db`` text and umockdev recordings, read into devices."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from hwinspector.i18n import N_
from hwinspector.probes.devices.tree import Device, make_device, nearest_parent
from hwinspector.probes.errors import InputFormatError

MAX_DUMP_BYTES = 256 * 1024 * 1024
# One record line: a single capital letter, a colon, a space. udevadm has used P N S L E M R U T D I
# Q V J G W over the years; umockdev adds A (attribute), H (binary attribute) and uses L for links.
_LINE = re.compile(r"^([A-Z]): ?(.*)$")
_BARE_PROPERTY = re.compile(r"^[A-Z][A-Z0-9_]*=")


@dataclass(frozen=True, slots=True)
class Dump:
    """What a dump held: its devices, which format it was, and what was odd but not fatal."""

    devices: tuple[Device, ...]
    format: str  # "udevadm" | "umockdev"
    warnings: tuple[str, ...]


def _unescape_umockdev(value: str) -> str:
    # umockdev-record writes attribute values with C escapes (\n, \\, \t)
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t", "\\": "\\"}.get(m.group(1), m.group(0)), value)


@dataclass(slots=True)
class _Record:
    path: str
    line: int
    props: dict[str, str]
    attrs: dict[str, str]
    binattrs: dict[str, str]
    links: dict[str, str]


def parse_dump(text: str, source: str = "<dump>") -> Dump:
    """Parse dump text; raises InputFormatError naming the first line that is not a record line."""
    if "\0" in text:
        raise InputFormatError(source, N_("binary data, not a udevadm or umockdev dump"))
    records: list[_Record] = []
    current: _Record | None = None
    umockdev = False
    warnings: list[str] = []
    bare_lines: list[int] = []
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.rstrip("\r")
        if not line.strip():
            current = None
            continue
        if line.startswith("#"):
            continue
        m = _LINE.match(line)
        if m is None and current is not None and _BARE_PROPERTY.match(line):
            # Seen in real captures (checkbox's TOSHIBA_NVME): a property line that lost its "E: ".
            key, _, val = line.partition("=")
            current.props.setdefault(key, val)
            bare_lines.append(n)
            continue
        if m is None:
            shown = line if len(line) <= 60 else line[:57] + "..."
            raise InputFormatError(source, N_("not a udevadm/umockdev record line: {shown!r}").format(shown=shown), n)
        tag, value = m.groups()
        if tag == "P":
            if not value.startswith("/devices/"):
                raise InputFormatError(
                    source, N_("device path must start with /devices/: {value!r}").format(value=value), n
                )
            current = _Record(value.rstrip("/"), n, {}, {}, {}, {})
            records.append(current)
            continue
        if current is None:
            raise InputFormatError(source, N_("'{tag}:' line before any 'P:' device line").format(tag=tag), n)
        if tag == "E":
            key, sep, val = value.partition("=")
            if not sep or not key:
                raise InputFormatError(
                    source, N_("property line without KEY=value: {value!r}").format(value=value[:60]), n
                )
            current.props[key] = val
        elif tag in ("A", "H") or (tag == "L" and "=" in value):
            umockdev = True
            key, _, val = value.partition("=")
            if tag == "A":
                current.attrs[key] = _unescape_umockdev(val).rstrip("\n")
            elif tag == "H":
                current.binattrs[key] = val.lower()
            else:
                current.links[key] = val
        elif tag == "N":
            node, _, _content = value.partition("=")
            current.props.setdefault("DEVNAME", node if node.startswith("/dev/") else f"/dev/{node}")
        elif tag == "V":
            current.props.setdefault("DRIVER", value)
        elif tag == "U":
            current.props.setdefault("SUBSYSTEM", value)
        elif tag == "T":
            current.props.setdefault("DEVTYPE", value)
    if bare_lines:
        warnings.append(
            N_("{source}:{bare_lines}: {n} property line(s) without 'E: ' prefix, read as properties").format(
                source=source, bare_lines=bare_lines[0], n=len(bare_lines)
            )
        )
    if not records:
        raise InputFormatError(source, N_("no device records ('P: /devices/…' lines) found"))
    by_path: dict[str, _Record] = {}
    for r in records:
        if r.path in by_path:
            # umockdev recordings of several devices repeat shared parents; keep the fuller record
            prev = by_path[r.path]
            if len(r.props) + len(r.attrs) <= len(prev.props) + len(prev.attrs):
                continue
            if not umockdev:
                warnings.append(
                    N_("{source}:{line}: device {path} appears twice; the later record is used").format(
                        source=source, line=r.line, path=r.path
                    )
                )
        by_path[r.path] = r
    devices: list[Device] = []
    # Tree order: parents before children, siblings by name, the way the live reader lists them.
    for path in sorted(by_path, key=lambda p: p.split("/")):
        r = by_path[path]
        subsystem = r.props.get("SUBSYSTEM") or _link_name(r.links.get("subsystem"))
        driver = r.props.get("DRIVER") or _link_name(r.links.get("driver"))
        props = {"DEVPATH": path, **r.props}
        devices.append(
            make_device(
                path,
                nearest_parent(path, by_path),
                props,
                r.attrs,
                r.binattrs,
                subsystem=subsystem,
                driver=driver,
            )
        )
    return Dump(tuple(devices), "umockdev" if umockdev else "udevadm", tuple(warnings))


def _link_name(target: str | None) -> str | None:
    return target.rstrip("/").rsplit("/", 1)[-1] if target else None


def read_dump(path: Path) -> Dump:
    """Read a dump file; every failure is an InputFormatError with a one-line reason."""
    name = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_DUMP_BYTES:
            raise InputFormatError(
                name, N_("file is {size} bytes; dumps larger than 256 MiB are refused").format(size=size)
            )
        data = path.read_bytes()
    except OSError as exc:
        raise InputFormatError(name, N_("cannot read: {strerror}").format(strerror=exc.strerror or exc)) from None
    # Dumps from other machines are sometimes Latin-1 or carry stray bytes in vendor strings: keep
    # them readable rather than refusing the whole file.
    text = data.decode("utf-8", errors="replace")
    return parse_dump(text, name)
