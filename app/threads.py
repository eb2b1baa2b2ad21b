"""How work crosses threads: worker threads never touch a Qt object; results reach the GUI thread through one mailbox.

Why (README, "Threading model"). PySide releases the GIL while Qt activates a signal. For a queued
connection Qt copies every argument into the event while it holds a signal-slot mutex (one of a small pool
that many objects share); copying a Python argument takes the GIL. A thread that holds the GIL and then
needs one of those mutexes — creating, connecting, disconnecting or destroying a QObject, which PySide's
weakref callbacks and the garbage collector do on whatever thread they run — waits for the copier, which
waits for it. The window froze that way (a Power page test hung once in seven full runs: the GUI thread in
a weakref finaliser, the bus loop thread and a poller thread in futex waits). Objects that belong to one
thread but were last referenced by another (a QRunnable's signal object dropped on a pool thread) crashed.

The rule, then: a worker thread is a plain ``threading.Thread`` that holds no Qt object, and its results
come back through a :class:`Port`: a call queued in the process-wide :class:`Mailbox` and run on the GUI
thread. The mailbox is woken through an eventfd that a ``QSocketNotifier`` watches, so a worker makes no
Qt call at all. Requests go the other way as plain Python (a queue, an event, a lock). Qt signals then
only ever connect objects on the GUI thread.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
import threading
import time
import weakref
from collections.abc import Callable
from typing import Any, Generic, ParamSpec, TypeVar

import shiboken6
from PySide6.QtCore import QAbstractEventDispatcher, QCoreApplication, QObject, QSocketNotifier, QThread

P = ParamSpec("P")
R = TypeVar("R")
Q = TypeVar("Q")


class Mailbox(QObject):
    """Calls posted from any thread run on the thread that owns this object, in the order posted.

    One eventfd write wakes the owner per batch of posts; draining reads it back. Nothing here takes a
    Qt lock on the posting side.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._lock = threading.Lock()
        self._items: list[tuple[Callable[[], Callable[..., None] | None], tuple[Any, ...]]] = []
        self._rung = False
        self._fd = os.eventfd(0, os.EFD_CLOEXEC | os.EFD_NONBLOCK)
        self._notifier = QSocketNotifier(self._fd, QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._drain)
        self.destroyed.connect(_close_fd(self._fd))

    def post(self, target: Callable[[], Callable[..., None] | None], args: tuple[Any, ...]) -> None:
        """Queue ``target()(*args)`` for the owner's thread (any thread; never blocks on the owner).

        ``target`` resolves the callable on the owner's thread: a ``weakref.WeakMethod``, or
        :func:`release` to hand objects over to be dropped there.
        """
        with self._lock:
            self._items.append((target, args))
            if self._rung:
                return
            self._rung = True
        with contextlib.suppress(OSError):  # closed: the application is going away
            os.eventfd_write(self._fd, 1)

    def _drain(self) -> None:
        with contextlib.suppress(OSError):
            os.eventfd_read(self._fd)
        with self._lock:
            items, self._items = self._items, []
            self._rung = False
        for target, args in items:
            fn = target()
            if fn is None:
                continue  # its object is gone: a late answer nobody waits for
            owner = getattr(fn, "__self__", None)
            if isinstance(owner, QObject) and not shiboken6.isValid(owner):
                continue  # its Qt object was deleted (a page closed while its reading was in flight)
            try:
                fn(*args)
            except Exception:  # one bad receiver must not drop the calls queued after it
                sys.excepthook(*sys.exc_info())
        collect_if_due()  # what the workers' answers left behind is collected here, on this thread


def _hand_back_target() -> Callable[..., None]:
    return _clear


def _clear(held: list[Any]) -> None:
    held.clear()


def hand_back(held: list[Any]) -> None:
    """Give what ``held`` holds to the GUI thread, which empties the list there (any thread).

    A worker's callable may reach Qt objects (a bound method of a page): its last reference must be
    dropped on the GUI thread, never on the worker's. The worker keeps no other reference of its own.
    """
    box = _mailbox
    if box is not None and shiboken6.isValid(box):
        box.post(_hand_back_target, (held,))


def _close_fd(fd: int) -> Callable[[], None]:
    def close() -> None:
        with contextlib.suppress(OSError):
            os.close(fd)

    return close


_mailbox: Mailbox | None = None
_gui_thread = 0  # the thread that made the mailbox


def gui_mailbox() -> Mailbox:
    """The mailbox of the GUI thread (made on first use there; it lives as long as the application).

    A worker that starts a worker of its own (the remote link's hotplug reader) gets the one the GUI
    thread made, without a Qt call of its own."""
    global _mailbox, _gui_thread
    box = _mailbox
    if box is not None and threading.get_ident() != _gui_thread:
        return box
    if box is not None and shiboken6.isValid(box):
        return box
    app = QCoreApplication.instance()
    if app is None or QThread.currentThread() is not app.thread():
        raise RuntimeError("the GUI mailbox is made on the GUI thread, once a QApplication exists")
    _mailbox = Mailbox(app)
    _gui_thread = threading.get_ident()
    _own_garbage_collection(_mailbox)
    return _mailbox


# --- the cyclic garbage collector runs on the GUI thread only -----------------------------------------
#
# Python runs its cyclic collector on whichever thread happens to allocate past the threshold. A worker
# that did so freed the cycles of a closed page there: Qt objects destroyed on the worker's thread, whose
# destructor takes a signal-slot mutex and then wants the GIL, while the GUI thread (holding the GIL)
# destroyed another object and waited for that mutex. The window froze (seen in the keyboard tests: a
# worker in gc → QObject::~QObject → PyGILState_Ensure; the GUI thread in ~QMenu → QBasicMutex::lock).
# So once the GUI runs, automatic collection is off and the GUI thread collects, with Python's own
# thresholds, each time its event loop is about to sleep (no timer, no wakeup of its own).

_gc_thresholds = gc.get_threshold()
_gc_owned = False
_gc_full_at = 0.0
FULL_COLLECTION_EVERY_S = 10.0  # Python's own heuristic keeps full collections rare; so does this


def _own_garbage_collection(box: Mailbox) -> None:
    global _gc_owned
    dispatcher = QAbstractEventDispatcher.instance()
    if _gc_owned or dispatcher is None:
        return
    _gc_owned = True
    gc.disable()
    dispatcher.aboutToBlock.connect(collect_if_due)
    box.destroyed.connect(_give_garbage_collection_back)


def _give_garbage_collection_back() -> None:
    global _gc_owned
    _gc_owned = False
    gc.enable()


def collect_if_due() -> int:
    """On the GUI thread: collect the generation Python would collect now; returns it (-1: none due)."""
    global _gc_full_at
    if not _gc_owned or threading.get_ident() != _gui_thread:
        return -1
    c0, c1, c2 = gc.get_count()
    t0, t1, t2 = _gc_thresholds
    if c0 <= t0 and c1 <= t1:
        return -1
    generation = 1 if c1 > t1 else 0
    now = time.monotonic()
    if c2 > t2 and now - _gc_full_at >= FULL_COLLECTION_EVERY_S:
        generation, _gc_full_at = 2, now
    gc.collect(generation)
    return generation


class Port(Generic[P]):
    """A GUI-thread method that any thread may call: the call is queued and runs on the GUI thread.

    Made on the GUI thread. It holds its method weakly, so a worker never keeps a page alive, never drops
    the last reference to a Qt object on its own thread, and a late answer to a closed page is dropped.
    """

    __slots__ = ("_box", "_target")

    def __init__(self, method: Callable[P, None]) -> None:
        if getattr(method, "__self__", None) is None:
            raise TypeError("a Port calls a bound method (a plain function could hold Qt objects a worker would drop)")
        self._box = gui_mailbox()
        self._target = weakref.WeakMethod(method)

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> None:
        if kwargs:
            raise TypeError("a Port takes positional arguments only")
        self._box.post(self._target, args)


def start_thread(target: Callable[[], None], name: str) -> threading.Thread:
    """A daemon worker thread (the interpreter never waits at exit for a read stuck in the kernel).

    When ``target`` returns, the thread hands it back to the GUI thread to be dropped there.
    """
    gui_mailbox()  # made on the GUI thread before any worker needs it
    held: list[Callable[[], None]] = [target]

    def run() -> None:
        try:
            held[0]()
        finally:
            hand_back(held)

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    return thread


def run_in_background(fn: Callable[[], R], done: Callable[[R], None], failed: Callable[[str], None]) -> None:
    """Run ``fn`` on a thread of its own; ``done(result)`` or ``failed(text)`` runs on the GUI thread."""
    done_port, failed_port = Port(done), Port(failed)

    def work() -> None:
        try:
            result = fn()
        except Exception as exc:  # a probe bug becomes the page's message, never a dead thread
            failed_port(f"{type(exc).__name__}: {exc}")
        else:
            done_port(result)

    start_thread(work, "hwi-background")


class LatestRequest(Generic[Q, R]):
    """One request at a time on a worker thread; the newest request waiting replaces an older one.

    For readers whose answer only matters for what the page shows now (the graphics stack, the audio and
    camera chains, the USB-C and wireless chains, the Overview's collection, a comparison): each request
    gets a generation number and ``done(result, generation)`` / ``failed(text, generation)`` run on the
    GUI thread. The thread exists only while there is work: an idle page costs no thread and no wakeup.
    """

    def __init__(
        self,
        work: Callable[[Q], R],
        done: Callable[[R, int], None],
        failed: Callable[[str, int], None],
        name: str,
    ) -> None:
        self._work = work
        self._done = Port(done)
        self._failed = Port(failed)
        self._name = name
        self._lock = threading.Lock()
        self._pending: tuple[Q, int] | None = None
        self._thread: threading.Thread | None = None
        self._closed = False
        self.generation = 0

    def submit(self, request: Q) -> int:
        """Ask for ``work(request)``; returns its generation (GUI thread)."""
        with self._lock:
            self.generation += 1
            if self._closed:
                return self.generation
            self._pending = (request, self.generation)
            if self._thread is None:
                self._thread = start_thread(self._run, self._name)
            return self.generation

    @property
    def running(self) -> bool:
        with self._lock:
            return self._thread is not None

    def _run(self) -> None:
        while True:
            with self._lock:
                if self._pending is None or self._closed:
                    self._thread = None
                    return
                job: list[Q] = [self._pending[0]]  # handed back to the GUI thread after the work
                generation = self._pending[1]
                self._pending = None
            try:
                result = self._work(job[0])
            except Exception as exc:  # a probe bug becomes the page's message, never a dead thread
                reason = getattr(exc, "reason", None) or f"{type(exc).__name__}: {exc}"
                self._failed(str(reason), generation)
            else:
                self._done(result, generation)
                del result
            hand_back(job)

    def shutdown(self, timeout_s: float = 5.0) -> None:
        """No more requests; wait (bounded) for the one in progress. Its answer is dropped."""
        with self._lock:
            self._closed = True
            self._pending = None
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout_s)


class Wakeup:
    """A pipe a worker's poll() also waits on, so that stop() ends its wait at once (no polling timer)."""

    def __init__(self) -> None:
        self.read_fd, self._write_fd = os.pipe2(os.O_CLOEXEC | os.O_NONBLOCK)

    def set(self) -> None:
        with contextlib.suppress(OSError):
            os.write(self._write_fd, b"x")

    def close(self) -> None:
        for fd in (self.read_fd, self._write_fd):
            with contextlib.suppress(OSError):
                os.close(fd)
        self.read_fd = self._write_fd = -1
