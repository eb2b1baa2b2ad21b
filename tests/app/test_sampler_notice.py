"""The window says, in its status bar, when telemetry runs on the pure-Python sampler, and why."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from hwinspector.main_window import MainWindow
from hwinspector.probes.telemetry.sampler import Sampler, python_fallback_reason

NATIVE = "hwinspector.probes.telemetry._sampler"


def _shown_window(qtbot) -> MainWindow:  # type: ignore[no-untyped-def]
    w = MainWindow(live_updates=False)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    return w


def test_without_the_extension_the_status_bar_says_pure_python_and_why(
    qtbot,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    # As after `make run` on a machine without a C compiler: the extension is not there to import.
    monkeypatch.setitem(sys.modules, NATIVE, None)
    w = _shown_window(qtbot)
    try:
        qtbot.waitUntil(w.sampler_label.isVisible, timeout=5000)
        text = w.sampler_label.text()
        assert text.startswith("⚠ Pure-Python sampler: ")
        assert "not built" in text and "no C compiler or Python headers" in text
        assert "gcc python3-dev" in w.sampler_label.toolTip()
        w.grab().save(str(tmp_path / "window-python-sampler.png"))
    finally:
        w.shutdown()
    # The same reason as the sampler the Telemetry page starts: it really runs on Python.
    counter = tmp_path / "counter"
    counter.write_text("1\n")
    with Sampler([counter], 10.0) as s:
        assert s.backend == "python" and s.notice is not None


def test_with_the_extension_there_is_no_note(qtbot) -> None:  # type: ignore[no-untyped-def]
    assert python_fallback_reason() is None
    w = _shown_window(qtbot)
    try:
        qtbot.wait(300)  # the check runs 50 ms after the first paint
        assert w.sampler_label.isHidden() and w.sampler_label.text() == ""
    finally:
        w.shutdown()


def test_an_extension_that_is_there_but_does_not_load_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    real = importlib.import_module

    def broken(name: str, package: str | None = None):  # type: ignore[no-untyped-def]
        if name == NATIVE:
            raise ImportError(f"{NATIVE}: undefined symbol: PyFoo")
        return real(name, package)

    monkeypatch.setattr(importlib, "import_module", broken)
    reason = python_fallback_reason()
    assert reason == f"the native sampler cannot be loaded (ImportError: {NATIVE}: undefined symbol: PyFoo)"


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("de", "⚠ Reiner Python-Abtaster: der native Abtaster wurde bei der Installation von hwinspector nicht gebaut"),
        ("zh_TW", "⚠ 純 Python 取樣器：安裝 hwinspector 時未建置原生取樣器"),
    ],
)
def test_the_note_is_in_the_users_language(
    qtbot,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
    lang: str,
    expected: str,
) -> None:
    from hwinspector import i18n

    monkeypatch.setitem(sys.modules, NATIVE, None)
    i18n.set_languages([lang])
    try:
        w = _shown_window(qtbot)
        try:
            qtbot.waitUntil(w.sampler_label.isVisible, timeout=5000)
            assert w.sampler_label.text().startswith(expected)
            assert "gcc python3-dev" in w.sampler_label.toolTip() and "make run" in w.sampler_label.toolTip()
        finally:
            w.shutdown()
    finally:
        i18n.set_languages(None)
