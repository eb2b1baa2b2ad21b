"""The window's ssh askpass: its dialog shows ssh's prompt as plain text, and the window's ssh uses an
askpass (here a stand-in script that knows the passphrase) instead of failing in batch mode."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt, QTimer

from hwinspector.dialogs import askpass
from hwinspector.dialogs.askpass import AskpassDialog, askpass_env
from hwinspector.main_window import MainWindow
from tests.sshd import Sshd


def test_the_prompt_is_plain_text(qtbot) -> None:  # type: ignore[no-untyped-def]
    d = AskpassDialog("Enter passphrase for <b>key</b> '/home/u/.ssh/id_ed25519': ")
    qtbot.addWidget(d)
    assert d.label.textFormat() == Qt.TextFormat.PlainText
    assert "<b>key</b>" in d.label.text()


def test_main_prints_what_was_typed(qtbot, capsys: pytest.CaptureFixture[str]) -> None:  # type: ignore[no-untyped-def]
    def answer() -> None:
        from PySide6.QtWidgets import QApplication

        for w in QApplication.topLevelWidgets():
            if isinstance(w, AskpassDialog) and w.isVisible():
                w.field.setText("s3cret")
                w.accept()

    QTimer.singleShot(200, answer)
    assert askpass.main(["Passphrase:"]) == 0
    assert capsys.readouterr().out == "s3cret\n"


def test_cancel_gives_ssh_no_answer(qtbot) -> None:  # type: ignore[no-untyped-def]
    def cancel() -> None:
        from PySide6.QtWidgets import QApplication

        for w in QApplication.topLevelWidgets():
            if isinstance(w, AskpassDialog) and w.isVisible():
                w.reject()

    QTimer.singleShot(200, cancel)
    assert askpass.main(["Passphrase:"]) == 1


def test_our_helper_is_private_and_a_users_own_askpass_wins() -> None:
    env = askpass_env({"PATH": "/usr/bin"})
    script = Path(env["SSH_ASKPASS"])
    assert env["SSH_ASKPASS_REQUIRE"] == "force"
    assert script.stat().st_mode & 0o077 == 0 and script.parent.stat().st_mode & 0o077 == 0
    assert askpass_env({"SSH_ASKPASS": "/usr/bin/ksshaskpass"})["SSH_ASKPASS"] == "/usr/bin/ksshaskpass"


def test_the_window_unlocks_a_passphrase_key_through_askpass(qtbot, sshd: Sshd, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    key = sshd.dir / "locked_key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "s3cret", "-f", str(key)], check=True)
    (sshd.dir / "authorized_keys").write_text(key.with_suffix(".pub").read_text())
    config = sshd.config.read_text().replace(str(sshd.dir / "user_key"), str(key)).replace("  BatchMode yes\n", "")
    cfg = tmp_path / "ssh_config"
    cfg.write_text(config)
    helper = tmp_path / "answer"
    helper.write_text("#!/bin/sh\necho s3cret\n")
    helper.chmod(0o700)
    monkeypatch.setenv("HWINSPECTOR_SSH", f"ssh -F {cfg}")
    monkeypatch.setenv("HWINSPECTOR_REMOTE_AGENT", sshd.env["HWINSPECTOR_REMOTE_AGENT"])
    monkeypatch.setenv("SSH_ASKPASS", str(helper))  # the user's own askpass: it answers for the test
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
    QSettings.setPath(QSettings.Format.NativeFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    w = MainWindow(live_updates=False)
    qtbot.addWidget(w)
    try:
        with qtbot.waitSignal(w.snapshot_shown, timeout=110_000):
            w.remote.connect_to("target")
        assert w.snapshot is not None and w.snapshot.source.label == "target"
    finally:
        w.shutdown()
