"""The hotplug thread sleeps on the uevent socket: no wakeups while nothing happens, events on time."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from hwinspector.collectors.snapshot import FLUSH_INTERVAL_S, HotplugThread

NULL_UEVENT = Path("/sys/devices/virtual/mem/null/uevent")


def _switches(tid: int) -> int:
    for line in Path(f"/proc/self/task/{tid}/status").read_text().splitlines():
        if line.startswith("voluntary_ctxt_switches:"):
            return int(line.split()[1])
    raise AssertionError("no voluntary_ctxt_switches line")


@pytest.fixture
def thread(qtbot):  # type: ignore[no-untyped-def]
    th = HotplugThread(source="kernel")
    unavailable: list[str] = []
    th.unavailable.connect(unavailable.append)
    th.start()
    assert th.listening.wait(5.0)
    qtbot.waitUntil(lambda: th.native_id is not None or bool(unavailable), timeout=5000)
    if unavailable:
        th.stop()
        pytest.skip(f"no uevent socket here: {unavailable[0]}")
    yield th
    th.stop()


def test_idle_monitor_does_not_wake_on_a_timer(thread: HotplugThread) -> None:
    assert thread.native_id is not None
    time.sleep(0.3)
    before = _switches(thread.native_id)
    time.sleep(2.0)
    woken = _switches(thread.native_id) - before
    # the 50 ms poll of before woke it 40 times in these 2 s; blocking waits: none unless a uevent came
    assert woken <= 5, f"hotplug thread woke {woken} times in 2 s while idle"


def test_stop_is_immediate(thread: HotplugThread) -> None:
    t = time.monotonic()
    thread.stop()
    assert time.monotonic() - t < 1.0
    assert not thread.isRunning()


@pytest.mark.skipif(not os.access(NULL_UEVENT, os.W_OK), reason="writing a uevent trigger needs root")
def test_a_real_kernel_uevent_arrives_as_one_batch(thread: HotplugThread, qtbot) -> None:  # type: ignore[no-untyped-def]
    batches: list[list[tuple[str, str]]] = []
    thread.batch.connect(batches.append)
    t = time.monotonic()
    NULL_UEVENT.write_text("change")  # the kernel sends a real "change" uevent for /dev/null
    NULL_UEVENT.write_text("change")
    qtbot.waitUntil(lambda: bool(batches), timeout=3000)
    took = time.monotonic() - t
    assert ("change", "/devices/virtual/mem/null") in batches[0]
    assert len(batches[0]) == 1  # two changes of one device: coalesced
    assert took >= FLUSH_INTERVAL_S * 0.9
