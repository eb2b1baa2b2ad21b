"""GPU trees as tools capture them (class/drm/cardN with ``device/`` a plain folder), written from public captures.

Values are those LACT's snapshot tests show for real cards (ilya-zlobintsev/LACT, tests/snapshots/, MIT;
named per tree below and in tests/data/SOURCES.md); only the attributes our readers use are written, none
is invented. The gpu_metrics blobs are the captured bytes (tests/data/gpu/*.gpu_metrics.hex, ``xxd -p``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "data" / "gpu"


def blob(name: str) -> bytes:
    return bytes.fromhex((DATA / f"{name}.gpu_metrics.hex").read_text())


def _write(root: Path, files: Mapping[str, object]) -> None:
    for rel, value in files.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(value, bytes):
            p.write_bytes(value)
        else:
            p.write_text(f"{value}\n")


def _uevent(driver: str, pci_id: str, slot: str) -> str:
    return f"DRIVER={driver}\nPCI_CLASS=30000\nPCI_ID={pci_id}\nPCI_SLOT_NAME={slot}"


# LACT tests/snapshots/amd/rx7800xt (Radeon RX 7800 XT, Navi 32): no power/ folder in the capture.
RX7800XT = {
    "device/uevent": _uevent("amdgpu", "1002:747E", "0000:03:00.0"),
    "device/gpu_busy_percent": 2,
    "device/power_dpm_force_performance_level": "manual",
    "device/pp_dpm_sclk": "0: 500Mhz\n1: 77Mhz *\n2: 2254Mhz",
    "device/pp_dpm_mclk": "0: 96Mhz \n1: 456Mhz *\n2: 772Mhz \n3: 1218Mhz ",
    "device/pp_dpm_socclk": "0: 300Mhz\n1: 750Mhz *\n2: 1500Mhz",
    "device/hwmon/hwmon4/name": "amdgpu",
    "device/hwmon/hwmon4/fan1_input": 868,
    "device/hwmon/hwmon4/pwm1": 89,
    "device/hwmon/hwmon4/freq1_input": 2011000000,
    "device/hwmon/hwmon4/freq1_label": "sclk",
    "device/hwmon/hwmon4/freq2_input": 456000000,
    "device/hwmon/hwmon4/freq2_label": "mclk",
    "device/hwmon/hwmon4/in0_input": 985,
    "device/hwmon/hwmon4/in0_label": "vddgfx",
    "device/hwmon/hwmon4/power1_average": 32000000,
    "device/hwmon/hwmon4/power1_cap": 236000000,
    "device/hwmon/hwmon4/power1_label": "PPT",
    "device/hwmon/hwmon4/temp1_input": 24000,
    "device/hwmon/hwmon4/temp1_label": "edge",
    "device/hwmon/hwmon4/temp2_input": 31000,
    "device/hwmon/hwmon4/temp2_label": "junction",
    "device/hwmon/hwmon4/temp3_input": 48000,
    "device/hwmon/hwmon4/temp3_label": "mem",
    "uevent": "MAJOR=226\nMINOR=1\nDEVNAME=dri/card1\nDEVTYPE=drm_minor",
}

# LACT tests/snapshots/amd/phoenix (Ryzen 7040 "Phoenix" APU, Radeon 780M).
PHOENIX = {
    "device/uevent": _uevent("amdgpu", "1002:15BF", "0000:64:00.0"),
    "device/power/runtime_status": "active",
    "device/gpu_busy_percent": 0,
    "device/power_dpm_force_performance_level": "auto",
    "device/pp_dpm_sclk": "0: 800Mhz *\n1: 1100Mhz \n2: 2700Mhz ",
    "device/pp_dpm_fclk": "0: 400Mhz *\n1: 800Mhz \n2: 1200Mhz \n3: 1600Mhz ",
    "device/mem_info_vram_used": 1272893440,
    "device/mem_info_vram_total": 4294967296,
    "device/hwmon/hwmon6/name": "amdgpu",
    "device/hwmon/hwmon6/freq1_input": 800000000,
    "device/hwmon/hwmon6/freq1_label": "sclk",
    "device/hwmon/hwmon6/in0_input": 814,
    "device/hwmon/hwmon6/in0_label": "vddgfx",
    "device/hwmon/hwmon6/in1_input": 615,
    "device/hwmon/hwmon6/in1_label": "vddnb",
    "device/hwmon/hwmon6/power1_average": 3103000,
    "device/hwmon/hwmon6/power1_input": 3142000,
    "device/hwmon/hwmon6/power1_label": "PPT",
    "device/hwmon/hwmon6/temp1_input": 25000,
    "device/hwmon/hwmon6/temp1_label": "edge",
}

# LACT tests/snapshots/intel/a380-xe (Arc A380 on the xe driver).
A380_XE = {
    "device/uevent": _uevent("xe", "8086:56A5", "0000:08:00.0"),
    "device/power/runtime_status": "active",
    "device/tile0/gt0/freq0/act_freq": 0,
    "device/tile0/gt0/freq0/cur_freq": 300,
    "device/tile0/gt0/freq0/min_freq": 300,
    "device/tile0/gt0/freq0/max_freq": 2450,
    "device/tile0/gt0/freq0/rp0_freq": 2450,
    "device/tile0/gt0/freq0/rpe_freq": 600,
    "device/tile0/gt0/freq0/rpn_freq": 300,
    "device/tile0/gt0/freq0/throttle/status": 0,
    "device/tile0/gt0/freq0/throttle/reason_pl1": 0,
    "device/tile0/gt0/freq0/throttle/reason_thermal": 0,
    "device/tile0/gt0/freq0/throttle/reasons": "none",
    "device/tile0/gt0/gtidle/idle_residency_ms": 2547784,
    "device/tile0/gt0/gtidle/idle_status": "gt-c0",
    "device/hwmon/hwmon0/name": "xe",
    "device/hwmon/hwmon0/energy2_input": 59540970520,
    "device/hwmon/hwmon0/energy2_label": "pkg",
    "device/hwmon/hwmon0/fan1_input": 945,
    "device/hwmon/hwmon0/in1_input": 605,
    "device/hwmon/hwmon0/in1_label": "pkg",
    "device/hwmon/hwmon0/power2_max": 55000000,
    "device/hwmon/hwmon0/power2_label": "pkg",
    "device/hwmon/hwmon0/temp2_input": 56000,
    "device/hwmon/hwmon0/temp2_label": "pkg",
    "device/hwmon/hwmon0/temp3_input": 54000,
    "device/hwmon/hwmon0/temp3_label": "vram",
}

# LACT tests/snapshots/intel/a380-i915 (Arc A380 on i915): per-GT rps_* and throttle_reason_* files.
A380_I915 = {
    "device/uevent": _uevent("i915", "8086:56A5", "0000:0b:00.0"),
    "gt/gt0/rps_act_freq_mhz": 600,
    "gt/gt0/rps_cur_freq_mhz": 600,
    "gt/gt0/rps_min_freq_mhz": 300,
    "gt/gt0/rps_max_freq_mhz": 2450,
    "gt/gt0/rps_boost_freq_mhz": 2450,
    "gt/gt0/rps_RP0_freq_mhz": 2450,
    "gt/gt0/rps_RP1_freq_mhz": 600,
    "gt/gt0/rps_RPn_freq_mhz": 300,
    "gt/gt0/rc6_residency_ms": 6534,
    "gt/gt0/throttle_reason_status": 0,
    "gt/gt0/throttle_reason_pl1": 0,
    "gt/gt0/throttle_reason_thermal": 0,
    "device/hwmon/hwmon1/name": "i915",
    "device/hwmon/hwmon1/energy1_input": 25637161804,
    "device/hwmon/hwmon1/fan1_input": 0,
    "device/hwmon/hwmon1/in0_input": 603,
    "device/hwmon/hwmon1/power1_max": 55000000,
    "device/hwmon/hwmon1/temp1_input": 55000,
}


def captured_card(sysfs: Path, card: str, files: Mapping[str, object], metrics: bytes | None = None) -> Path:
    """``sysfs/class/drm/<card>`` as a capture lays it out: plain folders, the driver only in device/uevent."""
    d = sysfs / "class" / "drm" / card
    _write(d, files)
    if metrics is not None:
        (d / "device" / "gpu_metrics").write_bytes(metrics)
    return d


def suspended_dgpu(sysfs: Path, card: str = "card1", fifo: bool = True) -> Path:
    """A runtime-suspended RX 7800 XT whose driver attributes cannot be opened without hanging (FIFOs):
    a reader that touches any of them blocks the test, where the kernel would have woken the GPU."""
    d = captured_card(sysfs, card, {**RX7800XT, "device/power/runtime_status": "suspended"}, blob("rx7800xt"))
    _write(d, {"device/power/runtime_suspended_time": 81234, "device/power/runtime_active_time": 5120})
    if fifo:
        for rel in [k for k in RX7800XT if k.startswith("device/") and k != "device/uevent"] + ["device/gpu_metrics"]:
            p = d / rel
            p.unlink()
            os.mkfifo(p)
    return d
