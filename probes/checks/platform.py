"""Scorecard checks of the platform: graphics acceleration, drivers, firmware loads, displays, kernel health."""

from __future__ import annotations

import re
from typing import Any

from hwinspector.i18n import N_
from hwinspector.probes.checks.base import (
    Sections,
    Status,
    Verdict,
    as_dict,
    as_list,
    data,
    listed,
    not_in_source,
    reason,
    source_lacks,
    virtual_reason,
    worst,
)
from hwinspector.probes.graphics.gl.probe import is_software_renderer
from hwinspector.probes.kernel_log import LogLine, find_firmware_failures

# Display adapters that only scan out, with no 3D engine Mesa could drive: emulated VGA of hypervisors
# and the BMC graphics of servers. Rendering on the CPU is all they can offer, so it is no failure.
DISPLAY_ONLY_DRIVERS = frozenset(
    {"cirrus", "cirrus-qemu", "bochs", "bochs-drm", "qxl", "hyperv_drm", "hyperv_fb", "vboxvideo", "ast", "mgag200",
     "hibmc-drm", "simpledrm"}
)  # fmt: skip
# A kernel that died, saw a machine check, a bad page or a soft lockup is not healthy; a WARN_ON is a
# driver bug worth reading but the kernel went on (Documentation/admin-guide/tainted-kernels.rst).
CRASH_TAINTS = frozenset("DMBL")
WARNING_TAINTS = frozenset("W")
_OOPS = re.compile(r"^(BUG:|Oops|WARNING: CPU:|Kernel panic|general protection fault|watchdog: BUG: soft lockup)")
# A driver that names the firmware it ended up loading after a failed request fell back to an older
# file (iwlwifi asks for the newest API first; i915 and amdgpu for optional blobs).
_FW_LOADED = re.compile(r"(loaded|loading|using)\b.*firmware|firmware.*\b(loaded|version)", re.IGNORECASE)


# --- graphics --------------------------------------------------------------------------------------


def _gpu_line(g: dict[str, Any]) -> str:
    label, where = str(g.get("name") or "GPU"), str(g.get("address") or g.get("devpath") or "?")
    return N_("{label}{value}: driver {driver}").format(
        label=label, value="" if where in label else f" ({where})", driver=g.get("driver") or "none"
    )


def _renderer(gl: dict[str, Any]) -> tuple[str | None, bool | None]:
    """The renderer applications get by default, and whether any display renders in hardware."""
    displays = [as_dict(d) for d in as_list(gl.get("displays"))]
    primary = gl.get("primary")
    first = displays[primary] if isinstance(primary, int) and 0 <= primary < len(displays) else None
    renderer = None
    if first is not None:
        contexts = [as_dict(c) for c in as_list(first.get("contexts"))]
        renderer = next((c.get("renderer") for c in contexts if c.get("renderer")), None)
    usable = [d for d in displays if as_list(d.get("contexts")) and not d.get("error")]
    hardware = any(not d.get("is_software") for d in usable) if usable else None
    return renderer, hardware


def check_graphics(sections: Sections) -> Verdict:
    cid, title = "graphics", N_("Graphics acceleration")
    if source_lacks(sections, "graphics"):
        return not_in_source(cid, title, N_("the graphics stack is"))
    graphics = as_dict(data(sections, "graphics"))
    if not graphics:
        return Verdict(
            cid, title, Status.NA, N_("not applicable: no GPU on this machine"), (reason(sections, "graphics"),)
        )
    gpus = [as_dict(g) for g in as_list(graphics.get("gpus"))]
    real = [g for g in gpus if not g.get("firmware_framebuffer")]
    display_only = [g for g in real if g.get("driver") in DISPLAY_ONLY_DRIVERS]
    hw = [g for g in real if g not in display_only]
    evidence = [_gpu_line(g) for g in gpus]
    if not hw:
        what = (
            N_("a display adapter without a 3D engine") if display_only else N_("no GPU, only a firmware framebuffer")
        )
        vm = virtual_reason(sections)
        return Verdict(
            cid,
            title,
            Status.NA,
            N_("not applicable: {what}").format(what=what),
            tuple(evidence + ([N_("virtual machine: {vm}").format(vm=vm)] if vm else [])),
        )
    driven = [g for g in hw if g.get("driver")]
    statuses = [Status.PASS]
    hint = ""
    if not driven:
        statuses.append(Status.FAIL)
        hint = N_("No driver took the GPU: the Drivers page lists candidate modules; is nomodeset on the command line?")
    elif len(driven) < len(hw):
        statuses.append(Status.WARNING)
        hint = N_("A GPU has no driver: it cannot render or power down properly. See the Drivers page.")
    for p in as_list(graphics.get("problems")):
        p = as_dict(p)
        evidence.append(str(p.get("detail") or p))
        statuses.append(Status.FAIL if p.get("severity") == "error" else Status.WARNING)
    if source_lacks(sections, "gl"):
        evidence.append(N_("OpenGL: renderer not in this source"))
    else:
        gl = as_dict(data(sections, "gl"))
        renderer, hardware = _renderer(gl)
        if renderer:
            evidence.append(N_("OpenGL renderer: {renderer}").format(renderer=renderer))
        if hardware is False and driven:
            statuses.append(Status.FAIL)
            hint = N_(
                "OpenGL falls back to the CPU although a GPU driver is bound: check that Mesa has a driver for this "
                "GPU (glxinfo -B), that /dev/dri/renderD* is accessible, and that LIBGL_ALWAYS_SOFTWARE is unset."
            )
        elif not gl:
            evidence.append(N_("OpenGL: {reason}").format(reason=reason(sections, "gl")))
    vulkan = as_dict(data(sections, "vulkan"))
    vk_devices = [as_dict(d) for d in as_list(vulkan.get("devices"))]
    if vk_devices:
        names = [str(d.get("device_name") or "?") for d in vk_devices]
        evidence.append(N_("Vulkan devices: {names}").format(names=", ".join(names)))
        if driven and all(d.get("is_software") or is_software_renderer(str(d.get("device_name"))) for d in vk_devices):
            # Older GPUs (GeForce 600 with nouveau, Intel before Gen 7) have no Vulkan driver at all:
            # a software-only Vulkan is worth a look, not a failure.
            statuses.append(Status.WARNING)
            hint = hint or N_(
                "Vulkan has only a software device (lavapipe): install Mesa's Vulkan driver for this GPU."
            )
    status = worst(statuses)
    bound_drivers = ", ".join(f"{g.get('driver')}" for g in driven) or "none"
    summary = {
        Status.PASS: N_("hardware GPU driver bound ({bound_drivers})").format(bound_drivers=bound_drivers),
        Status.WARNING: N_("accelerated ({bound_drivers}), with a gap worth a look").format(
            bound_drivers=bound_drivers
        ),
        Status.FAIL: N_("not accelerated") if driven else N_("no GPU driver bound"),
    }.get(status, "")
    return Verdict(cid, title, status, summary, tuple(listed(evidence, 8)), hint)


# --- drivers ---------------------------------------------------------------------------------------


def check_drivers(sections: Sections) -> Verdict:
    cid, title = "drivers", N_("Drivers bound")
    if source_lacks(sections, "drivers"):
        return not_in_source(cid, title, N_("driver bindings are"))
    drivers = as_dict(data(sections, "drivers"))
    problems = [as_dict(p) for p in as_list(drivers.get("problems")) if as_dict(p).get("kind") == "unbound"]
    errors = [p for p in problems if p.get("severity") == "error"]
    lines = [
        f"{p.get('name') or p.get('path')}: {p.get('detail')}"
        for p in errors + [p for p in problems if p not in errors]
    ]
    if errors:
        return Verdict(
            cid,
            title,
            Status.FAIL,
            N_("{n} device(s) need a driver and have none").format(n=len(errors)),
            tuple(listed(lines)),
            N_(
                "The Drivers page shows the modules that match each device (modules.alias); "
                "a missing module or a failed probe is in the kernel log."
            ),
        )
    if problems:
        return Verdict(
            cid,
            title,
            Status.WARNING,
            N_("{n} minor device(s) without a driver").format(n=len(problems)),
            tuple(listed(lines)),
            N_("Usually optional (SMBus, vendor-specific USB interfaces): check each is expected to stay unbound."),
        )
    in_use = [as_dict(b) for b in as_list(drivers.get("bindings")) if as_list(as_dict(b).get("devices"))]
    count = sum(len(as_list(b.get("devices"))) for b in in_use)
    return Verdict(
        cid,
        title,
        Status.PASS,
        N_("every device that needs a driver has one"),
        (N_("{count} devices bound to {n} drivers").format(count=count, n=len(in_use)),),
    )


# --- firmware --------------------------------------------------------------------------------------


def _log_lines(sections: Sections) -> list[LogLine]:
    out = []
    for r in as_list(data(sections, "kernel_log")):
        r = as_dict(r)
        pri, t = r.get("priority"), r.get("time_us")
        out.append(
            LogLine(pri if isinstance(pri, int) else 6, t if isinstance(t, int) else None, str(r.get("message", "")))
        )
    return out


def check_firmware(sections: Sections) -> Verdict:
    cid, title = "firmware", N_("Firmware loads")
    failed: list[str] = []
    fell_back: list[str] = []
    if not source_lacks(sections, "kernel_log"):
        lines = _log_lines(sections)
        for f in find_firmware_failures(lines):
            prefix = f"{f.driver} {f.device}:"
            after = False
            recovered = False
            for line in lines:
                if line.message == f.message:
                    after = True
                elif after and line.message.startswith(prefix) and _FW_LOADED.search(line.message):
                    recovered = "failed" not in line.message
                    if recovered:
                        break
            text = f"{f.driver} {f.device}: {f.firmware}" + (
                N_(" (error {error})").format(error=f.error) if f.error is not None else ""
            )
            (fell_back if recovered else failed).append(text)
    elif not source_lacks(sections, "drivers"):
        problems = [as_dict(p) for p in as_list(as_dict(data(sections, "drivers")).get("problems"))]
        failed = [str(p.get("detail")) for p in problems if p.get("kind") == "firmware"]
        if not failed:
            return not_in_source(cid, title, N_("the kernel log is"))
    else:
        return not_in_source(cid, title, N_("the kernel log is"))
    evidence = [f"failed: {x}" for x in failed] + [N_("fell back to another file: {x}").format(x=x) for x in fell_back]
    if failed:
        return Verdict(
            cid,
            title,
            Status.FAIL,
            N_("{n} firmware file(s) failed to load").format(n=len(failed)),
            tuple(listed(evidence)),
            N_("Install or update linux-firmware (or the vendor's package) so the files exist under /lib/firmware."),
        )
    summary = N_("no firmware load failures in the kernel log")
    if fell_back:
        summary = N_("no firmware missing; a driver fell back to an older file")
    return Verdict(cid, title, Status.PASS, summary, tuple(listed(evidence)))


# --- displays --------------------------------------------------------------------------------------


def check_display(sections: Sections) -> Verdict:
    cid, title = "display", N_("Display and EDID")
    if source_lacks(sections, "graphics"):
        return not_in_source(cid, title, N_("the graphics stack is"))
    graphics = as_dict(data(sections, "graphics"))
    connectors = [as_dict(c) for c in as_list(graphics.get("connectors"))]
    if not connectors:
        why = N_("no display connectors (no KMS driver, or a headless machine)")
        return Verdict(
            cid,
            title,
            Status.NA,
            N_("not applicable: {why}").format(why=why),
            (reason(sections, "graphics"),) if not graphics else (),
        )
    if all(c.get("status") is None for c in connectors):
        names = ", ".join(str(c.get("name")) for c in connectors)
        return Verdict(cid, title, Status.NA, N_("not applicable: connector state is not in this source"), (names,))
    connected = [c for c in connectors if c.get("status") == "connected"]
    if not connected:
        return Verdict(
            cid,
            title,
            Status.WARNING,
            N_("no display connected"),
            tuple(listed([f"{c.get('name')}: {c.get('status')}" for c in connectors])),
            N_("Connect a monitor, or check the panel's cable and the driver's link training in the kernel log."),
        )
    statuses, evidence = [], []
    for c in connected:
        edid = as_dict(c.get("edid"))
        label = str(c.get("name"))
        if not edid:
            if c.get("type") == "DSI":  # MIPI DSI panels are described by the device tree, not an EDID
                statuses.append(Status.PASS)
                evidence.append(N_("{label}: connected, DSI panel (no EDID by design)").format(label=label))
            else:
                statuses.append(Status.WARNING)
                evidence.append(N_("{label}: connected but no EDID was read").format(label=label))
            continue
        errors = [str(e) for e in as_list(edid.get("errors"))]
        if not edid.get("checksum_ok", True) or errors:
            statuses.append(Status.FAIL)
            evidence.append(
                N_("{label}: EDID invalid: {errors}").format(
                    label=label, errors="; ".join(errors) or "checksum mismatch"
                )
            )
            continue
        statuses.append(Status.PASS)
        mode = as_dict(edid.get("preferred_mode"))
        size = (
            N_(", {width}x{height}@{refresh_hz}Hz").format(
                width=mode.get("width"), height=mode.get("height"), refresh_hz=mode.get("refresh_hz")
            )
            if mode
            else ""
        )
        evidence.append(
            N_("{label}: {monitor}{size}, EDID valid").format(
                label=label, monitor=c.get("monitor") or "monitor", size=size
            )
        )
    status = worst(statuses)
    summary = {
        Status.PASS: N_("{n} display(s) connected, EDID valid").format(n=len(connected)),
        Status.WARNING: N_("display connected without an EDID"),
        Status.FAIL: N_("a connected display has an invalid EDID"),
    }[status]
    hint = "" if status is Status.PASS else N_("The Graphics page decodes each EDID; compare with edid-decode.")
    return Verdict(cid, title, status, summary, tuple(listed(evidence)), hint)


# --- kernel ----------------------------------------------------------------------------------------


def check_kernel(sections: Sections) -> Verdict:
    cid, title = "kernel", N_("Kernel health")
    if source_lacks(sections, "drivers"):
        return not_in_source(cid, title, N_("the kernel's taint state is"))
    taint = as_dict(data(sections, "drivers")).get("taint")
    if not isinstance(taint, dict):
        return not_in_source(cid, title, N_("the kernel's taint state is"))
    flags = [(str(f[0]), str(f[1])) for f in as_list(taint.get("flags")) if isinstance(f, list | tuple) and len(f) == 2]
    oops = [line.message for line in _log_lines(sections) if _OOPS.match(line.message)]
    evidence = [N_("taint {letter}: {meaning}").format(letter=letter, meaning=meaning) for letter, meaning in flags] + [
        f"log: {m}" for m in oops[:3]
    ]
    letters = {letter for letter, _ in flags}
    hint = N_("Read the first oops or warning in the kernel log (journalctl -k -b): it names the driver.")
    if letters & CRASH_TAINTS:
        bad = "".join(sorted(letters & CRASH_TAINTS))
        return Verdict(
            cid,
            title,
            Status.FAIL,
            N_("kernel tainted by a crash ({bad})").format(bad=bad),
            tuple(listed(evidence)),
            hint,
        )
    if letters & WARNING_TAINTS:
        return Verdict(cid, title, Status.WARNING, N_("the kernel issued a warning (W)"), tuple(listed(evidence)), hint)
    if letters:
        return Verdict(
            cid,
            title,
            Status.PASS,
            N_("tainted ({letters}), but not by a crash").format(letters="".join(sorted(letters))),
            tuple(listed(evidence)),
        )
    return Verdict(cid, title, Status.PASS, N_("kernel not tainted"), tuple(listed(evidence)))
