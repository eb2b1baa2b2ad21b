"""The Compare page: two sources picked, compared on a worker thread, differences listed as plain text;
and a bundle opened in the main window: banner, pages and the Telemetry page's replay."""

from __future__ import annotations

import copy
import json
import tarfile
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from hwinspector.main_window import MainWindow
from hwinspector.pages.compare import ComparePage
from hwinspector.probes.machine.sections import Section, sections_from_snapshot
from hwinspector.probes.machine.snapshot import load_snapshot
from tests.report.bundles import LAPTOP, NAME, laptop_snapshot, member, minimal_members, recording_bytes, tar_xz
from tests.report.bundles import write_laptop_bundle as write_bundle

EVIL = '<b>Evil</b><img src="x" onerror="alert(1)">'


@pytest.fixture
def page(qtbot):  # type: ignore[no-untyped-def]
    p = ComparePage()
    p.include_gl = False
    qtbot.addWidget(p)
    yield p
    p.shutdown()


def _texts(page: ComparePage) -> list[tuple[str, list[str]]]:
    out = []
    for i in range(page.tree.topLevelItemCount()):
        top = page.tree.topLevelItem(i)
        assert top is not None
        out.append((top.text(0), [top.child(j).text(0) for j in range(top.childCount())]))  # type: ignore[union-attr]
    return out


def test_compares_two_bundles_and_lists_the_differences(page: ComparePage, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    secs = sections_from_snapshot(laptop_snapshot())
    changed = copy.deepcopy(secs)
    devices = changed["devices"].data["devices"]
    devices.append(dict(devices[-1], path="/devices/platform/evil", name=EVIL))
    a = write_bundle(tmp_path / "a", sections=secs)
    b = write_bundle(tmp_path / "b", sections=changed, name="hwreport-20250602T120000Z-0a1b2c3d")
    page.add_source(str(a), "A")
    page.add_source(str(b), "B")
    assert page.source("A") == str(a) and page.source("B") == str(b)
    with qtbot.waitSignal(page.compared, timeout=30000):
        page.start()
    assert page.result is not None and not page.result.equal
    assert page.status.text() == "1 difference between A and B."
    texts = _texts(page)
    assert texts[0] == ("Devices (1)", [f"+ /devices/platform/evil  ({EVIL})"])
    assert any(t.startswith("Not compared") for t, _ in texts)
    assert page.status.textFormat() == Qt.TextFormat.PlainText
    page.set_filter("no such text")
    assert page.tree.topLevelItem(0).isHidden()  # type: ignore[union-attr]
    page.set_filter("evil")
    assert not page.tree.topLevelItem(0).isHidden()  # type: ignore[union-attr]


def test_live_against_a_dump_and_bad_input(page: ComparePage, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page.add_source(str(LAPTOP), "A")
    assert page.source("B") == "live"
    with qtbot.waitSignal(page.compared, timeout=60000):
        page.start()
    assert page.result is not None and page.result.b.kind == "live"
    assert any(t.startswith("Devices (") for t, _ in _texts(page))  # this VM is not the laptop
    broken = tmp_path / "broken.tar.xz"
    broken.write_bytes(b"\xfd7zXZ\x00 cut")
    page.add_source(str(broken), "B")
    with qtbot.waitSignal(page.compared, timeout=30000) as blocker:
        page.start()
    assert blocker.args == [None] and page.status.text().startswith(f"Cannot compare: {broken}:")
    assert page.compare_button.isEnabled()


def test_the_shown_bundle_becomes_side_a(page: ComparePage, tmp_path: Path) -> None:
    bundle = write_bundle(tmp_path)
    page.set_snapshot(load_snapshot(bundle))
    assert page.source("A") == str(bundle) and page.source("B") == "live"


# --- a bundle in the main window -------------------------------------------------------------------


@pytest.fixture
def window(qtbot):  # type: ignore[no-untyped-def]
    w = MainWindow(live_updates=False)
    qtbot.addWidget(w)
    yield w
    w.shutdown()


def test_open_a_bundle_banner_pages_and_replay(window: MainWindow, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bundle = write_bundle(tmp_path, recording=recording_bytes(tmp_path))
    telemetry = window.pages["telemetry"]
    with (
        qtbot.waitSignal(window.recording_loaded, timeout=30000),
        qtbot.waitSignal(window.snapshot_shown, timeout=30000),
    ):
        window.load_source(str(bundle))
    assert window.source_label.text() == f"Source: {bundle.name} (evidence bundle)"
    assert window.banner.textFormat() == Qt.TextFormat.PlainText and not window.banner.isHidden()
    assert window.banner.text().startswith(
        f"You are looking at {bundle.name}: an evidence bundle captured 2025-06-01 12:00 UTC on Dell Inc. XPS 13 9310"
    )
    devices = window.pages["devices"]
    assert devices.models["topology"].device_paths() == {d.path for d in laptop_snapshot().devices}  # type: ignore[attr-defined]
    power = window.pages["power"].empty.text()  # type: ignore[attr-defined]
    assert power.startswith(f"Captured in {bundle.name}: structured/power.json — supplies: 1 (BAT0).")
    thermal = window.pages["thermal"].empty.text()  # type: ignore[attr-defined]
    assert thermal.startswith(f"{bundle.name} holds no thermal data (structured/thermal.json: not part of laptop")
    qtbot.waitUntil(lambda: getattr(telemetry, "replay", None) is not None, timeout=10000)
    rec = telemetry.replay  # type: ignore[attr-defined]
    assert [m.note for m in rec.markers] == ["lid closed"] and rec.path == f"{bundle} (recording)"
    # another bundle without a recording: the previous replay does not stay on screen
    plain = write_bundle(tmp_path / "p", name="hwreport-20250601T130000Z-00000000")
    with qtbot.waitSignal(window.recording_loaded, timeout=30000):
        window.load_source(str(plain))
    qtbot.waitUntil(lambda: telemetry.replay is None, timeout=10000)  # type: ignore[attr-defined]


def test_markup_from_a_bundle_is_shown_as_text(window: MainWindow, qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    devices = [{"path": "/devices/evil", "name": EVIL, "kind": EVIL, "properties": {"ID_MODEL": EVIL}}]
    entries = minimal_members(devices=devices)
    manifest = {"schema_version": 1, "created": "2025-06-01T12:00:00.000Z", "system": {"vendor": EVIL, "product": EVIL}}
    entries[1] = member(f"{NAME}/manifest.json", json.dumps(manifest).encode())
    entries.append(member(f"{NAME}/structured/drivers.json", json.dumps({"available": True, "data": {
        "bindings": [], "problems": [{"path": "/devices/evil", "kind": "unbound", "severity": "error",
                                      "detail": EVIL, "name": EVIL}]}}).encode()))  # fmt: skip
    path = tmp_path / f"{NAME}.tar.xz"
    path.write_bytes(tar_xz(entries))
    assert tarfile.is_tarfile(path)
    snap = load_snapshot(path)
    window.show()
    checked = 0
    for page_id in window.pages:
        window.show_page(page_id)
        window.show_snapshot(snap)
        qtbot.wait(10)
        # every label showing text from the bundle shows it as text, never as markup
        for label in window.findChildren(QLabel):
            if "Evil" in label.text() and label.isVisible():
                checked += 1
                assert label.textFormat() == Qt.TextFormat.PlainText or "&lt;b&gt;" in label.text(), (
                    page_id,
                    label.objectName(),
                    label.text()[:80],
                )
    assert checked >= 3  # the banner, the Overview heading, the driver problem at least


def test_sections_of_an_opened_bundle_reach_other_views(tmp_path: Path) -> None:
    secs = dict(sections_from_snapshot(laptop_snapshot()))
    secs["thermal"] = Section("thermal", True, None, {"zones": [{"type": "x86_pkg_temp", "temp_celsius": 48.0}]})
    bundle = write_bundle(tmp_path, sections=secs)
    got = sections_from_snapshot(load_snapshot(bundle))
    assert got["thermal"].data == {"zones": [{"type": "x86_pkg_temp", "temp_celsius": 48.0}]}


def test_the_window_title_names_the_source_then_the_application_once(
    window: MainWindow, qtbot, tmp_path: Path, corpus: Path
) -> None:  # type: ignore[no-untyped-def]
    """It read "Hardware Inspector — live machine — Hardware Inspector": Qt appends the display name to a
    title that does not end with it. Live, a dump and a bundle here; a remote host in tests/app/remote."""
    assert window.windowTitle() == "Hardware Inspector"
    bundle = write_bundle(tmp_path)
    dump = corpus / "udev/checkbox-udevadm_data/TOSHIBA_NVME.txt"
    for source, title in (
        (None, "live machine — Hardware Inspector"),
        (str(dump), "TOSHIBA_NVME.txt — Hardware Inspector"),
        (str(bundle), f"{bundle.name} — Hardware Inspector"),
    ):
        with qtbot.waitSignal(window.snapshot_shown, timeout=60000):
            window.load_source(source)
        assert window.windowTitle() == title
        assert window.windowTitle().count("Hardware Inspector") == 1
