"""--screenshot waits until the page says its data (or its error) is on screen: a slow source is captured
with its data, never as "Reading the machine…"; every page says when it has shown what it was given."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtGui import QImage

from hwinspector.collectors import snapshot as snapshot_collector
from hwinspector.gui import capture, save_screenshot
from hwinspector.main_window import MainWindow
from hwinspector.pages import overview, page_infos
from hwinspector.pages.base import DataState
from hwinspector.pages.overview import OverviewPage
from hwinspector.probes.machine.snapshot import load_snapshot

DUMP = "udev/checkbox-udevadm_data/TOSHIBA_NVME.txt"
SIZE = (1024, 700)
DELAY_S = 1.5


def slowed(fn: Callable[..., Any], delay_s: float = DELAY_S) -> Callable[..., Any]:
    """The real reader, started ``delay_s`` late: the race the old screenshot lost 2 times in 6."""

    def late(*args: Any, **kwargs: Any) -> Any:
        time.sleep(delay_s)
        return fn(*args, **kwargs)

    return late


@pytest.fixture
def slow_source(monkeypatch: pytest.MonkeyPatch) -> None:
    # both reads a screenshot of the Overview waits for: the snapshot, then the page's own sections
    monkeypatch.setattr(snapshot_collector, "load_snapshot", slowed(snapshot_collector.load_snapshot))
    monkeypatch.setattr(overview, "sections_from_snapshot", slowed(overview.sections_from_snapshot))


def loading_picture(qtbot: Any, path: Path) -> QImage:
    """The Overview before its source arrives ("Reading the machine…"), at the screenshot's size."""
    w = MainWindow(live_updates=False, interactive=False)
    qtbot.addWidget(w)
    w.show_page("overview")
    w.resize(*SIZE)
    w.show()
    qtbot.wait(50)
    assert w.grab().save(str(path))
    w.shutdown()
    return QImage(str(path))


def differing_pixels(a: QImage, b: QImage) -> int:
    assert a.size() == b.size()
    return sum(a.pixel(x, y) != b.pixel(x, y) for x in range(0, a.width(), 4) for y in range(0, a.height(), 4))


def test_a_slow_source_is_captured_with_its_data(qtbot: Any, corpus: Path, tmp_path: Path, slow_source: None) -> None:
    window = MainWindow(live_updates=False, interactive=False)
    qtbot.addWidget(window)
    window.show_page("overview")
    window.resize(*SIZE)
    window.show()
    window.load_source(str(corpus / DUMP))
    picture = capture(window, window, timeout_s=60)
    page = window.current_page()
    assert isinstance(page, OverviewPage)
    # the page's own state when the picture was taken: its data, not "Reading the machine…"
    assert page.data_state is DataState.COMPLETE
    assert page.heading.text() not in ("…", "")
    assert page.status_text.text().startswith("Scorecard: FAIL")
    assert len(page.scorecard.cards) == 22
    shot = tmp_path / "overview.png"
    assert picture.save(str(shot))
    window.shutdown()
    changed = differing_pixels(QImage(str(shot)), loading_picture(qtbot, tmp_path / "loading.png"))
    assert changed > 2000  # heading, identity and 22 cards where the loading state has one line


def test_the_cli_screenshot_waits_for_a_slow_source(
    qtbot: Any, corpus: Path, tmp_path: Path, slow_source: None, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "overview.png"
    started = time.monotonic()
    assert save_screenshot(str(corpus / DUMP), "overview", out, SIZE) == 0
    assert time.monotonic() - started >= 2 * DELAY_S  # it waited for both slow reads
    assert capsys.readouterr().out.strip() == f"saved {out}"
    loading = loading_picture(qtbot, tmp_path / "loading.png")
    assert differing_pixels(QImage(str(out)), loading) > 2000


def test_a_page_that_never_shows_its_data_is_a_clear_message(
    qtbot: Any, corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(overview, "sections_from_snapshot", slowed(overview.sections_from_snapshot, 4.0))
    out = tmp_path / "late.png"
    assert save_screenshot(str(corpus / DUMP), "overview", out, SIZE, timeout_s=1.0) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "the overview page had not shown its data after 1 s (it showed nothing yet); saving what it showed" in err
    assert out.exists()  # what it showed is kept, and the exit status says it is not the data


def test_an_unreadable_source_is_one_line_and_no_picture(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "x.png"
    assert save_screenshot(str(tmp_path / "missing.txt"), "overview", out, SIZE) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no such file" in err
    assert not out.exists()


def test_every_page_says_when_its_data_is_on_screen(qtbot: Any, corpus: Path) -> None:
    """A dump on every page: each one reaches COMPLETE (a page that never did would stall --screenshot)."""
    snap = load_snapshot(corpus / DUMP)
    window = MainWindow(live_updates=False, interactive=False)
    qtbot.addWidget(window)
    window.resize(*SIZE)
    window.show()
    window.show_snapshot(snap)
    for info in page_infos():
        assert window.show_page(info.page_id)
        page = window.current_page()
        qtbot.waitUntil(lambda page=page: page.data_state is DataState.COMPLETE, timeout=30_000)
        assert page.settled(), info.page_id
    window.shutdown()
