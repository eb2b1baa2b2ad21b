"""The sound server's view: PipeWire (``pw-dump`` JSON) or PulseAudio (``pactl -f json``) nodes and defaults.

Cameras use the same reading: PipeWire lists them as ``Video/Source`` nodes.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hwinspector.probes.errors import InputFormatError, ProbeUnavailable

COMMAND_TIMEOUT_S = 5.0
MAX_OUTPUT = 16 << 20
# What PipeWire and PulseAudio call the sink they create when no card gave them one.
DUMMY_SINKS = frozenset({"auto_null", "dummy-driver", "auto_null.monitor"})


@dataclass(frozen=True, slots=True)
class ServerNode:
    id: int | None
    name: str
    description: str
    media_class: str  # "Audio/Sink", "Audio/Source", "Video/Source", …
    card: int | None  # the ALSA card behind it
    api: str | None  # "alsa", "bluez5", "v4l2", "libcamera", …
    path: str | None  # /dev/videoN for V4L2 nodes; the ALSA path for ALSA nodes
    state: str | None
    is_default: bool = False

    @property
    def is_dummy(self) -> bool:
        return self.name.lower() in DUMMY_SINKS or self.description == "Dummy Output"


@dataclass(frozen=True, slots=True)
class SoundServer:
    name: str  # "PipeWire 1.0.5", "PulseAudio 16.1", "PulseAudio (on PipeWire 0.3.65)"
    nodes: tuple[ServerNode, ...]
    default_sink: str | None
    default_source: str | None
    origin: str  # "pw-dump", "pactl -f json"

    def audio_nodes(self) -> list[ServerNode]:
        return [n for n in self.nodes if n.media_class.startswith("Audio/")]

    def video_nodes(self) -> list[ServerNode]:
        return [n for n in self.nodes if n.media_class.startswith("Video/Source")]


def _int(v: Any) -> int | None:
    try:
        return int(v)
    except (TypeError, ValueError):
        return None


def _dict(v: Any) -> dict[str, Any]:
    return v if isinstance(v, dict) else {}


def _str(v: Any) -> str | None:
    return v if isinstance(v, str) and v else None


def _default_name(value: Any) -> str | None:
    # pw-dump: {"name": "alsa_output…"}; older PipeWire wrote the JSON as a string
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return value or None
    return _str(value.get("name")) if isinstance(value, dict) else None


def parse_pw_dump(text: str | bytes, source: str = "pw-dump") -> SoundServer:
    """``pw-dump`` output: a JSON array of objects; nodes, the core's version and the default metadata."""
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise InputFormatError(source, f"not JSON: {exc}") from None
    if not isinstance(doc, list):
        raise InputFormatError(source, "not a pw-dump array")
    version = None
    defaults: dict[str, str] = {}
    nodes: list[ServerNode] = []
    devices: dict[int, Mapping[str, Any]] = {}
    for obj in doc:
        if not isinstance(obj, dict):
            continue
        kind = str(obj.get("type", ""))
        info = _dict(obj.get("info"))
        props = _dict(info.get("props"))
        if kind == "PipeWire:Interface:Core":
            version = _str(info.get("version")) or version
        elif kind == "PipeWire:Interface:Device" and (i := _int(obj.get("id"))) is not None:
            devices[i] = props
        elif kind == "PipeWire:Interface:Metadata" and _dict(obj.get("props")).get("metadata.name") == "default":
            for entry in obj.get("metadata") or []:
                key = entry.get("key") if isinstance(entry, dict) else None
                if key in ("default.audio.sink", "default.audio.source") and (
                    name := _default_name(entry.get("value"))
                ):
                    defaults[str(key)] = name
    for obj in doc:
        if not isinstance(obj, dict) or obj.get("type") != "PipeWire:Interface:Node":
            continue
        info = _dict(obj.get("info"))
        props = _dict(info.get("props"))
        media_class = _str(props.get("media.class"))
        if media_class is None or not media_class.startswith(("Audio/", "Video/")):
            continue  # streams of applications, MIDI, drivers
        device = devices.get(_int(props.get("device.id")) or -1, {})
        card = _int(props.get("api.alsa.pcm.card", props.get("alsa.card", device.get("api.alsa.card"))))
        path = _str(props.get("api.v4l2.path")) or _str(props.get("api.alsa.path"))
        if path is None and str(props.get("object.path", "")).startswith("v4l2:"):
            path = str(props["object.path"])[5:]
        api = _str(props.get("device.api")) or _str(device.get("device.api"))
        if api is None and (op := _str(props.get("object.path"))):
            api = op.split(":", 1)[0]
        nodes.append(
            ServerNode(
                _int(obj.get("id")),
                str(props.get("node.name", "")),
                str(props.get("node.description") or props.get("node.nick") or props.get("node.name", "")),
                media_class,
                card,
                api,
                path,
                _str(info.get("state")),
            )
        )
    return _with_defaults(
        SoundServer(f"PipeWire {version}" if version else "PipeWire", tuple(nodes), None, None, "pw-dump"),
        defaults.get("default.audio.sink"),
        defaults.get("default.audio.source"),
    )


def parse_pactl(info: str | bytes, sinks: str | bytes, sources: str | bytes, source: str = "pactl") -> SoundServer:
    """``pactl -f json info``, ``… list sinks`` and ``… list sources``."""
    try:
        i, s, r = json.loads(info), json.loads(sinks), json.loads(sources)
    except ValueError as exc:
        raise InputFormatError(source, f"not JSON: {exc}") from None
    if not isinstance(i, dict) or not isinstance(s, list) or not isinstance(r, list):
        raise InputFormatError(source, "not pactl -f json output (info object, sink and source arrays)")
    name = str(i.get("server_name") or "PulseAudio")
    version = _str(i.get("server_version"))
    nodes: list[ServerNode] = []
    for items, media_class in ((s, "Audio/Sink"), (r, "Audio/Source")):
        for x in items:
            if not isinstance(x, dict):
                continue
            props = _dict(x.get("properties"))
            if media_class == "Audio/Source" and props.get("device.class") == "monitor":
                continue  # a sink's monitor, not a microphone
            nodes.append(
                ServerNode(
                    _int(x.get("index")),
                    str(x.get("name", "")),
                    str(x.get("description") or x.get("name", "")),
                    media_class,
                    _int(props.get("alsa.card", props.get("api.alsa.pcm.card"))),
                    _str(props.get("device.api")),
                    _str(props.get("api.alsa.path")),
                    _str(x.get("state")),
                )
            )
    label = name if not version or version in name else f"{name} {version}"
    return _with_defaults(
        SoundServer(label, tuple(nodes), None, None, "pactl -f json"),
        _str(i.get("default_sink_name")),
        _str(i.get("default_source_name")),
    )


def _with_defaults(server: SoundServer, sink: str | None, source: str | None) -> SoundServer:
    nodes = tuple(
        ServerNode(n.id, n.name, n.description, n.media_class, n.card, n.api, n.path, n.state, n.name in (sink, source))
        for n in server.nodes
    )
    return SoundServer(server.name, nodes, sink, source, server.origin)


def run_tool(argv: Sequence[str], timeout_s: float = COMMAND_TIMEOUT_S) -> bytes:
    """A client of the user's session (pw-dump, pactl, cam): stdout, or ProbeUnavailable with why not."""
    if shutil.which(argv[0]) is None:
        raise ProbeUnavailable(f"{argv[0]} is not installed")
    try:
        done = subprocess.run(
            list(argv),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout_s,
            env={**os.environ, "LC_ALL": "C", "LANG": "C"},
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise ProbeUnavailable(f"{argv[0]} did not answer within {timeout_s:g} s") from None
    except OSError as exc:
        raise ProbeUnavailable(f"{argv[0]}: {exc.strerror or exc}") from None
    if done.returncode != 0:
        err = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ProbeUnavailable(f"{' '.join(argv)}: {err[-1] if err else f'exit {done.returncode}'}")
    return done.stdout[:MAX_OUTPUT]


def read_sound_server(timeout_s: float = COMMAND_TIMEOUT_S) -> SoundServer:
    """PipeWire first (pw-dump), then PulseAudio (pactl); ProbeUnavailable saying why neither answered."""
    reasons = []
    try:
        return parse_pw_dump(run_tool(["pw-dump"], timeout_s))
    except (ProbeUnavailable, InputFormatError) as exc:
        reasons.append(getattr(exc, "reason", str(exc)))
    try:
        info = run_tool(["pactl", "-f", "json", "info"], timeout_s)
        sinks = run_tool(["pactl", "-f", "json", "list", "sinks"], timeout_s)
        sources = run_tool(["pactl", "-f", "json", "list", "sources"], timeout_s)
        return parse_pactl(info, sinks, sources)
    except (ProbeUnavailable, InputFormatError) as exc:
        reasons.append(getattr(exc, "reason", str(exc)))
    raise ProbeUnavailable("no sound server answered: " + "; ".join(reasons))
