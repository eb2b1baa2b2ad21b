"""Putting a report together: the context a template fills, the attachments it asks for, what is missing."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from hwinspector.probes.checks.base import Status, Verdict
from hwinspector.report.bugreport.facts import Facts
from hwinspector.report.bugreport.model import Attachment, BugReport, Missing, fit
from hwinspector.report.bugreport.trackers import TRACKERS, Tracker

# The exact ways to get what a source lacks (each names the command upstream's own page gives).
HOW = {
    "machine": "cat /sys/class/dmi/id/sys_vendor /sys/class/dmi/id/product_name /sys/class/dmi/id/product_version",
    "cpu": "grep -m1 'model name' /proc/cpuinfo",
    "gpu": "lspci -nn | grep -E 'VGA|3D|Display'",
    "memory": "free -h",
    "displays": 'for c in /sys/class/drm/card*-*; do echo "$c: $(cat $c/status)"; done   (and the monitor models)',
    "distro": "cat /etc/os-release",
    "kernel": "cat /proc/version; uname -a",
    "uname": "uname -mi",
    "log": "sudo dmesg > dmesg.txt   (or: journalctl -b 0 -k > dmesg.txt)",
    "log_wrapped": (
        "boot with log_buf_len=4M added to the kernel command line, reproduce, then sudo dmesg > dmesg.txt "
        "(or take the whole boot from the journal: journalctl -b 0 -k > dmesg.txt)"
    ),
    "drm_debug": (
        "add drm.debug=0x1e log_buf_len=4M to the kernel command line (GRUB_CMDLINE_LINUX_DEFAULT in "
        "/etc/default/grub, then sudo update-grub), reboot, reproduce, then sudo dmesg > dmesg.txt; for a problem "
        "after boot, echo 0x1e | sudo tee /sys/module/drm/parameters/debug works without a reboot"
    ),
    "taint": "cat /proc/sys/kernel/tainted",
    "modules": "cat /proc/modules; dkms status",
    "cmdline": "cat /proc/cmdline",
    "steps": "hwinspector bugreport --step 'first step' --step 'second step' … (or the dialog's Steps list)",
    "amdgpu_fw": "sudo cat /sys/kernel/debug/dri/0/amdgpu_firmware_info   (or: hwinspector bugreport --privileged)",
    "error_state": (
        "right after the hang: sudo cat /sys/class/drm/card0/error | gzip > error.gz, or for xe and newer kernels "
        "sudo cat /sys/class/drm/card0/device/devcoredump/data | gzip > devcoredump.gz "
        "(or: hwinspector bugreport --privileged)"
    ),
    "vbt": "sudo cat /sys/kernel/debug/dri/0/i915_vbt > vbt.bin   (or: hwinspector bugreport --privileged)",
    "glxinfo": "glxinfo -B > glxinfo-B.txt   (Debian/Ubuntu: mesa-utils)",
    "vulkaninfo": "vulkaninfo --summary > vulkaninfo-summary.txt   (Debian/Ubuntu: vulkan-tools)",
    "session": 'echo "$XDG_SESSION_TYPE $XDG_CURRENT_DESKTOP"',
    "fwupd_version": "fwupdmgr --version",
    "fwupd_devices": "fwupdmgr get-devices --show-all-devices",
    "efibootmgr": "sudo efibootmgr -v",
    "secure_boot": "mokutil --sb-state",
    "config": "cp /boot/config-$(uname -r) kernel-config.txt   (or: zcat /proc/config.gz > kernel-config.txt)",
    "title": "hwinspector bugreport --title 'what fails, on which hardware' (or the dialog's Title)",
    "regression": (
        "capture the last kernel that worked too and give both: hwinspector bugreport --from GOOD.tar.xz --from live"
    ),
}


@dataclass
class Ctx:
    """Everything a template fills from: the source's facts and files, the user's words, the checks."""

    tracker: Tracker
    facts: Facts
    files: Mapping[str, bytes]
    sections: Mapping[str, Any]
    verdicts: Sequence[Verdict]
    title: str
    steps: Sequence[str]
    notes: str
    origin: str  # "the live machine", "bundle X", …
    regression: Any = None  # regression.Regression when two captures were given
    attachments: list[Attachment] = field(default_factory=list)
    missing: list[Missing] = field(default_factory=list)
    cut_notes: list[str] = field(default_factory=list)

    def attach(self, path: str, name: str, what: str) -> Attachment | None:
        data = self.files.get(path)
        if not data:
            return None
        name, data, note = fit(name, data, self.tracker)
        if note:
            self.cut_notes.append(note)
            self.missing.append(Missing(f"the whole {name}", "upload the full file elsewhere and link it in the issue"))
        att = Attachment(name, data, what, path)
        self.attachments.append(att)
        return att

    def lack(self, item: str, how_key: str, how: str | None = None) -> None:
        if not any(m.item == item for m in self.missing):
            self.missing.append(Missing(item, how or HOW[how_key]))

    def problems(self) -> list[Verdict]:
        return [v for v in self.verdicts if v.status in (Status.FAIL, Status.WARNING)]


def value(x: str | None, missing: str = "not in this source") -> str:
    return x if x else f"_{missing}_"


def summary_lines(ctx: Ctx, *, skip_title: bool = False) -> list[str]:
    """What the user wrote, then what the checks found: the brief summary every template opens with."""
    out = []
    if ctx.notes.strip():
        out += [ctx.notes.strip(), ""]
    elif ctx.title.strip() and not skip_title:
        out += [ctx.title.strip() + ".", ""]
    probs = ctx.problems()
    if ctx.verdicts and all(v.status is Status.NA for v in ctx.verdicts):
        out.append(
            f"{ctx.origin} holds no structured data for hwinspector's checks; "
            "the facts below come from its tool outputs."
        )
    elif probs:
        out.append(f"hwinspector's checks on {ctx.origin} found:")
        bold = "" if ctx.tracker.id == "launchpad" else "**"  # Launchpad shows descriptions as plain text
        for v in probs[:8]:
            out.append(f"- {bold}{v.title}{bold}: {v.status.value}, {v.summary}")
            out += [f"  - {e}" for e in v.evidence[:4]]
    else:
        out.append(f"hwinspector's checks found no failure on {ctx.origin}.")
    return out


def steps_lines(ctx: Ctx) -> list[str]:
    if not ctx.steps:
        ctx.lack("reproduction steps", "steps")
        return ["_Steps not given yet (see missing.md)._"]
    return [f"{i}. {s}" for i, s in enumerate(ctx.steps, 1)]


def gpu_lines(ctx: Ctx) -> list[str]:
    f = ctx.facts
    if not f.gpus:
        ctx.lack("GPU with PCI IDs", "gpu")
        return [value(None)]
    out = []
    for g in f.gpus:
        ids = f" [{g.pci_id}]" if g.pci_id else ""
        sub = f" (subsystem {g.subsystem_id})" if g.subsystem_id else ""
        drv = f", driver {g.driver}" if g.driver else ""
        at = f" at {g.address}" if g.address else ""
        out.append(f"{g.name}{ids}{sub}{at}{drv}")
    if any(not g.pci_id for g in f.gpus):
        ctx.lack("GPU PCI IDs", "gpu")
    return out


def displays_text(ctx: Ctx) -> tuple[str, str]:
    """(displays, how they connect) for the templates' two fields."""
    d = ctx.facts.displays
    if d is None:
        ctx.lack("displays and how they connect", "displays")
        return value(None), value(None)
    if not d:
        return "none connected", "none"
    names = "; ".join(f"{x.monitor or 'unknown monitor'}{f' ({x.mode})' if x.mode else ''}" for x in d)
    return names, ", ".join(f"{x.kind} ({x.connector})" for x in d)


def kernel_log(ctx: Ctx, name: str = "dmesg.txt", *, debug_needed: bool = False) -> None:
    """The full kernel log from boot as a file; say so when it starts late (the ring buffer wrapped)."""
    f = ctx.facts
    if f.log_path is None:
        ctx.lack("the kernel log from boot", "log")
        return
    what = "kernel log from boot" if f.log_from_boot else "kernel log (it does NOT start at boot: the buffer wrapped)"
    ctx.attach(f.log_path, name, f"{what} ({f.log_path})")
    if not f.log_from_boot:
        ctx.lack("the start of the kernel log (it begins mid-boot: the ring buffer wrapped)", "log_wrapped")
    if debug_needed and not f.drm_debug:
        ctx.lack("a kernel log with DRM debug messages (drm.debug is off)", "drm_debug")


NOTHING_ATTACHED = (
    "_Nothing attached: this source holds none of the files this tracker asks for; missing.md says how to get "
    "each one._"
)


def attached_lines(ctx: Ctx, bullet: str = "- ") -> list[str]:
    """The attachments as a Markdown list, or a sentence saying there are none and where to look."""
    return [f"{bullet}`{a.name}`: {a.what}" for a in ctx.attachments] or [NOTHING_ATTACHED]


def log_note(ctx: Ctx) -> list[str]:
    f = ctx.facts
    if f.log_path is None:
        return []
    if f.log_from_boot:
        return ["The kernel log starts at boot ('Linux version …')."]
    first = (f.log_first_line or "").strip()[:120]
    return [
        f"Note: the kernel log does not start at 'Linux version' (its first line is `{first}`): the ring buffer "
        "wrapped and the early boot messages are lost. Booting with `log_buf_len=4M` keeps them."
    ]


def finish(ctx: Ctx, why: str, title: str, body: list[str], extra: dict[str, bytes] | None = None) -> BugReport:
    if ctx.cut_notes:
        body += ["", *[f"_{n}._" for n in ctx.cut_notes]]
    body += ["", f"<!-- Prepared by hwinspector from {ctx.origin}; template: {ctx.tracker.template_source} -->"]
    return BugReport(
        ctx.tracker, why, title, "\n".join(body).rstrip() + "\n", ctx.attachments, ctx.missing, extra or {}
    )


def default_title(ctx: Ctx) -> str:
    if ctx.title.strip():
        return ctx.title.strip()
    ctx.lack("a title in your words (what fails, on which hardware)", "title")
    probs = [v for v in ctx.verdicts if v.status is Status.FAIL] or ctx.problems()
    machine = ctx.facts.machine or "unknown machine"
    what = f"{probs[0].title}: {probs[0].summary}" if probs else "hardware problem"
    return f"{what} on {machine}"


def tracker(tracker_id: str) -> Tracker:
    return TRACKERS[tracker_id]
