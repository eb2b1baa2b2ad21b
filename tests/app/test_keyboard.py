"""The window from the keyboard alone: every page and its main actions, with the focus visible where it is."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import QAbstractButton, QApplication, QPushButton, QWidget

from hwinspector.main_window import MainWindow
from hwinspector.probes.machine.snapshot import load_snapshot
from hwinspector.window_actions import KEYS, PAGE_KEYS, first_focusable

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture
def window(qtbot) -> Iterator[MainWindow]:  # type: ignore[no-untyped-def]
    w = MainWindow(live_updates=False)
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show_snapshot(load_snapshot(None))
    w.show()
    qtbot.waitExposed(w)
    make_active(qtbot, w)
    qtbot.waitUntil(lambda: len(w.built_pages()) == w.sidebar.count(), timeout=30000)
    yield w
    w.shutdown()


def focus() -> QWidget | None:
    return QApplication.focusWidget()


def active(qtbot) -> QWidget:  # type: ignore[no-untyped-def]
    """The window under test, active again if the offscreen platform let it go (it deactivates whatever window
    is active when an earlier test's window is destroyed late)."""
    w = next(x for x in QApplication.topLevelWidgets() if isinstance(x, MainWindow) and x.isVisible())
    if QApplication.activeWindow() is not w:
        make_active(qtbot, w)
    return w


def make_active(qtbot, w: QWidget) -> None:  # type: ignore[no-untyped-def]
    """Ask for ``w`` to be the active window until it is: the offscreen platform drops the active window
    (to none) when an earlier test's window is destroyed late, which can undo a single request."""

    def now_active() -> bool:
        if QApplication.activeWindow() is w:
            return True
        w.activateWindow()
        return False

    qtbot.waitUntil(now_active, timeout=10_000)


def press(qtbot, keys: str) -> None:  # type: ignore[no-untyped-def]
    """Type a key sequence ("Ctrl+PgDown") at whatever has the focus, as a user would."""
    window = active(qtbot)
    target = focus() or window
    combo = QKeySequence(keys)[0]
    qtbot.keyClick(target, combo.key(), combo.keyboardModifiers())


def test_from_start_tab_reaches_the_page_list_and_arrows_walk_every_page(window: MainWindow, qtbot) -> None:  # type: ignore[no-untyped-def]
    for _ in range(40):
        if focus() is window.sidebar:
            break
        press(qtbot, "Tab")
    assert focus() is window.sidebar, "Tab never reached the page list"
    press(qtbot, "Home")
    seen = [window.current_page().page_id]
    for _ in range(window.sidebar.count() - 1):
        press(qtbot, "Down")
        seen.append(window.current_page().page_id)
    assert seen == list(window.pages)


def test_shortcuts_reach_every_page(window: MainWindow, qtbot) -> None:  # type: ignore[no-untyped-def]
    ids = list(window.pages)
    for i, keys in enumerate(PAGE_KEYS[: len(ids)]):
        press(qtbot, keys)
        assert window.current_page().page_id == ids[i], keys
    press(qtbot, "Alt+1")
    walked = []
    for _ in range(len(ids)):
        press(qtbot, "Ctrl+PgDown")
        walked.append(window.current_page().page_id)
    assert walked == [*ids[1:], ids[0]], "Ctrl+PgDown goes through every page and wraps"
    press(qtbot, "Ctrl+PgUp")
    assert window.current_page().page_id == ids[-1]


def test_f6_moves_between_page_list_page_and_search(window: MainWindow, qtbot) -> None:  # type: ignore[no-untyped-def]
    press(qtbot, "Alt+1")  # Overview: its buttons are there before its reading
    window.sidebar.setFocus()
    press(qtbot, "F6")
    assert window.current_page().isAncestorOf(focus())
    press(qtbot, "F6")
    assert focus() is window.search
    press(qtbot, "F6")
    assert focus() is window.sidebar
    press(qtbot, "Shift+F6")
    assert focus() is window.search
    window.sidebar.setFocus()
    press(qtbot, "Ctrl+F")
    assert focus() is window.search
    qtbot.keyClicks(window.search, "pci")
    press(qtbot, "Escape")
    assert window.search.text() == ""


def _page_buttons(page: QWidget) -> set[QAbstractButton]:
    return {b for b in page.findChildren(QPushButton) if b.isVisible() and b.isEnabled() and b.text()}


def _reachable(button: QAbstractButton, reached: set[QWidget]) -> bool:
    """Reached by Tab, or one of an exclusive group Tab enters at the checked one and the arrow keys move in
    (Qt's rule for radio-like buttons, as for radio buttons)."""
    group = button.group()
    if button in reached:
        return True
    return group is not None and group.exclusive() and any(b in reached for b in group.buttons())


@pytest.mark.parametrize(
    "page_id",
    [
        "overview", "devices", "drivers", "graphics", "audio", "camera", "usbc", "wireless", "power", "idle",
        "thermal", "telemetry", "firmware", "compare",
    ],
)  # fmt: skip
def test_tab_reaches_every_action_of_the_page(window: MainWindow, qtbot, page_id: str) -> None:  # type: ignore[no-untyped-def]
    """From the page list, F6 and then Tab alone visit every button the page shows, with a focus to see."""
    assert window.show_page(page_id)
    qtbot.wait(300)
    page = window.current_page()
    wanted = _page_buttons(page)
    active(qtbot)
    window.sidebar.setFocus()
    press(qtbot, "F6")
    reached: set[QWidget] = set()
    for _ in range(300):
        w = focus()
        if w is None or not page.isAncestorOf(w):
            break  # Tab left the page: every stop inside it was visited
        reached.add(w)
        press(qtbot, "Tab")
    missing = {b.text() for b in wanted if not _reachable(b, reached)}
    assert not missing, f"{page_id}: Tab never stops at {missing}"
    assert reached or not wanted, f"{page_id}: nothing on the page takes the keyboard focus"


def test_space_ticks_a_channel_and_pauses_only_on_the_plot(window: MainWindow, qtbot) -> None:  # type: ignore[no-untyped-def]
    """Space was a page-wide shortcut for Pause: it took Space from the channel tree and from every button."""
    window.show_page("telemetry")
    page = window.current_page()
    tree = page.tree  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: tree.model().rowCount() > 0, timeout=20000)
    active(qtbot)
    tree.setFocus()
    group = tree.model().index(0, 0)
    tree.expand(group)
    leaf = tree.model().index(0, 0, group)
    tree.setCurrentIndex(leaf)
    before = leaf.data(Qt.ItemDataRole.CheckStateRole)
    paused = page.pause_button.isChecked()  # type: ignore[attr-defined]
    press(qtbot, "Space")
    assert leaf.data(Qt.ItemDataRole.CheckStateRole) != before, "Space did not tick the channel"
    assert page.pause_button.isChecked() == paused  # type: ignore[attr-defined]
    qtbot.waitUntil(page.plot.isVisible, timeout=20000)  # type: ignore[attr-defined]  # the default channels
    active(qtbot)
    page.plot.setFocus()  # type: ignore[attr-defined]
    qtbot.waitUntil(page.plot.hasFocus)  # type: ignore[attr-defined]
    press(qtbot, "Space")
    assert page.pause_button.isChecked() != paused  # type: ignore[attr-defined]


def test_every_listed_shortcut_exists_and_the_readme_lists_them(window: MainWindow) -> None:
    bound = {a.shortcut().toString() for a in window.findChildren(QAction) if not a.shortcut().isEmpty()}
    bound |= {s.key().toString() for s in window.findChildren(QShortcut)}
    for page in window.pages.values():
        bound |= {s.key().toString() for s in page.findChildren(QShortcut)}
    for keys, _what in KEYS:
        for combo in re.split(r", | … ", keys):
            if combo.startswith(("Arrow", "Home", "End", "Tab", "Shift+Tab", "Alt+1", "Escape")):
                continue  # the keys of a view or of Qt itself
            assert QKeySequence(combo).toString() in bound, f"{combo!r} is listed but bound to nothing"
    section = README.read_text(encoding="utf-8").split("## Accessibility", 1)
    assert len(section) == 2, "README has no Accessibility section"
    for keys, _what in KEYS:
        assert f"`{keys}`" in section[1], f"README's keyboard map lacks {keys}"


def _grab_differs(widget: QWidget, qtbot) -> bool:  # type: ignore[no-untyped-def]
    active(qtbot)
    widget.clearFocus()
    qtbot.wait(50)
    unfocused = widget.grab().toImage()
    widget.setFocus()
    qtbot.waitUntil(widget.hasFocus)
    qtbot.wait(50)
    return widget.grab().toImage() != unfocused


def test_custom_widgets_show_the_keyboard_focus(window: MainWindow, qtbot) -> None:  # type: ignore[no-untyped-def]
    window.show_page("telemetry")
    page = window.current_page()
    tree = page.tree  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: tree.model().rowCount() > 0, timeout=20000)
    group = tree.model().index(0, 0)
    tree.model().setData(tree.model().index(0, 0, group), Qt.CheckState.Checked, Qt.ItemDataRole.CheckStateRole)
    plot = page.plot  # type: ignore[attr-defined]
    qtbot.waitUntil(plot.isVisible, timeout=20000)
    assert _grab_differs(plot, qtbot), "the live plot looks the same with and without the focus"
    window.show_page("graphics")
    view = window.current_page().view  # type: ignore[attr-defined]
    qtbot.waitUntil(lambda: bool(view.keys()), timeout=20000)
    view.select_key(view.keys()[0])
    assert _grab_differs(view.viewport(), qtbot) or _grab_differs(view, qtbot), "no focus ring on the chain"
    window.show_page("overview")
    page = window.current_page()
    qtbot.waitUntil(lambda: bool(page.scorecard.cards), timeout=30000)  # type: ignore[attr-defined]
    card = page.scorecard.cards[0]  # type: ignore[attr-defined]
    assert card.focusPolicy() & Qt.FocusPolicy.TabFocus
    assert _grab_differs(card, qtbot), "a focused scorecard card looks like any other"
    assert first_focusable(page) is not None
