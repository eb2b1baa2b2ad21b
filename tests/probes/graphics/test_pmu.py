"""Intel GPU PMU discovery on fake trees of real event lists, and the channels it gives."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hwinspector.probes.errors import ProbeUnavailable
from hwinspector.probes.graphics.pmu import GpuCounter, encode_config, list_gpu_counters, read_pmu
from hwinspector.probes.graphics.pmu_channels import PROVIDER, intel_pmu_channels
from hwinspector.probes.telemetry.channels import provider_names
from hwinspector.probes.telemetry.perf import parse_perf_path
from tests.probes.graphics import pmu_trees as trees


def _by_metric(counters: list[GpuCounter], device: str = "0000:00:02.0") -> dict[str, GpuCounter]:
    return {c.metric: c for c in counters if c.device == device}


def _procfs(tmp: Path, paranoid: int | None, caps: int = 0) -> Path:
    proc = tmp / "proc"
    (proc / "self").mkdir(parents=True)
    (proc / "self" / "status").write_text(f"Name:\tpython3\nCapInh:\t0000000000000000\nCapEff:\t{caps:016x}\n")
    if paranoid is not None:
        (proc / "sys" / "kernel").mkdir(parents=True)
        (proc / "sys" / "kernel" / "perf_event_paranoid").write_text(f"{paranoid}\n")
    return proc


def test_gemini_lake_i915(tmp_path: Path) -> None:
    sysfs = tmp_path / "sys"
    trees.glk(sysfs)
    got = _by_metric(list_gpu_counters(sysfs))
    assert set(got) == {
        "bcs0/busy",
        "rcs0/busy",
        "vcs0/busy",
        "vecs0/busy",
        "gt0/act_freq",
        "gt0/req_freq",
        "gt0/rc6",
        "gt0/awake",
        "interrupts",
        "energy",
    }  # -wait and -sema are left out: they run i915's sampling timer under forcewake
    assert got["rcs0/busy"].counter.config == 0x0 and got["vcs0/busy"].counter.config == 0x2000
    assert got["vecs0/busy"].counter.config == 0x3000
    assert got["gt0/act_freq"].counter.config == 0x100000 and got["gt0/req_freq"].counter.config == 0x100001
    assert got["interrupts"].counter.config == 0x100002 and got["gt0/rc6"].counter.config == 0x100003
    i915_type = str(sysfs / "bus/event_source/devices/i915/type")
    for c in got.values():
        # uncore: system-wide on the cpumask CPU (i915_pmu_event_init refuses any other)
        assert c.counter.pid == -1 and c.counter.cpu == 0 and c.counter.mode == "total"
        assert not c.wakes and not c.forcewake and not c.suspended
    assert got["rcs0/busy"].counter.type_path == i915_type and got["rcs0/busy"].raw_unit == "ns"
    # units: ns of busy time * 1e-7 = % of a second; MHz x s is MHz as a rate; 2^-32 J
    assert (got["rcs0/busy"].scale, got["rcs0/busy"].full_scale, got["rcs0/busy"].unit) == (1e-7, 100.0, "%")
    assert (got["gt0/act_freq"].unit, got["gt0/act_freq"].kind, got["gt0/act_freq"].scale) == ("MHz", "counter", 1.0)
    energy = got["energy"]
    assert energy.pmu == "power" and energy.counter.config == 4 and energy.scale == 2.0**-32 and energy.unit == "W"
    assert energy.counter.type_path.endswith("devices/power/type") and energy.raw_unit == "Joules"


def test_meteor_lake_two_gts(tmp_path: Path) -> None:
    sysfs = tmp_path / "sys"
    trees.mtl(sysfs)
    got = _by_metric(list_gpu_counters(sysfs))
    assert got["gt1/act_freq"].counter.config == 0x1000000000100000
    assert got["gt1/rc6"].counter.config == 0x1000000000100003 and got["gt1/rc6"].event == "rc6-residency-gt1"
    assert got["gt0/rc6"].counter.config == 0x100003
    assert "gt0/awake" in got and "gt1/awake" not in got  # i915 reads gt0's awake time whatever the suffix
    assert got["interrupts"].counter.config == 0x100002  # global: no suffix, no GT bits
    assert got["ccs0/busy"].counter.config == 0x4000 and got["vcs1/busy"].counter.config == 0x2010


def test_discrete_i915_beside_the_integrated_one(tmp_path: Path) -> None:
    sysfs = tmp_path / "sys"
    trees.dg2_beside_igpu(sysfs)
    counters = list_gpu_counters(sysfs)
    assert {c.device for c in counters} == {"0000:00:02.0", "0000:b5:00.0"}
    dg2 = _by_metric(counters, "0000:b5:00.0")
    assert dg2["rcs0/busy"].pmu == trees.DG2_NAME
    assert dg2["rcs0/busy"].counter.type_path.endswith(f"{trees.DG2_NAME}/type")
    assert "energy" not in dg2 and "energy" in _by_metric(counters)  # RAPL's PP1 is the integrated GPU


def test_lunar_lake_xe(tmp_path: Path) -> None:
    sysfs = tmp_path / "sys"
    trees.lnl(sysfs)
    got = _by_metric(list_gpu_counters(sysfs))
    assert set(got) == {
        "gt0/rc6",
        "gt0/act_freq",
        "gt0/req_freq",
        "gt0/bcs0/busy",
        "gt0/ccs0/busy",
        "gt0/rcs0/busy",
        "gt1/rc6",
        "gt1/act_freq",
        "gt1/req_freq",
        "gt1/vcs0/busy",
        "gt1/vecs0/busy",
        "energy",
    }
    rc6 = got["gt1/rc6"]
    assert rc6.counter.config == 1 << 60 | 0x01 and rc6.scale == 0.1 and rc6.window_s == 0.1 and rc6.raw_unit == "ms"
    freq = got["gt0/act_freq"]
    assert (freq.counter.mode, freq.kind, freq.counter.config) == ("delta", "gauge", 0x04)
    busy = got["gt0/ccs0/busy"]  # engine_class 4 in bits 20-27, instance 0, event 2 over event 3
    assert (busy.counter.mode, busy.counter.config, busy.counter.config2) == ("ratio", 0x400002, 0x400003)
    vcs = got["gt1/vcs0/busy"]
    assert vcs.counter.config == 1 << 60 | 2 << 20 | 0x02 and vcs.counter.config2 == 1 << 60 | 2 << 20 | 0x03
    assert all(c.wakes for m, c in got.items() if m != "energy")  # xe_pmu_event_init takes a runtime-PM reference
    assert busy.forcewake and freq.forcewake and not rc6.forcewake and not got["energy"].wakes


def test_suspended_xe_gpu_is_not_opened_but_i915_is(tmp_path: Path) -> None:
    sysfs = tmp_path / "sys"
    trees.lnl(sysfs)
    (sysfs / "bus/pci/devices/0000:00:02.0/power/runtime_status").write_text("suspended\n")
    proc = _procfs(tmp_path, 0)
    channels = intel_pmu_channels(sysfs, proc)
    xe = [c for c in channels if "/energy" not in c.id]
    assert xe and all(not c.readable and "wake" in (c.reason or "") for c in xe)
    glk = tmp_path / "glk"
    trees.glk(glk)
    (glk / "bus/pci/devices/0000:00:02.0/power").mkdir(parents=True)
    (glk / "bus/pci/devices/0000:00:02.0/power/runtime_status").write_text("suspended\n")
    assert all(c.readable for c in intel_pmu_channels(glk, proc))  # i915's PMU never resumes the device


@pytest.mark.parametrize(
    ("paranoid", "caps", "readable", "says"),
    [
        (2, 0, False, "(it is 2)"),
        (1, 0, False, "(it is 1)"),
        (2, 1 << 38, True, None),  # CAP_PERFMON
        (2, 1 << 21, True, None),  # CAP_SYS_ADMIN
        (0, 0, True, None),
        (-1, 0, True, None),
        (None, 0, False, "no perf events"),
    ],
)
def test_channels_say_what_perf_event_paranoid_allows(
    tmp_path: Path, paranoid: int | None, caps: int, readable: bool, says: str | None
) -> None:
    sysfs = tmp_path / "sys"
    trees.glk(sysfs)
    channels = intel_pmu_channels(sysfs, _procfs(tmp_path, paranoid, caps))
    assert channels and all(c.readable is readable for c in channels)
    if says:
        assert all(says in (c.reason or "") for c in channels)
        assert all("helper" in (c.reason or "") for c in channels) or paranoid is None


def test_channel_ids_paths_and_labels(tmp_path: Path) -> None:
    sysfs = tmp_path / "sys"
    trees.lnl(sysfs)
    channels = {c.id: c for c in intel_pmu_channels(sysfs, _procfs(tmp_path, 0))}
    busy = channels["gpu:0000:00:02.0/pmu/gt0/rcs0/busy"]
    assert busy.label == "xe 0000:00:02.0 gt0 rcs0 busy (PMU, keeps the GT awake)"
    assert (busy.unit, busy.kind, busy.full_scale, busy.max_rate_hz) == ("%", "counter", 100.0, 200.0)
    counter = parse_perf_path(busy.path)
    assert counter is not None and counter.mode == "ratio" and counter.config2 == 0x03
    assert channels["gpu:0000:00:02.0/pmu/gt1/rc6"].label == "xe 0000:00:02.0 gt1 RC6 (idle) residency (PMU)"
    assert channels["gpu:0000:00:02.0/pmu/energy"].unit == "W"
    assert PROVIDER in provider_names()


def test_no_gpu_pmu_is_unavailable(tmp_path: Path) -> None:
    sysfs = tmp_path / "sys"
    trees.rapl_pmu(sysfs)
    with pytest.raises(ProbeUnavailable, match="no i915 or xe PMU"):
        list_gpu_counters(sysfs)
    with pytest.raises(ProbeUnavailable, match="no i915 or xe PMU"):
        intel_pmu_channels(sysfs)


def test_broken_sysfs_files_skip_only_what_they_break(tmp_path: Path) -> None:
    sysfs = tmp_path / "sys"
    trees.dg2_beside_igpu(sysfs)
    events = sysfs / "bus/event_source/devices/i915/events"
    (events / "rcs0-busy").write_text("config=0xzz\n")  # garbage: that event only
    (events / "bcs0-busy").write_text("umask=0x1\n")  # a term the PMU has no format field for
    os.unlink(events / "vcs0-busy")
    os.mkfifo(events / "vcs0-busy")  # a FIFO planted in a foreign tree never hangs discovery
    (sysfs / "bus/event_source/devices" / trees.DG2_NAME / "type").write_text("i915\n")  # the whole PMU
    got = _by_metric(list_gpu_counters(sysfs))
    assert "rcs0/busy" not in got and "bcs0/busy" not in got and "vcs0/busy" not in got
    assert "vecs0/busy" in got and "gt0/rc6" in got
    assert not _by_metric(list_gpu_counters(sysfs), "0000:b5:00.0")
    assert read_pmu(sysfs / "bus/event_source/devices" / trees.DG2_NAME).error is not None


def test_encode_config_as_perf_does() -> None:
    fmts = trees.XE_FORMATS
    assert encode_config("event=0x02", fmts, {"gt": 1, "engine_class": 2, "engine_instance": 1}) == (
        1 << 60 | 2 << 20 | 1 << 12 | 2
    )
    assert encode_config("config=0x100003", {}) == 0x100003
    assert encode_config("event=5", fmts) == 5
    with pytest.raises(ValueError, match="does not fit"):
        encode_config("event=0x01", fmts, {"gt": 16})
    with pytest.raises(ValueError, match="not a config field"):
        encode_config("event=0x01,umask=3", fmts)
