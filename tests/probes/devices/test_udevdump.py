"""udevadm --export-db dumps and umockdev recordings: every real corpus machine, and broken input."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hwinspector.probes.devices.udevdump import parse_dump, read_dump
from hwinspector.probes.errors import InputFormatError
from hwinspector.probes.machine.snapshot import load_snapshot


def _records(text: str) -> dict[str, dict[str, str]]:
    """An independent, deliberately simple reading of the dump for comparison: P: starts a record."""
    out: dict[str, dict[str, str]] = {}
    cur: dict[str, str] | None = None
    for line in text.splitlines():
        if line.startswith("P: "):
            cur = out.setdefault(line[3:].rstrip("/"), {})
        elif line.startswith("E: ") and cur is not None:
            k, _, v = line[3:].partition("=")
            cur[k] = v
        elif not line.strip():
            cur = None
    return out


def _dumps(corpus: Path) -> list[Path]:
    files = sorted((corpus / "udev/checkbox-udevadm_data").glob("*.txt"))
    assert files, "corpus has no udevadm dumps"
    return files


def test_every_corpus_dump_gives_one_device_per_record_with_drivers_and_parents(corpus: Path) -> None:
    for f in _dumps(corpus):
        text = f.read_text(errors="replace")
        expected = _records(text)
        dump = read_dump(f)
        got = {d.path: d for d in dump.devices}
        assert set(got) == set(expected), f.name
        assert len(dump.devices) == len(got), f"{f.name}: duplicate devices"
        for path, props in expected.items():
            d = got[path]
            assert d.driver == (props.get("DRIVER") or None), (f.name, path)
            assert d.subsystem == (props.get("SUBSYSTEM") or None), (f.name, path)
            # parent: the nearest ancestor path that is itself a record
            anc = path.rsplit("/", 1)[0]
            while anc and anc not in expected:
                anc = anc.rsplit("/", 1)[0]
            assert d.parent == (anc or None), (f.name, path)


def test_pci_devices_get_database_names_not_raw_ids(corpus: Path) -> None:
    dump = read_dump(corpus / "udev/checkbox-udevadm_data/DELL_VOSTRO_270.txt")
    gpu = next(d for d in dump.devices if d.path == "/devices/pci0000:00/0000:00:02.0")
    assert gpu.driver == "i915"
    assert gpu.kind == "Display adapters"
    assert "Intel" in gpu.name and "8086" not in gpu.name


def _problem_paths(name: str, corpus: Path, severity: str = "error") -> set[str]:
    snap = load_snapshot(corpus / "udev/checkbox-udevadm_data" / name)
    return {p.path or "" for p in snap.problems if p.severity == severity}


def test_problems_on_real_machines(corpus: Path) -> None:
    # Toshiba laptop: the NVIDIA GM107 (3D controller, class 0302) and the Intel wireless card (0280)
    # have no DRIVER in the dump; both are real enablement failures.
    toshiba = load_snapshot(corpus / "udev/checkbox-udevadm_data/TOSHIBA_NVME.txt")
    errors = {p.path for p in toshiba.problems if p.severity == "error"}
    text = (corpus / "udev/checkbox-udevadm_data/TOSHIBA_NVME.txt").read_text(errors="replace")
    recs = _records(text)
    unbound_gpu_or_net = {
        p
        for p, r in recs.items()
        if r.get("SUBSYSTEM") == "pci" and "DRIVER" not in r and r.get("PCI_CLASS", "")[:-4] in ("3", "2")
    }
    assert unbound_gpu_or_net and errors == unbound_gpu_or_net
    # Every problem names its device and explains itself.
    for p in toshiba.problems:
        assert p.detail and p.kind == "unbound"
    # Desktops whose every controller is bound: no serious problems. An unbound SMBus controller
    # (i2c-i801 not loaded) is only a warning.
    for name in ("DELL_VOSTRO_270.txt", "HP_400_G2.txt", "QEMU_KVM.txt", "RPI4B4G.txt", "IBM_s390x_DASD.txt"):
        assert _problem_paths(name, corpus) == set(), name
    assert any("SMBus" in p.detail for p in load_snapshot(corpus / "udev/checkbox-udevadm_data/HP_400_G2.txt").problems)


def test_secondary_display_function_of_old_intel_gpus_is_not_a_problem(corpus: Path) -> None:
    # Samsung N310 (945GME): 00:02.0 bound to i915, 00:02.1 (class 0380) never has a driver.
    assert "/devices/pci0000:00/0000:00:02.1" not in _problem_paths("SAMSUNG_N310.txt", corpus)


def test_real_dump_with_a_lost_prefix_is_read_with_a_warning(corpus: Path) -> None:
    dump = read_dump(corpus / "udev/checkbox-udevadm_data/TOSHIBA_NVME.txt")
    assert any("without 'E: ' prefix" in w for w in dump.warnings)
    hid = next(d for d in dump.devices if d.path.endswith("0003:1FD2:6003.0001"))
    assert hid.modalias == "hid:b0003g0004v00001FD2p00006003"


def test_umockdev_recordings_read_attributes_links_and_binary(corpus: Path) -> None:
    dump = read_dump(corpus / "udev/umockdev-devices/input/usbkbd.umockdev")
    assert dump.format == "umockdev"
    by = {d.path: d for d in dump.devices}
    kbd_if = next(d for d in dump.devices if d.driver == "usbhid")
    assert kbd_if.subsystem == "usb"
    usb_dev = by[kbd_if.parent or ""]
    assert usb_dev.attributes["busnum"] == "1"  # the "\n" escape is decoded and stripped
    assert usb_dev.binary_attributes["descriptors"].startswith("12011001")


def test_umockdev_corpus_files_all_parse(corpus: Path) -> None:
    files = sorted((corpus / "udev/umockdev-devices").rglob("*.umockdev"))
    assert files
    for f in files:
        dump = read_dump(f)
        assert dump.devices, f
        assert len(dump.devices) == len(set(re.findall(r"^P: (\S+)", f.read_text(errors="replace"), re.M)))


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("P: /devices/a\nE: A=1\nthis is not a dump\n", 3, "not a udevadm/umockdev record line"),
        ("E: SUBSYSTEM=pci\nP: /devices/a\n", 1, "before any 'P:'"),
        ("P: /sys/devices/a\n", 1, "must start with /devices/"),
        ("P: /devices/a\nE: noequals\n", 2, "without KEY=value"),
        ("\n\n# only a comment\n", None, "no device records"),
    ],
)
def test_malformed_dumps_name_the_line(text: str, line: int | None, words: str) -> None:
    with pytest.raises(InputFormatError) as info:
        parse_dump(text, "bad.txt")
    assert info.value.line == line
    msg = str(info.value)
    assert words in msg
    assert "\n" not in msg
    assert msg.startswith("bad.txt" + (f":{line}" if line else ""))


def test_binary_garbage_is_refused_in_one_line(tmp_path: Path) -> None:
    f = tmp_path / "garbage.bin"
    f.write_bytes(bytes(range(256)) * 8)
    with pytest.raises(InputFormatError, match="binary data"):
        read_dump(f)


def test_truncated_dump_keeps_every_complete_record(corpus: Path, tmp_path: Path) -> None:
    src = (corpus / "udev/checkbox-udevadm_data/QEMU_KVM.txt").read_text()
    cut = src[: len(src) // 2]
    cut = cut[: cut.rfind("\nE: ")]  # end in the middle of a record
    f = tmp_path / "cut.txt"
    f.write_text(cut)
    dump = read_dump(f)
    assert {d.path for d in dump.devices} == set(_records(cut))


def test_non_utf8_bytes_in_a_dump_are_kept_readable(tmp_path: Path) -> None:
    f = tmp_path / "latin1.txt"
    f.write_bytes(b"P: /devices/platform/x\nE: SUBSYSTEM=platform\nE: ID_VENDOR=Caf\xe9\n")
    (dev,) = read_dump(f).devices
    assert dev.properties["ID_VENDOR"] == "Caf\ufffd"


def test_missing_file_and_directory_are_one_line_errors(tmp_path: Path) -> None:
    with pytest.raises(InputFormatError, match="no such file"):
        load_snapshot(tmp_path / "absent.txt")
    with pytest.raises(InputFormatError, match="is a directory"):
        load_snapshot(tmp_path)
