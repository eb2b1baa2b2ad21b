"""The audio chain's data: controllers, cards, the sound server's nodes, and what each source knows."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from hwinspector.probes.audio.alsa import AlsaInfo, AlsaPcm
from hwinspector.probes.audio.firmware import DspFirmware
from hwinspector.probes.audio.server import ServerNode, SoundServer
from hwinspector.probes.audio.ucm import UcmMatch
from hwinspector.probes.kernel_log import LogLine


@dataclass(frozen=True, slots=True)
class Problem:
    severity: str  # "error" | "warning" | "info"
    subject: str  # what it is about: a PCI address, "card0", "audio"
    detail: str


@dataclass(frozen=True, slots=True)
class Controller:
    devpath: str
    address: str  # PCI slot, USB port, platform device name
    bus: str | None
    name: str
    driver: str | None
    module: str | None
    kind: str  # "hda" | "dsp" | "acp" | "usb" | "other"
    firmware: DspFirmware | None = None
    firmware_note: str = ""  # why firmware is not shown (no DSP, not in this source)
    peripherals: tuple[str, ...] = ()  # SoundWire codecs and amplifiers on its links
    problems: tuple[Problem, ...] = ()


@dataclass(frozen=True, slots=True)
class Jack:
    name: str
    devpath: str


@dataclass(frozen=True, slots=True)
class Codec:
    address: int
    name: str
    driver: str | None


@dataclass(frozen=True, slots=True)
class SoundCard:
    number: int
    devpath: str
    id: str | None
    alsa_driver: str | None  # "HDA-Intel", "sof-hda-dsp" (None: the source does not say)
    name: str
    long_name: str | None
    controller: str | None  # devpath of its Controller
    machine_driver: str | None  # the ASoC machine driver (skl_hda_dsp_generic, sof_sdw), where one exists
    pcms: tuple[AlsaPcm, ...]
    codecs: tuple[Codec, ...]
    jacks: tuple[Jack, ...]
    ucm: UcmMatch
    nodes: tuple[ServerNode, ...] = ()
    problems: tuple[Problem, ...] = ()

    @property
    def playback(self) -> int:
        return sum(1 for p in self.pcms if p.playback)

    @property
    def capture(self) -> int:
        return sum(1 for p in self.pcms if p.capture)

    @property
    def is_sof(self) -> bool:
        return bool(self.alsa_driver and self.alsa_driver.lower().startswith("sof")) or bool(
            self.machine_driver and "sof" in self.machine_driver.lower()
        )


@dataclass(frozen=True, slots=True)
class AudioChain:
    controllers: tuple[Controller, ...]
    cards: tuple[SoundCard, ...]
    server: SoundServer | None
    server_note: str  # why there is no server reading
    problems: tuple[Problem, ...] = ()
    notes: tuple[str, ...] = ()
    source: str = "live"

    @property
    def all_problems(self) -> tuple[Problem, ...]:
        return (
            *self.problems,
            *(p for c in self.controllers for p in c.problems),
            *(p for c in self.cards for p in c.problems),
        )

    def controller(self, devpath: str | None) -> Controller | None:
        return next((c for c in self.controllers if c.devpath == devpath), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "controllers": [asdict(c) for c in self.controllers],
            "cards": [asdict(c) | {"playback": c.playback, "capture": c.capture} for c in self.cards],
            "server": asdict(self.server) if self.server is not None else None,
            "server_note": self.server_note,
            "problems": [asdict(p) for p in self.problems],
            "notes": list(self.notes),
        }


@dataclass(slots=True)
class AudioContext:
    """What only some sources know; ``None`` with a reason where the source does not say."""

    alsa: AlsaInfo | None = None
    log: Sequence[LogLine] | None = None
    log_absent: str = "the kernel log is not in this source"
    server: SoundServer | None = None
    server_absent: str = "the sound server is not in this source"
    ucm: Mapping[int, UcmMatch] = field(default_factory=dict)  # card number -> match
    ucm_absent: str = "the card's ALSA names are not in this source"
    source: str = "dump"
