"""The Power and Thermal lists over the link: what the agent reads there decodes here into the same dataclasses,
and anything malformed from a hostile agent is a protocol error, never a crash."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hwinspector.probes.power.cpu import list_cpufreq, list_cpuidle
from hwinspector.probes.power.hwmon import list_hwmon_chips
from hwinspector.probes.power.powercap import list_rapl_domains
from hwinspector.probes.power.supply import list_power_supplies
from hwinspector.probes.power.thermal import list_cooling_devices, list_thermal_zones
from hwinspector.probes.remote.client import RemoteError
from hwinspector.probes.remote.sensors import LISTS, decode_sensor_lists, read_sensor_lists
from tests.probes.sysfs_builder import acpi_ac, acpi_battery, cooling_device, cpu, hwmon, rapl_zone, thermal_zone


def laptop(sysfs: Path) -> None:
    battery = {"status": "Discharging", "capacity": 74, "energy_now": 38420000, "energy_full": 51240000,
               "power_now": 8370000, "voltage_now": 15648000, "serial_number": "8179"}  # fmt: skip
    acpi_battery(sysfs, **battery)
    acpi_ac(sysfs, online=0)
    core = {"name": "coretemp", "temp1_input": 53000, "temp1_label": "Package id 0", "temp1_crit": 100000}
    hwmon(sysfs, 0, None, core)
    rapl_zone(sysfs, "intel-rapl:0", "package-0", 123456789)
    zone = {"type": "acpitz", "temp": 47000, "trip_point_0_type": "critical", "trip_point_0_temp": 107000}
    thermal_zone(sysfs, 0, zone)
    cooling_device(sysfs, 0, "Processor", 0, 3)
    freq = {"scaling_cur_freq": 2100000, "scaling_governor": "powersave", "scaling_driver": "intel_pstate"}
    cpu(sysfs, 0, freq, [{"name": "POLL", "time": 100, "usage": 4, "latency": 0}, {"name": "C1", "time": 9000}])


CHIP = {"hwmon": "h", "name": "n", "sensors_id": "s", "adapter": "a", "path": "p", "attr_dir": "d", "inputs": "lots"}


def test_the_lists_read_there_decode_into_the_same_dataclasses(tmp_path: Path) -> None:
    laptop(tmp_path)
    doc = json.loads(json.dumps(read_sensor_lists(list(LISTS), tmp_path)))  # as it crosses the link
    got = decode_sensor_lists(doc)
    assert not got.errors
    assert got.lists["supplies"] == tuple(list_power_supplies(tmp_path))
    assert got.lists["rapl"] == tuple(list_rapl_domains(tmp_path))
    assert got.lists["chips"] == tuple(list_hwmon_chips(tmp_path))
    assert got.lists["zones"] == tuple(list_thermal_zones(tmp_path))
    assert got.lists["cooling"] == tuple(list_cooling_devices(tmp_path))
    assert got.lists["cpufreq"] == tuple(list_cpufreq(tmp_path))
    assert got.lists["idle"] == tuple(list_cpuidle(tmp_path))
    assert sorted(s.name for s in got.lists["supplies"]) == ["AC", "BAT0"]


def test_a_missing_subsystem_is_its_reason_not_an_empty_list(tmp_path: Path) -> None:
    got = decode_sensor_lists(json.loads(json.dumps(read_sensor_lists(["chips", "rapl"], tmp_path))))
    assert got.lists == {}
    assert set(got.errors) == {"chips", "rapl"} and all(got.errors.values())


@pytest.mark.parametrize(
    "doc",
    [
        None,
        [],
        {"lists": {}, "errors": {}},
        {"t_s": "soon", "lists": {}, "errors": {}},
        {"t_s": 1.0, "lists": [], "errors": {}},
        {"t_s": 1.0, "lists": {"rootkit": []}, "errors": {}},
        {"t_s": 1.0, "lists": {"supplies": {}}, "errors": {}},
        {"t_s": 1.0, "lists": {"supplies": [{"name": 5}]}, "errors": {}},
        {"t_s": 1.0, "lists": {"supplies": [{"name": "BAT0"}]}, "errors": {}},  # required fields missing
        {"t_s": 1.0, "lists": {"idle": [{"cpu": True, "index": 0, "path": "/x"}]}, "errors": {}},
        {"t_s": 1.0, "lists": {"chips": [CHIP]}, "errors": {}},
    ],
)
def test_garbage_from_the_agent_is_a_protocol_error(doc: object) -> None:
    with pytest.raises(RemoteError) as err:
        decode_sensor_lists(doc)
    assert err.value.problem == "protocol-error"
    assert "\n" not in err.value.message


def test_text_from_the_agent_loses_its_control_characters(tmp_path: Path) -> None:
    laptop(tmp_path)
    doc = json.loads(json.dumps(read_sensor_lists(["supplies"], tmp_path)))
    doc["lists"]["supplies"][0]["model_name"] = "\x1b]0;pwned\x07DELL"
    doc["errors"] = {"rapl": "\x1b[2Jno RAPL", "evil": "ignored"}
    got = decode_sensor_lists(doc)
    model = got.lists["supplies"][0].model_name
    assert model.endswith("DELL") and "\x1b" not in model and "\x07" not in model
    assert got.errors == {"rapl": "no RAPL"}
