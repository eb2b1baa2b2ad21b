"""How work crosses threads: ports deliver on the GUI thread, workers never call into Qt, late answers are dropped."""

from __future__ import annotations

import gc
import sys
import threading
import weakref
from typing import Any

import pytest
from PySide6.QtCore import QObject

from hwinspector.threads import LatestRequest, Port, run_in_background, start_thread
from tests.app.conftest import QtCallsOffTheGuiThread


class Receiver(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.got: list[tuple[Any, ...]] = []
        self.threads: set[int] = set()

    def take(self, *args: Any) -> None:
        self.threads.add(threading.get_ident())
        self.got.append(args)


def test_calls_from_many_threads_run_on_the_gui_thread_in_order(qtbot: Any) -> None:
    r = Receiver()
    port = Port(r.take)

    def worker(n: int) -> None:
        for i in range(200):
            port(n, i)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    qtbot.waitUntil(lambda: len(r.got) == 800, timeout=5000)
    assert r.threads == {threading.get_ident()}
    for n in range(4):
        assert [i for m, i in r.got if m == n] == list(range(200))  # each sender's calls keep their order


def test_a_late_answer_to_a_deleted_object_is_dropped(qtbot: Any) -> None:
    r = Receiver()
    port = Port(r.take)
    keep = Receiver()
    witness = Port(keep.take)
    r.deleteLater()
    qtbot.waitUntil(lambda: not _valid(r), timeout=2000)
    port("late")
    witness("after")  # queued behind the late answer: once it arrives, the late one was handled
    qtbot.waitUntil(lambda: keep.got == [("after",)], timeout=2000)
    assert r.got == []  # the Python wrapper lives on, its Qt object does not: the call was dropped


def _valid(obj: QObject) -> bool:
    import shiboken6

    return bool(shiboken6.isValid(obj))


def test_a_port_keeps_no_page_alive(qtbot: Any) -> None:
    r = Receiver()
    ref = weakref.ref(r)
    port = Port(r.take)
    del r
    gc.collect()
    assert ref() is None  # the worker's port did not keep the receiver
    port("nobody listens")  # and calling it is harmless
    qtbot.wait(50)


def test_a_port_refuses_a_plain_function() -> None:
    with pytest.raises(TypeError):
        Port(lambda: None)


class Dropped:
    """Records the thread its last reference was dropped on."""

    def __init__(self, log: list[int]) -> None:
        self.log = log

    def __del__(self) -> None:
        self.log.append(threading.get_ident())


def test_a_worker_hands_its_callable_back_to_the_gui_thread(qtbot: Any) -> None:
    log: list[int] = []
    done = threading.Event()

    def make() -> Any:
        obj = Dropped(log)

        def target() -> None:
            assert obj is not None
            done.set()

        return target

    thread = start_thread(make(), "hand-back")
    assert done.wait(5)
    thread.join(5)
    qtbot.waitUntil(lambda: bool(log), timeout=3000)
    assert log == [threading.get_ident()]  # the closure (and what it held) died on the GUI thread


def test_run_in_background_answers_on_the_gui_thread(qtbot: Any) -> None:
    r = Receiver()
    run_in_background(lambda: threading.get_ident(), r.take, r.take)
    run_in_background(lambda: 1 / 0, r.take, r.take)
    qtbot.waitUntil(lambda: len(r.got) == 2, timeout=5000)
    results = {type(a[0]).__name__: a[0] for a in r.got}
    assert results["int"] != threading.get_ident()  # the work ran elsewhere
    assert results["str"].startswith("ZeroDivisionError")
    assert r.threads == {threading.get_ident()}


def test_latest_request_wins_and_the_thread_ends_when_idle(qtbot: Any) -> None:
    r = Receiver()
    gate = threading.Event()
    seen: list[int] = []

    def work(x: int) -> int:
        seen.append(x)
        gate.wait(5)
        return x * 10

    latest: LatestRequest[int, int] = LatestRequest(work, r.take, r.take, "latest-test")
    assert latest.submit(1) == 1
    qtbot.waitUntil(lambda: seen == [1], timeout=3000)
    for x in (2, 3, 4):  # while 1 is read, only the newest waiting request survives
        latest.submit(x)
    assert latest.running
    gate.set()
    qtbot.waitUntil(lambda: len(r.got) == 2, timeout=5000)
    assert seen == [1, 4]
    assert r.got == [(10, 1), (40, 4)]
    qtbot.waitUntil(lambda: not latest.running, timeout=3000)  # no thread while there is no work
    latest.shutdown()
    assert latest.submit(5) == 5 and not latest.running  # closed: nothing more is read


# --- the rule itself: no worker thread calls into Qt -------------------------------------------------


def test_the_watch_sees_a_worker_that_emits_a_signal(qtbot: Any, qt_calls_off_gui: QtCallsOffTheGuiThread) -> None:
    """The check below can fail: a worker emitting a queued signal (what the window used to do) is caught."""
    from PySide6.QtCore import Signal

    class Old(QObject):
        sig = Signal(object)

    old = Old()
    got: list[object] = []
    old.sig.connect(got.append)
    t = threading.Thread(target=lambda: old.sig.emit({"a": 1}), name="old-style")
    t.start()
    t.join()
    assert any(name == "old-style" for name, _ in qt_calls_off_gui.calls)


def test_pages_and_collectors_never_call_qt_from_their_threads(
    qtbot: Any, qt_calls_off_gui: QtCallsOffTheGuiThread, tmp_path: Any
) -> None:
    """The window's workers — snapshot collector, pollers, graphics/chain/overview readers, the idle
    measurement, the kernel log — run a real session while every call they make is watched."""
    from hwinspector.main_window import MainWindow

    w = MainWindow()
    qtbot.addWidget(w)
    w.resize(1200, 800)
    w.show()
    try:
        with qtbot.waitSignal(w.snapshot_shown, timeout=60_000):
            w.start()
        for page in ("overview", "power", "thermal", "graphics", "usbc", "audio", "telemetry", "compare", "idle"):
            if page in w.pages or any(i.page_id == page for i in w._infos):
                w.show_page(page)
                qtbot.wait(400)
        idle: Any = w.pages["idle"]
        idle.duration.setValue(2)
        idle.measure.click()
        qtbot.waitUntil(lambda: not idle.collector.busy, timeout=30_000)
        w.show_page("power")
        qtbot.wait(2000)  # the power poller reads twice
    finally:
        w.shutdown()
    assert qt_calls_off_gui.calls == [], sorted(set(qt_calls_off_gui.calls))[:20]


def test_profile_hook_is_per_thread_and_restored() -> None:
    assert sys.getprofile() is None  # the fixture watched worker threads only, not this one


def test_the_garbage_collector_runs_on_the_gui_thread_only(qtbot: Any) -> None:
    """A worker allocating past Python's threshold never runs the cyclic collector (it would destroy a closed
    page's Qt objects on its own thread: the freeze); the GUI thread collects when its loop goes idle."""
    import gc

    from hwinspector.threads import gui_mailbox

    gui_mailbox()
    assert not gc.isenabled()  # the GUI thread owns collection from now on
    seen: list[tuple[int, str]] = []

    def on_gc(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            seen.append((threading.get_ident(), threading.current_thread().name))

    class Page(QObject):
        pass

    gc.callbacks.append(on_gc)
    try:
        for _ in range(50):  # closed pages: Qt objects held in reference cycles
            page = Page()
            page.me = page  # type: ignore[attr-defined]
        del page

        def allocate() -> None:
            junk = []
            for i in range(200_000):  # far past the 700 allocations that trigger a collection
                cycle: list[Any] = [i]
                cycle.append(cycle)
                junk.append(cycle)
                if len(junk) > 1000:
                    junk.clear()

        worker = threading.Thread(target=allocate, name="allocating-worker")
        worker.start()
        worker.join()
        assert [name for ident, name in seen if ident != threading.get_ident()] == []
        qtbot.wait(50)  # the loop goes idle: the GUI thread collects
        assert any(ident == threading.get_ident() for ident, _ in seen)
    finally:
        gc.callbacks.remove(on_gc)
