"""fwupd and switcheroo-control through our own templates on a private system bus."""

from __future__ import annotations

import pytest

from hwinspector.probes.services.bus import FirmwareDevice, read_firmware_report, read_power_report
from tests.dbusmock_templates.mockbus import FWUPD_TEMPLATE, SWITCHEROO_TEMPLATE, PrivateSystemBus, private_system_bus

system_bus = pytest.fixture(private_system_bus)


def test_fwupd_devices_and_host_security(system_bus: PrivateSystemBus) -> None:
    system_bus.spawn(FWUPD_TEMPLATE)
    fw = read_firmware_report(timeout_s=5)
    assert fw.available, fw.reason
    assert (fw.daemon_version, fw.host_security_id, fw.tainted) == ("1.9.16", "HSI:1! (v1.9.16)", False)
    assert fw.devices_reason == fw.security_reason == ""
    by_name = {d.name: d for d in fw.devices}
    system = by_name["System Firmware"]
    assert (system.vendor, system.version, system.version_lowest, system.plugin) == (
        "LENOVO", "0.1.48", "0.1.40", "uefi_capsule",
    )  # fmt: skip
    assert system.flags == ("internal", "updatable", "require-ac", "supported", "registered", "needs-reboot")
    assert system.update_state == "success" and system.updatable
    assert system.guids == ("a4d5e7c0-3a4b-5c6d-8e9f-0a1b2c3d4e5f",)
    dbx = by_name["UEFI dbx"]
    assert dbx.parent_id == system.device_id and "can-verify" in dbx.flags and "only-offline" in dbx.flags
    me = by_name["Intel Management Engine"]
    assert me.flags == ("internal", "locked") and not me.updatable
    assert (me.update_state, me.update_error) == ("failed", "firmware update blocked by the platform")
    assert by_name["Samsung SSD 980 PRO 1TB"].serial and FirmwareDevice.IDENTIFYING_FIELDS == ("serial",)

    attrs = {a.appstream_id: a for a in fw.security_attrs}
    secure_boot = attrs["org.fwupd.hsi.Uefi.SecureBoot"]
    assert (secure_boot.hsi_level, secure_boot.result, secure_boot.success) == (1, "enabled", True)
    assert attrs["org.fwupd.hsi.Spi.Bioswe"].result == "not-enabled"
    ram = attrs["org.fwupd.hsi.EncryptedRam"]
    assert (ram.hsi_level, ram.result, ram.success, ram.flags) == (4, "not-supported", False, ("action-contact-oem",))
    lockdown = attrs["org.fwupd.hsi.Kernel.Lockdown"]
    assert lockdown.flags == ("runtime-issue", "action-config-os") and lockdown.hsi_level == 0
    assert attrs["org.fwupd.hsi.Kernel.Tainted"].flags == ("success", "runtime-issue")


def test_fwupd_without_devices_or_hsi_support(system_bus: PrivateSystemBus) -> None:
    system_bus.spawn(FWUPD_TEMPLATE, {"NoDevices": True, "HsiError": "org.freedesktop.fwupd.NotSupported"})
    fw = read_firmware_report(timeout_s=5)
    assert fw.available
    assert fw.devices == () and fw.devices_reason == ""  # NothingToDo means "none", not a failure
    assert fw.security_attrs == ()
    assert fw.security_reason == "fwupd answered org.freedesktop.fwupd.NotSupported: HSI not supported on this machine"


def test_fwupd_absent(system_bus: PrivateSystemBus) -> None:
    fw = read_firmware_report(timeout_s=5)
    assert not fw.available
    assert fw.reason.startswith("fwupd is not installed or not running (")
    assert "org.freedesktop.fwupd" in fw.reason


def test_switcheroo_gpus_default_and_environment(system_bus: PrivateSystemBus) -> None:
    system_bus.spawn(SWITCHEROO_TEMPLATE)
    sw = read_power_report(timeout_s=5).switcheroo
    assert sw.available and sw.has_dual_gpu is True
    intel, nvidia = sw.gpus
    assert sw.default_gpu == intel and intel.discrete is False
    assert intel.environment == (("DRI_PRIME", "pci-0000_00_02_0"),)
    assert nvidia.name.startswith("NVIDIA") and nvidia.default is False and nvidia.discrete is True
    assert nvidia.environment_text == (
        "__GLX_VENDOR_LIBRARY_NAME=nvidia __NV_PRIME_RENDER_OFFLOAD=1 __VK_LAYER_NV_optimus=NVIDIA_only"
    )


def test_switcheroo_absent_while_others_answer(system_bus: PrivateSystemBus) -> None:
    system_bus.spawn(FWUPD_TEMPLATE)
    report = read_power_report(timeout_s=5)
    assert not report.switcheroo.available
    assert "switcheroo-control is not installed or not running" in report.switcheroo.reason
    assert read_firmware_report(timeout_s=5).available
