"""Each tracker's issue.md against that tracker's own template: a copy of its headings and field names here,
with the source of each; and the attachments each one's maintainers ask for."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hwinspector.report.bugreport.build import make_report
from tests.report.bugreport.helpers import amd_folder, filtered

# gitlab.freedesktop.org/drm/amd, .gitlab/issue_templates (the default template of drm/amd's new issue page)
AMD_TEMPLATE = [
    "## Brief summary of the problem:",
    "## Hardware description:",
    " - CPU:",
    " - GPU:",
    " - System Memory:",
    " - Display(s):",
    " - Type of Display Connection:",
    "## System information:",
    " - Distro name and Version:",
    " - Kernel version:",
    " - Custom kernel:",
    " - AMD official driver version:",
    "## How to reproduce the issue:",
    "## Attached files:",
    "### Screenshots/video files",
    "### Log files (for system lockups / game freezes / crashes)",
]
# gitlab.freedesktop.org/mesa/mesa, .gitlab/issue_templates/Default.md
MESA_TEMPLATE = [
    "### System information",
    "- OS:",
    "- GPU:",
    "- Kernel version:",
    "- Mesa version:",
    "- Xserver version (if applicable):",
    "- Desktop manager and compositor:",
    "### Describe the issue",
    "### Regression",
    "### Log files as attachment",
    "### Screenshots/video files (if applicable)",
    "### Any extra information would be greatly appreciated",
]
# github.com/fwupd/fwupd, .github/ISSUE_TEMPLATE/bug-report-uefi.md
FWUPD_TEMPLATE = [
    "**Describe the bug**",
    "**Steps to Reproduce**",
    "**Expected behavior**",
    "**fwupd version information**",
    "<summary>**fwupd device information**</summary>",
    "**System UEFI configuration**",
    "**Additional questions**",
    "- Operating system and version:",
    "- Have you tried rebooting?",
    "- Is this a regression?",
    "- Are you using an NVMe disk?",
    "- Is secure boot enabled?",
    "- Is this a Lenovo system with 'Boot Order Lock' turned on in the BIOS?",
]
# drm.pages.freedesktop.org/intel-docs/how-to-file-i915-bugs.html: what the page asks every report to state
INTEL_FIELDS = [
    "- System architecture:",
    "- Kernel version:",
    "- Linux distribution:",
    "- Machine or motherboard model:",
    "- Display connector:",
]
# Documentation/admin-guide/reporting-issues.rst ("Describe the issue in detail" and "Special handling")
KERNEL_FIELDS = [
    "The detailed description:",
    "- Kernel (`cat /proc/version`):",
    "- Linux distribution:",
    "- Architecture (`uname -mi`):",
    "- Vanilla or distribution kernel:",
    "- Tainted:",
    "- Out-of-tree/DKMS modules:",
    "How to reproduce:",
]


def _in_order(body: str, fields: list[str]) -> None:
    lines = body.splitlines()
    pos = 0
    for field in fields:
        found = next((i for i in range(pos, len(lines)) if lines[i].startswith(field)), None)
        assert found is not None, f"{field!r} missing or out of the template's order"
        pos = found + 1


@pytest.fixture
def amd(tmp_path: Path):  # type: ignore[no-untyped-def]
    return filtered(str(amd_folder(tmp_path)))


def _report(amd, tracker: str, **kw):  # type: ignore[no-untyped-def]
    return make_report(amd, tracker=tracker, title="Panel flickers", steps=["Boot", "Open a video"], **kw)


def test_drm_amd_follows_its_template_and_fills_every_field(amd) -> None:  # type: ignore[no-untyped-def]
    r = _report(amd, "drm-amd")
    _in_order(r.body, AMD_TEMPLATE)
    assert "[1002:1681] (subsystem 17aa:22f1) at 33:00.0, driver amdgpu" in r.body
    assert "AMD Ryzen 7 PRO 6850U with Radeon Graphics" in r.body and "System Memory: 16 GiB" in r.body
    assert "Type of Display Connection: eDP (card1-eDP-1), HDMI-A (card1-HDMI-A-1)" in r.body
    assert "Display(s): HWI TEST 27" in r.body
    assert "Distro name and Version: Ubuntu 24.04.1 LTS" in r.body
    assert "Custom kernel: No (distribution kernel): /proc/version_signature: Ubuntu 6.8.0-45.45-generic" in r.body
    # amdgpu_firmware_info, ATOM BIOS and Display Core lines, as the drm/amd developers ask
    assert "SMC: 0x00413000 (65.48.0)" in r.body and "ATOM BIOS: 113-REMBRANDT-X37" in r.body
    assert "Display Core v3.2.266 initialized on DCN 3.1.2" in r.body
    names = [a.name for a in r.attachments]
    assert names == ["dmesg.txt", "lspci-vvnnk.txt", "edid-card1-eDP-1.bin", "amdgpu_firmware_info.txt"]
    # drm.debug is off in this log: the exact boot parameters are in what is missing
    assert any("drm.debug=0x1e log_buf_len=4M" in m.how for m in r.missing)
    assert r.title == "Panel flickers"


def test_intel_fields_and_what_i915_asks_for(amd) -> None:  # type: ignore[no-untyped-def]
    r = _report(amd, "drm-i915")
    _in_order(r.body, INTEL_FIELDS)
    assert "- System architecture: x86_64 x86_64" in r.body  # uname -mi
    assert any(m.item == "the VBT (i915_vbt)" and "i915_vbt" in m.how for m in r.missing)
    assert "Machine or motherboard model: LENOVO 21CF000GGE/21CF000GGE" in r.body


def test_mesa_template_with_the_facts_of_inxi_glxinfo_and_vulkaninfo(amd) -> None:  # type: ignore[no-untyped-def]
    r = _report(amd, "mesa")
    _in_order(r.body, MESA_TEMPLATE)
    assert "- Mesa version: 4.6 (Compatibility Profile) Mesa 24.0.9-0ubuntu0.1" in r.body
    assert "API: Vulkan v: 1.3.274 device: AMD Radeon 680M (RADV REMBRANDT) driver: radv" in r.body
    assert "Device-1: Advanced Micro Devices, Inc. [AMD/ATI] Rembrandt [Radeon 680M] driver: amdgpu" in r.body
    assert [a.name for a in r.attachments] == ["dmesg.txt", "glxinfo-B.txt", "vulkaninfo-summary.txt"]


def test_kernel_report_decodes_taint_flag_by_flag_and_names_out_of_tree_modules(amd) -> None:  # type: ignore[no-untyped-def]
    r = _report(amd, "kernel")
    _in_order(r.body, KERNEL_FIELDS)
    assert "- Tainted: yes (4608)" in r.body
    # 4608 = bit 9 (W) + bit 12 (O), in tainted-kernels.rst's words
    assert "  - W: kernel issued a warning" in r.body
    assert "  - O: externally-built (out-of-tree) module was loaded" in r.body
    assert "- Out-of-tree/DKMS modules: zfs (PO), v4l2loopback (OE)" in r.body
    assert "Linux version 6.8.0-45-generic (buildd@lcy02-amd64-075)" in r.body
    assert "a distribution's kernel, not vanilla" in r.body
    assert any("regression" in m.item for m in r.missing)


def test_fwupd_template_with_versions_devices_secure_boot_and_efibootmgr(amd) -> None:  # type: ignore[no-untyped-def]
    r = _report(amd, "fwupd")
    _in_order(r.body, FWUPD_TEMPLATE)
    assert "runtime   org.freedesktop.fwupd         1.9.16" in r.body
    assert "Update Error:       failed to run update on reboot" in r.body
    assert "BootOrder: 0001,0000" in r.body
    # partition GUIDs are filesystem identifiers: the privacy filter masks them as in a bundle
    assert "6a1c2b8e-3f4d-4c5a-9e0b-1d2c3b4a5f60" not in r.body
    assert "- Are you using an NVMe disk? yes" in r.body
    assert any(m.item == "Secure Boot state" for m in r.missing)


def test_launchpad_report_is_plain_text_and_carries_the_apport_file(amd) -> None:  # type: ignore[no-untyped-def]
    r = _report(amd, "launchpad")
    assert not re.search(r"^#", r.body, re.M)  # Launchpad shows descriptions as plain text
    assert "Release: Ubuntu 24.04" in r.body
    assert r.attachments[0].name == "hwinspector.apport"


def test_every_tracker_lists_its_template_source_and_no_attachment_over_its_limit(amd) -> None:  # type: ignore[no-untyped-def]
    from hwinspector.report.bugreport.trackers import TRACKERS

    for tid, tracker in TRACKERS.items():
        r = _report(amd, tid)
        assert tracker.template_source in r.body
        assert all(len(a.data) <= tracker.attachment_limit_bytes for a in r.attachments), tid
        assert r.to_json("issue.md")["tracker"] == tid
