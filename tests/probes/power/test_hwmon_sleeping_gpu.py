"""Thermal pages, the exporter and bundles never read a sleeping GPU's hwmon: its sensors would wake it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from hwinspector.probes.power.hwmon import list_hwmon_chips
from hwinspector.report.raw_collectors import dump_attributes
from tests.probes.sysfs_builder import class_device, device


def _dgpu(sysfs: Path, status: str) -> Path:
    pci = "/devices/pci0000:00/0000:01:00.0"
    device(sysfs, pci, "pci", {"class": "0x030000", "power/runtime_status": status})
    class_device(sysfs, "hwmon", f"{pci}/hwmon/hwmon3", {"name": "amdgpu", "temp1_label": "edge"}, pci)
    hw = sysfs / pci.lstrip("/") / "hwmon" / "hwmon3"
    os.mkfifo(hw / "temp1_input")  # reading it is the bug: a FIFO stands for the woken GPU
    return hw


@pytest.mark.timeout(20)
def test_a_sleeping_dgpus_hwmon_is_listed_but_not_read(tmp_path: Path) -> None:
    _dgpu(tmp_path, "suspended")
    (chip,) = list_hwmon_chips(tmp_path)
    assert chip.name == "amdgpu"
    assert chip.inputs == ()
    assert chip.error is not None and chip.error.startswith("asleep (suspended)")
    text = dump_attributes([(tmp_path, "class/hwmon/hwmon*/*_*")]).decode()
    assert "temp1_input" not in text
    assert "asleep (suspended)" in text


@pytest.mark.timeout(20)
def test_an_awake_dgpus_hwmon_is_read(tmp_path: Path) -> None:
    hw = _dgpu(tmp_path, "active")
    os.unlink(hw / "temp1_input")
    (hw / "temp1_input").write_text("41000\n")
    (chip,) = list_hwmon_chips(tmp_path)
    assert chip.error is None
    assert [(i.id, i.label, i.value) for i in chip.inputs] == [("temp1", "edge", 41.0)]
