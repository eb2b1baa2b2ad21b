"""Each scorecard check on hand-made sections: what a udevadm dump does not carry (GL, EDID, thermal, logs)."""

from __future__ import annotations

import pytest

from hwinspector.probes.checks.base import Status
from hwinspector.probes.checks.devices import check_audio, check_bluetooth, check_camera, check_touch
from hwinspector.probes.checks.platform import (
    check_display,
    check_drivers,
    check_firmware,
    check_graphics,
    check_kernel,
)
from hwinspector.probes.checks.power import (
    check_ac,
    check_battery,
    check_cpu,
    check_power_profiles,
    check_suspend,
    check_thermal,
)
from tests.probes.checks.scorecard_sections import (
    DESKTOP_IDENTITY,
    GOOD_EDID,
    LAPTOP_IDENTITY,
    absent,
    connector,
    dev,
    devices,
    gl,
    gpu,
    log,
    make,
    pci,
    supply,
    temp_chip,
    usb_interface,
)

NO_DRM = "no DRM devices: /sys/class/drm lists no card and no display-class PCI device exists"
INTEL = gpu("0000:00:02.0", "i915", "Intel Corporation UHD Graphics 620")

# --- graphics --------------------------------------------------------------------------------------


def test_llvmpipe_on_a_machine_with_a_bound_gpu_fails() -> None:
    s = make(graphics={"gpus": [INTEL], "connectors": [], "problems": []}, gl=gl("llvmpipe (LLVM 15.0.6)", True))
    v = check_graphics(s)
    assert v.status is Status.FAIL
    assert "OpenGL renderer: llvmpipe (LLVM 15.0.6)" in v.evidence
    assert "LIBGL_ALWAYS_SOFTWARE" in v.hint


def test_hardware_renderer_passes_and_software_only_vulkan_warns() -> None:
    graphics = {"gpus": [INTEL], "connectors": [], "problems": []}
    assert check_graphics(make(graphics=graphics, gl=gl("Mesa Intel(R) UHD Graphics 620", False))).status is Status.PASS
    vk = {"devices": [{"device_name": "llvmpipe (LLVM 15.0.6, 256 bits)", "is_software": True}]}
    v = check_graphics(make(graphics=graphics, gl=gl("Mesa Intel(R) UHD Graphics 620", False), vulkan=vk))
    assert v.status is Status.WARNING and "lavapipe" in v.hint


def test_only_a_firmware_framebuffer_with_an_unbound_gpu_fails() -> None:
    graphics = {
        "gpus": [gpu("0000:01:00.0", None, "NVIDIA GM107"), gpu("efi-framebuffer.0", "efi-framebuffer", "fb", fb=True)],
        "connectors": [],
        "problems": [{"severity": "error", "detail": "only a firmware framebuffer drives the display"}],
    }
    v = check_graphics(make(graphics=graphics))
    assert v.status is Status.FAIL and v.summary == "no GPU driver bound"
    assert "only a firmware framebuffer drives the display" in v.evidence


def test_no_gpu_and_display_only_adapters_are_not_applicable() -> None:
    # The live VM: the probe found no DRM device at all; a QEMU guest with cirrus has no 3D engine.
    assert check_graphics(make(graphics=absent("graphics", NO_DRM))).status is Status.NA
    cirrus = {"gpus": [gpu("0000:00:02.0", "cirrus", "Cirrus Logic GD 5446")], "connectors": [], "problems": []}
    v = check_graphics(make(graphics=cirrus, gl=gl("llvmpipe", True)))
    assert v.status is Status.NA and "without a 3D engine" in v.summary


def test_graphics_not_in_source_is_not_applicable_not_a_fail() -> None:
    v = check_graphics(make())
    assert v.status is Status.NA and v.summary.endswith("not in this source")
    for why in ("not in this bundle", "structured/thermal.json in this bundle is damaged"):
        v = check_thermal(make(identity=LAPTOP_IDENTITY, thermal=absent("thermal", why)))
        assert v.status is Status.NA and v.summary.endswith("not in this source"), why


# --- drivers, firmware, kernel ---------------------------------------------------------------------


def _problem(kind: str, severity: str, name: str, detail: str) -> dict[str, object]:
    return {"kind": kind, "severity": severity, "name": name, "detail": detail, "path": None}


def test_drivers_fail_on_errors_warn_on_optional_pass_when_none() -> None:
    err = _problem("unbound", "error", "NVIDIA GM107", "3D controller needs a driver and has none")
    smbus = _problem("unbound", "warning", "SMBus", "SMBus has no driver")
    assert check_drivers(make(drivers={"problems": [smbus, err], "bindings": []})).status is Status.FAIL
    v = check_drivers(make(drivers={"problems": [smbus], "bindings": []}))
    assert v.status is Status.WARNING and v.evidence == ("SMBus: SMBus has no driver",)
    bindings = [{"driver": "i915", "devices": ["/devices/pci0000:00/0000:00:02.0"]}, {"driver": "x", "devices": []}]
    v = check_drivers(make(drivers={"problems": [], "bindings": bindings}))
    assert v.status is Status.PASS and v.evidence == ("1 devices bound to 1 drivers",)


FW_FAIL = "iwlwifi 0000:03:00.0: Direct firmware load for iwlwifi-8265-36.ucode failed with error -2"


def test_firmware_failure_in_the_kernel_log_fails() -> None:
    v = check_firmware(make(kernel_log=log("Linux version 6.8.0", FW_FAIL)))
    assert v.status is Status.FAIL
    assert v.evidence == ("failed: iwlwifi 0000:03:00.0: iwlwifi-8265-36.ucode (error -2)",)


def test_firmware_fallback_to_an_older_file_passes_with_evidence() -> None:
    # iwlwifi asks for the newest API first and logs which file it finally loaded.
    loaded = "iwlwifi 0000:03:00.0: loaded firmware version 34.0.1 8265-34.ucode op_mode iwlmvm"
    v = check_firmware(make(kernel_log=log(FW_FAIL, loaded)))
    assert v.status is Status.PASS and "fell back" in v.summary


def test_firmware_without_a_kernel_log() -> None:
    assert check_firmware(make(drivers={"problems": [], "bindings": []})).status is Status.NA
    fw = _problem("firmware", "error", "iwlwifi", "iwlwifi 0000:03:00.0: firmware x.bin failed to load")
    assert check_firmware(make(drivers={"problems": [fw], "bindings": []})).status is Status.FAIL


@pytest.mark.parametrize(
    ("flags", "status"),
    [
        ([["D", "kernel died recently (OOPS or BUG)"]], Status.FAIL),
        ([["W", "kernel issued a warning"]], Status.WARNING),
        ([["P", "proprietary module was loaded"], ["O", "externally-built module"]], Status.PASS),
        ([], Status.PASS),
    ],
)
def test_kernel_taint(flags: list[list[str]], status: Status) -> None:
    messages = log("BUG: kernel NULL pointer dereference, address: 0000000000000008") if status is Status.FAIL else []
    v = check_kernel(make(drivers={"problems": [], "bindings": [], "taint": {"flags": flags}}, kernel_log=messages))
    assert v.status is status
    if status is Status.FAIL:
        assert "log: BUG: kernel NULL pointer dereference, address: 0000000000000008" in v.evidence
    if flags and status is Status.PASS:
        assert "not by a crash" in v.summary


def test_kernel_taint_absent_from_a_dump_is_not_applicable() -> None:
    assert check_kernel(make(drivers={"problems": [], "bindings": [], "taint": None})).status is Status.NA


# --- displays --------------------------------------------------------------------------------------


def _display(*connectors: dict[str, object]) -> Status:
    return check_display(make(graphics={"gpus": [INTEL], "connectors": list(connectors), "problems": []})).status


def test_display_states() -> None:
    assert _display(connector("card1-eDP-1", "connected", GOOD_EDID)) is Status.PASS
    bad = {**GOOD_EDID, "checksum_ok": False}
    assert _display(connector("card1-eDP-1", "connected", bad)) is Status.FAIL
    assert _display(connector("card1-HDMI-A-1", "connected", None, "HDMI-A")) is Status.WARNING
    assert _display(connector("card1-DSI-1", "connected", None, "DSI")) is Status.PASS  # panels described by DT
    assert _display(connector("card1-HDMI-A-1", "disconnected", None)) is Status.WARNING
    assert _display(connector("card1-eDP-1", None, None)) is Status.NA  # a udev dump: no connector state


# --- battery and AC --------------------------------------------------------------------------------


def test_battery_reporting_charge_and_power_passes_and_hides_the_serial() -> None:
    bat = supply("BAT0", "Battery", present=True, status="Discharging", capacity_percent=74.0, power_watts=8.37,
                 manufacturer="Samsung SDI", model_name="DELL W7NKD78", serial_number="8179")  # fmt: skip
    v = check_battery(make(identity=LAPTOP_IDENTITY, power={"supplies": [bat]}))
    assert v.status is Status.PASS
    assert v.evidence == ("BAT0 (Samsung SDI DELL W7NKD78): 74 %, 8.37 W, discharging",)
    assert "8179" not in repr(v)


def test_battery_without_power_draw_warns_and_without_charge_fails() -> None:
    no_power = supply("BAT0", "Battery", present=True, status="Discharging", capacity_percent=50.0)
    assert check_battery(make(identity=LAPTOP_IDENTITY, power={"supplies": [no_power]})).status is Status.WARNING
    zero = supply("BAT0", "Battery", present=True, status="Discharging", capacity_percent=50.0, power_watts=0.0)
    assert check_battery(make(identity=LAPTOP_IDENTITY, power={"supplies": [zero]})).status is Status.WARNING
    blind = supply("BAT0", "Battery", present=True, status="Unknown", power_watts=3.0)
    assert check_battery(make(identity=LAPTOP_IDENTITY, power={"supplies": [blind]})).status is Status.FAIL


def test_laptop_without_battery_fails_desktop_is_not_applicable() -> None:
    assert check_battery(make(identity=LAPTOP_IDENTITY, power={"supplies": []})).status is Status.FAIL
    assert check_battery(make(identity=DESKTOP_IDENTITY, power={"supplies": []})).status is Status.NA
    # A wireless mouse's battery (scope Device) does not make a desktop portable.
    mouse = supply("hidpp_battery_0", "Battery", scope="Device", capacity_percent=80.0)
    assert check_battery(make(identity=DESKTOP_IDENTITY, power={"supplies": [mouse]})).status is Status.NA


def test_lid_switch_makes_a_machine_without_dmi_chassis_portable() -> None:
    lid = dev("/devices/LNXSYSTM:00/LNXSYBUS:00/PNP0C0D:00", "acpi", driver="button")
    v = check_ac(make(identity={"chassis_type": 2}, devices=devices(lid), power={"supplies": []}))
    assert v.status is Status.FAIL and v.evidence == ("portable: lid switch (ACPI PNP0C0D)",)


def test_usb_c_power_counts_as_an_adapter() -> None:
    ucsi = supply("ucsi-source-psy-USBC000:001", "USB", scope="System", online=True, usb_types=["C", "PD"])
    v = check_ac(make(identity=LAPTOP_IDENTITY, power={"supplies": [ucsi]}))
    assert v.status is Status.PASS and v.evidence == ("ucsi-source-psy-USBC000:001 (USB): online",)


# --- thermal, CPU ----------------------------------------------------------------------------------


def test_thermal_constants_are_implausible() -> None:
    good = {"hwmon": [temp_chip("coretemp", 53.0, 52.0)], "zones": []}
    assert check_thermal(make(thermal=good)).status is Status.PASS
    mixed = {"hwmon": [temp_chip("coretemp", 53.0), temp_chip("acpitz", 0.0)], "zones": [
        {"id": "thermal_zone3", "type": "INT3400", "temp_celsius": 127.0, "error": None}]}  # fmt: skip
    v = check_thermal(make(thermal=mixed))
    assert v.status is Status.WARNING and v.summary == "2 implausible reading(s)"
    assert any(e.startswith("acpitz temp1: 0 °C") for e in v.evidence)
    assert check_thermal(make(thermal={"hwmon": [temp_chip("it87", 127.0, -128.0)], "zones": []})).status is Status.FAIL


def test_no_sensor_fails_on_hardware_and_is_not_applicable_in_a_vm() -> None:
    empty = {"hwmon": [], "zones": [], "cooling": []}
    assert check_thermal(make(identity=LAPTOP_IDENTITY, thermal=empty)).status is Status.FAIL
    vm = make(identity={"vendor": "QEMU", "chassis_type": 1}, thermal=empty)
    assert check_thermal(vm).status is Status.NA


def _idle(name: str, usage: int, index: int = 1) -> dict[str, object]:
    return {"cpu": 0, "index": index, "name": name, "usage": usage, "disabled": False}


def test_cpu_scaling_and_idle() -> None:
    freq = [{"cpu": 0, "driver": "intel_pstate", "governor": "powersave", "hw_min_mhz": 400.0, "hw_max_mhz": 3400.0}]
    idle = [_idle("POLL", 5, 0), _idle("C1", 100), _idle("C6", 900, 2)]
    v = check_cpu(make(cpu={"cpufreq": freq, "cpuidle": idle}))
    assert v.status is Status.PASS
    assert v.evidence == ("cpufreq: intel_pstate, governor powersave, 400 to 3400 MHz", "cpuidle: C1, C6 entered")
    assert check_cpu(make(identity=LAPTOP_IDENTITY, cpu={"cpufreq": [], "cpuidle": idle})).status is Status.FAIL
    assert check_cpu(make(cpu={"cpufreq": freq, "cpuidle": [_idle("C1", 0)]})).status is Status.WARNING
    vm = make(identity={"vendor": "QEMU"}, cpu={"cpufreq": [], "cpuidle": [_idle("haltpoll idle", 10)]})
    assert check_cpu(vm).status is Status.PASS


# --- suspend, profiles -----------------------------------------------------------------------------

SLEEP = {"state": ["freeze", "mem", "disk"], "mem_sleep": ["s2idle", "deep"], "mem_sleep_current": "deep"}


def test_last_resume_clean_or_not() -> None:
    clean = log("PM: suspend entry (deep)", "ACPI: PM: Waking up from system sleep state S3", "PM: suspend exit")
    v = check_suspend(make(sleep=SLEEP, kernel_log=clean))
    assert v.status is Status.PASS and "last suspend (deep) resumed cleanly" in v.evidence
    broken = log(
        "PM: suspend entry (s2idle)",
        "PM: Device 0000:00:14.0 failed to resume async: error -110",
        "PM: suspend exit",
        "PM: suspend entry (deep)",
        "PM: suspend exit",
    )
    assert check_suspend(make(sleep=SLEEP, kernel_log=broken)).status is Status.PASS  # the last one was clean
    v = check_suspend(make(sleep=SLEEP, kernel_log=broken[:3]))
    assert v.status is Status.FAIL and v.summary == "the last suspend (s2idle) logged errors"
    untried = check_suspend(make(sleep=SLEEP, kernel_log=log("Linux version 6.8.0")))
    assert untried.status is Status.PASS and "not tried since boot" in untried.summary


def test_no_suspend_state() -> None:
    none = {"state": [], "mem_sleep": [], "mem_sleep_current": None}
    assert check_suspend(make(identity=LAPTOP_IDENTITY, sleep=none, kernel_log=[])).status is Status.FAIL
    vm = make(sleep=none, kernel_log=log("Hypervisor detected: KVM"))
    assert check_suspend(vm).status is Status.NA


def _ppd(**fields: object) -> dict[str, object]:
    profiles = [{"name": n, "driver": "intel_pstate", "cpu_driver": "intel_pstate", "platform_driver": "placeholder"}
                for n in ("power-saver", "balanced", "performance")]  # fmt: skip
    return {"available": True, "reason": "", "active_profile": "balanced", "profiles": profiles,
            "performance_degraded": "", **fields}  # fmt: skip


def test_power_profiles() -> None:
    v = check_power_profiles(make(services={"power-profiles": _ppd()}))
    assert v.status is Status.PASS and v.summary == "3 profiles available"
    degraded = check_power_profiles(make(services={"power-profiles": _ppd(performance_degraded="lap-detected")}))
    assert degraded.status is Status.WARNING
    gone = {"power-profiles": {"available": False, "reason": "net.hadess.PowerProfiles is not running"}}
    assert check_power_profiles(make(identity=LAPTOP_IDENTITY, services=gone)).status is Status.WARNING
    assert check_power_profiles(make(identity=DESKTOP_IDENTITY, services=gone)).status is Status.NA
    assert check_power_profiles(make()).status is Status.NA


# --- devices ---------------------------------------------------------------------------------------

HDA = "/devices/pci0000:00/0000:00:1f.3"


def test_audio_controller_without_driver_fails_bound_without_card_warns() -> None:
    assert check_audio(make(devices=devices(pci("0000:00:1f.3", "0x040300", None, "HD Audio")))).status is Status.FAIL
    bound = pci("0000:00:1f.3", "0x040300", "snd_hda_intel", "HD Audio")
    assert check_audio(make(devices=devices(bound))).status is Status.WARNING
    card = dev(f"{HDA}/sound/card0", "sound", name="HDA Intel PCH")
    v = check_audio(make(devices=devices(bound, card)))
    assert v.status is Status.PASS and v.evidence == ("card0: HDA Intel PCH (snd_hda_intel)",)


def test_bluetooth_interface_without_driver_fails() -> None:
    usb = "/devices/pci0000:00/0000:00:14.0/usb1/1-7"
    unbound = usb_interface(f"{usb}/1-7:1.0", "224/1/1", None, "Bluetooth")
    assert check_bluetooth(make(devices=devices(unbound))).status is Status.FAIL
    bound = usb_interface(f"{usb}/1-7:1.0", "224/1/1", "btusb", "Bluetooth")
    hci = dev(f"{usb}/1-7:1.0/bluetooth/hci0", "bluetooth")
    assert check_bluetooth(make(devices=devices(bound, hci))).status is Status.PASS


def test_camera_node_found_without_udev_properties() -> None:
    # A live machine without udevd: no ID_V4L_CAPABILITIES, but the node sits under a UVC interface.
    usb = "/devices/pci0000:00/0000:00:14.0/usb1/1-5"
    uvc = dev(f"{usb}/1-5:1.0", "usb", devtype="usb_interface", driver="uvcvideo", attrs={
        "bInterfaceClass": "0e", "bInterfaceSubClass": "01", "bInterfaceProtocol": "00"})  # fmt: skip
    node = dev(f"{usb}/1-5:1.0/video4linux/video0", "video4linux", name="video0 (Integrated_Webcam_HD)")
    assert check_camera(make(devices=devices(uvc, node))).status is Status.PASS
    assert check_camera(make(devices=devices(uvc))).status is Status.WARNING


def test_i2c_hid_touchpad_without_driver_fails() -> None:
    i2c = dev("/devices/pci0000:00/0000:00:15.1/i2c_designware.1/i2c-1/i2c-DELL083A:00", "i2c",
              props={"MODALIAS": "acpi:DELL083A:PNP0C50:"})  # fmt: skip
    v = check_touch(make(identity=LAPTOP_IDENTITY, devices=devices(i2c)))
    assert v.status is Status.FAIL and v.evidence == ("i2c-DELL083A:00: no driver",)
