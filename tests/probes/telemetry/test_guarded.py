"""GPU channels in the sampler: runtime_status is read first every tick; a sleeping GPU is not read, its fds closed."""

from __future__ import annotations

import math
import os
import time
from pathlib import Path

import pytest

from hwinspector.probes.graphics.channels import amdgpu_channels
from hwinspector.probes.telemetry.guarded import GuardedFiles
from hwinspector.probes.telemetry.session import TelemetrySession
from tests.probes.gpu.captured import PHOENIX, blob, captured_card


def _phoenix(sysfs: Path) -> Path:
    # amdgpu_channels finds cards through class/drm links to real device folders: resolve the capture.
    return captured_card(sysfs, "card1", PHOENIX, blob("phoenix"))


def test_amdgpu_channels_now_include_hwmon_temperatures_voltages_and_clocks(tmp_path: Path) -> None:
    _phoenix(tmp_path)
    ids = {c.id.split("/", 1)[1] for c in amdgpu_channels(tmp_path)}
    assert {"busy", "power", "temperature_c.edge", "voltage_mv.northbridge", "clock_mhz.gfx"} <= ids
    assert all(c.guard and c.guard.endswith("device/power/runtime_status") for c in amdgpu_channels(tmp_path))


@pytest.mark.timeout(30)
def test_guarded_reads_stop_and_fds_close_while_asleep(tmp_path: Path) -> None:
    card = _phoenix(tmp_path)
    chans = [c for c in amdgpu_channels(tmp_path) if c.readable]
    reader = GuardedFiles()
    first = {r.id: r for r in reader(chans)}
    assert first["gpu:0000:64:00.0/temperature_c.edge"].value == 25
    assert reader.open_fds() == len(chans)
    (card / "device/power/runtime_status").write_text("suspended\n")
    for c in chans:  # anything opened now would be a FIFO: an open of ours would still not hang (O_NONBLOCK),
        os.unlink(c.path)  # but a value would be missing where it must be "asleep"
        os.mkfifo(c.path)
    asleep = reader(chans)
    assert all(r.value is None and (r.reason or "").startswith("asleep (suspended)") for r in asleep)
    assert reader.open_fds() == 0
    for c in chans:
        os.unlink(c.path)
        Path(c.path).write_text("7\n")
    (card / "device/power/runtime_status").write_text("active\n")
    assert {r.value for r in reader(chans)} == {7 * c.scale for c in chans}
    reader.close()
    assert reader.open_fds() == 0


def test_eperm_from_a_channel_file_closes_that_gpus_fds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _phoenix(tmp_path)
    chans = [c for c in amdgpu_channels(tmp_path) if c.readable]
    reader = GuardedFiles()
    reader(chans)
    real = os.pread

    def eperm(fd: int, n: int, off: int) -> bytes:
        # amdgpu's hwmon handlers answer -EPERM while the GPU suspends: root cannot provoke it on a file.
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "pread", eperm)
    (r, *_) = reader(chans)
    # the guard itself now answers EPERM too (it is pread the same way): either way, asleep and unread
    assert r.reason is not None and r.reason.startswith("asleep (") and "EPERM" in r.reason
    monkeypatch.setattr(os, "pread", real)
    assert reader.open_fds() < len(chans)


@pytest.mark.timeout(60)
def test_a_session_samples_gpu_channels_only_while_awake(tmp_path: Path) -> None:
    card = _phoenix(tmp_path)
    chans = [c for c in amdgpu_channels(tmp_path) if c.readable and c.id.endswith("temperature_c.edge")]
    s = TelemetrySession(chans, rate_cap_hz=50.0)
    assert [g[2].backend for g in s.groups] == ["guarded"]
    s.start()
    try:
        time.sleep(0.4)
        (card / "device/power/runtime_status").write_text("suspended\n")
        time.sleep(0.4)
        s.poll()
    finally:
        s.stop()
        s.close()
    _, v = s.series(chans[0].id)
    values = v[:, 0] if v.ndim == 2 else v
    assert any(x == 25 for x in values)
    assert math.isnan(values[-1])
