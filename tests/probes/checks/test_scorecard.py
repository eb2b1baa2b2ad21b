"""The scorecard on real machines (checkbox udev dumps, the umockdev laptop), its summary, and odd input."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hwinspector.probes.checks.base import Status
from hwinspector.probes.checks.scorecard import CHECKS, identity_rows, machine_title, run_scorecard, summary_text
from hwinspector.probes.machine.identity import identity_from_dmi_modalias
from hwinspector.probes.machine.sections import SECTIONS, Section, sections_from_snapshot
from hwinspector.probes.machine.snapshot import load_snapshot
from tests.probes.checks.scorecard_sections import LAPTOP_IDENTITY, gl, log, make, supply

DUMPS = "udev/checkbox-udevadm_data"
LAPTOP = Path(__file__).resolve().parents[2] / "data" / "umockdev" / "laptop.umockdev"
P, W, F, NA = Status.PASS, Status.WARNING, Status.FAIL, Status.NA
# What a udevadm dump never carries: sensor readings, CPU states, /sys/power, services, the kernel log
# (so no firmware failures and no taint either).
NOT_IN_A_DUMP = ("thermal", "cpu", "suspend", "profiles", "firmware", "kernel")

# Expected verdicts, each justified from the dump's own records.
EXPECTED: dict[str, dict[str, Status]] = {
    # ct3 (desktop). i915 on 00:02.0 and nouveau on the GeForce GT 620 are both bound: accelerated.
    # The only unbound device is the 7 Series SMBus (a warning-class device for the drivers probe).
    # ath9k wlan0 and r8169 eth0; snd_hda_intel with card0 and card1; no USB Bluetooth, camera or
    # touchpad, and a desktop needs none of them, nor a battery.
    "DELL_VOSTRO_270.txt": {
        "graphics": P, "drivers": W, "battery": NA, "ac": NA, "audio": P, "network": P,
        "bluetooth": NA, "camera": NA, "fingerprint": NA, "touch": NA, "display": NA,
    },
    # DMI "Bochs", ct1: a QEMU guest. Cirrus GD 5446 is emulated VGA without 3D; no battery, no sound;
    # virtio-net eth0; every device bound.
    "QEMU_KVM.txt": {
        "graphics": NA, "drivers": P, "battery": NA, "ac": NA, "audio": NA, "network": P, "touch": NA,
    },
    # Latitude 5580, ct10 with a lid switch. The GeForce 940MX (01:00.0) and the Intel network
    # controller 8086:093c have no driver (the drivers probe rates both "needs a driver"); i915_bpo
    # drives the Intel GPU. BAT0 at 68 %, charging; AC online; Melfas touchscreen and DLL07D1 touchpad;
    # btusb hci0; uvcvideo video0 with ID_V4L_CAPABILITIES=:capture:; snd_hda_intel card0.
    "TOSHIBA_NVME.txt": {
        "graphics": W, "drivers": F, "network": F, "battery": P, "ac": P, "touch": P, "camera": P,
        "bluetooth": P, "audio": P, "fingerprint": NA,
    },
    # ThinkPad T420, ct10. The ACPI battery PNP0C0A is bound to "battery" but there is no BAT
    # power_supply: the slot is empty. AC online. Upek 147e:2016 is a fingerprint sensor; SynPS/2
    # touchpad; Chicony integrated camera on uvcvideo; Broadcom BCM2045B on btusb.
    "LENOVO_T420.txt": {
        "battery": W, "ac": P, "fingerprint": P, "touch": P, "camera": P, "bluetooth": P, "graphics": P,
    },
    # HP Pavilion 14, ct10. The only "touchpad" is /devices/virtual/input "GlidePoint Virtual Touchpad",
    # a uinput device udev tags ID_INPUT_MOUSE: the kernel found no touchpad. MediaTek 0e8d:763f gives
    # hci0; fglrx_pci drives the Radeon; BAT0 present.
    "HP_PAVILION14_NOTEBOOK_MEDIATEK_BT.txt": {
        "touch": W, "bluetooth": P, "graphics": P, "battery": P, "ac": P, "camera": P,
    },
    # Raspberry Pi 4: no DMI, no battery. vc4-drm and v3d bound. The video4linux capture nodes belong
    # to bcm2835-isp (ID_V4L_PRODUCT), not a camera. raspberrypi-ts is a touchscreen.
    "RPI4B4G.txt": {"graphics": P, "camera": NA, "battery": NA, "touch": P, "network": P, "audio": P},
    # s390x: no display hardware at all, a qeth network interface enc600.
    "IBM_s390x_DASD.txt": {"graphics": NA, "display": NA, "network": P, "audio": NA, "battery": NA, "drivers": P},
    # Studio XPS 1340, ct8: BAT0 reports charge_now/charge_full and current_now x voltage_now; ADP0 AC
    # (no POWER_SUPPLY_TYPE in this old uevent: the ACPI0003 parent says Mains); nvidia drives both GPUs.
    "DELL_XPS1340.txt": {"battery": P, "ac": P, "graphics": P, "bluetooth": P, "touch": P},
    # Samsung N310 netbook: BAT1 with current_now; Synaptics touchpad; uvcvideo webcam; btusb.
    "SAMSUNG_N310.txt": {"battery": P, "ac": P, "touch": P, "camera": P, "bluetooth": P, "graphics": P},
}  # fmt: skip


def _verdicts(corpus: Path, name: str) -> dict[str, Any]:
    sections = sections_from_snapshot(load_snapshot(corpus / DUMPS / name))
    return {v.check: v for v in run_scorecard(sections)}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_dump_verdicts(corpus: Path, name: str) -> None:
    verdicts = _verdicts(corpus, name)
    assert list(verdicts) == [cid for cid, _ in CHECKS]
    got = {check: verdicts[check].status for check in EXPECTED[name]}
    assert got == EXPECTED[name]
    for check in NOT_IN_A_DUMP:
        assert verdicts[check].status is NA, check
        assert verdicts[check].summary.endswith("not in this source"), verdicts[check].summary
    assert not any(v.summary.startswith("the check itself failed") for v in verdicts.values())


def test_corpus_evidence_names_the_culprits(corpus: Path) -> None:
    toshiba = _verdicts(corpus, "TOSHIBA_NVME.txt")
    assert "Intel Corporation Network controller [8086:093c]: no driver" in toshiba["network"].evidence
    assert "NVIDIA Corporation GM107 [GeForce 940MX] (0000:01:00.0): driver none" in toshiba["graphics"].evidence
    t420 = _verdicts(corpus, "LENOVO_T420.txt")
    assert t420["fingerprint"].evidence == ("Upek Biometric Touchchip/Touchstrip Fingerprint Sensor (USB 147e:2016)",)


@pytest.mark.parametrize(
    ("name", "chassis"), [("LENOVO_T420.txt", 10), ("DELL_VOSTRO_270.txt", 3), ("QEMU_KVM.txt", 1)]
)
def test_chassis_type_from_the_dmi_modalias(corpus: Path, name: str, chassis: int) -> None:
    text = (corpus / DUMPS / name).read_text(errors="replace")
    modalias = next(line.split("=", 1)[1] for line in text.splitlines() if line.startswith("E: MODALIAS=dmi:"))
    assert identity_from_dmi_modalias(modalias).chassis_type == chassis


def test_placeholders_without_spaces_are_dropped(corpus: Path) -> None:
    # The N310's product_version is "Not Applicable"; the kernel strips spaces in the modalias.
    sections = sections_from_snapshot(load_snapshot(corpus / DUMPS / "SAMSUNG_N310.txt"))
    assert machine_title(sections) == "SAMSUNGELECTRONICSCO.,LTD. N310"
    rows = dict(identity_rows(sections))
    assert "Version" not in rows and rows["Operating system"] == "not in this source"


# --- the umockdev laptop: collect_live sees the recorded /sys --------------------------------------


@pytest.mark.skipif(shutil.which("umockdev-run") is None, reason="needs umockdev-run (Debian: umockdev)")
def test_live_laptop_recording_under_umockdev() -> None:
    env = {**os.environ, "TMPDIR": "/dev/shm" if os.access("/dev/shm", os.W_OK) else "/tmp"}
    proc = subprocess.run(
        ["umockdev-run", "-d", str(LAPTOP), "--", sys.executable, "-m", "hwinspector", "check", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    doc = json.loads(proc.stdout)
    status = {v["check"]: v["status"] for v in doc["verdicts"]}
    evidence = {v["check"]: v["evidence"] for v in doc["verdicts"]}
    # The recording: BAT0 74 %, power_now 8.372 W; AC and a UCSI USB-C source; eDP-1 with a valid LG
    # Display EDID; uvcvideo video0; iwlwifi wlp3s0; coretemp and friends at 35-53 °C; intel_pstate.
    assert status["battery"] == "pass" and evidence["battery"] == [
        "BAT0 (Samsung SDI DELL W7NKD78): 74 %, 8.37 W, discharging"
    ]
    assert status["ac"] == "pass" and status["display"] == "pass" and status["camera"] == "pass"
    assert evidence["network"] == ["wireless: wlp3s0 (iwlwifi)", "wlp3s0: iwlwifi → wlp3s0"]
    summary = {v["check"]: v["summary"] for v in doc["verdicts"]}
    assert status["network"] == "pass" and "Wi-Fi" in summary["network"]
    assert status["usbc"] == status["thunderbolt"] == status["bluetooth"] == "n/a"
    assert status["thermal"] == "pass" and status["cpu"] == "pass"
    # i915 and amdgpu are bound, but the recording's /dev/dri nodes are not real: Mesa renders on
    # llvmpipe, which is exactly the failure the check exists for (unless this host has no GL at all).
    assert status["graphics"] in ("pass", "fail")
    if status["graphics"] == "fail":
        assert any("llvmpipe" in e for e in evidence["graphics"])
    assert doc["identity"]["Chassis"] == "Notebook (10)" and doc["machine"] == "Dell Inc. Latitude 3590"
    assert proc.returncode == (1 if doc["result"] == "fail" else 0)
    # Serials of the recording (product, board, battery, product_uuid) appear nowhere.
    for secret in ("4JX9TN2", "CNCMK0082J0123", "8179", "4c4c4544-0034-4a10-8058-b4c04f544e32"):
        assert secret not in proc.stdout


# --- summary, identity -----------------------------------------------------------------------------


def _laptop_sections() -> dict[str, Section]:
    bat = supply("BAT0", "Battery", present=True, status="Charging", capacity_percent=80.0, power_watts=12.5,
                 serial_number="SERIAL-XYZ-123")  # fmt: skip
    identity = {**LAPTOP_IDENTITY, "bios_vendor": "ACME", "bios_version": "1.2.3", "bios_date": "01/02/2024",
                "firmware_type": "UEFI", "secure_boot": "enabled", "cpu_model": "ACME CPU", "cpu_cores": 4,
                "cpu_threads": 8, "microcode": "0x42", "memory_bytes": 16 * 2**30, "os_name": "Ubuntu 24.04 LTS",
                "kernel": "Linux 6.8.0", "architecture": "x86_64"}  # fmt: skip
    services = {"fwupd": {"available": True, "daemon_version": "1.9.16", "host_security_id": "HSI:2 (v1.9.16)"}}
    return make(
        identity=identity,
        power={"supplies": [bat]},
        gl=gl("Mesa Intel(R) Graphics", False),
        services=services,
        session={"type": "wayland", "desktop": ["GNOME"], "compositor": "mutter"},
        kernel_log=log("Direct firmware load for x"),
    )


def test_identity_rows() -> None:
    rows = dict(identity_rows(_laptop_sections()))
    assert rows["Processor"] == "ACME CPU (4 cores, 8 threads), microcode 0x42"
    assert rows["Firmware"] == "ACME 1.2.3 (01/02/2024) [UEFI]"
    assert rows["Secure Boot"] == "enabled"
    assert rows["Memory"] == "16.0 GiB"
    assert rows["Mesa"] == "24.0.5"
    assert rows["Firmware updates"] == "fwupd 1.9.16, HSI:2 (v1.9.16)"
    assert rows["Session"] == "wayland (GNOME, mutter)"
    assert rows["Chassis"] == "Notebook (10)"


def test_summary_text_for_chat() -> None:
    sections = _laptop_sections()
    text = summary_text(sections, run_scorecard(sections), now=0)
    assert text.startswith("ACME Book 14: hardware enablement summary (1970-01-01 00:00 UTC)\n")
    assert "  Kernel:           Linux 6.8.0 (x86_64)\n" in text
    assert "[PASS] Battery: present, reporting charge and power draw" in text
    assert "SERIAL-XYZ-123" not in text
    # the laptop has no touchpad in these sections: a warning, with its evidence and next step
    assert "[WARN] Touchpad and touchscreen: portable machine, but no touchpad found" in text
    assert "next: A laptop's touchpad is on I2C" in text


# --- odd input never breaks the scorecard ----------------------------------------------------------

# Keys the checks look for, so the generated documents reach deep into them, not only the first lookup.
KEYS = st.sampled_from(
    [
        "gpus", "connectors", "problems", "devices", "source", "supplies", "hwmon", "zones", "inputs",
        "cpufreq", "cpuidle", "state", "mem_sleep", "power-profiles", "fwupd", "taint", "flags",
        "bindings", "displays", "contexts", "edid", "name", "type", "value", "status", "driver", "path",
        "properties", "attributes", "subsystem", "devtype", "message", "priority", "profiles", "available",
        "usage", "temp_celsius", "kind", "capacity_percent", "power_watts", "chassis_type", "scope",
        "checksum_ok", "errors", "preferred_mode", "primary", "is_software", "device_name",
        "mem_sleep_current", "vendor", "INTERFACE", "PCI_CLASS", "MODALIAS", "ID_INPUT_TOUCHPAD",
    ]
)  # fmt: skip
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS | st.text(max_size=6), inner, max_size=5),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(SECTIONS), json_values, max_size=len(SECTIONS)))
def test_any_json_in_any_section_gives_a_verdict_per_check(parts: dict[str, Any]) -> None:
    sections = make(**parts)
    verdicts = run_scorecard(sections)
    assert [v.check for v in verdicts] == [cid for cid, _ in CHECKS]
    broken = [v for v in verdicts if v.summary.startswith("the check itself failed")]
    assert not broken, broken
