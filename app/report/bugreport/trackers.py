"""The trackers a desktop engineer files on, where each one's template and "how to report" page live, and
which one ``auto`` picks from the failing checks and chains."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hwinspector.i18n import N_
from hwinspector.probes.checks.base import Status, Verdict
from hwinspector.report.bugreport.facts import Facts

MIB = 1 << 20


@dataclass(frozen=True, slots=True)
class Tracker:
    id: str
    name: str
    new_issue_url: str
    how_to_url: str  # the maintainers' own "how to report" page
    template_source: str  # where the template this tracker's issue.md follows comes from
    attachment_limit_bytes: int  # each file stays under this (compressed when larger)
    compress_over_bytes: int  # text files larger than this are gzip-compressed


# GitLab's attachment limit is an instance setting (100 MiB by default); gitlab.freedesktop.org does not
# publish its own, so each file stays under 10 MiB, which every drm and Mesa maintainer can download.
_FDO_LIMIT = 10 * MIB
TRACKERS: Mapping[str, Tracker] = {
    t.id: t
    for t in (
        Tracker(
            "drm-amd",
            "drm/amd (amdgpu)",
            "https://gitlab.freedesktop.org/drm/amd/-/issues/new",
            "https://docs.kernel.org/gpu/amdgpu/debugging.html",
            "gitlab.freedesktop.org/drm/amd .gitlab/issue_templates (Brief summary, Hardware description, "
            "System information, How to reproduce, Attached files)",
            _FDO_LIMIT,
            1 * MIB,
        ),
        Tracker(
            "drm-i915",
            "drm/i915 (Intel graphics, i915)",
            "https://gitlab.freedesktop.org/drm/i915/kernel/-/issues/new",
            "https://drm.pages.freedesktop.org/intel-docs/how-to-file-i915-bugs.html",
            "drm.pages.freedesktop.org/intel-docs/how-to-file-i915-bugs.html (the information the page asks for)",
            _FDO_LIMIT,
            1 * MIB,
        ),
        Tracker(
            "drm-xe",
            "drm/xe (Intel graphics, xe)",
            "https://gitlab.freedesktop.org/drm/xe/kernel/-/issues/new",
            "https://drm.pages.freedesktop.org/intel-docs/how-to-file-i915-bugs.html",
            "drm.pages.freedesktop.org/intel-docs/how-to-file-i915-bugs.html (xe is filed the same way, on drm/xe)",
            _FDO_LIMIT,
            1 * MIB,
        ),
        Tracker(
            "mesa",
            "Mesa",
            "https://gitlab.freedesktop.org/mesa/mesa/-/issues/new",
            "https://docs.mesa3d.org/bugs.html",
            "gitlab.freedesktop.org/mesa/mesa .gitlab/issue_templates/Default.md",
            _FDO_LIMIT,
            1 * MIB,
        ),
        Tracker(
            "kernel",
            "Linux kernel (bugzilla.kernel.org, or the mailing list MAINTAINERS names)",
            "https://bugzilla.kernel.org/enter_bug.cgi",
            "https://docs.kernel.org/admin-guide/reporting-issues.html",
            "Documentation/admin-guide/reporting-issues.rst and tainted-kernels.rst",
            # bugzilla.kernel.org refuses attachments over 5 MB (its enter_bug form says so)
            5 * 1000 * 1000,
            512 << 10,
        ),
        Tracker(
            "fwupd",
            "fwupd (GitHub)",
            "https://github.com/fwupd/fwupd/issues/new/choose",
            "https://github.com/fwupd/fwupd/tree/main/.github/ISSUE_TEMPLATE",
            "github.com/fwupd/fwupd .github/ISSUE_TEMPLATE/bug-report-uefi.md",
            # GitHub: files up to 25 MB in issues; .gz is among the file types it accepts
            25 * 1000 * 1000,
            1 * MIB,
        ),
        Tracker(
            "launchpad",
            "Launchpad (Ubuntu)",
            "https://bugs.launchpad.net/ubuntu/+source/linux/+filebug",
            "https://help.ubuntu.com/community/ReportingBugs",
            "apport's problem report (hookutils.attach_hardware, attach_drm_info, add_os_info)",
            # ubuntu-bug uploads the apport file itself; attachments added by hand stay modest
            50 * MIB,
            4 * MIB,
        ),
    )
}
NAMES = tuple(TRACKERS)

# Why auto chose: one sentence each, with the evidence appended.
WHY_FWUPD = N_("a firmware update failed ({detail}): fwupd's maintainers handle update problems")
WHY_DRIVER = N_("the {check} check reports a problem on a GPU driven by {driver} ({detail})")
WHY_DUMP = N_("the kernel holds a GPU crash dump from {driver} ({detail})")
WHY_MESA = N_("the kernel driver ({driver}) is bound but rendering fails in userspace ({detail}): a Mesa problem")
WHY_LAUNCHPAD = N_("an Ubuntu machine ({distro}) with a failing {check} check ({detail}): Ubuntu's packages first")
WHY_KERNEL = N_("the {check} check fails ({detail}); no graphics or firmware-update tracker fits: the kernel")
WHY_DEFAULT = N_("no check failed and no chain reports a problem: the kernel tracker, the general place")
_DRIVER_TRACKER = {"amdgpu": "drm-amd", "i915": "drm-i915", "xe": "drm-xe"}
_GRAPHICS_CHECKS = ("graphics", "display")


def _problem_gpu_driver(sections: Mapping[str, Any], facts: Facts) -> str | None:
    """The driver of the GPU the graphics chain flags, else of the default GPU, else of the only one."""
    graphics = sections.get("graphics", {})
    data = graphics.get("data") if isinstance(graphics, dict) and graphics.get("available") else None
    gpus = [g for g in (data.get("gpus") or []) if isinstance(g, dict)] if isinstance(data, dict) else []
    flagged = [g for g in gpus if g.get("problems")]
    default = next((g for g in gpus if g.get("devpath") == (data or {}).get("default_gpu")), None)
    for g in [*flagged, *([default] if default else []), *gpus]:
        if g.get("driver") in _DRIVER_TRACKER:
            return str(g["driver"])
    drivers = facts.drivers & set(_DRIVER_TRACKER)
    return sorted(drivers)[0] if drivers else None


def _failed_update(sections: Mapping[str, Any]) -> str | None:
    services = sections.get("services", {})
    data = services.get("data") if isinstance(services, dict) else None
    fw = data.get("fwupd") if isinstance(data, dict) else None
    for d in (fw.get("devices") or []) if isinstance(fw, dict) else []:
        if isinstance(d, dict) and (d.get("update_error") or d.get("update_state") in ("failed", "failed-transient")):
            return f"{d.get('name')}: {d.get('update_error') or d.get('update_state')}"
    return None


def pick_tracker(facts: Facts, verdicts: Sequence[Verdict], sections: Mapping[str, Any]) -> tuple[str, str]:
    """(tracker id, why) from the failing checks and chains, in the order the issue lists. ``why`` stays
    English: it goes into report.json for scripts (the N_ marks let the window translate the sentences)."""

    def _(text: str) -> str:
        return text

    failing = [v for v in verdicts if v.status is Status.FAIL]
    warned = [v for v in verdicts if v.status is Status.WARNING]
    update = _failed_update(sections)
    if update:
        return "fwupd", _(WHY_FWUPD).format(detail=update)
    driver = _problem_gpu_driver(sections, facts)
    gfx = [v for v in failing + warned if v.check in _GRAPHICS_CHECKS]
    if driver and facts.gpu_dumps:
        return _DRIVER_TRACKER[driver], _(WHY_DUMP).format(driver=driver, detail=", ".join(facts.gpu_dumps))
    for v in gfx:
        userspace = "OpenGL falls back" in v.hint or "Vulkan has only a software device" in v.hint
        if userspace and facts.drivers:
            return "mesa", _(WHY_MESA).format(driver=", ".join(sorted(facts.drivers)), detail=v.summary)
    if driver and gfx:
        v = gfx[0]
        return _DRIVER_TRACKER[driver], _(WHY_DRIVER).format(check=v.title, driver=driver, detail=v.summary)
    ubuntu = (facts.distro or "").lower().startswith("ubuntu") or (facts.distro_release or "").startswith("Ubuntu")
    if ubuntu and failing and facts.kernel_kind == "distribution":
        v = failing[0]
        return "launchpad", _(WHY_LAUNCHPAD).format(distro=facts.distro, check=v.title, detail=v.summary)
    if failing:
        v = failing[0]
        return "kernel", _(WHY_KERNEL).format(check=v.title, detail=v.summary)
    return "kernel", _(WHY_DEFAULT)
