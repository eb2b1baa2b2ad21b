"""Bundles carry the GPU: structured/gpu.json, raw/gpu/* (nothing of a sleeping GPU), and `gpu --from` gives it back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hwinspector.cli.main import main
from hwinspector.probes.gpu.model import report_json
from hwinspector.probes.gpu.read import read_gpu_report
from hwinspector.probes.machine.sections import Section
from hwinspector.report.bundle import read_members
from hwinspector.report.capture import capture
from hwinspector.report.raw_gpu import gpu_specs
from tests.probes.gpu.captured import PHOENIX, blob, captured_card, suspended_dgpu
from tests.report.fixtures_capture import fixed_options, fixed_sections


@pytest.mark.timeout(60)
def test_a_bundle_keeps_the_gpu_section_and_raw_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sysfs = tmp_path / "sys"
    captured_card(sysfs, "card0", PHOENIX, blob("phoenix"))
    suspended_dgpu(sysfs, "card1")

    def sections(progress: object) -> dict[str, Section]:
        doc = report_json(read_gpu_report(sysfs, tmp_path / "proc", 0.0))
        return {**fixed_sections(), "gpu": Section("gpu", True, None, doc)}

    opts = fixed_options(tmp_path, plan=gpu_specs(sysfs), sections=sections)
    path, _, _ = capture(opts, tmp_path / "out.tar.xz", privacy=None)
    _, members = read_members(path)
    assert members["raw/gpu/card0.gpu_metrics.bin"] == blob("phoenix")
    apu = members["raw/gpu/card0.txt"].decode()
    assert "pp_dpm_sclk: 0: 800Mhz *" in apu
    assert "hwmon/hwmon6/in1_label: vddnb" in apu
    dgpu = members["raw/gpu/card1.txt"].decode()
    assert "power/runtime_status: suspended" in dgpu
    assert "asleep (suspended)" in dgpu
    assert "hwmon" not in dgpu.replace("hwmon/*", "")
    assert "raw/gpu/card1.gpu_metrics.bin" not in members  # skipped: asleep

    assert main(["gpu", "--from", str(path), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["source"].startswith("bundle ")
    by_card = {g["card"]: g for g in doc["gpus"]}
    assert by_card["card0"]["readings"]["voltage_mv.northbridge"] == 615
    assert by_card["card1"]["runtime_pm"]["asleep"] is True
    assert main(["gpu", "--from", str(path)]) == 0
    assert "card1  0000:03:00.0  amdgpu: asleep (suspended)" in capsys.readouterr().out


def test_a_bundle_without_a_gpu_section_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    opts = fixed_options(tmp_path)
    path, _, _ = capture(opts, tmp_path / "out.tar.xz", privacy=None)
    assert main(["gpu", "--from", str(path)]) == 2
    assert "not in this test" in capsys.readouterr().err
