"""The camera chain: every V4L2 node of the corpus with its driver, QUERYCAP, cam -l, problems in place."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from hwinspector.probes.audio.server import ServerNode, SoundServer
from hwinspector.probes.camera.chain import CameraContext, assemble
from hwinspector.probes.camera.sources import raw_context
from hwinspector.probes.camera.v4l2 import (
    LibcameraCamera,
    QueryCap,
    node_role,
    parse_cam_list,
    query_cap,
    query_caps_from_json,
    read_query_caps,
)
from hwinspector.probes.devices.udevdump import read_dump
from tests.probes.audio.devices import PCI, chain_of, dev


def test_every_v4l2_node_of_the_corpus_shows_with_its_driver(corpus: Path) -> None:
    seen = 0
    for path in sorted((corpus / "udev" / "checkbox-udevadm_data").glob("*.txt")):
        try:
            devices = read_dump(path).devices
        except Exception:
            continue
        by_path = {d.path: d for d in devices}
        chain = assemble(devices, CameraContext())
        shown = {n.devpath: n for p in chain.pipes for n in p.nodes}
        for d in devices:
            if d.subsystem != "video4linux" or not d.sysname.startswith("video"):
                continue
            node = shown.get(d.path)
            assert node is not None, f"{path.name}: {d.path} missing"
            p, want = d.parent, None
            while p and want is None:  # the nearest ancestor record with a driver, found independently
                want = by_path[p].driver if p in by_path else None
                p = p.rsplit("/", 1)[0] if p.count("/") > 1 else None
            assert node.driver == want, f"{path.name}: {d.path}"
            assert node.role != "unknown"
            seen += 1
    assert seen >= 14


def test_uvc_capture_and_metadata_nodes_of_a_real_dump(corpus: Path) -> None:
    devices = read_dump(corpus / "udev/checkbox-udevadm_data/CAPTURE_METADATA.txt").devices
    (pipe,) = assemble(devices, CameraContext()).pipes
    assert (pipe.kind, pipe.driver, pipe.ids) == ("uvc", "uvcvideo", "0bda:58f5")
    assert [(n.name, n.role) for n in pipe.nodes] == [
        ("video0", "capture"),
        ("video1", "metadata"),
        ("video2", "capture"),
        ("video3", "metadata"),
    ]


def test_raspberry_pi_codecs_are_not_cameras(corpus: Path) -> None:
    devices = read_dump(corpus / "udev/checkbox-udevadm_data/RPI4B4G.txt").devices
    chain = assemble(devices, CameraContext())
    assert chain.pipes and not any(p.is_camera for p in chain.pipes)


def test_cam_list_of_real_machines(data_dir: Path) -> None:
    cams = parse_cam_list((data_dir / "camera/libcamera-23-cam-list.txt").read_text())
    assert [(c.index, c.name) for c in cams] == [
        (1, "HP Wide Vision FHD Camera: HP W (External camera)"),
        (2, "HP Wide Vision FHD Camera: HP I (External camera)"),
    ]
    assert cams[0].id.endswith("-0408:5251")
    (pine,) = parse_cam_list((data_dir / "camera/pinephonepro-7-cam-list.txt").read_text())
    assert (pine.name, pine.id) == ("ov8858", "/base/i2c@ff110000/camera@36")
    assert parse_cam_list((data_dir / "camera/libcamera-23-cam-list-empty.txt").read_text()) == []


def test_querycap_decoding() -> None:
    uvc = QueryCap("uvcvideo", "Integrated Camera", "usb-0000:00:14.0-8", 0x84A00001, 0x04200001)
    meta = QueryCap("uvcvideo", "Integrated Camera", "usb-0000:00:14.0-8", 0x84A00001, 0x04A00000)
    assert node_role(uvc.caps) == "capture" and node_role(meta.caps) == "metadata"
    assert node_role(QueryCap("hantro", "", "", 0x84208000, 0x04208000).caps) == "m2m"


def test_querycap_on_something_that_is_not_a_video_node(tmp_path: Path) -> None:
    with pytest.raises(OSError) as exc:
        query_cap(Path("/dev/null"))
    assert exc.value.errno == errno.ENOTTY
    (tmp_path / "class/video4linux/video0").mkdir(parents=True)
    (tmp_path / "video0").write_text("")
    answers = read_query_caps(tmp_path, tmp_path)
    assert isinstance(answers["video0"], str) and "ENOTTY" in answers["video0"]


def test_hostile_querycap_json() -> None:
    got = query_caps_from_json(
        {"video0": {"driver": 5, "capabilities": "x"}, "../etc": "x", "video1": "E" * 999, "video2": []}
    )
    assert (
        got["video0"] == "malformed QUERYCAP record"
        and len(str(got["video1"])) == 300
        and set(got) == {"video0", "video1"}
    )
    assert query_caps_from_json([1, 2]) == {}


def _ipu(sensor_driver: str | None) -> list:  # type: ignore[type-arg]
    ipu = f"{PCI}/0000:00:05.0"
    return chain_of(
        dev(ipu, "pci", "intel-ipu6", PCI_ID="8086:A75D", PCI_SLOT_NAME="0000:00:05.0", PCI_CLASS="48000"),
        dev(
            f"{ipu}/intel_ipu6.isys.40/video4linux/video0",
            "video4linux",
            ID_V4L_CAPABILITIES=":capture:",
            ID_V4L_PRODUCT="Intel IPU6 ISYS Capture 0",
            DEVNAME="/dev/video0",
        ),
        dev(f"{PCI}/0000:00:15.3/i2c_designware.3/i2c-3/i2c-OVTI01A0:00", "i2c", sensor_driver),
    )


def test_ipu_sensor_without_driver() -> None:
    (pipe,) = assemble(_ipu(None), CameraContext()).pipes
    assert pipe.kind == "ipu" and [s.hid for s in pipe.sensors] == ["OVTI01A0"]
    assert [p.detail for p in pipe.problems] == ["sensor OVTI01A0 has no driver: no image reaches the IPU"]


def test_ipu_without_libcamera_camera_and_pipewire_node() -> None:
    server = SoundServer("PipeWire 1.0.5", (), None, None, "pw-dump")
    (pipe,) = assemble(_ipu("ov01a10"), CameraContext(libcamera=[], server=server)).pipes
    details = [p.detail for p in pipe.problems]
    assert any("libcamera lists no camera" in d for d in details)
    assert any("shows no camera node for video0" in d for d in details)


def test_ipu_end_to_end() -> None:
    cam = LibcameraCamera(1, "Internal front camera", r"\_SB_.PC00.LNK0")
    node = ServerNode(
        50, "libcamera_input.PC00.LNK0", "Built-in Front Camera", "Video/Source", None, "libcamera", None, "suspended"
    )
    server = SoundServer("PipeWire 1.0.5", (node,), None, None, "pw-dump")
    (pipe,) = assemble(_ipu("ov01a10"), CameraContext(libcamera=[cam], server=server)).pipes
    assert not pipe.problems and pipe.libcamera == (cam,) and pipe.pipewire == (node,)


def test_uvc_interface_without_driver_and_privacy_switch() -> None:
    usb = f"{PCI}/0000:00:14.0/usb1/1-8"
    devices = chain_of(
        dev(usb, "usb", "usb", "usb_device", ID_VENDOR_ID="04f2", ID_MODEL_ID="b6d9"),
        dev(f"{usb}/1-8:1.0", "usb", None, "usb_interface", INTERFACE="14/1/0"),
        dev(f"{PCI}/0000:00:1f.0/PNP0C09:00/input/input9", "input", NAME='"Privacy camera switch"', SW="200"),
    )
    chain = assemble(devices, CameraContext())
    (pipe,) = chain.pipes
    assert pipe.kind == "uvc" and pipe.problems[0].detail == "no driver bound: the camera cannot work"
    assert len(chain.privacy) == 1 and "Privacy camera switch" in chain.privacy[0]


def test_bundle_raw_files(data_dir: Path) -> None:
    raw = {
        "raw/camera/cam-l.txt": (data_dir / "camera/libcamera-23-cam-list.txt").read_bytes(),
        "raw/camera/v4l2-querycap.json": b'{"video0": "x"}',
    }
    ctx = raw_context(raw.get)
    assert ctx.libcamera is not None and len(ctx.libcamera) == 2 and ctx.querycap == {"video0": "x"}
    assert ctx.server is None


def test_privacy_shutter_state(tmp_path: Path) -> None:
    from hwinspector.probes.camera.sources import read_switches
    from hwinspector.probes.camera.v4l2 import read_switch

    sw = f"{PCI}/0000:00:1f.0/PNP0C09:00/input/input9"
    devices = chain_of(
        dev(sw, "input", NAME='"Privacy camera switch"', SW="200"),
        dev(f"{sw}/event9", "input", DEVNAME=str(tmp_path / "event9")),
    )
    (tmp_path / "event9").write_text("")  # not an evdev node: the ioctl fails, the state is unknown
    states = read_switches(devices)
    assert isinstance(states[sw], str) and "event9" in states[sw]
    with pytest.raises(OSError):
        read_switch(Path("/dev/null"), 9)
    closed = assemble(devices, CameraContext(switches={sw: True}))
    assert "closed (lens covered)" in closed.privacy[0]
    assert closed.problems[0].detail.startswith("the camera privacy shutter is closed (Privacy camera switch)")
    opened = assemble(devices, CameraContext(switches={sw: False}))
    assert "open" in opened.privacy[0] and not opened.problems
    assert "state unknown" in assemble(devices, CameraContext(switches=states)).privacy[0]
