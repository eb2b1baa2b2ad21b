"""The window in German, Chinese and the pseudo-locale: every page translated, Qt's own buttons too, numbers in the
locale's form, and no text clipped when every string is 40 % longer."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QDialogButtonBox,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTabBar,
    QTreeView,
    QWidget,
)

from hwinspector import i18n, l10n
from hwinspector.i18n import _
from hwinspector.main_window import MainWindow
from hwinspector.probes.machine.snapshot import load_snapshot

# One text per page that only the translation can have put there (a button, a tab, a group title).
GERMAN = {
    "overview": "Zusammenfassung kopieren",
    "devices": "Alle ausklappen",
    "drivers": "Probleme kopieren",
    "graphics": "Kette kopieren",
    "audio": "Kette kopieren",
    "camera": "Kette kopieren",
    "usbc": "Kette kopieren",
    "wireless": "Kette kopieren",
    "power": "Versorgungen (Kernel)",
    "thermal": "Kühlgeräte",
    "telemetry": "Markierung (M)",
    "idle": "Leerlauf messen",
    "firmware": "Liste kopieren",
    "compare": "Vergleichen",
}
CHINESE = {
    "overview": "複製摘要",
    "devices": "全部展開",
    "drivers": "複製問題",
    "graphics": "複製鏈",
    "audio": "複製鏈",
    "camera": "複製鏈",
    "usbc": "複製鏈",
    "wireless": "複製鏈",
    "power": "電源供應（核心）",
    "thermal": "散熱裝置",
    "telemetry": "標記（M）",
    "idle": "量測閒置",
    "firmware": "複製清單",
    "compare": "比較",
}


@pytest.fixture
def in_language(qapp: QApplication) -> Iterator[object]:
    """Switch the catalogue, Qt's translators and the default QLocale; put everything back afterwards."""
    saved = QLocale()
    installed: list[object] = []

    def switch(lang: str, locale: str) -> None:
        i18n.set_languages([lang])
        QLocale.setDefault(QLocale(locale))
        installed.extend(l10n.install(qapp))

    yield switch
    for t in installed:
        qapp.removeTranslator(t)  # type: ignore[arg-type]
    i18n.set_languages(None)
    i18n.set_formatter(None)
    QLocale.setDefault(saved)


def _texts(root: QWidget) -> list[str]:
    out: list[str] = []
    for w in [root, *root.findChildren(QWidget)]:
        if isinstance(w, QLabel):
            out.append(w.text())
        if isinstance(w, QAbstractButton):
            out.append(w.text())
        if isinstance(w, QGroupBox):
            out.append(w.title())
        if isinstance(w, QTabBar):
            out += [w.tabText(i) for i in range(w.count())]
        if isinstance(w, QLineEdit):
            out.append(w.placeholderText())
        if isinstance(w, QComboBox):
            out += [w.itemText(i) for i in range(w.count())]
        if isinstance(w, QHeaderView) and w.model() is not None:
            m = w.model()
            out += [str(m.headerData(c, Qt.Orientation.Horizontal) or "") for c in range(m.columnCount())]
    return out


def _walk(qtbot, expected: dict[str, str]) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    w = MainWindow(live_updates=False)
    qtbot.addWidget(w)
    try:
        w.resize(1280, 800)
        w.show_snapshot(load_snapshot(None))
        w.show()
        seen: dict[str, list[str]] = {}
        assert set(expected) == set(w.pages), "a page was added: give it an expected text here"
        for page_id in w.pages:
            assert w.show_page(page_id)
            qtbot.wait(50)
            seen[page_id] = _texts(w.current_page())
            if _clipped(w):
                qtbot.wait(500)  # a reading that arrived just now is laid out on the next turn of the event loop
            seen["_clipped"] = [*seen.get("_clipped", []), *(f"{page_id}: {c}" for c in _clipped(w))]
        seen["_sidebar"] = [w.sidebar.item(i).text() for i in range(w.sidebar.count())]
        seen["_menus"] = [a.text() for a in w.menuBar().actions()]
        return seen
    finally:
        w.shutdown()


def test_german_window_every_page(qtbot, in_language) -> None:  # type: ignore[no-untyped-def]
    in_language("de", "de_DE")
    seen = _walk(qtbot, GERMAN)
    for page_id, text in GERMAN.items():
        assert text in seen[page_id], f"{page_id}: {text!r} not among {seen[page_id][:30]}"
    for english in ("Copy chain", "Refresh", "Copy summary", "Expand all", "Measure idle", "Marker (M)"):
        assert not any(english == t for texts in seen.values() for t in texts), f"{english!r} left in English"
    assert seen["_sidebar"][:4] == ["Übersicht", "Geräte", "Treiber", "Grafik"]
    assert seen["_menus"] == ["&Datei", "&Ansicht", "&Hilfe"]
    assert not seen["_clipped"]


def test_chinese_window_every_page(qtbot, in_language) -> None:  # type: ignore[no-untyped-def]
    in_language("zh_TW", "zh_TW")
    seen = _walk(qtbot, CHINESE)
    for page_id, text in CHINESE.items():
        assert text in seen[page_id], f"{page_id}: {text!r} not among {seen[page_id][:30]}"
    assert seen["_sidebar"][:4] == ["總覽", "裝置", "驅動程式", "圖形"]
    assert seen["_menus"] == ["檔案(&F)", "檢視(&V)", "說明(&H)"]
    assert not seen["_clipped"]


@pytest.mark.parametrize(
    ("lang", "locale", "cancel", "ok_no"), [("de", "de_DE", "Abbrechen", "Nein"), ("zh_TW", "zh_TW", "取消", "否")]
)
def test_qt_standard_buttons_follow_the_language(in_language, lang: str, locale: str, cancel: str, ok_no: str) -> None:  # type: ignore[no-untyped-def]
    in_language(lang, locale)
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel | QDialogButtonBox.StandardButton.No)
    assert box.button(QDialogButtonBox.StandardButton.Cancel).text().replace("&", "") == cancel
    assert box.button(QDialogButtonBox.StandardButton.No).text().replace("&", "").startswith(ok_no)


def test_numbers_and_durations_follow_the_locale(in_language) -> None:  # type: ignore[no-untyped-def]
    in_language("de", "de_DE")
    assert _("Health {health_percent:.1f} %").format(health_percent=87.5) == "Zustand 87,5 %"
    assert l10n.number(1234.5, ",.1f") == "1.234,5"
    assert l10n.number(7, "02d") == "07"
    assert l10n.duration(3900) == "1 h 05 min"
    assert l10n.duration(20) == "weniger als eine Minute"
    assert "." in l10n.date_time(1_700_000_000)  # 14.11.23 …, the German short date
    i18n.set_formatter(None)
    assert _("Health {health_percent:.1f} %").format(health_percent=87.5) == "Zustand 87.5 %"  # the CLI's form


def _clipped(root: QWidget) -> list[str]:
    """Visible texts that do not fit the room they were given."""
    bad = []
    for w in root.findChildren(QWidget):
        if not w.isVisible() or w.width() <= 1:
            continue
        if isinstance(w, QLabel) and w.text().strip() and not w.pixmap() and w.textFormat() != Qt.TextFormat.RichText:
            need = w.heightForWidth(w.width()) if w.wordWrap() else w.sizeHint().height()
            if w.wordWrap() and w.height() + 2 < need:
                bad.append(f"label cut at the bottom ({w.height()} < {need}): {w.text()[:60]!r}")
            if not w.wordWrap() and w.width() + 2 < w.minimumSizeHint().width():
                bad.append(f"label cut at the side ({w.width()} < {w.minimumSizeHint().width()}): {w.text()[:60]!r}")
        if isinstance(w, QAbstractButton) and w.text() and w.width() + 2 < w.minimumSizeHint().width():
            bad.append(f"button cut ({w.width()} < {w.minimumSizeHint().width()}): {w.text()[:60]!r}")
    return bad


def test_pseudo_locale_clips_nothing_on_any_page(qtbot, in_language) -> None:  # type: ignore[no-untyped-def]
    """Every string ~40 % longer and accented (HWINSPECTOR_PSEUDO_LOCALE=1); the screenshots were looked at too."""
    in_language("pseudo", "en_US")
    w = MainWindow(live_updates=False)
    qtbot.addWidget(w)
    try:
        w.resize(1280, 800)
        w.show_snapshot(load_snapshot(None))
        w.show()
        problems: dict[str, list[str]] = {}
        for page_id in w.pages:
            assert w.show_page(page_id)
            qtbot.wait(100)
            texts = _texts(w.current_page())
            assert any(t.startswith("[") for t in texts), f"{page_id}: no pseudo-translated text at all"
            if _clipped(w):
                qtbot.wait(500)  # a reading that arrived just now is laid out on the next turn of the event loop
                if found := _clipped(w):
                    problems[page_id] = found
        assert not problems, problems
        trees = w.findChildren(QTreeView)
        assert trees
    finally:
        w.shutdown()
