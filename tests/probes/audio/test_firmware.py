"""DSP firmware and topology from real kernel logs (tests/data/SOURCES.md)."""

from __future__ import annotations

from pathlib import Path

from hwinspector.probes.audio.firmware import find_dsp_firmware, is_dsp_driver
from hwinspector.probes.kernel_log import parse_dmesg_text


def _log(data_dir: Path, name: str) -> list:  # type: ignore[type-arg]
    return parse_dmesg_text((data_dir / "audio" / name).read_text())


def test_firmware_booted(data_dir: Path) -> None:
    fw = find_dsp_firmware(_log(data_dir, "sof-bin-85-dmesg.txt"), ["0000:00:0e.0"])["0000:00:0e.0"]
    assert (fw.version, fw.abi, fw.ok) == ("2:2:0-57864", "3:22:1", True)


def test_topology_failure_and_the_card_that_did_not_come(data_dir: Path) -> None:
    fw = find_dsp_firmware(_log(data_dir, "sof-510-dmesg.txt"), ["sof-audio"])["sof-audio"]
    assert not fw.ok and any("failed to load DSP topology -22" in e for e in fw.topology_errors)
    assert any("failed to instantiate card" in e for e in fw.card_errors)


def test_topology_file_and_abi(data_dir: Path) -> None:
    fw = find_dsp_firmware(_log(data_dir, "sof-2077-dmesg.txt"), ["0000:00:1f.3"])["0000:00:1f.3"]
    assert fw.topology_file == "intel/sof-tplg/sof-hda-generic-4ch.tplg" and fw.topology_abi == "3:11:0"


def test_missing_firmware_file_then_a_later_boot_clears_it() -> None:
    dev = "sof-audio-pci-intel-tgl 0000:00:1f.3"
    lines = parse_dmesg_text(
        f"[ 3.1] {dev}: Direct firmware load for intel/sof/sof-tgl.ri failed with error -2\n"
        f"[ 3.2] {dev}: error: sof_probe_work failed err: -2\n"
    )
    fw = find_dsp_firmware(lines, ["0000:00:1f.3"])["0000:00:1f.3"]
    assert len(fw.firmware_errors) == 2 and not fw.ok
    later = [*lines, *parse_dmesg_text(f"[ 9.0] {dev}: Firmware info: version 2:2:0-57864\n")]
    assert find_dsp_firmware(later, ["0000:00:1f.3"])["0000:00:1f.3"].ok


def test_other_devices_and_garbage_are_ignored() -> None:
    lines = parse_dmesg_text(
        "[ 1.0] iwlwifi 0000:00:14.3: Direct firmware load for x.ucode failed with error -2\n\x00\xff\n"
    )
    assert find_dsp_firmware(lines, ["0000:00:1f.3"]) == {}


def test_dsp_drivers() -> None:
    assert all(is_dsp_driver(d) for d in ("sof-audio-pci-intel-tgl", "snd_sof_amd_rembrandt", "avs", "catpt"))
    assert not any(is_dsp_driver(d) for d in ("snd_hda_intel", "snd-usb-audio", None))
