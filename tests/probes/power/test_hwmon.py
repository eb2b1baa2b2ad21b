"""hwmon chips: every input kind, units, labels, limits, alarms, old layouts and failing inputs."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from hwinspector.probes import sysfs_attr
from hwinspector.probes.errors import ProbeUnavailable
from hwinspector.probes.power.hwmon import HwmonChip, list_hwmon_chips, sensors_chip_name
from tests.probes.sysfs_builder import (
    acpi_battery,
    call_unprivileged,
    class_device,
    device,
    devpath,
    extract_ttar,
    hwmon,
    make_eio,
    make_enodev,
    make_enxio,
    pci_device,
    platform_device,
    shared_tmp,
    thermal_zone,
)


def chips(sysfs: Path) -> dict[str, HwmonChip]:
    return {c.sensors_id: c for c in list_hwmon_chips(sysfs)}


def coretemp(sysfs: Path, n: int = 3) -> Path:
    # Package id 0 and Core 0..3 of a Core i5-8250U (TjMax 100 °C)
    attrs: dict[str, object] = {"name": "coretemp"}
    for i, (label, temp) in enumerate(
        [("Package id 0", 53000), ("Core 0", 52000), ("Core 1", 50000), ("Core 2", 53000), ("Core 3", 49000)], 1
    ):
        attrs |= {
            f"temp{i}_label": label, f"temp{i}_input": temp, f"temp{i}_max": 100000,
            f"temp{i}_crit": 100000, f"temp{i}_crit_alarm": 0,
        }  # fmt: skip
    return hwmon(sysfs, n, platform_device(sysfs, "coretemp.0", "coretemp"), attrs)


def test_coretemp(tmp_path: Path) -> None:
    coretemp(tmp_path)
    chip = chips(tmp_path)["coretemp-isa-0000"]
    assert (chip.name, chip.hwmon, chip.adapter, chip.error) == ("coretemp", "hwmon3", "ISA adapter", None)
    assert chip.device == "/devices/platform/coretemp.0"
    assert [i.label for i in chip.inputs] == ["Package id 0", "Core 0", "Core 1", "Core 2", "Core 3"]
    pkg = chip.inputs[0]
    assert (pkg.id, pkg.kind, pkg.unit, pkg.value, pkg.has_label) == ("temp1", "temp", "°C", 53.0, True)
    assert dict(pkg.limits) == {"max": 100.0, "crit": 100.0}
    assert dict(pkg.flags) == {"crit_alarm": False}
    assert pkg.ok and pkg.errors == ()
    assert pkg.path is not None and pkg.path.endswith("hwmon3/temp1_input")


def test_every_kind_in_its_unit(tmp_path: Path) -> None:
    gpu = pci_device(tmp_path, "0000:01:00.0", "/devices/pci0000:00/0000:00:01.0")
    hwmon(
        tmp_path, 1, gpu,
        {
            "name": "amdgpu", "in0_input": 724, "in0_label": "vddgfx", "temp1_input": 43000,
            "temp1_label": "edge", "power1_average": 2000000, "power1_cap": 15000000,
            "pwm1": 128, "pwm1_enable": 2, "freq1_input": 400000000, "freq1_label": "sclk",
            "fan1_input": 2534, "curr1_input": 1250, "energy1_input": 123456789, "humidity1_input": 41500,
        },
    )  # fmt: skip
    inputs = {i.id: i for i in chips(tmp_path)["amdgpu-pci-0100"].inputs}
    expected = {
        "in0": ("V", 0.724), "fan1": ("RPM", 2534.0), "temp1": ("°C", 43.0), "power1": ("W", 2.0),
        "energy1": ("J", 123.456789), "curr1": ("A", 1.25), "humidity1": ("%RH", 41.5),
        "pwm1": ("%", 128 * 100 / 255), "freq1": ("MHz", 400.0),
    }  # fmt: skip
    assert {k: (i.unit, i.value) for k, i in inputs.items()} == {
        k: (u, pytest.approx(v)) for k, (u, v) in expected.items()
    }
    # libsensors' feature order: in, fan, temp, power, energy, curr, humidity; then ours
    assert list(inputs) == ["in0", "fan1", "temp1", "power1", "energy1", "curr1", "humidity1", "pwm1", "freq1"]
    assert inputs["power1"].limits == {"cap": 15.0}
    assert inputs["pwm1"].extra == {"enable": "2"}
    assert inputs["in0"].label == "vddgfx"


def test_alarms_beeps_and_superio_limits(tmp_path: Path) -> None:
    # nct6798 values from a real `sensors -j` (corpus/sensors/buonviri-HJS/asrock.sj)
    hwmon(
        tmp_path, 2, platform_device(tmp_path, "nct6775.672", "nct6775"),
        {
            "name": "nct6798", "in0_input": 696, "in0_min": 0, "in0_max": 1744, "in0_alarm": 0,
            "in0_beep": 0, "in1_input": 1016, "in1_min": 0, "in1_max": 0, "in1_alarm": 1, "in1_beep": 0,
            "fan1_input": 1278, "fan1_min": 0, "fan1_alarm": 0, "fan1_beep": 0, "fan1_pulses": 2,
            "temp1_input": 27000, "temp1_max": 80000, "temp1_max_hyst": 75000, "temp1_type": 4,
            "temp1_offset": 0, "temp1_alarm": 0, "temp1_beep": 0, "intrusion0_alarm": 1,
            "intrusion0_beep": 0,
        },
    )  # fmt: skip
    chip = chips(tmp_path)["nct6798-isa-02a0"]
    inputs = {i.id: i for i in chip.inputs}
    assert inputs["in1"].flags == {"alarm": True, "beep": False}
    assert inputs["in0"].limits == {"min": 0.0, "max": pytest.approx(1.744)}
    assert inputs["fan1"].extra == {"pulses": "2"}
    assert inputs["temp1"].limits == {"max": 80.0, "max_hyst": 75.0, "offset": 0.0}
    assert inputs["temp1"].extra == {"type": "4"}
    intrusion = inputs["intrusion0"]
    assert (intrusion.value, intrusion.error, intrusion.flags) == (None, None, {"alarm": True, "beep": False})


def test_nvme_under_its_controller_is_named_after_the_pci_device(tmp_path: Path) -> None:
    # Linux 5.12+ registers the nvme hwmon under nvme0, whose subsystem libsensors does not know;
    # libsensors follows nvme0's own device link to the PCI function.
    pci = pci_device(tmp_path, "0000:04:00.0", "/devices/pci0000:00/0000:00:1d.0")
    nvme0 = class_device(tmp_path, "nvme", f"{pci}/nvme/nvme0", {"model": "KXG50ZNV512G"}, pci)
    hwmon(
        tmp_path, 2, devpath(tmp_path, nvme0),
        {"name": "nvme", "temp1_input": 35850, "temp1_label": "Composite", "temp1_min": -273150,
         "temp1_max": 81850, "temp1_crit": 84850, "temp1_alarm": 0},
    )  # fmt: skip
    chip = chips(tmp_path)["nvme-pci-0400"]
    composite = chip.inputs[0]
    assert composite.label == "Composite"
    assert composite.limits == {"min": -273.15, "max": 81.85, "crit": 84.85}
    assert chip.device == "/devices/pci0000:00/0000:00:1d.0/0000:04:00.0/nvme/nvme0"


def test_libsensors_chip_names(tmp_path: Path) -> None:
    # power_supply hwmon: BAT0 -> its ACPI device
    bat = acpi_battery(tmp_path, "BAT0", voltage_now=12990000)
    hwmon(tmp_path, 5, devpath(tmp_path, bat), {"name": "BAT0", "in0_input": 12990})
    # acpitz: thermal zone -> LNXTHERM
    tz = thermal_zone(tmp_path, 0, {"type": "acpitz", "temp": 43000}, acpi="LNXTHERM:00")
    hwmon(tmp_path, 0, devpath(tmp_path, tz), {"name": "acpitz", "temp1_input": 43000})
    # a thermal zone without an ACPI device, and a chip without any device
    tz2 = thermal_zone(tmp_path, 2, {"type": "pch_skylake", "temp": 44500})
    hwmon(tmp_path, 4, devpath(tmp_path, tz2), {"name": "pch_skylake", "temp1_input": 1})
    hwmon(tmp_path, 7, None, {"name": "iwlwifi_1", "temp1_input": 42000})
    # an I2C chip (lm75 at 0x48 on SMBus 1)
    device(tmp_path, "/devices/pci0000:00/0000:00:1f.4/i2c-1", "i2c", {"name": "SMBus I801 adapter at f040"})
    lm75 = "/devices/pci0000:00/0000:00:1f.4/i2c-1/1-0048"
    device(tmp_path, lm75, "i2c", {"name": "lm75"})
    hwmon(tmp_path, 8, lm75, {"name": "lm75", "temp1_input": 31500})
    found = {c.sensors_id: c.adapter for c in list_hwmon_chips(tmp_path)}
    assert found == {
        "acpitz-acpi-0": "ACPI interface",
        "pch_skylake-virtual-0": "Virtual device",
        "BAT0-acpi-0": "ACPI interface",
        "iwlwifi_1-virtual-0": "Virtual device",
        "lm75-i2c-1-48": "SMBus I801 adapter at f040",
    }
    assert sensors_chip_name(tmp_path / "class/hwmon/hwmon7", "x", tmp_path) == ("x-virtual-0", "Virtual device")


def test_old_kernels_keep_attributes_under_device(tmp_path: Path) -> None:
    # Before the hwmon class carried attributes (and on CentOS 6 kernels, psutil issue #971) the
    # name and the inputs live on the parent device; hwmonN is an empty class device.
    dev = "/devices/platform/it87.656"
    device(tmp_path, dev, "platform", {"name": "it8718", "temp1_input": 38000, "fan1_input": 1850})
    hwmon(tmp_path, 0, dev, {})
    chip = list_hwmon_chips(tmp_path)[0]
    assert chip.name == "it8718"
    assert chip.attr_dir.endswith("hwmon0/device")
    assert [(i.id, i.value) for i in chip.inputs] == [("fan1", 1850.0), ("temp1", 38.0)]
    assert chip.sensors_id == "it8718-isa-0290"


def test_failing_inputs_are_marked_not_hidden(tmp_path: Path) -> None:
    # ThinkPad: the EC reports sensors it does not have as N/A (thinkpad_acpi returns -ENXIO);
    # a GPU whose bus transfer fails gives EIO; a hot-unplugged one ENODEV.
    hw = hwmon(
        tmp_path, 6, platform_device(tmp_path, "thinkpad_hwmon", "thinkpad_hwmon"),
        {"name": "thinkpad", "fan1_input": 0, "temp1_input": 65000, "temp2_input": 0, "temp8_input": 0,
         "temp3_input": 0, "temp3_max": 0, "temp4_input": 0},
    )  # fmt: skip
    make_enxio(hw / "temp8_input")
    make_eio(hw / "temp2_input")
    make_enodev(hw / "temp4_input")
    make_eio(hw / "temp3_max")
    inputs = {i.id: i for i in chips(tmp_path)["thinkpad-isa-0000"].inputs}
    assert (inputs["temp8"].value, inputs["temp8"].error, inputs["temp8"].ok) == (None, "ENXIO", False)
    assert (inputs["temp2"].value, inputs["temp2"].error) == (None, "EIO")
    assert (inputs["temp4"].value, inputs["temp4"].error) == (None, "ENODEV")
    # a failing limit does not hide the reading
    assert (inputs["temp3"].value, inputs["temp3"].errors) == (0.0, ("temp3_max: EIO",))
    assert (inputs["temp1"].value, inputs["temp1"].error) == (65.0, None)
    assert inputs["fan1"].value == 0.0


def test_eagain(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Drivers polling a slow bus (some SMBus and EC chips) return EAGAIN while busy; root cannot make
    # a regular file do that, so the one read primitive fails for this one file.
    hw = hwmon(tmp_path, 1, None, {"name": "ec", "temp1_input": 40000, "temp2_input": 41000})
    busy = (hw / "temp2_input").resolve()
    real = sysfs_attr.read_bytes

    def read_bytes(path: Path) -> bytes:
        if Path(path).resolve() == busy:
            raise BlockingIOError(errno.EAGAIN, "Resource temporarily unavailable")
        return real(path)

    monkeypatch.setattr(sysfs_attr, "read_bytes", read_bytes)
    inputs = {i.id: i for i in list_hwmon_chips(tmp_path)[0].inputs}
    assert (inputs["temp2"].value, inputs["temp2"].error) == (None, "EAGAIN")
    assert inputs["temp1"].value == 40.0


def test_root_only_input() -> None:
    # amdgpu's power1_cap_max and some PMBus attributes are 0400
    with shared_tmp() as sysfs:
        hw = hwmon(sysfs, 1, None, {"name": "pmbus", "power1_input": 5000000, "power2_input": 6000000})
        (hw / "power2_input").chmod(0o400)
        inputs = call_unprivileged(lambda: list_hwmon_chips(sysfs)[0].inputs)
    assert [(i.id, i.value, i.error) for i in inputs] == [("power1", 5.0, None), ("power2", None, "EACCES")]


def test_garbage_and_missing_input(tmp_path: Path) -> None:
    hwmon(tmp_path, 1, None, {"name": "weird", "temp1_input": "N/A", "temp2_max": 90000, "temp3_input": ""})
    inputs = {i.id: i for i in list_hwmon_chips(tmp_path)[0].inputs}
    assert inputs["temp1"].error == "garbage"
    assert (inputs["temp2"].error, inputs["temp2"].limits) == ("no input", {"max": 90.0})
    assert inputs["temp3"].error == "empty"


def test_directories_are_not_attributes(tmp_path: Path) -> None:
    hw = hwmon(tmp_path, 1, None, {"name": "x", "temp1_input": 30000})
    (hw / "temp9_input").mkdir()
    assert [i.id for i in list_hwmon_chips(tmp_path)[0].inputs] == ["temp1"]


def test_chip_with_unreadable_name_is_kept(tmp_path: Path) -> None:
    hw = hwmon(tmp_path, 1, None, {"name": "x", "temp1_input": 30000})
    make_eio(hw / "name")
    chip = list_hwmon_chips(tmp_path)[0]
    assert (chip.name, chip.error) == ("hwmon1", "name: EIO")
    assert chip.inputs[0].value == 30.0


def test_chip_removed_while_listing(tmp_path: Path) -> None:
    # s-tui's runtime disruption case: the class link outlives the device for a moment
    hwmon(tmp_path, 1, None, {"name": "x", "temp1_input": 30000})
    (tmp_path / "class/hwmon/hwmon2").symlink_to("../../devices/virtual/hwmon/gone")
    assert [c.hwmon for c in list_hwmon_chips(tmp_path)] == ["hwmon1"]


def test_natural_order(tmp_path: Path) -> None:
    for n in (10, 2, 1):
        hwmon(tmp_path, n, None, {"name": f"c{n}", "temp1_input": 1000})
    assert [c.hwmon for c in list_hwmon_chips(tmp_path)] == ["hwmon1", "hwmon2", "hwmon10"]


def test_no_hwmon_class(tmp_path: Path) -> None:
    with pytest.raises(ProbeUnavailable, match="hwmon"):
        list_hwmon_chips(tmp_path)


def test_prometheus_fixture(corpus: Path, tmp_path: Path) -> None:
    archive = corpus / "other/prometheus-node_exporter/sys.ttar"
    extract_ttar(archive, tmp_path, "sys/class/hwmon")
    extract_ttar(archive, tmp_path, "sys/devices")
    found = {c.hwmon: c for c in list_hwmon_chips(tmp_path / "sys")}
    core = found["hwmon0"]
    assert (core.name, core.sensors_id) == ("coretemp", "coretemp-isa-0000")
    assert [(i.label, i.value) for i in core.inputs[:2]] == [("Physical id 0", 55.0), ("Core 0", 54.0)]
    smc = {i.id: i for i in found["hwmon2"].inputs}
    assert (smc["fan1"].label, smc["fan1"].limits) == ("Left side", {"max": 6156.0, "min": 2160.0})
    # the fixture's hwmon4 is a bare directory without a name file: kept, with the reason
    assert found["hwmon4"].error == "name: ENOENT"
