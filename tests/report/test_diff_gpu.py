"""Comparing two captures' GPUs: runtime PM, driver settings, power, and readings that came or went."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from hwinspector.probes.gpu.model import RuntimePm, report_json
from hwinspector.probes.gpu.read import GpuReader
from hwinspector.probes.machine.sections import Section
from hwinspector.report.diff import Side, diff
from tests.probes.gpu.captured import RX7800XT, blob, captured_card


def _side(label: str, tmp: Path, files: dict[str, object], control: str = "auto") -> Side:
    captured_card(tmp, "card1", files, blob("rx7800xt"))
    rep = GpuReader(tmp, tmp / "proc").read()
    rep = replace(rep, gpus=tuple(replace(g, runtime=RuntimePm("active", control=control)) for g in rep.gpus))
    return Side(label, "bundle", {"gpu": Section("gpu", True, None, report_json(rep))})


def test_gpu_changes_between_two_captures(tmp_path: Path) -> None:
    a = _side("before", tmp_path / "a", RX7800XT)
    after = {k: v for k, v in RX7800XT.items() if "temp3" not in k}  # the memory temperature is gone
    after["device/hwmon/hwmon4/power1_cap"] = 212000000
    after["device/power_dpm_force_performance_level"] = "auto"
    b = _side("after", tmp_path / "b", after, control="on")
    changes = {(c.kind, c.item): (c.a, c.b) for c in diff(a, b).changes if c.category == "gpu"}
    assert changes[("changed", "0000:03:00.0 power_w.cap")] == ("236", "212")
    assert changes[("changed", "0000:03:00.0 performance level")] == ("manual", "auto")
    assert changes[("changed", "0000:03:00.0 runtime PM")] == ("active (control auto)", "active (control on)")
    # temperature_c.mem is still there from gpu_metrics: the hwmon file going away changes nothing shown
    assert ("changed", "0000:03:00.0 readings offered") not in changes


def test_same_capture_twice_has_no_gpu_change(tmp_path: Path) -> None:
    a = _side("a", tmp_path / "a", RX7800XT)
    b = _side("b", tmp_path / "b", RX7800XT)
    assert [c for c in diff(a, b).changes if c.category == "gpu"] == []
