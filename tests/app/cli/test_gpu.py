"""``hwinspector gpu``: the human table, the JSON contract, --decode-metrics in every dump form, sources, bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from hwinspector.cli.main import main
from tests.probes.gpu.captured import A380_XE, PHOENIX, RX7800XT, blob, captured_card, suspended_dgpu


def _json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, Any]:
    assert main(["gpu", "--json", *argv]) == 0
    doc: dict[str, Any] = json.loads(capsys.readouterr().out)
    return doc


def test_json_contract_has_gpus_and_clients_with_unit_keys(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    captured_card(tmp_path, "card1", RX7800XT, blob("rx7800xt"))
    doc = _json(capsys, "--sysfs", str(tmp_path), "--procfs", str(tmp_path / "proc"), "--interval", "0")
    assert set(doc) == {"source", "gpus", "clients", "notes"}
    (g,) = doc["gpus"]
    assert g["readings"]["temperature_c.junction"] == 31
    assert g["readings"]["clock_mhz.soc"] == 750
    assert g["readings"]["voltage_mv.mem"] == 704
    assert g["readings"]["power_w.average"] == 32
    assert g["readings"]["fan_rpm"] == 868
    assert g["runtime_pm"]["asleep"] is False


@pytest.mark.timeout(30)
def test_a_suspended_dgpu_beside_an_awake_igpu_every_command_form_completes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    captured_card(tmp_path, "card0", PHOENIX, blob("phoenix"))
    suspended_dgpu(tmp_path, "card1")
    assert main(["gpu", "--sysfs", str(tmp_path), "--procfs", str(tmp_path / "p"), "--interval", "0.05"]) == 0
    text = capsys.readouterr().out
    assert "card1  0000:03:00.0  amdgpu: asleep (suspended)" in text
    assert "junction" not in text  # nothing of the sleeping card
    assert "northbridge 615 mV" in text  # the awake APU
    doc = _json(capsys, "--sysfs", str(tmp_path), "--procfs", str(tmp_path / "p"), "--interval", "0")
    asleep = [g for g in doc["gpus"] if g["runtime_pm"]["asleep"]]
    assert [g["card"] for g in asleep] == ["card1"]
    assert asleep[0]["readings"] == {}


@pytest.mark.parametrize("form", ["binary", "xxd", "hexdump -C", "od -x"])
def test_decode_metrics_reads_a_blob_or_its_dump(tmp_path: Path, capsys: pytest.CaptureFixture[str], form: str) -> None:
    bin_file = tmp_path / "gpu_metrics"
    bin_file.write_bytes(blob("rx7800xt"))
    f = bin_file
    if form != "binary":
        f = tmp_path / "dump.txt"
        f.write_text(subprocess.run([*form.split(), str(bin_file)], capture_output=True, text=True, check=True).stdout)
    doc = _json(capsys, "--decode-metrics", str(f))
    assert doc["revision"] == "v1_3"
    assert doc["readings"]["temperature_c.junction"] == 31
    assert doc["fields"]["average_socclk_frequency"] is None
    assert main(["gpu", "--decode-metrics", str(f)]) == 0
    assert "gpu_metrics v1_3, 120 bytes" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "0 bytes: shorter than"),
        (b"not a dump at all\n", "not a hex dump line"),
        (b"\x78\x00\x01\x09" + bytes(116), "v1_9"),
    ],
)
def test_bad_metrics_files_exit_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, message: str
) -> None:
    f = tmp_path / "m"
    f.write_bytes(content)
    assert main(["gpu", "--decode-metrics", str(f)]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert err.count("\n") == 1


def test_missing_metrics_file_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["gpu", "--decode-metrics", str(tmp_path / "nope")]) == 2
    assert "No such file" in capsys.readouterr().err


def test_a_umockdev_recording_reads_like_the_machine(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rec = tmp_path / "gpu.umockdev"
    rec.write_text(
        "P: /devices/pci0000:00/0000:00:08.1/0000:64:00.0\n"
        "E: DRIVER=amdgpu\nE: PCI_ID=1002:15BF\nE: PCI_SLOT_NAME=0000:64:00.0\nE: SUBSYSTEM=pci\n"
        "A: gpu_busy_percent=17\\n\nA: power/runtime_status=active\\n\n"
        "A: pp_dpm_sclk=0: 800Mhz \\n1: 1100Mhz *\\n\n"
        f"H: gpu_metrics={blob('phoenix').hex()}\n\n"
        "P: /devices/pci0000:00/0000:00:08.1/0000:64:00.0/drm/card1\n"
        "E: SUBSYSTEM=drm\nE: DEVNAME=/dev/dri/card1\nL: device=../../../0000:64:00.0\n"
    )
    doc = _json(capsys, "--from", str(rec))
    assert doc["source"] == "umockdev gpu.umockdev"
    (g,) = doc["gpus"]
    assert (g["pci_address"], g["metrics_revision"]) == ("0000:64:00.0", "v2_1")
    assert g["readings"]["busy_percent.gfx"] == 79  # gpu_metrics wins over the file
    assert g["sources"]["clock_mhz.gfx_average"] == "gpu_metrics v2_1"


def test_a_hostile_recording_cannot_write_outside_its_tree(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rec = tmp_path / "evil.umockdev"
    rec.write_text("P: /devices/../../../../tmp/hwinspector-escape\nA: x=1\n")
    assert main(["gpu", "--from", str(rec)]) == 2
    assert "leaves the recording's tree" in capsys.readouterr().err
    assert not Path("/tmp/hwinspector-escape").exists()


def test_sysfs_and_procfs_are_accepted_by_every_command() -> None:
    from hwinspector.cli.main import build_parser

    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name, p in sub.choices.items():  # type: ignore[union-attr]
        assert "--sysfs" in p._option_string_actions, name
        assert "--procfs" in p._option_string_actions, name


@pytest.mark.timeout(60)
def test_the_installed_command_runs_on_a_captured_tree(tmp_path: Path) -> None:
    captured_card(tmp_path, "card0", A380_XE)
    out = subprocess.run(
        [sys.executable, "-m", "hwinspector", "gpu", "--sysfs", str(tmp_path), "--procfs", str(tmp_path), "--json"],
        capture_output=True,
        text=True,
        timeout=50,
        env={**os.environ, "LC_ALL": "C"},
        check=True,
    )
    (g,) = json.loads(out.stdout)["gpus"]
    assert g["readings"]["clock_mhz.gt0_rp0"] == 2450
