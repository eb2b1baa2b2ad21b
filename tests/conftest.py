"""Shared fixtures: offscreen Qt, the real-hardware corpus, fake sysfs trees."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# Must be set before any QApplication exists, else Qt aborts the run with exit 134 on a machine
# without a display and pytest swallows the message.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"


def _corpus_dir() -> Path | None:
    env = os.environ.get("HWINSPECTOR_CORPUS")
    if env:
        p = Path(env)
        return p if p.is_dir() else None
    p = REPO.parent / "shared" / "corpus"
    return p if p.is_dir() else None


CORPUS = _corpus_dir()


@pytest.fixture
def corpus() -> Path:
    """The shared real-hardware corpus; tests using it are skipped, with the reason, where it is absent."""
    if CORPUS is None:
        pytest.skip("real-hardware corpus not found (set HWINSPECTOR_CORPUS or place ../shared/corpus)")
    return CORPUS


@pytest.fixture
def data_dir() -> Path:
    return DATA


@pytest.fixture(autouse=True)
def _collect_garbage_between_tests() -> Iterator[None]:
    """Once a window's mailbox exists the GUI thread owns the cyclic garbage collector and collects when its
    event loop is about to sleep (README, "Threading model"); a test that never runs the loop gets the
    same collection after it, on this (the GUI) thread."""
    yield
    threads = sys.modules.get("hwinspector.threads")
    if threads is not None:
        threads.collect_if_due()
