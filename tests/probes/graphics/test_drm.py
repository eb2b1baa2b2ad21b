"""The graphics chain on fake trees shaped like real machines: every link, every problem, the default GPU."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hwinspector.probes.devices.hwdb import default_database
from hwinspector.probes.devices.udevdump import read_dump
from hwinspector.probes.errors import ProbeUnavailable
from hwinspector.probes.graphics.chain import Context, assemble
from hwinspector.probes.graphics.drm import GraphicsChain, read_graphics
from hwinspector.probes.graphics.kms import KmsConnectorState, KmsMode, KmsReading, load_libdrm
from tests.probes.graphics import drm_trees as trees
from tests.probes.sysfs_builder import make_eio


@pytest.fixture
def roots(tmp_path: Path) -> tuple[Path, Path, Path]:
    sysfs, devfs, procfs = tmp_path / "sys", tmp_path / "dev", tmp_path / "proc"
    for d in (sysfs, devfs, procfs):
        d.mkdir()
    return sysfs, devfs, procfs


def chain(roots: tuple[Path, Path, Path], environ: dict[str, str] | None = None) -> GraphicsChain:
    sysfs, devfs, procfs = roots
    result = read_graphics(sysfs, devfs, procfs, environ or {})
    json.dumps(result.to_json())  # every chain must serialise for --json and the bundle
    return result


needs_pci_ids = pytest.mark.skipif(not default_database().available("pci"), reason="no pci.ids (Debian: hwdata)")


@needs_pci_ids
def test_hybrid_laptop_every_link(roots: tuple[Path, Path, Path]) -> None:
    paths = trees.hybrid_laptop(roots[0])
    ch = chain(roots)
    igpu, dgpu = ch.gpus
    # PCI device: ids, names from pci.ids, boot_vga
    assert (igpu.address, igpu.devpath, igpu.bus) == ("0000:00:02.0", paths["igpu"], "pci")
    assert (igpu.vendor_id, igpu.device_id, igpu.subsystem_ids, igpu.pci_class) == (
        0x8086,
        0x5917,
        (0x1028, 0x083A),
        0x030000,
    )
    assert igpu.vendor == "Intel Corporation" and igpu.model is not None and "UHD Graphics 620" in igpu.model
    assert dgpu.vendor is not None and "AMD" in dgpu.vendor and dgpu.model is not None and "Topaz" in dgpu.model
    assert (igpu.boot_vga, dgpu.boot_vga) == (True, False)
    # driver, module, firmware
    assert (igpu.driver, igpu.module, dgpu.driver, dgpu.module) == ("i915", "i915", "amdgpu", "amdgpu")
    assert igpu.firmware == (
        ("GuC", "70.1.1 (i915/kbl_guc_70.1.1.bin, RUNNING)"),
        ("HuC", "4.0.0 (i915/kbl_huc_4.0.0.bin, RUNNING)"),
        ("DMC", "1.4 (i915/kbl_dmc_ver1_04.bin)"),
    )
    # sysfs (VBIOS, then fw_version/* sorted; zero = not loaded), refined by debugfs's dotted SMC version
    assert dgpu.firmware == (("VBIOS", "113-C87301-U01"), ("SMC", "0x001b2b00 (27.43.0)"), ("VCE", "0x34f10b00"))
    # DRM card and render node, linked by their device links
    assert [(c.name, c.devnode, c.render_node, c.driver) for c in igpu.cards] == [
        ("card0", "/dev/dri/card0", "/dev/dri/renderD128", "i915")
    ]
    assert [(c.name, c.render_node) for c in dgpu.cards] == [("card1", "/dev/dri/renderD129")]
    # connectors: type, status, enabled, dpms, modes, EDID, monitor
    conns = {c.name: c for c in ch.connectors}
    assert list(conns) == ["card0-DP-1", "card0-HDMI-A-1", "card0-HDMI-A-2", "card0-eDP-1"]
    edp = conns["card0-eDP-1"]
    assert (edp.type, edp.index, edp.status, edp.enabled, edp.dpms) == ("eDP", 1, "connected", True, "On")
    assert (edp.card, edp.gpu, edp.connector_id, edp.modes) == ("card0", paths["igpu"], 95, ("1920x1080",) * 2)
    assert edp.edid is not None and edp.edid_hex == trees.edid("base-1.4-dp").hex()
    assert edp.monitor == "HWI TEST 27 (HWI 0x1234, 53x30 cm)"
    hdmi2 = conns["card0-HDMI-A-2"]
    assert hdmi2.edid is not None and hdmi2.edid.size_bytes == 256 and hdmi2.type == "HDMI-A"
    dp = conns["card0-DP-1"]
    assert (dp.status, dp.enabled, dp.dpms, dp.modes, dp.edid, dp.monitor) == (
        "disconnected",
        False,
        "Off",
        (),
        None,
        None,
    )
    # current mode: no /dev/dri in this tree; only connected connectors are expected to have one
    assert edp.current_mode is None
    assert edp.current_mode_note == f"current mode unknown (no access to {roots[1]}/dri/card0: ENOENT)"
    assert dp.current_mode_note is None
    # the default GPU and the hybrid note
    assert ch.default_gpu == paths["igpu"]
    assert "boot VGA" in ch.default_gpu_reason
    assert ch.notes == ("hybrid graphics: 0000:00:02.0 (i915) renders by default; also 0000:01:00.0 (amdgpu)",)
    assert ch.all_problems == ()


@pytest.mark.parametrize(
    ("prime", "default", "reason"),
    [
        ("1", "dgpu", "DRI_PRIME=1"),
        ("1!", "dgpu", "DRI_PRIME=1!"),
        ("0", "igpu", "DRI_PRIME=0"),
        ("pci-0000_01_00_0", "dgpu", "DRI_PRIME=pci-0000_01_00_0"),
        ("1002:6900", "dgpu", "DRI_PRIME=1002:6900"),
        ("8086:5917", "igpu", "DRI_PRIME=8086:5917"),
        ("2", "igpu", "DRI_PRIME=2 matches no GPU here"),
        ("pci-0000_05_00_0", "igpu", "matches no GPU here"),
    ],
)
def test_dri_prime_picks_the_renderer(roots: tuple[Path, Path, Path], prime: str, default: str, reason: str) -> None:
    paths = trees.hybrid_laptop(roots[0])
    ch = chain(roots, {"DRI_PRIME": prime})
    assert ch.default_gpu == paths[default]
    assert reason in ch.default_gpu_reason
    assert len(ch.gpus) == 2  # both are listed whichever renders


def test_intel_nouveau_desktop_problems_in_place(roots: tuple[Path, Path, Path]) -> None:
    paths = trees.intel_nouveau_desktop(roots[0])
    ch = chain(roots)
    assert [(g.address, g.driver, g.pci_class) for g in ch.gpus] == [
        ("0000:00:02.0", "i915", 0x038000),
        ("0000:01:00.0", "nouveau", 0x030000),
    ]
    assert ch.default_gpu == paths["dgpu"]  # boot_vga=1 on the discrete card here
    conns = {c.name: c for c in ch.connectors}
    assert list(conns) == [
        "card0-DVI-I-1",
        "card0-HDMI-A-1",
        "card0-VGA-1",
        "card1-DP-1",
        "card1-HDMI-A-2",
        "card1-VGA-2",
    ]
    bad = conns["card0-HDMI-A-1"]
    assert bad.edid is not None and not bad.edid.checksum_ok
    assert [(p.severity, p.subject) for p in bad.problems] == [("warning", "card0-HDMI-A-1")]
    assert bad.problems[0].detail.startswith("EDID checksum error: block 0: checksum mismatch")
    disabled = conns["card1-HDMI-A-2"]
    assert (disabled.status, disabled.enabled) == ("connected", False)
    assert [p.detail for p in disabled.problems] == ["monitor connected but the output is disabled"]
    assert {p.subject for p in ch.all_problems} == {"card0-HDMI-A-1", "card1-HDMI-A-2"}
    assert conns["card0-DVI-I-1"].problems == ()


def test_raspberry_pi_display_and_render_split(roots: tuple[Path, Path, Path]) -> None:
    paths = trees.raspberry_pi4(roots[0])
    ch = chain(roots)
    gpus = {g.devpath: g for g in ch.gpus}
    vc4, v3d, fb = gpus[paths["vc4"]], gpus[paths["v3d"]], gpus[paths["fb"]]
    assert (vc4.bus, vc4.driver, vc4.name) == ("platform", "vc4-drm", "brcm,bcm2711-vc5 (gpu)")
    assert [(c.name, c.render_node) for c in vc4.cards] == [("card1", None)]
    assert [(c.name, c.render_node) for c in v3d.cards] == [("card0", "/dev/dri/renderD128")]
    assert (fb.firmware_framebuffer, fb.driver, fb.cards) == (True, "simple-framebuffer", ())
    assert ch.default_gpu == paths["v3d"] and ch.default_gpu_reason == "the only GPU with a render node"
    assert ch.notes == ("display-only DRM device gpu (vc4-drm): it scans out what fec00000.v3d renders",)
    assert [c.name for c in ch.connectors] == ["card1-DSI-1", "card1-HDMI-A-1"]
    assert ch.all_problems == ()  # the fbdev simplefb next to vc4 is the Pi firmware's normal state


def test_nvidia_proprietary_firmware_and_offload(roots: tuple[Path, Path, Path]) -> None:
    paths = trees.nvidia_desktop(roots[0], roots[2])
    ch = chain(roots)
    nv = next(g for g in ch.gpus if g.driver == "nvidia")
    assert nv.module == "nvidia"
    assert nv.firmware == (("NVRM", "390.157 (proprietary kernel module)"), ("VBIOS", "75.19.55.00.02"))
    assert "GPU-2c3f0e1a" not in json.dumps(ch.to_json())  # the GPU UUID identifies the machine
    assert ch.default_gpu == paths["igpu"]
    offload = chain(roots, {"__NV_PRIME_RENDER_OFFLOAD": "1"})
    assert offload.default_gpu == paths["dgpu"]
    assert offload.default_gpu_reason == "__NV_PRIME_RENDER_OFFLOAD=1 (NVIDIA render offload)"


def test_nvidia_open_kernel_module_and_gsp(roots: tuple[Path, Path, Path]) -> None:
    trees.nvidia_desktop(roots[0], roots[2])
    trees.write(
        roots[2] / "driver" / "nvidia",
        {
            "version": "NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  550.54.14  Release Build  "
            "(dvs-builder@U16-I3-B03-4-3)  Thu Feb 22 01:25:25 UTC 2024\n",
            "gpus/0000:01:00.0/information": "Model: \t\t NVS 310\nVideo BIOS: \t 75.19.55.00.02\n"
            "GPU Firmware: \t 550.54.14\n",
        },
    )
    nv = next(g for g in chain(roots).gpus if g.driver == "nvidia")
    assert nv.firmware == (
        ("NVRM", "550.54.14 (open kernel module)"),
        ("VBIOS", "75.19.55.00.02"),
        ("GSP firmware", "550.54.14"),
    )


def test_only_a_firmware_framebuffer(roots: tuple[Path, Path, Path]) -> None:
    paths = trees.firmware_framebuffer_only(roots[0])
    ch = chain(roots)
    gpu = ch.gpu(paths["gpu"])
    assert gpu is not None and gpu.driver is None
    assert [(p.severity, p.detail) for p in gpu.problems] == [
        ("error", "no driver bound: no acceleration, no display outputs")
    ]
    assert [(p.severity, p.subject) for p in ch.problems] == [("error", "graphics")]
    assert ch.problems[0].detail.startswith(
        "only a firmware framebuffer (simple-framebuffer on simple-framebuffer.0) drives the display while "
        "0000:01:00.0 has no driver"
    )
    assert ch.default_gpu is None


def test_firmware_framebuffer_card_left_next_to_a_real_gpu(roots: tuple[Path, Path, Path]) -> None:
    sysfs = roots[0]
    trees.firmware_framebuffer_only(sysfs)
    trees.bind(sysfs, f"{trees.ROOT}/0000:00:01.0/0000:01:00.0", "pci", "nvidia", "nvidia")
    trees.drm_card(sysfs, f"{trees.ROOT}/0000:00:01.0/0000:01:00.0", 1, render=128)
    ch = chain(roots)
    assert [(p.severity, p.detail.split(":")[0]) for p in ch.problems] == [
        ("warning", "firmware framebuffer card card0 is still registered next to the GPU's own")
    ]


def test_virtio_card_belongs_to_the_pci_function(roots: tuple[Path, Path, Path]) -> None:
    paths = trees.virtio_vm(roots[0])
    ch = chain(roots)
    (gpu,) = ch.gpus
    assert (gpu.devpath, gpu.driver, gpu.module) == (paths["pci"], "virtio-pci", "virtio_pci")
    assert [(c.name, c.driver, c.render_node) for c in gpu.cards] == [("card0", "virtio_gpu", "/dev/dri/renderD128")]
    assert [(c.name, c.gpu) for c in ch.connectors] == [("card0-Virtual-1", paths["pci"])]


@pytest.mark.skipif(load_libdrm() is None, reason="libdrm.so.2 is not installed (Debian: libdrm2)")
def test_card_node_that_is_not_kms(roots: tuple[Path, Path, Path]) -> None:
    trees.hybrid_laptop(roots[0])
    (roots[1] / "dri").mkdir()
    (roots[1] / "dri" / "card0").write_bytes(b"")
    edp = next(c for c in chain(roots).connectors if c.name == "card0-eDP-1")
    assert edp.current_mode_note == f"current mode unknown ({roots[1]}/dri/card0 is not a KMS device: ENOTTY)"


def test_suspended_gpu_is_not_opened(roots: tuple[Path, Path, Path]) -> None:
    sysfs = roots[0]
    dgpu = trees.pci_gpu(sysfs, "0000:01:00.0", (0x1002, 0x73BF), driver="amdgpu", boot_vga=1, runtime="suspended")
    card = trees.drm_card(sysfs, dgpu, 0, render=128)
    trees.connector(sysfs, card, "DP-1", status="connected", modes=("3840x2160",), edid_data=trees.edid("base-1.4-dp"))
    (roots[1] / "dri").mkdir()
    (roots[1] / "dri" / "card0").write_bytes(b"")  # opening it would say "not a KMS device"
    (conn,) = chain(roots).connectors
    assert conn.current_mode_note == (
        "current mode unknown (0000:01:00.0 is runtime-suspended; not opened to keep it asleep)"
    )


def test_gpu_driver_without_drm_card(roots: tuple[Path, Path, Path]) -> None:
    trees.pci_gpu(roots[0], "0000:02:00.0", (0x10DE, 0x0A74), driver="nvidia", module="nvidia")
    ch = chain(roots)
    (gpu,) = ch.gpus
    assert gpu.notes == ("nvidia-drm is not loaded (or modeset=0): no DRM card; Wayland needs it",)
    assert ch.notes == ("no DRM devices: 0000:02:00.0 is driven by nvidia, which has no DRM card",)
    assert ch.default_gpu is None and ch.all_problems == ()


def test_broken_attributes_are_not_fatal(roots: tuple[Path, Path, Path]) -> None:
    paths = trees.hybrid_laptop(roots[0])
    conn_dir = roots[0] / paths["card0"].lstrip("/") / "card0-eDP-1"
    make_eio(conn_dir / "status")
    make_eio(conn_dir / "edid")
    make_eio(roots[0] / "kernel" / "debug" / "dri" / "1" / "amdgpu_firmware_info")
    ch = chain(roots)
    edp = next(c for c in ch.connectors if c.name == "card0-eDP-1")
    assert (edp.status, edp.edid, edp.enabled) == (None, None, True)
    dgpu = ch.gpus[1]
    assert ("VCE", "0x34f10b00") in dgpu.firmware  # sysfs still answers


def test_debugfs_unreadable_says_why(roots: tuple[Path, Path, Path]) -> None:
    sysfs = roots[0]
    igpu = trees.pci_gpu(sysfs, "0000:00:02.0", (0x8086, 0x5917), driver="i915", boot_vga=1)
    trees.drm_card(sysfs, igpu, 0, render=128)
    make_eio_dir = sysfs / "kernel" / "debug" / "dri" / "0" / "gt0" / "uc"
    make_eio_dir.mkdir(parents=True)
    make_eio(make_eio_dir / "guc_info")
    (gpu,) = chain(roots).gpus
    assert gpu.firmware == ()
    assert gpu.notes == ("i915 firmware versions are in debugfs, unreadable here (EIO; needs root)",)


def test_no_drm_and_no_display_device_is_unavailable(roots: tuple[Path, Path, Path]) -> None:
    trees.pci_gpu(roots[0], "0000:00:03.0", (0x1AF4, 0x1041), cls=0x020000, driver="virtio-pci")  # a NIC
    with pytest.raises(ProbeUnavailable, match=r"^no DRM devices: .*class/drm lists no card"):
        read_graphics(*roots, environ={})


def test_this_machine() -> None:
    """The live VM: without DRM and display controllers the probe says so instead of returning nothing."""
    has_display = any(
        (p / "class").read_text().startswith("0x03") for p in Path("/sys/bus/pci/devices").glob("*") if p.is_dir()
    )
    if Path("/sys/class/drm").exists() or has_display:
        ch = read_graphics()
        assert ch.gpus
    else:
        with pytest.raises(ProbeUnavailable, match=r"^no DRM devices"):
            read_graphics()


def test_connected_monitor_without_edid(roots: tuple[Path, Path, Path]) -> None:
    sysfs = roots[0]
    gpu = trees.pci_gpu(sysfs, "0000:00:02.0", (0x8086, 0x0126), driver="i915", boot_vga=1)
    card = trees.drm_card(sysfs, gpu, 0)
    trees.connector(sysfs, card, "VGA-1", status="connected", modes=("1024x768",))  # a KVM that eats DDC
    trees.connector(sysfs, card, "LVDS-1", status="connected", modes=("1366x768",))  # panels may have none
    conns = {c.name: c for c in chain(roots).connectors}
    assert [p.detail for p in conns["card0-VGA-1"].problems] == ["connected, but the monitor gave no EDID"]
    assert conns["card0-LVDS-1"].problems == ()


def test_current_mode_comes_from_the_kms_state_of_the_connector_id(data_dir: Path) -> None:
    """The link from a sysfs connector (connector_id) to the CRTC mode KMS reports for it."""
    devices = read_dump(data_dir / "umockdev" / "laptop.umockdev").devices
    card1 = "/devices/pci0000:00/0000:00:02.0/drm/card1"
    mode = KmsMode("1920x1080", 1920, 1080, 60.02, 138700, False, True)
    lit = Context(kms={card1: KmsReading({95: KmsConnectorState(95, 51, mode)})})
    edp = next(c for c in assemble(devices, lit).connectors if c.name == "card1-eDP-1")
    assert (edp.connector_id, edp.current_mode, edp.current_mode_note) == (95, mode, None)
    dark = Context(kms={card1: KmsReading({95: KmsConnectorState(95, None, None)})})
    edp = next(c for c in assemble(devices, dark).connectors if c.name == "card1-eDP-1")
    assert (edp.current_mode, edp.current_mode_note) == (None, "not lit: no CRTC drives this connector")
    other = Context(kms={card1: KmsReading({103: KmsConnectorState(103, None, None)})})
    edp = next(c for c in assemble(devices, other).connectors if c.name == "card1-eDP-1")
    assert edp.current_mode_note == "current mode unknown (KMS does not list this connector)"
