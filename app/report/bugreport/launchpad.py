"""Launchpad's attachment: apport's problem report with the keys apport's own hooks attach, plus our bundle."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hwinspector.report import apport_keys
from hwinspector.report.apport import render, report_fields
from hwinspector.report.assemble import build

if TYPE_CHECKING:
    from hwinspector.report.bugreport.build import Filtered


def apport_bytes(main: Filtered, title: str) -> bytes:
    manifest, artifacts = build(main.evidence.collected, main.redacted)
    fields = report_fields(manifest, main.redacted.sections, artifacts)
    # a source without the identity section (a dump, a folder) still says these in its tool outputs
    facts = main.facts()
    machine = (facts.uname_mi or "").split()[0] if facts.uname_mi else None
    arch = apport_keys.architecture({a.path: a.data for a in artifacts}, machine)
    if arch and "Architecture" not in fields:
        fields["Architecture"] = arch
    if facts.distro_release and "DistroRelease" not in fields:
        fields["DistroRelease"] = facts.distro_release
    if facts.kernel_release and "Uname" not in fields:
        fields["Uname"] = f"Linux {facts.kernel_release} {machine or ''}".strip()
    if title.strip():
        fields["Title"] = title.strip()
    # a kernel/hardware report: apport's linux hooks file those against the source package "linux"
    fields["SourcePackage"] = "linux"
    fields["Tags"] = "hwinspector"
    return render(fields)
