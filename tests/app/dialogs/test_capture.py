"""File → Capture evidence…: notes and steps, progress of every step, relaxing a category, the saved bundle."""

from __future__ import annotations

import json
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTreeWidgetItem

from hwinspector.dialogs.capture import CaptureDialog
from hwinspector.dialogs.screenshots import snapshot_from_sections
from hwinspector.main_window import MainWindow
from hwinspector.probes.telemetry.recording import read_recording
from hwinspector.report.bundle import read_members
from tests.report.fixtures_capture import HOSTNAME, KEY, MAC, fixed_options, fixed_sections


def _state(dialog: CaptureDialog, step: str) -> str:
    items = dialog.step_tree.findItems(step, Qt.MatchFlag.MatchExactly, 0)
    assert len(items) == 1, step
    return items[0].text(1)


def test_capture_dialog_end_to_end(qtbot, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("HWI_CHILD_PID", str(tmp_path / "child.pid"))
    base = fixed_options(tmp_path / "in", with_failures=True, command_timeout_s=1.0)
    dialog = CaptureDialog(base=base, key=KEY, directory=tmp_path)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.notes, f"Screen flickers on {HOSTNAME}")
    for step in ("plug in the dock", "unplug it"):
        qtbot.keyClicks(dialog.step_edit, step)
        qtbot.mouseClick(dialog.add_step_button, Qt.MouseButton.LeftButton)
    assert dialog.step_texts() == ["plug in the dock", "unplug it"]
    dialog.gl_box.setChecked(False)
    qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    assert dialog.stack.currentIndex() == 1  # the progress view
    with qtbot.waitSignal(dialog.redacted, timeout=60000):
        pass
    assert dialog.stack.currentIndex() == 2
    # every step is listed with how it ended
    assert _state(dialog, "hwi-ok") == "done" and _state(dialog, "hwi-hang") == "timed out"
    assert _state(dialog, "hwi-fail") == "failed" and _state(dialog, "hwi-missing") == "skipped"
    assert _state(dialog, "structured sections") == "done"
    assert dialog.progress_bar.value() == dialog.progress_bar.maximum()
    # the preview: what was found and what it becomes
    mac = dialog.category_item("mac")
    assert mac is not None and mac.text(1) == "masked"
    pairs = {mac.child(i).text(0): mac.child(i).text(1) for i in range(mac.childCount())}
    assert pairs[MAC].startswith("MAC-")
    host = dialog.category_item("hostname")
    assert host is not None and host.child(0).text(0) == HOSTNAME
    # relax one category: the filter runs again and the preview says it stays as read
    with qtbot.waitSignal(dialog.redacted, timeout=30000):
        mac.setCheckState(0, Qt.CheckState.Checked)
    mac = dialog.category_item("mac")
    assert (
        isinstance(mac, QTreeWidgetItem)
        and mac.text(1) == "kept as read"
        and mac.checkState(0) == Qt.CheckState.Checked
    )
    assert mac.child(0).text(1) == mac.child(0).text(0)
    out = tmp_path / "dock.tar.xz"
    dialog.path_edit.setText(str(out))
    with qtbot.waitSignal(dialog.saved, timeout=60000) as saved:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert saved.args == [str(out)] and dialog.stack.currentIndex() == 3 and str(out) in dialog.done_label.text()
    _, members = read_members(out)
    manifest = json.loads(members["manifest.json"])
    assert manifest["steps"] == ["plug in the dock", "unplug it"]
    assert manifest["notes"].startswith("Screen flickers on HOSTNAME-")
    assert manifest["privacy"]["categories"]["mac"] == {"count": 1, "relaxed": True}
    assert manifest["privacy"]["categories"]["hostname"]["relaxed"] is False
    assert MAC.encode() in members["raw/test/ok.txt"] and HOSTNAME.encode() not in members["raw/test/ok.txt"]
    assert "attachments/screenshot-overview.png" not in members


def test_no_redact_option_skips_the_filter(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    dialog = CaptureDialog(base=fixed_options(tmp_path / "in"), key=KEY, directory=tmp_path)
    qtbot.addWidget(dialog)
    dialog.no_redact_box.setChecked(True)
    dialog.screenshots_box.setChecked(True)
    with qtbot.waitSignal(dialog.redacted, timeout=60000):
        qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    assert "Nothing will be redacted" in dialog.privacy_label.text() and dialog.privacy_tree.topLevelItemCount() == 0
    assert dialog.path_edit.text() == str(tmp_path / "hwreport-20250615T150640Z-0123abcd.tar.xz")
    with qtbot.waitSignal(dialog.saved, timeout=60000) as saved:
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    _, members = read_members(Path(saved.args[0]))
    assert json.loads(members["manifest.json"])["privacy"]["redacted"] is False
    shot = members["attachments/screenshot-devices.png"]
    assert shot[:8] == b"\x89PNG\r\n\x1a\n"


def test_main_window_has_the_capture_action(qtbot) -> None:  # type: ignore[no-untyped-def]
    window = MainWindow(live_updates=False)
    qtbot.addWidget(window)
    file_menu = window.menuBar().actions()[0].menu()
    assert file_menu is not None
    assert "&Capture evidence…" in [a.text() for a in file_menu.actions()]
    assert window.capture_action.shortcut().toString() == "Ctrl+Shift+E"
    window.shutdown()


def test_screenshot_snapshot_comes_from_the_sections() -> None:
    sections = {n: s.to_json() for n, s in fixed_sections().items()}
    snap = snapshot_from_sections(sections, "this capture")
    assert len(snap.devices) == 3 and snap.devices[1].properties["ID_SERIAL_SHORT"] == "S4EWNX0R123456"
    assert [b.driver for b in snap.bindings] == ["i915"] and snap.problems[0].candidates == ("sdhci_pci",)
    assert snap.system.vendor == "ACME" and not snap.source.is_live


def test_marking_a_step_during_the_recording(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    zone = tmp_path / "in/sys/class/thermal/thermal_zone0"
    zone.mkdir(parents=True)
    (zone / "type").write_text("x86_pkg_temp\n")
    (zone / "temp").write_text("47000\n")
    dialog = CaptureDialog(base=fixed_options(tmp_path / "in"), key=KEY, directory=tmp_path)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.step_edit.setText("suspend for 5 s")
    dialog.add_step()
    dialog.record_box.setChecked(True)
    dialog.duration.setValue(3)
    qtbot.mouseClick(dialog.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: bool(dialog.step_tree.findItems("telemetry recording", Qt.MatchFlag.MatchExactly, 0)), timeout=10000
    )
    assert dialog.recording_box.isVisible() and dialog.marker_combo.currentText() == "suspend for 5 s"
    qtbot.mouseClick(dialog.marker_button, Qt.MouseButton.LeftButton)
    with qtbot.waitSignal(dialog.redacted, timeout=60000):
        pass
    assert _state(dialog, "telemetry recording") == "done" and not dialog.recording_box.isEnabled()
    out = tmp_path / "rec.tar.xz"
    dialog.path_edit.setText(str(out))
    with qtbot.waitSignal(dialog.saved, timeout=60000):
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    _, members = read_members(out)
    rec_file = tmp_path / "rec.jsonl.gz"
    rec_file.write_bytes(members["recordings/telemetry.jsonl.gz"])
    rec = read_recording(rec_file)
    assert [m.note for m in rec.markers] == ["suspend for 5 s"]
    assert rec.duration_s > 2.0
