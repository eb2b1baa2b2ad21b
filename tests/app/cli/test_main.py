"""The CLI as a QA script uses it: JSON contracts, exit codes, one-line errors, offscreen screenshots."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest


def run(*args: str, check_rc: int | None = 0) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "hwinspector", *args], capture_output=True, text=True, timeout=120, check=False
    )
    if check_rc is not None:
        assert proc.returncode == check_rc, proc.stderr
    return proc


def test_devices_json_contract_live() -> None:
    doc = json.loads(run("devices", "--json").stdout)
    assert doc["source"]["kind"] == "live"
    devices = doc["devices"]
    paths = {d["path"] for d in devices}
    assert len(paths) == len(devices) > 0
    for d in devices:
        assert d["path"].startswith("/devices/")
        assert d["parent"] is None or d["parent"] in paths
        assert {"subsystem", "devtype", "driver", "name", "properties", "attributes"} <= set(d)
        assert isinstance(d["properties"], dict) and isinstance(d["attributes"], dict)
        assert d["name"]


def test_devices_from_dump_human_and_json(corpus: Path) -> None:
    dump = corpus / "udev/checkbox-udevadm_data/DELL_VOSTRO_270.txt"
    text = run("devices", "--from", str(dump)).stdout
    assert "Display adapters" in text and "i915" in text
    doc = json.loads(run("devices", "--from", str(dump), "--json").stdout)
    assert doc["source"] == {**doc["source"], "kind": "udevadm", "label": "DELL_VOSTRO_270.txt"}
    assert len(doc["devices"]) == text.count(" /devices/")


def test_drivers_problems_exit_codes(corpus: Path) -> None:
    toshiba = corpus / "udev/checkbox-udevadm_data/TOSHIBA_NVME.txt"
    proc = run("drivers", "--from", str(toshiba), "--problems", check_rc=1)
    assert "GM107" in proc.stdout
    doc = json.loads(run("drivers", "--from", str(toshiba), "--problems", "--json", check_rc=1).stdout)
    kinds = {p["kind"] for p in doc["problems"]}
    assert kinds == {"unbound"}
    for p in doc["problems"]:
        assert {"path", "kind", "subsystem", "modalias", "candidates", "detail"} <= set(p)
    qemu = corpus / "udev/checkbox-udevadm_data/QEMU_KVM.txt"
    doc = json.loads(run("drivers", "--from", str(qemu), "--json").stdout)
    assert doc["problems"] == []
    virtio = [b for b in doc["bindings"] if b["driver"] == "virtio-pci"]
    assert virtio and all(p.startswith("/devices/pci") for p in virtio[0]["devices"])
    run("drivers", "--from", str(qemu), "--problems", check_rc=0)


@pytest.mark.parametrize(
    ("content", "expect"),
    [
        (b"hello world\n", "record line"),
        (b"\x00\x01\x02garbage", "binary data"),
        (b"", "no device records"),
    ],
)
def test_bad_input_is_one_line_exit_2(tmp_path: Path, content: bytes, expect: str) -> None:
    f = tmp_path / "bad.txt"
    f.write_bytes(content)
    proc = run("devices", "--from", str(f), check_rc=2)
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and expect in lines[0] and "Traceback" not in proc.stderr


def test_usage_errors_exit_2() -> None:
    assert run("frobnicate", check_rc=2).returncode == 2
    assert run("devices", "--from", "/nonexistent/x", check_rc=2).stderr.count("\n") == 1


def test_screenshot_renders_each_page_offscreen(tmp_path: Path, corpus: Path) -> None:
    from PySide6.QtGui import QImage

    dump = corpus / "udev/checkbox-udevadm_data/TOSHIBA_NVME.txt"
    for page in ("overview", "devices", "drivers"):
        out = tmp_path / f"{page}.png"
        run("--page", page, "--from", str(dump), "--screenshot", str(out), "--size", "1024x700")
        img = QImage(str(out))
        assert (img.width(), img.height()) == (1024, 700)
        # a real rendering has many colours; an empty window has two or three
        colours = {img.pixel(x, y) for x in range(0, 1024, 7) for y in range(0, 700, 7)}
        assert len(colours) > 20, page
    proc = run("--page", "nosuch", "--screenshot", str(tmp_path / "x.png"), check_rc=2)
    assert "no page named" in proc.stderr


def test_the_window_is_started_without_importing_every_command() -> None:
    """`hwinspector --page X` parses with the window's options only; the same arguments as the full parser."""
    from hwinspector.cli.main import build_parser, names_no_command

    for argv in (
        [],
        ["--page", "devices"],
        ["--from", "x.txt", "--screenshot", "o.png", "--wait", "1.5", "--size", "800x600"],
        ["--host", "lab-board", "--theme", "dark", "--presentation", "--select", "/devices/pci0000:00"],
    ):
        assert names_no_command(argv)
        assert vars(build_parser(commands=False).parse_args(argv)) == vars(build_parser().parse_args(argv))
    for argv in (["devices"], ["--page", "overview", "check"], ["-h"], ["--help"], ["frobnicate"]):
        assert not names_no_command(argv)
    assert names_no_command(["--from", "devices"])  # a value, not the command
    code = subprocess.run(
        [sys.executable, "-c", "import sys; from hwinspector.cli.main import build_parser; "
         "build_parser(commands=False); print(sorted(m for m in sys.modules if m.startswith('hwinspector.cli.')))"],
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    assert "hwinspector.cli.exporter" not in code.stdout and "hwinspector.cli.report" not in code.stdout
