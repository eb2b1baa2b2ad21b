"""CachedSource: a scrape never waits longer than its budget, stale results keep their age, one refresh at a time."""

from __future__ import annotations

import threading
import time

from hwinspector.probes.export.cache import CachedSource


class Gate:
    """A produce() that blocks until released, counting its calls (a hung sysfs read, made controllable)."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.calls = 0
        self.lock = threading.Lock()

    def __call__(self) -> int:
        with self.lock:
            self.calls += 1
            n = self.calls
        self.release.wait(30)
        return n


def test_first_result_is_waited_for_within_the_budget() -> None:
    src = CachedSource("fast", lambda: 42, max_age_s=60, wait_s=5)
    st = src.status()
    assert st.ready and st.outcome is not None and st.outcome.value == 42
    assert st.reason == ""
    assert st.age_s is not None and st.age_s < 5


def test_a_hung_refresh_costs_a_scrape_only_its_budget_and_never_starts_twice() -> None:
    gate = Gate()
    src = CachedSource("hung", gate, max_age_s=0, wait_s=0.2)
    t0 = time.monotonic()
    first = src.status()
    assert time.monotonic() - t0 < 5
    assert not first.ready and first.refreshing
    assert first.reason == "first collection still running"
    for _ in range(5):  # scrapes while the first refresh hangs start no second one
        assert src.status(0).refreshing
    assert gate.calls == 1
    gate.release.set()
    done = src.status(None)  # wait for the one in flight... and the next (max_age 0) refresh
    assert done.ready and done.outcome is not None
    assert gate.calls >= 1


def test_stale_results_are_served_with_their_age_while_a_slow_source_refreshes() -> None:
    gate = Gate()
    gate.release.set()
    src = CachedSource("slow", gate, max_age_s=0.05, wait_s=0)
    src.status(None)
    assert gate.calls == 1
    gate.release.clear()
    time.sleep(0.1)
    st = src.status()  # stale: a refresh starts, the scrape does not wait for it
    assert st.refreshing
    assert st.ready and st.outcome is not None and st.outcome.value == 1
    assert st.age_s is not None and st.age_s >= 0.05
    gate.release.set()
    assert src.status(None).outcome is not None


def test_a_failing_source_reports_the_error_as_its_reason() -> None:
    def broken() -> int:
        raise OSError(5, "Input/output error\nsecond line")

    st = CachedSource("broken", broken, max_age_s=60, wait_s=5).status()
    assert not st.ready
    assert st.reason == "OSError: [Errno 5] Input/output error second line"
    assert st.outcome is not None and st.outcome.duration_s >= 0


def test_nothing_runs_until_asked() -> None:
    calls: list[int] = []
    CachedSource("idle", lambda: calls.append(1), max_age_s=60, wait_s=1)
    time.sleep(0.05)
    assert calls == []
