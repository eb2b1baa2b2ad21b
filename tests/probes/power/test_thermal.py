"""Thermal zones with trip points, cooling devices, and zones that fail to read."""

from __future__ import annotations

from pathlib import Path

import pytest

from hwinspector.probes.errors import ProbeUnavailable
from hwinspector.probes.power.thermal import TripPoint, list_cooling_devices, list_thermal_zones
from tests.probes.sysfs_builder import cooling_device, extract_ttar, make_eio, make_enodev, thermal_zone

POLICIES = "power_allocator user_space step_wise bang_bang fair_share"


def test_acpi_zone_with_trips(tmp_path: Path) -> None:
    thermal_zone(
        tmp_path, 0,
        {"type": "acpitz", "temp": 47000, "policy": "step_wise", "available_policies": POLICIES,
         "mode": "enabled", "trip_point_0_type": "critical", "trip_point_0_temp": 107000,
         "trip_point_0_hyst": 0, "trip_point_1_type": "passive", "trip_point_1_temp": 97000,
         "trip_point_1_hyst": 2000},
        acpi="LNXTHERM:00",
    )  # fmt: skip
    (zone,) = list_thermal_zones(tmp_path)
    assert (zone.id, zone.type, zone.temp_celsius, zone.error) == ("thermal_zone0", "acpitz", 47.0, None)
    assert (zone.policy, zone.mode) == ("step_wise", "enabled")
    assert zone.available_policies == tuple(POLICIES.split())
    assert zone.trips == (
        TripPoint(0, "critical", 107.0, 0.0),
        TripPoint(1, "passive", 97.0, 2.0),
    )
    assert zone.device == "/devices/LNXSYSTM:00/LNXSYBUS:01/LNXTHERM:00"


def test_trip_points_sort_numerically_and_without_hysteresis(tmp_path: Path) -> None:
    attrs: dict[str, object] = {"type": "x86_pkg_temp", "temp": 53000}
    for i in (0, 1, 10, 2):
        attrs |= {f"trip_point_{i}_type": "passive", f"trip_point_{i}_temp": i * 1000}
    thermal_zone(tmp_path, 1, attrs)
    (zone,) = list_thermal_zones(tmp_path)
    assert [(t.index, t.temp_celsius, t.hysteresis_celsius) for t in zone.trips] == [
        (0, 0.0, None), (1, 1.0, None), (2, 2.0, None), (10, 10.0, None),
    ]  # fmt: skip
    assert zone.errors == ()


def test_failing_zone_is_kept_with_its_error(tmp_path: Path) -> None:
    # iwlwifi's zone fails while the radio is off; a zone whose sensor went away reports ENODEV.
    wifi = thermal_zone(tmp_path, 3, {"type": "iwlwifi_1", "temp": 0, "mode": "enabled"})
    make_eio(wifi / "temp")
    gone = thermal_zone(tmp_path, 4, {"type": "INT3400 Thermal", "temp": 0})
    make_enodev(gone / "temp")
    thermal_zone(tmp_path, 5, {"type": "pch_skylake", "temp": 44500, "trip_point_0_type": "critical",
                               "trip_point_0_temp": "garbage"})  # fmt: skip
    zones = {z.id: z for z in list_thermal_zones(tmp_path)}
    assert (zones["thermal_zone3"].temp_celsius, zones["thermal_zone3"].error) == (None, "EIO")
    assert zones["thermal_zone3"].mode == "enabled"
    assert (zones["thermal_zone4"].temp_celsius, zones["thermal_zone4"].error) == (None, "ENODEV")
    trip = zones["thermal_zone5"].trips[0]
    assert (trip.type, trip.temp_celsius, trip.error) == ("critical", None, "garbage")
    assert zones["thermal_zone5"].temp_celsius == 44.5


def test_numeric_order(tmp_path: Path) -> None:
    for n in (10, 2, 1):
        thermal_zone(tmp_path, n, {"type": f"z{n}", "temp": n * 1000})
    assert [z.id for z in list_thermal_zones(tmp_path)] == ["thermal_zone1", "thermal_zone2", "thermal_zone10"]


def test_cooling_devices(tmp_path: Path) -> None:
    for n in range(2):
        cooling_device(tmp_path, n, "Processor", 0, 3)
    # intel_powerclamp reads -1 while it is not injecting idle time
    cooling_device(tmp_path, 2, "intel_powerclamp", -1, 50)
    fan = cooling_device(tmp_path, 3, "Fan", 1, 1)
    make_eio(fan / "cur_state")
    devices = list_cooling_devices(tmp_path)
    assert [(d.id, d.type, d.cur_state, d.max_state) for d in devices] == [
        ("cooling_device0", "Processor", 0, 3),
        ("cooling_device1", "Processor", 0, 3),
        ("cooling_device2", "intel_powerclamp", -1, 50),
        ("cooling_device3", "Fan", None, 1),
    ]
    assert devices[3].error == "cur_state: EIO"
    assert devices[0].error is None


def test_zones_and_cooling_devices_do_not_mix(tmp_path: Path) -> None:
    thermal_zone(tmp_path, 0, {"type": "acpitz", "temp": 40000})
    cooling_device(tmp_path, 0, "Processor", 0, 3)
    assert [z.id for z in list_thermal_zones(tmp_path)] == ["thermal_zone0"]
    assert [d.id for d in list_cooling_devices(tmp_path)] == ["cooling_device0"]


def test_no_thermal_class(tmp_path: Path) -> None:
    with pytest.raises(ProbeUnavailable, match="thermal"):
        list_thermal_zones(tmp_path)
    with pytest.raises(ProbeUnavailable, match="thermal"):
        list_cooling_devices(tmp_path)


def test_prometheus_fixture(corpus: Path, tmp_path: Path) -> None:
    archive = corpus / "other/prometheus-node_exporter/sys.ttar"
    extract_ttar(archive, tmp_path, "sys/class/thermal")
    extract_ttar(archive, tmp_path, "sys/devices/virtual/thermal")
    (zone,) = list_thermal_zones(tmp_path / "sys")
    assert (zone.type, zone.temp_celsius, zone.policy) == ("cpu-thermal", 12.376, "step_wise")
    (cdev,) = list_cooling_devices(tmp_path / "sys")
    assert (cdev.type, cdev.cur_state, cdev.max_state) == ("Processor", 0, 3)
