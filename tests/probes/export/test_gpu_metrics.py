"""hwinspector_gpu_* in the exposition: base units, a sleeping GPU only as asleep, promtool clean."""

from __future__ import annotations

from pathlib import Path

import pytest

from hwinspector.probes.export.collector import ExporterConfig
from tests.probes.export.test_collector import scrape
from tests.probes.gpu.captured import RX7800XT, blob, captured_card, suspended_dgpu
from tests.prometheus_servers import promtool_check, samples


@pytest.mark.timeout(60)
def test_gpu_readings_are_exported_in_base_units(tmp_path: Path) -> None:
    captured_card(tmp_path, "card0", RX7800XT, blob("rx7800xt"))
    suspended_dgpu(tmp_path, "card1")
    text = scrape(ExporterConfig(sysfs=tmp_path, procfs=tmp_path / "proc", scorecard=False, node_metrics=False))
    assert promtool_check(text).returncode == 0, promtool_check(text).stderr
    got = samples(text)

    def one(name: str, **labels: str) -> float:
        return got[(name, frozenset(labels.items()))]

    awake = {"pci_address": "0000:03:00.0", "driver": "amdgpu"}
    assert one("hwinspector_gpu_temperature_celsius", **awake, domain="junction") == 31
    assert one("hwinspector_gpu_clock_hertz", **awake, domain="gfx") == 2011e6
    assert one("hwinspector_gpu_voltage_volts", **awake, domain="gfx") == pytest.approx(0.985)
    assert one("hwinspector_gpu_power_watts", **awake, domain="average") == 32
    assert one("hwinspector_gpu_busy_ratio", **awake, domain="gfx") == pytest.approx(0.24)
    asleep = [k for k, v in got.items() if k[0] == "hwinspector_gpu_asleep" and v == 1]
    assert len(asleep) == 1
    # Both cards share the capture's PCI address: the sleeping one adds no reading series of its own.
    assert sum(1 for k in got if k[0] == "hwinspector_gpu_temperature_celsius") == 6
