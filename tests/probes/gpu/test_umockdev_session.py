"""A live telemetry session under umockdev-run, on a recorded amdgpu APU (written from LACT's Phoenix capture):
the GPU channels come from the recording's /sys, through the native sampler's guard; while the recording's
runtime_status says suspended they are NaN, and they come back when it says active."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.probes.gpu.captured import PHOENIX, umockdev_recording

DEVPATH = "/devices/pci0000:00/0000:00:08.1/0000:64:00.0"
_RUN = textwrap.dedent(
    """
    import json, time
    from pathlib import Path
    from hwinspector.probes.telemetry.channels import read_catalogue
    from hwinspector.probes.telemetry.session import TelemetrySession
    chans = [c for c in read_catalogue(Path("/sys")).channels if c.id.startswith("gpu:0000:64:00.0/")]
    s = TelemetrySession(chans)
    status = Path("/sys/class/drm/card1/device/power/runtime_status")
    s.start()
    t0 = time.monotonic_ns()
    marks = []
    for state in ("suspended", "active"):
        time.sleep(0.6)
        marks.append(time.monotonic_ns() - t0)
        status.write_text(state + "\\n")  # into the testbed, as the PM core would change it
    time.sleep(0.6)
    s.poll()
    s.stop()
    out = {"marks": marks, "backends": sorted({g[2].backend for g in s.groups}), "series": {}}
    for c in chans:
        t, v = s.series(c.id)
        out["series"][c.id] = [[int(a) - t0, None if b != b else float(b)] for a, b in zip(t, v)]
    s.close()
    print(json.dumps(out))
    """
)


@pytest.mark.timeout(120)
def test_gpu_channels_of_a_recorded_apu_in_a_live_session(tmp_path: Path) -> None:
    if shutil.which("umockdev-run") is None:
        pytest.skip("umockdev-run is not installed (Debian: umockdev)")
    rec = tmp_path / "phoenix.umockdev"
    rec.write_text(umockdev_recording(PHOENIX, DEVPATH, "card1"))
    proc = subprocess.run(
        ["umockdev-run", "-d", str(rec), "--", sys.executable, "-c", _RUN],
        capture_output=True,
        text=True,
        timeout=100,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout.strip().splitlines()[-1])
    assert doc["backends"] == ["native"]  # GPU files in the native sampler, guarded there
    m1, m2 = doc["marks"]
    gap = 100_000_000  # skip 100 ms after each flip (a 10 Hz channel's next tick)

    def phase(suffix: str, a: int, b: int) -> list[float | None]:
        return [v for t, v in doc["series"][f"gpu:0000:64:00.0/{suffix}"] if a + gap <= t < b]

    for suffix, value in (("temperature_c.edge", 25.0), ("power", 3.103), ("busy", 0.0), ("voltage_mv.gfx", 814)):
        before, asleep, after = phase(suffix, -gap, m1), phase(suffix, m1, m2), phase(suffix, m2, 1 << 62)
        assert before and asleep and after, suffix
        assert all(v == pytest.approx(value) for v in before + after), suffix
        assert all(v is None for v in asleep), suffix  # NaN while asleep: never 0
