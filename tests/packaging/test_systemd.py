"""The systemd units in packaging/systemd: systemd's own verifier accepts them, and their command lines work."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
UNITS = REPO / "packaging" / "systemd"
NAMES = ("hwinspector-exporter.service", "hwinspector-textfile.service", "hwinspector-textfile.timer")


def _hwinspector(tmp_path: Path) -> Path:
    exe = tmp_path / "hwinspector"
    exe.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m hwinspector "$@"\n')
    exe.chmod(0o755)
    return exe


def _exec_start(unit: str) -> list[str]:
    line = next(ln for ln in (UNITS / unit).read_text().splitlines() if ln.startswith("ExecStart="))
    return shlex.split(line.removeprefix("ExecStart="))


def test_systemd_accepts_the_units(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed (Debian package systemd)")
    exe = _hwinspector(tmp_path)
    for name in NAMES:
        # verify checks that ExecStart's program exists: point it at this checkout's hwinspector.
        text = (UNITS / name).read_text().replace("/usr/bin/hwinspector", str(exe))
        (tmp_path / name).write_text(text)
    done = subprocess.run(
        [analyze, "verify", "--man=no", *(str(tmp_path / n) for n in NAMES)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stderr.strip() == ""


def test_the_service_listens_on_loopback_only() -> None:
    argv = _exec_start("hwinspector-exporter.service")
    assert argv[:3] == ["/usr/bin/hwinspector", "exporter", "--listen"]
    assert argv[3].startswith("127.0.0.1:")


def test_the_textfile_command_writes_for_debians_node_exporter(tmp_path: Path) -> None:
    argv = _exec_start("hwinspector-textfile.service")
    assert argv[0] == "/usr/bin/hwinspector"
    directory = argv[argv.index("--textfile") + 1]
    assert directory == "/var/lib/prometheus/node-exporter"  # node_exporter's default on Debian and Ubuntu
    unit = (UNITS / "hwinspector-textfile.service").read_text()
    assert f"ReadWritePaths={directory}" in unit
    out = tmp_path / "textfile"
    out.mkdir()
    argv[0] = str(_hwinspector(tmp_path))
    argv[argv.index("--textfile") + 1] = str(out)
    done = subprocess.run(argv, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert "hwinspector_check_status" in (out / "hwinspector.prom").read_text()
