"""Bytes back from the hex dumps people paste in bug threads: xxd, xxd -p, hexdump -C, hexdump, od -x, od -t x1."""

from __future__ import annotations

import re
import string

from hwinspector.probes.errors import InputFormatError

_XXD = re.compile(r"^([0-9a-fA-F]+):\s(.*)$")
_OFFSET = re.compile(r"^([0-9a-fA-F]+)(?:\s+(.*))?$")
_HEX = set(string.hexdigits)
# A dump is never larger than this: gpu_metrics is one sysfs page.
MAX_DUMP_BYTES = 1 << 20


def looks_like_text(data: bytes) -> bool:
    """True for a pasted dump (printable ASCII), False for a binary blob (gpu_metrics starts with NULs)."""
    if not data or b"\0" in data:
        return False
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError:
        return False
    return all(c in string.printable for c in text)


def parse_hex_dump(text: str, source: str = "dump") -> bytes:
    """The bytes of a dump; raises InputFormatError (with the line) when the text is no dump we know."""
    lines = [ln.rstrip() for ln in text.replace("\r", "").split("\n")]
    lines = [ln for ln in lines if ln.strip()]
    if not lines:
        raise InputFormatError(source, "empty: no hex dump in it")
    flat = "".join("".join(ln.split()) for ln in lines)
    if all(c in _HEX for c in flat) and not any(_OFFSET.match(ln.strip()) and " " in ln.strip() for ln in lines):
        # xxd -p: bare hex, any line length.
        if len(flat) % 2:
            raise InputFormatError(source, "odd number of hex digits")
        return bytes.fromhex(flat)
    if _XXD.match(lines[0]):
        return _rows(_xxd_rows(lines, source), 16, source)
    rows_hex = _offset_rows(lines, source)
    for base in (8, 16) if _could_be_octal(rows_hex) else (16,):
        try:
            return _rows([(int(off, base), data, star) for off, data, star in rows_hex], 16, source)
        except InputFormatError:
            continue
    raise InputFormatError(source, "offsets do not follow the byte counts (neither octal od nor hex hexdump)")


def _xxd_rows(lines: list[str], source: str) -> list[tuple[int, bytes | None, bool]]:
    out: list[tuple[int, bytes | None, bool]] = []
    for n, ln in enumerate(lines, 1):
        m = _XXD.match(ln)
        if m is None:
            raise InputFormatError(source, f"not an xxd line: {ln[:40]!r}", n)
        # The hex field ends where xxd puts two spaces before the ASCII column.
        hexpart = m.group(2).split("  ")[0]
        digits = "".join(hexpart.split())  # xxd groups bytes in file order: "7800 0103" is 78 00 01 03
        if not digits or set(digits) - _HEX or len(digits) % 2:
            raise InputFormatError(source, "a hex field holds something that is not hex", n)
        out.append((int(m.group(1), 16), bytes.fromhex(digits), False))
    return out


def _offset_rows(lines: list[str], source: str) -> list[tuple[str, bytes | None, bool]]:
    """hexdump -C, hexdump and od rows: (offset text, bytes or None for an end marker, '*' before it)."""
    out: list[tuple[str, bytes | None, bool]] = []
    star = False
    for n, ln in enumerate(lines, 1):
        s = ln.strip()
        if s == "*":
            star = True  # od and hexdump fold repeated lines into one '*'
            continue
        if "|" in s:
            s = s[: s.index("|")]  # hexdump -C's ASCII column
        m = _OFFSET.match(s)
        if m is None:
            raise InputFormatError(source, f"not a hex dump line: {ln[:40]!r}", n)
        tokens = (m.group(2) or "").split()
        out.append((m.group(1), _hex_bytes(tokens, source, n) if tokens else None, star))
        star = False
    return out


def _hex_bytes(tokens: list[str], source: str, line: int) -> bytes:
    if not tokens or any(set(t) - _HEX for t in tokens):
        raise InputFormatError(source, "a hex field holds something that is not hex", line)
    width = {len(t) for t in tokens}
    if width == {2}:
        return bytes(int(t, 16) for t in tokens)
    if width == {4}:
        # 16-bit words as od -x and plain hexdump print them: the host's (little-endian) order (xxd
        # groups bytes in file order instead, and is told apart by its "offset:" form).
        return b"".join(int(t, 16).to_bytes(2, "little") for t in tokens)
    raise InputFormatError(source, f"hex groups of {sorted(width)} digits: not a dump this reads", line)


def _rows(rows: list[tuple[int, bytes | None, bool]], _width: int, source: str) -> bytes:
    out = bytearray()
    last = b""
    for i, (offset, data, star) in enumerate(rows):
        if star:
            if not last or (offset - len(out)) % len(last):
                raise InputFormatError(source, f"'*' before offset {offset}: the gap is not whole repeated lines")
            while len(out) < offset:
                out += last
        if offset != len(out):
            raise InputFormatError(source, f"offset {offset} where {len(out)} bytes were read (line {i + 1})")
        if data is None:
            break  # the end marker: the total length
        out += data
        last = data
        if len(out) > MAX_DUMP_BYTES:
            raise InputFormatError(source, "larger than any gpu_metrics dump")
    return bytes(out)


def _could_be_octal(rows: list[tuple[str, bytes | None, bool]]) -> bool:
    return all(set(off) <= set("01234567") for off, _, _ in rows)
