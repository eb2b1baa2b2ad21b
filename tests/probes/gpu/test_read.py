"""Reading captured GPU trees; the runtime-PM guard: a suspended GPU is never read, EPERM/EBUSY mean asleep."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from hwinspector.probes import sysfs_attr
from hwinspector.probes.gpu.amdgpu import MetricsCache, dpm_current_mhz
from hwinspector.probes.gpu.cards import list_gpu_devices
from hwinspector.probes.gpu.model import RuntimePm, gpu_from_json, gpu_json, report_from_json, report_json
from hwinspector.probes.gpu.read import GpuReader, read_gpu
from hwinspector.probes.gpu.runtime import SleepTracker
from tests.probes.gpu.captured import A380_I915, A380_XE, PHOENIX, RX7800XT, blob, captured_card, suspended_dgpu


def _one(sysfs: Path) -> object:
    (dev,) = list_gpu_devices(sysfs)
    return read_gpu(dev, cache=MetricsCache(min_interval_s=0))


def test_a_captured_rx7800xt_reads_the_same_as_a_real_tree(tmp_path: Path) -> None:
    captured_card(tmp_path, "card1", RX7800XT, blob("rx7800xt"))
    (dev,) = list_gpu_devices(tmp_path)
    assert (dev.driver, dev.pci_address, dev.vendor_id, dev.device_id) == ("amdgpu", "0000:03:00.0", 0x1002, 0x747E)
    g = read_gpu(dev, cache=MetricsCache(min_interval_s=0))
    v = {r.key: r.value for r in g.readings}
    # The complaint: two numbers (busy, power). Now: edge, junction, memory and VR temperatures,
    # gfx/soc/mem voltages, clock domains, fan, power and cap.
    for key in ("temperature_c.edge", "temperature_c.junction", "temperature_c.mem", "temperature_c.vrgfx"):
        assert key in v
    assert {"voltage_mv.gfx", "voltage_mv.soc", "voltage_mv.mem"} <= v.keys()
    assert {"clock_mhz.gfx", "clock_mhz.mem", "clock_mhz.soc", "clock_mhz.vclk", "clock_mhz.dclk"} <= v.keys()
    assert v["power_w.cap"] == 236
    assert v["fan_pwm_percent"] == pytest.approx(89 / 255 * 100)
    assert g.metrics_revision == "v1_3"
    assert g.performance_level == "manual"
    # gpu_metrics is the better source and comes first: its busy (24 %) wins over gpu_busy_percent (2 %)
    # read at another moment; the source says which.
    src = {r.key: r.source for r in g.readings}
    assert src["busy_percent.gfx"] == "gpu_metrics v1_3"
    assert src["power_w.cap"] == "hwmon/hwmon4/power1_cap"
    assert g.runtime.status is None  # the capture has no power/ folder


def test_pp_dpm_current_level_is_the_starred_line() -> None:
    assert dpm_current_mhz("0: 96Mhz \n1: 456Mhz *\n2: 772Mhz ") == 456
    assert dpm_current_mhz("S: 19Mhz *\n0: 500Mhz\n") == 19
    assert dpm_current_mhz("0: 500Mhz\n1: 2254Mhz\n") is None


def test_phoenix_apu_reads_gpu_metrics_hwmon_and_vram(tmp_path: Path) -> None:
    captured_card(tmp_path, "card1", PHOENIX, blob("phoenix"))
    g = _one(tmp_path)
    v = {r.key: r.value for r in g.readings}  # type: ignore[attr-defined]
    assert v["voltage_mv.northbridge"] == 615  # in1_label vddnb
    assert v["power_w.input"] == pytest.approx(3.142)
    assert v["memory_mib.vram_total"] == 4096
    assert v["clock_mhz.fclk"] == 400  # pp_dpm_fclk "*": gpu_metrics' current_fclk is unsupported here


def test_intel_xe_frequencies_gtidle_and_hwmon(tmp_path: Path) -> None:
    captured_card(tmp_path, "card0", A380_XE)
    g = _one(tmp_path)
    v = {r.key: r.value for r in g.readings}  # type: ignore[attr-defined]
    assert v["clock_mhz.gt0_requested"] == 300
    assert v["clock_mhz.gt0_rp0"] == 2450
    assert v["residency_ms.gt0_rc6"] == 2547784
    assert v["temperature_c.vram"] == 56 - 2
    assert v["energy_j.pkg"] == pytest.approx(59540.97052)
    assert v["power_w.pkg_cap"] == 55
    assert g.throttle_reasons == ()  # type: ignore[attr-defined]


def test_intel_i915_per_gt_files_and_throttle_reasons(tmp_path: Path) -> None:
    captured_card(tmp_path, "card1", {**A380_I915, "gt/gt0/throttle_reason_pl1": 1})
    g = _one(tmp_path)
    v = {r.key: r.value for r in g.readings}  # type: ignore[attr-defined]
    assert v["clock_mhz.gt0_actual"] == 600
    assert v["clock_mhz.gt0_rpn"] == 300
    assert v["residency_ms.gt0_rc6"] == 6534
    assert g.throttle_reasons == ("gt0:pl1",)  # type: ignore[attr-defined]


def test_two_looks_give_rc6_share_and_power_from_energy(tmp_path: Path) -> None:
    card = captured_card(tmp_path, "card0", A380_XE)
    t = [100.0]
    reader = GpuReader(tmp_path, tmp_path / "proc", clock=lambda: t[0])
    reader.read()
    # 1 s later: 400 ms more in RC6, 12 J more on the package.
    (card / "device/tile0/gt0/gtidle/idle_residency_ms").write_text("2548184\n")
    (card / "device/hwmon/hwmon0/energy2_input").write_text(f"{59540970520 + 12_000_000}\n")
    t[0] += 1.0
    g = reader.read().gpus[0]
    assert g.value("residency_percent.gt0_rc6") == pytest.approx(40.0)
    assert g.value("power_w.pkg") == pytest.approx(12.0)


def test_a_residency_step_longer_than_the_interval_stays_at_100_percent(tmp_path: Path) -> None:
    card = captured_card(tmp_path, "card0", A380_XE)
    t = [0.0]
    reader = GpuReader(tmp_path, tmp_path / "proc", clock=lambda: t[0])
    reader.read()
    (card / "device/tile0/gt0/gtidle/idle_residency_ms").write_text(f"{2547784 + 1800}\n")
    t[0] += 1.0
    assert reader.read().gpus[0].value("residency_percent.gt0_rc6") == 100.0


@pytest.mark.timeout(20)
def test_a_suspended_dgpu_is_shown_asleep_and_none_of_its_files_is_opened(tmp_path: Path) -> None:
    suspended_dgpu(tmp_path)
    g = _one(tmp_path)
    assert g.asleep  # type: ignore[attr-defined]
    assert g.readings == ()  # type: ignore[attr-defined]
    assert g.runtime.suspended_ms == 81234  # type: ignore[attr-defined]
    assert "nothing read" in g.notes[0]  # type: ignore[attr-defined]


_AUDIT = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    watched = sys.argv[1]
    opened = []
    def hook(event, args):
        if event == "open" and isinstance(args[0], (str, bytes)) and str(args[0]).startswith(watched):
            name = str(args[0])
            if not name.endswith(("/uevent", "/vendor", "/device", "/comm")) and "/power/" not in name:
                opened.append(name)
    sys.addaudithook(hook)
    from hwinspector.probes.gpu.read import read_gpu_report
    rep = read_gpu_report(Path(sys.argv[2]), Path(sys.argv[3]), 0.05)
    print(json.dumps({"opened": opened, "asleep": [g.asleep for g in rep.gpus]}))
    """
)


@pytest.mark.timeout(30)
@pytest.mark.parametrize("status", ["suspended", "active"])
def test_an_audit_hook_sees_no_open_of_a_sleeping_gpus_driver_files(tmp_path: Path, status: str) -> None:
    sysfs = tmp_path / "sys"
    card = suspended_dgpu(sysfs)
    # The control: the same tree awake is read (the FIFOs answer at once: our opens are non-blocking),
    # so the hook does see opens where there are some.
    (card / "device/power/runtime_status").write_text(f"{status}\n")
    proc = tmp_path / "proc" / "4242"
    (proc / "fd").mkdir(parents=True)
    (proc / "fdinfo").mkdir()
    (proc / "comm").write_text("firefox\n")
    os.symlink("/dev/dri/card1", proc / "fd" / "7")
    os.mkfifo(proc / "fdinfo" / "7")  # fdinfo of a sleeping GPU's fd: never read either
    out = subprocess.run(
        [sys.executable, "-c", _AUDIT, str(tmp_path), str(sysfs), str(tmp_path / "proc")],
        capture_output=True,
        text=True,
        timeout=20,
        check=True,
    )
    result = json.loads(out.stdout)
    if status == "suspended":
        assert result == {"opened": [], "asleep": [True]}
    else:
        assert any(p.endswith("gpu_metrics") for p in result["opened"])
        assert any(p.endswith("fdinfo/7") for p in result["opened"])


def test_eperm_from_a_read_means_asleep_and_stops_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    captured_card(tmp_path, "card1", {**RX7800XT, "device/power/runtime_status": "active"})
    real = sysfs_attr.read_bytes
    touched: list[str] = []

    def eperm_on_hwmon(path: Path) -> bytes:
        # amdgpu answers -EPERM while it is (runtime) suspended: root cannot provoke that on a plain file.
        touched.append(str(path))
        if "hwmon" in str(path):
            raise OSError(errno.EPERM, "Operation not permitted")
        return real(path)

    monkeypatch.setattr(sysfs_attr, "read_bytes", eperm_on_hwmon)
    g = _one(tmp_path)
    assert g.asleep  # type: ignore[attr-defined]
    assert g.readings == ()  # type: ignore[attr-defined]
    assert "EPERM" in g.runtime.status  # type: ignore[attr-defined]
    assert not any("pp_dpm" in t for t in touched)  # nothing after the EPERM


def test_sleep_tracker_says_since_when() -> None:
    t = [1000.0]
    tr = SleepTracker(lambda: t[0])
    first = tr.observe("gpu", RuntimePm("suspended", active_ms=10, suspended_ms=500))
    assert (first.asleep_since_s, first.since_exact) == (1000.0, False)  # asleep at the first look
    t[0] = 1005.0
    assert tr.observe("gpu", RuntimePm("suspended", active_ms=10)).asleep_since_s == 1000.0
    t[0] = 1010.0
    tr.observe("gpu", RuntimePm("active", active_ms=12))
    t[0] = 1015.0
    seen = tr.observe("gpu", RuntimePm("suspended", active_ms=20))
    assert (seen.asleep_since_s, seen.since_exact) == (1015.0, True)
    t[0] = 1020.0
    # runtime_active_time grew between two asleep looks: it woke in between and slept again.
    woke = tr.observe("gpu", RuntimePm("suspended", active_ms=25))
    assert (woke.asleep_since_s, woke.since_exact) == (1020.0, True)


def test_json_round_trip(tmp_path: Path) -> None:
    captured_card(tmp_path, "card1", RX7800XT, blob("rx7800xt"))
    g = _one(tmp_path)
    d = gpu_json(g)  # type: ignore[arg-type]
    assert d["readings"]["temperature_c.junction"] == 31
    assert gpu_from_json(json.loads(json.dumps(d))) == g
    rep = GpuReader(tmp_path, tmp_path / "proc").read()
    assert report_from_json(report_json(rep), "live") == rep


def test_metrics_are_read_at_most_100_times_a_second(tmp_path: Path) -> None:
    captured_card(tmp_path, "card1", RX7800XT, blob("rx7800xt"))
    (dev,) = list_gpu_devices(tmp_path)
    t = [0.0]
    cache = MetricsCache(clock=lambda: t[0])
    for _ in range(50):  # 50 looks within 5 ms: one firmware round trip
        read_gpu(dev, cache=cache)
        t[0] += 0.0001
    assert cache.reads == 1
    t[0] += 0.01
    read_gpu(dev, cache=cache)
    assert cache.reads == 2
