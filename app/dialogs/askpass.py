"""The window's ssh askpass: ssh runs this program for a key passphrase or a password and reads stdout.

It never sees host keys: those are checked strictly (StrictHostKeyChecking=yes), never accepted here.
The prompt comes from ssh and may carry a name from the other side, so it is shown as plain text.
"""

from __future__ import annotations

import atexit
import os
import shutil
import stat
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from hwinspector.i18n import _


class AskpassDialog(QDialog):
    def __init__(self, prompt: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_("ssh needs a secret"))
        self.label = QLabel(prompt.strip() or _("Passphrase:"))
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setWordWrap(True)
        self.field = QLineEdit()
        self.field.setEchoMode(QLineEdit.EchoMode.Password)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(self.label)
        lay.addWidget(self.field)
        lay.addWidget(buttons)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    app = QApplication.instance() or QApplication([sys.argv[0]])
    dialog = AskpassDialog(" ".join(args))
    if dialog.exec() != QDialog.DialogCode.Accepted:
        return 1  # ssh treats a failed askpass as "no answer" and tries the next method
    sys.stdout.write(dialog.field.text() + "\n")
    sys.stdout.flush()
    del app
    return 0


_script: Path | None = None


def askpass_env(environ: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for an ssh the window starts: the user's own SSH_ASKPASS if set, else ours.

    ssh has no terminal there, so it asks the askpass program (SSH_ASKPASS_REQUIRE=force) for a key
    passphrase or a password instead of failing. The helper script lives in a private temporary
    folder of this process (a fixed /tmp name could be planted by another user).
    """
    global _script
    env = dict(os.environ if environ is None else environ)
    if not env.get("SSH_ASKPASS"):
        if _script is None or not _script.exists():
            folder = Path(tempfile.mkdtemp(prefix="hwinspector-askpass-"))
            atexit.register(shutil.rmtree, folder, True)
            script = folder / "askpass"
            script.write_text(
                f"#!{sys.executable}\nimport sys\nfrom hwinspector.dialogs.askpass import main\nsys.exit(main())\n"
            )
            script.chmod(stat.S_IRWXU)
            _script = script
        env["SSH_ASKPASS"] = str(_script)
    env.setdefault("SSH_ASKPASS_REQUIRE", "force")
    return env


if __name__ == "__main__":
    sys.exit(main())
