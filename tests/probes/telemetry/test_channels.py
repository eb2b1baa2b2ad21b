"""The telemetry channel catalogue: ids, units, rates, readings, unreadable channels, extensibility."""

from __future__ import annotations

from pathlib import Path

import pytest

from hwinspector.probes.errors import ProbeUnavailable
from hwinspector.probes.power.powercap import RAPL_ROOT_ONLY_REASON
from hwinspector.probes.telemetry import channels as channels_module
from hwinspector.probes.telemetry.channels import (
    Channel,
    list_channels,
    read_catalogue,
    read_channel_values,
    register_provider,
)
from tests.probes.sysfs_builder import (
    acpi_battery,
    call_unprivileged,
    class_device,
    cpu,
    hwmon,
    make_eio,
    pci_device,
    platform_device,
    rapl_zone,
    shared_tmp,
    thermal_zone,
)


def laptop(sysfs: Path) -> None:
    rapl_zone(sysfs, "intel-rapl:0", "package-0", 48730012457)
    rapl_zone(sysfs, "intel-rapl:0:0", "core", 19553114210)
    rapl_zone(sysfs, "intel-rapl:1", "psys", 101288733107)
    hwmon(
        sysfs, 3, platform_device(sysfs, "coretemp.0", "coretemp"),
        {"name": "coretemp", "temp1_input": 53000, "temp1_label": "Package id 0", "temp2_input": 52000,
         "temp2_label": "Core 0"},
    )  # fmt: skip
    hwmon(sysfs, 1, pci_device(sysfs, "0000:00:18.3"), {"name": "k10temp", "temp1_input": 64250})
    gpu = pci_device(sysfs, "0000:01:00.0", "/devices/pci0000:00/0000:00:01.0")
    hwmon(sysfs, 2, gpu, {"name": "amdgpu", "power1_average": 2000000, "energy1_input": 5000000, "pwm1": 255})
    acpi_battery(sysfs, "BAT0", status="Discharging", power_now=8372000, energy_now=38420000, voltage_now=15648000)
    thermal_zone(sysfs, 0, {"type": "acpitz", "temp": 47000})
    thermal_zone(sysfs, 1, {"type": "x86_pkg_temp", "temp": 53000})
    idle = [{"name": "POLL", "time": 2205}, {"name": "C1E", "time": 11500772}, {"name": "C6", "time": 40288119}]
    for n in range(4):
        cpu(sysfs, n, {"scaling_cur_freq": 1800035 + n}, idle, online=1)


def catalogue(sysfs: Path) -> dict[str, Channel]:
    found = list_channels(sysfs)
    ids = [c.id for c in found]
    assert len(ids) == len(set(ids)), "channel ids must be unique"
    return {c.id: c for c in found}


def test_catalogue_of_a_laptop(tmp_path: Path) -> None:
    laptop(tmp_path)
    chans = catalogue(tmp_path)
    expected = {  # id: (unit, scale, max_rate_hz, kind)
        "rapl:package-0": ("W", 1e-6, 1000, "counter"),
        "rapl:package-0/core": ("W", 1e-6, 1000, "counter"),
        "rapl:psys": ("W", 1e-6, 1000, "counter"),
        "hwmon:coretemp/temp1": ("°C", 1e-3, 1, "gauge"),
        "hwmon:coretemp/temp2": ("°C", 1e-3, 1, "gauge"),
        "hwmon:k10temp/temp1": ("°C", 1e-3, 10, "gauge"),
        "hwmon:amdgpu/power1": ("W", 1e-6, 10, "gauge"),
        "hwmon:amdgpu/energy1": ("W", 1e-6, 10, "counter"),
        "hwmon:amdgpu/pwm1": ("%", 100 / 255, 10, "gauge"),
        "battery:BAT0/power": ("W", 1e-6, 1, "gauge"),
        "battery:BAT0/energy": ("Wh", 1e-6, 1, "gauge"),
        "battery:BAT0/voltage": ("V", 1e-6, 1, "gauge"),
        "thermal:thermal_zone0": ("°C", 1e-3, 1, "gauge"),
        "thermal:thermal_zone1": ("°C", 1e-3, 10, "gauge"),
        **{f"cpufreq:cpu{n}": ("MHz", 1e-3, 250, "gauge") for n in range(4)},
        **{f"cpuidle:cpu{n}/{s}": ("%", 1e-4, 250, "counter") for n in range(4) for s in ("POLL", "C1E", "C6")},
    }
    assert set(chans) == set(expected)
    for cid, (unit, scale, rate, kind) in expected.items():
        ch = chans[cid]
        assert (ch.unit, ch.scale, ch.max_rate_hz, ch.kind) == (unit, pytest.approx(scale), rate, kind), cid
        assert ch.readable and ch.reason is None, cid
        assert Path(ch.path).is_file(), cid
    pkg = chans["rapl:package-0"]
    assert (pkg.label, pkg.device, pkg.wrap_raw) == ("RAPL package-0", "intel-rapl:0", 262143328850)
    assert chans["hwmon:coretemp/temp1"].label == "coretemp Package id 0"
    assert chans["cpuidle:cpu2/C6"].path.endswith("cpu2/cpuidle/state2/time")


def test_readings(tmp_path: Path) -> None:
    laptop(tmp_path)
    chans = catalogue(tmp_path)
    wanted = ["hwmon:coretemp/temp1", "battery:BAT0/power", "cpufreq:cpu3", "rapl:package-0", "cpuidle:cpu0/C6"]
    readings = read_channel_values([chans[c] for c in wanted])
    assert [r.id for r in readings] == wanted
    values = {r.id: (r.raw, r.value, r.reason) for r in readings}
    assert values["hwmon:coretemp/temp1"] == (53000, pytest.approx(53.0), None)
    assert values["battery:BAT0/power"] == (8372000, pytest.approx(8.372), None)
    assert values["cpufreq:cpu3"] == (1800038, pytest.approx(1800.038), None)
    # counters read as running totals: joules, and seconds of idle residency x 100
    assert values["rapl:package-0"] == (48730012457, pytest.approx(48730.012457), None)
    assert values["cpuidle:cpu0/C6"] == (40288119, pytest.approx(4028.8119), None)


def test_failing_channel(tmp_path: Path) -> None:
    laptop(tmp_path)
    zone = tmp_path / "devices/virtual/thermal/thermal_zone1"
    make_eio(zone / "temp")
    chans = catalogue(tmp_path)
    ch = chans["thermal:thermal_zone1"]
    assert (ch.readable, ch.reason) == (False, "EIO")
    (reading,) = read_channel_values([ch])
    assert (reading.raw, reading.value, reading.reason) == (None, None, "EIO")


def _unprivileged(sysfs: Path) -> tuple[dict[str, Channel], list[tuple[str, float | None, str | None]]]:
    chans = catalogue(sysfs)
    rapl = [c for c in chans.values() if c.id.startswith("rapl:")]
    return chans, [(r.id, r.value, r.reason) for r in read_channel_values(rapl)]


def test_root_only_rapl_channels() -> None:
    with shared_tmp() as sysfs:
        laptop(sysfs)
        for zone in ("intel-rapl:0", "intel-rapl:0:0", "intel-rapl:1"):
            (sysfs / "class/powercap" / zone / "energy_uj").chmod(0o400)
        chans, readings = call_unprivileged(_unprivileged, sysfs)
    pkg = chans["rapl:package-0"]
    assert (pkg.readable, pkg.reason) == (False, RAPL_ROOT_ONLY_REASON)
    assert readings == [
        ("rapl:package-0", None, RAPL_ROOT_ONLY_REASON),
        ("rapl:package-0/core", None, RAPL_ROOT_ONLY_REASON),
        ("rapl:psys", None, RAPL_ROOT_ONLY_REASON),
    ]
    # the rest of the catalogue does not suffer
    assert chans["hwmon:coretemp/temp1"].readable


def test_charge_based_battery_offers_current_and_voltage(tmp_path: Path) -> None:
    acpi_battery(tmp_path, "BAT1", status="Discharging", charge_now=3428000, current_now=1286965, voltage_now=11761000)
    ids = set(catalogue(tmp_path))
    assert ids == {"battery:BAT1/charge", "battery:BAT1/current", "battery:BAT1/voltage"}


def test_chips_sharing_a_name_get_bus_ids(tmp_path: Path) -> None:
    for n, slot in ((1, "0000:02:00.0"), (2, "0000:05:00.0")):
        pci = pci_device(tmp_path, slot, f"/devices/pci0000:00/0000:00:1d.{n}")
        nvme = class_device(tmp_path, "nvme", f"{pci}/nvme/nvme{n - 1}", {}, pci)
        hwmon(tmp_path, n, "/" + nvme.relative_to(tmp_path).as_posix(), {"name": "nvme", "temp1_input": 35850})
    ids = {c for c in catalogue(tmp_path) if c.startswith("hwmon:")}
    assert ids == {"hwmon:nvme-pci-0200/temp1", "hwmon:nvme-pci-0500/temp1"}


def test_providers_are_pluggable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(channels_module, "_PROVIDERS", dict(channels_module._PROVIDERS))
    laptop(tmp_path)
    busy = tmp_path / "devices/pci0000:00/0000:00:01.0/0000:01:00.0/gpu_busy_percent"
    busy.write_text("37\n")

    def gpu(sysfs: Path) -> list[Channel]:
        return [Channel("gpu:card0/busy", "card0 busy", "%", str(busy), 1.0, 100.0, "gauge", "card0", True, None)]

    def absent(sysfs: Path) -> list[Channel]:
        raise ProbeUnavailable("no NPU here")

    register_provider("gpu", gpu)
    register_provider("npu", absent)
    cat = read_catalogue(tmp_path)
    assert "gpu:card0/busy" in {c.id for c in cat.channels}
    assert cat.unavailable["npu"] == "no NPU here"
    reading = read_channel_values([c for c in cat.channels if c.id == "gpu:card0/busy"])
    assert reading[0].value == 37.0


def test_empty_machine_explains_every_provider(tmp_path: Path) -> None:
    cat = read_catalogue(tmp_path)
    assert cat.channels == ()
    assert {"rapl", "hwmon", "battery", "cpufreq", "cpuidle", "thermal"} <= set(cat.unavailable)
    assert "powercap" in cat.unavailable["rapl"]
