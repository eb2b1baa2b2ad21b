"""A reader of apport's problem-report files written from apport's documented format, for where apport itself
is not installed (Debian 12 has no apport; Ubuntu's python3-problem-report is the real oracle).

The rules, from apport's doc/data-format.tex and problem_report.py's docstrings:
- RFC 822-like: each entry starts at column 0 with ``Key:``; keys are case-sensitive ASCII of [A-Za-z0-9._-];
- a value continues on following lines that start with one space (removed when read); a value whose first
  line is empty after the colon is all continuation lines, joined with newlines;
- a binary value is ``Key: base64`` followed by continuation lines, each the base64 of one chunk; the chunks
  together are one gzip stream (RFC 1952 header, deflate, CRC32 and size) of the value's bytes.
"""

from __future__ import annotations

import base64
import re
import zlib

KEY = re.compile(rb"^[A-Za-z0-9._-]+$")


class Malformed(ValueError):
    pass


def read(data: bytes) -> dict[str, str | bytes]:
    entries: list[tuple[str, list[bytes]]] = []
    for n, line in enumerate(data.split(b"\n"), 1):
        if line == b"" and n == data.count(b"\n") + 1:
            break  # the file ends with a newline
        if line.startswith(b" "):
            if not entries:
                raise Malformed(f"line {n}: a continuation line before any key")
            entries[-1][1].append(line[1:])
            continue
        key, sep, first = line.partition(b":")
        if not sep or not KEY.match(key):
            raise Malformed(f"line {n}: {line[:40]!r} is not 'Key: value'")
        entries.append((key.decode("ascii"), [first[1:] if first.startswith(b" ") else first]))
    out: dict[str, str | bytes] = {}
    for key, lines in entries:
        if key in out:
            raise Malformed(f"key {key} twice")
        if lines[0] == b"base64":
            d = zlib.decompressobj(16 + zlib.MAX_WBITS)  # gzip: header and trailer checked by zlib
            value = b"".join(d.decompress(base64.b64decode(chunk, validate=True)) for chunk in lines[1:])
            value += d.flush()
            if not d.eof:
                raise Malformed(f"{key}: the gzip stream is cut short")
            out[key] = value
        else:
            text = lines[1:] if lines[0] == b"" else lines
            out[key] = b"\n".join(text).decode("utf-8")
    return out
