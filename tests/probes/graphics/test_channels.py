"""GPU telemetry channels on fake trees: ids, units, rates, values, RC6 counter semantics, nvidia-smi polling."""

from __future__ import annotations

import importlib
import shutil
import stat
from pathlib import Path

import pytest

from hwinspector.probes.errors import ProbeUnavailable
from hwinspector.probes.graphics import channels as gpu_channels
from hwinspector.probes.graphics.channels import (
    amdgpu_channels,
    intel_channels,
    is_command_channel,
    nvidia_channels,
    nvidia_smi_argv,
    parse_nvidia_smi,
    read_nvidia_smi,
)
from hwinspector.probes.telemetry import channels as channels_module
from hwinspector.probes.telemetry.channels import Channel, provider_names, read_catalogue, read_channel_values
from tests.probes.graphics import drm_trees as trees
from tests.probes.sysfs_builder import class_device, extract_ttar, make_eio, write_attrs

# Importing gpu_channels registered its providers for the whole test process; other modules count the
# built-in providers exactly, so they are registered only while the tests here run.
_OTHERS = {k: v for k, v in channels_module._PROVIDERS.items() if k not in gpu_channels.PROVIDERS}
channels_module._PROVIDERS.clear()
channels_module._PROVIDERS.update(_OTHERS)


@pytest.fixture(autouse=True)
def _gpu_providers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(channels_module, "_PROVIDERS", dict(_OTHERS))
    gpu_channels.register()


def by_id(channels: list[Channel]) -> dict[str, Channel]:
    ids = [c.id for c in channels]
    assert len(ids) == len(set(ids))
    return {c.id: c for c in channels}


def values(channels: list[Channel]) -> dict[str, float | None]:
    return {r.id: r.value for r in read_channel_values(channels)}


def test_amdgpu_channels(tmp_path: Path) -> None:
    trees.hybrid_laptop(tmp_path)
    chans = by_id(amdgpu_channels(tmp_path))
    assert sorted(chans) == [f"gpu:0000:01:00.0/{m}" for m in ("busy", "mem_busy", "power", "vram_used")]
    busy = chans["gpu:0000:01:00.0/busy"]
    assert (busy.unit, busy.max_rate_hz, busy.kind, busy.readable, busy.device) == (
        "%",
        100.0,
        "gauge",
        True,
        "0000:01:00.0",
    )
    assert busy.path.endswith("/0000:01:00.0/gpu_busy_percent")
    power = chans["gpu:0000:01:00.0/power"]
    assert (power.unit, power.max_rate_hz, Path(power.path).name) == ("W", 10.0, "power1_average")
    assert chans["gpu:0000:01:00.0/vram_used"].unit == "MiB"
    got = values(list(chans.values()))
    assert got["gpu:0000:01:00.0/busy"] == 7
    assert got["gpu:0000:01:00.0/mem_busy"] == 3
    assert got["gpu:0000:01:00.0/vram_used"] == 256.0
    assert got["gpu:0000:01:00.0/power"] == pytest.approx(5.12)


def test_amdgpu_power_input_on_newer_chips(tmp_path: Path) -> None:
    dgpu = trees.pci_gpu(tmp_path, "0000:03:00.0", (0x1002, 0x744C), driver="amdgpu", gpu_busy_percent=99)
    trees.drm_card(tmp_path, dgpu, 0, render=128)
    class_device(tmp_path, "hwmon", f"{dgpu}/hwmon/hwmon4", {"name": "amdgpu", "power1_input": 212000000}, dgpu)
    chans = by_id(amdgpu_channels(tmp_path))
    assert sorted(chans) == ["gpu:0000:03:00.0/busy", "gpu:0000:03:00.0/power"]  # no mem_busy on this one
    assert values([chans["gpu:0000:03:00.0/power"]]) == {"gpu:0000:03:00.0/power": pytest.approx(212.0)}


def test_suspended_gpu_is_not_read_at_discovery(tmp_path: Path) -> None:
    dgpu = trees.pci_gpu(
        tmp_path, "0000:01:00.0", (0x1002, 0x6900), driver="amdgpu", runtime="suspended", gpu_busy_percent=0
    )
    trees.drm_card(tmp_path, dgpu, 1, render=129)
    make_eio(tmp_path / dgpu.lstrip("/") / "gpu_busy_percent")  # a trial read would fail and show EIO
    (busy,) = amdgpu_channels(tmp_path)
    assert busy.readable and busy.reason is not None and busy.reason.startswith("asleep at discovery")


def test_unreadable_attribute_says_why(tmp_path: Path) -> None:
    paths = trees.hybrid_laptop(tmp_path)
    make_eio(tmp_path / paths["dgpu"].lstrip("/") / "mem_busy_percent")
    chans = by_id(amdgpu_channels(tmp_path))
    mem = chans["gpu:0000:01:00.0/mem_busy"]
    assert (mem.readable, mem.reason) == (False, "EIO")
    assert chans["gpu:0000:01:00.0/busy"].readable


def _i915_legacy(sysfs: Path) -> Path:
    paths = trees.hybrid_laptop(sysfs)
    card0 = sysfs / paths["card0"].lstrip("/")
    write_attrs(
        card0,
        {
            "gt_act_freq_mhz": 300,
            "gt_cur_freq_mhz": 350,
            "gt_RP0_freq_mhz": 1100,
            "gt_RPn_freq_mhz": 300,
            "power/rc6_residency_ms": 1000,
        },
    )
    return card0


def test_i915_frequencies_and_rc6(tmp_path: Path) -> None:
    card0 = _i915_legacy(tmp_path)
    chans = by_id(intel_channels(tmp_path))
    assert sorted(chans) == [f"gpu:0000:00:02.0/gt0/{m}" for m in ("act_freq", "rc6", "req_freq")]
    act, req = chans["gpu:0000:00:02.0/gt0/act_freq"], chans["gpu:0000:00:02.0/gt0/req_freq"]
    assert (act.unit, act.kind, act.max_rate_hz, act.label) == (
        "MHz",
        "gauge",
        200.0,
        "i915 0000:00:02.0 gt0 actual frequency (RP0 1100 MHz)",
    )
    assert Path(req.path).name == "gt_cur_freq_mhz"
    assert values([act, req]) == {act.id: 300, req.id: 350}
    rc6 = chans["gpu:0000:00:02.0/gt0/rc6"]
    assert (rc6.unit, rc6.kind, rc6.max_rate_hz, rc6.wrap_raw) == ("%", "counter", 10.0, None)
    # Counter semantics (channels.Channel): the plotted value is Δ(raw * scale) / Δt. 800 ms of RC6 in 1 s
    # is 80 % idle.
    before = read_channel_values([rc6])[0].value
    (card0 / "power" / "rc6_residency_ms").write_text("1800\n")
    after = read_channel_values([rc6])[0].value
    assert before is not None and after is not None
    assert (after - before) / 1.0 == pytest.approx(80.0)


def test_i915_per_gt_directories(tmp_path: Path) -> None:
    card0 = _i915_legacy(tmp_path)
    for gt, act in (("gt0", 600), ("gt1", 400)):  # Meteor Lake: render GT and media GT
        write_attrs(
            card0 / "gt" / gt,
            {"rps_act_freq_mhz": act, "rps_cur_freq_mhz": act, "rps_RP0_freq_mhz": 2250, "rc6_residency_ms": 5},
        )
    chans = by_id(intel_channels(tmp_path))
    assert sorted(chans) == [
        f"gpu:0000:00:02.0/{gt}/{m}" for gt in ("gt0", "gt1") for m in ("act_freq", "rc6", "req_freq")
    ]
    assert values([chans["gpu:0000:00:02.0/gt1/act_freq"]]) == {"gpu:0000:00:02.0/gt1/act_freq": 400}


def test_xe_frequencies_and_idle(tmp_path: Path) -> None:
    gpu = trees.pci_gpu(tmp_path, "0000:00:02.0", (0x8086, 0x64A0), driver="xe", boot_vga=1)
    trees.drm_card(tmp_path, gpu, 0, render=128)
    d = tmp_path / gpu.lstrip("/")
    write_attrs(
        d / "tile0" / "gt0",
        {"freq0/act_freq": 1950, "freq0/cur_freq": 2000, "freq0/rp0_freq": 2000, "gtidle/idle_residency_ms": 42},
    )
    write_attrs(d / "tile0" / "gt1", {"freq0/act_freq": 0, "freq0/cur_freq": 1000})
    chans = by_id(intel_channels(tmp_path))
    assert sorted(chans) == [
        "gpu:0000:00:02.0/gt0/act_freq",
        "gpu:0000:00:02.0/gt0/rc6",
        "gpu:0000:00:02.0/gt0/req_freq",
        "gpu:0000:00:02.0/gt1/act_freq",
        "gpu:0000:00:02.0/gt1/req_freq",
    ]
    assert chans["gpu:0000:00:02.0/gt0/act_freq"].label == "xe 0000:00:02.0 gt0 actual frequency (RP0 2000 MHz)"
    assert chans["gpu:0000:00:02.0/gt0/rc6"].kind == "counter"
    assert values([chans["gpu:0000:00:02.0/gt0/act_freq"]]) == {"gpu:0000:00:02.0/gt0/act_freq": 1950}


def test_prometheus_amdgpu_fixture(corpus: Path, tmp_path: Path) -> None:
    extract_ttar(corpus / "other" / "prometheus-procfs" / "fixtures.ttar", tmp_path, "fixtures/sys/class/drm")
    sysfs = tmp_path / "fixtures" / "sys"
    chans = by_id(amdgpu_channels(sysfs))
    assert sorted(chans) == ["gpu:0000:09:00.0/busy", "gpu:0000:09:00.0/vram_used"]
    got = values(list(chans.values()))
    assert got["gpu:0000:09:00.0/busy"] == 4
    assert got["gpu:0000:09:00.0/vram_used"] == pytest.approx(1490378752 / 2**20)
    assert intel_channels(sysfs) == []  # the fixture's i915 card has no frequency files (older kernel)


# --- NVIDIA through nvidia-smi ---------------------------------------------------------------------


def fake_nvidia_smi(tmp_path: Path, stdout: str, status: int = 0) -> str:
    """A stand-in for the real tool that checks it was asked exactly what nvidia-smi needs."""
    argv = " ".join(nvidia_smi_argv("x")[1:])
    exe = tmp_path / "nvidia-smi"
    exe.write_text(
        "#!/bin/sh\n"
        f'[ "$*" = "{argv}" ] || {{ echo "unexpected arguments: $*" >&2; exit 2; }}\n'
        f"cat <<'EOF'\n{stdout}EOF\n"
        f"[ {status} = 0 ] || echo 'NVIDIA-SMI has failed because it could not communicate with the driver.' >&2\n"
        f"exit {status}\n"
    )
    exe.chmod(exe.stat().st_mode | stat.S_IXUSR)
    return str(exe)


def test_nvidia_channels_and_poller(tmp_path: Path) -> None:
    sysfs = tmp_path / "sys"
    trees.nvidia_desktop(sysfs, tmp_path / "proc")
    exe = fake_nvidia_smi(tmp_path, "00000000:01:00.0, 3, 21.52, 38, 405, 1024\n")
    chans = nvidia_channels(sysfs, nvidia_smi=exe)
    assert [c.id for c in chans] == [
        f"gpu:0000:01:00.0/{m}" for m in ("busy", "power", "temp", "sm_clock", "vram_used")
    ]
    assert all(is_command_channel(c) and c.readable and c.reason is None and c.max_rate_hz == 1.0 for c in chans)
    assert [c.unit for c in chans] == ["%", "W", "°C", "MHz", "MiB"]
    readings = {r.id: (r.value, r.reason) for r in read_nvidia_smi(chans, exe)}
    assert readings == {
        "gpu:0000:01:00.0/busy": (3.0, None),
        "gpu:0000:01:00.0/power": (21.52, None),
        "gpu:0000:01:00.0/temp": (38.0, None),
        "gpu:0000:01:00.0/sm_clock": (405.0, None),
        "gpu:0000:01:00.0/vram_used": (1024.0, None),
    }


def test_nvidia_smi_unsupported_fields_and_failures(tmp_path: Path) -> None:
    sysfs = tmp_path / "sys"
    trees.nvidia_desktop(sysfs, tmp_path / "proc")
    chans = nvidia_channels(sysfs, nvidia_smi="/nonexistent/nvidia-smi")
    exe = fake_nvidia_smi(tmp_path, "00000000:01:00.0, [N/A], [Not Supported], 40, 1410, 0\n")
    got = {r.id: (r.value, r.reason) for r in read_nvidia_smi(chans, exe)}
    assert got["gpu:0000:01:00.0/power"] == (None, "not supported by this GPU")
    assert got["gpu:0000:01:00.0/busy"] == (None, "not supported by this GPU")
    assert got["gpu:0000:01:00.0/vram_used"] == (0.0, None)
    other = fake_nvidia_smi(tmp_path, "00000000:02:00.0, 1, 2, 3, 4, 5\n")
    assert {r.reason for r in read_nvidia_smi(chans, other)} == {"nvidia-smi does not list 0000:01:00.0"}
    broken = fake_nvidia_smi(tmp_path, "", status=9)
    reasons = {r.reason for r in read_nvidia_smi(chans, broken)}
    assert reasons == {
        "nvidia-smi failed: exit status 9: NVIDIA-SMI has failed because it could not communicate with the driver."
    }
    assert read_nvidia_smi([c for c in read_catalogue(sysfs).channels if not is_command_channel(c)], broken) == []


def test_parse_nvidia_smi_domains() -> None:
    rows = parse_nvidia_smi("00000001:C1:00.0, 99, 300.5, 70, 1980, 80000\nNo devices were found\n")
    assert rows == {
        "0001:c1:00.0": {
            "utilization.gpu": 99.0,
            "power.draw": 300.5,
            "temperature.gpu": 70.0,
            "clocks.sm": 1980.0,
            "memory.used": 80000.0,
        }
    }


@pytest.mark.skipif(shutil.which("nvidia-smi") is not None, reason="nvidia-smi is installed on this machine")
def test_nvidia_without_nvidia_smi_is_unavailable(tmp_path: Path) -> None:
    trees.nvidia_desktop(tmp_path, tmp_path / "proc")
    with pytest.raises(ProbeUnavailable, match="nvidia-smi is not installed"):
        nvidia_channels(tmp_path)
    assert "nvidia" in read_catalogue(tmp_path).unavailable


def test_no_gpus_says_why(tmp_path: Path) -> None:
    unavailable = read_catalogue(tmp_path).unavailable
    assert {k: unavailable[k] for k in ("amdgpu", "intel-gpu", "nvidia")} == {
        "amdgpu": "no GPU driven by amdgpu",
        "intel-gpu": "no GPU driven by i915 or xe",
        "nvidia": "no GPU bound to the nvidia driver",
    }


def test_registration_is_idempotent(tmp_path: Path) -> None:
    trees.hybrid_laptop(tmp_path)
    _i915_legacy(tmp_path)
    before = provider_names()
    importlib.reload(gpu_channels)
    gpu_channels.register()
    names = provider_names()
    assert names == before
    assert [n for n in names if n in ("amdgpu", "intel-gpu", "nvidia")] == ["amdgpu", "intel-gpu", "nvidia"]
    ids = [c.id for c in read_catalogue(tmp_path).channels]
    assert len(ids) == len(set(ids))
    assert {"gpu:0000:01:00.0/busy", "gpu:0000:00:02.0/gt0/rc6"} <= set(ids)
