"""The apport export: apport's key names, loaded back by apport's own problem_report module."""

from __future__ import annotations

import base64
import gzip
import json
import subprocess
from pathlib import Path

import pytest

from hwinspector.report.apport import render, report_fields, write_apport
from hwinspector.report.assemble import build
from hwinspector.report.bundle import Artifact
from hwinspector.report.capture import capture
from hwinspector.report.raw_collectors import RawSpec
from tests.report.fixtures_capture import fixed_options, fixed_privacy

SYSTEM_PYTHON = "/usr/bin/python3"
LOADER = """
import json, sys, problem_report
r = problem_report.ProblemReport()
with open(sys.argv[1], "rb") as f:
    r.load(f)
out = {k: (v if isinstance(v, str) else {"bytes": v.hex()}) for k, v in r.items()}
json.dump(out, sys.stdout)
"""


def _apport_available() -> bool:
    try:
        proc = subprocess.run(
            [SYSTEM_PYTHON, "-c", "import problem_report"], capture_output=True, timeout=30, check=False
        )
    except OSError:
        return False
    return proc.returncode == 0


needs_apport = pytest.mark.skipif(
    not _apport_available(),
    reason="apport's problem_report module is not importable by /usr/bin/python3 (Ubuntu: python3-problem-report)",
)


def _dmi_plan(root: Path) -> list[RawSpec]:
    dmi = root / "dmi"
    dmi.mkdir(parents=True)
    values = {
        "bios_vendor": "ACME Firmware",
        "product_name": "Laptop 9000",
        "sys_vendor": "ACME",
        "product_serial": "PF2ABCDE",
        "board_asset_tag": "TAG-77",
    }
    for name, value in values.items():
        (dmi / name).write_text(value + "\n")
    return [RawSpec(f"raw/dmi/id/{n}", "dmi", n, file=dmi / n) for n in values]


def _capture(tmp_path: Path) -> tuple[dict[str, object], list[Artifact], dict[str, object]]:
    opts = fixed_options(tmp_path)
    extra = [
        *_dmi_plan(tmp_path),
        RawSpec(
            "raw/pci/lspci-vvnnk.txt",
            "pci",
            "lspci",
            file=_write(tmp_path / "lspci", "00:02.0 VGA [0300]: Intel\n\tKernel driver in use: i915\n"),
        ),
        RawSpec(
            "raw/usb/lsusb.txt", "usb", "lsusb", file=_write(tmp_path / "lsusb", "Bus 001 Device 001: ID 1d6b:0002\n")
        ),
        RawSpec(
            "raw/kernel/modules",
            "kernel",
            "modules",
            file=_write(tmp_path / "modules", "zz 1 0 - Live 0x0\naa 2 0 - Live 0x0\n"),
        ),
        # a kernel log with an escape sequence: apport stores such values as gzip+base64
        RawSpec(
            "raw/kernel/dmesg.txt", "kernel", "dmesg", file=_write(tmp_path / "dmesg", "[    0.1] \x1b[31mred\x1b[0m\n")
        ),
    ]
    from dataclasses import replace

    opts = replace(opts, plan=[*(opts.plan or []), *extra])
    _, collected, red = capture(opts, tmp_path / "b.tar.xz", privacy=fixed_privacy())
    manifest, artifacts = build(collected, red)
    return manifest, artifacts, red.sections  # type: ignore[return-value]


def _write(p: Path, text: str) -> Path:
    p.write_text(text)
    return p


def test_fields_use_apport_key_names(tmp_path: Path) -> None:
    manifest, artifacts, sections = _capture(tmp_path)
    fields = report_fields(manifest, sections, artifacts)  # type: ignore[arg-type]
    assert fields["ProblemType"] == "Bug"
    assert fields["Lspci"] == "00:02.0 VGA [0300]: Intel\n\tKernel driver in use: i915"  # stripped, as apport does
    assert fields["Lsusb"] == "Bus 001 Device 001: ID 1d6b:0002"
    assert fields["ProcModules"] == "aa 2 0 - Live 0x0\nzz 1 0 - Live 0x0"  # sorted, as apport does
    assert fields["ProcKernelCmdLine"].startswith("root=/dev/sda1 quiet hostname=HOSTNAME-")  # type: ignore[union-attr]
    assert fields["dmi.bios.vendor"] == "ACME Firmware" and fields["dmi.product.name"] == "Laptop 9000"
    assert fields["MachineType"] == "ACME Laptop 9000"
    assert "dmi.product.serial" not in fields and "dmi.board.asset.tag" not in fields  # apport skips root-only ones
    assert isinstance(fields["CurrentDmesg"], bytes) and isinstance(fields["HwinspectorReport"], bytes)
    doc = json.loads(fields["HwinspectorReport"])
    assert doc["manifest"]["report_id"] == manifest["report_id"] and "devices" in doc["sections"]


def test_binary_values_are_gzip_base64_as_apport_writes_them(tmp_path: Path) -> None:
    data = b"\x00\x01binary\x1b" * 5000
    out = render({"ProblemType": "Bug", "Blob": data, "Text": "one\ntwo"})
    lines = out.split(b"\n")
    assert lines[0] == b"ProblemType: Bug"
    assert lines[1:4] == [b"Text:", b" one", b" two"]  # text keys first, binary after
    assert lines[4] == b"Blob: base64"
    blob = b"".join(base64.b64decode(line) for line in lines[5:] if line.startswith(b" "))
    assert gzip.decompress(blob) == data  # one gzip stream (the stdlib is the oracle)
    with pytest.raises(ValueError):
        render({"bad key": "x"})


@needs_apport
def test_apport_loads_the_file(tmp_path: Path) -> None:
    manifest, artifacts, sections = _capture(tmp_path)
    out = write_apport(tmp_path / "hw.apport", manifest, sections, artifacts)  # type: ignore[arg-type]
    assert out.stat().st_mode & 0o077 == 0
    proc = subprocess.run(
        [SYSTEM_PYTHON, "-c", LOADER, str(out)], capture_output=True, text=True, timeout=60, check=False
    )
    assert proc.returncode == 0, proc.stderr
    loaded = json.loads(proc.stdout)
    for key in (
        "ProblemType",
        "Date",
        "Lspci",
        "Lsusb",
        "ProcModules",
        "ProcKernelCmdLine",
        "dmi.bios.vendor",
        "dmi.product.name",
        "dmi.sys.vendor",
        "MachineType",
        "HwinspectorReport",
        "CurrentDmesg",
    ):
        assert key in loaded, key
    assert loaded["ProblemType"] == "Bug" and loaded["dmi.sys.vendor"] == "ACME"
    assert loaded["Lspci"] == "00:02.0 VGA [0300]: Intel\n\tKernel driver in use: i915"
    assert bytes.fromhex(loaded["CurrentDmesg"]["bytes"]) == b"[    0.1] \x1b[31mred\x1b[0m"
    report = json.loads(loaded["HwinspectorReport"])  # apport decodes text-like binaries to str
    assert report["manifest"]["privacy"]["redacted"] is True
