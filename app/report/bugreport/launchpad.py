"""Launchpad's attachment: apport's problem report with the keys apport's own hooks attach, plus our bundle."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hwinspector.report.apport import render, report_fields
from hwinspector.report.assemble import build

if TYPE_CHECKING:
    from hwinspector.report.bugreport.build import Filtered


def apport_bytes(main: Filtered, title: str) -> bytes:
    manifest, artifacts = build(main.evidence.collected, main.redacted)
    fields = report_fields(manifest, main.redacted.sections, artifacts)
    if title.strip():
        fields["Title"] = title.strip()
    # a kernel/hardware report: apport's linux hooks file those against the source package "linux"
    fields["SourcePackage"] = "linux"
    fields["Tags"] = "hwinspector"
    return render(fields)
