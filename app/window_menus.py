"""The main window's menus, toolbar and shortcuts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import QToolBar, QWidget

from hwinspector.i18n import _

if TYPE_CHECKING:
    from hwinspector.main_window import MainWindow


def build_menus(window: MainWindow) -> None:
    """File, View and Help, the toolbar with the search field, and the shortcuts that work without menus."""
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
    quit_act.setShortcut(QKeySequence.StandardKey.Quit)
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
    bug_act.setToolTip(_("Prepare a bug report for the right upstream tracker (nothing is sent)"))
    bug_act.triggered.connect(window.report_bug)
    menu.addAction(bug_act)
    window.bugreport_action = bug_act
    menu.addSeparator()
    menu.addAction(quit_act)
    view = window.menuBar().addMenu(_("&View"))
    for i in range(window.sidebar.count()):
        item = window.sidebar.item(i)
        act = QAction(item.text(), window)
        act.setShortcut(QKeySequence(f"Alt+{i + 1}"))
        act.triggered.connect(lambda _unused=False, row=i: window.sidebar.setCurrentRow(row))
        view.addAction(act)
        window.addAction(act)  # shortcuts work even while the menu bar is hidden or native
    help_menu = window.menuBar().addMenu(_("&Help"))
    help_menu.addAction(_("&About"), window._about)
    spacer = QWidget()
    spacer.setSizePolicy(spacer.sizePolicy().horizontalPolicy().Expanding, spacer.sizePolicy().verticalPolicy())
    tb.addWidget(spacer)
    tb.addWidget(window.search)
    QShortcut(QKeySequence.StandardKey.Find, window, window._focus_search)
    QShortcut(QKeySequence("Escape"), window.search, window.search.clear)
