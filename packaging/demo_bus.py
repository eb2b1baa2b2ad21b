"""Screenshots of the Power page's UPower and profile tabs and of the Firmware page, against mocked services.

Starts a private system bus (tests/dbusmock_templates/mockbus.py) with python-dbusmock services holding
realistic data: UPower with the ThinkPad T480's two batteries, AC and MX Ergo mouse as its `upower -d`
printed them (upower/crypt0rr-kb in the shared corpus), a keyboard, headset and phone, and a week of
charge and power history; power-profiles-daemon 0.20 with intel_pstate and platform_profile drivers and
a hold; logind with a Wayland session and inhibitors; fwupd with a ThinkPad's devices and HSI attributes.
The window runs in this process with DBUS_SYSTEM_BUS_ADDRESS pointing at that bus.
Usage: demo_bus.py OUTDIR (writes power-upower.png, power-profiles.png, firmware.png).
"""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import dbus  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from tests.dbusmock_templates.mockbus import (  # noqa: E402
    FWUPD_TEMPLATE,
    PERIPHERALS,
    SWITCHEROO_TEMPLATE,
    T480,
    UPOWER_DEVICE,
    PrivateSystemBus,
    upower_props,
)

MOCK = "org.freedesktop.DBus.Mock"
PPD = "org.freedesktop.UPower.PowerProfiles"
LOGIND = "org.freedesktop.login1.Manager"
REFUSAL = "Not Authorized: org.freedesktop.UPower.PowerProfiles.switch-profile"
CHARGING, DISCHARGING, FULLY_CHARGED = 1, 2, 4


def battery_week(now: float, full_wh: float) -> dict[str, list[tuple[int, float, int]]]:
    """A week of a laptop battery, newest first: each day three hours on battery (about 4.5 W, the two
    batteries sharing the load), the rest on the charger (20 W, tapering off near full, then idle at
    100 %); the last stretch on battery ended ten minutes ago. A point every 2 minutes, every 30 s in the
    last hour."""
    charge: list[tuple[int, float, int]] = []
    rate: list[tuple[int, float, int]] = []
    t = now - 7 * 86400
    percent = 100.0
    while t <= now:
        hour = ((t - now) / 3600 + 12) % 24  # "now" is noon of a made-up day
        on_battery = 12 - 10 / 60 - 3 <= hour < 12 - 10 / 60
        if on_battery:
            watts, state = 4.5 + 1.2 * math.sin(t / 1700) + 0.6 * math.sin(t / 310), DISCHARGING
        elif percent < 99.5:
            watts, state = 20.0 * min(1.0, (100 - percent) / 15) + 0.5, CHARGING
        else:
            watts, state = 0.0, FULLY_CHARGED
        step = 30 if now - t < 3600 else 120
        energy = watts * step / 3600
        percent = min(100.0, max(3.0, percent + (-energy if on_battery else energy) / full_wh * 100))
        charge.append((int(t), round(percent, 2), state))
        rate.append((int(t), round(watts, 3), state))
        t += step
    return {"charge": charge[::-1], "rate": rate[::-1]}


def add_device(upower: Any, name: str, props: dict[str, Any], history: dict[str, list[Any]] | None) -> None:
    """A UPower device whose GetHistory answers like upowerd: the span's points, thinned to the resolution."""
    path = f"/org/freedesktop/UPower/devices/{name}"
    code = (
        f"rows = {history!r}.get(args[0], [])\nret = []\nfor r in rows:\n"
        "    if r[0] >= time.time() - args[1]:\n        ret.append(r)\n"
        "step = max(1, -(-len(ret) // max(args[2], 1)))\nret = ret[::step]"
    )
    methods = [("Refresh", "", "", ""), ("GetStatistics", "s", "a(dd)", "ret = []")]
    if history is not None:
        methods.append(("GetHistory", "suu", "a(udu)", code))
    upower.obj.AddObject(path, UPOWER_DEVICE, upower_props(props), methods, dbus_interface=MOCK)


def start_services(bus: PrivateSystemBus) -> list[Any]:
    """Every mocked service; returns the inhibitor file descriptors, which must stay open."""
    now = time.time()
    upower = bus.spawn("upower", {"DaemonVersion": "0.99.20", "OnBattery": False, "LidIsPresent": True})
    week = {"battery_BAT0": battery_week(now, 18.74), "battery_BAT1": battery_week(now, 21.64)}
    for name, props in {**T480, **PERIPHERALS}.items():
        fresh = {**props, "UpdateTime": int(now) - 20} if "UpdateTime" in props else props
        add_device(upower, name, fresh, week.get(name) if props.get("HasHistory") else None)
    upower.obj.SetupDisplayDevice(
        2, CHARGING, 57.4047, 23.18, 40.38, 21.031, dbus.Int64(0), dbus.Int64(2946), True,
        "battery-good-charging-symbolic", 1, dbus_interface=MOCK,
    )  # fmt: skip

    ppd = bus.spawn("upower_power_profiles_daemon", {"ActiveProfile": "performance"})
    drivers = {"Driver": "multiple", "CpuDriver": "intel_pstate", "PlatformDriver": "platform_profile"}
    profiles = [{"Profile": name, **drivers} for name in ("power-saver", "balanced", "performance")]
    props = "org.freedesktop.DBus.Properties"
    ppd.obj.Set(
        PPD, "Profiles", dbus.Array([dbus.Dictionary(p, signature="sv") for p in profiles]), dbus_interface=props
    )
    ppd.obj.AddProperty(PPD, "Version", dbus.String("0.23"), dbus_interface=MOCK)
    ppd.obj.HoldProfile("performance", "Building the project", "org.gnome.Builder", dbus_interface=PPD)
    # as for a user without the polkit right: every switch is refused with the daemon's own words
    code = f"raise dbus.exceptions.DBusException({REFUSAL!r}, name='org.freedesktop.DBus.Error.AccessDenied')"
    ppd.obj.AddMethod(props, "Set", "ssv", "", code, dbus_interface=MOCK)

    logind = bus.spawn(
        "logind",
        {"CanSuspend": "yes", "CanHibernate": "na", "CanHybridSleep": "na", "CanSuspendThenHibernate": "na"},
    )
    path = logind.obj.AddSession("2", "seat0", dbus.UInt32(os.getuid()), "tester", True, dbus_interface=MOCK)
    conn = dbus.bus.BusConnection(bus.address)
    session = conn.get_object("org.freedesktop.login1", path)
    session.Set("org.freedesktop.login1.Session", "Type", "wayland", dbus_interface=props)
    session.AddProperty("org.freedesktop.login1.Session", "Desktop", "GNOME", dbus_interface=MOCK)
    conn.close()
    os.environ["XDG_SESSION_ID"] = "2"
    fds = [
        logind.obj.Inhibit(what, who, why, mode, dbus_interface=LOGIND)
        for what, who, why, mode in (
            ("sleep", "GNOME Shell", "GNOME needs to lock the screen", "delay"),
            ("handle-power-key:handle-suspend-key:handle-lid-switch", "gsd-power", "GNOME handling keypresses",
             "block"),
            ("idle", "Firefox", "video is playing", "block"),
        )
    ]  # fmt: skip
    bus.spawn(FWUPD_TEMPLATE)
    bus.spawn(SWITCHEROO_TEMPLATE)
    return fds


def wait(app: QApplication, done: Callable[[], bool], timeout_s: float = 15.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not done():
        if time.monotonic() > deadline:
            raise SystemExit("demo_bus: the page did not receive its data in time")
        app.processEvents()
        time.sleep(0.01)
    for _ in range(20):  # layouts and plots settle over a few event-loop turns
        app.processEvents()
        time.sleep(0.01)


def main() -> int:
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    bus = PrivateSystemBus()
    bus.start()
    os.environ["DBUS_SYSTEM_BUS_ADDRESS"] = bus.address
    try:
        fds = start_services(bus)
        app = QApplication([])
        from hwinspector.main_window import MainWindow
        from hwinspector.pages.firmware import FirmwarePage
        from hwinspector.pages.power import PowerPage

        w = MainWindow(live_updates=False)
        w.resize(1400, 900)
        w.show_page("power")
        w.show()
        w.start()
        power = w.pages["power"]
        assert isinstance(power, PowerPage)
        power.tabs.setCurrentWidget(power.upower)
        panel = power.upower
        panel.span_box.setCurrentIndex(1)  # the last day: a discharge and a charge
        wait(app, lambda: panel.info is not None and panel.info.available and len(panel.history) == 2)
        w.grab().save(str(out / "power-upower.png"))
        print(f"saved {out / 'power-upower.png'}")

        power.tabs.setCurrentIndex(2)
        wait(app, lambda: power.profiles.profiles is not None and power.sleep.info is not None)
        power.profiles.switch_to("power-saver")
        wait(app, lambda: power.profiles.pending is None)
        w.grab().save(str(out / "power-profiles.png"))
        print(f"saved {out / 'power-profiles.png'}")

        w.show_page("firmware")
        firmware = w.pages["firmware"]
        assert isinstance(firmware, FirmwarePage)
        wait(app, lambda: firmware.info is not None and firmware.info.available)
        w.grab().save(str(out / "firmware.png"))
        print(f"saved {out / 'firmware.png'}")
        w.shutdown()
        for fd in fds:
            os.close(fd.take())
    finally:
        bus.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
