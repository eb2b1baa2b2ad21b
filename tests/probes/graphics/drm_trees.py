"""Fake sysfs/procfs/devfs trees of graphics stacks, shaped like the corpus machines (ids, slots, names)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from tests.probes.sysfs_builder import class_device, device, write_attrs

DATA = Path(__file__).resolve().parents[2] / "data"
ROOT = "/devices/pci0000:00"


def edid(name: str) -> bytes:
    """One of the project's own EDIDs (tests/data/edid/<name>.hex)."""
    return bytes.fromhex((DATA / "edid" / f"{name}.hex").read_text())


def broken_checksum(data: bytes, block: int = 0) -> bytes:
    b = bytearray(data)
    b[block * 128 + 127] ^= 0x5A
    return bytes(b)


def _link(link: Path, target: Path) -> None:
    link.parent.mkdir(parents=True, exist_ok=True)
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(os.path.relpath(target, link.parent))


def bind(sysfs: Path, devpath: str, bus: str, driver: str, module: str | None = None) -> None:
    """The ``driver`` link (and the driver's ``module`` link) the way the driver core makes them."""
    d = sysfs / devpath.lstrip("/")
    drv = sysfs / "bus" / bus / "drivers" / driver
    drv.mkdir(parents=True, exist_ok=True)
    _link(d / "driver", drv)
    _link(drv / d.name, d)
    if module:
        (sysfs / "module" / module).mkdir(parents=True, exist_ok=True)
        _link(drv / "module", sysfs / "module" / module)


def pci_gpu(
    sysfs: Path,
    slot: str,
    ids: tuple[int, int],
    *,
    parent: str = ROOT,
    cls: int = 0x030000,
    subsys: tuple[int, int] = (0x1028, 0x083A),
    driver: str | None = None,
    module: str | None = None,
    boot_vga: int | None = None,
    runtime: str = "active",
    **attrs: object,
) -> str:
    devpath = f"{parent}/{slot}"
    values: dict[str, object] = {
        "vendor": f"0x{ids[0]:04x}",
        "device": f"0x{ids[1]:04x}",
        "class": f"0x{cls:06x}",
        "subsystem_vendor": f"0x{subsys[0]:04x}",
        "subsystem_device": f"0x{subsys[1]:04x}",
        "power/runtime_status": runtime,
        "uevent": "\n".join(
            [
                *([f"DRIVER={driver}"] if driver else []),
                f"PCI_CLASS={cls:X}",
                f"PCI_ID={ids[0]:04X}:{ids[1]:04X}",
                f"PCI_SUBSYS_ID={subsys[0]:04X}:{subsys[1]:04X}",
                f"PCI_SLOT_NAME={slot}",
            ]
        ),
        **attrs,
    }
    if boot_vga is not None:
        values["boot_vga"] = boot_vga
    device(sysfs, devpath, "pci", values)
    if driver:
        bind(sysfs, devpath, "pci", driver, module)
    return devpath


def platform_dev(sysfs: Path, path: str, driver: str | None, compatible: str | None = None) -> str:
    devpath = f"/devices/platform/{path}"
    lines = [f"DRIVER={driver}"] if driver else []
    if compatible:
        lines += [f"OF_COMPATIBLE_0={compatible}", "OF_COMPATIBLE_N=1"]
    device(sysfs, devpath, "platform", {"uevent": "\n".join(lines)})
    if driver:
        bind(sysfs, devpath, "platform", driver)
    return devpath


def drm_card(sysfs: Path, owner: str, n: int, render: int | None = None) -> str:
    """cardN (and renderD<render>) under ``owner``, linked from /sys/class/drm, with their ``device`` links."""
    card = f"{owner}/drm/card{n}"
    class_device(sysfs, "drm", card, {"uevent": f"MAJOR=226\nMINOR={n}\nDEVNAME=dri/card{n}\nDEVTYPE=drm_minor"}, owner)
    if render is not None:
        class_device(
            sysfs,
            "drm",
            f"{owner}/drm/renderD{render}",
            {"uevent": f"MAJOR=226\nMINOR={render}\nDEVNAME=dri/renderD{render}\nDEVTYPE=drm_minor"},
            owner,
        )
    return card


def connector(
    sysfs: Path,
    card: str,
    name: str,
    *,
    status: str = "disconnected",
    enabled: bool | None = None,
    dpms: str | None = None,
    modes: tuple[str, ...] = (),
    edid_data: bytes = b"",
    connector_id: int = 0,
) -> str:
    """A connector as drm_sysfs.c shows it: status, enabled, dpms, modes, edid (empty when none)."""
    card_name = card.rsplit("/", 1)[-1]
    path = f"{card}/{card_name}-{name}"
    on = status == "connected" if enabled is None else enabled
    attrs: dict[str, object] = {
        "status": status,
        "enabled": "enabled" if on else "disabled",
        "dpms": dpms or ("On" if on else "Off"),
        "edid": edid_data,
        "connector_id": connector_id,
        "uevent": "",
    }
    class_device(sysfs, "drm", path, attrs, card)
    # drm_sysfs.c prints one mode per line, and nothing at all for none.
    (sysfs / path.lstrip("/") / "modes").write_text("".join(f"{m}\n" for m in modes))
    return path


def write(root: Path, files: Mapping[str, str]) -> None:
    for rel, text in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)


# --- machines -----------------------------------------------------------------------------------------


def hybrid_laptop(sysfs: Path) -> dict[str, str]:
    """Dell Latitude 3590 (checkbox CAPTURE_METADATA): i915 UHD 620 drives the panel, amdgpu Topaz renders."""
    igpu = pci_gpu(sysfs, "0000:00:02.0", (0x8086, 0x5917), driver="i915", module="i915", boot_vga=1)
    card0 = drm_card(sysfs, igpu, 0, render=128)
    connector(
        sysfs,
        card0,
        "eDP-1",
        status="connected",
        modes=("1920x1080", "1920x1080"),
        edid_data=edid("base-1.4-dp"),
        connector_id=95,
    )
    connector(sysfs, card0, "DP-1", connector_id=103)
    connector(sysfs, card0, "HDMI-A-1", connector_id=109)
    connector(
        sysfs,
        card0,
        "HDMI-A-2",
        status="connected",
        modes=("1920x1080", "1280x720"),
        edid_data=edid("cta-hdmi-hdr"),
        connector_id=115,
    )
    dgpu = pci_gpu(
        sysfs,
        "0000:01:00.0",
        (0x1002, 0x6900),
        parent=f"{ROOT}/0000:00:1c.0",
        cls=0x038000,
        driver="amdgpu",
        module="amdgpu",
        boot_vga=0,
        gpu_busy_percent=7,
        mem_busy_percent=3,
        mem_info_vram_used=268435456,
        vbios_version="113-C87301-U01",
    )
    fw = {"vce_fw_version": "0x34f10b00", "uvd_fw_version": "0x00000000", "smc_fw_version": "0x001b2b00"}
    write_attrs(sysfs / dgpu.lstrip("/") / "fw_version", fw)
    drm_card(sysfs, dgpu, 1, render=129)
    class_device(sysfs, "hwmon", f"{dgpu}/hwmon/hwmon1", {"name": "amdgpu", "power1_average": 5120000}, dgpu)
    write(
        sysfs / "kernel" / "debug" / "dri",
        {
            "0/gt0/uc/guc_info": "GuC firmware: i915/kbl_guc_70.1.1.bin\n\tstatus: RUNNING\n"
            "\tversion: wanted 70.1.0, found 70.1.1\n\tuCode: 336448 bytes\n",
            "0/gt0/uc/huc_info": "HuC firmware: i915/kbl_huc_4.0.0.bin\n\tstatus: RUNNING\n\tversion: found 4.0.0\n",
            "0/i915_dmc_info": "DMC initialized: yes\nfw loaded: yes\npath: i915/kbl_dmc_ver1_04.bin\nversion: 1.4\n",
            "1/amdgpu_firmware_info": "VCE feature version: 0, firmware version: 0x34f10b00\n"
            "UVD feature version: 0, firmware version: 0x00000000\n"
            "SMC feature version: 0, program: 0, firmware version: 0x001b2b00 (27.43.0)\n"
            "VBIOS version: 113-C87301-U01\n",
        },
    )
    return {"igpu": igpu, "dgpu": dgpu, "card0": card0}


def intel_nouveau_desktop(sysfs: Path) -> dict[str, str]:
    """Dell Vostro 270 (checkbox DELL_VOSTRO_270): nouveau GT 620 is the boot VGA; the i915 iGPU is class 0380."""
    dgpu = pci_gpu(
        sysfs,
        "0000:01:00.0",
        (0x10DE, 0x1049),
        parent=f"{ROOT}/0000:00:01.0",
        subsys=(0x10DE, 0x0977),
        driver="nouveau",
        module="nouveau",
        boot_vga=1,
    )
    card0 = drm_card(sysfs, dgpu, 0, render=128)
    connector(
        sysfs, card0, "DVI-I-1", status="connected", modes=("1280x1024",), edid_data=edid("analog-1.3"), connector_id=60
    )
    connector(
        sysfs,
        card0,
        "HDMI-A-1",
        status="connected",
        modes=("1920x1080",),
        edid_data=broken_checksum(edid("base-1.4-dp")),
        connector_id=62,
    )
    connector(sysfs, card0, "VGA-1", connector_id=64)
    igpu = pci_gpu(
        sysfs,
        "0000:00:02.0",
        (0x8086, 0x0152),
        cls=0x038000,
        subsys=(0x1028, 0x0582),
        driver="i915",
        module="i915",
        boot_vga=0,
    )
    card1 = drm_card(sysfs, igpu, 1, render=129)
    connector(sysfs, card1, "DP-1", connector_id=70)
    connector(
        sysfs,
        card1,
        "HDMI-A-2",
        status="connected",
        enabled=False,
        modes=("1920x1080",),
        edid_data=edid("cta-hdmi-hdr"),
        connector_id=72,
    )
    connector(sysfs, card1, "VGA-2", connector_id=74)
    return {"igpu": igpu, "dgpu": dgpu, "card0": card0, "card1": card1}


def raspberry_pi4(sysfs: Path) -> dict[str, str]:
    """Raspberry Pi 4 (checkbox RPI4B4G): vc4 scans out (card1), v3d renders (card0, renderD128)."""
    fb = platform_dev(sysfs, "3ea83000.framebuffer", "simple-framebuffer", "simple-framebuffer")
    vc4 = platform_dev(sysfs, "gpu", "vc4-drm", "brcm,bcm2711-vc5")
    card1 = drm_card(sysfs, vc4, 1)
    connector(
        sysfs,
        card1,
        "HDMI-A-1",
        status="connected",
        modes=("1920x1080",),
        edid_data=edid("base-1.4-dp"),
        connector_id=32,
    )
    connector(sysfs, card1, "DSI-1", connector_id=40)
    v3d = platform_dev(sysfs, "v3dbus/fec00000.v3d", "v3d", "brcm,2711-v3d")
    drm_card(sysfs, v3d, 0, render=128)
    return {"vc4": vc4, "v3d": v3d, "fb": fb, "card1": card1}


def nvidia_desktop(sysfs: Path, procfs: Path) -> dict[str, str]:
    """HP ProDesk 400 G2 (checkbox HP_400_G2): i915 boot VGA, NVS 310 on the proprietary driver."""
    igpu = pci_gpu(
        sysfs, "0000:00:02.0", (0x8086, 0x0412), subsys=(0x103C, 0x198E), driver="i915", module="i915", boot_vga=1
    )
    card0 = drm_card(sysfs, igpu, 0, render=128)
    connector(
        sysfs,
        card0,
        "HDMI-A-1",
        status="connected",
        modes=("1920x1080",),
        edid_data=edid("cta-hdmi-hdr"),
        connector_id=80,
    )
    connector(sysfs, card0, "VGA-1", connector_id=85)
    dgpu = pci_gpu(
        sysfs,
        "0000:01:00.0",
        (0x10DE, 0x107D),
        parent=f"{ROOT}/0000:00:01.0",
        subsys=(0x103C, 0x094E),
        driver="nvidia",
        module="nvidia",
        boot_vga=0,
    )
    drm_card(sysfs, dgpu, 1, render=129)
    write(
        procfs / "driver" / "nvidia",
        {
            "version": "NVRM version: NVIDIA UNIX x86_64 Kernel Module  390.157  Wed Oct 12 09:19:07 UTC 2022\n"
            "GCC version:  gcc version 12.2.0 (Debian 12.2.0-14)\n",
            "gpus/0000:01:00.0/information": "Model: \t\t NVS 310\nIRQ:   \t\t 35\nGPU UUID: \t GPU-2c3f0e1a-aaaa\n"
            "Video BIOS: \t 75.19.55.00.02\nBus Type: \t PCIe\nDMA Size: \t 40 bits\n"
            "Bus Location: \t 0000:01:00.0\nDevice Minor: \t 0\n",
        },
    )
    return {"igpu": igpu, "dgpu": dgpu}


def firmware_framebuffer_only(sysfs: Path) -> dict[str, str]:
    """An NVIDIA GPU whose driver never bound, leaving simpledrm on the EFI framebuffer as card0."""
    gpu = pci_gpu(sysfs, "0000:01:00.0", (0x10DE, 0x1F91), parent=f"{ROOT}/0000:00:01.0", boot_vga=1)
    fb = platform_dev(sysfs, "simple-framebuffer.0", "simple-framebuffer")
    card0 = drm_card(sysfs, fb, 0)
    connector(sysfs, card0, "Unknown-1", status="connected", modes=("1920x1080",), connector_id=31)
    return {"gpu": gpu, "fb": fb}


def virtio_vm(sysfs: Path) -> dict[str, str]:
    """A QEMU guest with virtio-vga: the card hangs off virtio0, whose parent is the PCI function."""
    pci = pci_gpu(
        sysfs,
        "0000:00:01.0",
        (0x1AF4, 0x1050),
        subsys=(0x1AF4, 0x1100),
        driver="virtio-pci",
        module="virtio_pci",
        boot_vga=1,
    )
    virtio = f"{pci}/virtio0"
    device(sysfs, virtio, "virtio", {"uevent": "DRIVER=virtio_gpu\nVIRTIO_ID=00000010"})
    bind(sysfs, virtio, "virtio", "virtio_gpu", "virtio_gpu")
    card0 = drm_card(sysfs, virtio, 0, render=128)
    connector(sysfs, card0, "Virtual-1", status="connected", modes=("1280x800",), connector_id=35)
    write_attrs(sysfs / "class" / "drm", {"version": "drm 1.1.0 20060810"})
    return {"pci": pci, "virtio": virtio}
