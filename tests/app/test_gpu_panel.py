"""The Graphics page's GPU panel: readings with units, clients, a sleeping dGPU, polling only while shown."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hwinspector.models.gpu import GpuClientsModel, GpuReadingsModel, RawRole, ReadingColumn
from hwinspector.pages.gpu_panel import GpuPanel
from hwinspector.probes.gpu.read import GpuReader
from tests.probes.gpu.captured import A380_XE, PHOENIX, blob, captured_card, suspended_dgpu


@pytest.fixture
def machine(tmp_path: Path) -> Path:
    sysfs, procfs = tmp_path / "sys", tmp_path / "proc"
    captured_card(sysfs, "card0", PHOENIX, blob("phoenix"))
    captured_card(sysfs, "card1", A380_XE)
    suspended_dgpu(sysfs, "card2")
    d = procfs / "4242"
    (d / "fd").mkdir(parents=True)
    (d / "fdinfo").mkdir()
    (d / "comm").write_text("firefox\n")
    os.symlink("/dev/dri/card0", d / "fd" / "5")
    (d / "fdinfo" / "5").write_text(
        "drm-driver: amdgpu\ndrm-pdev: 0000:64:00.0\ndrm-client-id: 3\ndrm-resident-vram: 4096 KiB\n"
    )
    return tmp_path


def test_models_pass_the_model_tester(machine: Path, qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    rep = GpuReader(machine / "sys", machine / "proc").read()
    readings = GpuReadingsModel()
    readings.set_gpu(rep.gpus[0])
    qtmodeltester.check(readings, force_py=True)
    clients = GpuClientsModel()
    clients.set_clients(list(rep.clients))
    qtmodeltester.check(clients, force_py=True)
    rows = {
        (readings.index(r, 0).data(), readings.index(r, 1).data()): readings.index(r, ReadingColumn.VALUE).data()
        for r in range(readings.rowCount())
    }
    assert rows[("Voltage", "northbridge")] == "615 mV"
    assert rows[("Temperature", "gfx")] == "25 °C"
    raw = readings.index(0, ReadingColumn.VALUE).data(RawRole)
    assert isinstance(raw, float)


@pytest.mark.timeout(60)
def test_panel_shows_each_gpu_and_polls_only_while_shown(machine: Path, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    panel = GpuPanel(sysfs=machine / "sys", procfs=machine / "proc")
    qtbot.addWidget(panel)
    panel.resize(1100, 420)
    assert not panel.poller.polling
    panel.show()
    qtbot.waitUntil(lambda: panel.report is not None, timeout=10_000)
    assert panel.poller.polling
    assert panel.selector.count() == 3
    assert "gpu_metrics v2_1" in panel.state.text()
    assert panel.clients_model.rowCount() == 1
    panel.selector.setCurrentIndex(2)
    assert "asleep (suspended)" in panel.state.text()
    assert panel.readings_model.rowCount() == 0
    img = panel.grab()
    assert img.width() == 1100
    img.save(str(tmp_path / "gpu-panel.png"))
    panel.hide()
    assert not panel.poller.polling
    panel.shutdown()


def test_a_bundle_without_gpu_readings_says_why(qtbot) -> None:  # type: ignore[no-untyped-def]
    panel = GpuPanel(sysfs=Path("/nonexistent"), procfs=Path("/nonexistent"))
    qtbot.addWidget(panel)
    panel.set_captured(None, "not part of this dump")
    panel.show()
    assert panel.state.text() == "not part of this dump"
    assert not panel.poller.polling
    panel.shutdown()
