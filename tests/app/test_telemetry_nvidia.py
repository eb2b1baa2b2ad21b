"""NVIDIA telemetry through nvidia-smi: a fake nvidia-smi program first on PATH, sampled once a second into
the Telemetry page's history, next to file channels."""

from __future__ import annotations

import itertools
import math
import os
import time
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import Qt

from hwinspector.pages.telemetry import TelemetryPage
from hwinspector.probes.machine.snapshot import Snapshot, Source
from hwinspector.probes.telemetry.channels import Catalogue, read_catalogue
from hwinspector.probes.telemetry.session import CommandSampler, TelemetrySession, effective_rate
from tests.probes.graphics import drm_trees as trees

SLOT = "0000:01:00.0"
FIELDS = "pci.bus_id,utilization.gpu,power.draw,temperature.gpu,clocks.sm,memory.used"
ARGS = f"--query-gpu={FIELDS} --format=csv,noheader,nounits"


@pytest.fixture
def nvidia(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Catalogue, Path]:
    """A desktop with an NVIDIA GPU on the proprietary driver, and an nvidia-smi that logs each run."""
    sysfs, procfs, bin_dir = tmp_path / "sys", tmp_path / "proc", tmp_path / "bin"
    trees.nvidia_desktop(sysfs, procfs)
    bin_dir.mkdir()
    log = tmp_path / "runs.log"
    script = bin_dir / "nvidia-smi"
    script.write_text(
        "#!/bin/sh\n"
        f'[ "$*" = "{ARGS}" ] || {{ echo "unexpected arguments: $*" >&2; exit 6; }}\n'
        f"[ -e {tmp_path}/fail ] && {{ echo 'NVIDIA-SMI has failed because it could not communicate' >&2; exit 9; }}\n"
        f"date +%s.%N >> {log}\n"
        "echo '00000000:01:00.0, 37, 42.17, 55, 1410, 2048'\n"
    )
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    (tmp_path / "temp1_input").write_text("45000\n")
    return read_catalogue(sysfs), log


def _runs(log: Path) -> list[float]:
    return [float(x) for x in log.read_text().split()] if log.exists() else []


def test_nvidia_channels_are_listed_tickable_and_sampled_on_the_page(qtbot, nvidia) -> None:  # type: ignore[no-untyped-def]
    cat, log = nvidia
    ids = [c.id for c in cat.channels if c.id.startswith(f"gpu:{SLOT}/")]
    assert ids == [f"gpu:{SLOT}/{m}" for m in ("busy", "power", "temp", "sm_clock", "vram_used")]
    page = TelemetryPage()
    qtbot.addWidget(page)
    page.set_snapshot(Snapshot(Source("live", "live machine"), ()))
    page.set_catalogue(cat)
    page.show()
    qtbot.waitExposed(page)
    try:
        # shown in the browser and tickable, but not ticked by default: each reading is a process run
        assert not any(c.id in ids for c in page.channels.checked())
        model = page.channels
        found = {}
        for r in range(model.rowCount()):
            parent = model.index(r, 0)
            for c in range(model.rowCount(parent)):
                idx = model.index(c, 0, parent)
                ch = model.channel_at(idx)
                if ch is not None and ch.id in ids:
                    found[ch.id] = idx
        assert set(found) == set(ids)
        power = found[f"gpu:{SLOT}/power"]
        assert model.flags(power) & Qt.ItemFlag.ItemIsUserCheckable
        assert model.setData(power, Qt.CheckState.Checked, Qt.ItemDataRole.CheckStateRole)
        model.setData(found[f"gpu:{SLOT}/temp"], Qt.CheckState.Checked, Qt.ItemDataRole.CheckStateRole)
        qtbot.waitUntil(lambda: page.session is not None and f"gpu:{SLOT}/power" in page.current_series(), timeout=3000)
        assert page.session is not None
        commands = [
            (rate, [c.id for c in chans]) for rate, chans, s, _ in page.session.groups if isinstance(s, CommandSampler)
        ]
        assert commands == [(1.0, [f"gpu:{SLOT}/power", f"gpu:{SLOT}/temp"])]

        def values() -> np.ndarray:
            return page.current_series()[f"gpu:{SLOT}/power"][1]

        qtbot.waitUntil(lambda: len(values()) >= 2, timeout=5000)
        assert list(values()[:2]) == [42.17, 42.17]
        assert page.current_series()[f"gpu:{SLOT}/temp"][1][0] == 55.0
        page._update_stats()
        rows = {r.id: r for r in page.stats.rows()}
        assert rows[f"gpu:{SLOT}/power"].last == 42.17 and rows[f"gpu:{SLOT}/power"].unit == "W"
        # one run per reading, about a second apart: a low-rate poller, not the kHz sampler
        runs = _runs(log)
        assert len(runs) == len(values()) or len(runs) == len(values()) + 1
        assert all(0.8 < b - a < 1.5 for a, b in itertools.pairwise(runs))
    finally:
        page.shutdown()
    stopped = len(_runs(log))
    time.sleep(1.3)
    assert len(_runs(log)) == stopped  # shut down: no more runs


def test_session_mixes_files_and_nvidia_smi_and_survives_its_failure(nvidia, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    cat, _ = nvidia
    power = next(c for c in cat.channels if c.id == f"gpu:{SLOT}/power")
    temp = next(c for c in cat.channels if c.id == f"gpu:{SLOT}/temp")
    # a rate chosen by the user caps file channels; a command channel never goes above its own 1 Hz
    assert effective_rate(power, 500.0) == 1.0 and effective_rate(power, 0.5) == 0.5
    from hwinspector.probes.telemetry.channels import Channel

    coretemp = Channel("hwmon:coretemp/temp1", "coretemp", "°C", str(tmp_path / "temp1_input"), 0.001, 1.0,
                       "gauge", "coretemp", True, None)  # fmt: skip
    session = TelemetrySession([coretemp, power, temp], rate_cap_hz=500.0, backend="python")
    assert [(rate, type(s).__name__) for rate, _, s, _ in session.groups] == [
        (500.0, "Sampler"),
        (1.0, "CommandSampler"),
    ]
    assert session.backend == "python"
    session.start()
    try:
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and len(session.series(power.id)[0]) < 1:
            session.poll()
            time.sleep(0.05)
        assert session.series(power.id)[1][-1] == 42.17
        assert session.series(coretemp.id)[1][-1] == 45.0
        (tmp_path / "fail").touch()
        before = len(session.series(power.id)[0])
        while time.monotonic() < deadline + 3 and len(session.series(power.id)[0]) <= before:
            session.poll()
            time.sleep(0.05)
        # a failed run is a gap (NaN) with its reason, not an exception and not a stale value
        assert math.isnan(session.series(power.id)[1][-1])
        sampler = next(s for _, _, s, _ in session.groups if isinstance(s, CommandSampler))
        assert sampler.last_error is not None and "exit status 9" in sampler.last_error
        assert sampler.stats["read_errors"] >= 2 and sampler.stats["ticks"] >= 2
        assert session.cost()["ticks"] > 0
    finally:
        session.close()


def test_one_shot_readings_run_nvidia_smi_once_for_all_its_channels(nvidia, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """`hwinspector telemetry` and the Overview tiles read channels once: NVIDIA ones come from one run of
    nvidia-smi (they are not files), the rest from sysfs as before; a failing nvidia-smi is a reason."""
    from hwinspector.probes.telemetry.channels import read_channel_values

    cat, log = nvidia
    gpu = [c for c in cat.channels if c.id.startswith(f"gpu:{SLOT}/")]
    files = [c for c in cat.channels if c.readable and not c.id.startswith(f"gpu:{SLOT}/")]
    readings = read_channel_values([*files[:2], *gpu])
    assert [r.id for r in readings] == [c.id for c in [*files[:2], *gpu]]
    values = {r.id: r.value for r in readings}
    assert values[f"gpu:{SLOT}/busy"] == 37 and values[f"gpu:{SLOT}/temp"] == 55
    assert values[f"gpu:{SLOT}/power"] == pytest.approx(42.17)
    assert len(_runs(log)) == 1
    (tmp_path / "fail").touch()
    failed = read_channel_values(gpu)
    assert all(r.value is None and "nvidia-smi failed" in (r.reason or "") for r in failed)


def test_cli_telemetry_and_record_read_nvidia_channels(nvidia, tmp_path: Path, monkeypatch, capsys) -> None:  # type: ignore[no-untyped-def]
    """On a real NVIDIA server `hwinspector telemetry` listed the GPU as unreadable and `record` found nothing
    to record: the channels are read by running nvidia-smi, and that is a reading like any other."""
    import json

    from hwinspector.cli import main
    from hwinspector.probes.telemetry.recording import read_recording

    # --sysfs (on every command, as node_exporter's --path.sysfs) points the catalogue at the fake tree.
    assert main(["telemetry", "--json", "--sysfs", str(tmp_path / "sys")]) == 0
    chans = {c["id"]: c for c in json.loads(capsys.readouterr().out)["channels"]}
    assert chans[f"gpu:{SLOT}/power"]["readable"] and chans[f"gpu:{SLOT}/power"]["value"] == pytest.approx(42.17)
    assert chans[f"gpu:{SLOT}/temp"]["value"] == 55
    out = tmp_path / "gpu.jsonl.gz"
    argv = [
        "record",
        "--duration",
        "2.5",
        "--channels",
        f"gpu:{SLOT}/*",
        "-o",
        str(out),
        "--sysfs",
        str(tmp_path / "sys"),
    ]
    assert main(argv) == 0
    rec = read_recording(out)
    _t, values = rec.series[f"gpu:{SLOT}/power"]
    assert len(values) >= 1 and set(values.tolist()) == {42.17}
