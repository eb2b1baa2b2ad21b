"""Writing a report folder: issue.md, attachments/, missing.md, report.json. Nothing is sent anywhere."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from hwinspector.report.bugreport.model import BugReport

BODY_FILE = "issue.md"
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,120}$")


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def missing_markdown(report: BugReport) -> str:
    out = ["# Still missing", ""]
    if not report.missing:
        return "# Still missing\n\nNothing: the report holds everything this tracker asks for.\n"
    out.append(f"What {report.tracker.name} asks for that this source does not hold, and how to get it:")
    out.append("")
    for m in report.missing:
        out += [f"- **{m.item}**", f"  `{m.how}`" if "\n" not in m.how else m.how, ""]
    return "\n".join(out)


def write_report(report: BugReport, out_dir: Path) -> Path:
    """The folder (private: mode 0700, files 0600). Attachment names are ours; a strange one is refused."""
    out_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    att = out_dir / "attachments"
    att.mkdir(mode=0o700, exist_ok=True)
    for a in report.attachments:
        if not _SAFE_NAME.match(a.name):
            raise ValueError(f"attachment name {a.name!r} is not a plain file name")
        _write(att / a.name, a.data)
    for name, data in report.extra_files.items():
        if not _SAFE_NAME.match(name):
            raise ValueError(f"file name {name!r} is not a plain file name")
        _write(out_dir / name, data)
    # issue.md is the description to paste; the title goes in the tracker's title field (title.txt)
    _write(out_dir / BODY_FILE, report.body.encode())
    _write(out_dir / "title.txt", (report.title + "\n").encode())
    _write(out_dir / "missing.md", missing_markdown(report).encode())
    doc = report.to_json(str(out_dir / BODY_FILE))
    _write(out_dir / "report.json", (json.dumps(doc, indent=1, ensure_ascii=False) + "\n").encode())
    return out_dir
