"""USB-C and Wireless pages: the chains of real machines drawn, problems in place, details, search, copy, empty
state, a corpus dump through the whole window, and the model against pytest-qt's model tester."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QGuiApplication

from hwinspector.models.link_chain import chain_text
from hwinspector.models.link_reports import usbc_report, wireless_report
from hwinspector.pages.usbc import UsbcPage
from hwinspector.pages.wireless import WirelessPage
from hwinspector.probes.devices.tree import read_devices
from hwinspector.probes.machine.snapshot import Snapshot, Source, read_file_snapshot
from hwinspector.widgets.chain_view import ChainRole
from tests.probes.usbc import trees
from tests.probes.wireless.test_wireless_chain import _laptop


def _live_from_tree(root: Path) -> Snapshot:
    """A snapshot that says "live" over a fake tree; the report is read from that tree, not from /sys."""
    return Snapshot(Source("live", "live machine"), tuple(read_devices(root, None)))


def _usbc(root: Path):  # type: ignore[no-untyped-def]
    return usbc_report(_live_from_tree(root), sysfs=root, devkmsg=root / "no-kmsg", timeout_s=2)


def _show(qtbot, page, report):  # type: ignore[no-untyped-def]
    qtbot.addWidget(page, before_close_func=lambda w: w.shutdown())
    page.resize(1280, 720)
    page.show()
    page.show_report(report)
    page.view.relayout()
    return page


def test_usbc_page_draws_the_thinkpad_ports_and_details(qtbot, qtmodeltester, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    trees.thinkpad_x13_gen3(tmp_path)
    page = _show(qtbot, UsbcPage(), _usbc(tmp_path))
    qtmodeltester.check(page.model)
    keys = page.view.keys()
    port0 = f"{trees.UCSI}/typec/port0"
    assert f"alt:{port0}:port0-partner.0" in keys and f"power:{trees.UCSI}/typec/port1" in keys
    assert page.summary.text() == "2 USB-C port(s), 2 in use · no problems found"
    assert page.view.links(f"port:{port0}") == [f"partner:{port0}"]
    page.view.select_key(f"power:{trees.UCSI}/typec/port1")
    assert page.details.title() == "Power Delivery: Charging contract"
    text = page.copy_text()
    assert "Alternate mode: DisplayPort — active · VDO 0x00001085" in text
    page.copy_chain()
    assert QGuiApplication.clipboard().text() == text
    page.set_filter("displayport")
    assert page.view.matching_keys() == [f"alt:{port0}:port0-partner.0"]


def test_usbc_page_marks_the_broken_links(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    trees.legion_pro7_broken_contract(tmp_path / "legion")
    page = _show(qtbot, UsbcPage(), _usbc(tmp_path / "legion"))
    port, power = f"port:{trees.UCSI}/typec/port0", f"power:{trees.UCSI}/typec/port0"
    # the broken link is the contract, not the port: the warning sits on the Power Delivery box
    assert page.model.index_of(power).data(ChainRole.STATUS) == "warning"
    assert page.model.index_of(port).data(ChainRole.STATUS) == "ok"
    assert page.issues.count() == 2 and page.issues.isVisible()
    trees.thunderbolt_dock_unauthorised(tmp_path / "tb")
    page.show_report(_usbc(tmp_path / "tb"))
    shown = page.view.keys()
    dock = next(k for k in shown if k.endswith("/0-0/0-1"))
    assert page.model.index_of(dock).data(ChainRole.STATUS) == "error"
    assert "not authorised" in page.issues.item(0).text()


def test_empty_states_say_what_is_missing(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "devices").mkdir()
    page = _show(qtbot, UsbcPage(), _usbc(tmp_path))
    assert page.body.currentWidget() is page.empty and "No USB-C port" in page.empty.text()
    page2 = _show(qtbot, WirelessPage(), wireless_report(_live_from_tree(tmp_path), sysfs=tmp_path,
                  devkmsg=tmp_path / "no-kmsg", timeout_s=2, run_tools=False))  # fmt: skip
    assert "No Wi-Fi" in page2.empty.text() and page2.copy_text().endswith("this machine\n")


def test_wireless_page_on_a_corpus_dump_through_the_collector(qtbot, corpus: Path) -> None:  # type: ignore[no-untyped-def]
    snap = read_file_snapshot(corpus / "udev/checkbox-udevadm_data/HP_PAVILION14_NOTEBOOK_MEDIATEK_BT.txt")
    page = WirelessPage()
    qtbot.addWidget(page, before_close_func=lambda w: w.shutdown())
    page.resize(1280, 720)
    with qtbot.waitSignal(page.collector.report_ready, timeout=10_000):
        page.set_snapshot(snap)
    assert page.settled() and page.report is not None
    text = chain_text(page.report)
    assert "Wi-Fi phy0 — " in text and "Bluetooth hci0 — btusb" in text
    assert not page.refresh_button.isEnabled()


def test_wireless_page_blocked_radio_is_marked(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    _laptop(tmp_path, hard="1")
    report = wireless_report(_live_from_tree(tmp_path), sysfs=tmp_path, devkmsg=tmp_path / "no-kmsg", timeout_s=2,
                             run_tools=False)  # fmt: skip
    page = _show(qtbot, WirelessPage(), report)
    shown = page.view.keys()
    radio = next(k for k in shown if k.startswith("phy:"))
    assert page.model.index_of(radio).data(ChainRole.STATUS) == "error"
    assert "hard-blocked" in page.copy_text()
    assert "e4:02:9b" not in page.copy_text()  # the MAC stays out of bug reports
