"""Who uses the GPU: fdinfo of amdgpu, i915 and xe clients on fake procfs trees, two reads, de-duplicated."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hwinspector.probes.gpu.fdinfo import clients, read_client_samples
from hwinspector.probes.gpu.read import GpuReader
from tests.probes.gpu.captured import A380_XE, PHOENIX, captured_card

# Shaped like the examples in Documentation/gpu/drm-usage-stats.rst and the drivers' own fdinfo docs
# (amdgpu-fdinfo: "drm-engine-gfx: … ns" and memory regions; i915: render/video with a video capacity of
# 2; xe: drm-cycles/drm-total-cycles pairs); the counter values are ours.
AMDGPU = """pos:	0
flags:	02100002
mnt_id:	24
ino:	1239
drm-driver:	amdgpu
drm-pdev:	0000:64:00.0
drm-client-id:	14
drm-engine-gfx:	{gfx} ns
drm-engine-compute:	0 ns
drm-engine-dec:	0 ns
drm-total-gtt:	2 MiB
drm-resident-gtt:	2 MiB
drm-total-vram:	6 MiB
drm-resident-vram:	6 MiB
amd-evicted-vram:	0
"""
I915 = """drm-driver: i915
drm-client-id: 42
drm-pdev: 0000:00:02.0
drm-engine-render: {render} ns
drm-engine-copy: 0 ns
drm-engine-video: {video} ns
drm-engine-capacity-video: 2
drm-engine-video-enhance: 0 ns
"""
XE = """drm-driver: xe
drm-client-id: 10
drm-pdev: 0000:08:00.0
drm-total-vram0: 24576 KiB
drm-resident-vram0: 24576 KiB
drm-cycles-rcs: {rcs}
drm-total-cycles-rcs: {total}
drm-cycles-ccs: 0
drm-total-cycles-ccs: {total}
drm-engine-capacity-ccs: 4
"""


def _proc(procfs: Path, pid: int, comm: str, fds: dict[int, tuple[str, str]]) -> None:
    d = procfs / str(pid)
    (d / "fd").mkdir(parents=True, exist_ok=True)
    (d / "fdinfo").mkdir(exist_ok=True)
    (d / "comm").write_text(f"{comm}\n")
    for fd, (node, info) in fds.items():
        link = d / "fd" / str(fd)
        if not link.is_symlink():
            os.symlink(f"/dev/dri/{node}", link)
        (d / "fdinfo" / str(fd)).write_text(info)


def test_engine_nanoseconds_over_wall_time_give_busy_percent(tmp_path: Path) -> None:
    _proc(tmp_path, 4242, "firefox", {31: ("renderD128", AMDGPU.format(gfx=1_000_000_000))})
    clock = iter([0, 500_000_000])
    before = read_client_samples(tmp_path, lambda n: True, lambda: next(clock))
    _proc(tmp_path, 4242, "firefox", {31: ("renderD128", AMDGPU.format(gfx=1_125_000_000))})
    after = read_client_samples(tmp_path, lambda n: True, lambda: next(clock))
    (c,) = clients(before, after, {})
    assert (c.pid, c.command, c.driver, c.pci_address, c.node) == (
        4242,
        "firefox",
        "amdgpu",
        "0000:64:00.0",
        "renderD128",
    )
    assert c.busy_percent == pytest.approx(25.0)  # 125 ms busy in 500 ms
    assert c.memory_kib == {"gtt": 2048, "total-gtt": 2048, "vram": 6144, "total-vram": 6144}


def test_capacity_divides_and_cycles_are_read_against_total_cycles(tmp_path: Path) -> None:
    _proc(tmp_path, 10, "mpv", {3: ("renderD128", I915.format(render=0, video=0))})
    _proc(tmp_path, 11, "gnome-shell", {5: ("renderD129", XE.format(rcs=1000, total=10_000))})
    clock = iter([0, 0, 1_000_000_000, 1_000_000_000])
    before = read_client_samples(tmp_path, lambda n: True, lambda: next(clock))
    _proc(tmp_path, 10, "mpv", {3: ("renderD128", I915.format(render=0, video=1_000_000_000))})
    _proc(tmp_path, 11, "gnome-shell", {5: ("renderD129", XE.format(rcs=4000, total=20_000))})
    after = read_client_samples(tmp_path, lambda n: True, lambda: next(clock))
    by_pid = {c.pid: c for c in clients(before, after, {})}
    # one second of video work over two video engines is half the class's capacity
    assert {e.engine: e.busy_percent for e in by_pid[10].engines}["video"] == pytest.approx(50.0)
    assert {e.engine: e.busy_percent for e in by_pid[11].engines}["rcs"] == pytest.approx(30.0)
    assert by_pid[11].memory_kib["vram0"] == 24576


def test_a_client_shared_by_two_fds_and_a_forked_child_counts_once(tmp_path: Path) -> None:
    info = AMDGPU.format(gfx=0)
    _proc(tmp_path, 100, "steam", {10: ("renderD128", info), 11: ("renderD128", info)})
    _proc(tmp_path, 101, "steamwebhelper", {10: ("renderD128", info)})
    (s,) = read_client_samples(tmp_path, lambda n: True)
    assert (s.pid, s.client_id) == (100, 14)


def test_fds_of_a_sleeping_gpu_are_not_read(tmp_path: Path) -> None:
    _proc(tmp_path, 7, "firefox", {3: ("renderD129", AMDGPU.format(gfx=0))})
    os.unlink(tmp_path / "7" / "fdinfo" / "3")
    os.mkfifo(tmp_path / "7" / "fdinfo" / "3")  # reading it would be the bug
    assert read_client_samples(tmp_path, lambda n: n != "renderD129") == []


def test_garbage_and_vanishing_fds_are_skipped(tmp_path: Path) -> None:
    _proc(tmp_path, 8, "x", {3: ("card0", "pos: 0\nflags: 0\n"), 4: ("renderD128", "drm-driver: amdgpu\n\0\xff")})
    os.symlink("/dev/dri/renderD128", tmp_path / "8" / "fd" / "9")  # fdinfo gone: closed between list and read
    (s,) = read_client_samples(tmp_path, lambda n: True)
    assert (s.driver, s.engine_ns, s.client_id) == ("amdgpu", {}, None)


def test_the_reader_attributes_clients_to_their_gpu(tmp_path: Path) -> None:
    sysfs = tmp_path / "sys"
    captured_card(sysfs, "card1", PHOENIX)
    captured_card(sysfs, "card0", A380_XE)
    procfs = tmp_path / "proc"
    _proc(procfs, 4242, "firefox", {31: ("card1", AMDGPU.format(gfx=5))})
    reader = GpuReader(sysfs, procfs)
    reader.read()
    (c,) = reader.read().clients
    assert (c.command, c.pci_address, c.node) == ("firefox", "0000:64:00.0", "card1")
