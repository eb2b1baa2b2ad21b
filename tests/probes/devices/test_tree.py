"""The live sysfs reader on fake trees, on this machine's real sysfs, and under faults."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from hwinspector.probes.devices import tree as devmod
from hwinspector.probes.devices.tree import read_attribute, read_devices, udev_db_id
from tests.fake_sysfs import FakeSysfs, small_laptop


def test_reads_devices_parents_drivers_and_modules(tmp_path: Path) -> None:
    small_laptop(tmp_path)
    devs = {d.path: d for d in read_devices(tmp_path, None)}
    gpu = devs["/devices/pci0000:00/0000:00:02.0"]
    assert gpu.subsystem == "pci"
    assert gpu.driver == "i915"
    assert gpu.module == "i915"
    assert gpu.parent == "/devices/pci0000:00"
    assert gpu.kind == "Display adapters"
    assert gpu.attributes["boot_vga"] == "1"
    card = devs["/devices/pci0000:00/0000:00:02.0/drm/card0"]
    # drm/ is not a device directory: the card's parent is the GPU itself
    assert card.parent == gpu.path
    assert card.devnode == "dri/card0"
    camera_if = devs["/devices/pci0000:00/0000:00:14.0/usb1/1-5/1-5:1.0"]
    assert camera_if.module == "uvcvideo"
    # names from the system's usb.ids, not raw ids; the interface class is decoded (INTERFACE is decimal)
    assert devs["/devices/pci0000:00/0000:00:14.0/usb1/1-5"].name == "Chicony Electronics Co., Ltd Integrated Camera"
    assert camera_if.name == "USB interface 1-5:1.0 (Video Control)"
    assert devs["/devices/pci0000:00"].name == "PCI root (pci0000:00)"
    # parents always come before children
    order = [d.path for d in read_devices(tmp_path, None)]
    for p in order:
        d = devs[p]
        if d.parent:
            assert order.index(d.parent) < order.index(p)


def test_binary_and_non_utf8_attributes_become_hex(tmp_path: Path) -> None:
    fs = FakeSysfs(tmp_path)
    fs.add_device(
        "/devices/platform/odd",
        "platform",
        attrs={"config": bytes([0, 1, 2, 255]), "latin1": b"Caf\xe9 GmbH\n", "ok": "plain"},
    )
    (dev,) = read_devices(tmp_path, None)
    assert dev.binary_attributes["config"] == "000102ff"
    # not valid UTF-8: kept byte-exact as hex rather than mangled
    assert dev.binary_attributes["latin1"] == b"Caf\xe9 GmbH\n".hex()
    assert dev.attributes["ok"] == "plain"
    assert "latin1" not in dev.attributes


def test_write_only_and_special_files_are_not_read(tmp_path: Path) -> None:
    fs = FakeSysfs(tmp_path)
    d = fs.add_device("/devices/platform/x", "platform", attrs={"remove": "1", "ok": "1"})
    wo = d / "write_only"
    wo.write_text("secret")
    wo.chmod(0o200)
    os.mkfifo(d / "fifo")  # opening a FIFO would block the whole read: it must be skipped
    (dev,) = read_devices(tmp_path, None)
    assert set(dev.attributes) == {"ok"}


def test_unreadable_attribute_is_reported_and_the_rest_is_read(tmp_path: Path) -> None:
    """EACCES for real: the reader runs without the capabilities that let root ignore file modes."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and util-linux setpriv to drop CAP_DAC_OVERRIDE for the EACCES case")
    fs = FakeSysfs(tmp_path)
    d = fs.add_device("/devices/platform/sensor", "platform", attrs={"secret": "42", "name": "acme"})
    # readable by its owner only, and owned by someone else: like root-only attributes for a user
    (d / "secret").chmod(0o400)
    os.chown(d / "secret", 65534, 65534)
    code = (
        "import json,sys; from pathlib import Path; from hwinspector.probes.devices.tree import read_devices;"
        "d=read_devices(Path(sys.argv[1]), None)[0]; print(json.dumps([d.attributes, list(d.errors)]))"
    )
    out = subprocess.run(
        [
            "setpriv",
            "--bounding-set=-dac_override,-dac_read_search",
            sys.executable,
            "-c",
            code,
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    attrs, errors = json.loads(out.stdout)
    assert attrs == {"name": "acme"}
    assert errors == ["secret: EACCES (Permission denied)"]


def test_device_removed_between_listing_and_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fs = small_laptop(tmp_path)
    listed = devmod.list_device_paths(tmp_path)
    gone = "/devices/pci0000:00/0000:00:14.3"
    shutil.rmtree(fs.root / gone.lstrip("/"))
    # the listing is taken before the unplug; reading then finds the directory gone
    monkeypatch.setattr(devmod, "list_device_paths", lambda sysfs: listed)
    devs = {d.path for d in read_devices(tmp_path, None)}
    assert gone not in devs
    assert "/devices/pci0000:00/0000:00:02.0" in devs
    assert len(devs) == len(listed) - 1


def test_udev_database_properties_are_merged(tmp_path: Path) -> None:
    small_laptop(tmp_path)
    db = tmp_path / "run-udev-data"
    db.mkdir()
    (db / "+pci:0000:00:02.0").write_text(
        "I:123\nE:ID_MODEL_FROM_DATABASE=CometLake-U GT2 [UHD Graphics]\n"
        "E:ID_VENDOR_FROM_DATABASE=Intel Corporation\nG:seat\n"
    )
    (db / "c226:0").write_text("E:ID_PATH=pci-0000:00:02.0\n")
    devs = {d.path: d for d in read_devices(tmp_path, db)}
    gpu = devs["/devices/pci0000:00/0000:00:02.0"]
    assert gpu.properties["ID_MODEL_FROM_DATABASE"] == "CometLake-U GT2 [UHD Graphics]"
    assert gpu.name == "Intel Corporation CometLake-U GT2 [UHD Graphics]"
    assert devs["/devices/pci0000:00/0000:00:02.0/drm/card0"].properties["ID_PATH"] == "pci-0000:00:02.0"


def test_udev_db_ids_follow_udev_naming() -> None:
    assert udev_db_id("/devices/x/block/sda", {"SUBSYSTEM": "block", "MAJOR": "8", "MINOR": "0"}) == "b8:0"
    assert udev_db_id("/devices/x/input/event3", {"SUBSYSTEM": "input", "MAJOR": "13", "MINOR": "67"}) == "c13:67"
    assert udev_db_id("/devices/x/net/eth0", {"SUBSYSTEM": "net", "IFINDEX": "2"}) == "n2"
    assert udev_db_id("/devices/pci0000:00/0000:00:02.0", {"SUBSYSTEM": "pci"}) == "+pci:0000:00:02.0"


def test_read_attribute_returns_errno_name_for_a_missing_file(tmp_path: Path) -> None:
    text, hexdata, err = read_attribute(tmp_path / "nope")
    assert (text, hexdata) == (None, None)
    assert err is not None and err.startswith("ENOENT")


@pytest.mark.skipif(not Path("/sys/devices").is_dir(), reason="no sysfs on this machine")
def test_live_sysfs_matches_the_kernel_listing() -> None:
    """Every directory with a uevent file under /sys/devices is one device, with the kernel's driver link."""
    devs = read_devices()
    paths = [d.path for d in devs]
    assert len(paths) == len(set(paths))
    expected = {
        "/" + str(Path(root).relative_to("/sys"))
        for root, _dirs, files in os.walk("/sys/devices")
        if "uevent" in files and root != "/sys/devices"
    }
    assert set(paths) == expected
    for d in devs:
        link = Path("/sys" + d.path) / "driver"
        assert d.driver == (os.readlink(link).rsplit("/", 1)[-1] if link.is_symlink() else None)
        # attributes the kernel refuses (EINVAL on a down interface, ENOTSUP) are reported, not fatal
        for e in d.errors:
            name, _, why = e.partition(": ")
            assert name and why.split(" ")[0].startswith("E")
