"""NVIDIA through NVIDIA's own binding against a fake libnvidia-ml.so.1, and the nvidia-smi fallback."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from tests.probes.gpu.captured import captured_card

FAKE_NVML = Path(__file__).resolve().parents[2] / "data" / "gpu" / "fake_nvml.c"

NVIDIA = {
    "device/uevent": "DRIVER=nvidia\nPCI_CLASS=30000\nPCI_ID=10DE:2704\nPCI_SLOT_NAME=0000:01:00.0",
    "device/power/runtime_status": "active",
}

_READ = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    from hwinspector.probes.gpu.model import report_json
    from hwinspector.probes.gpu.read import GpuReader
    r = GpuReader(Path(sys.argv[1]), Path(sys.argv[2]), nvidia_smi=sys.argv[3] if len(sys.argv) > 3 else None)
    rep = r.read()
    print(json.dumps({**report_json(rep), "nvml_open": r.nvml.is_open}))
    r.close()
    """
)


def _lib(tmp_path: Path) -> Path:
    if shutil.which("gcc") is None:
        pytest.skip("gcc is not installed: the fake libnvidia-ml.so.1 is built from C in the test")
    libdir = tmp_path / "lib"
    libdir.mkdir()
    subprocess.run(
        ["gcc", "-shared", "-fPIC", "-O1", "-o", str(libdir / "libnvidia-ml.so.1"), str(FAKE_NVML)], check=True
    )
    return libdir


def _run(tmp_path: Path, env: dict[str, str], *extra: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-c", _READ, str(tmp_path / "sys"), str(tmp_path / "proc"), *extra],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **env},
        check=True,
    )
    result: dict[str, Any] = json.loads(out.stdout)
    return result


@pytest.mark.timeout(120)
def test_nvml_through_pynvml_reads_power_fields_energy_clocks_and_processes(tmp_path: Path) -> None:
    libdir = _lib(tmp_path)
    captured_card(tmp_path / "sys", "card1", NVIDIA)
    (tmp_path / "proc" / "4242").mkdir(parents=True)
    (tmp_path / "proc" / "4242" / "comm").write_text("blender\n")
    rep = _run(tmp_path, {"LD_LIBRARY_PATH": str(libdir)})
    (gpu,) = rep["gpus"]
    v = gpu["readings"]
    assert v["power_w.input"] == pytest.approx(42.25)  # NVML_FI_DEV_POWER_INSTANT, mW
    assert v["power_w.average"] == pytest.approx(31.5)  # no averaged field: nvmlDeviceGetPowerUsage
    assert gpu["sources"]["power_w.input"] == "nvml field value"
    assert v["energy_j.total"] == pytest.approx(123456.789)
    assert v["power_w.cap"] == 320
    assert v["temperature_c.gpu"] == 47
    assert (v["clock_mhz.gfx"], v["clock_mhz.sm"], v["clock_mhz.mem"], v["clock_mhz.video"]) == (210, 210, 405, 555)
    assert (v["busy_percent.gfx"], v["busy_percent.mem"]) == (7, 3)
    assert v["memory_mib.vram_total"] == 16384
    assert "fan_pwm_percent" not in v
    assert "Not Supported" in gpu["absent"]["fan_pwm_percent"]
    assert gpu["throttle_reasons"] == ["gpu_idle", "sw_power_cap"]
    clients = {c["pid"]: c for c in rep["clients"]}
    assert clients[4242]["command"] == "blender"
    assert clients[4242]["memory_kib"] == {"vram": 300 * 1024}
    assert clients[4343]["memory_kib"] == {"vram": 1024 * 1024}
    assert rep["nvml_open"] is True


@pytest.mark.timeout(120)
def test_a_sleeping_nvidia_gpu_never_opens_nvml(tmp_path: Path) -> None:
    libdir = _lib(tmp_path)
    captured_card(tmp_path / "sys", "card1", {**NVIDIA, "device/power/runtime_status": "suspended"})
    rep = _run(tmp_path, {"LD_LIBRARY_PATH": str(libdir)})
    (gpu,) = rep["gpus"]
    assert gpu["runtime_pm"]["asleep"] is True
    assert gpu["readings"] == {}
    assert rep["nvml_open"] is False


def _fake_smi(tmp_path: Path, body: str) -> Path:
    exe = tmp_path / "nvidia-smi"
    exe.write_text(f"#!/bin/sh\n{body}\n")
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR)
    return exe


@pytest.mark.timeout(120)
def test_without_nvml_nvidia_smi_answers(tmp_path: Path) -> None:
    captured_card(tmp_path / "sys", "card1", NVIDIA)
    exe = _fake_smi(
        tmp_path,
        'case "$1" in --query-gpu=pci.bus_id,utilization.gpu,*) ;; *) exit 9;; esac\n'
        'echo "00000000:01:00.0, 12, 4, 35.20, 320.00, 51, 1200, 1200, 7001, 812, 16376, [N/A]"',
    )
    # No libnvidia-ml.so.1 anywhere on the library path: NVML cannot load.
    rep = _run(tmp_path, {"LD_LIBRARY_PATH": str(tmp_path / "empty")}, str(exe))
    (gpu,) = rep["gpus"]
    assert gpu["readings"]["power_w.average"] == pytest.approx(35.2)
    assert gpu["sources"]["power_w.average"] == "nvidia-smi"
    assert gpu["absent"]["fan_pwm_percent"] == "nvidia-smi fan.speed: [N/A]"
    assert any("nvidia-smi" in n for n in rep["notes"])


@pytest.mark.timeout(120)
def test_nvidia_smi_failing_gives_a_reason_not_a_crash(tmp_path: Path) -> None:
    captured_card(tmp_path / "sys", "card1", NVIDIA)
    exe = _fake_smi(
        tmp_path, 'echo "NVIDIA-SMI has failed because it could not communicate with the driver." >&2; exit 9'
    )
    rep = _run(tmp_path, {"LD_LIBRARY_PATH": str(tmp_path / "empty")}, str(exe))
    (gpu,) = rep["gpus"]
    assert gpu["readings"] == {}
    assert "could not communicate with the driver" in gpu["notes"][0]
