"""The remote machine behind File → Connect to machine…: a worker thread owns the ssh link.

It connects, fetches the target's snapshot as an evidence bundle built there (read here with the
bundle reader's limits), watches the link and, when it drops, says so and reconnects every few
seconds. The thread is a plain Python thread (README, "Threading model"): the window's requests reach it
through a queue, its news goes back through :class:`RemoteEvents` (ports to the GUI thread). Nothing
here touches Qt and nothing here blocks the window.
"""

from __future__ import annotations

import dataclasses
import os
import queue
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from hwinspector.i18n import N_
from hwinspector.probes.errors import InputFormatError, ProbeUnavailable
from hwinspector.probes.machine.snapshot import Snapshot, load_snapshot
from hwinspector.probes.remote.client import RemoteError, RemoteLink
from hwinspector.probes.remote.transport import printable
from hwinspector.threads import start_thread

RECONNECT_S = 5  # after a drop, a new attempt every five seconds until the window says stop
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


@dataclasses.dataclass(frozen=True)
class RemoteEvents:
    """Where the worker's news goes. Each is called on the worker's thread: the window gives ports
    (:class:`hwinspector.threads.Port`), which run its methods on the GUI thread."""

    connected: Callable[[RemoteLink], None]  # the live link (for the pages that stream from the target)
    snapshot_ready: Callable[[Snapshot], None]  # the target's snapshot, its source naming the host
    link_state: Callable[[str, bool], None]  # a sentence for the banner, whether the link is up
    failed: Callable[[str], None]  # could not connect at all: one line
    progress: Callable[[str], None]
    capture_done: Callable[[str, str], None]  # saved path, error
    hotplug: Callable[[list[tuple[str, str]]], None]  # [(action, devpath)] from the target's uevents


REQUESTS = frozenset({"connect", "capture", "refresh", "stop", "finish"})


class RemoteMachine:
    """The ssh link's own thread: requests are queued (:meth:`request`) and run in order.

    ``connect`` (host), ``capture`` (destination path), ``refresh``, ``stop`` (forget the host, end the
    link) and ``finish`` (stop, then end the thread). A link that drops queues ``lost`` from its reader
    thread; while a host is set and its link is down, the thread tries again every :data:`RECONNECT_S`
    seconds, waiting on its queue meanwhile (no timer, no wakeup while connected).
    """

    def __init__(self, events: RemoteEvents, ssh_env: Callable[[], dict[str, str]] | None = None) -> None:
        self.events = events
        # the environment for ssh at each attempt (the window's askpass); None: batch mode, never asks
        self.ssh_env = ssh_env
        self.host = ""
        self.link: RemoteLink | None = None
        self._dir: Path | None = None  # private copies of the target's bundles, removed on stop
        self._queue: queue.SimpleQueue[tuple[str, object]] = queue.SimpleQueue()
        self._retry_at: float | None = None
        self._thread = start_thread(self._run, "remote-machine")

    def request(self, what: str, arg: object = None) -> None:
        """Queue a request for the worker (any thread; returns at once)."""
        if what not in REQUESTS:
            raise ValueError(f"unknown request {what!r}")
        self._queue.put((what, arg))

    def join(self, timeout_s: float) -> bool:
        """Wait (bounded) for the thread to end after ``finish``; True when it did."""
        self._thread.join(timeout_s)
        return not self._thread.is_alive()

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        try:
            while True:
                wait = None if self._retry_at is None else max(0.0, self._retry_at - time.monotonic())
                try:
                    what, arg = self._queue.get(timeout=wait)
                except queue.Empty:
                    self._retry_at = None
                    self._attempt(first=False)
                    continue
                if what == "finish":
                    return
                self._handle(what, arg)
        finally:
            self._stop()

    def _handle(self, what: str, arg: object) -> None:
        if what == "connect" and isinstance(arg, str):
            self._stop()
            self.host = arg
            self._attempt(first=True)
        elif what == "capture" and isinstance(arg, str):
            self._capture(arg)
        elif what == "refresh":
            self._refresh()
        elif what == "stop":
            self._stop()
        elif what == "lost" and isinstance(arg, tuple):
            self._on_lost(*arg)

    def _workdir(self) -> Path:
        if self._dir is None:
            self._dir = Path(tempfile.mkdtemp(prefix="hwinspector-remote-"))
        return Path(tempfile.mkdtemp(dir=self._dir))

    def _retry(self) -> None:
        self._retry_at = time.monotonic() + RECONNECT_S

    def _attempt(self, first: bool) -> None:
        if not self.host:
            return
        self.events.progress(N_("Connecting to {host} over ssh…").format(host=self.host))
        try:
            env = self.ssh_env() if self.ssh_env is not None else None
            link = RemoteLink(self.host, batch=env is None, env=env)
        except RemoteError as exc:
            if first:
                self.events.failed(N_("{host}: {why}").format(host=self.host, why=exc.message))
                self.host = ""
            else:
                self.events.link_state(
                    N_("⚠ The link to {host} is down: {why}. Trying again every {s} s.").format(
                        host=self.host, why=exc.message, s=RECONNECT_S
                    ),
                    False,
                )
                self._retry()
            return
        self.link = link
        # event-driven: the link says when it ends (EOF, ssh's keepalive, silence); no polling timer
        link.on_lost = lambda err: self._queue.put(("lost", (link, err)))
        try:
            snap = self._snapshot(link)
        except RemoteError as exc:
            self._disconnect_link()
            if first:
                self.events.failed(N_("{host}: {why}").format(host=self.host, why=exc.message))
                self.host = ""
            else:
                self.events.link_state(
                    N_("⚠ {host} answered but could not be read: {why}. Trying again every {s} s.").format(
                        host=self.host, why=exc.message, s=RECONNECT_S
                    ),
                    False,
                )
                self._retry()
            return
        self.events.connected(link)
        self.events.snapshot_ready(snap)
        if "hotplug" in link.capabilities:
            start_thread(_forward_hotplug(link, self.events.hotplug), "remote-hotplug")
        if link.zero_install:
            text = N_("Connected to {host} over ssh (a temporary Python agent there).")
        else:
            text = N_("Connected to {host} over ssh (hwinspector there).")
        self.events.link_state(text.format(host=self.host), True)

    def _snapshot(self, link: RemoteLink) -> Snapshot:
        if "report" in link.capabilities:
            path = fetch_bundle(link, self._workdir(), ["-q"], self.events.progress)
            note = N_("read from {host} over ssh").format(host=self.host)
        else:
            path = fetch_udev_db(link, self._workdir())
            note = N_(
                "{host} has no hwinspector: devices and drivers from its udev database, read by a temporary agent"
            ).format(host=self.host)
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

    def _refresh(self) -> None:
        """Read the target again (after its devices changed)."""
        link = self.link
        if link is None:
            return
        try:
            self.events.snapshot_ready(self._snapshot(link))
        except RemoteError as exc:
            self.events.progress(N_("{host}: {why}").format(host=self.host, why=exc.message))

    def _on_lost(self, link: RemoteLink, exc: RemoteError) -> None:
        if link is not self.link:
            return  # an older link, already replaced
        self._disconnect_link()
        self.events.link_state(
            N_(
                "⚠ The link to {host} was lost: {why}. The pages show what was read before. Reconnecting every {s} s."
            ).format(host=self.host, why=exc.message, s=RECONNECT_S),
            False,
        )
        self._retry()

    def _capture(self, dest: str) -> None:
        link = self.link
        if link is None:
            self.events.capture_done("", N_("Not connected to a machine."))
            return
        try:
            got = fetch_bundle(link, self._workdir(), ["-q"], self.events.progress)
            target = Path(dest)
            if target.is_dir():
                target = target / got.name
            shutil.move(str(got), target)
        except RemoteError as exc:
            self.events.capture_done("", exc.message)
            return
        except OSError as exc:
            self.events.capture_done("", N_("Cannot write {path}: {why}").format(path=dest, why=exc.strerror or exc))
            return
        self.events.capture_done(str(target), "")

    def _disconnect_link(self) -> None:
        link, self.link = self.link, None
        if link is not None:
            link.close()

    def _stop(self) -> None:
        """Forget the host and end the link (File → Show live machine, or the window closes)."""
        self._retry_at = None
        self.host = ""
        self._disconnect_link()
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None


def _forward_hotplug(link: RemoteLink, deliver: Callable[[list[tuple[str, str]]], None]) -> Callable[[], None]:
    """The target's uevents, batch by batch, until the link ends (the link's own watch reports the drop)."""

    def run() -> None:
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
                        deliver(batch)
        except RemoteError:
            pass

    return run
