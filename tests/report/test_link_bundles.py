"""USB-C and wireless in bundles: raw outputs of the real tools, the structured sections, --from, diff, privacy."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import dbus
import pytest

from hwinspector.cli.main import main
from hwinspector.probes.devices.tree import read_devices
from hwinspector.probes.machine.chains import read_usbc_inputs, read_wireless_inputs
from hwinspector.probes.machine.sections import Section, sections_from_snapshot
from hwinspector.probes.usbc.chain import usbc_from_inputs
from hwinspector.probes.wireless.chain import wireless_from_inputs
from hwinspector.report.diff import diff
from hwinspector.report.diff_sides import load_side
from hwinspector.report.privacy import PrivacyFilter
from hwinspector.report.raw_collectors import collect, default_plan
from tests.dbusmock_templates.mockbus import BOLT_TEMPLATE, PrivateSystemBus, private_system_bus
from tests.probes.usbc import trees
from tests.probes.wireless.test_wireless_chain import _laptop
from tests.report.bundles import laptop_snapshot, write_laptop_bundle

system_bus = pytest.fixture(private_system_bus)


def _plan(sysfs: Path) -> dict[str, object]:
    return {s.path: s for s in default_plan(sysfs) if s.path.startswith(("raw/usbc/", "raw/wireless/"))}


def test_raw_typec_dump_reads_the_pdos_and_roles(tmp_path: Path) -> None:
    trees.thinkpad_x13_gen3(tmp_path)
    plan = _plan(tmp_path)
    assert set(plan) == {
        "raw/usbc/boltctl-list.txt", "raw/usbc/typec.txt", "raw/usbc/thunderbolt.txt", "raw/wireless/rfkill.txt",
        "raw/wireless/iw-reg-get.txt", "raw/wireless/iw-dev.txt", "raw/wireless/bluetoothctl-show.txt",
    }  # fmt: skip
    got = collect(plan["raw/usbc/typec.txt"], timeout_s=10)  # type: ignore[arg-type]
    text = (got.data or b"").decode()
    assert got.status == "ok" and "port1/power_role: source [sink]" in text
    assert "pd2/source-capabilities/5:fixed_supply/voltage: 20000mV" in text
    assert collect(plan["raw/usbc/thunderbolt.txt"], timeout_s=10).status == "skipped"  # type: ignore[arg-type]


@pytest.mark.skipif(shutil.which("boltctl") is None, reason="boltctl is not installed (Debian: bolt)")
def test_raw_boltctl_output_comes_from_boltd(system_bus: PrivateSystemBus, tmp_path: Path) -> None:
    system_bus.spawn(BOLT_TEMPLATE)
    got = collect(_plan(tmp_path)["raw/usbc/boltctl-list.txt"], timeout_s=20)  # type: ignore[arg-type]
    text = (got.data or b"").decode()
    assert got.status == "ok" and got.producer == {"argv": ["boltctl", "list", "--all"]}
    assert text.count("ThinkPad Thunderbolt 3 Dock") == 4 and "20 Gb/s = 2 lanes * 10 Gb/s" in text


@pytest.mark.skipif(shutil.which("bluetoothctl") is None, reason="bluetoothctl is not installed (Debian: bluez)")
def test_raw_bluetoothctl_show_is_masked_by_the_privacy_filter(system_bus: PrivateSystemBus, tmp_path: Path) -> None:
    mock = system_bus.spawn("bluez5")
    dbus.Interface(mock.obj, "org.bluez.Mock").AddAdapter("hci0", "qa-rig")
    got = collect(_plan(tmp_path)["raw/wireless/bluetoothctl-show.txt"], timeout_s=20)  # type: ignore[arg-type]
    text = (got.data or b"").decode()
    address = re.search(r"Controller ([0-9A-F:]{17})", text)
    assert got.status == "ok" and address is not None
    masked = PrivacyFilter(b"k" * 32).text(text, where="raw/wireless/bluetoothctl-show.txt")
    assert address[1] not in masked and "Alias: qa-rig" in masked


def test_iw_dev_ssid_is_masked() -> None:
    text = (
        "phy#0\n\tInterface wlp3s0\n\t\tifindex 3\n\t\taddr e4:02:9b:78:8d:1d\n\t\tssid Home Net 5G\n\t\ttype managed\n"
    )
    f = PrivacyFilter(b"k" * 32)
    f.learn_text(text, where="raw/wireless/iw-dev.txt")
    out = f.text(text, where="raw/wireless/iw-dev.txt")
    assert "Home Net 5G" not in out and "e4:02:9b" not in out and "\t\tssid SSID-" in out and "type managed" in out


def _bundle_sections(root: Path, dock_authorized: bool) -> dict[str, Section]:
    trees.thunderbolt_dock_unauthorised(root)
    _laptop(root)
    if dock_authorized:
        next(root.glob("devices/**/domain0/0-0/0-1")).joinpath("authorized").write_text("1\n")
    devices = read_devices(root, None)
    uin = read_usbc_inputs(devices, root, root / "no-kmsg", timeout_s=2)
    win = read_wireless_inputs(devices, root, root / "no-kmsg", timeout_s=2, run_tools=False)
    secs = dict(sections_from_snapshot(laptop_snapshot()))
    secs["devices"] = Section("devices", True, None, {"devices": [d.to_json() for d in devices]})
    secs["usbc"] = Section("usbc", True, None, json.loads(json.dumps(
        {"inputs": uin.to_json(), "chain": usbc_from_inputs(devices, uin, "live").to_json()})))  # fmt: skip
    secs["wireless"] = Section("wireless", True, None, json.loads(json.dumps(
        {"inputs": win.to_json(), "chain": wireless_from_inputs(devices, win, "live").to_json()})))  # fmt: skip
    return secs


def test_from_bundle_rebuilds_the_chains_and_diff_shows_the_authorised_dock(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a = write_laptop_bundle(tmp_path / "a", sections=_bundle_sections(tmp_path / "ta", False))
    b = write_laptop_bundle(tmp_path / "b", sections=_bundle_sections(tmp_path / "tb", True),
                            name="hwreport-20250602T120000Z-0a1b2c3d")  # fmt: skip
    assert main(["usbc", "--from", str(a), "--json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    (dom,) = doc["chain"]["domains"]
    assert [d["authorized"] for d in dom["devices"]] == [1, 0]
    assert doc["chain"]["bolt"]["running"] is False  # no boltd on the private-bus-less capture
    assert main(["usbc", "--from", str(b)]) == 0
    assert "Lenovo ThinkPad Thunderbolt 3 Dock — authorised" in capsys.readouterr().out
    assert main(["wireless", "--from", str(a)]) == 0
    out = capsys.readouterr().out
    assert "Wi-Fi phy0 — iwlwifi · 0000:03:00.0" in out and "Bluetooth hci0" in out
    d = diff(load_side(str(a)), load_side(str(b)))
    changes = [(c.category, c.item, c.a, c.b) for c in d.changes if c.category == "usb-c"]
    assert changes == [(
        "usb-c", "Thunderbolt 006f79a1-3f9d-0801-ffff-ffffffffffff (Lenovo ThinkPad Thunderbolt 3 Dock) authorized",
        "0", "1",
    )]  # fmt: skip
    assert not [c for c in d.changes if c.category == "wireless"]


def test_structured_wireless_section_masks_addresses(tmp_path: Path) -> None:
    """The chain's JSON carries the interface MAC and BlueZ's adapter address: neither leaves unmasked."""
    from hwinspector.probes.wireless.bluez import BluezAdapter, BluezInfo
    from hwinspector.probes.wireless.chain import WirelessInputs

    _laptop(tmp_path)
    devices = read_devices(tmp_path, None)
    bluez = BluezInfo(
        True, None, (BluezAdapter("hci0", "/org/bluez/hci0", "00:1A:7D:DA:71:13", "x", True, "on", False),)
    )
    inputs = WirelessInputs(None, {}, None, None, bluez)
    doc = {"inputs": inputs.to_json(), "chain": wireless_from_inputs(devices, inputs, "live").to_json()}
    text = json.dumps(PrivacyFilter(b"k" * 32).json(doc, where="structured/wireless.json"))
    assert "e4:02:9b:78:8d:1d" not in text.lower() and "00:1a:7d:da:71:13" not in text.lower()
    assert "iwlwifi" in text


def test_diff_of_two_corpus_dumps_lists_the_wireless_changes(corpus: Path) -> None:
    dumps = corpus / "udev/checkbox-udevadm_data"
    d = diff(load_side(str(dumps / "LENOVO_T420.txt")), load_side(str(dumps / "TOSHIBA_NVME.txt")))
    got = {(c.kind, c.item, c.a, c.b) for c in d.changes if c.category == "wireless"}
    assert ("changed", "Wi-Fi 0000:03:00.0 interfaces", "wlan0", "wlp3s0") in got
    assert ("removed", "Bluetooth 1-1.4:1.0 driver", "btusb", None) in got
    # no kernel log in a udevadm dump: no "0 firmware failures" claimed for either side
    assert not [c for c in d.changes if "firmware failures" in c.item]
    assert not [c for c in d.changes if c.category == "usb-c"]
