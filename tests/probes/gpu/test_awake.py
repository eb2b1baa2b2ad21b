"""The idle verdict's dGPU line: "dGPU … kept awake by firefox (pid …) holding renderD129"."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from hwinspector.cli.main import main
from hwinspector.probes.gpu.awake import read_awake_gpus
from tests.probes.gpu.captured import PHOENIX, RX7800XT, captured_card


def _machine(tmp_path: Path, dgpu_status: str) -> tuple[Path, Path]:
    sysfs, procfs = tmp_path / "sys", tmp_path / "proc"
    captured_card(sysfs, "card0", {**PHOENIX, "device/boot_vga": 1})
    card = captured_card(sysfs, "card1", {**RX7800XT, "device/power/runtime_status": dgpu_status, "device/boot_vga": 0})
    (card / "device" / "drm" / "renderD129").mkdir(parents=True)
    for pid, comm, node in ((4242, "firefox", "renderD129"), (77, "gnome-shell", "card0")):
        (procfs / str(pid) / "fd").mkdir(parents=True)
        (procfs / str(pid) / "comm").write_text(f"{comm}\n")
        os.symlink(f"/dev/dri/{node}", procfs / str(pid) / "fd" / "12")
    return sysfs, procfs


def test_an_awake_dgpu_names_its_holder(tmp_path: Path) -> None:
    sysfs, procfs = _machine(tmp_path, "active")
    (g,) = read_awake_gpus(sysfs, procfs)  # the APU is the boot display: not a dGPU
    assert g.finding == "dGPU 0000:03:00.0 kept awake by firefox (pid 4242) holding renderD129"


def test_a_sleeping_dgpu_is_no_culprit(tmp_path: Path) -> None:
    sysfs, procfs = _machine(tmp_path, "suspended")
    (g,) = read_awake_gpus(sysfs, procfs)
    assert g.finding is None
    assert g.holders == ((4242, "firefox", "renderD129"),)


@pytest.mark.timeout(120)
def test_idle_cli_puts_the_dgpu_in_the_verdict(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sysfs, procfs = _machine(tmp_path, "active")
    code = main(["idle", "--duration", "1", "--json", "--sysfs", str(sysfs), "--procfs", str(procfs)])
    doc = json.loads(capsys.readouterr().out)
    assert code == 1
    assert "dGPU 0000:03:00.0 kept awake by firefox (pid 4242) holding renderD129" in doc["verdict"]["culprits"]
    assert doc["dgpu"][0]["holders"] == [{"pid": 4242, "command": "firefox", "node": "renderD129"}]
