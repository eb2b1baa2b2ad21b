"""File → Report a bug…: auto's reason, title and steps, the privacy preview, what is missing, writing the
folder, and the new-issue button that only opens a URL (Qt's URL handler receives it; nothing is uploaded)."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices

from hwinspector.dialogs.bugreport import BugReportDialog
from hwinspector.main_window import MainWindow
from tests.report.bugreport.helpers import amd_folder
from tests.report.fixtures_capture import KEY

SCREENSHOT = os.environ.get("HWINSPECTOR_SCREENSHOT_DIR")


class UrlSink(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url.toString())


def test_report_a_bug_end_to_end(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    dialog = BugReportDialog(source=str(amd_folder(tmp_path)), key=KEY)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.title_edit, "Panel flickers after resume")
    for step in ("Suspend", "Resume"):
        qtbot.keyClicks(dialog.step_edit, step)
        qtbot.keyClick(dialog.step_edit, Qt.Key.Key_Return)
    with qtbot.waitSignal(dialog.prepared, timeout=60000):
        qtbot.mouseClick(dialog.prepare_button, Qt.MouseButton.LeftButton)
    assert dialog.report is not None
    # a folder with no failing check: auto says what it chose and why
    assert dialog.why_label.text().startswith("auto chose ")
    with qtbot.waitSignal(dialog.prepared, timeout=60000):
        dialog.tracker_combo.setCurrentIndex(dialog.tracker_combo.findData("drm-amd"))
    assert dialog.report.tracker.id == "drm-amd" and dialog.report.title == "Panel flickers after resume"
    tree = dialog.missing_tree
    missing = [tree.topLevelItem(i).child(0).text(0) for i in range(tree.topLevelItemCount())]
    assert any("drm.debug=0x1e log_buf_len=4M" in how for how in missing)
    assert dialog.attachments.count() == 4 and "dmesg.txt" in dialog.attachments.item(0).text()
    fs_uuid = dialog.preview.category_item("fs_uuid")
    assert fs_uuid is not None  # the root= UUID of the kernel command line
    if SCREENSHOT:
        dialog.folder_edit.setText("~/bugreport-panel-flicker")
        dialog.resize(1180, 820)
        dialog.grab().save(str(Path(SCREENSHOT) / "bugreport-dialog.png"))
    with qtbot.waitSignal(dialog.prepared, timeout=60000):
        fs_uuid.setCheckState(0, Qt.CheckState.Checked)  # relax a category: the filter runs again
    assert "fs_uuid" in dialog.preview.relaxed
    out = tmp_path / "report"
    dialog.folder_edit.setText(str(out))
    with qtbot.waitSignal(dialog.written, timeout=60000):
        qtbot.mouseClick(dialog.write_button, Qt.MouseButton.LeftButton)
    assert (out / "issue.md").read_text().startswith("## Brief summary of the problem:")
    assert sorted(p.name for p in (out / "attachments").iterdir()) == sorted(a.name for a in dialog.report.attachments)
    sink = UrlSink()
    QDesktopServices.setUrlHandler("https", sink, "open")
    try:
        qtbot.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)
    finally:
        QDesktopServices.unsetUrlHandler("https")
    assert sink.urls == ["https://gitlab.freedesktop.org/drm/amd/-/issues/new"]


def test_a_bad_source_says_so_in_the_dialog(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    dialog = BugReportDialog(source=str(tmp_path / "nope.tar.xz"), key=KEY)
    qtbot.addWidget(dialog)
    qtbot.mouseClick(dialog.prepare_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.prepare_button.isEnabled(), timeout=30000)
    assert "no such file or folder" in dialog.progress_label.text()
    assert not dialog.write_button.isEnabled() and not dialog.open_button.isEnabled()


def test_the_file_menu_has_report_a_bug(qtbot) -> None:  # type: ignore[no-untyped-def]
    from hwinspector.probes.machine.snapshot import Snapshot, Source

    w = MainWindow(Snapshot(Source("udevadm", "x.txt", "/nonexistent/x.txt"), ()))
    qtbot.addWidget(w)
    assert w.bugreport_action.text() == "&Report a bug…"
