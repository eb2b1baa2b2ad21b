"""The main window as a user drives it: pages, search, source in the status bar, banner, navigation."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from hwinspector.main_window import MainWindow
from hwinspector.pages import discover_pages
from hwinspector.pages.devices import DevicesPage
from hwinspector.pages.drivers import DriversPage
from hwinspector.probes.machine.snapshot import load_snapshot


@pytest.fixture
def window(qtbot):  # type: ignore[no-untyped-def]
    w = MainWindow(live_updates=False)
    qtbot.addWidget(w)
    yield w
    w.shutdown()


def test_pages_are_discovered_in_order() -> None:
    ids = [cls.page_id for cls in discover_pages()]
    assert ids[:3] == ["overview", "devices", "drivers"]


def test_live_load_through_the_collector_thread(window: MainWindow, qtbot) -> None:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(window.snapshot_shown, timeout=30000):
        window.start()
    assert window.snapshot is not None and window.snapshot.source.is_live
    assert window.source_label.text() == "Source: live machine"
    assert window.banner.isHidden()
    page = window.pages["devices"]
    assert isinstance(page, DevicesPage)
    assert page.models["topology"].device_paths() == {d.path for d in window.snapshot.devices}


def test_dump_shows_banner_and_file_name(window: MainWindow, qtbot, corpus: Path) -> None:  # type: ignore[no-untyped-def]
    dump = corpus / "udev/checkbox-udevadm_data/TOSHIBA_NVME.txt"
    with qtbot.waitSignal(window.snapshot_shown, timeout=30000):
        window.load_source(str(dump))
    assert window.source_label.text() == "Source: TOSHIBA_NVME.txt (udevadm dump)"
    assert not window.banner.isHidden() and "TOSHIBA_NVME.txt" in window.banner.text()
    assert "TOSHIBA_NVME.txt" in window.windowTitle()


def test_bad_dump_reports_and_keeps_the_current_view(window: MainWindow, qtbot, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QMessageBox

    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a: shown.append(a[2]))
    snap = load_snapshot(None)
    window.show_snapshot(snap)
    bad = tmp_path / "bad.txt"
    bad.write_text("P: /devices/a\nnonsense here\n")
    with qtbot.waitSignal(window.load_failed, timeout=30000):
        window.load_source(str(bad))
    qtbot.waitUntil(lambda: bool(shown))
    assert shown == [f"{bad}:2: not a udevadm/umockdev record line: 'nonsense here'"]
    assert window.snapshot is snap  # nothing lost: the live view is still there
    assert window.source_label.text() == "Source: live machine"


def test_search_filters_the_current_page(window: MainWindow, corpus: Path) -> None:
    snap = load_snapshot(corpus / "udev/checkbox-udevadm_data/DELL_VOSTRO_270.txt")
    window.show_snapshot(snap)
    window.show_page("devices")
    page = window.pages["devices"]
    assert isinstance(page, DevicesPage)
    proxy = page.proxies["kind"]
    before = proxy.rowCount()
    window.search.setText("i915")
    # only the Display adapters group remains, holding the GPU
    assert proxy.rowCount() == 1 < before
    group = proxy.index(0, 0)
    assert str(group.data()).startswith("Display adapters")
    names = [proxy.index(r, 0, group).data() for r in range(proxy.rowCount(group))]
    assert any("Intel" in str(n) for n in names)
    window.search.clear()
    assert proxy.rowCount() == before
    # the same text applies when switching pages
    window.search.setText("snd_hda_intel")
    window.show_page("drivers")
    drivers = window.pages["drivers"]
    assert isinstance(drivers, DriversPage)
    assert drivers.bindings_proxy.rowCount() == 1


def test_selecting_a_device_shows_every_property(window: MainWindow, corpus: Path) -> None:
    snap = load_snapshot(corpus / "udev/checkbox-udevadm_data/DELL_VOSTRO_270.txt")
    window.show_snapshot(snap)
    window.show_page("devices")
    page = window.pages["devices"]
    assert isinstance(page, DevicesPage)
    path = "/devices/pci0000:00/0000:00:02.0"
    page.select_path(path)
    rows = page.details.rows()
    dev = snap.device(path)
    assert dev is not None
    for key, value in dev.properties.items():
        assert ("udev properties", key, value) in rows
    assert ("General", "sysfs path", f"/sys{path}") in rows
    assert ("General", "Driver", "i915") in rows
    page.details.tree.selectAll()
    page.details.copy_selection()
    clip = QApplication.clipboard().text()
    assert "DRIVER=i915" in clip and "PCI_ID=8086:0152" in clip
    # switching views keeps the selection
    page.show_view("topology")
    assert page.selected_path() == path


def test_problem_double_click_navigates_to_the_device(window: MainWindow, corpus: Path) -> None:
    snap = load_snapshot(corpus / "udev/checkbox-udevadm_data/TOSHIBA_NVME.txt")
    window.show_snapshot(snap)
    window.show_page("drivers")
    drivers = window.pages["drivers"]
    assert isinstance(drivers, DriversPage)
    first = drivers.problems_proxy.index(0, 0)
    assert str(first.data()) == snap.problems[0].name
    drivers.problems_view.doubleClicked.emit(first)
    assert window.current_page() is window.pages["devices"]
    devices = window.pages["devices"]
    assert isinstance(devices, DevicesPage)
    assert devices.selected_path() == snap.problems[0].path
    assert "Problems" in [s for s, _, _ in devices.details.rows()]
    assert "GM107" in drivers.problems_as_text()


def test_keyboard_shortcuts(window: MainWindow, qtbot) -> None:  # type: ignore[no-untyped-def]
    window.show()
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)
    # keys go where a user's keys go: to the focused widget
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_3, Qt.KeyboardModifier.AltModifier)
    assert window.current_page() is window.pages["drivers"]
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.search.hasFocus()


def test_the_filter_proxy_is_in_the_view_only_while_filtering(window: MainWindow, corpus: Path) -> None:
    """Unfiltered, the tree view shows the model itself (half the calls into Python per painted cell);
    typing a filter puts the proxy in, clearing it takes it out; the selected device stays selected."""
    snap = load_snapshot(corpus / "udev/checkbox-udevadm_data/DELL_VOSTRO_270.txt")
    window.show_snapshot(snap)
    window.show_page("devices")
    page = window.pages["devices"]
    assert isinstance(page, DevicesPage)
    view = page.views["kind"]
    assert view.model() is page.models["kind"]
    path = "/devices/pci0000:00/0000:00:02.0"
    page.select_path(path)
    assert page.selected_path() == path
    window.search.setText("i915")
    assert view.model() is page.proxies["kind"]
    assert page.selected_path() == path
    window.search.clear()
    assert view.model() is page.models["kind"]
    assert page.selected_path() == path


XPROP_SCRIPT = """
import subprocess
from hwinspector.gui import _app
from hwinspector.main_window import MainWindow
from hwinspector.probes.machine.snapshot import Snapshot, Source
app = _app()  # as the GUI makes it: the application display name is set
w = MainWindow(live_updates=False)
w.show_snapshot(Snapshot(Source("udevadm", "TOSHIBA_NVME.txt", "/tmp/TOSHIBA_NVME.txt"), ()))
w.show()
for _ in range(50):
    app.processEvents()
print(subprocess.run(["xprop", "-id", str(int(w.winId())), "_NET_WM_NAME"], capture_output=True, text=True).stdout)
w.shutdown()
"""


def test_the_title_the_window_manager_sees_names_the_application_once(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Under a real X server Qt's xcb plugin formats the title; the window manager must see it once."""
    import os
    import shutil
    import subprocess
    import sys

    if not (shutil.which("xvfb-run") and shutil.which("xprop")):
        pytest.skip("xvfb-run and xprop are needed (xvfb, x11-utils)")
    env = {k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"}
    done = subprocess.run(
        ["xvfb-run", "-a", sys.executable, "-c", XPROP_SCRIPT],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == '_NET_WM_NAME(UTF8_STRING) = "TOSHIBA_NVME.txt — Hardware Inspector"'
