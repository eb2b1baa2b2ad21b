"""issue.md for the drm trackers: drm/amd's GitLab template, and the fields the i915/xe bug-filing page asks for.

Sources:
- drm/amd: the issue template of gitlab.freedesktop.org/drm/amd (.gitlab/issue_templates): "Brief summary of
  the problem", "Hardware description" (CPU, GPU, System Memory, Display(s), Type of Display Connection),
  "System information" (Distro name and Version, Kernel version, Custom kernel, AMD official driver version),
  "How to reproduce the issue", "Attached files" (Screenshots/video files; Log files: full dmesg, Xorg log).
  Debugging hints from Documentation/gpu/amdgpu/debugging.rst.
- i915 and xe: https://drm.pages.freedesktop.org/intel-docs/how-to-file-i915-bugs.html (the kernel's
  DRM_I915_CAPTURE_ERROR help points there): system architecture, kernel version, Linux distribution, machine
  or motherboard model, display connector, a dmesg from boot with drm.debug=0x1e log_buf_len=4M, the GPU
  error state for hangs (/sys/class/drm/card0/error; xe: devcoredump), and the VBT (i915_vbt in debugfs).
"""

from __future__ import annotations

from hwinspector.report.bugreport.compose import (
    Ctx,
    attached_lines,
    default_title,
    displays_text,
    finish,
    gpu_lines,
    kernel_log,
    log_note,
    steps_lines,
    summary_lines,
    value,
)
from hwinspector.report.bugreport.model import BugReport
from hwinspector.report.bugreport.regression import regression_lines, regression_title


def _custom_kernel(ctx: Ctx) -> str:
    f = ctx.facts
    if f.kernel_kind is None:
        ctx.lack("kernel version", "kernel")
        return value(None)
    word = {"distribution": "No (distribution kernel)", "vanilla": "No (vanilla build)", "custom": "Yes"}
    return f"{word[f.kernel_kind]}: {f.kernel_kind_why}"


def _common_attachments(ctx: Ctx) -> None:
    kernel_log(ctx, debug_needed=True)
    ctx.attach("raw/pci/lspci-vvnnk.txt", "lspci-vvnnk.txt", "lspci -vvnnk (every PCI device, with its driver)")
    for path in sorted(p for p in ctx.files if p.startswith("raw/drm/") and p.endswith(".edid.bin")):
        connector = path.rsplit("/", 1)[-1].removesuffix(".edid.bin")
        ctx.attach(path, f"edid-{connector}.bin", f"EDID of {connector} (serial masked, checksum fixed)")
    for path in ctx.facts.gpu_dumps:
        name = path.rsplit("/", 1)[-1]
        ctx.attach(path, name, f"GPU crash dump ({name}), read right after the failure")


def render_amd(ctx: Ctx, why: str) -> BugReport:
    f = ctx.facts
    _common_attachments(ctx)
    fw = [p for p in ctx.files if p.endswith("amdgpu_firmware_info.txt")]
    for path in fw[:1]:
        ctx.attach(path, "amdgpu_firmware_info.txt", "amdgpu firmware versions (debugfs amdgpu_firmware_info)")
    if not fw:
        ctx.lack("amdgpu firmware versions (amdgpu_firmware_info)", "amdgpu_fw")
    displays, connection = displays_text(ctx)
    if not f.cpu:
        ctx.lack("CPU", "cpu")
    if not f.memory:
        ctx.lack("system memory", "memory")
    if not f.distro:
        ctx.lack("distribution name and version", "distro")
    body = ["## Brief summary of the problem:", "", *summary_lines(ctx), ""]
    body += ["## Hardware description:"]
    body += [f" - CPU: {value(f.cpu)}"]
    gpus = gpu_lines(ctx)
    body += [f" - GPU: {gpus[0]}", *[f"   {g}" for g in gpus[1:]]]
    body += [f" - System Memory: {value(f.memory)}", f" - Display(s): {displays}"]
    body += [f" - Type of Display Connection: {connection}", ""]
    body += ["## System information:"]
    body += [f" - Distro name and Version: {value(f.distro)}"]
    body += [f" - Kernel version: {value(f.proc_version or f.kernel_release)}"]
    body += [f" - Custom kernel: {_custom_kernel(ctx)}"]
    body += [" - AMD official driver version: N/A (the in-kernel amdgpu driver)"]
    if f.mesa:
        body += [f" - Mesa: {f.mesa}"]
    body += ["", "## How to reproduce the issue:", "", *steps_lines(ctx), ""]
    body += regression_lines(ctx)
    if f.amdgpu_firmware or f.amdgpu_lines:
        body += ["### amdgpu firmware and display core", "", "```"]
        body += [f"{name}: {ver}" for name, ver in f.amdgpu_firmware]
        body += list(f.amdgpu_lines)
        body += ["```", ""]
    body += ["## Attached files:", "", "### Screenshots/video files", "", "_None attached by hwinspector._", ""]
    body += ["### Log files (for system lockups / game freezes / crashes)", ""]
    body += attached_lines(ctx, " - ")
    body += ["", *log_note(ctx)]
    return finish(ctx, why, regression_title(ctx, default_title(ctx)), body)


def render_intel(ctx: Ctx, why: str) -> BugReport:
    """i915 and xe alike; the xe driver's dumps come through devcoredump."""
    f = ctx.facts
    _common_attachments(ctx)
    if f.vbt:
        ctx.attach(f.vbt, "i915_vbt.bin", "the Video BIOS Table (debugfs i915_vbt)")
    elif ctx.tracker.id == "drm-i915":
        ctx.lack("the VBT (i915_vbt)", "vbt")
    hang = any("GPU HANG" in line for line in f.intel_lines)
    if hang and not f.gpu_dumps:
        ctx.lack("the GPU error state of the hang in the kernel log", "error_state")
    _, connection = displays_text(ctx)
    if not f.machine:
        ctx.lack("machine or motherboard model", "machine")
    if not f.distro:
        ctx.lack("Linux distribution", "distro")
    if not f.uname_mi:
        ctx.lack("system architecture", "uname")
    body = ["### Summary", "", *summary_lines(ctx), ""]
    body += ["### System", ""]
    body += [f"- System architecture: {value(f.uname_mi)}"]
    body += [f"- Kernel version: {value(f.proc_version or f.kernel_release)}"]
    body += [f"- Kernel: {_custom_kernel(ctx)}"]
    body += [f"- Linux distribution: {value(f.distro)}"]
    body += [f"- Machine or motherboard model: {value(f.machine)}"]
    if f.bios:
        body += [f"- BIOS: {f.bios}"]
    body += [f"- Display connector: {connection}"]
    body += [f"- GPU: {g}" for g in gpu_lines(ctx)]
    if f.mesa:
        body += [f"- Mesa: {f.mesa}"]
    if f.intel_lines:
        body += ["", "Firmware and hang lines from the kernel log:", "", "```", *f.intel_lines, "```"]
    body += ["", "### Steps to reproduce", "", *steps_lines(ctx), ""]
    body += regression_lines(ctx)
    debug = f"drm.debug=0x{f.drm_debug:x}" if f.drm_debug else "drm.debug off"
    body += [
        "### Attachments",
        "",
        f"The kernel log is from this boot ({debug}, log_buf_len={f.log_buf_len or 'default'}).",
        "",
    ]
    body += attached_lines(ctx)
    body += ["", *log_note(ctx)]
    return finish(ctx, why, regression_title(ctx, default_title(ctx)), body)
