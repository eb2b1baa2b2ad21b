"""The audio and camera raw artifacts of a bundle: what ALSA, PipeWire, PulseAudio, V4L2 and libcamera
developers ask for, and what ``hwinspector audio/camera --from bundle`` reads back."""

from __future__ import annotations

import json
from pathlib import Path

from hwinspector.probes.audio import sources as audio
from hwinspector.probes.audio.alsa import codec_dump_text
from hwinspector.probes.camera import sources as camera
from hwinspector.probes.camera.v4l2 import query_caps_to_json, read_query_caps
from hwinspector.report.raw_collectors import JSON, TEXT, RawSpec


def _cmd(path: str, subsystem: str, *argv: str, media_type: str = TEXT) -> RawSpec:
    return RawSpec(path, subsystem, " ".join(argv), argv=argv, media_type=media_type)


def _file(path: str, subsystem: str, file: Path) -> RawSpec:
    return RawSpec(path, subsystem, str(file), file=file)


def _querycap(sysfs: Path, devfs: Path) -> bytes:
    return json.dumps(query_caps_to_json(read_query_caps(sysfs, devfs)), indent=1).encode()


def av_plan(sysfs: Path = Path("/sys"), procfs: Path = Path("/proc"), devfs: Path = Path("/dev")) -> list[RawSpec]:
    return [
        _cmd(audio.RAW_APLAY, "audio", "aplay", "-l"),
        _cmd(audio.RAW_ARECORD, "audio", "arecord", "-l"),
        _file(audio.RAW_CARDS, "audio", procfs / "asound/cards"),
        _file(audio.RAW_PCM, "audio", procfs / "asound/pcm"),
        RawSpec(audio.RAW_CODECS, "audio", "HDA codecs", read=lambda: codec_dump_text(procfs),
                probe=f"{procfs}/asound/card*/codec#*"),
        RawSpec(audio.RAW_UCM, "audio", "UCM profile lookup", read=lambda: audio.live_ucm_json(procfs, sysfs),
                probe="alsa-lib's UCM lookup over ucm2/ucm.conf", media_type=JSON),
        _cmd(audio.RAW_PW_DUMP, "audio", "pw-dump", media_type=JSON),
        _cmd(audio.RAW_PACTL_INFO, "audio", "pactl", "-f", "json", "info", media_type=JSON),
        _cmd(audio.RAW_PACTL_SINKS, "audio", "pactl", "-f", "json", "list", "sinks", media_type=JSON),
        _cmd(audio.RAW_PACTL_SOURCES, "audio", "pactl", "-f", "json", "list", "sources", media_type=JSON),
        _cmd(camera.RAW_V4L2_CTL, "camera", "v4l2-ctl", "--list-devices"),
        RawSpec(camera.RAW_QUERYCAP, "camera", "V4L2 QUERYCAP", read=lambda: _querycap(sysfs, devfs),
                probe=f"VIDIOC_QUERYCAP on {devfs}/video*", media_type=JSON),
        _cmd(camera.RAW_CAM_LIST, "camera", "cam", "-l"),
    ]  # fmt: skip
