"""Metrics under node_exporter's names and labels, from our probes, so existing dashboards and alerts work.

Names, labels and units follow node_exporter's collectors (collector/hwmon_linux.go, powersupplyclass,
thermal_zone, cpufreq, rapl, drm): ``node_hwmon_temp_celsius{chip,sensor}`` with the chip named after its
device path (``platform_coretemp_0``), ``node_power_supply_*{power_supply}``, ``node_thermal_zone_temp
{zone,type}``, ``node_cpu_scaling_frequency_hertz{cpu}``, ``node_rapl_<zone>_joules_total{index,path}``.
As node_exporter does, a value that cannot be read has no sample here; ``hwinspector_channel_readable``
says which and why. Deliberate differences: the battery's serial number is not exported (privacy), and
node_exporter's unit slips (``temp*_crit_alarm`` scaled as a temperature, humidity off by ten) are not
copied.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from hwinspector.probes.errors import ProbeUnavailable
from hwinspector.probes.power.cpu import list_cpufreq
from hwinspector.probes.power.hwmon import HwmonChip, HwmonInput, list_hwmon_chips
from hwinspector.probes.power.powercap import list_rapl_domains
from hwinspector.probes.power.supply import POWER_NOW, list_power_supplies
from hwinspector.probes.power.thermal import list_cooling_devices, list_thermal_zones

_INVALID = re.compile(r"[^a-z0-9:_]")
_METRIC_INVALID = re.compile(r"[^a-zA-Z0-9_:]")


def clean_name(text: str) -> str:
    """node_exporter's cleanMetricName: lower case, anything but [a-z0-9:_] becomes "_", no outer "_"."""
    return _INVALID.sub("_", text.lower()).strip("_")


@dataclass(slots=True)
class Families:
    """Metric families being built, each created on first use so that empty ones are not exposed."""

    _by_name: dict[str, Metric] = field(default_factory=dict)
    _seen: set[tuple[str, tuple[str, ...]]] = field(default_factory=set)

    def gauge(self, name: str, doc: str, labels: Sequence[str], values: Sequence[str], value: float) -> None:
        self._add(name, doc, labels, values, value, GaugeMetricFamily)

    def counter(self, name: str, doc: str, labels: Sequence[str], values: Sequence[str], value: float) -> None:
        self._add(name, doc, labels, values, value, CounterMetricFamily)

    def _add(
        self,
        name: str,
        doc: str,
        labels: Sequence[str],
        values: Sequence[str],
        value: float,
        kind: Callable[..., Metric],
    ) -> None:
        key = (name, tuple(values))
        if key in self._seen:  # two series with one label set would make Prometheus reject the scrape
            return
        self._seen.add(key)
        family = self._by_name.get(name)
        if family is None:
            family = self._by_name[name] = kind(name, doc, labels=list(labels))
        assert isinstance(family, GaugeMetricFamily | CounterMetricFamily)
        family.add_metric(list(values), value)

    def extra(self, family: Metric) -> None:
        """Add a family built elsewhere; samples of one name may carry different label sets."""
        have = self._by_name.get(family.name)
        if have is None:
            self._by_name[family.name] = family
        else:
            have.samples.extend(family.samples)

    def metrics(self) -> list[Metric]:
        return list(self._by_name.values())


@dataclass(frozen=True, slots=True)
class NodeMetrics:
    """node_* families, and the subsystems that had nothing to read, with why."""

    families: tuple[Metric, ...]
    unavailable: tuple[tuple[str, str], ...]  # (subsystem, reason)


def read_node_metrics(sysfs: Path = Path("/sys")) -> NodeMetrics:
    from hwinspector.probes.export.node_drm import drm  # it builds on Families

    out = Families()
    unavailable: list[tuple[str, str]] = []
    for subsystem, add in (
        ("hwmon", _hwmon),
        ("power_supply", _power_supply),
        ("thermal", _thermal),
        ("cpufreq", _cpufreq),
        ("rapl", _rapl),
        ("drm", drm),
    ):
        try:
            add(out, sysfs)
        except ProbeUnavailable as exc:
            unavailable.append((subsystem, exc.reason))
    return NodeMetrics(tuple(out.metrics()), tuple(unavailable))


# --- hwmon -----------------------------------------------------------------------------------------

_HW = ("chip", "sensor")
# (metric suffix after node_hwmon_<kind>, unit suffix, factor from our unit to node_exporter's)
_UNIT = {"temp": "_celsius", "in": "_volts", "curr": "_amps", "power": "_watt", "fan": "_rpm"}


def chip_label(chip: HwmonChip) -> str:
    """node_exporter's hwmonName: "<parent dir>_<device dir>" of the device, else the name, else hwmonN."""
    if chip.device:
        parts = [p for p in chip.device.split("/") if p]
        dev_name = clean_name(parts[-1]) if parts else ""
        dev_type = clean_name(parts[-2]) if len(parts) > 1 else ""
        if dev_type and dev_name:
            return f"{dev_type}_{dev_name}"
        if dev_name:
            return dev_name
    return clean_name(chip.name) or clean_name(chip.hwmon)


def _hwmon(out: Families, sysfs: Path) -> None:
    chips = list_hwmon_chips(sysfs)
    used: Counter[str] = Counter()
    for chip in chips:
        label = chip_label(chip)
        used[label] += 1
        if used[label] > 1:  # same device path twice cannot happen in sysfs, but can in a hostile tree
            label = f"{label}_{clean_name(chip.hwmon)}"
        name = clean_name(chip.name)
        if name:
            out.gauge(
                "node_hwmon_chip_names",
                "Annotation metric for human-readable chip names",
                ("chip", "chip_name"),
                (label, name),
                1,
            )
        for inp in chip.inputs:
            _hwmon_input(out, label, inp)


def _hwmon_input(out: Families, chip: str, inp: HwmonInput) -> None:
    values = (chip, inp.id)
    if inp.has_label:
        out.gauge(
            "node_hwmon_sensor_label",
            "Label for given chip and sensor",
            ("chip", "sensor", "label"),
            (chip, inp.id, inp.label),
            1,
        )
    kind = inp.kind
    for flag, on in inp.flags.items():
        if flag == "beep":
            out.gauge(
                f"node_hwmon_{kind}_beep_enabled", "Hardware monitor sensor has beeping enabled", _HW, values, float(on)
            )
        elif flag in ("alarm", "fault"):
            # Other alarms (crit_alarm, max_alarm) node_exporter scales as if they were readings; not copied.
            out.gauge(f"node_hwmon_{kind}_{flag}", f"Hardware sensor {flag} status ({kind})", _HW, values, float(on))
    if kind in _UNIT:
        unit = _UNIT[kind]
        for limit, limit_value in inp.limits.items():
            if kind != "fan" or limit in ("min", "max", "target"):
                doc = f"Hardware monitor for {kind} ({limit})"
                out.gauge(f"node_hwmon_{kind}_{clean_name(limit)}{unit}", doc, _HW, values, limit_value)
    if kind in ("temp", "fan", "pwm", "intrusion"):
        # node_exporter's fallback: any other numeric attribute as it is (pwm1_enable, fan1_pulses, temp1_type).
        for element, raw in inp.extra.items():
            number = _float(raw)
            if number is not None and clean_name(element):
                name = f"node_hwmon_{kind}_{clean_name(element)}"
                out.gauge(name, f"Hardware monitor {kind} element {element}", _HW, values, number)
    if inp.value is None:
        return
    if kind in _UNIT:
        base = f"node_hwmon_{kind}"
        if kind == "power" and inp.path is not None and inp.path.endswith("_average"):
            base += "_average"
        out.gauge(base + _UNIT[kind], f"Hardware monitor for {kind} (input)", _HW, values, inp.value)
    elif kind == "energy":
        out.counter(
            "node_hwmon_energy_joule_total", "Hardware monitor for joules used so far (input)", _HW, values, inp.value
        )
    elif kind == "pwm":
        # node_exporter exports the raw duty cycle, 0..255.
        out.gauge("node_hwmon_pwm", "Hardware monitor pwm element ", _HW, values, round(inp.value * 2.55))
    elif kind == "freq" and inp.has_label:
        out.gauge(
            "node_hwmon_freq_freq_mhz",
            "Hardware monitor for GPU frequency in MHz",
            _HW,
            (chip, clean_name(inp.label)),
            inp.value,
        )


def _float(text: str) -> float | None:
    try:
        number = float(text.strip())
    except ValueError:
        return None
    return number if math.isfinite(number) else None


# --- power_supply ----------------------------------------------------------------------------------

_PS = ("power_supply",)


def _power_supply(out: Families, sysfs: Path) -> None:
    for ps in list_power_supplies(sysfs):
        name = ps.name
        gauges: dict[str, float | None] = {
            "online": _bool(ps.online),
            "present": _bool(ps.present),
            "capacity": ps.capacity_percent,
            "cyclecount": ps.cycle_count,
            "energy_watthour": ps.energy_now_wh,
            "energy_full": ps.energy_full_wh,
            "energy_full_design": ps.energy_full_design_wh,
            "charge_ampere": ps.charge_now_ah,
            "charge_full": ps.charge_full_ah,
            "charge_full_design": ps.charge_full_design_ah,
            "voltage_volt": ps.voltage_volts,
            "voltage_min_design": ps.voltage_min_design_volts,
            "voltage_max": ps.voltage_max_volts,
            "current_ampere": ps.current_amps,
            "current_max": ps.current_max_amps,
            # node_exporter's is power_now as the driver reports it; ours may be voltage times current.
            "power_watt": ps.power_watts if ps.power_source == POWER_NOW else None,
        }
        for key, value in gauges.items():
            if value is not None:
                out.gauge(
                    f"node_power_supply_{key}",
                    f"{key} value of /sys/class/power_supply/<power_supply>.",
                    _PS,
                    (name,),
                    float(value),
                )
        info = {
            "power_supply": name,
            "capacity_level": ps.capacity_level,
            "manufacturer": ps.manufacturer,
            "model_name": ps.model_name,
            "scope": ps.scope,
            "status": ps.status,
            "technology": ps.technology,
            "type": ps.type,
            "usb_type": ps.usb_type,
        }
        present = {k: v for k, v in info.items() if v}
        # Each supply has its own label set, as in node_exporter: one family per supply keeps the
        # client library's fixed-label families, and the exposition merges them under one name.
        family = GaugeMetricFamily(
            "node_power_supply_info", "info of /sys/class/power_supply/<power_supply>.", labels=list(present)
        )
        family.add_metric(list(present.values()), 1)
        out.extra(family)


def _bool(value: bool | None) -> float | None:
    return None if value is None else float(value)


# --- thermal, cpufreq, rapl ------------------------------------------------------------------------


def _thermal(out: Families, sysfs: Path) -> None:
    zones = list_thermal_zones(sysfs)
    for zone in zones:
        if zone.temp_celsius is not None:
            number = zone.id.removeprefix("thermal_zone")
            out.gauge(
                "node_thermal_zone_temp",
                "Zone temperature in Celsius",
                ("zone", "type"),
                (number, zone.type or ""),
                zone.temp_celsius,
            )
    try:
        cooling = list_cooling_devices(sysfs)
    except ProbeUnavailable:
        cooling = []
    for dev in cooling:
        number = dev.id.removeprefix("cooling_device")
        for key, value in (("cur_state", dev.cur_state), ("max_state", dev.max_state)):
            if value is not None:
                doc = (
                    "Current throttle state of the cooling device"
                    if key == "cur_state"
                    else "Maximum throttle state of the cooling device"
                )
                out.gauge(f"node_cooling_device_{key}", doc, ("name", "type"), (number, dev.type or ""), value)


def _hertz(mhz: float) -> float:
    return float(round(mhz * 1e6))  # the kernel reports kHz: whole hertz, without float noise


def _cpufreq(out: Families, sysfs: Path) -> None:
    for cpu in list_cpufreq(sysfs):
        label = (str(cpu.cpu),)
        for key, mhz in (
            ("frequency_min_hertz", cpu.hw_min_mhz),
            ("frequency_max_hertz", cpu.hw_max_mhz),
            ("scaling_frequency_hertz", cpu.cur_mhz),
            ("scaling_frequency_min_hertz", cpu.min_mhz),
            ("scaling_frequency_max_hertz", cpu.max_mhz),
        ):
            if mhz is not None:
                out.gauge(f"node_cpu_{key}", f"{key.replace('_', ' ')} of the CPU", ("cpu",), label, _hertz(mhz))
        if cpu.governor:
            for governor in cpu.available_governors or (cpu.governor,):
                out.gauge(
                    "node_cpu_scaling_governor",
                    "Current enabled CPU frequency governor",
                    ("cpu", "governor"),
                    (label[0], governor),
                    float(governor == cpu.governor),
                )


def rapl_index_and_name(name: str, used: dict[str, int]) -> tuple[int, str]:
    """procfs's getIndexAndName: "package-0" -> (0, "package"); a repeated plain name counts up."""
    head, sep, tail = name.partition("-")
    if sep and "-" not in tail and tail.isdigit():
        return int(tail), head
    return used.get(name, 0), name


def _rapl(out: Families, sysfs: Path) -> None:
    used: dict[str, int] = {}
    for domain in sorted(list_rapl_domains(sysfs), key=lambda d: d.zone):
        index, name = rapl_index_and_name(domain.name, used)
        used[name] = index + 1
        metric = _METRIC_INVALID.sub("_", f"{name}_joules_total")
        if domain.energy_uj is None or not metric.strip("_") or metric[0].isdigit():
            continue
        out.counter(
            f"node_rapl_{metric}",
            f"Current RAPL {name} value in joules",
            ("index", "path"),
            (str(index), domain.path),
            domain.energy_uj / 1e6,
        )
