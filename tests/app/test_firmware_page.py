"""Firmware page: fwupd's devices and HSI report from a mocked fwupd, search, copy, absence and slowness."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import dbus
import pytest
from PySide6.QtCore import QItemSelectionModel, QModelIndex, QTimer
from PySide6.QtGui import QGuiApplication

from hwinspector.bus_bridge import BusBridge
from hwinspector.models.firmware import FirmwareColumn, SecurityColumn, parse_hsi
from hwinspector.models.live_table import ValueRole
from hwinspector.pages import discover_pages
from hwinspector.pages.base import DataState
from hwinspector.pages.firmware import FirmwarePage, copy_rows
from hwinspector.probes.machine.snapshot import Snapshot, Source
from tests.app.bus_pages import bus_page_maker
from tests.dbusmock_templates import fwupd as template
from tests.dbusmock_templates.mockbus import FWUPD_TEMPLATE, PrivateSystemBus, private_system_bus

system_bus = pytest.fixture(private_system_bus)
LIVE = Snapshot(Source("live", "live machine"), ())
WAIT_MS = 8000


@pytest.fixture
def make_page(qtbot: Any, tmp_path: Path) -> Iterator[Callable[..., tuple[FirmwarePage, BusBridge]]]:
    yield from bus_page_maker(tmp_path, FirmwarePage, (1200, 800))


def loaded(page: FirmwarePage) -> bool:
    return page.info is not None and page.info.available


def table(model: Any, columns: range | list[int], parent: QModelIndex | None = None) -> list[list[str]]:
    p = parent if parent is not None else QModelIndex()
    return [[str(model.index(r, c, p).data() or "") for c in columns] for r in range(model.rowCount(p))]


def test_devices_and_security_report_equal_what_fwupd_sent(
    qtbot: Any, system_bus: PrivateSystemBus, make_page: Any, qtmodeltester: Any
) -> None:
    system_bus.spawn(FWUPD_TEMPLATE)
    page, _ = make_page()
    qtbot.waitUntil(lambda: loaded(page), timeout=WAIT_MS)
    assert not page.live_view.explaining()
    assert page.badge.text() == "HSI:1!"
    assert page.headline.text().startswith("HSI-1: critical protections pass")
    assert "runtime check fails" in page.headline.text()
    assert page.host.text() == "ThinkPad T14 Gen 2i · fwupd 1.9.16 · kernel tainted: no"
    model = page.device_model
    assert [r[:3] for r in table(model, range(3))] == [[d["Name"], d["Vendor"], d["Version"]] for d in template.DEVICES]
    states = [model.index(r, FirmwareColumn.UPDATE).data(ValueRole) for r in range(model.rowCount())]
    assert states == ["success", "unknown", "unknown", "failed"]  # UpdateState 2, 0, 0, 3
    assert model.index(3, FirmwareColumn.UPDATE).data() == "last update failed: firmware update blocked by the platform"
    assert model.index(1, FirmwareColumn.UPDATE).data() == "updatable"
    assert page.devices_box.title() == "Devices (4)"
    # the first device is selected and detailed
    rows = page.details.rows()
    assert ("Firmware", "Current version", "0.1.48") in rows and ("Firmware", "Minimum version", "0.1.40") in rows
    assert ("Flags", "needs-reboot", "yes") in rows and ("Device", "Plugin", "uefi_capsule") in rows
    # HSI: levels in fwupdmgr's order, runtime last, every attribute with its result
    sec = page.security_model
    assert table(sec, [0, 1]) == [
        ["HSI-1 · critical", "4 of 4 pass"],
        ["HSI-4 · system protection", "0 of 1 pass"],
        ["Runtime (the ! suffix)", "1 of 2 pass"],
    ]
    shown = {
        sec.index(r, 0, sec.index(g, 0)).data(): sec.index(r, SecurityColumn.RESULT, sec.index(g, 0)).data(ValueRole)
        for g in range(sec.rowCount())
        for r in range(sec.rowCount(sec.index(g, 0)))
    }
    results = {1: "enabled", 2: "not-enabled", 5: "locked", 10: "not-tainted", 11: "found", 14: "not-supported"}
    assert shown == {a["Name"]: results[a["HsiResult"]] for a in template.SECURITY_ATTRS}
    encrypted = sec.index(0, 0, sec.index(1, 0))
    assert encrypted.data() == "Encrypted RAM"
    assert sec.index(0, SecurityColumn.ACTION, sec.index(1, 0)).data() == "ask the vendor for a firmware fix"
    qtmodeltester.check(sec, force_py=True)


def test_device_model_passes_the_model_tester(
    qtbot: Any, system_bus: PrivateSystemBus, make_page: Any, qtmodeltester: Any
) -> None:
    mock = system_bus.spawn(FWUPD_TEMPLATE)
    page, _ = make_page()
    qtbot.waitUntil(lambda: loaded(page), timeout=WAIT_MS)
    qtmodeltester.check(page.device_model, force_py=True)
    # a dock is plugged in: fwupd announces it and the page lists it
    dock = {
        "DeviceId": "b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0", "Name": "ThinkPad USB-C Dock Gen2", "Vendor": "Lenovo",
        "Version": "5.6.0", "Plugin": "vli", "Flags": dbus.UInt64(2), "UpdateState": dbus.UInt32(0),
        "Guid": dbus.Array(["2a1b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d"], signature="s"),
    }  # fmt: skip
    mock.obj.AddDevice(dbus.Dictionary(dock, signature="sv"), dbus_interface="org.freedesktop.DBus.Mock")
    qtbot.waitUntil(lambda: page.device_model.rowCount() == 5, timeout=WAIT_MS)
    assert page.device_model.index(4, FirmwareColumn.NAME).data() == "ThinkPad USB-C Dock Gen2"
    assert page.devices_box.title() == "Devices (5)"


def test_search_and_copy(qtbot: Any, system_bus: PrivateSystemBus, make_page: Any) -> None:
    system_bus.spawn(FWUPD_TEMPLATE)
    page, _ = make_page()
    qtbot.waitUntil(lambda: loaded(page), timeout=WAIT_MS)
    page.set_filter("nvme")  # the plugin: searched though it is not a column
    assert table(page.device_proxy, [0]) == [["Samsung SSD 980 PRO 1TB"]]
    page.set_filter("secureboot")  # the AppStream ID
    proxy = page.security_proxy
    assert table(proxy, [0]) == [["HSI-1 · critical"]]
    assert table(proxy, [0, 1], proxy.index(0, 0)) == [["UEFI secure boot", "Enabled"]]
    page.set_filter("")
    assert page.device_proxy.rowCount() == 4 and proxy.rowCount() == 3

    report = page.copy_security()
    assert QGuiApplication.clipboard().text() == report
    lines = report.splitlines()
    assert lines[0] == "Host Security ID: HSI:1! (v1.9.16)"
    assert (
        "HSI-1 · critical" in lines
        and "✘ Linux kernel lockdown: Not enabled (change an operating system setting)" in lines
    )
    assert lines.index("Runtime (the ! suffix)") > lines.index("HSI-4 · system protection")
    listing = page.copy_devices().splitlines()
    assert listing[0].startswith("System Firmware\tLENOVO\t0.1.48\tlast update succeeded\t")
    # Ctrl+C on a table copies the selected rows
    view = page.device_view
    view.selectionModel().select(
        page.device_proxy.index(2, 0),
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )
    assert copy_rows(view) == "Samsung SSD 980 PRO 1TB\tSamsung Electronics Co Ltd\t5B2QGXA7\tupdatable"


def test_hsi_refused_and_devices_missing_are_said_separately(
    qtbot: Any, system_bus: PrivateSystemBus, make_page: Any
) -> None:
    system_bus.spawn(FWUPD_TEMPLATE, {"HsiError": "org.freedesktop.fwupd.NotSupported", "NoDevices": True})
    page, _ = make_page()
    qtbot.waitUntil(lambda: loaded(page), timeout=WAIT_MS)
    assert page.security.explaining()
    assert page.security.message.text() == (
        "Host security report not available: fwupd answered org.freedesktop.fwupd.NotSupported: "
        "HSI not supported on this machine"
    )
    assert page.devices.explaining()
    assert page.devices.message.text() == "fwupd found no device it can update or describe on this machine."
    assert page.badge.text() == "HSI:1!"  # the daemon's HostSecurityId property still says it


def test_slow_fwupd_keeps_the_gui_responsive(qtbot: Any, system_bus: PrivateSystemBus, make_page: Any) -> None:
    system_bus.spawn(FWUPD_TEMPLATE, {"Delay": 3.0})
    ticks: list[float] = []
    timer = QTimer()
    timer.setInterval(20)
    timer.timeout.connect(lambda: ticks.append(time.monotonic()))
    timer.start()
    page, _ = make_page(timeout_s=1.5)
    qtbot.waitUntil(lambda: loaded(page), timeout=WAIT_MS)
    answered = time.monotonic()
    timer.stop()
    # the page gave up at its own timeout (the message says so), not when the daemon finally answered
    assert page.devices.message.text() == (
        "Devices not available: org.freedesktop.fwupd did not answer GetDevices within 1.5 s (it may be busy or hung)"
    )
    # the mock answers one call at a time, so the HSI report behind it timed out as well; the daemon's
    # properties, asked first, still came
    assert page.security.message.text().startswith(
        "Host security report not available: org.freedesktop.fwupd did not answer GetHostSecurityAttrs within 1.5 s"
    )
    assert page.badge.text() == "HSI:1!"
    # the GUI thread's own timer kept firing while the answers were pending: the page did not block it
    # (an order of events, not a duration: how long stalls may last is for benchmarks, not tests)
    assert sum(t < answered for t in ticks) >= 2, "the GUI event loop did not run while the calls were pending"


def test_fwupd_absent_then_started(qtbot: Any, system_bus: PrivateSystemBus, make_page: Any) -> None:
    page, _ = make_page()
    qtbot.waitUntil(lambda: page.info is not None, timeout=WAIT_MS)
    assert page.live_view.explaining()
    assert page.live_view.message.text().startswith("fwupd: not available: fwupd is not installed or not running (")
    system_bus.spawn(FWUPD_TEMPLATE)
    # the mock takes its name before its methods exist; the watcher reads it again once it settled
    qtbot.waitUntil(lambda: loaded(page) and page.device_model.rowCount() == 4, timeout=WAIT_MS)
    assert not page.live_view.explaining() and not page.devices.explaining()


def test_no_system_bus_is_one_calm_sentence(qtbot: Any, make_page: Any, tmp_path: Path) -> None:
    missing = tmp_path / "no_bus_socket"
    page, _ = make_page(address=f"unix:path={missing}")
    qtbot.waitUntil(lambda: page.info is not None, timeout=WAIT_MS)
    assert (
        page.live_view.message.text() == f"fwupd: not available: no system bus ({missing}: No such file or directory)"
    )


def test_dump_source_is_not_part_of_this_source(qtbot: Any) -> None:
    page = FirmwarePage()
    qtbot.addWidget(page)
    assert page.data_state is DataState.WAITING  # nothing is shown before a source
    page.set_snapshot(Snapshot(Source("udevadm", "UdevDb.txt", "/tmp/UdevDb.txt"), ()))
    assert page.body.currentWidget() is page.empty
    assert page.settled()  # the explanation is all a dump gives this page
    assert "not part of this source (UdevDb.txt, a udevadm dump)" in page.empty.text()
    page.set_snapshot(LIVE)
    assert page.body.currentWidget() is page.live_view and not page.settled()


def test_page_sits_after_telemetry_and_hsi_ids_parse() -> None:
    orders = {cls.page_id: cls.order for cls in discover_pages()}
    assert orders["firmware"] == 80 > orders["telemetry"]
    assert (parse_hsi("HSI:2 (v2.0.1)").level, parse_hsi("HSI:2 (v2.0.1)").runtime_issue) == (2, False)
    assert (parse_hsi("HSI:0!").level, parse_hsi("HSI:0!").runtime_issue) == (0, True)
    assert parse_hsi("").level is None
