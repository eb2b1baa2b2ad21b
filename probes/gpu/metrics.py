"""Decoding amdgpu's gpu_metrics: revision from the header, all-ones (unsupported) fields absent, units per revision."""

from __future__ import annotations

import ctypes
import struct
from collections.abc import Iterator
from dataclasses import dataclass

from hwinspector.probes.errors import InputFormatError
from hwinspector.probes.gpu.metrics_layout import LAYOUTS, UNSUPPORTED, size_of, structure
from hwinspector.probes.gpu.model import Reading
from hwinspector.probes.gpu.throttle import indep_throttle_reasons

# energy_accumulator on v1_4 and later: "15.259uJ (2^-16) units".
ENERGY_UNIT_J = 2.0**-16


@dataclass(frozen=True, slots=True)
class DecodedMetrics:
    revision: tuple[int, int]
    structure_size: int
    readings: tuple[Reading, ...]
    throttle_reasons: tuple[str, ...]
    unsupported: tuple[str, ...]  # fields the firmware marked unsupported (all ones)
    fields: dict[str, int | list[int]]  # every raw field, for --decode-metrics --json

    @property
    def name(self) -> str:
        return f"v{self.revision[0]}_{self.revision[1]}"


def header(blob: bytes) -> tuple[int, int, int]:
    """(structure_size, format_revision, content_revision) from metrics_table_header."""
    if len(blob) < 4:
        raise ValueError(f"{len(blob)} bytes: shorter than the 4-byte metrics_table_header")
    size, fmt, content = struct.unpack_from("<HBB", blob)
    return size, fmt, content


def decode(blob: bytes, source: str = "gpu_metrics") -> DecodedMetrics:
    """Decode one blob; raises InputFormatError with a one-line reason for anything else."""
    try:
        size, fmt, content = header(blob)
    except ValueError as exc:
        raise InputFormatError(source, str(exc)) from None
    rev = (fmt, content)
    if rev not in LAYOUTS:
        known = ", ".join(f"v{a}_{b}" for a, b in sorted(LAYOUTS))
        raise InputFormatError(source, f"gpu_metrics v{fmt}_{content} is not a revision this decoder knows ({known})")
    need = size_of(rev)
    if size != need:
        raise InputFormatError(
            source, f"header says v{fmt}_{content} of {size} bytes, but that structure has {need} bytes"
        )
    if len(blob) < need:
        raise InputFormatError(source, f"{len(blob)} bytes: truncated v{fmt}_{content} (needs {need})")
    raw = structure(rev).from_buffer_copy(blob[:need])
    fields: dict[str, int | list[int]] = {}
    unsupported: list[str] = []
    for name, code, count in LAYOUTS[rev]:
        value = getattr(raw, name)
        if count > 1:
            values = [int(v) for v in value]
            fields[name] = values
            unsupported += [f"{name}[{i}]" for i, v in enumerate(values) if v == UNSUPPORTED[code]]
        else:
            fields[name] = int(value)
            if int(value) == UNSUPPORTED[code] and not name.startswith("padding"):
                unsupported.append(name)
    readings = tuple(_readings(rev, fields, f"gpu_metrics v{fmt}_{content}"))
    reasons: tuple[str, ...] = ()
    indep = fields.get("indep_throttle_status")
    if isinstance(indep, int) and indep != UNSUPPORTED["Q"]:
        reasons = indep_throttle_reasons(indep)
    return DecodedMetrics(rev, size, readings, reasons, tuple(unsupported), fields)


def _ok(v: int, code: str) -> bool:
    return v != UNSUPPORTED[code]


class _Out:
    """Collects readings, leaving out every unsupported (all-ones) value."""

    def __init__(self, fields: dict[str, int | list[int]], source: str) -> None:
        self.fields = fields
        self.source = source
        self.items: list[Reading] = []

    def one(self, field: str, key: str, scale: float = 1.0, code: str = "H") -> None:
        v = self.fields.get(field)
        if isinstance(v, int) and _ok(v, code):
            self.items.append(Reading(key, v * scale, self.source))

    def many(self, field: str, key: str, scale: float = 1.0, code: str = "H", skip_zero: bool = False) -> None:
        """Per-instance values: key is a format with {i} (``temperature_c.core{i}``)."""
        vs = self.fields.get(field)
        if not isinstance(vs, list):
            return
        for i, v in enumerate(vs):
            if _ok(v, code) and not (skip_zero and v == 0):
                self.items.append(Reading(key.format(i=i), v * scale, self.source))


def _readings(rev: tuple[int, int], f: dict[str, int | list[int]], source: str) -> Iterator[Reading]:
    fmt, content = rev
    o = _Out(f, source)
    if fmt == 1 and content <= 3:
        # dGPUs (SMU 11/13): whole degrees Celsius, whole watts, percent, MHz, mV.
        for dom in ("edge", "hotspot", "mem", "vrgfx", "vrsoc", "vrmem"):
            o.one(f"temperature_{dom}", f"temperature_c.{'junction' if dom == 'hotspot' else dom}")
        o.one("average_gfx_activity", "busy_percent.gfx")
        o.one("average_umc_activity", "busy_percent.mem")
        o.one("average_mm_activity", "busy_percent.media")
        o.one("average_socket_power", "power_w.average")
        for dom, clk in (("gfx", "gfxclk"), ("soc", "socclk"), ("mem", "uclk"), ("vclk", "vclk0"), ("dclk", "dclk0")):
            o.one(f"current_{clk}", f"clock_mhz.{dom}")
            o.one(f"average_{clk}_frequency", f"clock_mhz.{dom}_average")
        o.one("current_vclk1", "clock_mhz.vclk1")
        o.one("current_dclk1", "clock_mhz.dclk1")
        o.one("current_fan_speed", "fan_rpm")
        width_code = "B" if content == 0 else "H"
        o.one("pcie_link_width", "link_lanes.pcie", code=width_code)
        o.one("pcie_link_speed", "link_gts.pcie", 0.1, code=width_code)
        o.many("temperature_hbm", "temperature_c.hbm{i}", skip_zero=True)
        if content >= 3:
            for dom in ("soc", "gfx", "mem"):
                o.one(f"voltage_{dom}", f"voltage_mv.{dom}")
    elif fmt == 1:
        # MI300-class (SMU 13.0.6): degrees Celsius, watts, energy in 2^-16 J.
        o.one("temperature_hotspot", "temperature_c.junction")
        o.one("temperature_mem", "temperature_c.mem")
        o.one("temperature_vrsoc", "temperature_c.vrsoc")
        o.one("curr_socket_power", "power_w.input")
        o.one("average_gfx_activity", "busy_percent.gfx")
        o.one("average_umc_activity", "busy_percent.mem")
        o.many("vcn_activity", "busy_percent.vcn{i}")
        o.one("energy_accumulator", "energy_j.total", ENERGY_UNIT_J, code="Q")
        o.one("pcie_link_width", "link_lanes.pcie")
        o.one("pcie_link_speed", "link_gts.pcie", 0.1)
        o.many("current_gfxclk", "clock_mhz.gfx{i}", skip_zero=True)
        o.many("current_socclk", "clock_mhz.soc{i}", skip_zero=True)
        o.many("current_vclk0", "clock_mhz.vclk{i}", skip_zero=True)
        o.many("current_dclk0", "clock_mhz.dclk{i}", skip_zero=True)
        o.one("current_uclk", "clock_mhz.mem")
    elif fmt == 2:
        # APUs (SMU 12/13): centi-degrees Celsius (v2_4 says so; Renoir and Phoenix blobs show it for
        # v2_0..v2_3 too), milliwatts, MHz; v2_4 reports activity in centi-percent.
        act = 0.01 if content >= 4 else 1.0
        o.one("temperature_gfx", "temperature_c.gfx", 0.01)
        o.one("temperature_soc", "temperature_c.soc", 0.01)
        o.many("temperature_core", "temperature_c.core{i}", 0.01)
        o.many("temperature_l3", "temperature_c.l3_{i}", 0.01)
        o.one("average_gfx_activity", "busy_percent.gfx", act)
        o.one("average_mm_activity", "busy_percent.media", act)
        o.one("average_socket_power", "power_w.average", 0.001)
        o.one("average_cpu_power", "power_w.cpu", 0.001)
        o.one("average_soc_power", "power_w.soc", 0.001)
        o.one("average_gfx_power", "power_w.gfx", 0.001)
        o.many("average_core_power", "power_w.core{i}", 0.001)
        for dom, clk in (("gfx", "gfxclk"), ("soc", "socclk"), ("mem", "uclk"), ("fclk", "fclk"), ("vclk", "vclk")):
            o.one(f"current_{clk}", f"clock_mhz.{dom}")
            o.one(f"average_{clk}_frequency", f"clock_mhz.{dom}_average")
        o.one("current_dclk", "clock_mhz.dclk")
        o.one("average_dclk_frequency", "clock_mhz.dclk_average")
        o.many("current_coreclk", "clock_mhz.core{i}")
        o.many("current_l3clk", "clock_mhz.l3_{i}")
        if content >= 4:
            for dom in ("cpu", "soc", "gfx"):
                o.one(f"average_{dom}_voltage", f"voltage_mv.{dom}")
                o.one(f"average_{dom}_current", f"current_ma.{dom}")
    else:
        # v3_0 (SMU 14, Strix Point): centi-degrees Celsius as the Strix Point blob shows, milliwatts,
        # percent, MHz; per-core C0 residency as a share of time.
        o.one("temperature_gfx", "temperature_c.gfx", 0.01)
        o.one("temperature_soc", "temperature_c.soc", 0.01)
        o.many("temperature_core", "temperature_c.core{i}", 0.01)
        o.one("temperature_skin", "temperature_c.skin", 0.01)
        o.one("average_gfx_activity", "busy_percent.gfx")
        o.one("average_vcn_activity", "busy_percent.media")
        o.many("average_ipu_activity", "busy_percent.npu{i}")
        o.many("average_core_c0_activity", "residency_percent.core{i}_c0")
        o.one("average_socket_power", "power_w.average", 0.001, code="I")
        o.one("average_ipu_power", "power_w.npu", 0.001)
        o.one("average_apu_power", "power_w.apu", 0.001, code="I")
        o.one("average_gfx_power", "power_w.gfx", 0.001, code="I")
        o.one("average_dgpu_power", "power_w.dgpu", 0.001, code="I")
        o.one("average_all_core_power", "power_w.cpu", 0.001, code="I")
        o.many("average_core_power", "power_w.core{i}", 0.001)
        o.one("average_sys_power", "power_w.system", 0.001)
        o.one("current_stapm_power_limit", "power_w.cap", 0.001)
        for dom, clk in (("gfx", "gfxclk"), ("soc", "socclk"), ("fclk", "fclk"), ("vclk", "vclk"), ("mem", "uclk")):
            o.one(f"average_{clk}_frequency", f"clock_mhz.{dom}_average")
        o.one("average_vpeclk_frequency", "clock_mhz.vpe_average")
        o.one("average_ipuclk_frequency", "clock_mhz.npu_average")
        o.many("current_coreclk", "clock_mhz.core{i}")
        o.one("current_gfx_maxfreq", "clock_mhz.gfx_limit")
        o.one("current_core_maxfreq", "clock_mhz.core_limit")
    yield from o.items


def raw_fields_json(d: DecodedMetrics) -> dict[str, object]:
    """Every field as the firmware wrote it, with unsupported ones as null (for --decode-metrics --json)."""
    out: dict[str, object] = {}
    codes = {n: c for n, c, _ in LAYOUTS[d.revision]}
    for name, value in d.fields.items():
        if name.startswith("padding"):
            continue
        code = codes[name]
        if isinstance(value, list):
            out[name] = [None if v == UNSUPPORTED[code] else v for v in value]
        else:
            out[name] = None if value == UNSUPPORTED[code] else value
    return out


def structure_size(revision: tuple[int, int]) -> int:
    """sizeof(struct gpu_metrics_vX_Y) as the kernel's compiler lays it out."""
    return ctypes.sizeof(structure(revision))
