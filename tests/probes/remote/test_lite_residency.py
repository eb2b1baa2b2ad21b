"""The zero-install agent's idle residencies stay within 0-100 % at any rate (they move in steps)."""

from __future__ import annotations

import os
import random
from pathlib import Path

from hwinspector.probes.remote.lite import LiteSource


def _cpuidle(tmp_path: Path) -> Path:
    state = tmp_path / "sys/devices/system/cpu/cpu0/cpuidle/state1"
    state.mkdir(parents=True)
    (state / "name").write_text("C1\n")
    (state / "time").write_text("0\n")
    return state / "time"


def test_step_counter_never_passes_100_percent(tmp_path: Path) -> None:
    counter = _cpuidle(tmp_path)
    src = LiteSource(["cpuidle:*"], 1000.0, sysfs=str(tmp_path / "sys"))
    (chan,) = src.channels
    fd = os.open(counter, os.O_RDONLY)
    rng = random.Random(7)
    try:
        now, total_us, values, idle_us = 0, 0, [], 0
        for _ in range(4000):  # 4 s at 1 kHz: idle periods of 1-40 ms are added when they end
            now += 1_000_000
            idle_us += 1000 if rng.random() < 0.8 else 0
            if idle_us and rng.random() < 0.05:
                total_us += idle_us  # the kernel adds a whole idle period when the CPU wakes
                idle_us = 0
                counter.write_text(f"{total_us}\n")
            v = src._value(chan, fd, now)
            if v is not None:
                values.append(v)
    finally:
        os.close(fd)
    assert values and all(0.0 <= v <= 100.0 for v in values)
    assert 50 < sum(values) / len(values) < 100  # about 80 % idle
