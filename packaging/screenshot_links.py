"""Screenshots of the USB-C page for the real machines our test trees are rebuilt from (tests/data/SOURCES.md).

Usage: python packaging/screenshot_links.py OUT_DIR  (offscreen; the Wireless page's come from corpus dumps)
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtWidgets import QApplication

from hwinspector.collectors.links import USBC_TITLE
from hwinspector.models.link_chain import ChainReport
from hwinspector.models.usbc import build_usbc_picture
from hwinspector.pages.usbc import UsbcPage
from hwinspector.probes.devices.tree import read_devices
from hwinspector.probes.machine.chains import read_usbc_inputs
from hwinspector.probes.usbc.chain import usbc_from_inputs
from tests.probes.usbc.trees import MACHINES


def main(out: Path) -> None:
    app = QApplication.instance() or QApplication([])
    for name, (label, build) in MACHINES.items():
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            build(root)
            devices = read_devices(root, None)
            inputs = read_usbc_inputs(devices, root, root / "no-kmsg", timeout_s=1)
            chain = usbc_from_inputs(devices, inputs, "recording")
        report = ChainReport(USBC_TITLE, label, False, build_usbc_picture(chain), chain, None, time.time())
        page = UsbcPage()
        page.resize(1280, 720)
        page.show()
        page.show_report(report)
        for _ in range(5):
            app.processEvents()
        path = out / f"usbc-{name}.png"
        page.grab().save(str(path))
        print(f"saved {path}")
        page.shutdown()
        page.deleteLater()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
