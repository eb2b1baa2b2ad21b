"""The amdgpu gpu_metrics tables, field by field, as drivers/gpu/drm/amd/include/kgd_pp_interface.h defines them.

Each revision is a C struct without packing, so fields sit at their natural alignment; ctypes lays the
structures out the way the kernel's compiler does, and a test checks every size against the
structure_size in real blobs. Field order and types follow the header (torvalds/linux); v1_0 and v2_0
are "not naturally aligned" in the header's own words: the padding ctypes inserts is the kernel's too.
"""

from __future__ import annotations

import ctypes
from functools import cache

# Array sizes (NUM_HBM_INSTANCES, NUM_XGMI_LINKS, MAX_GFX_CLKS, MAX_CLKS, NUM_VCN, NUM_JPEG_ENG).
HBM, XGMI, GFX_CLKS, CLKS, VCN, JPEG = 4, 8, 8, 4, 4, 32

Field = tuple[str, str, int]  # name, type code (B u8, H u16, I u32, Q u64), count (1 = scalar)


def _f(spec: str) -> list[Field]:
    """Fields from a compact "type name[count]" list, one per line, as they appear in the header."""
    out: list[Field] = []
    for line in spec.split("\n"):
        line = line.strip()
        if not line:
            continue
        code, name = line.split()
        count = 1
        if "[" in name:
            name, _, n = name.partition("[")
            count = int(n.rstrip("]"))
        out.append((name, code, count))
    return out


_HEADER = _f("H structure_size\nB format_revision\nB content_revision")

_V1_TEMPS = "H temperature_edge\nH temperature_hotspot\nH temperature_mem\nH temperature_vrgfx\nH temperature_vrsoc\nH temperature_vrmem\n"
_V1_ACT = "H average_gfx_activity\nH average_umc_activity\nH average_mm_activity\nH average_socket_power\n"
_V1_CLOCKS = (
    "H average_gfxclk_frequency\nH average_socclk_frequency\nH average_uclk_frequency\nH average_vclk0_frequency\n"
    "H average_dclk0_frequency\nH average_vclk1_frequency\nH average_dclk1_frequency\n"
    "H current_gfxclk\nH current_socclk\nH current_uclk\nH current_vclk0\nH current_dclk0\nH current_vclk1\n"
    "H current_dclk1\nI throttle_status\nH current_fan_speed\n"
)
_V1_1 = (
    _V1_TEMPS
    + _V1_ACT
    + "Q energy_accumulator\nQ system_clock_counter\n"
    + _V1_CLOCKS
    + f"H pcie_link_width\nH pcie_link_speed\nH padding\nI gfx_activity_acc\nI mem_activity_acc\nH temperature_hbm[{HBM}]\n"
)
_V1_2 = _V1_1 + "Q firmware_timestamp\n"
_V1_3 = _V1_2 + "H voltage_soc\nH voltage_gfx\nH voltage_mem\nH padding1\nQ indep_throttle_status\n"

_V1_4_HEAD = f"H temperature_hotspot\nH temperature_mem\nH temperature_vrsoc\nH curr_socket_power\nH average_gfx_activity\nH average_umc_activity\nH vcn_activity[{VCN}]\n"
_V1_4_LINKS = (
    "H pcie_link_width\nH pcie_link_speed\nH xgmi_link_width\nH xgmi_link_speed\nI gfx_activity_acc\nI mem_activity_acc\n"
    "Q pcie_bandwidth_acc\nQ pcie_bandwidth_inst\nQ pcie_l0_to_recov_count_acc\nQ pcie_replay_count_acc\n"
    "Q pcie_replay_rover_count_acc\n"
)
_V1_4_TAIL = (
    f"Q xgmi_read_data_acc[{XGMI}]\nQ xgmi_write_data_acc[{XGMI}]\nQ firmware_timestamp\n"
    f"H current_gfxclk[{GFX_CLKS}]\nH current_socclk[{CLKS}]\nH current_vclk0[{CLKS}]\nH current_dclk0[{CLKS}]\n"
    "H current_uclk\nH padding\n"
)
_V1_4 = (
    _V1_4_HEAD
    + "Q energy_accumulator\nQ system_clock_counter\nI throttle_status\nI gfxclk_lock_status\n"
    + _V1_4_LINKS
    + _V1_4_TAIL
)
_V1_5 = (
    _V1_4_HEAD
    + f"H jpeg_activity[{JPEG}]\nQ energy_accumulator\nQ system_clock_counter\nI throttle_status\nI gfxclk_lock_status\n"
    + _V1_4_LINKS
    + "I pcie_nak_sent_count_acc\nI pcie_nak_rcvd_count_acc\n"
    + _V1_4_TAIL
)
_V1_6 = (
    _V1_4_HEAD
    + f"H jpeg_activity[{JPEG}]\nQ energy_accumulator\nQ system_clock_counter\nI accumulation_counter\n"
    + "I prochot_residency_acc\nI ppt_residency_acc\nI socket_thm_residency_acc\nI vr_thm_residency_acc\n"
    + "I hbm_thm_residency_acc\nI throttle_status\nI gfxclk_lock_status\n"
    + _V1_4_LINKS
    + "I pcie_nak_sent_count_acc\nI pcie_nak_rcvd_count_acc\n"
    + _V1_4_TAIL
)

_V2_TEMPS = "H temperature_gfx\nH temperature_soc\nH temperature_core[8]\nH temperature_l3[2]\nH average_gfx_activity\nH average_mm_activity\n"
_V2_POWER = "H average_socket_power\nH average_cpu_power\nH average_soc_power\nH average_gfx_power\nH average_core_power[8]\n"
_V2_CLOCKS = (
    "H average_gfxclk_frequency\nH average_socclk_frequency\nH average_uclk_frequency\nH average_fclk_frequency\n"
    "H average_vclk_frequency\nH average_dclk_frequency\n"
    "H current_gfxclk\nH current_socclk\nH current_uclk\nH current_fclk\nH current_vclk\nH current_dclk\n"
    "H current_coreclk[8]\nH current_l3clk[2]\nI throttle_status\nH fan_pwm\n"
)
_V2_0 = "Q system_clock_counter\n" + _V2_TEMPS + _V2_POWER + _V2_CLOCKS + "H padding\n"
_V2_1 = _V2_TEMPS + "Q system_clock_counter\n" + _V2_POWER + _V2_CLOCKS + "H padding[3]\n"
_V2_2 = _V2_1 + "Q indep_throttle_status\n"
_V2_3 = (
    _V2_2
    + "H average_temperature_gfx\nH average_temperature_soc\nH average_temperature_core[8]\nH average_temperature_l3[2]\n"
)
_V2_4 = (
    _V2_3
    + "H average_cpu_voltage\nH average_soc_voltage\nH average_gfx_voltage\n"
    + "H average_cpu_current\nH average_soc_current\nH average_gfx_current\n"
)

_V3_0 = (
    "H temperature_gfx\nH temperature_soc\nH temperature_core[16]\nH temperature_skin\n"
    "H average_gfx_activity\nH average_vcn_activity\nH average_ipu_activity[8]\nH average_core_c0_activity[16]\n"
    "H average_dram_reads\nH average_dram_writes\nH average_ipu_reads\nH average_ipu_writes\n"
    "Q system_clock_counter\n"
    "I average_socket_power\nH average_ipu_power\nI average_apu_power\nI average_gfx_power\nI average_dgpu_power\n"
    "I average_all_core_power\nH average_core_power[16]\nH average_sys_power\nH stapm_power_limit\n"
    "H current_stapm_power_limit\n"
    "H average_gfxclk_frequency\nH average_socclk_frequency\nH average_vpeclk_frequency\nH average_ipuclk_frequency\n"
    "H average_fclk_frequency\nH average_vclk_frequency\nH average_uclk_frequency\nH average_mpipu_frequency\n"
    "H current_coreclk[16]\nH current_core_maxfreq\nH current_gfx_maxfreq\n"
    "I throttle_residency_prochot\nI throttle_residency_spl\nI throttle_residency_fppt\nI throttle_residency_sppt\n"
    "I throttle_residency_thm_core\nI throttle_residency_thm_gfx\nI throttle_residency_thm_soc\n"
    "I time_filter_alphavalue\n"
)

_V1_0 = (
    "Q system_clock_counter\n"
    + _V1_TEMPS
    + _V1_ACT
    + "I energy_accumulator\n"
    + _V1_CLOCKS
    + "B pcie_link_width\nB pcie_link_speed\n"
)

LAYOUTS: dict[tuple[int, int], list[Field]] = {
    (1, 0): _HEADER + _f(_V1_0),
    (1, 1): _HEADER + _f(_V1_1),
    (1, 2): _HEADER + _f(_V1_2),
    (1, 3): _HEADER + _f(_V1_3),
    (1, 4): _HEADER + _f(_V1_4),
    (1, 5): _HEADER + _f(_V1_5),
    (1, 6): _HEADER + _f(_V1_6),
    (2, 0): _HEADER + _f(_V2_0),
    (2, 1): _HEADER + _f(_V2_1),
    (2, 2): _HEADER + _f(_V2_2),
    (2, 3): _HEADER + _f(_V2_3),
    (2, 4): _HEADER + _f(_V2_4),
    (3, 0): _HEADER + _f(_V3_0),
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
