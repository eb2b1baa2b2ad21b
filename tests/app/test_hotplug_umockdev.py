"""Hotplug through real libudev: umockdev's testbed emits uevents that reach the Devices page.

Runs in the second pytest pass of `make test`, under umockdev-wrapper (LD_PRELOAD of libumockdev).
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.umockdev

LAPTOP = Path(__file__).resolve().parent.parent / "data" / "umockdev" / "laptop.umockdev"


@pytest.fixture
def testbed():  # type: ignore[no-untyped-def]
    if "umockdev" not in os.environ.get("LD_PRELOAD", ""):
        pytest.skip("needs umockdev-wrapper around the test process (the umockdev pass of make test)")
    import gi

    gi.require_version("UMockdev", "1.0")
    from gi.repository import UMockdev

    tb = UMockdev.Testbed.new()
    tb.add_from_file(str(LAPTOP))
    yield tb
    del tb


@pytest.fixture
def window(qtbot, testbed):  # type: ignore[no-untyped-def]
    from hwinspector.main_window import MainWindow

    w = MainWindow()
    qtbot.addWidget(w)
    with qtbot.waitSignal(w.snapshot_shown, timeout=30000):
        w.start()
    yield w
    w.shutdown()


def _paths(window) -> set[str]:  # type: ignore[no-untyped-def]
    return window.pages["devices"].models["kind"].device_paths()  # type: ignore[no-any-return]


def test_recorded_devices_are_listed_from_the_testbed(window) -> None:  # type: ignore[no-untyped-def]
    paths = _paths(window)
    recorded = {line[3:].strip() for line in LAPTOP.read_text().splitlines() if line.startswith("P: ")}
    assert paths == recorded
    assert window.snapshot.source.is_live
    gpu = window.snapshot.device("/devices/pci0000:00/0000:00:02.0")
    assert gpu is not None and gpu.driver == "i915" and gpu.kind == "Display adapters"
    # the recording's unbound SD card reader is listed as a problem
    assert any(p.kind == "unbound" for p in window.snapshot.problems)
    page = window.pages["devices"]
    assert page.models["topology"].device_paths() == paths
    assert "udev events" in page.monitor_label.text()


def test_add_change_remove_reach_the_tree(window, testbed, qtbot) -> None:  # type: ignore[no-untyped-def]
    page = window.pages["devices"]
    model = page.models["topology"]
    parent = "/sys/devices/pci0000:00/0000:00:14.0/usb1"
    syspath = testbed.add_device(
        "usb",
        "1-9",
        parent,
        ["idVendor", "046d", "idProduct", "c52b", "product", "USB Receiver", "bDeviceClass", "00"],
        ["DEVTYPE", "usb_device", "PRODUCT", "46d/c52b/1201"],
    )
    devpath = syspath[len("/sys") :]
    qtbot.waitUntil(lambda: devpath in model.device_paths(), timeout=5000)
    idx = model.index_for_path(devpath)
    # placed under its parent, named from usb.ids, and highlighted as new
    assert model.parent(idx).data(0x0100 + 2) == parent[len("/sys") :]
    assert "Logitech" in str(idx.data())
    assert model.highlighted().get(devpath) == "add"
    assert any(devpath in page.event_log.item(i).text() for i in range(page.event_log.count()))

    testbed.set_attribute(syspath, "product", "Renamed Receiver")
    testbed.set_property(syspath, "ID_MODEL_FROM_DATABASE", "Renamed Receiver")
    testbed.uevent(syspath, "change")
    qtbot.waitUntil(lambda: "Renamed Receiver" in str(model.index_for_path(devpath).data()), timeout=5000)
    assert model.highlighted().get(devpath) == "change"
    assert window.snapshot.device(devpath).properties.get("ID_MODEL_FROM_DATABASE") == "Renamed Receiver"

    testbed.uevent(syspath, "remove")
    testbed.remove_device(syspath)
    qtbot.waitUntil(lambda: devpath not in model.device_paths(), timeout=5000)
    assert devpath not in page.models["kind"].device_paths()
    assert window.snapshot.device(devpath) is None


def test_burst_of_events_ends_consistent(window, testbed, qtbot) -> None:  # type: ignore[no-untyped-def]
    model = window.pages["devices"].models["kind"]
    parent = "/sys/devices/pci0000:00/0000:00:14.0/usb1"
    added = [
        testbed.add_device(
            "usb", f"1-{20 + i}", parent, ["idVendor", "1234", "idProduct", f"{i:04x}"], ["DEVTYPE", "usb_device"]
        )
        for i in range(60)
    ]
    for syspath in added[::2]:
        testbed.uevent(syspath, "remove")
        testbed.remove_device(syspath)
    expected = {p[len("/sys") :] for p in added[1::2]}
    gone = {p[len("/sys") :] for p in added[::2]}
    qtbot.waitUntil(lambda: expected <= model.device_paths() and not gone & model.device_paths(), timeout=10000)


@pytest.fixture
def long_unix_queue():  # type: ignore[no-untyped-def]
    """umockdev sends uevents over a Unix datagram socket that queues 10 datagrams by default and
    aborts the process when it is full; real netlink queues far more. Raised for the storm (root)."""
    qlen = Path("/proc/sys/net/unix/max_dgram_qlen")
    try:
        old = qlen.read_text()
        qlen.write_text("1000")
    except OSError:
        yield
        return
    yield
    qlen.write_text(old)


def test_storm_of_1000_events_ends_exactly_in_the_final_state(  # type: ignore[no-untyped-def]
    long_unix_queue, window, testbed, qtbot, record_property
) -> None:
    """Adds, changes and removes of real-looking USB devices as fast as umockdev emits them; the tree
    ends exactly as the testbed. The events are emitted from this thread, so the window takes them
    in once they are all queued; from then on a 5 ms probe timer measures the longest stall of the
    event loop while the storm is applied and reports it (``longest_stall_ms`` in the test's
    properties, and on stdout): a figure, not an assertion, since a shared CI machine's timing is not
    the code's (benchmarks/storm.py holds the <= 100 ms target against a baseline in the same run)."""
    import random

    from PySide6.QtCore import QTimer

    stalls: list[float] = []
    last = [time.perf_counter()]

    def probe() -> None:
        now = time.perf_counter()
        stalls.append(now - last[0])
        last[0] = now

    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(probe)
    rng = random.Random(11)
    page = window.pages["devices"]
    parent = "/sys/devices/pci0000:00/0000:00:14.0/usb1"
    alive: dict[str, int] = {}
    events = 0
    serial = 0
    while events < 1000:
        action = rng.choice(["add", "add", "change", "remove"]) if alive else "add"
        if action == "add":
            serial += 1
            name = f"1-{100 + serial}"
            path = testbed.add_device(
                "usb",
                name,
                parent,
                ["idVendor", "046d", "idProduct", f"{serial:04x}", "product", f"Dev {serial}"],
                ["DEVTYPE", "usb_device", "PRODUCT", f"46d/{serial:x}/100"],
            )
            alive[path] = serial
        elif action == "change":
            path = rng.choice(list(alive))
            testbed.set_attribute(path, "product", f"Changed {alive[path]}")
            testbed.uevent(path, "change")
        else:
            path = rng.choice(list(alive))
            testbed.uevent(path, "remove")
            testbed.remove_device(path)
            del alive[path]
        events += 1
    last[0] = time.perf_counter()
    timer.start()
    expected = {p[len("/sys") :] for p in alive}
    recorded = {line[3:].strip() for line in LAPTOP.read_text().splitlines() if line.startswith("P: ")}
    for key in ("kind", "topology"):
        model = page.models[key]
        qtbot.waitUntil(lambda m=model: m.device_paths() == recorded | expected, timeout=30000)
    # the snapshot behind every page agrees with the tree, names included
    for p in expected:
        dev = window.snapshot.device(p)
        assert dev is not None and dev.attributes.get("product", "").endswith(str(alive["/sys" + p]))
    timer.stop()
    longest = round(max(stalls, default=0.0) * 1000, 1)
    record_property("longest_stall_ms", longest)
    print(f"storm: {len(stalls)} probe ticks, longest stall of the event loop {longest} ms")
