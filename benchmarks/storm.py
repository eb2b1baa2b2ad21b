"""Benchmark: 1,000 hotplug events in about a second through real libudev (umockdev), GUI responsiveness.

Measures the longest stall of the GUI event loop (a 5 ms probe timer) while the storm is applied, and
the time until the device tree equals the testbed again. Baseline in the same run: the same pipeline
without coalescing (one batch per event). Re-runs itself under umockdev-wrapper when needed.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
LAPTOP = REPO / "tests/data/umockdev/laptop.umockdev"
PARENT = "/sys/devices/pci0000:00/0000:00:14.0/usb1"


def run(coalesce: bool) -> dict[str, float]:
    import gi

    gi.require_version("UMockdev", "1.0")
    from gi.repository import UMockdev
    from PySide6.QtCore import QObject, QTimer, Slot
    from PySide6.QtWidgets import QApplication

    import hwinspector.collectors.snapshot as collectors
    import hwinspector.models.device_tree as device_tree
    from hwinspector.main_window import MainWindow

    collectors.FLUSH_INTERVAL_S = 0.15 if coalesce else 0.0
    device_tree.RESET_THRESHOLD = 300 if coalesce else 10**9
    app = QApplication.instance() or QApplication([])
    tb = UMockdev.Testbed.new()
    tb.add_from_file(str(LAPTOP))
    w = MainWindow()
    w.resize(1280, 800)
    w.show_page("devices")
    w.show()
    done = {"shown": False}
    w.snapshot_shown.connect(lambda _s: done.__setitem__("shown", True))
    w.start()
    while not done["shown"]:
        app.processEvents()
    model = w.pages["devices"].models["kind"]  # type: ignore[attr-defined]
    recorded = set(model.device_paths())
    applies: list[float] = []

    class Timed(QObject):
        """A receiver living on the GUI thread (a lambda would run on the collector's thread)."""

        @Slot(list, object)
        def apply(self, events: list, snapshot: object) -> None:  # type: ignore[type-arg]
            t = time.perf_counter()
            w._on_hotplug(events, snapshot)  # type: ignore[arg-type]
            applies.append(time.perf_counter() - t)

    timed = Timed()
    w.collector.hotplug.disconnect()
    w.collector.hotplug.connect(timed.apply)
    gaps: list[float] = []
    cpu_gaps: list[float] = []
    last = [time.perf_counter()]
    last_cpu = [time.thread_time()]

    def tick() -> None:
        now = time.perf_counter()
        gaps.append(now - last[0])
        last[0] = now
        # the GUI thread's own CPU time between two ticks: the work it did without returning to the
        # event loop, apart from the time other processes or threads (the GIL) kept it waiting
        cpu = time.thread_time()
        cpu_gaps.append(cpu - last_cpu[0])
        last_cpu[0] = cpu

    probe = QTimer()
    probe.setInterval(5)
    probe.timeout.connect(tick)
    probe.start()
    alive: dict[str, int] = {}
    rng = random.Random(5)
    finished = threading.Event()

    def storm() -> None:
        serial = 0
        start = time.perf_counter()
        for i in range(1000):
            # paced to 1,000 events per second, as the storm
            delay = start + i / 1000 - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            action = rng.choice(["add", "add", "change", "remove"]) if alive else "add"
            if action == "add":
                serial += 1
                p = tb.add_device(
                    "usb",
                    f"1-{100 + serial}",
                    PARENT,
                    ["idVendor", "046d", "idProduct", f"{serial:04x}"],
                    ["DEVTYPE", "usb_device"],
                )
                alive[p] = serial
            elif action == "change":
                p = rng.choice(list(alive))
                tb.uevent(p, "change")
            else:
                p = rng.choice(list(alive))
                tb.uevent(p, "remove")
                tb.remove_device(p)
                del alive[p]
        finished.set()

    t0 = time.perf_counter()
    threading.Thread(target=storm, daemon=True).start()
    while True:
        app.processEvents()
        time.sleep(0.001)
        if finished.is_set():
            storm_s = time.perf_counter() - t0
            expected = recorded | {p[len("/sys") :] for p in alive}
            if model.device_paths() == expected:
                break
        if time.perf_counter() - t0 > 120:
            break
    settled_s = time.perf_counter() - t0
    probe.stop()
    consistent = model.device_paths() == recorded | {p[len("/sys") :] for p in alive}
    w.shutdown()
    w.close()
    gaps.sort()
    cpu_gaps.sort()
    return {
        "events": 1000,
        "storm_s": round(storm_s, 3),
        "consistent_after_s": round(settled_s, 3),
        "consistent": consistent,
        "batches": len(applies),
        "max_batch_apply_ms": round(max(applies) * 1000, 1) if applies else None,
        "total_apply_ms": round(sum(applies) * 1000, 1),
        # includes time the storm generator (a thread of this process, sharing the GIL) held the GUI off
        "gui_max_stall_ms": round(gaps[-1] * 1000, 1) if gaps else None,
        "gui_max_stall_cpu_ms": round(cpu_gaps[-1] * 1000, 1) if cpu_gaps else None,
        "gui_stall_p99_ms": round(gaps[int(len(gaps) * 0.99)] * 1000, 1) if gaps else None,
        "target_max_stall_ms": 100,
    }


def main() -> int:
    if "umockdev" not in os.environ.get("LD_PRELOAD", ""):
        os.execvp("umockdev-wrapper", ["umockdev-wrapper", sys.executable, *sys.argv])
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    mode = sys.argv[1] if len(sys.argv) > 1 else None
    if mode in ("coalesced", "per-event"):
        print(json.dumps(run(mode == "coalesced")))
        return 0
    # each mode in a fresh process: a testbed per process keeps the runs independent
    import subprocess

    with unix_queue(1000):
        results = _compare(subprocess)
    print(json.dumps({"benchmark": "storm", **results}, indent=1))
    return 0


def _compare(subprocess: Any) -> dict[str, Any]:
    results = {}
    for m in ("coalesced", "per-event"):
        proc = subprocess.run([sys.executable, __file__, m], capture_output=True, text=True, check=False)
        if proc.returncode == 0:
            results[m] = json.loads(proc.stdout.strip().splitlines()[-1])
        else:
            # umockdev aborts when its uevent socket overflows: the consumer fell behind the storm
            why = [ln for ln in proc.stderr.splitlines() if "failed" in ln or "Error" in ln][:1]
            results[m] = {"failed": f"exit {proc.returncode}: {why[0] if why else 'crashed'}"}
    return results


QLEN = Path("/proc/sys/net/unix/max_dgram_qlen")


@contextlib.contextmanager
def unix_queue(length: int) -> Iterator[None]:
    """umockdev delivers uevents over a Unix datagram socket, which queues only 10 datagrams by default
    (real netlink queues far more) and aborts when full; a storm test needs a longer queue (root only)."""
    try:
        old = QLEN.read_text()
        QLEN.write_text(str(length))
    except OSError:
        yield
        return
    try:
        yield
    finally:
        QLEN.write_text(old)


if __name__ == "__main__":
    sys.exit(main())
