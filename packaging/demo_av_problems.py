"""Render the Audio page with problems in place: the UP² board of thesofproject/sof#510, whose SOF DSP
failed to load its topology (the real kernel log in tests/data/audio), so no sound card came."""

from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication

from hwinspector.collectors.av_sources import AvReading
from hwinspector.pages.audio import AudioPage
from hwinspector.probes.audio.chain import AudioContext, assemble
from hwinspector.probes.camera.chain import CameraChain
from hwinspector.probes.devices.tree import make_device
from hwinspector.probes.kernel_log import parse_dmesg_text

ROOT = Path(__file__).resolve().parent.parent


def main(out: str) -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    log = parse_dmesg_text((ROOT / "tests/data/audio/sof-510-dmesg.txt").read_text())
    dsp = make_device("/devices/platform/sof-audio", None, {"SUBSYSTEM": "platform", "DRIVER": "sof-audio"},
                      subsystem="platform", driver="sof-audio")  # fmt: skip
    ctx = AudioContext(log=log, server_absent="not recorded in the report", source="bundle")
    chain = assemble([dsp], ctx)
    page = AudioPage()
    page.resize(1280, 560)
    page.show()
    page.show_reading(AvReading(chain, CameraChain((), "", None, ""), "thesofproject/sof#510 (UP² board)"))
    for _ in range(5):
        app.processEvents()
    ok = page.grab().save(out)
    page.shutdown()
    return 0 if ok else 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
