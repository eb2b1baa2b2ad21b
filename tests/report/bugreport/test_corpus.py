"""Reports from real machines' captures (the shared corpus, read in place): what a maintainer would need to act."""

from __future__ import annotations

from pathlib import Path

from hwinspector.report.bugreport.build import make_report
from tests.report.bugreport import apport_reader
from tests.report.bugreport.helpers import filtered, linked_folder


def _peracotta(corpus: Path, tmp_path: Path, machine: str) -> Path:
    other = sorted((corpus / "other" / "peracotta" / machine).glob("*.txt"))
    extra = [
        corpus / "lspci" / "peracotta" / machine / "lspci.txt",
        corpus / "drm" / "peracotta" / machine / "glxinfo.txt",
    ]
    return linked_folder(tmp_path, machine, other + extra)


def test_macbook_pro_2018_amdgpu_with_a_wrapped_kernel_log(corpus: Path, tmp_path: Path) -> None:
    """peracotta's 2018 MacBook Pro (Radeon Pro 555X, Polaris): its dmesg starts mid-boot."""
    src = filtered(str(_peracotta(corpus, tmp_path, "2018-castes-mbp")))
    r = make_report(src, tracker="drm-amd", title="Flicker after resume", steps=["suspend", "resume"])
    assert "[1002:67ef] at 01:00.0, driver amdgpu" in r.body  # lspci without -nn: the ids from amdgpu's init line
    assert "ATOM BIOS: 113-C97501U-005" in r.body and "Display Core initialized with v3.1.59" in r.body
    assert "Kernel version: 4.19.28-1-MANJARO" in r.body  # from the renderer string: "(DRM 3.27.0, 4.19.28-1-MANJARO"
    assert "it does NOT start at boot" in r.attachments[0].what
    assert "does not start at 'Linux version'" in r.body and "log_buf_len=4M" in r.body
    items = {m.item: m.how for m in r.missing}
    assert "log_buf_len=4M" in items["the start of the kernel log (it begins mid-boot: the ring buffer wrapped)"]
    assert "drm.debug=0x1e log_buf_len=4M" in items["a kernel log with DRM debug messages (drm.debug is off)"]
    assert "distribution name and version" in items  # not in these files: listed, not guessed
    assert "Apple Inc. MacBookPro15,1" in make_report(src, tracker="kernel").body  # from dmidecode's base board


def test_thinkpad_w520_i915_from_inxi_dmidecode_and_lspci(corpus: Path, tmp_path: Path) -> None:
    base = corpus / "other" / "nashrullahalifauzi-w520_thinkpad-w520"
    folder = linked_folder(
        tmp_path,
        "w520",
        [
            base / "inxi-full.md",
            base / "dmidecode.md",
            corpus / "lspci" / "nashrullahalifauzi-w520_thinkpad-w520" / "lspci.md",
        ],
    )
    src = filtered(str(folder))
    r = make_report(src, tracker="drm-i915", title="External monitor stays black")
    assert "- System architecture: x86_64" in r.body
    assert "- Kernel version: 6.1.0-26-amd64" in r.body and "distribution kernel" in r.body
    assert "- Linux distribution: Debian GNU/Linux 12 (bookworm)" in r.body
    assert "- Machine or motherboard model: LENOVO 42763KU ThinkPad W520" in r.body
    assert "driver i915" in r.body and "driver nouveau" in r.body  # lspci without -k: drivers from inxi
    mesa = make_report(src, tracker="mesa")
    assert "R9PFND0" not in mesa.body and "1ZKBX26C2ED" not in mesa.body  # inxi's serials, masked
    assert "X.org v: 1.21.1.7" in mesa.body


def test_thinkpad_t420_udev_dump_auto_and_launchpad(corpus: Path) -> None:
    src = filtered(str(corpus / "udev" / "checkbox-udevadm_data" / "LENOVO_T420.txt"))
    auto = make_report(src)
    assert auto.tracker.id == "kernel" and auto.why  # nothing fails outright: the general tracker, said why
    assert (
        "Intel Corporation 2nd Generation Core Processor Family Integrated Graphics Controller [8086:0126]" in auto.body
    )
    assert any(m.item == "the kernel log from boot" for m in auto.missing)  # a udev dump holds no log
    assert auto.attachments == [] and "Nothing attached: this source holds none" in auto.body  # said, not blank
    lp = make_report(src, tracker="launchpad")
    fields = apport_reader.read(lp.attachments[0].data)
    assert fields["UdevDb"] and "P: /devices/pci0000:00/0000:00:02.0" in str(fields["UdevDb"])
    items = {m.item for m in lp.missing}
    assert {"DistroRelease (the Ubuntu release)", "Architecture and Uname"} <= items


def test_hp_prodesk_with_nvidia_and_i915(corpus: Path) -> None:
    src = filtered(str(corpus / "udev" / "checkbox-udevadm_data" / "HP_400_G2.txt"))
    r = make_report(src, tracker="kernel", title="Boot hangs with both GPUs enabled")
    assert "[8086:0412]" in r.body and "[10de:107d]" in r.body and "driver nvidia" in r.body
    assert r.title == "Boot hangs with both GPUs enabled"
