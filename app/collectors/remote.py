"""The remote machine behind File → Connect to machine…: a worker thread owns the ssh link.

It connects, fetches the target's snapshot as an evidence bundle built there (read here with the
bundle reader's limits), watches the link and, when it drops, says so and reconnects every few
seconds. The GUI thread only receives signals; nothing here blocks it.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot

from hwinspector.probes.errors import InputFormatError, ProbeUnavailable
from hwinspector.probes.machine.snapshot import Snapshot, load_snapshot
from hwinspector.probes.remote.client import RemoteError, RemoteLink
from hwinspector.probes.remote.transport import printable

RECONNECT_MS = 5000
MAX_BUNDLE_BYTES = 512 * 1024 * 1024


def fetch_bundle(link: RemoteLink, dest: Path, argv: list[str], progress: object = None) -> Path:
    """Have the target capture a bundle and write it to ``dest`` (a folder) here; returns its path."""
    import base64
    import binascii
    import re

    if "report" not in link.capabilities:
        raise RemoteError(
            "not-supported",
            f"an evidence bundle needs hwinspector on {link.host}: `sudo apt install hwinspector`, "
            "`sudo snap install hwinspector` or `pip install hwinspector` there",
        )
    ch = link.open("report", argv=argv, budget_bytes=MAX_BUNDLE_BYTES * 2)
    name, size, fd, written, path = "", -1, -1, 0, Path()
    try:
        for m in ch.messages():
            if isinstance(m.get("err"), str) and callable(progress):
                line = printable(m["err"]).strip().splitlines()
                if line:
                    progress(line[-1][:200])
            elif isinstance(m.get("file"), str) and isinstance(m.get("size"), int) and fd < 0:
                ok = re.fullmatch(r"hwreport-[A-Za-z0-9._:-]{1,80}\.tar\.xz", m["file"])
                name = m["file"] if ok else "hwreport-remote.tar.xz"
                size = m["size"]
                if not 0 < size <= MAX_BUNDLE_BYTES:
                    raise RemoteError("too-large", f"the agent announced a bundle of {size} bytes")
                path = dest / name
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            elif isinstance(m.get("chunk"), str) and fd >= 0:
                try:
                    data = base64.b64decode(m["chunk"], validate=True)
                except (binascii.Error, ValueError):
                    raise RemoteError("protocol-error", "the agent sent a damaged file chunk") from None
                written += len(data)
                if written > size:
                    raise RemoteError("protocol-error", "the agent sent more bytes than it announced")
                os.write(fd, data)
    finally:
        if fd >= 0:
            os.close(fd)
    if ch.closed is not None and ch.closed.problem:
        raise RemoteError(ch.closed.problem, ch.closed.message or ch.closed.problem)
    if not name or written != size:
        raise RemoteError("internal-error", "the capture there ended without a bundle")
    return path


def fetch_udev_db(link: RemoteLink, dest: Path) -> Path:
    """The target's udev database (``udevadm info --export-db``) in ``dest``: what a python3-only target gives."""
    ch = link.open("udev-db", budget_bytes=512 * 1024 * 1024)
    path = dest / "udev-db.txt"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        for m in ch.messages():
            if isinstance(m.get("text"), str):
                f.write(m["text"])
    if ch.closed is not None and ch.closed.problem:
        raise RemoteError(ch.closed.problem, ch.closed.message or ch.closed.problem)
    return path


class RemoteMachine(QObject):
    """Lives on a worker thread; the window talks to it through queued signals."""

    connected = Signal(object)  # RemoteLink (for the Telemetry page's sampler stream)
    snapshot_ready = Signal(object)  # Snapshot, its source naming the host
    link_state = Signal(str, bool)  # a sentence for the banner, whether the link is up
    failed = Signal(str)  # could not connect at all: one line
    progress = Signal(str)
    capture_done = Signal(str, str)  # saved path, error
    hotplug = Signal(list)  # [(action, devpath)] from the target's uevents
    lost = Signal(object, object)  # RemoteLink, RemoteError: from the link's reader thread, queued here

    def __init__(self) -> None:
        super().__init__()
        self.host = ""
        self.link: RemoteLink | None = None
        # the environment for ssh at each attempt (the window's askpass); None: batch mode, never asks
        self.ssh_env: Callable[[], dict[str, str]] | None = None
        self._dir: Path | None = None  # private copies of the target's bundles, removed on stop()
        self._retry: QTimer | None = None

    def _workdir(self) -> Path:
        if self._dir is None:
            self._dir = Path(tempfile.mkdtemp(prefix="hwinspector-remote-"))
        return Path(tempfile.mkdtemp(dir=self._dir))

    @Slot(str)
    def connect_to(self, host: str) -> None:
        self._ensure_timers()
        self.disconnect_link()
        self.host = host
        self._attempt(first=True)

    def _ensure_timers(self) -> None:
        # Parentless timers made on this thread: finish() drops them here, so Qt deletes them on the
        # thread they belong to (a timer deleted from the GUI thread would warn and leak its timer id).
        if self._retry is None:
            self.lost.connect(self._on_lost)
            self._retry = QTimer()
            self._retry.setSingleShot(True)
            self._retry.setInterval(RECONNECT_MS)
            self._retry.timeout.connect(lambda: self._attempt(first=False))

    def _attempt(self, first: bool) -> None:
        if not self.host:
            return
        self.progress.emit(f"Connecting to {self.host} over ssh…")
        try:
            env = self.ssh_env() if self.ssh_env is not None else None
            link = RemoteLink(self.host, batch=env is None, env=env)
        except RemoteError as exc:
            if first:
                self.failed.emit(f"{self.host}: {exc.message}")
                self.host = ""
            else:
                self.link_state.emit(f"⚠ The link to {self.host} is down ({exc.message}); retrying…", False)
                assert self._retry is not None
                self._retry.start()
            return
        self.link = link
        # event-driven: the link says when it ends (EOF, ssh's keepalive, silence); no polling timer
        link.on_lost = lambda err: self.lost.emit(link, err)
        try:
            snap = self._snapshot(link)
        except RemoteError as exc:
            self.disconnect_link()
            if first:
                self.failed.emit(f"{self.host}: {exc.message}")
                self.host = ""
            else:
                self.link_state.emit(f"⚠ {self.host}: {exc.message}; retrying…", False)
                assert self._retry is not None
                self._retry.start()
            return
        self.connected.emit(link)
        self.snapshot_ready.emit(snap)
        if "hotplug" in link.capabilities:
            threading.Thread(target=self._forward_hotplug, args=(link,), name="remote-hotplug", daemon=True).start()
        agent = "hwinspector" if not link.zero_install else "a temporary Python agent"
        self.link_state.emit(f"Connected to {self.host} over ssh ({agent} there).", True)

    def _snapshot(self, link: RemoteLink) -> Snapshot:
        if "report" in link.capabilities:
            path = fetch_bundle(link, self._workdir(), ["-q"], self.progress.emit)
            note = f"read from {self.host} over ssh"
        else:
            path = fetch_udev_db(link, self._workdir())
            note = (
                f"{self.host} has no hwinspector: devices and drivers from its udev database, read by a temporary agent"
            )
        try:
            snap = load_snapshot(path)
        except (InputFormatError, ProbeUnavailable, OSError) as exc:
            raise RemoteError("protocol-error", f"the bundle from there cannot be read: {exc}") from None
        src = dataclasses.replace(
            snap.source,
            label=self.host,
            notes=(*snap.source.notes, note),
            host=self.host,
        )
        return dataclasses.replace(snap, source=src)

    def _forward_hotplug(self, link: RemoteLink) -> None:
        ch = link.open("hotplug", budget_bytes=1 << 62)
        try:
            for m in ch.messages():
                events = m.get("events")
                if isinstance(events, list):
                    batch = [
                        (printable(e[0])[:16], printable(e[1])[:400])
                        for e in events[:1000]
                        if isinstance(e, list) and len(e) == 2 and all(isinstance(x, str) for x in e)
                    ]
                    if batch:
                        self.hotplug.emit(batch)
        except RemoteError:
            pass  # the link watch reports the drop

    @Slot()
    def refresh(self) -> None:
        """Read the target again (after its devices changed)."""
        link = self.link
        if link is None:
            return
        try:
            self.snapshot_ready.emit(self._snapshot(link))
        except RemoteError as exc:
            self.progress.emit(f"{self.host}: {exc.message}")

    @Slot(object, object)
    def _on_lost(self, link: RemoteLink, exc: RemoteError) -> None:
        if link is not self.link:
            return  # an older link, already replaced
        assert self._retry is not None
        self.disconnect_link()
        self.link_state.emit(
            f"⚠ The link to {self.host} was lost ({exc.message}). The pages show what was read before; reconnecting…",
            False,
        )
        self._retry.start()

    @Slot(str)
    def capture(self, dest: str) -> None:
        link = self.link
        if link is None:
            self.capture_done.emit("", f"not connected to {self.host or 'a machine'}")
            return
        try:
            got = fetch_bundle(link, self._workdir(), ["-q"], self.progress.emit)
            target = Path(dest)
            if target.is_dir():
                target = target / got.name
            shutil.move(str(got), target)
        except RemoteError as exc:
            self.capture_done.emit("", exc.message)
            return
        except OSError as exc:
            self.capture_done.emit("", f"cannot write {dest}: {exc.strerror or exc}")
            return
        self.capture_done.emit(str(target), "")

    @Slot()
    def disconnect_link(self) -> None:
        link, self.link = self.link, None
        if link is not None:
            link.close()

    @Slot()
    def finish(self) -> None:
        """The last call on this thread: end the link, drop the timers here, end the thread's loop."""
        self.stop()
        self._retry = None
        thread = QThread.currentThread()
        if thread is not None:
            thread.quit()

    @Slot()
    def stop(self) -> None:
        """Forget the host and end the link (File → Show live machine, or the window closes)."""
        if self._retry is not None:
            self._retry.stop()
        self.host = ""
        self.disconnect_link()
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None
