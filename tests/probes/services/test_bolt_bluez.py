"""boltd and BlueZ through mocks on a private system bus, with boltctl and bluetoothctl as oracles."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import dbus
import pytest

from hwinspector.probes.devices.tree import read_devices
from hwinspector.probes.machine.chains import read_usbc_inputs, read_wireless_inputs
from hwinspector.probes.usbc.chain import usbc_from_inputs
from hwinspector.probes.wireless.chain import wireless_from_inputs
from tests.dbusmock_templates.mockbus import BOLT_TEMPLATE, PrivateSystemBus, private_system_bus
from tests.probes.usbc import trees
from tests.probes.wireless.test_wireless_chain import _laptop

system_bus = pytest.fixture(private_system_bus)


def _boltctl(address: str) -> dict[str, dict[str, str]]:
    """``boltctl list --all`` as {uuid: {status, policy, stored, vendor, name}}."""
    out = subprocess.run(["boltctl", "list", "--all"], capture_output=True, text=True, timeout=20, check=True).stdout
    devices: dict[str, dict[str, str]] = {}
    cur: dict[str, str] = {}
    for line in out.splitlines():
        m = re.match(r"^\s*[|`\- ]*(\w[\w ]*?):\s+(.*)$", line)
        if m is None:
            continue
        key, value = m[1].strip(), m[2].strip()
        if key == "type":
            cur = {}
        cur[key] = value
        if key == "uuid":
            devices[value] = cur
    return devices


def test_boltd_devices_match_boltctl_and_join_the_sysfs_chain(system_bus: PrivateSystemBus, tmp_path: Path) -> None:
    system_bus.spawn(BOLT_TEMPLATE)
    trees.thunderbolt_dock_unauthorised(tmp_path)
    devices = read_devices(tmp_path, None)
    inputs = read_usbc_inputs(devices, tmp_path, tmp_path / "no-kmsg", timeout_s=5)
    bolt = inputs.bolt
    assert bolt is not None and bolt.running, bolt
    assert (bolt.security, bolt.auth_mode, bolt.version) == ("user", "enabled", 1)
    if shutil.which("boltctl"):
        oracle = _boltctl(system_bus.address)
        assert set(oracle) == {d.uid for d in bolt.devices}
        for d in bolt.devices:
            o = oracle[d.uid]
            assert (o["status"], o["vendor"], o["name"], o["policy"]) == (d.status, d.vendor, d.name, d.policy)
    chain = usbc_from_inputs(devices, inputs, "live")
    dock = chain.domains[0].devices[1]
    assert dock.bolt is not None and dock.bolt.status == "connected" and dock.bolt.stored
    assert any("boltd: connected" in p.detail for p in chain.problems)


def test_boltd_absent_is_a_reason_not_an_error(system_bus: PrivateSystemBus, tmp_path: Path) -> None:
    trees.thunderbolt_dock_unauthorised(tmp_path)
    inputs = read_usbc_inputs(read_devices(tmp_path, None), tmp_path, tmp_path / "no-kmsg", timeout_s=5)
    assert inputs.bolt is not None and not inputs.bolt.running
    assert "boltd is not installed or not running" in (inputs.bolt.reason or "")


def test_bluez_adapter_matches_bluetoothctl(system_bus: PrivateSystemBus, tmp_path: Path) -> None:
    mock = system_bus.spawn("bluez5")
    dbus.Interface(mock.obj, "org.bluez.Mock").AddAdapter("hci0", "hwi-laptop")
    _laptop(tmp_path)
    devices = read_devices(tmp_path, None)
    inputs = read_wireless_inputs(devices, tmp_path, tmp_path / "no-kmsg", timeout_s=5, run_tools=False)
    assert inputs.bluez is not None and inputs.bluez.running
    (adapter,) = inputs.bluez.adapters
    if shutil.which("bluetoothctl"):
        show = subprocess.run(["bluetoothctl", "show"], capture_output=True, text=True, timeout=20, check=True,
                              stdin=subprocess.DEVNULL).stdout  # fmt: skip
        assert f"Controller {adapter.address} " in show
        assert f"Alias: {adapter.alias}" in show and "Powered: yes" in show
    assert (adapter.name, adapter.alias, adapter.powered) == ("hci0", "hwi-laptop", True)
    chain = wireless_from_inputs(devices, inputs, "live")
    assert chain.problems == ()
    # the adapter goes away (bluetoothd lost it): the last link breaks on hci0
    dbus.Interface(mock.obj, "org.bluez.Mock").RemoveAdapter("hci0")
    inputs = read_wireless_inputs(devices, tmp_path, tmp_path / "no-kmsg", timeout_s=5, run_tools=False)
    (p,) = wireless_from_inputs(devices, inputs, "live").problems
    assert p.subject == "hci0" and "BlueZ has no adapter" in p.detail
