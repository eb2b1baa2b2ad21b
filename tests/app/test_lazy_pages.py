"""Pages built on first show: the sidebar comes from the modules' source, the rest are built after the window is up."""

from __future__ import annotations

import pytest

from hwinspector.main_window import MainWindow
from hwinspector.pages import _literal_pages, discover_pages, page_infos
from hwinspector.probes.machine.snapshot import load_snapshot


@pytest.fixture
def window(qtbot):  # type: ignore[no-untyped-def]
    w = MainWindow(live_updates=False)
    qtbot.addWidget(w)
    yield w
    w.shutdown()


def test_sidebar_entries_read_from_source_match_the_page_classes() -> None:
    infos = page_infos()
    classes = discover_pages()
    assert [(i.page_id, i.title, i.order, i.description) for i in infos] == [
        (c.page_id, c.title, c.order, c.description) for c in classes
    ]
    assert len(infos) >= 9


def test_a_page_whose_attributes_are_not_literals_is_imported_instead() -> None:
    assert _literal_pages("x", "class P(Page):\n    page_id = 'p'\n    title = TITLE\n") is None
    found = _literal_pages("x", "class P(Page):\n    page_id = 'p'\n    title = 'P'\n    order = 7\n")
    assert found is not None and [(p.page_id, p.title, p.order) for p in found] == [("p", "P", 7)]


def test_only_the_first_page_is_built_with_the_window(window: MainWindow) -> None:
    assert [p.page_id for p in window.built_pages()] == ["overview"]
    assert window.stack.count() == len(page_infos())  # placeholders hold the other rows


def test_a_page_built_later_gets_the_snapshot_and_search(window: MainWindow) -> None:
    snap = load_snapshot(None)
    window.show_snapshot(snap)
    window.search.setText("virtio")
    assert "drivers" not in {p.page_id for p in window.built_pages()}
    assert window.show_page("drivers")
    page = window.current_page()
    assert page.page_id == "drivers" and window.stack.currentWidget() is page
    assert page._snapshot is snap  # the snapshot shown before the page existed
    assert page.problems_proxy.filterRegularExpression().pattern() == "virtio"


def test_the_other_pages_are_built_after_the_window_is_shown(window: MainWindow, qtbot) -> None:  # type: ignore[no-untyped-def]
    window.show()
    qtbot.waitUntil(lambda: len(window.built_pages()) == len(page_infos()), timeout=30000)
    assert [p.page_id for p in window.built_pages()] == [i.page_id for i in page_infos()]
    assert window.stack.count() == len(page_infos())


def test_timeline_events_before_the_telemetry_page_exists_reach_it(window: MainWindow) -> None:
    window._timeline_event(123, "profile", "power profile: performance")
    assert "telemetry" not in {p.page_id for p in window.built_pages()}
    page = window.pages["telemetry"]
    texts = [text for _t, _kind, text in page._timeline]
    assert "power profile: performance" in texts
