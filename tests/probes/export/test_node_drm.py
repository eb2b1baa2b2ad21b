"""node_drm_*: node_exporter's drm collector series, checked series by series against the real node_exporter
(Debian's prometheus-node-exporter) on the same trees; a sleeping GPU is not read (node_exporter wakes it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hwinspector.probes.export.node import read_node_metrics
from tests.probes.export.test_node import Key, exposition
from tests.probes.gpu.captured import PHOENIX, captured_card, suspended_dgpu
from tests.probes.sysfs_builder import extract_ttar
from tests.prometheus_servers import NODE_EXPORTER, free_port, need, promtool_check, running, samples, wait_http


def node_exporter_drm(sysfs: Path) -> dict[Key, float]:
    binary = need(NODE_EXPORTER, "prometheus-node-exporter")
    port = free_port()
    argv = [
        binary,
        "--collector.disable-defaults",
        "--collector.drm",
        f"--path.sysfs={sysfs}",
        f"--web.listen-address=127.0.0.1:{port}",
    ]
    with running(argv) as proc:
        text = wait_http(f"http://127.0.0.1:{port}/metrics", proc).decode("utf-8")
    return {k: v for k, v in samples(text).items() if k[0].startswith("node_drm_")}


def ours(sysfs: Path) -> tuple[dict[Key, float], str]:
    text = exposition(read_node_metrics(sysfs).families)
    return {k: v for k, v in samples(text).items() if k[0].startswith("node_drm_")}, text


def _file_of(name: str) -> str:
    return {
        "node_drm_gpu_busy_percent": "gpu_busy_percent",
        "node_drm_memory_gtt_size_bytes": "mem_info_gtt_total",
        "node_drm_memory_gtt_used_bytes": "mem_info_gtt_used",
        "node_drm_memory_vram_size_bytes": "mem_info_vram_total",
        "node_drm_memory_vram_used_bytes": "mem_info_vram_used",
        "node_drm_memory_vis_vram_size_bytes": "mem_info_vis_vram_total",
        "node_drm_memory_vis_vram_used_bytes": "mem_info_vis_vram_used",
    }[name]


def compare(sysfs: Path, asleep: set[str] = frozenset()) -> dict[Key, float]:  # type: ignore[assignment]
    """Every series both have carries the same labels and value; each one only node_exporter has is a
    deliberate difference: a card asleep (we do not read it), a card of another driver (node_exporter 1.5.0
    lists it as an "amd" card of zeros) or an attribute the card lacks (their 0)."""
    theirs = node_exporter_drm(sysfs)
    mine, text = ours(sysfs)
    assert theirs, "node_exporter found no amdgpu card: the tree is not what the test means"
    common = theirs.keys() & mine.keys()
    wrong = {f"{k[0]}{dict(k[1])}": (mine[k], theirs[k]) for k in common if mine[k] != theirs[k]}
    assert not wrong, f"(ours, node_exporter's): {wrong}"
    assert not mine.keys() - theirs.keys(), f"series node_exporter does not have: {mine.keys() - theirs.keys()}"
    for name, labels in theirs.keys() - mine.keys():
        card = dict(labels)["card"]
        if card in asleep:
            continue
        if "DRIVER=amdgpu" not in (sysfs / "class" / "drm" / card / "device" / "uevent").read_text().split():
            assert theirs[(name, labels)] in (0, 1) and dict(labels).get("unique_id", "") == ""
            continue
        assert name != "node_drm_card_info", f"card_info of {card} missing"
        assert theirs[(name, labels)] == 0
        assert not (sysfs / "class" / "drm" / card / "device" / _file_of(name)).exists(), (name, card)
    assert promtool_check(text).returncode == 0
    return mine


def test_same_series_as_node_exporter_on_procfs_fixture(corpus: Path, tmp_path: Path) -> None:
    extract_ttar(corpus / "other" / "prometheus-procfs" / "fixtures.ttar", tmp_path, "fixtures/sys/class/drm")
    mine = compare(tmp_path / "fixtures" / "sys")  # card0 amdgpu, card1 i915
    assert {dict(k[1])["card"] for k in mine} == {"card0"}
    names = {k[0] for k in mine}
    assert {"node_drm_card_info", "node_drm_gpu_busy_percent", "node_drm_memory_vram_used_bytes"} <= names


def test_captured_apu_awake_and_dgpu_asleep(tmp_path: Path) -> None:
    sysfs = tmp_path / "sys"
    captured_card(sysfs, "card0", {**PHOENIX, "device/unique_id": "7fd1d1c2a8bd1e02", "device/mem_info_gtt_used": 123})
    # regular files here: node_exporter reads a sleeping card (which would wake it) and must not hang
    suspended_dgpu(sysfs, "card1", fifo=False)
    mine = compare(sysfs, asleep={"card1"})
    info = {dict(k[1])["card"]: dict(k[1]) for k in mine if k[0] == "node_drm_card_info"}
    assert set(info) == {"card0"}  # the sleeping RX 7800 XT: no node_drm_* series from us
    assert info["card0"] == {
        "card": "card0",
        "memory_vendor": "",
        "power_performance_level": "auto",
        "unique_id": "7fd1d1c2a8bd1e02",
        "vendor": "amd",
    }
    assert mine[("node_drm_memory_vram_used_bytes", frozenset({("card", "card0")}))] == 1272893440
    assert ("node_drm_memory_gtt_size_bytes", frozenset({("card", "card0")})) not in mine  # no file: no 0


@pytest.mark.timeout(30)
def test_a_sleeping_gpus_fifo_files_are_never_opened(tmp_path: Path) -> None:
    sysfs = tmp_path / "sys"
    captured_card(sysfs, "card0", PHOENIX)
    suspended_dgpu(sysfs, "card1", fifo=True)  # an open() of any of its attributes would hang this test
    mine, _ = ours(sysfs)
    assert {dict(k[1])["card"] for k in mine} == {"card0"}
