"""A bug report as written: the tracker, why, the title, issue.md, the attachments, and what is still missing."""

from __future__ import annotations

import gzip
from dataclasses import dataclass, field
from typing import Any

from hwinspector.report.bugreport.trackers import Tracker

MARK_CUT = b"\n[... cut by hwinspector to stay under the tracker's size limit ...]\n"


@dataclass(frozen=True, slots=True)
class Attachment:
    name: str  # the file name under attachments/
    data: bytes
    what: str  # one line: what it is and where it came from
    source: str = ""  # the artifact it was made from


@dataclass(frozen=True, slots=True)
class Missing:
    item: str
    how: str  # the exact way to get it (a command, a boot parameter, an option)


@dataclass
class BugReport:
    tracker: Tracker
    why: str
    title: str
    body: str
    attachments: list[Attachment] = field(default_factory=list)
    missing: list[Missing] = field(default_factory=list)
    extra_files: dict[str, bytes] = field(default_factory=dict)  # beside issue.md
    notes: list[str] = field(default_factory=list)  # about the source (files it could not use), not the issue

    def to_json(self, body_file: str) -> dict[str, Any]:
        """The ``--json`` document: stable English keys for scripts."""
        return {
            "tracker": self.tracker.id,
            "why": self.why,
            "title": self.title,
            "body_file": body_file,
            "new_issue_url": self.tracker.new_issue_url,
            "attachments": [{"name": a.name, "bytes": len(a.data), "what": a.what} for a in self.attachments],
            "missing": [{"item": m.item, "how": m.how} for m in self.missing],
            "notes": list(self.notes),
        }


def fit(name: str, data: bytes, tracker: Tracker) -> tuple[str, bytes, str | None]:
    """The file as the tracker takes it: gzip when large (every tracker here accepts .gz), and under its
    limit. Returns (name, bytes, a note when something had to be cut)."""
    note = None
    if len(data) > tracker.compress_over_bytes and not name.endswith(".gz"):
        # mtime=0: the same report gives the same bytes
        data, name = gzip.compress(data, compresslevel=9, mtime=0), name + ".gz"
    if len(data) > tracker.attachment_limit_bytes:
        raw = gzip.decompress(data) if name.endswith(".gz") else data
        keep = len(raw)
        while len(data) > tracker.attachment_limit_bytes and keep > 4096:
            keep = keep * 3 // 4
            # the start holds the boot (version, command line, firmware); the end holds the failure
            cut = raw[: keep // 2] + MARK_CUT + raw[-(keep // 2) :]
            data = gzip.compress(cut, compresslevel=9, mtime=0) if name.endswith(".gz") else cut
        note = f"{name} was cut to its first and last parts to stay under {tracker.attachment_limit_bytes} bytes"
    return name, data, note
