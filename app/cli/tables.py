"""Plain-text tables for the commands' human output (the last column is not padded)."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence


def width(text: str) -> int:
    """Columns a terminal gives the text: CJK characters take two (headers in Chinese line up)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def table(rows: Sequence[Sequence[str]], headers: Sequence[str]) -> str:
    widths = [width(h) for h in headers]
    for r in rows:
        widths = [max(w, width(c)) for w, c in zip(widths, r, strict=True)]
    widths[-1] = 0  # the last column is not padded

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c + " " * (w - width(c)) for c, w in zip(cells, widths, strict=True)).rstrip()

    lines = [line(headers), line(["-" * width(h) for h in headers])]
    lines += [line(r) for r in rows]
    return "\n".join(lines)
