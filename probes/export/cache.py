"""Results of slow probes, refreshed on demand in a worker thread so that a scrape never waits on them.

Nothing runs while nobody asks: a source refreshes when a scrape (or a textfile write) finds its last
result older than ``max_age_s``, in one worker thread at a time. The scrape waits at most ``wait_s`` for
that refresh and otherwise serves the previous result with its age. A refresh that hangs (a sysfs read
that blocks on an embedded controller) only makes the result older; it never blocks a scrape again.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Outcome(Generic[T]):
    """The last finished refresh of a source: its value, or why there is none."""

    value: T | None
    error: str | None  # one line; None when the refresh succeeded
    finished_monotonic: float
    finished_unix: float
    duration_s: float


@dataclass(frozen=True, slots=True)
class Status(Generic[T]):
    """What a scrape gets: the newest outcome (None before the first refresh ends) and its state."""

    name: str
    outcome: Outcome[T] | None
    age_s: float | None  # since the outcome's refresh finished
    refreshing: bool  # a refresh is under way (its result is not in ``outcome`` yet)
    refreshing_for_s: float | None

    @property
    def ready(self) -> bool:
        return self.outcome is not None and self.outcome.error is None and self.outcome.value is not None

    @property
    def reason(self) -> str:
        """Why the source has no current value ("" when it has one)."""
        if self.outcome is None:
            return "first collection still running" if self.refreshing else "not collected yet"
        return self.outcome.error or ""


class CachedSource(Generic[T]):
    """One probe whose result is kept for ``max_age_s`` and refreshed in the background."""

    def __init__(
        self,
        name: str,
        produce: Callable[[], T],
        *,
        max_age_s: float,
        wait_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.name = name
        self._produce = produce
        self.max_age_s = max_age_s
        self.wait_s = wait_s
        self._clock = clock
        self._lock = threading.Lock()
        self._outcome: Outcome[T] | None = None
        self._worker: threading.Thread | None = None
        self._started = 0.0
        self._done = threading.Event()

    def status(self, wait_s: float | None = -1.0) -> Status[T]:
        """Start a refresh when the result is stale and wait for it up to ``wait_s``.

        ``wait_s`` -1 means the source's own budget; None waits for the refresh to end (one-shot
        textfile runs, which have no scraper to keep waiting).
        """
        budget = self.wait_s if wait_s is not None and wait_s < 0 else wait_s
        with self._lock:
            stale = self._outcome is None or self._clock() - self._outcome.finished_monotonic >= self.max_age_s
            if stale and self._worker is None:
                self._start_locked()
            done, running = self._done, self._worker is not None
        if running and (budget is None or budget > 0):
            done.wait(budget)
        return self._snapshot()

    def _start_locked(self) -> None:
        self._done = threading.Event()
        self._started = self._clock()
        self._worker = threading.Thread(target=self._run, args=(self._done,), name=f"export-{self.name}", daemon=True)
        self._worker.start()

    def _run(self, done: threading.Event) -> None:
        start = self._clock()
        value: T | None = None
        error: str | None = None
        try:
            value = self._produce()
        except Exception as exc:  # a source's failure is its state, shown in the metrics, never fatal
            error = _one_line(f"{type(exc).__name__}: {exc}")
        end = self._clock()
        with self._lock:
            self._outcome = Outcome(value, error, end, time.time(), end - start)
            self._worker = None
        done.set()

    def _snapshot(self) -> Status[T]:
        with self._lock:
            now = self._clock()
            outcome = self._outcome
            refreshing = self._worker is not None
            return Status(
                self.name,
                outcome,
                None if outcome is None else max(0.0, now - outcome.finished_monotonic),
                refreshing,
                now - self._started if refreshing else None,
            )


def _one_line(text: str, limit: int = 200) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
