"""Idle & suspend page: a real measurement on a collector thread, the report in its tables, states explained."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication

from hwinspector.models.idle import cstate_rows
from hwinspector.pages import discover_pages
from hwinspector.pages.idle import IdlePage
from hwinspector.probes.machine.snapshot import Snapshot, Source
from hwinspector.probes.power.idle import measure_idle

LIVE = Snapshot(Source("live", "live machine"), ())
DUMP = Snapshot(Source("udevadm", "UdevDb.txt", "/tmp/UdevDb.txt"), ())
SHOTS = os.environ.get("HWINSPECTOR_SCREENSHOTS")


@pytest.fixture
def page(qtbot: Any) -> Any:
    p = IdlePage()
    qtbot.addWidget(p)
    p.resize(1280, 800)
    yield p
    p.shutdown()


def test_discovered() -> None:
    assert "idle" in {cls.page_id for cls in discover_pages()}


def test_measure_on_a_thread_and_show_the_report(page: IdlePage, qtbot: Any, qtmodeltester: Any) -> None:
    page.set_snapshot(LIVE)
    page.show()
    assert page.stack.currentWidget() is page.before
    page.duration.setValue(2)
    gui_thread = threading.get_ident()
    seen_threads: list[int] = []

    def measure(*args: Any, **kwargs: Any) -> Any:
        seen_threads.append(threading.get_ident())
        return measure_idle(*args, **kwargs)

    page.collector._measure = measure
    page.measure.click()
    assert page.progress.isVisible() and page.measure.text() == "Stop"
    with qtbot.waitSignal(page.collector.finished, timeout=60_000):
        pass
    assert seen_threads and all(t != gui_thread for t in seen_threads)  # the work ran off the GUI thread
    assert page.stack.currentWidget() is page.results
    assert page.verdict.text()
    assert page.models["processes"].rowCount() > 0
    assert page.models["cstates"].rowCount() == len(cstate_rows(page.doc or {}))
    for m in page.models.values():
        qtmodeltester.check(m, force_py=True)
    page.copy.click()
    copied = json.loads(QApplication.clipboard().text())
    assert copied["self"] == (page.doc or {})["self"]
    assert not page.progress.isVisible() and page.measure.text() == "Measure again"
    qtbot.waitUntil(lambda: page.suspend.doc is not None or "Could not" in page.suspend.summary.text(), timeout=20_000)
    if SHOTS:
        page.grab().save(str(Path(SHOTS) / "idle-processes.png"))
        page.tabs.setCurrentIndex(2)
        page.grab().save(str(Path(SHOTS) / "idle-states.png"))
        page.tabs.setCurrentWidget(page.suspend)
        page.grab().save(str(Path(SHOTS) / "idle-suspend.png"))


def test_denied_helper_is_explained(page: IdlePage, qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HWINSPECTOR_HELPER_LAUNCHER", "false")
    page.set_snapshot(LIVE)
    page.duration.setValue(2)
    page.show()
    assert not page.consent_note.isVisible()
    page.privileged.setChecked(True)
    assert page.consent_note.isVisible() and "CVE-2020-8694" in page.consent_note.text()
    with qtbot.waitSignal(page.collector.finished, timeout=60_000):
        page.measure.click()
    assert "Root-only counters unavailable" in page.priv_note.text()
    assert "exit status 1" in page.priv_note.text()
    assert page.models["processes"].rowCount() > 0  # everything else was measured


def test_stop_cuts_the_window_short(page: IdlePage, qtbot: Any) -> None:
    page.set_snapshot(LIVE)
    page.duration.setValue(120)
    page.measure.click()
    qtbot.wait(300)
    with qtbot.waitSignal(page.collector.finished, timeout=20_000):
        page.measure.click()
    assert (page.doc or {})["duration_s"] < 10


def test_dump_explains_why_there_is_nothing(page: IdlePage) -> None:
    page.set_snapshot(DUMP)
    assert page.stack.currentWidget() is page.not_live
    assert "report --idle" in page.not_live.text() and "UdevDb.txt" in page.not_live.text()
    assert not page.measure.isEnabled()
