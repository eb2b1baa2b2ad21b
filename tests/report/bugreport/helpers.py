"""Shared helpers of the bug-report tests: our fixture folder, the corpus, a source through the privacy filter."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from hwinspector.report.assemble import redact
from hwinspector.report.bugreport.build import Filtered
from hwinspector.report.bugreport.evidence import load_evidence
from hwinspector.report.capture import CaptureOptions
from tests.report.fixtures_capture import fixed_privacy

DATA = Path(__file__).resolve().parents[2] / "data"
AMD_LAPTOP = DATA / "bugreport" / "amd-laptop"


def edid_bytes(name: str = "base-1.4-dp") -> bytes:
    return bytes.fromhex((DATA / "edid" / f"{name}.hex").read_text())


def amd_folder(tmp_path: Path) -> Path:
    """Our hand-written AMD laptop outputs, with the eDP panel's EDID next to them."""
    folder = tmp_path / "amd-laptop"
    shutil.copytree(AMD_LAPTOP, folder)
    (folder / "card1-eDP-1.edid.bin").write_bytes(edid_bytes())
    return folder


def linked_folder(tmp_path: Path, name: str, files: list[Path]) -> Path:
    """A folder of links to corpus files: read in place, never copied."""
    folder = tmp_path / name
    folder.mkdir()
    for f in files:
        if not f.is_file():
            pytest.skip(f"{f} is not in this corpus")
        (folder / f.name).symlink_to(f)
    return folder


def filtered(source: str, **options: object) -> Filtered:
    ev = load_evidence(source, CaptureOptions(**options))  # type: ignore[arg-type]
    return Filtered(ev, redact(ev.collected, fixed_privacy()))
