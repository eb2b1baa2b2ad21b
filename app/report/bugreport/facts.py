"""The facts every tracker's template asks for, from one source's filtered outputs and sections.

Each fact says where it came from; a fact the source does not hold stays None (and the tracker lists it
as missing with the way to get it), never guessed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from hwinspector.probes.devices.drivers import decode_taint
from hwinspector.report.bugreport import parse as P

KERNEL_LOGS = ("raw/kernel/journal-k.txt", "raw/kernel/dmesg.txt")


@dataclass(frozen=True, slots=True)
class Gpu:
    name: str
    pci_id: str | None  # "1002:67ef"
    subsystem_id: str | None
    address: str | None
    driver: str | None


@dataclass(frozen=True, slots=True)
class Display:
    connector: str  # "card1-eDP-1"
    kind: str  # "eDP", "HDMI-A", "DP" …
    monitor: str | None
    mode: str | None


@dataclass(frozen=True)
class Facts:
    """One machine as the templates ask for it; ``where`` names each fact's source."""

    machine: str | None = None
    bios: str | None = None
    cpu: str | None = None
    memory: str | None = None
    gpus: tuple[Gpu, ...] = ()
    displays: tuple[Display, ...] | None = None  # None: connector state not in this source
    distro: str | None = None
    distro_release: str | None = None  # apport's form: "Ubuntu 24.04"
    kernel_release: str | None = None
    proc_version: str | None = None
    uname_mi: str | None = None
    kernel_kind: str | None = None
    kernel_kind_why: str = ""
    taint: int | None = None
    taint_flags: tuple[tuple[str, str], ...] = ()
    out_of_tree: tuple[str, ...] | None = None  # None: /proc/modules not in this source
    dkms: str | None = None
    cmdline: str | None = None
    drm_debug: int | None = None
    log_buf_len: str | None = None
    log_path: str | None = None  # the kernel log artifact that is attached
    log_from_boot: bool | None = None
    log_first_line: str | None = None
    gl: dict[str, str] = field(default_factory=dict)
    mesa: str | None = None
    vulkan: tuple[dict[str, str], ...] = ()
    session: str | None = None
    amdgpu_firmware: tuple[tuple[str, str], ...] = ()
    amdgpu_lines: tuple[str, ...] = ()
    intel_lines: tuple[str, ...] = ()
    gpu_dumps: tuple[str, ...] = ()
    vbt: str | None = None
    fwupd_version: str | None = None
    fwupd_devices: tuple[str, ...] = ()
    secure_boot: str | None = None
    efibootmgr: str | None = None
    where: dict[str, str] = field(default_factory=dict)

    @property
    def drivers(self) -> set[str]:
        return {g.driver for g in self.gpus if g.driver}


def _text(files: Mapping[str, bytes], path: str) -> str | None:
    data = files.get(path)
    if not data:
        return None
    return data.decode("utf-8", "replace")


def _data(sections: Mapping[str, Any], name: str) -> Any:
    sec = sections.get(name)
    if isinstance(sec, dict) and sec.get("available"):
        return sec.get("data")
    return None


def _size(n: int) -> str:
    gib = n / (1 << 30)
    return f"{gib:.0f} GiB" if gib >= 2 else f"{n >> 20} MiB"


def build_facts(files: Mapping[str, bytes], sections: Mapping[str, Any]) -> Facts:
    """Facts from filtered artifacts (path → bytes) and filtered sections (name → {"available","data"})."""
    f: dict[str, Any] = {}
    where: dict[str, str] = {}
    ident = _data(sections, "identity") or {}
    if not isinstance(ident, dict):
        ident = {}
    log_path = next((p for p in KERNEL_LOGS if files.get(p) and P.starts_at_boot(_text(files, p) or "")), None)
    log_path = log_path or next((p for p in KERNEL_LOGS[::-1] if files.get(p)), None)
    log = _text(files, log_path) if log_path else None
    lines = P.log_lines(log) if log else []
    dmi = _text(files, "raw/dmi/dmidecode.txt") or ""
    inxi = _text(files, "raw/graphics/inxi.txt") or ""

    # machine, firmware, CPU, memory
    title = " ".join(x for x in (ident.get("vendor"), ident.get("product"), ident.get("version")) if x)
    dmesg_dmi = P.first_match(lines, r"^DMI: (.+)$")
    if ident.get("devicetree_model"):
        f["machine"], where["machine"] = ident["devicetree_model"], "device tree"
    elif title:
        f["machine"], where["machine"] = title, "DMI"
    elif P.dmi_field(dmi, "System Information", "Product Name"):
        parts = [P.dmi_field(dmi, "System Information", k) for k in ("Manufacturer", "Product Name", "Version")]
        f["machine"], where["machine"] = " ".join(p for p in parts if p), "dmidecode"
    elif dmesg_dmi:
        f["machine"], where["machine"] = dmesg_dmi[1].split(", BIOS")[0], "kernel log (DMI: line)"
    elif P.dmi_field(dmi, "Base Board Information", "Product Name"):
        parts = [P.dmi_field(dmi, "Base Board Information", k) for k in ("Manufacturer", "Version", "Product Name")]
        f["machine"], where["machine"] = " ".join(p for p in parts if p), "dmidecode (base board)"
    elif P.inxi_value(inxi, "System"):
        f["machine"], where["machine"] = P.inxi_value(inxi, "System"), "inxi"
    bios = " ".join(x for x in (ident.get("bios_vendor"), ident.get("bios_version"), ident.get("bios_date")) if x)
    if not bios and dmesg_dmi and ", BIOS " in dmesg_dmi[1]:
        bios = dmesg_dmi[1].split(", BIOS ", 1)[1]
    f["bios"] = bios or None
    cpu = ident.get("cpu_model")
    if cpu:
        cores = [f"{ident[k]} {w}" for k, w in (("cpu_cores", "cores"), ("cpu_threads", "threads")) if ident.get(k)]
        f["cpu"], where["cpu"] = cpu + (f" ({', '.join(cores)})" if cores else ""), "identity"
    else:
        for path, key in (("raw/cpu/cpuinfo", "model name"), ("raw/cpu/lscpu.txt", "Model name")):
            value = P.colon_field(_text(files, path) or "", key)
            if value:
                f["cpu"], where["cpu"] = value, path
                break
        else:
            m = P.first_match(lines, r"smpboot: CPU0: (.+?)(?: \(family:|$)")
            if m:
                f["cpu"], where["cpu"] = m[1], "kernel log"
    mem = ident.get("memory_bytes")
    if isinstance(mem, int) and mem > 0:
        f["memory"], where["memory"] = _size(mem), "identity"
    elif P.dmi_memory_bytes(dmi):
        f["memory"], where["memory"] = _size(P.dmi_memory_bytes(dmi) or 0), "dmidecode"
    else:
        m = P.first_match(lines, r"^Memory: \d+K/(\d+)K available")
        if m:
            f["memory"], where["memory"] = _size(int(m[1]) << 10), "kernel log"

    # GPUs and displays
    gpus, where["gpus"] = _gpus(files, sections, lines)
    f["gpus"] = tuple(_inxi_driver(g, inxi) for g in gpus)
    f["displays"] = _displays(sections, files)

    # distribution and kernel
    osr = P.os_release(_text(files, "raw/os-release") or "")
    if ident.get("os_name") or osr.get("PRETTY_NAME"):
        f["distro"] = ident.get("os_name") or osr.get("PRETTY_NAME")
    elif P.inxi_value(inxi, "Distro"):
        f["distro"] = P.inxi_value(inxi, "Distro")
    if osr.get("NAME"):
        # apport's DistroRelease (package_info.get_os_version): NAME without " GNU/Linux", then VERSION_ID
        f["distro_release"] = f"{osr['NAME'].removesuffix(' GNU/Linux')} {osr.get('VERSION_ID', 'n/a')}"
    proc_version = (_text(files, "raw/kernel/version") or "").strip() or None
    proc_version = proc_version or (P.kernel_version_line(log) if log else None)
    f["proc_version"] = proc_version
    release = P.release_of(proc_version or "")
    if not release and isinstance(ident.get("kernel"), str):
        release = ident["kernel"].removeprefix("Linux ").strip() or None
    release = release or P.inxi_value(inxi, "Kernel")
    glx_text = _text(files, "raw/graphics/glxinfo-B.txt") or ""
    if not release:
        # Mesa's radeonsi/amdgpu renderer string names the running kernel: "(DRM 3.27.0, 4.19.28-1-MANJARO, …)"
        m = re.search(r"\(DRM [\d.]+, ([^,)\s]+)", glx_text)
        if m:
            release, where["kernel"] = m[1], "OpenGL renderer string"
    f["kernel_release"] = release.split()[0] if release else None
    uname = (_text(files, "raw/kernel/uname-mi.txt") or "").strip()
    arch = ident.get("architecture") if isinstance(ident.get("architecture"), str) else None
    f["uname_mi"] = uname or arch or P.inxi_value(inxi, "arch")
    signature = _text(files, "raw/kernel/version_signature")
    f["kernel_kind"], f["kernel_kind_why"] = P.kernel_kind(f["kernel_release"], proc_version, signature)
    _taint(f, files, sections)
    modules = _text(files, "raw/kernel/modules")
    f["out_of_tree"] = tuple(P.out_of_tree_modules(modules)) if modules else None
    f["dkms"] = (_text(files, "raw/kernel/dkms-status.txt") or "").strip() or None
    cmdline = (_text(files, "raw/kernel/cmdline") or "").replace("\0", " ").strip() or None
    if not cmdline:
        m = P.first_match(lines, r"^Command line: (.*)$")
        cmdline = m[1].strip() if m else None
    f["cmdline"] = cmdline
    debug = P.parse_int(_text(files, "raw/kernel/drm.debug"))
    if debug is None and cmdline:
        debug = P.parse_int(P.cmdline_param(cmdline, "drm.debug"))
    f["drm_debug"] = debug
    f["log_buf_len"] = P.cmdline_param(cmdline, "log_buf_len") if cmdline else None
    f["log_path"], f["log_from_boot"] = log_path, (P.starts_at_boot(log) if log else None)
    f["log_first_line"] = next((x for x in (log or "").splitlines() if x.strip()), None)

    # Mesa, Vulkan, session
    glx = glx_text
    f["gl"] = P.glx_facts(glx)
    gl_section = _data(sections, "gl") or {}
    f["mesa"] = P.mesa_version(glx, _text(files, "raw/graphics/eglinfo.txt") or "", str(gl_section)[:20000])
    f["vulkan"] = tuple(P.vulkan_devices(_text(files, "raw/graphics/vulkaninfo-summary.txt") or ""))
    sess = _data(sections, "session")
    if isinstance(sess, dict) and sess.get("type") not in (None, "none"):
        comp = sess.get("compositor")
        name = comp.get("name") if isinstance(comp, dict) else comp
        f["session"] = " ".join(str(x) for x in (sess.get("type"), name, " ".join(sess.get("desktop") or [])) if x)

    # driver-specific lines and dumps
    f["amdgpu_firmware"] = _amd_firmware(files, sections)
    f["amdgpu_lines"] = tuple(
        P.grep(lines, r"ATOM BIOS|Display Core|DMUB|DCN |SMU (?:is initialized|driver if version)|amdgpu: VRAM:")
    )
    f["intel_lines"] = tuple(
        P.grep(lines, r"(?:i915|xe) \S+: .*(?:GuC|HuC|DMC|GSC).*(?:firmware|version)|\[drm\] GPU HANG|GPU HANG")
    )
    f["gpu_dumps"] = tuple(
        sorted(p for p in files if re.match(r"raw/drm/.*(?:error-state|devcoredump)\.txt$", p) and _real_dump(files[p]))
    )
    f["vbt"] = next((p for p in sorted(files) if p.endswith("i915_vbt.bin") and files[p]), None)

    # firmware updates
    _fwupd(f, files, sections)
    sb = ident.get("secure_boot")
    if not sb:
        m = P.first_match(lines, r"(?i)secureboot: secure boot (enabled|disabled)|Secure boot (enabled|disabled)")
        sb = (m[1] or m[2]).lower() if m else None
    f["secure_boot"] = sb
    f["efibootmgr"] = "raw/firmware/efibootmgr-v.txt" if files.get("raw/firmware/efibootmgr-v.txt") else None
    return Facts(**f, where=where)


def _real_dump(data: bytes) -> bool:
    from hwinspector.report.bugreport.live_extra import NO_ERROR_STATE

    return bool(data.strip()) and not data.startswith(NO_ERROR_STATE)


def _taint(f: dict[str, Any], files: Mapping[str, bytes], sections: Mapping[str, Any]) -> None:
    value = P.parse_int(_text(files, "raw/kernel/tainted"))
    if value is None:
        drivers = _data(sections, "drivers")
        taint = drivers.get("taint") if isinstance(drivers, dict) else None
        if isinstance(taint, dict) and isinstance(taint.get("value"), int):
            value = taint["value"]
    if value is not None and value >= 0:
        f["taint"], f["taint_flags"] = value, decode_taint(value).flags


def _gpus(files: Mapping[str, bytes], sections: Mapping[str, Any], lines: list[str]) -> tuple[tuple[Gpu, ...], str]:
    graphics = _data(sections, "graphics")
    out: list[Gpu] = []
    if isinstance(graphics, dict):
        for g in graphics.get("gpus") or []:
            if not isinstance(g, dict) or g.get("firmware_framebuffer"):
                continue
            ids = f"{g['vendor_id']:04x}:{g['device_id']:04x}" if g.get("vendor_id") and g.get("device_id") else None
            sub = g.get("subsystem_ids")
            sub_id = f"{sub[0]:04x}:{sub[1]:04x}" if isinstance(sub, list) and len(sub) == 2 else None
            out.append(Gpu(str(g.get("name") or "GPU"), ids, sub_id, g.get("address"), g.get("driver")))
    if out and all(g.pci_id for g in out):
        return tuple(out), "graphics section"
    lspci = P.lspci_gpus(_text(files, "raw/pci/lspci-vvnnk.txt") or "")
    if lspci:
        merged = []
        for row in lspci:
            ids = row.get("ids") or _ids_from_log(lines, row.get("address") or "")
            merged.append(Gpu(str(row["name"]), ids, row.get("subsystem"), row.get("address"), row.get("driver")))
        return tuple(merged), "lspci"
    return tuple(out), "graphics section"


def _inxi_driver(g: Gpu, inxi: str) -> Gpu:
    """inxi's Graphics section names the driver where lspci was run without -k."""
    if g.driver or not inxi:
        return g
    vendor = g.name.split()[0].lower()
    for m in re.finditer(r"Device-\d+: (?P<name>.+?) driver: (?P<drv>[\w-]+)", inxi):
        if m["name"].split()[0].lower() == vendor or vendor.startswith(m["name"].split()[0].lower()):
            return Gpu(g.name, g.pci_id, g.subsystem_id, g.address, m["drv"])
    return g


def _ids_from_log(lines: list[str], address: str) -> str | None:
    """amdgpu/radeon log the ids at init: "(POLARIS11 0x1002:0x67EF 0x106B:0x018F 0xC2)"."""
    m = P.first_match(lines, r"initializing kernel modesetting \(\S+ 0x([0-9A-Fa-f]{4}):0x([0-9A-Fa-f]{4})")
    if m:
        return f"{m[1].lower()}:{m[2].lower()}"
    m = P.first_match(lines, rf"pci [0:]*{re.escape(address.split(':', 1)[-1])}: \[([0-9a-f]{{4}}):([0-9a-f]{{4}})\]")
    return f"{m[1]}:{m[2]}" if m and address else None


def _displays(sections: Mapping[str, Any], files: Mapping[str, bytes]) -> tuple[Display, ...] | None:
    graphics = _data(sections, "graphics")
    conns = graphics.get("connectors") if isinstance(graphics, dict) else None
    if isinstance(conns, list) and any(isinstance(c, dict) and c.get("status") for c in conns):
        out = []
        for c in conns:
            if not isinstance(c, dict) or c.get("status") != "connected":
                continue
            mode = c.get("current_mode")
            mode_text = None
            if isinstance(mode, dict) and mode.get("width"):
                mode_text = f"{mode['width']}x{mode['height']} @ {float(mode.get('refresh_hz') or 0):.2f} Hz"
            out.append(Display(str(c.get("name")), str(c.get("type") or "?"), c.get("monitor"), mode_text))
        return tuple(out)
    text = _text(files, "raw/drm/connectors.txt")
    if text:
        out = []
        for m in re.finditer(r"/(card\d+-([A-Za-z-]+)-\d+)/status: connected", text):
            out.append(Display(m[1], m[2], _monitor(files.get(f"raw/drm/{m[1]}.edid.bin")), None))
        return tuple(out)
    return None


def _monitor(edid: bytes | None) -> str | None:
    """Who made the monitor and which model, from its EDID (the serial is already masked)."""
    if not edid:
        return None
    from hwinspector.probes.graphics.chain import monitor_name
    from hwinspector.probes.graphics.edid.decode import decode_edid

    try:
        return monitor_name(decode_edid(edid))
    except (ValueError, IndexError):
        return None


def _amd_firmware(files: Mapping[str, bytes], sections: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    from hwinspector.probes.graphics.firmware import parse_amdgpu_firmware_info

    for path in sorted(files):
        if path.endswith("amdgpu_firmware_info.txt"):
            parsed = parse_amdgpu_firmware_info(files[path].decode("utf-8", "replace"))
            if parsed:
                return parsed
    graphics = _data(sections, "graphics")
    for g in graphics.get("gpus") or [] if isinstance(graphics, dict) else []:
        if isinstance(g, dict) and g.get("driver") == "amdgpu" and g.get("firmware"):
            return tuple((str(x[0]), str(x[1])) for x in g["firmware"] if isinstance(x, list) and len(x) == 2)
    return ()


def _fwupd(f: dict[str, Any], files: Mapping[str, bytes], sections: Mapping[str, Any]) -> None:
    services = _data(sections, "services")
    fw = services.get("fwupd") if isinstance(services, dict) else None
    version = (_text(files, "raw/firmware/fwupdmgr-version.txt") or "").strip()
    if isinstance(fw, dict) and fw.get("daemon_version"):
        version = version or f"fwupd daemon {fw['daemon_version']}"
    f["fwupd_version"] = version or None
    devices: list[str] = []
    if isinstance(fw, dict):
        for d in fw.get("devices") or []:
            if isinstance(d, dict):
                state = f" [{d['update_state']}: {d.get('update_error') or ''}]" if d.get("update_error") else ""
                devices.append(f"{d.get('name')} {d.get('version') or ''} ({d.get('plugin') or '?'}){state}".strip())
    f["fwupd_devices"] = tuple(devices)
