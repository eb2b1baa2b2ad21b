"""The privacy filter: every category masked, tokens stable per key, EDIDs still valid, nothing else broken."""

from __future__ import annotations

import base64
import gzip
import hashlib
import hmac
import json
import re
import stat
from pathlib import Path

import numpy as np
import pytest

from hwinspector.probes.devices.udevdump import parse_dump
from hwinspector.probes.graphics.edid.decode import decode_edid, edid_bytes
from hwinspector.probes.telemetry.channels import Channel
from hwinspector.probes.telemetry.recording import RecordingWriter, read_recording
from hwinspector.report.privacy import (
    CATEGORIES,
    PrivacyContext,
    PrivacyFilter,
    PrivacyRefused,
    gather_context,
    key_fingerprint,
    load_or_create_key,
    token,
)

KEY = bytes(range(32))
OTHER_KEY = bytes(range(1, 33))
TOKEN = r"[A-Z2-7]{12}"


def _f(*known: tuple[str, str], key: bytes = KEY, relaxed: tuple[str, ...] = ()) -> PrivacyFilter:
    return PrivacyFilter(key, relaxed, PrivacyContext(tuple(known)))


def _tok(cat: str, value: str, key: bytes = KEY) -> str:
    return token(key, cat, value)


# --- tokens and the key ------------------------------------------------------------------------------


def test_token_is_the_documented_hmac() -> None:
    digest = hmac.new(KEY, b"4JX9TN2", hashlib.sha256).digest()
    expected = "DMI_SERIAL-" + base64.b32encode(digest).decode()[:12]
    assert token(KEY, "dmi_serial", "4JX9TN2") == expected
    assert re.fullmatch(rf"DMI_SERIAL-{TOKEN}", expected)
    assert token(OTHER_KEY, "dmi_serial", "4JX9TN2") != expected


def test_key_file_is_created_private_and_reused(tmp_path: Path) -> None:
    path = tmp_path / "share" / "hwinspector" / "privacy.key"
    key = load_or_create_key(path)
    assert len(key) == 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert load_or_create_key(path) == key
    other = load_or_create_key(tmp_path / "second.key")
    assert other != key
    assert key_fingerprint(key) == hashlib.sha256(key).hexdigest()[:16]


def test_a_readable_key_is_made_private_and_garbage_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "privacy.key"
    path.write_text("00" * 32 + "\n")
    path.chmod(0o644)
    assert load_or_create_key(path) == bytes(32)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    path.write_text("not hex at all")
    with pytest.raises(ValueError, match="not hex"):
        load_or_create_key(path)


# --- every category ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "text", "secret", "category"),
    [
        ("raw/dmi/dmidecode.txt", "System Information\n\tSerial Number: PF2ABCDE\n", "PF2ABCDE", "dmi_serial"),
        ("raw/dmi/dmidecode.txt", "\tUUID: 4c4c4544-0042-3510-8052-b4c04f4e3732\n", "4c4c4544", "dmi_serial"),
        ("raw/dmi/dmidecode.txt", "\tAsset Tag: ACME-000417\n", "ACME-000417", "dmi_serial"),
        ("raw/storage/smartctl-nvme0.txt", "Serial Number:    S3Z9NB0K123456X\n", "S3Z9NB0K123456X", "disk_serial"),
        ("raw/kernel/dmesg.txt", "[ 2.1] usb 1-5: SerialNumber: 200901010001\n", "200901010001", "usb_serial"),
        ("raw/usb/lsusb-v.txt", "  iSerial                 3 ABCDEF123456\n", "ABCDEF123456", "usb_serial"),
        (
            "raw/pci/lspci-vvnnk.txt",
            "\tCapabilities: [140 v1] Device Serial Number 00-11-22-ff-ff-33-44-55\n",
            "00-11-22-ff",
            "pci_serial",
        ),
        ("raw/power/upower-d.txt", "    serial:               8179\n", "8179", "battery_serial"),
        ("raw/dmi/dmidecode-memory.txt", "Memory Device\n\tSerial Number: 1A2B3C4D\n", "1A2B3C4D", "ram_serial"),
        ("raw/net/ip-addr.txt", "    link/ether 3c:22:fb:01:02:03 brd ff:ff:ff:ff:ff:ff\n", "3c:22:fb", "mac"),
        ("raw/kernel/dmesg.txt", "Bluetooth: hci0: BD Address: 00:1a:7d:da:71:13\n", "00:1a:7d", "bluetooth"),
        ("raw/net/ip-addr.txt", "    inet 192.168.1.23/24 brd 192.168.1.255\n", "192.168.1.23", "ip"),
        ("raw/net/ip-addr.txt", "    inet6 2001:db8:85a3::8a2e:370:7334/64\n", "2001:db8", "ip"),
        ("raw/misc/hostnamectl.txt", "   Static hostname: qa-rig-7\n", "qa-rig-7", "hostname"),
        ("raw/misc/notes.txt", "config in /home/alice/.config/x\n", "alice", "home"),
        ("raw/misc/modinfo.txt", "author:  Jane Doe <jane.doe@example.org>\n", "jane.doe@example.org", "email"),
        (
            "raw/misc/cmdline.txt",
            "BOOT_IMAGE=/vmlinuz root=UUID=0a1b2c3d-1111-2222-3333-444455556666 ro\n",
            "0a1b2c3d",
            "fs_uuid",
        ),
        ("raw/storage/blkid.txt", '/dev/sda2: LABEL="Holiday Photos" TYPE="ext4"\n', "Holiday Photos", "fs_label"),
        ("raw/net/iw.txt", "\tSSID: CoffeeShopGuest\n", "CoffeeShopGuest", "ssid"),
    ],
)
def test_each_category_is_masked_where_it_is_named(where: str, text: str, secret: str, category: str) -> None:
    f = _f()
    out = f.text(text, where=where)
    assert secret.lower() not in out.lower()
    assert re.search(rf"{category.upper()}-{TOKEN}", out), out
    assert {c for c, n in f.counts().items() if n} == {category}
    assert out.count("\n") == text.count("\n")


def test_known_identifiers_are_masked_wherever_they_appear() -> None:
    f = _f(
        ("hostname", "qa-rig-7"),
        ("user", "alice"),
        ("machine_id", "0123456789abcdef0123456789abcdef"),
        ("boot_id", "8a4b7c6d-1111-2222-3333-444455556666"),
        ("usb_serial", "200901010001"),
        ("mac", "AC:2B:6E:23:85:7F"),
    )
    log = (
        "Jan 1 qa-rig-7 systemd[1]: Started session of user alice.\n"
        "Jan 1 QA-RIG-7 kernel: usb 1-5: product camera 200901010001\n"
        "machine 0123456789abcdef0123456789abcdef boot 8a4b7c6d111122223333444455556666\n"
        "wlp3s0 ac:2b:6e:23:85:7f enxac2b6e23857f AC-2B-6E-23-85-7F\n"
    )
    out = f.text(log, where="raw/journal.txt")
    for secret in ("qa-rig-7", "alice", "0123456789abcdef", "8a4b7c6d", "200901010001", "ac:2b", "ac2b6e", "AC-2B"):
        assert secret.lower() not in out.lower(), secret
    # every spelling of one identifier gets one token
    mac = _tok("mac", "ac:2b:6e:23:85:7f")
    assert out.count(mac) == 3 and f"enx{mac}" in out
    assert out.count(_tok("hostname", "qa-rig-7")) == 2
    assert out.count(_tok("boot_id", "8a4b7c6d-1111-2222-3333-444455556666")) == 1


def test_what_identifies_nothing_is_kept() -> None:
    f = _f(("battery_serial", "8179"))
    text = (
        "inet 127.0.0.1/8 scope host lo\ninet6 ::1/128\n"
        "Firmware Version: 1.2.3.4\nnetmask 255.255.255.0\n"
        "  iSerial                 1 0000:00:14.0\n"
        "\tSerial Number: To Be Filled By O.E.M.\n"
        "03:00.0 Network controller [0280]: Realtek RTL8188EE [10ec:8179]\n"
        "link/ether 00:00:00:00:00:00 brd ff:ff:ff:ff:ff:ff\n"
        "[ 12.345] serial8250: ttyS0 at I/O 0x3f8 (irq = 4, base_baud = 115200) is a 16550A\n"
    )
    assert f.text(text, where="raw/misc/mixed.txt") == text
    # a short serial is masked where a key names it, not wherever the digits appear
    assert (
        f.text("POWER_SUPPLY_SERIAL_NUMBER=8179\n") == f"POWER_SUPPLY_SERIAL_NUMBER={_tok('battery_serial', '8179')}\n"
    )


def test_udev_dump_keeps_its_structure(corpus: Path) -> None:
    path = corpus / "udev" / "checkbox-udevadm_data" / "LENOVO_T420.txt"
    text = path.read_text(errors="replace")
    before = parse_dump(text)
    serials = {d.properties[k] for d in before.devices for k in ("ID_SERIAL_SHORT", "ID_FS_UUID") if k in d.properties}
    macs = {d.attributes.get("address") or d.properties.get("MATCHADDR") for d in before.devices}
    secrets = {s for s in serials | macs if s and len(s) >= 6 and not s.startswith("0000:")}
    assert len(secrets) >= 5
    out = _f().text(text, where="raw/udev/udevadm-info-export-db.txt")
    for s in secrets:
        assert s not in out, s
    after = parse_dump(out)
    assert [d.path for d in after.devices] == [d.path for d in before.devices]
    assert [d.driver for d in after.devices] == [d.driver for d in before.devices]
    # what a device is stays readable; only which one it is goes
    assert "ID_SERIAL=Hitachi_HTS723232A7A364_DISK_SERIAL-" in out
    assert "ID_MODEL=Hitachi_HTS723232A7A364" in out


def test_a_copied_sysfs_attribute_is_masked_whole() -> None:
    f = _f()
    assert f.text("4JX9\n", where="raw/dmi/id/product_serial") == f"{_tok('dmi_serial', '4JX9')}\n"
    assert f.text("LENOVO\n", where="raw/dmi/id/sys_vendor") == "LENOVO\n"


def test_first_category_wins_and_relaxed_categories_stay() -> None:
    f = _f(("user", "buildbox"), ("hostname", "buildbox"), ("ip", "10.1.2.3"), relaxed=("ip",))
    out = f.text("buildbox 10.1.2.3 10.9.9.9\n")
    assert out == f"{_tok('hostname', 'buildbox')} 10.1.2.3 10.9.9.9\n"
    assert f.counts()["hostname"] == 1 and f.counts()["user"] == 0
    assert f.counts()["ip"] == 2  # found, but the user chose to keep them
    with pytest.raises(ValueError, match="unknown privacy categories"):
        PrivacyFilter(KEY, ("serials",))


def test_msdm_is_refused_everywhere() -> None:
    f = _f()
    for call in (
        lambda: f.text("x", where="raw/acpi/MSDM"),
        lambda: f.json({}, where="raw/acpi/tables/msdm.json"),
        lambda: f.raw(b"MSDM\x55\x00", where="raw/firmware/acpi/tables/MSDM"),
    ):
        with pytest.raises(PrivacyRefused, match="MSDM"):
            call()


# --- EDID ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["base-1.4-dp.hex", "cta-hdmi-hdr.hex", "displayid-tiled.hex"])
def test_edid_serials_are_zeroed_and_the_edid_stays_valid(data_dir: Path, name: str) -> None:
    raw = edid_bytes((data_dir / "edid" / name).read_bytes(), name)
    before = decode_edid(raw)
    assert before.base is not None and before.base.serial_number and before.base.serial_string == "SN12345"
    f = _f()
    masked = f.edid(raw)
    after = decode_edid(masked)
    assert after.checksum_ok and after.errors == before.errors
    assert after.base is not None and not after.base.serial_number and not after.base.serial_string
    assert (after.base.manufacturer_id, after.base.product_code, after.base.name) == (
        before.base.manufacturer_id,
        before.base.product_code,
        before.base.name,
    )
    assert f.counts()["edid_serial"] == 2
    # the decoded serial string elsewhere (a structured section) gets the same token as the bytes' serial
    assert f.json({"serial_string": "SN12345"}) == {"serial_string": _tok("edid_serial", "SN12345")}


def test_edid_hex_in_text_and_json_is_masked(data_dir: Path) -> None:
    raw = edid_bytes((data_dir / "edid" / "base-1.4-dp.hex").read_bytes(), "x")
    f = _f()
    line = f.text(f"H: edid={raw.hex().upper()}\n", where="raw/udev/laptop.umockdev")
    masked = bytes.fromhex(line.strip().split("=", 1)[1])
    assert not decode_edid(masked).base.serial_number  # type: ignore[union-attr]
    assert decode_edid(masked).checksum_ok
    doc = f.json({"connectors": [{"edid_hex": raw.hex(), "name": "card1-DP-1"}]}, where="structured/graphics.json")
    assert decode_edid(bytes.fromhex(doc["connectors"][0]["edid_hex"])).base.serial_string is None  # type: ignore[union-attr]
    # xrandr --verbose prints rows of 16 bytes
    rows = "".join(f"\t\t{raw[i : i + 16].hex()}\n" for i in range(0, 128, 16))
    out = f.text(f"\tEDID: \n{rows}\tBrightness: 1.0\n", where="raw/graphics/xrandr-verbose.txt")
    back = bytes.fromhex("".join(x.strip() for x in out.splitlines()[1:9]))
    assert decode_edid(back).checksum_ok and not decode_edid(back).base.serial_number  # type: ignore[union-attr]


# --- structured data and recordings -----------------------------------------------------------------------


def test_json_masks_keys_and_values_by_key_and_by_device() -> None:
    f = _f(("mac", "ac:2b:6e:23:85:7f"))
    doc = {
        "devices": [
            {
                "path": "/devices/LNXSYSTM:00/PNP0C0A:00/power_supply/BAT0",
                "subsystem": "power_supply",
                "attributes": {"serial_number": "8179", "model_name": "5B10W13930"},
            },
            {
                "path": "/devices/pci0000:00/0000:00:14.0/usb1/1-5",
                "subsystem": "usb",
                "properties": {
                    "ID_SERIAL": "Chicony_Integrated_Camera_200901010001",
                    "ID_SERIAL_SHORT": "200901010001",
                },
            },
        ],
        "by_mac": {"ac:2b:6e:23:85:7f": "wlp3s0"},
        "edid": {"serial_number": 16909060, "product_code": 4660},
        "module_version": "1.2.3.4",
        "flag": True,
    }
    out = f.json(doc, where="structured/devices.json")
    bat, cam = out["devices"]
    assert bat["attributes"] == {"serial_number": _tok("battery_serial", "8179"), "model_name": "5B10W13930"}
    usb = _tok("usb_serial", "200901010001")
    assert cam["properties"] == {"ID_SERIAL": f"Chicony_Integrated_Camera_{usb}", "ID_SERIAL_SHORT": usb}
    assert out["by_mac"] == {_tok("mac", "ac:2b:6e:23:85:7f"): "wlp3s0"}
    assert out["edid"] == {"serial_number": _tok("edid_serial", "16909060"), "product_code": 4660}
    assert out["module_version"] == "1.2.3.4" and out["flag"] is True
    assert json.loads(json.dumps(out)) == out


def test_tokens_are_consistent_across_artifacts_filters_and_keys() -> None:
    a, b, c = _f(), _f(), _f(key=OTHER_KEY)
    text = "usb 1-5: SerialNumber: 200901010001\n"
    ta = a.text(text, where="raw/kernel/dmesg.txt")
    assert a.json({"serial": "200901010001"}, where="structured/devices.json usb")["serial"] in ta
    assert b.text(text, where="raw/kernel/dmesg.txt") == ta
    assert c.text(text, where="raw/kernel/dmesg.txt") != ta
    # masking is idempotent: a token is never masked again
    assert a.text(ta, where="raw/kernel/dmesg.txt") == ta


def test_a_value_learned_late_is_masked_in_earlier_artifacts_after_learn() -> None:
    f = _f()
    late = "E: ID_SERIAL_SHORT=S3Z9NB0K123456X\n"
    early = "nvme0: serial S3Z9NB0K123456X in a log line\n"
    f.learn_text(late, where="raw/udev/export-db.txt")
    assert "S3Z9NB0K123456X" not in f.text(early, where="raw/kernel/dmesg.txt")


def _ch(cid: str, label: str) -> Channel:
    return Channel(cid, label, "W", f"/sys/fake/{cid}", 1.0, 10.0, "gauge", "dev", True, None)  # type: ignore[arg-type]


def test_recording_labels_markers_and_events_are_masked_and_it_still_reads(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl.gz"
    ch = _ch("bat:BAT0/power", "Battery 8179 power")
    w = RecordingWriter(src, [ch], [10.0], anchor_monotonic_ns=1_000, meta={"host": "qa-rig-7"})
    t = np.array([1_100, 1_200, 1_300], np.int64)
    w.write_rows([ch], t, np.array([[1.5], [2.5], [3.5]]))
    w.add_marker(1_150, "plugged dock ac:2b:6e:23:85:7f on qa-rig-7")
    w.add_event(1_160, "udev", "add usb 1-5 serial=200901010001")
    w.close()
    f = _f(("hostname", "qa-rig-7"), ("battery_serial", "8179"))
    out = tmp_path / "out.jsonl.gz"
    out.write_bytes(f.recording(src.read_bytes()))
    text = gzip.decompress(out.read_bytes()).decode()
    for secret in ("qa-rig-7", "ac:2b:6e", "200901010001"):
        assert secret not in text
    rec = read_recording(out)
    assert rec.complete
    assert rec.series["bat:BAT0/power"][1].tolist() == [1.5, 2.5, 3.5]
    assert rec.markers[0].note == f"plugged dock {_tok('mac', 'ac:2b:6e:23:85:7f')} on {_tok('hostname', 'qa-rig-7')}"
    assert rec.events[0].text == f"add usb 1-5 serial={_tok('usb_serial', '200901010001')}"
    # gzip with mtime 0: the same input gives the same bytes
    assert f.recording(src.read_bytes()) == out.read_bytes()


def test_raw_bytes_dispatch(data_dir: Path) -> None:
    f = _f()
    raw_edid = edid_bytes((data_dir / "edid" / "base-1.4-dp.hex").read_bytes(), "x")
    assert not decode_edid(f.raw(raw_edid, where="raw/graphics/card1-DP-1.edid.bin")).base.serial_number  # type: ignore[union-attr]
    gz = gzip.compress(b"inet 10.20.30.40/24\n", mtime=0)
    assert b"10.20.30.40" not in gzip.decompress(f.raw(gz, where="raw/net/ip.txt.gz"))
    blob = b"\x00\x01 host 10.20.30.40 \xff\xfe"
    out = f.raw(blob, where="raw/misc/blob.bin")
    assert b"10.20.30.40" not in out and out.startswith(b"\x00\x01") and out.endswith(b"\xff\xfe")


def test_categories_are_the_documented_ones() -> None:
    assert set(CATEGORIES) == {
        "dmi_serial", "disk_serial", "usb_serial", "pci_serial", "battery_serial", "ram_serial", "edid_serial",
        "mac", "bluetooth", "ip", "hostname", "user", "home", "email", "machine_id", "boot_id", "fs_uuid",
        "fs_label", "ssid",
    }  # fmt: skip
    assert set(_f().counts()) == set(CATEGORIES)


def test_gather_context_reads_the_machine_s_identifiers(tmp_path: Path) -> None:
    sysfs, procfs, etc, run, devfs = (tmp_path / n for n in ("sys", "proc", "etc", "run", "dev"))

    def put(p: Path, text: str) -> None:
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)

    put(etc / "hostname", "qa-rig-7\n")
    put(
        etc / "passwd",
        "root:x:0:0::/root:/bin/bash\nalice:x:1000:1000::/home/alice:/bin/bash\nsvc:x:998:998::/:/bin/false\n",
    )
    put(etc / "machine-id", "0123456789abcdef0123456789abcdef\n")
    put(etc / "NetworkManager/system-connections/cafe.nmconnection", "[wifi]\nssid=CoffeeShopGuest\n")
    put(procfs / "sys/kernel/random/boot_id", "8a4b7c6d-1111-2222-3333-444455556666\n")
    put(sysfs / "class/net/wlp3s0/address", "ac:2b:6e:23:85:7f\n")
    put(sysfs / "class/net/lo/address", "00:00:00:00:00:00\n")
    put(sysfs / "class/dmi/id/product_serial", "4JX9TN2\n")
    put(sysfs / "class/dmi/id/chassis_asset_tag", "To Be Filled By O.E.M.\n")
    put(sysfs / "class/power_supply/BAT0/serial_number", "8179\n")
    put(sysfs / "devices/pci0000:00/0000:00:14.0/usb1/serial", "0000:00:14.0\n")
    put(sysfs / "devices/pci0000:00/0000:00:14.0/usb1/1-5/serial", "200901010001\n")
    put(run / "udev/data/b259:0", "E:ID_SERIAL=Samsung_SSD_S3Z9NB0K123456X\nE:ID_SERIAL_SHORT=S3Z9NB0K123456X\n")
    (devfs / "disk/by-label").mkdir(parents=True)
    (devfs / "disk/by-label/Holiday\\x20Photos").touch()
    ctx = gather_context(sysfs, procfs, etc, run=run, devfs=devfs, environ={"USER": "root", "SUDO_USER": "bob"})
    known = set(ctx.known)
    for item in [
        ("hostname", "qa-rig-7"),
        ("user", "alice"),
        ("user", "bob"),
        ("machine_id", "0123456789abcdef0123456789abcdef"),
        ("boot_id", "8a4b7c6d-1111-2222-3333-444455556666"),
        ("mac", "ac:2b:6e:23:85:7f"),
        ("dmi_serial", "4JX9TN2"),
        ("battery_serial", "8179"),
        ("usb_serial", "200901010001"),
        ("disk_serial", "S3Z9NB0K123456X"),
        ("fs_label", "Holiday Photos"),
        ("ssid", "CoffeeShopGuest"),
    ]:
        assert item in known, item
    values = {v for _, v in known}
    # system accounts, placeholders, the all-zero MAC, root hubs' PCI addresses and Vendor_Model ids are not identifiers
    assert not values & {"root", "svc", "To Be Filled By O.E.M.", "00:00:00:00:00:00", "0000:00:14.0"}
    assert "Samsung_SSD_S3Z9NB0K123456X" not in values


def test_inxi_lines_mask_the_serial_and_keep_the_rest_of_the_line() -> None:
    """inxi prints several "key: value" pairs per line; a version after "v:" is no IPv4 address (bug reports
    paste inxi output, and Mesa's template asks for it)."""
    f = _f()
    text = (
        "  Mobo: LENOVO model: 42763KU serial: 1ZKBX26C2ED UEFI: LENOVO v: 8BET66WW (1.46 )\n"
        "  Display: server: X.org v: 1.21.1.7 with: Xwayland v: 22.1.9 driver: gpu: i915\n"
        "  IP: 192.168.10.23\n"
    )
    out = f.text(text, where="raw/graphics/inxi.txt")
    assert "1ZKBX26C2ED" not in out
    assert re.search(rf"serial: [A-Z_]+-{TOKEN} UEFI: LENOVO v: 8BET66WW \(1\.46 \)", out)
    assert "X.org v: 1.21.1.7 with: Xwayland" in out
    assert "192.168.10.23" not in out  # a real address is still masked


def test_efibootmgr_partition_guids_are_masked() -> None:
    f = _f()
    line = "Boot0001* ubuntu\tHD(1,GPT,6a1c2b8e-3f4d-4c5a-9e0b-1d2c3b4a5f60,0x800,0x82000)/File(\\EFI\\shimx64.efi)\n"
    out = f.text(line, where="raw/firmware/efibootmgr-v.txt")
    assert "6a1c2b8e" not in out
    assert re.search(rf"HD\(1,GPT,FS_UUID-{TOKEN},0x800,0x82000\)/File", out)
