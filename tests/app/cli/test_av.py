"""``hwinspector audio`` and ``camera``: corpus dumps, a bundle captured with the tools' real output, errors, diff."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from hwinspector.probes.audio.chain import AudioContext, assemble
from hwinspector.probes.audio.server import parse_pw_dump
from hwinspector.probes.machine.sections import Section
from hwinspector.report.bundle import read_members
from hwinspector.report.capture import capture
from hwinspector.report.raw_av import av_plan
from tests.probes.audio.devices import sof_glk
from tests.report.fixtures_capture import fixed_options, fixed_privacy, fixed_sections

DATA = Path(__file__).resolve().parents[2] / "data"
DUMPS = "udev/checkbox-udevadm_data"


def run(*args: str, rc: int | None = 0, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "hwinspector", *args], capture_output=True, text=True, timeout=120, check=False,
        env={**os.environ, **(env or {})},
    )  # fmt: skip
    if rc is not None:
        assert proc.returncode == rc, proc.stderr
    return proc


def test_audio_and_camera_of_a_real_laptop_dump(corpus: Path) -> None:
    dump = str(corpus / DUMPS / "LENOVO_T420.txt")
    text = run("audio", "--from", dump).stdout
    assert "card0: " in text and "Kernel driver: snd_hda_intel" in text and "card29: thinkpad_acpi" in text
    doc = json.loads(run("audio", "--from", dump, "--json").stdout)
    assert [c["number"] for c in doc["cards"]] == [0, 29] and doc["source"] == "udevadm"
    cam = json.loads(run("camera", "--from", dump, "--json").stdout)
    assert [(p["kind"], p["driver"], p["ids"]) for p in cam["pipes"]] == [("uvc", "uvcvideo", "04f2:b221")]


def test_unreadable_input_is_one_line_and_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "garbage.txt"
    bad.write_bytes(b"\x00\xff not a dump\n")
    proc = run("audio", "--from", str(bad), rc=2)
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert "Traceback" not in run("camera", "--from", str(tmp_path / "missing"), rc=2).stderr


def _tools(bin_dir: Path) -> None:
    """Stand-ins that print what the real tools printed on real machines (tests/data/SOURCES.md)."""
    pw = [
        {"id": 0, "type": "PipeWire:Interface:Core", "info": {"version": "1.0.5"}},
        {
            "id": 41,
            "type": "PipeWire:Interface:Node",
            "info": {
                "state": "running",
                "props": {
                    "media.class": "Audio/Sink",
                    "node.name": "alsa_output.pci-0000_00_0e.0-platform-sof-essx8336.HiFi__Speaker__sink",
                    "node.description": "Speakers",
                    "api.alsa.pcm.card": 0,
                },
            },
        },
        *json.loads((DATA / "audio/pw-volume-3-metadata.json").read_text()),
    ]
    pw_file = bin_dir / "pw-dump.json"
    pw_file.write_text(json.dumps(pw))
    scripts = {
        "aplay": f"#!/bin/sh\ncat {DATA / 'audio/sof-linux-4656-aplay-l.txt'}\n",
        "pw-dump": f"#!/bin/sh\ncat {pw_file}\n",
        "cam": f"#!/bin/sh\ncat {DATA / 'camera/libcamera-23-cam-list.txt'}\n",
        "pactl": "#!/bin/sh\necho 'Connection failure: Connection refused' >&2\nexit 1\n",
    }
    for name, body in scripts.items():
        (bin_dir / name).write_text(body)
        (bin_dir / name).chmod(0o755)


def test_a_bundle_carries_the_raw_outputs_and_reads_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bin_dir = tmp_path / "bin"
    opts = fixed_options(tmp_path)
    _tools(bin_dir)
    proc = tmp_path / "proc"
    (proc / "asound").mkdir(parents=True)
    (proc / "asound/cards").write_text(
        " 0 [sofessx8336    ]: sof-essx8336 - sof-essx8336\n                      LENOVO-82ND-IdeaPad\n"
    )
    devices = {"source": {"kind": "live"}, "devices": [d.to_json() for d in sof_glk()]}
    # what collect_live gives on such a machine: the chain read live (here from the same tool outputs)
    server = parse_pw_dump((bin_dir / "pw-dump.json").read_text())
    chain = assemble(sof_glk(), AudioContext(server=server, source="live")).to_json()
    sections = {
        **fixed_sections(),
        "devices": Section("devices", True, None, devices),
        "audio": Section("audio", True, None, chain),
    }
    plan = av_plan(tmp_path / "sys", proc, tmp_path / "dev")
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    out, _, _ = capture(
        replace(opts, plan=plan, sections=lambda progress: sections, procfs=proc),
        tmp_path / "b.tar.xz",
        privacy=fixed_privacy(),
    )
    members = read_members(out)[1]
    assert members["raw/audio/aplay-l.txt"] == (DATA / "audio/sof-linux-4656-aplay-l.txt").read_bytes()
    manifest = json.loads(members["manifest.json"])
    summary = members["summary.md"].decode()
    assert "### Audio" in summary and "card0: " in summary and "1 sound server nodes" in summary
    html = members["summary.html"].decode()
    audio = html[html.find('<section id="av">') :]
    assert audio.startswith('<section id="av"><h2>Audio and camera</h2><h3>Audio</h3><ul><li>card0: ')
    assert "sound server: PipeWire 1.0.5" in audio
    skipped = {a["path"] for a in manifest["artifacts"] if a.get("exit_code") not in (0, None)}
    assert "raw/audio/pactl-info.json" in skipped or "raw/audio/pactl-info.json" not in members
    doc = json.loads(run("audio", "--from", str(out), "--json").stdout)
    (card,) = doc["cards"]
    assert (card["alsa_driver"], card["long_name"], card["machine_driver"]) == (
        "sof-essx8336",
        "LENOVO-82ND-IdeaPad",
        "sof-essx8336",
    )
    assert [n["description"] for n in card["nodes"]] == ["Speakers"] and doc["server"]["name"] == "PipeWire 1.0.5"
    assert doc["server"]["default_source"] == "Firefox"
    text = run("audio", "--from", str(out)).stdout
    assert "PipeWire 1.0.5: Speakers" in text
    cam = json.loads(run("camera", "--from", str(out), "--json").stdout)
    assert cam["libcamera_note"] == "" and cam["pipes"] == []


def test_diff_shows_audio_changes(corpus: Path) -> None:
    a, b = (str(corpus / DUMPS / n) for n in ("DELL_VOSTRO_270.txt", "HP_400_G2.txt"))
    text = run("diff", a, b, rc=None).stdout
    assert "Audio chain:" in text
    assert "sound card on 0000:00:1b.0 PCMs: 2 playback, 1 capture -> 1 playback, 2 capture" in text
