"""Power supplies: energy- and charge-based batteries, odd names, AC, USB-C, firmware nonsense."""

from __future__ import annotations

from pathlib import Path

import pytest

from hwinspector.probes.errors import ProbeUnavailable
from hwinspector.probes.power.supply import (
    POWER_NOW,
    VOLTAGE_TIMES_CURRENT,
    PowerSupply,
    list_power_supplies,
)
from tests.probes.sysfs_builder import (
    acpi_ac,
    acpi_battery,
    call_unprivileged,
    class_device,
    device,
    extract_ttar,
    make_eio,
    shared_tmp,
)


def by_name(sysfs: Path) -> dict[str, PowerSupply]:
    return {s.name: s for s in list_power_supplies(sysfs)}


def test_energy_based_battery_in_proper_units(tmp_path: Path) -> None:
    # ThinkPad values from prometheus node_exporter's sysfs fixture (corpus/other/prometheus-node_exporter)
    acpi_battery(
        tmp_path, "BAT0",
        status="Discharging", present=1, technology="Li-ion", cycle_count=0, capacity=81,
        capacity_level="Normal", energy_now=36580000, energy_full=45070000, energy_full_design=47520000,
        power_now=5002000, voltage_now=11660000, voltage_min_design=10800000,
        manufacturer="LGC", model_name="LNV-45N1", serial_number=38109,
    )  # fmt: skip
    bat = by_name(tmp_path)["BAT0"]
    assert bat.is_battery and bat.present is True and bat.status == "Discharging"
    assert bat.energy_now_wh == pytest.approx(36.58)
    assert bat.energy_full_wh == pytest.approx(45.07)
    assert bat.energy_full_design_wh == pytest.approx(47.52)
    assert bat.charge_now_ah is None
    assert bat.health_percent == pytest.approx(100 * 45.07 / 47.52)
    assert bat.capacity_percent == 81
    assert bat.voltage_volts == pytest.approx(11.66)
    assert (bat.power_watts, bat.power_source, bat.power_note) == (pytest.approx(5.002), POWER_NOW, None)
    # ACPI reports 0 cycles when the firmware does not count them: unknown, not zero.
    assert bat.cycle_count is None
    assert (bat.manufacturer, bat.model_name, bat.technology) == ("LGC", "LNV-45N1", "Li-ion")
    assert bat.serial_number == "38109"
    assert PowerSupply.IDENTIFYING_FIELDS == ("serial_number",)
    assert bat.device == "/devices/LNXSYSTM:00/LNXSYBUS:00/PNP0C0A:00"
    assert bat.devpath == "/devices/LNXSYSTM:00/LNXSYBUS:00/PNP0C0A:00/power_supply/BAT0"
    assert bat.errors == ()


def test_charge_based_battery_power_from_voltage_and_current(tmp_path: Path) -> None:
    # Dell Latitude 3590 battery (corpus/udev/checkbox-udevadm_data/CAPTURE_METADATA.txt): it reports
    # charge in µAh and no power_now at all.
    acpi_battery(
        tmp_path, "BAT0",
        status="Full", present=1, technology="Li-ion", cycle_count=0, capacity=100, capacity_level="Full",
        charge_full=3428000, charge_full_design=3684000, charge_now=3428000, current_now=1000,
        voltage_min_design=15200000, voltage_now=17447000, manufacturer="Samsung SDI",
        model_name="DELL W7NKD78", serial_number=8179,
    )  # fmt: skip
    bat = by_name(tmp_path)["BAT0"]
    assert bat.energy_now_wh is None
    assert bat.charge_now_ah == pytest.approx(3.428)
    assert bat.charge_full_design_ah == pytest.approx(3.684)
    assert bat.health_percent == pytest.approx(100 * 3428 / 3684)
    assert bat.current_amps == pytest.approx(0.001)
    assert bat.power_watts == pytest.approx(17.447 * 0.001)
    assert bat.power_source == VOLTAGE_TIMES_CURRENT


def test_discharging_battery_without_power_now(tmp_path: Path) -> None:
    # ThinkPad W520 (corpus/upower/nashrullahalifauzi-w520_thinkpad-w520): upower shows 15.136 W at
    # 11.761 V; a driver reporting current instead of power gives the same through V * I.
    acpi_battery(
        tmp_path, "BAT0", status="Discharging", present=1, voltage_now=11761000, current_now=1286965,
        charge_now=1513000, charge_full=3949000, charge_full_design=7248000,
    )  # fmt: skip
    bat = by_name(tmp_path)["BAT0"]
    assert bat.power_watts == pytest.approx(15.136, abs=1e-3)
    assert bat.power_source == VOLTAGE_TIMES_CURRENT
    assert bat.health_percent == pytest.approx(100 * 3949 / 7248)
    # no capacity file: derived from now / full like UPower does
    assert bat.capacity_percent == pytest.approx(100 * 1513 / 3949)


def test_negative_current_is_a_discharge_not_negative_power(tmp_path: Path) -> None:
    # Some fuel gauges (bq27xxx, many ARM boards) report discharge current as negative.
    acpi_battery(tmp_path, "BAT0", status="Discharging", voltage_now=7400000, current_now=-1500000)
    bat = by_name(tmp_path)["BAT0"]
    assert bat.current_amps == pytest.approx(-1.5)
    assert bat.power_watts == pytest.approx(7.4 * 1.5)


def test_zero_power_while_discharging_is_not_reported_as_zero(tmp_path: Path) -> None:
    # Common right after unplugging: the firmware has not measured yet and says 0.
    acpi_battery(tmp_path, "BAT0", status="Discharging", power_now=0, energy_now=30000000)
    bat = by_name(tmp_path)["BAT0"]
    assert bat.power_watts is None
    assert bat.power_source is None
    assert "0 while discharging" in (bat.power_note or "")


def test_zero_power_while_discharging_falls_back_to_current(tmp_path: Path) -> None:
    acpi_battery(tmp_path, "BAT0", status="Discharging", power_now=0, voltage_now=12000000, current_now=500000)
    bat = by_name(tmp_path)["BAT0"]
    assert bat.power_watts == pytest.approx(6.0)
    assert bat.power_source == VOLTAGE_TIMES_CURRENT
    assert "power_now reads 0 while discharging" in (bat.power_note or "")


def test_zero_power_on_a_full_battery_is_a_real_zero(tmp_path: Path) -> None:
    acpi_battery(tmp_path, "BAT0", status="Full", power_now=0)
    assert by_name(tmp_path)["BAT0"].power_watts == 0.0


def test_implausible_power_is_rejected(tmp_path: Path) -> None:
    # 0xffffffff µW: an unsigned -1 from firmware
    acpi_battery(tmp_path, "BAT0", status="Discharging", power_now=4294967295)
    bat = by_name(tmp_path)["BAT0"]
    assert bat.power_watts is None
    assert "implausible" in (bat.power_note or "")


def test_nonsense_and_failures_are_per_attribute(tmp_path: Path) -> None:
    d = acpi_battery(
        tmp_path, "BAT0", status="Discharging", energy_now=1, energy_full=50000000, capacity="N/A",
        power_now=7000000, manufacturer="SMP",
    )  # fmt: skip
    make_eio(d / "energy_now")  # the EC transaction failed
    bat = by_name(tmp_path)["BAT0"]
    assert bat.energy_now_wh is None
    assert "energy_now: EIO" in bat.errors
    assert "capacity: garbage 'N/A'" in bat.errors
    # missing files are not errors: this battery simply has no design capacity or serial
    assert bat.energy_full_design_wh is None and bat.health_percent is None
    assert bat.serial_number is None
    assert not any("design" in e or "serial" in e for e in bat.errors)
    # everything readable is still there
    assert bat.energy_full_wh == pytest.approx(50.0)
    assert bat.power_watts == pytest.approx(7.0)
    assert bat.manufacturer == "SMP"


def test_capacity_out_of_range_is_flagged(tmp_path: Path) -> None:
    acpi_battery(tmp_path, "BAT0", capacity=255, energy_now=10000000, energy_full=40000000)
    bat = by_name(tmp_path)["BAT0"]
    assert "capacity: out of range 255" in bat.errors
    assert bat.capacity_percent == pytest.approx(25.0)


def test_battery_names_are_not_assumed(tmp_path: Path) -> None:
    # ThinkPad T480 with two batteries (corpus/upower/crypt0rr-kb) and the CMB1 name of some Sony
    # and Fujitsu firmware.
    acpi_battery(tmp_path, "BAT1", "PNP0C0A:01", energy_now=14880000, energy_full=21640000, model_name="01AV490")
    acpi_battery(tmp_path, "BAT0", "PNP0C0A:00", energy_now=8300000, energy_full=18740000, model_name="01AV489")
    acpi_battery(tmp_path, "CMB1", "PNP0C0A:02", energy_now=20000000, energy_full=40000000)
    acpi_ac(tmp_path, "AC", online=1)
    supplies = list_power_supplies(tmp_path)
    assert [s.name for s in supplies] == ["AC", "BAT0", "BAT1", "CMB1"]
    assert [s.is_battery for s in supplies] == [False, True, True, True]
    assert by_name(tmp_path)["BAT1"].model_name == "01AV490"
    assert by_name(tmp_path)["CMB1"].capacity_percent == pytest.approx(50.0)


def test_ac_adapter(tmp_path: Path) -> None:
    acpi_ac(tmp_path, "ADP1", online=1)
    ac = by_name(tmp_path)["ADP1"]
    assert (ac.type, ac.online, ac.is_battery) == ("Mains", True, False)
    assert ac.power_watts is None and ac.power_note is None  # adapters report no power: nothing to explain
    acpi_ac(tmp_path, "ADP1", online=0)
    assert by_name(tmp_path)["ADP1"].online is False


def test_usb_c_source(tmp_path: Path) -> None:
    parent = "/devices/platform/USBC000:00"
    device(tmp_path, parent, "platform")
    class_device(
        tmp_path, "power_supply", f"{parent}/power_supply/ucsi-source-psy-USBC000:001",
        {"type": "USB", "online": 1, "usb_type": "C PD [PD_PPS]", "voltage_now": 20000000,
         "voltage_max": 20000000, "current_max": 3250000, "current_now": 2100000, "scope": "System"},
        parent,
    )  # fmt: skip
    usb = by_name(tmp_path)["ucsi-source-psy-USBC000:001"]
    assert (usb.type, usb.online, usb.scope) == ("USB", True, "System")
    assert usb.usb_types == ("C", "PD", "PD_PPS")
    assert usb.usb_type == "PD_PPS"
    assert usb.voltage_max_volts == pytest.approx(20.0)
    assert usb.current_max_amps == pytest.approx(3.25)
    assert usb.power_watts == pytest.approx(42.0)
    assert usb.device == parent


def test_peripheral_battery_scope(tmp_path: Path) -> None:
    parent = "/devices/virtual/misc/uhid/0005:046D:B023.0003"
    device(tmp_path, parent, "hid")
    class_device(
        tmp_path, "power_supply", f"{parent}/power_supply/hidpp_battery_0",
        {"type": "Battery", "scope": "Device", "capacity": 55, "status": "Discharging", "model_name": "MX Ergo"},
        parent,
    )  # fmt: skip
    mouse = by_name(tmp_path)["hidpp_battery_0"]
    assert mouse.scope == "Device"
    assert mouse.capacity_percent == 55
    assert mouse.power_watts is None
    assert mouse.power_note == "the driver reports neither power_now nor current_now"


def test_supply_unplugged_while_listing_is_skipped(tmp_path: Path) -> None:
    acpi_battery(tmp_path, "BAT0", energy_now=1000000)
    # a dangling class link: the dock battery went away between readdir and reading it
    (tmp_path / "class/power_supply/BAT9").symlink_to("../../devices/platform/dock/power_supply/BAT9")
    assert [s.name for s in list_power_supplies(tmp_path)] == ["BAT0"]


def test_no_power_supply_class(tmp_path: Path) -> None:
    with pytest.raises(ProbeUnavailable, match="power supply class"):
        list_power_supplies(tmp_path)


def test_root_only_serial_is_an_error_not_a_crash() -> None:
    # Some drivers (and hardened kernels) make identifying attributes root-only.
    with shared_tmp() as sysfs:
        d = acpi_battery(sysfs, "BAT0", energy_now=20000000, serial_number="SN123", status="Full")
        (d / "serial_number").chmod(0o400)
        (d / "energy_now").chmod(0o400)
        bat = call_unprivileged(lambda: by_name(sysfs)["BAT0"])
    assert bat.serial_number is None
    assert bat.energy_now_wh is None
    assert "energy_now: EACCES" in bat.errors
    assert bat.status == "Full"


def test_prometheus_fixture(corpus: Path, tmp_path: Path) -> None:
    extract_ttar(corpus / "other/prometheus-node_exporter/sys.ttar", tmp_path, "sys/class/power_supply")
    supplies = by_name(tmp_path / "sys")
    assert set(supplies) == {"AC", "BAT0"}
    bat = supplies["BAT0"]
    assert bat.energy_full_wh == pytest.approx(45.07)
    assert bat.power_watts == pytest.approx(5.002)
    # the fixture's model_name carries replacement characters after the name, as broken firmware does
    assert bat.model_name == "LNV-45N1"
    assert supplies["AC"].online is False
