"""issue.md for Mesa, the kernel, fwupd and Launchpad, each following its own template or reporting guide.

Sources:
- Mesa: gitlab.freedesktop.org/mesa/mesa .gitlab/issue_templates/Default.md: "System information" (`inxi
  -GSC -xx` output, or OS, GPU, Kernel version, Mesa version, Xserver version, Desktop manager and
  compositor; "If applicable": DXVK, Wine/Proton), "Describe the issue", "Regression", "Log files as
  attachment", "Screenshots/video files", "Any extra information would be greatly appreciated".
- kernel: Documentation/admin-guide/reporting-issues.rst (a one-sentence summary, a paragraph, then the
  detailed description: /proc/version, the distribution, `uname -mi`, whether the kernel is vanilla and
  untainted, out-of-tree/DKMS modules, how to reproduce, dmesg from boot as a file, the .config, lspci;
  [REGRESSION] with the last good and first bad version) and tainted-kernels.rst (each taint flag).
- fwupd: github.com/fwupd/fwupd .github/ISSUE_TEMPLATE/bug-report-uefi.md: "Describe the bug", "Steps to
  Reproduce", "Expected behavior", "fwupd version information", "fwupd device information", "System UEFI
  configuration" (efibootmgr -v, efivar -l | grep fw, tree /boot), "Additional questions".
- Launchpad: Ubuntu's ReportingBugs guide (summary, steps, expected and actual result) in plain text that reads
  the same where Launchpad does not render Markdown; the data goes in apport's problem report.
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
from hwinspector.report.bugreport.model import Attachment, BugReport
from hwinspector.report.bugreport.regression import regression_lines, regression_title


def _inxi_facts(ctx: Ctx) -> list[str]:
    """What `inxi -GSC -xx` prints (System, CPU, Graphics), from the source's own facts."""
    f = ctx.facts
    out = [f"System: Kernel: {value(f.kernel_release)} arch: {value(f.uname_mi)} Distro: {value(f.distro)}"]
    if f.session:
        out.append(f"  Desktop/session: {f.session}")
    out.append(f"CPU: {value(f.cpu)}")
    out.append("Graphics:")
    for i, g in enumerate(f.gpus, 1):
        ids = f" chip-ID: {g.pci_id}" if g.pci_id else ""
        out.append(f"  Device-{i}: {g.name} driver: {g.driver or 'none'}{ids} bus-ID: {g.address or '?'}")
    _, connection = displays_text(ctx)
    out.append(f"  Display: {connection}")
    gl = f.gl
    if gl:
        out.append(f"  API: OpenGL v: {gl.get('version', '?')} renderer: {gl.get('renderer', '?')}")
        out.append(f"    direct-render: {gl.get('direct_rendering', '?')}")
    for dev in f.vulkan:
        out.append(
            f"  API: Vulkan v: {dev.get('apiVersion', '?')} device: {dev.get('deviceName', '?')} "
            f"driver: {dev.get('driverName', '?')} {dev.get('driverInfo', '')}".rstrip()
        )
    return out


def render_mesa(ctx: Ctx, why: str) -> BugReport:
    f = ctx.facts
    kernel_log(ctx)
    glx = ctx.attach("raw/graphics/glxinfo-B.txt", "glxinfo-B.txt", "glxinfo -B")
    vk = ctx.attach("raw/graphics/vulkaninfo-summary.txt", "vulkaninfo-summary.txt", "vulkaninfo --summary")
    ctx.attach("raw/graphics/eglinfo.txt", "eglinfo.txt", "eglinfo")
    if glx is None:
        ctx.lack("glxinfo -B", "glxinfo")
    if vk is None:
        ctx.lack("vulkaninfo --summary", "vulkaninfo")
    if not f.mesa:
        ctx.lack("Mesa version", "glxinfo")
    if not f.session:
        ctx.lack("desktop environment and compositor", "session")
    inxi = ctx.files.get("raw/graphics/inxi.txt")
    body = ["### System information", ""]
    if inxi:
        body += ["`inxi -GSC -xx`:", "", "```", inxi.decode("utf-8", "replace").rstrip(), "```", ""]
    else:
        body += ["The facts of `inxi -GSC -xx` (inxi was not run on this source):", "", "```", *_inxi_facts(ctx)]
        body += ["```", ""]
    gpus = gpu_lines(ctx)
    body += [f"- OS: {value(f.distro)}", f"- GPU: {'; '.join(gpus)}"]
    body += [f"- Kernel version: {value(f.proc_version or f.kernel_release)}"]
    body += [f"- Mesa version: {value(f.gl.get('version') or f.mesa)}"]
    body += ["- Xserver version (if applicable): " + ("see the session below" if f.session else value(None))]
    body += [f"- Desktop manager and compositor: {value(f.session)}", ""]
    body += ["### Describe the issue", "", *summary_lines(ctx), "", "Steps to reproduce:", "", *steps_lines(ctx), ""]
    body += ["### Regression", ""]
    body += regression_lines(ctx) or ["_Unknown: a capture of a version that worked would tell (see missing.md)._", ""]
    body += ["### Log files as attachment", ""]
    body += attached_lines(ctx)
    body += ["", *log_note(ctx), "", "### Screenshots/video files (if applicable)", "", "_None attached._", ""]
    body += ["### Any extra information would be greatly appreciated", ""]
    if f.gl:
        body += [
            f"- OpenGL renderer: {f.gl.get('renderer', '?')}, direct rendering: {f.gl.get('direct_rendering', '?')}"
        ]
    return finish(ctx, why, regression_title(ctx, default_title(ctx)), body)


def render_kernel(ctx: Ctx, why: str) -> BugReport:
    f = ctx.facts
    kernel_log(ctx)
    ctx.attach("raw/pci/lspci-vvnnk.txt", "lspci-vvnnk.txt", "lspci -vvnnk")
    ctx.attach("raw/kernel/modules", "proc-modules.txt", "/proc/modules")
    ctx.attach("raw/kernel/config", "kernel-config.txt", "the kernel's build configuration (.config)")
    ctx.attach("raw/cpu/cpuinfo", "cpuinfo.txt", "/proc/cpuinfo")
    if not ctx.files.get("raw/kernel/config"):
        ctx.lack("the kernel's build configuration (.config)", "config")
    if not f.proc_version:
        ctx.lack("/proc/version", "kernel")
    if not f.uname_mi:
        ctx.lack("architecture (uname -mi)", "uname")
    if not f.distro:
        ctx.lack("Linux distribution", "distro")
    if f.taint is None:
        ctx.lack("the kernel's taint state", "taint")
    if f.out_of_tree is None:
        ctx.lack("loaded modules (out-of-tree, DKMS)", "modules")
    probs = ctx.problems()
    one_line = f"{probs[0].title}: {probs[0].summary} on {f.machine or 'this machine'}." if probs else ""
    first = ctx.title.strip() or (ctx.notes.strip().splitlines() or [""])[0]
    lead = one_line or (first.rstrip(".") + "." if first else "")
    if not lead:
        default_title(ctx)  # lists the missing title
    body = [lead or "_One sentence on the problem._", ""]
    body += ["The detailed description:", "", *summary_lines(ctx, skip_title=True), ""]
    body += [f"- Kernel (`cat /proc/version`): {value(f.proc_version or f.kernel_release)}"]
    body += [f"- Linux distribution: {value(f.distro)}"]
    body += [f"- Architecture (`uname -mi`): {value(f.uname_mi)}"]
    kind = {"distribution": "a distribution's kernel, not vanilla", "vanilla": "vanilla", "custom": "custom build"}
    body += [f"- Vanilla or distribution kernel: {kind.get(f.kernel_kind or '', value(None))} ({f.kernel_kind_why})"]
    body += ["- Tainted: " + ("no (0)" if f.taint == 0 else value(None) if f.taint is None else f"yes ({f.taint})")]
    body += [f"  - {letter}: {meaning}" for letter, meaning in f.taint_flags]
    if f.out_of_tree is None:
        body += [f"- Out-of-tree/DKMS modules: {value(None)}"]
    else:
        body += [f"- Out-of-tree/DKMS modules: {', '.join(f.out_of_tree) or 'none loaded'}"]
    if f.dkms:
        body += ["  `dkms status`:", "", "  ```", *[f"  {x}" for x in f.dkms.splitlines()], "  ```"]
    body += [f"- Hardware: {value(f.machine)}; CPU {value(f.cpu)}; memory {value(f.memory)}"]
    body += [f"- GPU: {g}" for g in gpu_lines(ctx)]
    if f.cmdline:
        body += [f"- Kernel command line: `{f.cmdline}`"]
    body += ["", "How to reproduce:", "", *steps_lines(ctx), ""]
    body += regression_lines(ctx)
    body += ["Attached:", "", *attached_lines(ctx), "", *log_note(ctx)]
    return finish(ctx, why, regression_title(ctx, default_title(ctx)), body)


def render_fwupd(ctx: Ctx, why: str) -> BugReport:
    f = ctx.facts
    devices = ctx.files.get("raw/firmware/fwupdmgr-get-devices.txt")
    efi = ctx.files.get("raw/firmware/efibootmgr-v.txt")
    if not f.fwupd_version:
        ctx.lack("fwupd version", "fwupd_version")
    if not devices and not f.fwupd_devices:
        ctx.lack("fwupd device list", "fwupd_devices")
    if not efi:
        ctx.lack("efibootmgr -v", "efibootmgr")
    if not f.secure_boot:
        ctx.lack("Secure Boot state", "secure_boot")
    ctx.lack("efivar -l | grep fw and tree /boot", "efibootmgr", "efivar -l | grep fw; tree /boot")
    ctx.attach(
        "raw/firmware/fwupdmgr-get-devices.txt", "fwupdmgr-get-devices.txt", "fwupdmgr get-devices --show-all-devices"
    )
    kernel_log(ctx)
    body = ["**Describe the bug**", "", *summary_lines(ctx), ""]
    body += ["**Steps to Reproduce**", "", *steps_lines(ctx), ""]
    body += ["**Expected behavior**", "", "The firmware update applies and the device reports the new version.", ""]
    body += ["**fwupd version information**", "", "```shell", value(f.fwupd_version), "```", ""]
    body += ["Please note how you installed it (`apt`, `dnf`, `pacman`, source, etc): _(fill in)_", ""]
    body += ["<details>", "", "<summary>**fwupd device information**</summary>", "", "```shell"]
    if devices:
        body += [devices.decode("utf-8", "replace").rstrip()]
    else:
        body += [*f.fwupd_devices] or [value(None)]
    body += ["```", "", "</details>", ""]
    body += ["**System UEFI configuration**", "", "```shell"]
    body += [efi.decode("utf-8", "replace").rstrip() if efi else value(None), "```", ""]
    body += ["**Additional questions**", ""]
    body += [f"- Operating system and version: {value(f.distro)} (kernel {value(f.kernel_release)})"]
    body += ["- Have you tried rebooting? _(fill in)_"]
    body += ["- Is this a regression? " + ("yes, see below" if ctx.regression else "_(fill in)_")]
    nvme = any(b"nvme" in v for k, v in ctx.files.items() if k.startswith("raw/pci/"))
    body += [f"- Are you using an NVMe disk? {'yes (lspci lists an NVMe controller)' if nvme else '_(fill in)_'}"]
    body += [f"- Is secure boot enabled? {value(f.secure_boot)}"]
    lenovo = (f.machine or "").upper().startswith("LENOVO")
    body += [
        "- Is this a Lenovo system with 'Boot Order Lock' turned on in the BIOS? "
        + ("_(fill in)_" if lenovo else "not a Lenovo")
    ]
    body += ["", *regression_lines(ctx)]
    return finish(ctx, why, regression_title(ctx, default_title(ctx)), body)


def render_launchpad(ctx: Ctx, why: str, apport_file: bytes) -> BugReport:
    f = ctx.facts
    ctx.attachments.append(
        Attachment(
            "hwinspector.apport",
            apport_file,
            "apport problem report (apport's own keys: ProblemType, DistroRelease, Lspci, Lsusb, UdevDb, "
            "CurrentDmesg, dmi.*, DRM.* …); `ubuntu-bug hwinspector.apport` shows it before anything is sent",
            "apport",
        )
    )
    if not f.distro_release:
        ctx.lack("DistroRelease (the Ubuntu release)", "distro")
    if not f.uname_mi:
        ctx.lack("Architecture and Uname", "uname", "dpkg --print-architecture; uname -srm")
    if not f.kernel_release:
        ctx.lack("the running kernel (Uname, Package)", "kernel", "uname -srm; dpkg-query -W linux-image-$(uname -r)")
    if f.distro_release and f.distro_release.startswith("Ubuntu") and not ctx.files.get("raw/kernel/version_signature"):
        ctx.lack("ProcVersionSignature", "kernel", "cat /proc/version_signature")
    kernel_log(ctx)
    body = ["Summary:", "", *summary_lines(ctx), ""]
    body += ["Steps to reproduce:", "", *steps_lines(ctx), ""]
    body += ["What happens / what I expected:", "", "_(fill in)_", ""]
    body += regression_lines(ctx)
    body += [f"Release: {value(f.distro_release or f.distro)}", f"Kernel: {value(f.proc_version or f.kernel_release)}"]
    body += [f"Machine: {value(f.machine)}", ""]
    body += ["The attached hwinspector.apport carries the hardware data apport's hooks collect."]
    return finish(ctx, why, regression_title(ctx, default_title(ctx)), body)
