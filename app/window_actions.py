"""The main window's menus, tool bar and shortcuts: every page and every action within reach of the keyboard."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QMessageBox, QSizePolicy, QToolBar, QWidget

from hwinspector.i18n import N_, _

if TYPE_CHECKING:
    from hwinspector.main_window import MainWindow

# Every shortcut of the window, in the order Help → Keyboard shortcuts and the README's Accessibility section
# list them (a test checks both against the actions and QShortcuts that exist).
KEYS: tuple[tuple[str, str], ...] = (
    ("Alt+1 … Alt+9, Alt+0", N_("the first ten pages (View menu)")),
    ("Ctrl+PgDown, Ctrl+PgUp", N_("next and previous page")),
    ("F6, Shift+F6", N_("move between the page list, the page and the search field")),
    ("Tab, Shift+Tab", N_("move between the controls of a page")),
    ("Ctrl+F", N_("search this page; Escape clears the search")),
    ("Ctrl+O", N_("open an evidence bundle or a device dump")),
    ("Ctrl+Shift+M", N_("connect to another machine over ssh")),
    ("Ctrl+L", N_("show the live machine again")),
    ("F5", N_("read the source again")),
    ("Ctrl+Shift+E", N_("capture evidence")),
    ("Ctrl+Shift+B", N_("report a bug")),
    ("F11", N_("Overview: presentation mode (Escape or F11 leaves it)")),
    ("Ctrl+1, Ctrl+2", N_("Devices: by connection, by kind")),
    ("Arrow keys, Home, End", N_("chains (Graphics, Audio, Camera, USB-C, Wireless): move between boxes")),
    ("M, Space", N_("Telemetry: add a marker; on the plot, pause or follow")),
    ("Ctrl+C", N_("copy the selected rows of a table")),
    ("F1", N_("this list")),
    ("Ctrl+Q", N_("quit")),
)
PAGE_KEYS = tuple(f"Alt+{n}" for n in (1, 2, 3, 4, 5, 6, 7, 8, 9, 0))


def build_actions(window: MainWindow) -> None:
    """The File, View and Help menus, the tool bar with the search field, and the window-wide shortcuts."""
    tb = QToolBar(_("Main"))
    tb.setMovable(False)
    window.addToolBar(tb)
    menu = window.menuBar().addMenu(_("&File"))
    open_act = QAction(_("&Open bundle or dump…"), window)
    open_act.setShortcut(QKeySequence.StandardKey.Open)
    open_act.setToolTip(
        _("Open an evidence bundle (.tar.xz), a udevadm --export-db dump or a umockdev recording from another machine")
    )
    open_act.triggered.connect(window.open_dialog)
    connect_act = QAction(_("Connect to &machine…"), window)
    connect_act.setShortcut(QKeySequence("Ctrl+Shift+M"))
    connect_act.setToolTip(_("Inspect another machine over ssh (your ssh config, keys and known_hosts)"))
    connect_act.triggered.connect(lambda: window.remote.ask_and_connect())
    live_act = QAction(_("Show &live machine"), window)
    live_act.setShortcut(QKeySequence("Ctrl+L"))
    live_act.triggered.connect(lambda: window.load_source(None))
    reload_act = QAction(_("&Reload"), window)
    reload_act.setShortcut(QKeySequence.StandardKey.Refresh)
    reload_act.triggered.connect(window.reload)
    quit_act = QAction(_("&Quit"), window)
    # the platform's Quit keys; Qt's generic theme (Xvfb, tiling window managers) has none, so Ctrl+Q there
    quit_act.setShortcuts(QKeySequence.keyBindings(QKeySequence.StandardKey.Quit) or [QKeySequence("Ctrl+Q")])
    quit_act.triggered.connect(window.close)
    for a in (open_act, connect_act, live_act, reload_act):
        menu.addAction(a)
        tb.addAction(a)
    menu.addSeparator()
    capture_act = QAction(_("&Capture evidence…"), window)
    capture_act.setShortcut(QKeySequence("Ctrl+Shift+E"))
    capture_act.setToolTip(_("Capture a private, verifiable evidence bundle of this machine"))
    capture_act.triggered.connect(window.capture_evidence)
    menu.addAction(capture_act)
    window.capture_action = capture_act
    bug_act = QAction(_("&Report a bug…"), window)
    bug_act.setShortcut(QKeySequence("Ctrl+Shift+B"))
    bug_act.setToolTip(_("Prepare a bug report for the right upstream tracker (nothing is sent)"))
    bug_act.triggered.connect(window.report_bug)
    menu.addAction(bug_act)
    window.bugreport_action = bug_act
    menu.addSeparator()
    menu.addAction(quit_act)
    _page_actions(window)
    help_menu = window.menuBar().addMenu(_("&Help"))
    keys_act = help_menu.addAction(_("&Keyboard shortcuts"), lambda: show_keys(window))
    keys_act.setShortcut(QKeySequence.StandardKey.HelpContents)
    window.addAction(keys_act)
    help_menu.addAction(_("&About"), window.about)
    spacer = QWidget()
    spacer.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    tb.addWidget(spacer)
    tb.addWidget(window.search)
    QShortcut(QKeySequence.StandardKey.Find, window, window.focus_search)
    QShortcut(QKeySequence("Escape"), window.search, window.search.clear)
    QShortcut(QKeySequence("F6"), window, lambda: cycle_panes(window, 1))
    QShortcut(QKeySequence("Shift+F6"), window, lambda: cycle_panes(window, -1))


def _page_actions(window: MainWindow) -> None:
    """View → one action per page: Alt+1 … Alt+0 for the first ten, Ctrl+PgDown and Ctrl+PgUp through all."""
    view = window.menuBar().addMenu(_("&View"))
    for i in range(window.sidebar.count()):
        act = QAction(window.sidebar.item(i).text(), window)
        if i < len(PAGE_KEYS):
            act.setShortcut(QKeySequence(PAGE_KEYS[i]))  # "Alt+10" is no key sequence at all
        act.triggered.connect(lambda _unused=False, row=i: window.sidebar.setCurrentRow(row))
        view.addAction(act)
        window.addAction(act)  # shortcuts work even while the menu bar is hidden or native
    view.addSeparator()
    for text, keys, step in ((_("&Next page"), "Ctrl+PgDown", 1), (_("&Previous page"), "Ctrl+PgUp", -1)):
        act = QAction(text, window)
        act.setShortcut(QKeySequence(keys))
        act.triggered.connect(lambda _unused=False, step=step: step_page(window, step))
        view.addAction(act)
        window.addAction(act)


def step_page(window: MainWindow, step: int) -> None:
    n = window.sidebar.count()
    if n:
        window.sidebar.setCurrentRow((max(window.sidebar.currentRow(), 0) + step) % n)


def first_focusable(root: QWidget) -> QWidget | None:
    """The first widget inside ``root``, in Tab order, that Tab would stop at."""
    w = root.nextInFocusChain()
    while w is not None and w is not root:
        if root.isAncestorOf(w) and w.isVisibleTo(root) and w.isEnabled() and w.focusPolicy() & Qt.FocusPolicy.TabFocus:
            return w
        w = w.nextInFocusChain()
    return None


def cycle_panes(window: MainWindow, step: int) -> None:
    """F6: the page list, then the page's first control, then the search field (as GNOME and browsers do)."""
    page = window.current_page()
    panes: list[QWidget] = [window.sidebar, page, window.search]
    focus = QApplication.focusWidget()
    here = next((i for i, p in enumerate(panes) if focus is p or (focus is not None and p.isAncestorOf(focus))), -1)
    for k in range(1, len(panes) + 1):
        target = panes[(here + step * k) % len(panes)]
        if target is page:
            inner = first_focusable(page)
            if inner is None:
                continue
            target = inner
        target.setFocus(Qt.FocusReason.OtherFocusReason)
        return


def show_keys(window: QWidget) -> None:
    """Help → Keyboard shortcuts: the same list as the README's."""
    rows = "\n".join(f"{keys}\t{_(what)}" for keys, what in KEYS)
    box = QMessageBox(
        QMessageBox.Icon.Information, _("Keyboard shortcuts"), rows, QMessageBox.StandardButton.Close, window
    )
    box.setTextInteractionFlags(
        Qt.TextInteractionFlag.TextSelectableByKeyboard | Qt.TextInteractionFlag.TextSelectableByMouse
    )
    box.exec()
