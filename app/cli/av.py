"""CLI: ``audio`` and ``camera`` print their chains from the hardware to what applications see."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from hwinspector.i18n import _

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2


def _add(sub: Any, name: str, help_text: str, description: str) -> None:
    p = sub.add_parser(name, help=help_text, description=description)
    p.add_argument(
        "--from",
        dest="source",
        metavar="PATH",
        help=_(
            "read an evidence bundle, a udevadm --export-db dump or a umockdev recording instead of the live machine"
        ),
    )
    p.add_argument("--json", action="store_true", help=_("machine-readable output"))


def register(sub: Any) -> None:
    _add(
        sub,
        "audio",
        _("the audio chain: controller, driver, DSP firmware, ALSA card, UCM profile, sound server"),
        _(
            "Print each sound card's chain, from the PCI/ACPI/USB device to the sound server's nodes. Exit 1 when "
            "the chain has problems (no card, firmware or topology failed, no UCM profile for a SOF card, only a "
            "dummy output)."
        ),
    )
    _add(
        sub,
        "camera",
        _("the camera chain: IPU and sensors or UVC, V4L2 nodes, libcamera, PipeWire"),
        _(
            "Print each camera's chain, from the IPU and its sensors or the USB camera to PipeWire's nodes. Exit 1 "
            "when the chain has problems (a camera without a driver or a capture node, a sensor without a driver)."
        ),
    )


def run(args: argparse.Namespace) -> int | None:
    if args.command in ("audio", "camera"):
        return cmd_chain(args.command, args.source, args.json, Path(args.sysfs), Path(args.procfs))
    return None


def cmd_chain(
    what: str, source: str | None, as_json: bool, sysfs: Path = Path("/sys"), procfs: Path = Path("/proc")
) -> int:
    from hwinspector.collectors.av_sources import read_av
    from hwinspector.models.audio_chain import audio_picture
    from hwinspector.models.av_common import picture_text
    from hwinspector.models.camera_chain import camera_picture
    from hwinspector.probes.machine.snapshot import load_snapshot

    snap = load_snapshot(source, sysfs, procfs)  # InputFormatError: exit 2, with its one-line reason
    reading = read_av(snap, audio=what == "audio", camera=what == "camera")
    chain = reading.audio if what == "audio" else reading.camera
    if as_json:
        json.dump(chain.to_json(), sys.stdout, indent=1, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        pic = (
            audio_picture(reading.audio, reading.label)
            if what == "audio"
            else camera_picture(reading.camera, reading.label)
        )
        sys.stdout.write(picture_text(what.capitalize(), reading.label, pic, reading.taken_at))
    return (
        EXIT_PROBLEMS if any(p.severity == "error" or p.severity == "warning" for p in chain.all_problems) else EXIT_OK
    )
