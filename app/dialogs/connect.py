"""File → Connect to machine…: the host dialog (recent hosts remembered) and the window's remote state."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QSettings, Qt, QTimer, Signal
from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox

from hwinspector import l10n
from hwinspector.collectors.remote import RemoteEvents, RemoteMachine
from hwinspector.dialogs.askpass import askpass_env
from hwinspector.i18n import _, localize, ngettext
from hwinspector.probes.machine.snapshot import Snapshot
from hwinspector.threads import Port

if TYPE_CHECKING:
    from hwinspector.main_window import MainWindow

RECENT_KEY = "remote/recent_hosts"
MAX_RECENT = 10


def recent_hosts(settings: QSettings | None = None) -> list[str]:
    value = (settings or QSettings()).value(RECENT_KEY, [])
    if isinstance(value, str):
        value = [value]
    return [h for h in value if isinstance(h, str) and h] if isinstance(value, list) else []


def remember_host(host: str, settings: QSettings | None = None) -> None:
    s = settings or QSettings()
    hosts = [host, *(h for h in recent_hosts(s) if h != host)][:MAX_RECENT]
    s.setValue(RECENT_KEY, hosts)


def warn(parent: Any, title: str, text: str) -> None:
    """A warning whose text came from another machine: plain text, never rich text or links."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    box.exec()


def ask_host(parent: Any) -> str | None:
    host, ok = QInputDialog.getItem(
        parent,
        _("Connect to machine"),
        _("Host (as you would give it to ssh: an alias from ~/.ssh/config, user@host, host):"),
        recent_hosts(),
        0,
        True,
    )
    host = host.strip()
    return host if ok and host else None


class RemoteControl(QObject):
    """The window's side of a remote session: the worker thread, the banner, capture to a local file."""

    captured = Signal(str, str)  # saved path, error (on the GUI thread)
    hotplug_seen = Signal(list)  # the target's device events, on the GUI thread

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.host = ""
        self.up = False
        self.state_text = ""
        self.link: object = None  # the live RemoteLink while the link is up; pages built later get it too
        # The ssh link lives on a plain thread of its own; its news comes back through ports (README,
        # "Threading model").
        events = RemoteEvents(
            connected=Port(self._connected),
            snapshot_ready=Port(self._snapshot),
            link_state=Port(self._link_state),
            failed=Port(self._failed),
            progress=Port(self._progress),
            capture_done=Port(self._captured),
            hotplug=Port(self._hotplug),
        )
        self.worker = RemoteMachine(events, ssh_env=askpass_env)
        # A burst of device events becomes one new read of the target, two seconds after the last.
        self._refresh = QTimer(self)
        self._refresh.setSingleShot(True)
        self._refresh.setInterval(2000)
        self._refresh.timeout.connect(lambda: self.worker.request("refresh"))

    @property
    def active(self) -> bool:
        return bool(self.host)

    def ask_and_connect(self) -> None:
        host = ask_host(self.window)
        if host:
            self.connect_to(host)

    def connect_to(self, host: str) -> None:
        remember_host(host)
        self.host = host
        self.window.busy.show()
        self.worker.request("connect", host)

    def stop(self) -> None:
        self._refresh.stop()
        if self.host:
            self.host = ""
            self.up = False
            self._set_link(None)
            self.worker.request("stop")

    def shutdown(self) -> None:
        """End the link and the worker thread (idempotent); a connection attempt in flight is waited for."""
        if not self.worker.alive:
            return
        self.stop()
        self.worker.request("finish")  # the worker ends the link and its thread after what is queued
        self.worker.join(60)  # a daemon thread: one stuck in ssh past this does not hold the exit

    def banner_text(self, snapshot: Snapshot) -> str:
        when = snapshot.source.taken_at
        read = l10n.clock_time(when) if when > 0 else _("just now")
        text = self.state_text or _("Connected to {host} over ssh.").format(host=self.host)
        return _(
            "Remote machine {host}: the pages show {host} as read at {read}; live telemetry comes from "
            "its own sampler. {text} File → Show live machine (Ctrl+L) disconnects."
        ).format(host=self.host, read=read, text=text)

    def capture(self) -> None:
        path, _unused = QFileDialog.getSaveFileName(
            self.window, _("Save evidence from {host}").format(host=self.host), "", _("Evidence bundles (*.tar.xz)")
        )
        if path:
            self.request_capture(path)

    def request_capture(self, path: str) -> None:
        """Have the target capture a bundle, saved at ``path`` here; ``captured`` says how it went."""
        self.worker.request("capture", path)

    def _set_link(self, link: object) -> None:
        """Pages that read the remote machine live (Telemetry, Power, Thermal) get the link, or None."""
        self.link = link
        for page in self.window.built_pages():
            set_remote: Any = getattr(page, "set_remote", None)
            if callable(set_remote):
                set_remote(link)

    def _connected(self, link: object) -> None:
        if self.host:
            self._set_link(link)

    def _snapshot(self, snapshot: Snapshot) -> None:
        if self.host:
            self.window.statusBar().clearMessage()  # "Connecting…" would sit over the source line
            self.window.show_snapshot(snapshot)

    def _progress(self, text: str) -> None:
        self.window._on_progress(localize(text))

    def _link_state(self, text: str, up: bool) -> None:
        self.up = up
        self.state_text = localize(text)
        if self.host and self.window.snapshot is not None:
            self.window.banner.setText(self.banner_text(self.window.snapshot))
            self.window.banner.show()
        if not up:
            self._set_link(None)

    def _hotplug(self, events: list[tuple[str, str]]) -> None:
        if not self.host:
            return
        now = time.monotonic_ns()
        page: Any = self.window.pages.get("telemetry")
        for action, path in events:
            if page is not None and hasattr(page, "add_timeline_event"):
                page.add_timeline_event(now, "udev", f"{self.host}: {action} {path.rsplit('/', 1)[-1]}")
        action, path = events[-1]
        self.window.statusBar().showMessage(
            ngettext("{host}: {action} {path} ({n} event)", "{host}: {action} {path} ({n} events)", len(events)).format(
                host=self.host, action=action, path=path, n=len(events)
            ),
            10000,
        )
        self.hotplug_seen.emit(events)
        self._refresh.start()

    def _failed(self, message: str) -> None:
        message = localize(message)
        self.host = ""
        self.window.busy.hide()
        if not self.window.interactive:
            self.window.load_failed.emit(message)  # --screenshot --host: no dialog, no fallback to this machine
            return
        if self.window.snapshot is None:
            self.window.start()  # opened with --host and refused: show this machine instead
        self.window.statusBar().showMessage(message, 15000)
        warn(self.window, _("Cannot connect"), message)

    def _captured(self, path: str, error: str) -> None:
        error = localize(error)
        self.captured.emit(path, error)
        if error:
            warn(self.window, _("Capture failed"), error)
        else:
            self.window.statusBar().showMessage(
                _("Evidence from {host} saved: {path}").format(host=self.host, path=path), 15000
            )
