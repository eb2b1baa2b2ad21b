"""The sound server's view: pw-dump and pactl JSON, and the tools run with a timeout."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from hwinspector.probes.audio.server import parse_pactl, parse_pw_dump, run_tool
from hwinspector.probes.errors import InputFormatError, ProbeUnavailable


def _node(i: int, cls: str, name: str, desc: str, **props: object) -> dict[str, object]:
    return {
        "id": i,
        "type": "PipeWire:Interface:Node",
        "info": {
            "state": "suspended",
            "props": {"media.class": cls, "node.name": name, "node.description": desc, **props},
        },
    }


def test_defaults_from_a_real_pw_dump_metadata(data_dir: Path) -> None:
    s = parse_pw_dump((data_dir / "audio/pw-volume-3-metadata.json").read_text())
    assert (s.default_sink, s.default_source) == ("alsa_output.pci-0000_03_00.0.iec958-stereo", "Firefox")


def test_nodes_cards_defaults_and_cameras() -> None:
    doc = [
        {"id": 0, "type": "PipeWire:Interface:Core", "info": {"version": "1.0.5"}},
        _node(
            41, "Audio/Sink", "alsa_output.pci-0000_00_1f.3.analog-stereo", "Built-in Audio", **{"api.alsa.pcm.card": 0}
        ),
        _node(42, "Audio/Source", "alsa_input.pci-0000_00_1f.3.analog-stereo", "Built-in Mic", **{"alsa.card": "0"}),
        _node(
            43,
            "Video/Source",
            "v4l2_input.pci-0000_00_14.0-usb-0_8_1.0",
            "Integrated Camera",
            **{"object.path": "v4l2:/dev/video0"},
        ),
        _node(44, "Stream/Output/Audio", "firefox", "Firefox"),
        {
            "id": 33,
            "type": "PipeWire:Interface:Metadata",
            "props": {"metadata.name": "default"},
            "metadata": [
                {
                    "subject": 0,
                    "key": "default.audio.sink",
                    "value": {"name": "alsa_output.pci-0000_00_1f.3.analog-stereo"},
                }
            ],
        },
    ]
    s = parse_pw_dump(json.dumps(doc))
    assert s.name == "PipeWire 1.0.5"
    assert [(n.media_class, n.card, n.is_default) for n in s.audio_nodes()] == [
        ("Audio/Sink", 0, True),
        ("Audio/Source", 0, False),
    ]
    assert [(n.path, n.api) for n in s.video_nodes()] == [("/dev/video0", "v4l2")]


@pytest.mark.parametrize("text", ["", "{", "{}", '[1, "x", null]', "\x00\xff"])
def test_garbage_pw_dump(text: str) -> None:
    try:
        s = parse_pw_dump(text)
    except InputFormatError as exc:
        assert "pw-dump" in str(exc)
    else:
        assert s.nodes == ()


def test_pactl_json_with_the_dummy_output() -> None:
    info = {
        "server_name": "PulseAudio (on PipeWire 0.3.65)",
        "server_version": "15.0.0",
        "default_sink_name": "auto_null",
    }
    sinks = [{"index": 0, "name": "auto_null", "description": "Dummy Output", "state": "IDLE", "properties": {}}]
    sources = [
        {
            "index": 1,
            "name": "auto_null.monitor",
            "description": "Monitor of Dummy Output",
            "properties": {"device.class": "monitor"},
        }
    ]
    s = parse_pactl(json.dumps(info), json.dumps(sinks), json.dumps(sources))
    assert s.name == "PulseAudio (on PipeWire 0.3.65) 15.0.0"
    assert [(n.name, n.is_dummy, n.is_default) for n in s.nodes] == [("auto_null", True, True)]
    with pytest.raises(InputFormatError):
        parse_pactl("[]", "{}", "[]")


def test_tools_missing_failing_or_hanging(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ProbeUnavailable, match="not installed"):
        run_tool(["hwinspector-no-such-tool"])
    hang = tmp_path / "pw-dump"
    hang.write_text("#!/bin/sh\nexec sleep 30\n")
    fail = tmp_path / "pactl"
    fail.write_text("#!/bin/sh\necho 'Connection failure: Connection refused' >&2\nexit 1\n")
    for p in (hang, fail):
        p.chmod(p.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    with pytest.raises(ProbeUnavailable, match=r"did not answer within 0\.5 s"):
        run_tool(["pw-dump"], 0.5)
    with pytest.raises(ProbeUnavailable, match="Connection refused"):
        run_tool(["pactl", "-f", "json", "info"])


def _pipewire_missing() -> str | None:
    import shutil

    missing = [t for t in ("pipewire", "pw-dump", "pw-metadata") if shutil.which(t) is None]
    return f"{', '.join(missing)} not installed (apt-get install pipewire-bin)" if missing else None


@pytest.mark.skipif(_pipewire_missing() is not None, reason=str(_pipewire_missing()))
def test_a_real_pipewire_with_a_null_sink(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The real daemon (stock configuration, headless) and the real pw-dump: our reading of its graph."""
    import subprocess
    import time

    from hwinspector.probes.audio.chain import AudioContext, assemble
    from hwinspector.probes.audio.server import read_sound_server
    from tests.probes.audio.devices import hda_desktop

    run, conf = tmp_path / "run", tmp_path / "config" / "pipewire" / "pipewire.conf.d"
    run.mkdir()
    conf.mkdir(parents=True)
    (conf / "null-sink.conf").write_text(
        # the "default" metadata is what a session manager (WirePlumber) creates; there is none here
        "context.objects = [ { factory = metadata args = { metadata.name = default } }\n"
        "  { factory = adapter args = { factory.name = support.null-audio-sink "
        'node.name = "hwi_null_sink" node.description = "HWI Null Output" media.class = "Audio/Sink" '
        "audio.position = [ FL FR ] } } ]\n"
    )
    env = {"XDG_RUNTIME_DIR": str(run), "PIPEWIRE_RUNTIME_DIR": str(run), "XDG_CONFIG_HOME": str(tmp_path / "config")}
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    daemon = subprocess.Popen(
        ["pipewire"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 10
        while not (run / "pipewire-0").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        subprocess.run(
            ["pw-metadata", "-n", "default", "0", "default.audio.sink", '{"name":"hwi_null_sink"}', "Spa:String:JSON"],
            capture_output=True, timeout=10, check=True,
        )  # fmt: skip
        server = read_sound_server(timeout_s=10)
        version = subprocess.run(["pipewire", "--version"], capture_output=True, text=True, check=True).stdout
        assert server.name.startswith("PipeWire ") and server.name.split()[1] in version
        (sink,) = server.audio_nodes()
        assert (sink.name, sink.description, sink.media_class, sink.card) == (
            "hwi_null_sink", "HWI Null Output", "Audio/Sink", None,
        )  # fmt: skip
        assert server.default_sink == "hwi_null_sink" and sink.is_default
        # a machine with a sound card whose server plays only to a null sink: the problem in place
        chain = assemble(hda_desktop(), AudioContext(server=server))
        assert any("only a dummy output ('HWI Null Output')" in p.detail for p in chain.problems)
    finally:
        daemon.terminate()
        daemon.wait(timeout=10)
