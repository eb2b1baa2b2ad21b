"""The amdgpu gpu_metrics tables, field by field, as drivers/gpu/drm/amd/include/kgd_pp_interface.h defines them.

Each revision is a C struct without packing, so fields sit at their natural alignment; ctypes lays the
structures out the way the kernel's compiler does, and a test checks every size against the
structure_size in real blobs. Field order and types follow the header (torvalds/linux); v1_0 and v2_0
are "not naturally aligned" in the header's own words: the padding ctypes inserts is the kernel's too.
"""

from __future__ import annotations

import ctypes
from functools import cache

# Array sizes as the header defines them: NUM_HBM_INSTANCES 4, NUM_XGMI_LINKS 8, MAX_GFX_CLKS 8, MAX_CLKS 4,
# NUM_VCN 4, NUM_JPEG_ENG 32 (written out below).

Field = tuple[str, str, int]  # name, type code (B u8, H u16, I u32, Q u64), count (1 = scalar)


def _f(spec: str) -> list[Field]:
    """Fields from "type:name[count]" tokens in header order (the counts are the header's #defines)."""
    out: list[Field] = [("structure_size", "H", 1), ("format_revision", "B", 1), ("content_revision", "B", 1)]
    for token in spec.split():
        code, _, name = token.partition(":")
        base, _, n = name.partition("[")
        out.append((base, code, int(n.rstrip("]")) if n else 1))
    return out


LAYOUTS: dict[tuple[int, int], list[Field]] = {
    (1, 0): _f(
        """
        Q:system_clock_counter H:temperature_edge H:temperature_hotspot H:temperature_mem H:temperature_vrgfx
        H:temperature_vrsoc H:temperature_vrmem H:average_gfx_activity H:average_umc_activity
        H:average_mm_activity H:average_socket_power I:energy_accumulator H:average_gfxclk_frequency
        H:average_socclk_frequency H:average_uclk_frequency H:average_vclk0_frequency H:average_dclk0_frequency
        H:average_vclk1_frequency H:average_dclk1_frequency H:current_gfxclk H:current_socclk H:current_uclk
        H:current_vclk0 H:current_dclk0 H:current_vclk1 H:current_dclk1 I:throttle_status H:current_fan_speed
        B:pcie_link_width B:pcie_link_speed
        """
    ),
    (1, 1): _f(
        """
        H:temperature_edge H:temperature_hotspot H:temperature_mem H:temperature_vrgfx H:temperature_vrsoc
        H:temperature_vrmem H:average_gfx_activity H:average_umc_activity H:average_mm_activity
        H:average_socket_power Q:energy_accumulator Q:system_clock_counter H:average_gfxclk_frequency
        H:average_socclk_frequency H:average_uclk_frequency H:average_vclk0_frequency H:average_dclk0_frequency
        H:average_vclk1_frequency H:average_dclk1_frequency H:current_gfxclk H:current_socclk H:current_uclk
        H:current_vclk0 H:current_dclk0 H:current_vclk1 H:current_dclk1 I:throttle_status H:current_fan_speed
        H:pcie_link_width H:pcie_link_speed H:padding I:gfx_activity_acc I:mem_activity_acc H:temperature_hbm[4]
        """
    ),
    (1, 2): _f(
        """
        H:temperature_edge H:temperature_hotspot H:temperature_mem H:temperature_vrgfx H:temperature_vrsoc
        H:temperature_vrmem H:average_gfx_activity H:average_umc_activity H:average_mm_activity
        H:average_socket_power Q:energy_accumulator Q:system_clock_counter H:average_gfxclk_frequency
        H:average_socclk_frequency H:average_uclk_frequency H:average_vclk0_frequency H:average_dclk0_frequency
        H:average_vclk1_frequency H:average_dclk1_frequency H:current_gfxclk H:current_socclk H:current_uclk
        H:current_vclk0 H:current_dclk0 H:current_vclk1 H:current_dclk1 I:throttle_status H:current_fan_speed
        H:pcie_link_width H:pcie_link_speed H:padding I:gfx_activity_acc I:mem_activity_acc H:temperature_hbm[4]
        Q:firmware_timestamp
        """
    ),
    (1, 3): _f(
        """
        H:temperature_edge H:temperature_hotspot H:temperature_mem H:temperature_vrgfx H:temperature_vrsoc
        H:temperature_vrmem H:average_gfx_activity H:average_umc_activity H:average_mm_activity
        H:average_socket_power Q:energy_accumulator Q:system_clock_counter H:average_gfxclk_frequency
        H:average_socclk_frequency H:average_uclk_frequency H:average_vclk0_frequency H:average_dclk0_frequency
        H:average_vclk1_frequency H:average_dclk1_frequency H:current_gfxclk H:current_socclk H:current_uclk
        H:current_vclk0 H:current_dclk0 H:current_vclk1 H:current_dclk1 I:throttle_status H:current_fan_speed
        H:pcie_link_width H:pcie_link_speed H:padding I:gfx_activity_acc I:mem_activity_acc H:temperature_hbm[4]
        Q:firmware_timestamp H:voltage_soc H:voltage_gfx H:voltage_mem H:padding1 Q:indep_throttle_status
        """
    ),
    (1, 4): _f(
        """
        H:temperature_hotspot H:temperature_mem H:temperature_vrsoc H:curr_socket_power H:average_gfx_activity
        H:average_umc_activity H:vcn_activity[4] Q:energy_accumulator Q:system_clock_counter I:throttle_status
        I:gfxclk_lock_status H:pcie_link_width H:pcie_link_speed H:xgmi_link_width H:xgmi_link_speed
        I:gfx_activity_acc I:mem_activity_acc Q:pcie_bandwidth_acc Q:pcie_bandwidth_inst
        Q:pcie_l0_to_recov_count_acc Q:pcie_replay_count_acc Q:pcie_replay_rover_count_acc
        Q:xgmi_read_data_acc[8] Q:xgmi_write_data_acc[8] Q:firmware_timestamp H:current_gfxclk[8]
        H:current_socclk[4] H:current_vclk0[4] H:current_dclk0[4] H:current_uclk H:padding
        """
    ),
    (1, 5): _f(
        """
        H:temperature_hotspot H:temperature_mem H:temperature_vrsoc H:curr_socket_power H:average_gfx_activity
        H:average_umc_activity H:vcn_activity[4] H:jpeg_activity[32] Q:energy_accumulator Q:system_clock_counter
        I:throttle_status I:gfxclk_lock_status H:pcie_link_width H:pcie_link_speed H:xgmi_link_width
        H:xgmi_link_speed I:gfx_activity_acc I:mem_activity_acc Q:pcie_bandwidth_acc Q:pcie_bandwidth_inst
        Q:pcie_l0_to_recov_count_acc Q:pcie_replay_count_acc Q:pcie_replay_rover_count_acc
        I:pcie_nak_sent_count_acc I:pcie_nak_rcvd_count_acc Q:xgmi_read_data_acc[8] Q:xgmi_write_data_acc[8]
        Q:firmware_timestamp H:current_gfxclk[8] H:current_socclk[4] H:current_vclk0[4] H:current_dclk0[4]
        H:current_uclk H:padding
        """
    ),
    (1, 6): _f(
        """
        H:temperature_hotspot H:temperature_mem H:temperature_vrsoc H:curr_socket_power H:average_gfx_activity
        H:average_umc_activity H:vcn_activity[4] H:jpeg_activity[32] Q:energy_accumulator Q:system_clock_counter
        I:accumulation_counter I:prochot_residency_acc I:ppt_residency_acc I:socket_thm_residency_acc
        I:vr_thm_residency_acc I:hbm_thm_residency_acc I:throttle_status I:gfxclk_lock_status H:pcie_link_width
        H:pcie_link_speed H:xgmi_link_width H:xgmi_link_speed I:gfx_activity_acc I:mem_activity_acc
        Q:pcie_bandwidth_acc Q:pcie_bandwidth_inst Q:pcie_l0_to_recov_count_acc Q:pcie_replay_count_acc
        Q:pcie_replay_rover_count_acc I:pcie_nak_sent_count_acc I:pcie_nak_rcvd_count_acc
        Q:xgmi_read_data_acc[8] Q:xgmi_write_data_acc[8] Q:firmware_timestamp H:current_gfxclk[8]
        H:current_socclk[4] H:current_vclk0[4] H:current_dclk0[4] H:current_uclk H:padding
        """
    ),
    (2, 0): _f(
        """
        Q:system_clock_counter H:temperature_gfx H:temperature_soc H:temperature_core[8] H:temperature_l3[2]
        H:average_gfx_activity H:average_mm_activity H:average_socket_power H:average_cpu_power
        H:average_soc_power H:average_gfx_power H:average_core_power[8] H:average_gfxclk_frequency
        H:average_socclk_frequency H:average_uclk_frequency H:average_fclk_frequency H:average_vclk_frequency
        H:average_dclk_frequency H:current_gfxclk H:current_socclk H:current_uclk H:current_fclk H:current_vclk
        H:current_dclk H:current_coreclk[8] H:current_l3clk[2] I:throttle_status H:fan_pwm H:padding
        """
    ),
    (2, 1): _f(
        """
        H:temperature_gfx H:temperature_soc H:temperature_core[8] H:temperature_l3[2] H:average_gfx_activity
        H:average_mm_activity Q:system_clock_counter H:average_socket_power H:average_cpu_power
        H:average_soc_power H:average_gfx_power H:average_core_power[8] H:average_gfxclk_frequency
        H:average_socclk_frequency H:average_uclk_frequency H:average_fclk_frequency H:average_vclk_frequency
        H:average_dclk_frequency H:current_gfxclk H:current_socclk H:current_uclk H:current_fclk H:current_vclk
        H:current_dclk H:current_coreclk[8] H:current_l3clk[2] I:throttle_status H:fan_pwm H:padding[3]
        """
    ),
    (2, 2): _f(
        """
        H:temperature_gfx H:temperature_soc H:temperature_core[8] H:temperature_l3[2] H:average_gfx_activity
        H:average_mm_activity Q:system_clock_counter H:average_socket_power H:average_cpu_power
        H:average_soc_power H:average_gfx_power H:average_core_power[8] H:average_gfxclk_frequency
        H:average_socclk_frequency H:average_uclk_frequency H:average_fclk_frequency H:average_vclk_frequency
        H:average_dclk_frequency H:current_gfxclk H:current_socclk H:current_uclk H:current_fclk H:current_vclk
        H:current_dclk H:current_coreclk[8] H:current_l3clk[2] I:throttle_status H:fan_pwm H:padding[3]
        Q:indep_throttle_status
        """
    ),
    (2, 3): _f(
        """
        H:temperature_gfx H:temperature_soc H:temperature_core[8] H:temperature_l3[2] H:average_gfx_activity
        H:average_mm_activity Q:system_clock_counter H:average_socket_power H:average_cpu_power
        H:average_soc_power H:average_gfx_power H:average_core_power[8] H:average_gfxclk_frequency
        H:average_socclk_frequency H:average_uclk_frequency H:average_fclk_frequency H:average_vclk_frequency
        H:average_dclk_frequency H:current_gfxclk H:current_socclk H:current_uclk H:current_fclk H:current_vclk
        H:current_dclk H:current_coreclk[8] H:current_l3clk[2] I:throttle_status H:fan_pwm H:padding[3]
        Q:indep_throttle_status H:average_temperature_gfx H:average_temperature_soc
        H:average_temperature_core[8] H:average_temperature_l3[2]
        """
    ),
    (2, 4): _f(
        """
        H:temperature_gfx H:temperature_soc H:temperature_core[8] H:temperature_l3[2] H:average_gfx_activity
        H:average_mm_activity Q:system_clock_counter H:average_socket_power H:average_cpu_power
        H:average_soc_power H:average_gfx_power H:average_core_power[8] H:average_gfxclk_frequency
        H:average_socclk_frequency H:average_uclk_frequency H:average_fclk_frequency H:average_vclk_frequency
        H:average_dclk_frequency H:current_gfxclk H:current_socclk H:current_uclk H:current_fclk H:current_vclk
        H:current_dclk H:current_coreclk[8] H:current_l3clk[2] I:throttle_status H:fan_pwm H:padding[3]
        Q:indep_throttle_status H:average_temperature_gfx H:average_temperature_soc
        H:average_temperature_core[8] H:average_temperature_l3[2] H:average_cpu_voltage H:average_soc_voltage
        H:average_gfx_voltage H:average_cpu_current H:average_soc_current H:average_gfx_current
        """
    ),
    (3, 0): _f(
        """
        H:temperature_gfx H:temperature_soc H:temperature_core[16] H:temperature_skin H:average_gfx_activity
        H:average_vcn_activity H:average_ipu_activity[8] H:average_core_c0_activity[16] H:average_dram_reads
        H:average_dram_writes H:average_ipu_reads H:average_ipu_writes Q:system_clock_counter
        I:average_socket_power H:average_ipu_power I:average_apu_power I:average_gfx_power I:average_dgpu_power
        I:average_all_core_power H:average_core_power[16] H:average_sys_power H:stapm_power_limit
        H:current_stapm_power_limit H:average_gfxclk_frequency H:average_socclk_frequency
        H:average_vpeclk_frequency H:average_ipuclk_frequency H:average_fclk_frequency H:average_vclk_frequency
        H:average_uclk_frequency H:average_mpipu_frequency H:current_coreclk[16] H:current_core_maxfreq
        H:current_gfx_maxfreq I:throttle_residency_prochot I:throttle_residency_spl I:throttle_residency_fppt
        I:throttle_residency_sppt I:throttle_residency_thm_core I:throttle_residency_thm_gfx
        I:throttle_residency_thm_soc I:time_filter_alphavalue
        """
    ),
}

_CTYPES = {"B": ctypes.c_uint8, "H": ctypes.c_uint16, "I": ctypes.c_uint32, "Q": ctypes.c_uint64}
UNSUPPORTED = {"B": 0xFF, "H": 0xFFFF, "I": 0xFFFFFFFF, "Q": 0xFFFFFFFFFFFFFFFF}


@cache
def structure(revision: tuple[int, int]) -> type[ctypes.LittleEndianStructure]:
    """The ctypes structure of one revision (little-endian: the GPU and its driver are)."""
    fields = [(n, _CTYPES[c] * k if k > 1 else _CTYPES[c]) for n, c, k in LAYOUTS[revision]]
    name = f"gpu_metrics_v{revision[0]}_{revision[1]}"
    return type(name, (ctypes.LittleEndianStructure,), {"_fields_": fields})


def size_of(revision: tuple[int, int]) -> int:
    return ctypes.sizeof(structure(revision))


def type_of(revision: tuple[int, int], name: str) -> str:
    return next(c for n, c, _ in LAYOUTS[revision] if n == name)
