"""The audio and camera chains of a snapshot's source: the live machine, a bundle's raw files, or devices only."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hwinspector.probes.audio import sources as audio_sources
from hwinspector.probes.audio.chain import AudioChain
from hwinspector.probes.audio.chain import assemble as assemble_audio
from hwinspector.probes.camera import sources as camera_sources
from hwinspector.probes.camera.chain import CameraChain
from hwinspector.probes.camera.chain import assemble as assemble_camera
from hwinspector.probes.devices.hotplug import umockdev_active
from hwinspector.probes.machine.snapshot import Snapshot

# What the chains read back from a bundle (nothing else is written out while it is open).
_BUNDLE_MEMBERS = ("raw/audio/", "raw/camera/", "raw/kernel/dmesg.txt", "structured/")


def _keep(rel: str) -> bool:
    return rel in ("manifest.json", "SHA256SUMS") or rel.startswith(_BUNDLE_MEMBERS)


@dataclass(frozen=True, slots=True)
class AvReading:
    """Both chains of one source at one moment (a page shows one, the bundle stores both)."""

    audio: AudioChain
    camera: CameraChain
    label: str
    taken_at: float = 0.0


def read_av(snap: Snapshot, *, audio: bool = True, camera: bool = True) -> AvReading:
    """Blocking (the live machine asks pw-dump, pactl and cam, each with a timeout): call off the GUI thread."""
    src = snap.source
    if src.is_live and umockdev_active():
        # a umockdev testbed fakes /sys only: /proc/asound, the sound server and cam would answer for this host
        return AvReading(
            assemble_audio(snap.devices, audio_sources.devices_context("umockdev")),
            assemble_camera(snap.devices, camera_sources.devices_context("umockdev")),
            src.label,
            src.taken_at,
        )
    if src.is_live:
        a = audio_sources.read_audio_chain(snap.devices) if audio else _empty_audio()
        c = camera_sources.read_camera_chain(snap.devices) if camera else _empty_camera()
        return AvReading(a, c, src.label, src.taken_at)
    if src.kind == "bundle" and src.path:
        from hwinspector.probes.bundle.reader import extract_bundle

        with extract_bundle(Path(src.path), keep=_keep) as b:

            def raw(name: str) -> bytes | None:
                try:
                    return b.raw(name) if b.has(name) else None
                except KeyError:
                    return None

            a = assemble_audio(snap.devices, audio_sources.raw_context(raw))
            c = assemble_camera(snap.devices, camera_sources.raw_context(raw))
        return AvReading(a, c, src.label, src.taken_at)
    return AvReading(
        assemble_audio(snap.devices, audio_sources.devices_context(src.kind)),
        assemble_camera(snap.devices, camera_sources.devices_context(src.kind)),
        src.label,
        src.taken_at,
    )


def _empty_audio() -> AudioChain:
    return AudioChain((), (), None, "not read")


def _empty_camera() -> CameraChain:
    return CameraChain((), "not read", None, "not read")
