"""Throttle reasons: amdgpu's ASIC-independent throttler bits and NVIDIA's clocks-event reasons, as names."""

from __future__ import annotations

# drivers/gpu/drm/amd/pm/swsmu/inc/amdgpu_smu.h, SMU_THROTTLER_*_BIT: the layout of
# indep_throttle_status in gpu_metrics v1_3 and v2_2 or later.
AMD_INDEP_THROTTLERS = {
    0: "ppt0",
    1: "ppt1",
    2: "ppt2",
    3: "ppt3",
    4: "spl",
    5: "fppt",
    6: "sppt",
    7: "sppt_apu",
    16: "tdc_gfx",
    17: "tdc_soc",
    18: "tdc_mem",
    19: "tdc_vdd",
    20: "tdc_cvip",
    21: "edc_cpu",
    22: "edc_gfx",
    23: "apcc",
    32: "temp_gpu",
    33: "temp_core",
    34: "temp_mem",
    35: "temp_edge",
    36: "temp_hotspot",
    37: "temp_soc",
    38: "temp_vr_gfx",
    39: "temp_vr_soc",
    40: "temp_vr_mem0",
    41: "temp_vr_mem1",
    42: "temp_liquid0",
    43: "temp_liquid1",
    44: "vrhot0",
    45: "vrhot1",
    46: "prochot_cpu",
    47: "prochot_gfx",
    56: "ppm",
    57: "fit",
}

# nvml.h, nvmlClocksEventReason* (formerly nvmlClocksThrottleReason*).
NVIDIA_CLOCKS_EVENT_REASONS = {
    0x1: "gpu_idle",
    0x2: "applications_clocks_setting",
    0x4: "sw_power_cap",
    0x8: "hw_slowdown",
    0x10: "sync_boost",
    0x20: "sw_thermal_slowdown",
    0x40: "hw_thermal_slowdown",
    0x80: "hw_power_brake_slowdown",
    0x100: "display_clock_setting",
}


def indep_throttle_reasons(status: int) -> tuple[str, ...]:
    return tuple(name for bit, name in AMD_INDEP_THROTTLERS.items() if (status >> bit) & 1)


def nvidia_reasons(mask: int) -> tuple[str, ...]:
    """NVML's bit mask as names; bits this table does not know stay visible as hex."""
    names = [name for bit, name in NVIDIA_CLOCKS_EVENT_REASONS.items() if mask & bit]
    rest = mask & ~sum(NVIDIA_CLOCKS_EVENT_REASONS)
    if rest:
        names.append(f"0x{rest:x}")
    return tuple(names)
