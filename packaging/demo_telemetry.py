"""Screenshot of the Telemetry page on the laptop recording, with values moving as on a real machine.

Run under umockdev-wrapper (packaging/make-screenshots does): a script changes the recorded sensor and
energy attributes through umockdev's testbed while the page samples them, drops a marker, and a USB
device is unplugged, so the timeline shows events too. Usage: demo_telemetry.py OUT.png
"""

from __future__ import annotations

import math
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import gi

gi.require_version("UMockdev", "1.0")
from gi.repository import UMockdev  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
RAPL = "/sys/devices/virtual/powercap/intel-rapl/intel-rapl:0"
CORETEMP = "/sys/devices/platform/coretemp.0/hwmon/hwmon3"
BAT = "/sys/devices/LNXSYSTM:00/LNXSYBUS:00/PNP0C0A:00/power_supply/BAT0"
CPUFREQ = "/sys/devices/system/cpu/cpu{}/cpufreq"


def main() -> int:
    out = Path(sys.argv[1])
    tb = UMockdev.Testbed.new()
    tb.add_from_file(str(REPO / "tests/data/umockdev/laptop.umockdev"))
    app = QApplication([])
    from hwinspector.main_window import MainWindow
    from hwinspector.pages.telemetry import TelemetryPage

    w = MainWindow()
    w.resize(1400, 860)
    w.show_page("telemetry")
    w.show()
    w.start()
    page = w.pages["telemetry"]
    assert isinstance(page, TelemetryPage)
    page.window_box.setCurrentIndex(1)  # 30 s
    # this script moves the energy counter every ~20 ms, not every millisecond like RAPL hardware: at
    # 10 Hz the page shows a package-power trace rather than the script's update steps
    page.rate_box.setCurrentIndex(2)
    start = time.monotonic()
    energy = 0.0
    last = start
    marked = unplugged = False
    while (elapsed := time.monotonic() - start) < 14:
        app.processEvents()
        # a load step at 5 s: package power and temperatures rise, frequencies go up
        load = 1.0 if elapsed > 5 else 0.0
        now = time.monotonic()
        energy += (4 + 9 * load + 0.8 * math.sin(elapsed * 3)) * (now - last) * 1e6
        last = now
        tb.set_attribute(RAPL, "energy_uj", f"{int(energy)}\n")
        temp = 48 + 22 * load * (1 - math.exp(-(elapsed - 5) / 2)) if load else 48 + math.sin(elapsed)
        tb.set_attribute(CORETEMP, "temp1_input", f"{int(temp * 1000)}\n")
        for cpu in range(8):
            tb.set_attribute(
                CPUFREQ.format(cpu),
                "scaling_cur_freq",
                f"{int((900 + 2800 * load + 150 * math.sin(elapsed * 2 + cpu)) * 1000)}\n",
            )
        tb.set_attribute(BAT, "power_now", f"{int((7 + 10 * load) * 1e6)}\n")
        if elapsed > 5 and not marked:
            page.add_marker("start of load test")
            marked = True
        if elapsed > 9 and not unplugged:
            path = "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-5"
            tb.uevent(path, "remove")
            unplugged = True
        time.sleep(0.02)
    page._update_stats()
    app.processEvents()
    w.grab().save(str(out))
    print(f"saved {out}")
    w.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
