"""Comparing sources: every kind of difference is found, nothing else is, and redaction is lined up."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from hwinspector.probes.errors import InputFormatError
from hwinspector.probes.machine.sections import Section, sections_from_snapshot
from hwinspector.report.diff import Change, diff
from hwinspector.report.diff_sides import align_privacy, load_side
from hwinspector.report.privacy import PrivacyFilter, load_or_create_key
from tests.report.bundles import LAPTOP, laptop_snapshot, recording_bytes, write_laptop_bundle

CAMERA = "/devices/pci0000:00/0000:00:14.0/usb1/1-5"
GPU = "/devices/pci0000:00/0000:00:02.0"


def _sections() -> dict[str, Section]:
    secs = sections_from_snapshot(laptop_snapshot())
    ident = dict(secs["identity"].data, kernel="6.8.0-31-generic", os_name="Ubuntu 24.04 LTS")
    secs["identity"] = Section("identity", True, None, ident)
    context = {"renderer": "Mesa Intel(R) UHD Graphics 620 (KBL GT2)", "version": "4.6 (Core Profile) Mesa 24.0.5"}
    gl = {"displays": [{"api": "egl", "platform": "surfaceless", "contexts": [context]}]}
    secs["gl"] = Section("gl", True, None, gl)
    return secs


def _changed(secs: dict[str, Section]) -> dict[str, Section]:
    """The same laptop after an update: what each category of the diff must find."""
    out = copy.deepcopy(secs)
    devices = out["devices"].data["devices"]
    camera = next(d for d in devices if d["path"] == CAMERA)
    devices.remove(camera)  # unplugged
    devices.append(dict(camera, path="/devices/pci0000:00/0000:00:14.0/usb1/1-9", name="USB headset"))
    nvme = next(d for d in devices if d["subsystem"] == "nvme")
    nvme["attributes"]["firmware_rev"] = "ZZ9"
    gpu = next(d for d in devices if d["path"] == GPU)
    gpu["driver"] = "xe"
    drivers = out["drivers"].data
    drivers["problems"].append(
        {"path": "/devices/platform/INT3472:00", "kind": "unbound", "severity": "error", "subsystem": "platform",
         "modalias": None, "candidates": [], "detail": "no driver", "name": "Camera PMIC"}
    )  # fmt: skip
    for b in drivers["bindings"]:
        if b["driver"] == "i915":
            b["driver"] = "xe"
    out["identity"].data.update(kernel="6.11.0-8-generic", bios_version="1.2.0")
    graphics = out["graphics"].data
    graphics["gpus"][0]["driver"] = "xe"
    graphics["gpus"][0]["firmware"] = [["GuC", "70.29.2"]]
    edp = next(c for c in graphics["connectors"] if c["name"] == "card1-eDP-1")
    edp["status"] = "disconnected"
    ctx = out["gl"].data["displays"][0]["contexts"][0]
    ctx["version"] = "4.6 (Core Profile) Mesa 24.2.3"
    return out


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Path, Path]:
    secs = _sections()
    a = write_laptop_bundle(tmp_path / "a", sections=secs, recording=recording_bytes(tmp_path, (5.0, 5.0, 5.0)))
    b = write_laptop_bundle(
        tmp_path / "b", sections=_changed(secs), recording=recording_bytes(tmp_path, (7.0, 8.0, 9.0))
    )
    return a, b


def _items(changes: tuple[Change, ...] | list[Change]) -> set[tuple[str, str, str, str | None, str | None]]:
    return {(c.category, c.kind, c.item, c.a, c.b) for c in changes}


def test_the_same_capture_twice_is_equal(tmp_path: Path) -> None:
    a = write_laptop_bundle(tmp_path / "a", recording=recording_bytes(tmp_path))
    b = write_laptop_bundle(tmp_path / "b", recording=recording_bytes(tmp_path))
    d = diff(load_side(str(a)), load_side(str(b)))
    assert d.equal and d.changes == ()
    assert json.loads(json.dumps(d.to_json()))["equal"] is True


def test_every_category_of_difference_is_found(pair: tuple[Path, Path]) -> None:
    d = diff(load_side(str(pair[0])), load_side(str(pair[1])))
    found = _items(d.changes)
    expected = {
        ("devices", "removed", CAMERA, "Realtek Semiconductor Corp. Integrated_Webcam_HD", None),
        ("devices", "added", "/devices/pci0000:00/0000:00:14.0/usb1/1-9", None, "USB headset"),
        ("drivers", "changed", f"{GPU} driver", "i915", "xe"),
        ("drivers", "removed", "i915", "", None),
        ("drivers", "added", "xe", None, ""),
        ("versions", "changed", "kernel", "6.8.0-31-generic", "6.11.0-8-generic"),
        ("versions", "changed", "BIOS version", "0.4.7", "1.2.0"),
        ("versions", "changed", "Mesa (egl/surfaceless)", "24.0.5", "24.2.3"),
        ("versions", "changed", "OpenGL version (egl/surfaceless)", "4.6 (Core Profile) Mesa 24.0.5",
         "4.6 (Core Profile) Mesa 24.2.3"),
        ("problems", "appeared", "unbound: /devices/platform/INT3472:00", None, "no driver"),
        ("graphics", "changed", "GPU 0000:00:02.0 driver", "i915", "xe"),
        ("graphics", "added", "GPU 0000:00:02.0 firmware GuC", None, "70.29.2"),
        ("graphics", "changed", "connector card1-eDP-1 status", "connected", "disconnected"),
    }  # fmt: skip
    missing = expected - found
    assert not missing, missing
    nvme = next(c for c in d.changes if c.item.endswith("firmware_rev"))
    assert (nvme.category, nvme.kind, nvme.b) == ("versions", "changed", "ZZ9")
    power = next(c for c in d.changes if c.category == "telemetry")
    assert power.item == "Package power" and power.detail == "mean +60.0 %"
    assert power.a is not None and power.a.startswith("mean 5 W") and power.b is not None and "max 9" in power.b
    # nothing beyond what was changed (the eDP connector's mode follows its status)
    extra = found - expected - {(c.category, c.kind, c.item, c.a, c.b) for c in (nvme, power)}
    assert {x[2] for x in extra} <= {"connector card1-eDP-1 mode", "connector card1-eDP-1 monitor"}, extra


def test_a_dump_compares_devices_and_drivers_and_says_what_it_cannot(pair: tuple[Path, Path]) -> None:
    dump = load_side(str(LAPTOP))
    bundle = load_side(str(pair[0]))
    d = diff(dump, bundle)
    # the bundle holds the same devices as the dump it was made from
    assert not [c for c in d.changes if c.category in ("devices", "drivers", "problems")]
    assert any(n.startswith("telemetry: A: no recording") for n in d.not_compared)
    assert any(n.startswith("gl: only B has it") for n in d.not_compared)


def test_bad_input_is_a_one_line_error(tmp_path: Path) -> None:
    with pytest.raises(InputFormatError, match="no such file"):
        load_side(str(tmp_path / "nope.tar.xz"))
    junk = tmp_path / "junk.txt"
    junk.write_text("this is not a dump\n")
    with pytest.raises(InputFormatError, match="not a udevadm/umockdev record line"):
        load_side(str(junk))


def _redact_sections(secs: dict[str, Section], key: bytes) -> dict[str, Section]:
    f = PrivacyFilter(key)
    return {n: Section(n, s.available, s.reason, f.json(s.data, where=f"structured/{n}.json")) for n, s in secs.items()}


USB_NIC = (
    "\nP: /devices/pci0000:00/0000:00:14.0/usb1/1-2/1-2:1.0/net/enx3c22fb010203\n"
    "E: SUBSYSTEM=net\nE: INTERFACE=enx3c22fb010203\nA: address=3c:22:fb:01:02:03\\n\n"
)


def _dump_with_usb_nic(tmp_path: Path) -> Path:
    """The laptop with a USB network adapter: udev names it after its MAC address (enx…)."""
    dump = tmp_path / "laptop-nic.umockdev"
    dump.write_text(LAPTOP.read_text() + USB_NIC)
    return dump


def _redacted_bundle(tmp_path: Path, dump: Path, key: bytes) -> Path:
    import hashlib

    from hwinspector.probes.machine.snapshot import read_file_snapshot
    from hwinspector.report.bundle import Artifact, write_bundle
    from hwinspector.report.open_bundle import open_bundle

    secs = _redact_sections(sections_from_snapshot(read_file_snapshot(dump)), key)
    plain = write_laptop_bundle(tmp_path / "r", sections=secs)
    with open_bundle(plain) as b:  # marked redacted with this key, as the capture does
        fingerprint = hashlib.sha256(key).hexdigest()[:16]
        manifest = dict(b.manifest, privacy={"redacted": True, "key_fingerprint": fingerprint, "categories": {}})
        arts = [
            Artifact(e["path"], b.raw(e["path"]), e["kind"], e["media_type"], e["subsystem"])
            for e in manifest.pop("artifacts")
        ]
    return write_bundle(tmp_path / "redacted.tar.xz", manifest, arts, 1748779200.0)


def test_a_redacted_bundle_lines_up_with_the_unredacted_dump_under_the_same_key(tmp_path: Path) -> None:
    key_path = tmp_path / "privacy.key"
    dump_path = _dump_with_usb_nic(tmp_path)
    bundle = load_side(str(_redacted_bundle(tmp_path, dump_path, load_or_create_key(key_path))))
    dump = load_side(str(dump_path))
    raw = diff(dump, bundle)
    # compared as they are, the adapter named after its MAC looks removed on one side and added on the other
    assert {c.kind for c in raw.changes if c.category == "devices"} == {"added", "removed"}
    a, b, notes = align_privacy(dump, bundle, key_path)
    assert notes == [f"{dump_path.name} was passed through this installation's privacy filter to match {bundle.label}"]
    assert "3c:22:fb:01:02:03" in json.dumps(dump.sections["devices"].data)
    assert "3c:22:fb:01:02:03" not in json.dumps(a.sections["devices"].data)
    assert diff(a, b).equal
    # another installation's key: the sides stay as they are, and the reader is told why they differ
    a2, b2, notes2 = align_privacy(dump, bundle, tmp_path / "other.key")
    assert a2 is dump and b2 is bundle and "redacted on another installation" in notes2[0]
