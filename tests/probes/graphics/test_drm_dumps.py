"""The graphics chain from real captures: checkbox udev dumps, the laptop umockdev recording, prometheus
sysfs fixtures and linuxhw EDIDs (whose edid-decode text is the oracle for names and checksums)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from hwinspector.probes.devices.hwdb import default_database
from hwinspector.probes.devices.udevdump import read_dump
from hwinspector.probes.errors import ProbeUnavailable
from hwinspector.probes.graphics.drm import GraphicsChain, graphics_from_devices, read_graphics
from hwinspector.probes.graphics.kms import load_libdrm
from tests.probes.graphics import drm_trees as trees
from tests.probes.sysfs_builder import extract_ttar

DUMPS = "udev/checkbox-udevadm_data"
LAPTOP = Path(__file__).resolve().parents[2] / "data" / "umockdev" / "laptop.umockdev"

# Per machine: (address, driver, a piece of the model name, DRM cards), connectors, default GPU address.
MACHINES: dict[str, tuple[list[tuple[str, str | None, str, list[str]]], list[str], str | None]] = {
    "CAPTURE_METADATA.txt": (
        [
            ("0000:00:02.0", "i915", "UHD Graphics 620", ["card0"]),
            ("0000:01:00.0", "amdgpu", "Topaz XT", ["card1"]),
            ("efi-framebuffer.0", "efi-framebuffer", "Firmware framebuffer", []),
        ],
        ["card0-DP-1", "card0-HDMI-A-1", "card0-HDMI-A-2", "card0-eDP-1"],
        "0000:00:02.0",
    ),
    "DELL_VOSTRO_270.txt": (
        [
            ("0000:00:02.0", "i915", "3rd Gen Core processor Graphics", ["card1"]),
            ("0000:01:00.0", "nouveau", "GF119", ["card0"]),
        ],
        ["card0-DVI-I-1", "card0-HDMI-A-1", "card0-VGA-1", "card1-DP-1", "card1-HDMI-A-2", "card1-VGA-2"],
        "0000:01:00.0",
    ),
    "TOSHIBA_NVME.txt": (
        [
            ("0000:00:02.0", "i915_bpo", "HD Graphics 630", ["card1"]),
            ("0000:01:00.0", None, "GM107", []),
            ("efi-framebuffer.0", "efi-framebuffer", "Firmware framebuffer", []),
        ],
        ["card1-DP-1", "card1-DP-2", "card1-HDMI-A-1", "card1-HDMI-A-2", "card1-HDMI-A-3", "card1-eDP-1"],
        "0000:00:02.0",
    ),
    "RPI4B4G.txt": (
        [
            ("gpu", "vc4-drm", "brcm,bcm2711-vc5", ["card1"]),
            ("fec00000.v3d", "v3d", "brcm,2711-v3d", ["card0"]),
            ("3ea83000.framebuffer", "simple-framebuffer", "Firmware framebuffer", []),
        ],
        ["card1-DSI-1"],
        "fec00000.v3d",
    ),
    "HP_400_G2.txt": (
        [("0000:00:02.0", "i915", "Haswell", ["card0"]), ("0000:01:00.0", "nvidia", "NVS 310", ["card1"])],
        ["card0-HDMI-A-1", "card0-VGA-1"],
        "0000:00:02.0",
    ),
    "DELL_XPS1340.txt": (
        [("0000:02:00.0", "nvidia", "G210M", []), ("0000:03:00.0", "nvidia", "9400M", [])],
        [],
        None,
    ),
    "HP_PAVILION14_NOTEBOOK_MEDIATEK_BT.txt": (
        [("0000:00:01.0", "fglrx_pci", "Radeon HD 7500G", []), ("vesafb.0", "vesafb", "Firmware framebuffer", [])],
        [],
        None,
    ),
    "SAMSUNG_N310.txt": (
        [("0000:00:02.0", "i915", "945GSE", ["card0"])],
        ["card0-LVDS-1", "card0-VGA-1"],
        "0000:00:02.0",
    ),
    "QEMU_KVM.txt": ([("0000:00:02.0", "cirrus", "GD 5446", ["card0"])], [], "0000:00:02.0"),
    "LENOVO_T420.txt": (
        [("0000:00:02.0", "i915", "2nd Generation Core Processor Family", ["card0"])],
        [
            "card0-DP-1",
            "card0-DP-2",
            "card0-DP-3",
            "card0-HDMI-A-1",
            "card0-HDMI-A-2",
            "card0-HDMI-A-3",
            "card0-LVDS-1",
            "card0-VGA-1",
        ],
        "0000:00:02.0",
    ),
}


def dump_chain(corpus: Path, name: str) -> GraphicsChain:
    chain = graphics_from_devices(read_dump(corpus / DUMPS / name).devices)
    json.dumps(chain.to_json())
    return chain


@pytest.mark.parametrize("name", sorted(MACHINES))
def test_corpus_dump(corpus: Path, name: str) -> None:
    gpus, connectors, default = MACHINES[name]
    chain = dump_chain(corpus, name)
    assert [(g.address, g.driver, [c.name for c in g.cards]) for g in chain.gpus] == [
        (a, d, cards) for a, d, _, cards in gpus
    ]
    if default_database().available("pci"):  # dumps without udev's ID_MODEL_FROM_DATABASE need pci.ids
        for g, (_, _, model, _) in zip(chain.gpus, gpus, strict=True):
            assert model in g.name, (g.name, model)
    assert [c.name for c in chain.connectors] == connectors
    # udevadm dumps carry no sysfs attributes: no status, and no claim about the current mode either
    assert all(c.status is None and c.current_mode_note is None for c in chain.connectors)
    assert all(
        c.gpu == next(g.devpath for g in chain.gpus if c.card in [x.name for x in g.cards]) for c in chain.connectors
    )
    by_address = {g.address: g.devpath for g in chain.gpus}
    assert chain.default_gpu == (by_address[default] if default else None)


def test_corpus_problems_and_notes(corpus: Path) -> None:
    toshiba = dump_chain(corpus, "TOSHIBA_NVME.txt")
    assert [(p.severity, p.subject, p.detail) for p in toshiba.all_problems] == [
        ("error", "0000:01:00.0", "no driver bound: no acceleration, no display outputs")
    ]
    samsung = dump_chain(corpus, "SAMSUNG_N310.txt")
    assert samsung.notes == ("0000:00:02.1: secondary display function of 0000:00:02.0, no driver needed",)
    assert samsung.all_problems == ()
    xps = dump_chain(corpus, "DELL_XPS1340.txt")
    assert xps.notes[0] == (
        "no DRM devices: 0000:02:00.0 is driven by nvidia, which has no DRM card; "
        "0000:03:00.0 is driven by nvidia, which has no DRM card"
    )
    laptop = dump_chain(corpus, "CAPTURE_METADATA.txt")
    intel = laptop.gpus[0]
    assert intel.boot_vga is True  # from udev's PRIMARY_DEVICE_FOR_DISPLAY on card0
    assert intel.cards[0].render_node == "/dev/dri/renderD128"
    vostro = dump_chain(corpus, "DELL_VOSTRO_270.txt")
    assert vostro.default_gpu_reason == "guessed: boot_vga is not recorded; the only VGA-compatible controller"


def test_s390x_has_no_graphics(corpus: Path) -> None:
    with pytest.raises(ProbeUnavailable, match="no DRM devices and no display-class PCI device"):
        dump_chain(corpus, "IBM_s390x_DASD.txt")


# --- the laptop recording: live reader under umockdev against the dump reader on the same file --------


def _comparable(chain: dict[str, Any]) -> dict[str, Any]:
    chain = dict(chain)
    chain.pop("source")
    chain["connectors"] = [{k: v for k, v in c.items() if k != "current_mode_note"} for c in chain["connectors"]]
    return chain


@pytest.mark.skipif(shutil.which("umockdev-run") is None, reason="needs umockdev-run (Debian: umockdev)")
def test_umockdev_laptop_live_matches_the_recording() -> None:
    script = (
        "import json; from hwinspector.probes.graphics.drm import read_graphics; "
        "print(json.dumps(read_graphics().to_json()))"
    )
    env = dict(os.environ)
    if os.access("/dev/shm", os.W_OK):
        env["TMPDIR"] = "/dev/shm"  # umockdev syncs every file it writes: 30x faster on tmpfs
    proc = subprocess.run(
        ["umockdev-run", "-d", str(LAPTOP), "--", sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr
    live = json.loads(proc.stdout)
    recorded = graphics_from_devices(read_dump(LAPTOP).devices).to_json()
    assert _comparable(live) == _comparable(recorded)
    assert [(g["address"], g["driver"], [c["name"] for c in g["cards"]]) for g in live["gpus"]] == [
        ("0000:00:02.0", "i915", ["card1"]),
        ("0000:01:00.0", "amdgpu", ["card0"]),
    ]
    conns = {c["name"]: c for c in live["connectors"]}
    edp = conns["card1-eDP-1"]
    assert (edp["status"], edp["enabled"], edp["dpms"], edp["modes"]) == ("connected", True, "On", ["1920x1080"] * 2)
    assert edp["monitor"] == "LG Display LP156WF6-SPK4 (LGD 0x0538, 34x19 cm)"
    # umockdev's /dev/dri/card1 is a pty: the KMS ioctls fail with ENOTTY, and that is said, not hidden
    if load_libdrm() is not None:
        assert edp["current_mode_note"] == "current mode unknown (/dev/dri/card1 is not a KMS device: ENOTTY)"
    assert conns["card1-HDMI-A-1"]["status"] == "disconnected"
    assert live["default_gpu"] == "/devices/pci0000:00/0000:00:02.0"


# --- prometheus procfs fixtures: a real amdgpu card0 and an i915 card1 with a connected HP monitor ----


def test_prometheus_sysfs_fixture(corpus: Path, tmp_path: Path) -> None:
    extract_ttar(corpus / "other" / "prometheus-procfs" / "fixtures.ttar", tmp_path, "fixtures/sys/class/drm")
    sysfs = tmp_path / "fixtures" / "sys"
    chain = read_graphics(sysfs, tmp_path / "dev", tmp_path / "proc", environ={})
    assert [(g.address, g.driver, g.vendor_id, g.device_id, g.boot_vga) for g in chain.gpus] == [
        ("0000:00:02.0", "i915", 0x8086, 0x5917, None),
        ("0000:09:00.0", "amdgpu", 0x1002, 0x687F, True),
    ]
    amd = chain.gpus[1]
    vbios = (sysfs / "class/drm/card0/device/vbios_version").read_text().strip()
    assert amd.firmware == (("VBIOS", vbios),)
    conns = {c.name: c for c in chain.connectors}
    assert list(conns) == ["card1-DP-1", "card1-DP-5"]
    dp5 = conns["card1-DP-5"]
    assert (dp5.status, dp5.enabled, dp5.dpms, len(dp5.modes), dp5.modes[0]) == (
        "connected",
        True,
        "On",
        27,
        "1920x1200",
    )
    # The fixture's EDID went through a lossy UTF-8 conversion (0xff became U+FFFD): the monitor is still
    # named in it, but the header is gone. The chain flags that instead of inventing a monitor.
    raw = (sysfs / "class/drm/card1/card1-DP-5/edid").read_bytes()
    assert b"HP ZR2440w" in raw and b"\xef\xbf\xbd" in raw
    assert dp5.edid is not None and dp5.monitor is None
    assert [p.detail for p in dp5.problems] == ["EDID error: block 0: no EDID header"]
    assert conns["card1-DP-1"].edid is None


# --- real monitors (linuxhw EDIDs) on a fake connector; edid-decode's text is the oracle --------------


def _linuxhw(corpus: Path, rel: str) -> tuple[bytes, str]:
    base = corpus / "edid" / "linuxhw-EDID" / "Digital" / rel
    return base.with_suffix(".bin").read_bytes(), base.with_suffix(".txt").read_text()


def test_real_monitor_names_and_checksums(corpus: Path, tmp_path: Path) -> None:
    dell, dell_txt = _linuxhw(corpus, "Dell/DEL41D0/AE7153E734EA")
    lg, lg_txt = _linuxhw(corpus, "Goldstar/GSM7666/DDD2A1285A8E")
    sysfs = tmp_path / "sys"
    gpu = trees.pci_gpu(sysfs, "0000:00:02.0", (0x8086, 0x9A49), driver="i915", boot_vga=1)
    card = trees.drm_card(sysfs, gpu, 0, render=128)
    trees.connector(sysfs, card, "DP-1", status="connected", modes=("3840x2160",), edid_data=dell, connector_id=1)
    trees.connector(sysfs, card, "HDMI-A-1", status="connected", modes=("1920x1080",), edid_data=lg, connector_id=2)
    conns = {c.name: c for c in read_graphics(sysfs, tmp_path / "dev", tmp_path / "proc", environ={}).connectors}
    assert "Display Product Name: 'DELL U4320Q'" in dell_txt
    assert conns["card0-DP-1"].monitor is not None and "DELL U4320Q" in conns["card0-DP-1"].monitor
    assert conns["card0-DP-1"].problems == ()
    # edid-decode: "Checksum: 0xa3 (should be 0xad)" in block 1
    assert "Checksum: 0xa3 (should be 0xad)" in lg_txt
    hdmi = conns["card0-HDMI-A-1"]
    assert hdmi.monitor is not None and "32LG5700" in hdmi.monitor
    assert [p.detail for p in hdmi.problems] == ["EDID checksum error: block 1: checksum mismatch (0xa3 != 0xad)"]
