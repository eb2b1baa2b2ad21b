"""NVIDIA Telemetry channels through NVML: NVIDIA's own binding loads a fake libnvidia-ml.so.1 built from C in
the test, sampled by a real TelemetrySession in a subprocess, `hwinspector telemetry --json` and `record`; NVML
is never opened while an NVIDIA GPU is runtime-suspended (the fake logs every nvmlInit)."""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from hwinspector.probes.telemetry.recording import read_recording
from tests.probes.graphics import drm_trees as trees

FAKE_NVML = Path(__file__).resolve().parents[2] / "data" / "gpu" / "fake_nvml.c"
SLOT = "0000:01:00.0"
RUNTIME = f"devices/pci0000:00/0000:00:01.0/{SLOT}/power/runtime_status"
WATTS = 50.0

# The code under test runs in a subprocess so that LD_LIBRARY_PATH reaches dlopen. It samples for
# `seconds`, writing `state` into runtime_status files at the given times (the test's own doing, as the
# PM core would), and prints every series with its timestamps.
_SESSION = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    from hwinspector.probes.telemetry.channels import read_catalogue
    from hwinspector.probes.telemetry.session import TelemetrySession
    sysfs, seconds, flips = Path(sys.argv[1]), float(sys.argv[2]), json.loads(sys.argv[3])
    chans = [c for c in read_catalogue(sysfs).channels if c.id.startswith("gpu:0000:01:00.0/")]
    s = TelemetrySession(chans)
    s.start()
    t0 = time.monotonic_ns()
    for at, path, state in flips:
        time.sleep(max(0.0, t0 * 1e-9 + at - time.monotonic()))
        Path(path).write_text(state + "\\n")
    time.sleep(max(0.0, t0 * 1e-9 + seconds - time.monotonic()))
    s.poll()
    s.stop()
    out = {"groups": [[rate, s2.backend, [c.id for c in cs]] for rate, cs, s2, _ in s.groups], "series": {}}
    for c in chans:
        t, v = s.series(c.id)
        out["series"][c.id] = [[(int(a) - t0) * 1e-9, None if b != b else float(b)] for a, b in zip(t, v)]
    out["paths"] = {c.id: c.path for c in chans}
    s.close()
    print(json.dumps(out))
    """
)


@pytest.fixture
def fake_nvml(tmp_path: Path) -> dict[str, str]:
    """The environment that makes pynvml load the fake library, with its init log and a 50 W energy ramp."""
    if shutil.which("gcc") is None:
        pytest.skip("gcc is not installed: the fake libnvidia-ml.so.1 is built from C in the test")
    libdir = tmp_path / "lib"
    libdir.mkdir()
    lib = libdir / "libnvidia-ml.so.1"
    subprocess.run(["gcc", "-shared", "-fPIC", "-O1", "-o", str(lib), str(FAKE_NVML)], check=True)
    return {
        "LD_LIBRARY_PATH": str(libdir),
        "FAKE_NVML_LOG": str(tmp_path / "nvml.log"),
        "FAKE_NVML_WATTS": str(WATTS),
    }


def _tree(tmp_path: Path) -> Path:
    sysfs = tmp_path / "sys"
    trees.nvidia_desktop(sysfs, tmp_path / "proc")
    return sysfs


def _session(sysfs: Path, env: dict[str, str], seconds: float, flips: list[list[Any]]) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, "-c", _SESSION, str(sysfs), str(seconds), json.dumps(flips)],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **env},
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    doc: dict[str, Any] = json.loads(proc.stdout)
    return doc


def _log(env: dict[str, str]) -> list[str]:
    p = Path(env["FAKE_NVML_LOG"])
    return p.read_text().split() if p.exists() else []


def _values(doc: dict[str, Any], suffix: str, t0: float = 0.0, t1: float = math.inf) -> list[float | None]:
    return [v for t, v in doc["series"][f"gpu:{SLOT}/{suffix}"] if t0 <= t < t1]


@pytest.mark.timeout(120)
def test_a_session_samples_nvml_channels_at_their_rates(tmp_path: Path, fake_nvml: dict[str, str]) -> None:
    doc = _session(_tree(tmp_path), fake_nvml, 2.0, [])
    assert all(p.startswith("nvml:") for p in doc["paths"].values())  # NVML, not nvidia-smi
    groups = {(rate, backend): ids for rate, backend, ids in doc["groups"]}
    assert set(groups) == {(10.0, "nvml"), (1.0, "nvml")}
    assert sorted(i.rsplit("/", 1)[1] for i in groups[(1.0, "nvml")]) == ["power", "temp"]
    fast = len(_values(doc, "busy"))
    assert 12 <= fast <= 22  # 10 Hz for 2 s
    assert 1 <= len(_values(doc, "power")) <= 3  # the 1 s average, at 1 Hz
    last = {s: _values(doc, s)[-1] for s in ("power_instant", "power", "temp", "sm_clock", "mem_clock")}
    assert last == {"power_instant": 42.25, "power": 31.5, "temp": 47, "sm_clock": 210, "mem_clock": 405}
    assert (_values(doc, "busy")[-1], _values(doc, "mem_busy")[-1], _values(doc, "vram_used")[-1]) == (7, 3, 512)
    # the energy counter (mJ, growing at 50 W in the fake driver) becomes watts
    watts = [v for v in _values(doc, "power_from_energy", 0.5) if v is not None]
    assert watts and all(v == pytest.approx(WATTS, rel=0.25) for v in watts)
    assert _log(fake_nvml) == ["init", "shutdown"]  # one NVML user for the whole session, closed at the end


@pytest.mark.timeout(120)
def test_nvml_is_never_opened_while_the_gpu_sleeps_and_closes_when_it_falls_asleep(
    tmp_path: Path, fake_nvml: dict[str, str]
) -> None:
    sysfs = _tree(tmp_path)
    status = sysfs / RUNTIME
    status.write_text("suspended\n")
    doc = _session(sysfs, fake_nvml, 3.0, [[1.0, str(status), "active"], [2.0, str(status), "suspended"]])
    asleep = _values(doc, "busy", 0.0, 0.9) + _values(doc, "busy", 2.15)
    awake = _values(doc, "busy", 1.15, 1.9)
    assert asleep and all(v is None for v in asleep)  # NaN while asleep, never 0
    assert awake and all(v == 7 for v in awake)
    assert all(v is None for v in _values(doc, "power", 2.15))
    # opened once it woke (each rate group's poller shares one NVML user), shut down as soon as it slept
    assert _log(fake_nvml) == ["init", "shutdown"]


@pytest.mark.timeout(120)
def test_another_sleeping_nvidia_gpu_keeps_nvml_closed(tmp_path: Path, fake_nvml: dict[str, str]) -> None:
    sysfs = _tree(tmp_path)
    # a second NVIDIA GPU, asleep: nvmlInit would open (and wake) it too, though none of its channels is sampled
    trees.pci_gpu(sysfs, "0000:02:00.0", (0x10DE, 0x2704), driver="nvidia", module="nvidia", runtime="suspended")
    doc = _session(sysfs, fake_nvml, 1.0, [])
    assert all(v is None for v in _values(doc, "busy"))
    assert _log(fake_nvml) == []


def _cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "hwinspector", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **env},
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return proc


@pytest.mark.timeout(120)
def test_telemetry_json_reads_nvml(tmp_path: Path, fake_nvml: dict[str, str]) -> None:
    sysfs = _tree(tmp_path)
    doc = json.loads(_cli(fake_nvml, "telemetry", "--json", "--sysfs", str(sysfs)).stdout)
    got = {c["id"].rsplit("/", 1)[1]: c for c in doc["channels"] if c["id"].startswith(f"gpu:{SLOT}/")}
    assert got["power_instant"]["source"] == f"nvml:{SLOT}/power_instant"
    assert (got["power_instant"]["value"], got["power_instant"]["unit"]) == (42.25, "W")
    assert got["vram_used"]["value"] == 512
    assert got["power_from_energy"]["kind"] == "counter"
    assert got["power_from_energy"]["value"] == pytest.approx(WATTS, rel=0.25)
    assert "nvidia" not in doc["unavailable"]
    # two looks, each its own NVML session, both closed
    assert _log(fake_nvml) == ["init", "shutdown", "init", "shutdown"]


@pytest.mark.timeout(120)
def test_telemetry_json_leaves_a_sleeping_gpu_alone(tmp_path: Path, fake_nvml: dict[str, str]) -> None:
    sysfs = _tree(tmp_path)
    (sysfs / RUNTIME).write_text("suspended\n")
    doc = json.loads(_cli(fake_nvml, "telemetry", "--json", "--sysfs", str(sysfs)).stdout)
    nv = [c for c in doc["channels"] if c["id"].startswith(f"gpu:{SLOT}/")]
    assert nv and all(c["value"] is None and "asleep (0000:01:00.0: suspended)" in c["reason"] for c in nv)
    assert _log(fake_nvml) == []


@pytest.mark.timeout(120)
def test_record_nvml_channels_and_replay(tmp_path: Path, fake_nvml: dict[str, str]) -> None:
    sysfs = _tree(tmp_path)
    out = tmp_path / "nv.jsonl.gz"
    _cli(fake_nvml, "record", "--sysfs", str(sysfs), "--duration", "1.5", "--channels", "gpu:*", "-o", str(out))
    rec = read_recording(out)
    ids = {c.id for c in rec.channels}
    assert {f"gpu:{SLOT}/power_instant", f"gpu:{SLOT}/power", f"gpu:{SLOT}/busy"} <= ids
    _, v = rec.series[f"gpu:{SLOT}/power_instant"]
    assert len(v) >= 10 and set(v[~(v != v)].tolist()) == {42.25}
    assert {c.rate_hz for c in rec.channels if c.id == f"gpu:{SLOT}/power"} == {1.0}
