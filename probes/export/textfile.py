"""Atomic writes for node_exporter's textfile collector: a temporary file in the same folder, then rename.

node_exporter reads ``*.prom`` files in its ``--collector.textfile.directory`` at every scrape. A file
written in place can be read half-written; a rename within one filesystem replaces it in one step, so
the temporary file must live in the same folder and must not end in ``.prom`` (it would be read too).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

DEFAULT_NAME = "hwinspector.prom"


def write_atomic(directory: Path, text: str, name: str = DEFAULT_NAME) -> Path:
    """Replace ``directory/name`` with ``text`` in one rename; readable by node_exporter's user (0644)."""
    if not name.endswith(".prom") or "/" in name:
        raise ValueError(f"{name!r}: the textfile collector reads only *.prom files in its folder")
    target = directory / name
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fchmod(f.fileno(), 0o644)
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return target
