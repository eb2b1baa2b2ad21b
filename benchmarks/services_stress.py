"""Stress: D-Bus services appear, change and vanish while pages open, switch and close, under CPU load.

The scenario of the window's one observed deadlock (a Power page test that hung once in seven full runs),
repeated: each iteration builds a Power page with its own bus bridge (as the page does in the window),
spawns a random set of real mocked services (python-dbusmock's UPower, power-profiles-daemon and logind
on a private system bus), changes them, kills one, walks the main window's pages (their pollers and
collectors start and stop), forces garbage collection at random moments (finalisers run on the GUI
thread) and tears the page down. Busy processes keep both cores loaded.

A hang is detected from outside the GUI thread: faulthandler's watchdog (a C thread that needs no GIL)
dumps every thread's stack and ends the child when an iteration does not finish in time; the parent
counts it and starts a new child for the remaining iterations. A crash (a signal) is counted likewise.

    python benchmarks/services_stress.py [--iterations 500] [--load 2] [--hang-s 60] [--seed 1]

Prints one JSON object: iterations run, hangs, crashes, seconds per iteration (p50/p95/max), and where
the stacks of any hang were saved.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
PPD = "org.freedesktop.UPower.PowerProfiles"
LOGIND = "org.freedesktop.login1"
MOCK = "org.freedesktop.DBus.Mock"


def child(first: int, last: int, seed: int, hang_s: float) -> int:
    """Run iterations first..last-1 in this process; print 'ok I SECONDS' after each."""
    import faulthandler
    import gc

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    sys.path.insert(0, str(REPO))
    import dbus
    from PySide6.QtCore import QCoreApplication, QDeadlineTimer, QEventLoop
    from PySide6.QtWidgets import QApplication

    from hwinspector.bus_bridge import BusBridge
    from hwinspector.main_window import MainWindow
    from hwinspector.pages.power import PowerPage
    from hwinspector.probes.machine.snapshot import Snapshot, Source
    from tests.dbusmock_templates.mockbus import W520_BAT0, PrivateSystemBus, spawn_upower

    app = QApplication.instance() or QApplication([])
    live = Snapshot(Source("live", "live machine"), ())
    bus = PrivateSystemBus()
    bus.start()
    os.environ["DBUS_SYSTEM_BUS_ADDRESS"] = bus.address
    window = MainWindow(live_updates=False)
    window.resize(1100, 750)
    window.show()
    names = ("overview", "power", "thermal", "telemetry", "firmware", "idle", "devices")
    pages = [i.page_id for i in window._infos if i.page_id in names]  # built on first show
    window.show_snapshot(live)  # the window starts its own bridge for the live machine
    tmp = Path(tempfile.mkdtemp(prefix="hwi-stress-"))
    (tmp / "power").mkdir()
    (tmp / "power" / "state").write_text("freeze mem\n")

    def spin(ms: int) -> None:
        deadline = QDeadlineTimer(ms)
        while not deadline.hasExpired():
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)

    def until(pred: Any, ms: int) -> bool:
        deadline = QDeadlineTimer(ms)
        while not deadline.hasExpired():
            if pred():
                return True
            app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        return pred()

    for i in range(first, last):
        faulthandler.dump_traceback_later(hang_s, exit=True)
        rnd = random.Random(seed * 100_003 + i)
        t0 = time.monotonic()
        mocks = []
        if rnd.random() < 0.8:
            mocks.append(("upower", spawn_upower(bus, {"battery_BAT0": W520_BAT0}, on_battery=rnd.random() < 0.5)))
        if rnd.random() < 0.8:
            mocks.append(("ppd", bus.spawn("upower_power_profiles_daemon")))
        if rnd.random() < 0.6:
            mocks.append(("logind", bus.spawn("logind", {"CanSuspend": "yes"})))
        bridge = BusBridge(sysfs=tmp, timeout_s=3.0, reconnect_s=0.5)
        page = PowerPage(sysfs=tmp)
        page.set_bus(bridge)
        page.set_snapshot(live)
        page.resize(1100, 750)
        page.show()
        bridge.start()
        until(lambda p=page: p.profiles.profiles is not None or p.upower.info is not None, 3000)
        for name, mock in mocks:  # the services change
            if name == "ppd" and rnd.random() < 0.7:
                mock.obj.Set(PPD, "ActiveProfile", rnd.choice(["power-saver", "balanced", "performance"]),
                             dbus_interface="org.freedesktop.DBus.Properties")  # fmt: skip
            elif name == "logind" and rnd.random() < 0.7:
                mock.obj.EmitSignal(f"{LOGIND}.Manager", "PrepareForSleep", "b", [dbus.Boolean(True)],
                                    dbus_interface=MOCK)  # fmt: skip
            elif name == "upower" and rnd.random() < 0.7:
                mock.obj.SetDeviceProperties("/org/freedesktop/UPower/devices/battery_BAT0",
                                             {"Percentage": dbus.Double(rnd.uniform(5, 95))},
                                             dbus_interface=MOCK)  # fmt: skip
        for _ in range(rnd.randint(1, 3)):  # pages open and close in the window meanwhile
            window.show_page(rnd.choice(pages))
            spin(rnd.randint(5, 120))
            if rnd.random() < 0.5:
                gc.collect()
        if mocks and rnd.random() < 0.7:  # a service vanishes
            _, victim = mocks.pop(rnd.randrange(len(mocks)))
            bus.kill(victim)
        if rnd.random() < 0.5:
            page.hide()
        spin(rnd.randint(0, 200))
        if rnd.random() < 0.5:
            gc.collect()
        bridge.stop()
        page.shutdown()
        page.close()
        page.deleteLater()
        del page, bridge
        for _, mock in mocks:
            bus.kill(mock)
        spin(rnd.randint(0, 50))
        gc.collect()
        faulthandler.cancel_dump_traceback_later()
        print(f"ok {i} {time.monotonic() - t0:.3f}", flush=True)
    window.shutdown()
    window.close()
    bus.stop()
    QCoreApplication.processEvents()
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--iterations", type=int, default=500)
    ap.add_argument("--load", type=int, default=os.cpu_count() or 2, help="busy processes beside the window")
    ap.add_argument("--hang-s", type=float, default=60.0, help="an iteration longer than this is a hang")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--child", nargs=2, type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return child(args.child[0], args.child[1], args.seed, args.hang_s)

    stacks_dir = Path(tempfile.mkdtemp(prefix="hwi-stress-stacks-"))
    burners = [
        subprocess.Popen([sys.executable, "-c", "while True: pass"], stdout=subprocess.DEVNULL)
        for _ in range(args.load)
    ]
    durations: list[float] = []
    hangs = crashes = 0
    done = 0
    started = time.monotonic()
    try:
        while done < args.iterations:
            log = stacks_dir / f"child-{done}.log"
            with log.open("wb") as err:
                proc = subprocess.Popen(
                    [sys.executable, __file__, "--child", str(done), str(args.iterations), "--seed", str(args.seed),
                     "--hang-s", str(args.hang_s)],
                    stdout=subprocess.PIPE, stderr=err, text=True,
                )  # fmt: skip
                assert proc.stdout is not None
                for line in proc.stdout:
                    parts = line.split()
                    if len(parts) == 3 and parts[0] == "ok":
                        durations.append(float(parts[2]))
                        done = int(parts[1]) + 1
                rc = proc.wait()
            text = log.read_text(errors="replace")
            if rc == 0 and done >= args.iterations:
                log.unlink()
                break
            if "Timeout (" in text:  # faulthandler's watchdog: an iteration hung
                hangs += 1
            else:
                crashes += 1
            print(f"iteration {done}: {'hang' if 'Timeout (' in text else f'exit {rc}'}; stacks in {log}",
                  file=sys.stderr)  # fmt: skip
            done += 1  # the iteration that hung or crashed counts as run
    finally:
        for b in burners:
            b.kill()
            b.wait()
    result = {
        "iterations": done,
        "hangs": hangs,
        "crashes": crashes,
        "load_processes": args.load,
        "wall_s": round(time.monotonic() - started, 1),
        "iteration_s_p50": round(statistics.median(durations), 3) if durations else None,
        "iteration_s_p95": round(statistics.quantiles(durations, n=20)[-1], 3) if len(durations) > 20 else None,
        "iteration_s_max": round(max(durations), 3) if durations else None,
        "stacks": str(stacks_dir) if hangs or crashes else None,
    }
    print(json.dumps(result, indent=1))
    return 1 if hangs or crashes else 0


if __name__ == "__main__":
    sys.exit(main())
