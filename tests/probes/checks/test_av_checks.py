"""The scorecard's audio and camera checks judge the whole chain: "works end to end" only with every link."""

from __future__ import annotations

from pathlib import Path

from hwinspector.probes.audio.chain import AudioContext
from hwinspector.probes.audio.chain import assemble as audio
from hwinspector.probes.audio.server import ServerNode, SoundServer
from hwinspector.probes.camera.chain import CameraContext
from hwinspector.probes.camera.chain import assemble as camera
from hwinspector.probes.camera.v4l2 import LibcameraCamera
from hwinspector.probes.checks.base import Status
from hwinspector.probes.checks.devices import check_audio, check_camera
from hwinspector.probes.devices.udevdump import read_dump
from hwinspector.probes.machine.sections import Section
from tests.probes.audio.devices import hda_desktop

SINK = ServerNode(41, "alsa_output.pci-0000_00_1f.3.analog-stereo", "Built-in Audio", "Audio/Sink", 0, "alsa", None,
                  "running", True)  # fmt: skip
DUMMY = ServerNode(1, "auto_null", "Dummy Output", "Audio/Sink", None, None, None, "idle", True)


def _sections(name: str, doc: object) -> dict[str, Section]:
    return {name: Section(name, True, None, doc)}


def _server(*nodes: ServerNode) -> SoundServer:
    return SoundServer("PipeWire 1.0.5", nodes, None, None, "pw-dump")


def test_audio_end_to_end_only_with_every_link() -> None:
    full = audio(hda_desktop(), AudioContext(server=_server(SINK), source="live")).to_json()
    v = check_audio(_sections("audio", full))
    assert v.status is Status.PASS and v.summary.startswith("works end to end") and "Built-in Audio" in v.summary
    no_server = audio(hda_desktop(), AudioContext(server_absent="pw-dump is not installed", source="live")).to_json()
    v = check_audio(_sections("audio", no_server))
    assert v.status is Status.WARNING and "pw-dump is not installed" in v.summary
    dummy = audio(hda_desktop(), AudioContext(server=_server(DUMMY), source="live")).to_json()
    v = check_audio(_sections("audio", dummy))
    assert v.status is Status.FAIL and "only a dummy output" in v.summary
    no_card = audio(hda_desktop(card=False), AudioContext(server=_server(DUMMY), source="live")).to_json()
    assert check_audio(_sections("audio", no_card)).status is Status.FAIL


def test_a_dump_is_present_and_bound_not_end_to_end(corpus: Path) -> None:
    dump = read_dump(corpus / "udev/checkbox-udevadm_data/LENOVO_T420.txt")
    doc = audio(dump.devices, AudioContext(server_absent="a udevadm dump holds devices only", source="udevadm"))
    v = check_audio(_sections("audio", doc.to_json()))
    assert v.status is Status.PASS and v.summary.startswith("present and bound; end to end not verifiable")
    cam = camera(dump.devices, CameraContext(server_absent="a udevadm dump holds devices only", source="udevadm"))
    v = check_camera(_sections("camera", cam.to_json()))
    assert v.status is Status.PASS and "not verifiable" in v.summary


def test_camera_end_to_end(corpus: Path) -> None:
    dump = read_dump(corpus / "udev/checkbox-udevadm_data/LENOVO_T420.txt")
    node = ServerNode(50, "v4l2_input.pci-0000_00_1a.0-usb-0_1.6_1.0", "Integrated Camera", "Video/Source", None,
                      "v4l2", "/dev/video0", "suspended")  # fmt: skip
    cam = [LibcameraCamera(1, "Integrated Camera", r"\_SB_.PCI0.EHC1-1.6:1.0-04f2:b221")]
    full = camera(dump.devices, CameraContext(libcamera=cam, server=_server(node), source="live")).to_json()
    v = check_camera(_sections("camera", full))
    assert v.status is Status.PASS and v.summary == "works end to end: 1 camera(s) to PipeWire"
    none = camera(dump.devices, CameraContext(libcamera=cam, server=_server(), source="live")).to_json()
    assert check_camera(_sections("camera", none)).status is Status.WARNING


def test_no_chain_section_falls_back_to_the_device_list() -> None:
    assert check_audio({}).status is Status.NA  # nothing at all: not in this source
    assert check_audio(_sections("audio", {"cards": [], "controllers": []})).status is Status.NA
    assert check_camera(_sections("camera", {"pipes": "garbage"})).status is Status.NA
