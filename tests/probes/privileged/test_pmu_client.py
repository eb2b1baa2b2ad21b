"""The window's side of the helper's PMU stream: rows from the helper, scaled as the channels say."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pytest

from hwinspector.probes.graphics.pmu_channels import intel_pmu_channels
from hwinspector.probes.privileged.client import HelperClient, HelperRefused
from hwinspector.probes.privileged.pmu_client import HelperPmuSampler
from hwinspector.probes.privileged.protocol import RAPL_MAX_RATE_HZ
from hwinspector.probes.telemetry.channels import Channel
from tests.probes.graphics import pmu_trees as trees
from tests.probes.privileged.test_pmu_stream import BUSY, ENERGY, pmu_roots, pytestmark  # noqa: F401


def _client(tmp_path: Path) -> tuple[HelperClient, list[Channel]]:
    roots = pmu_roots(tmp_path)
    code = (
        "import sys; from pathlib import Path; from hwinspector.probes.privileged.server import serve; "
        "from hwinspector.probes.privileged.sources import Roots; "
        f"sys.exit(serve(sys.stdin.buffer, sys.stdout.buffer, Roots(Path({str(roots.sysfs)!r}), "
        f"Path({str(roots.devfs)!r}), Path({str(roots.procfs)!r}), Path({str(roots.debugfs)!r}))))"
    )
    return HelperClient([sys.executable, "-c", code]), intel_pmu_channels(roots.sysfs)


def test_rows_from_the_helper_are_the_channels_values(tmp_path: Path) -> None:
    client, channels = _client(tmp_path)
    by_id = {c.id: c for c in channels}
    with client:
        s = HelperPmuSampler(client, [by_id[BUSY], by_id[ENERGY]], 1000)
        s.start()
        assert s.rate_hz == RAPL_MAX_RATE_HZ and s.notice and "20" in s.notice  # the energy counter's cap
        assert s.open_errors == {}
        time.sleep(0.5)
        block = s.drain()
        s.stop()
        assert len(s.drain().timestamps_ns) == 0  # stopped: nothing more
    t, v = block.timestamps_ns, block.values
    assert len(t) >= 5 and block.raw is not None and block.raw.dtype == np.uint64
    # busy is cpu-clock ns x 1e-7: it grows by 100 (% x s) per second of wall time
    assert (v[-1, 0] - v[0, 0]) / ((t[-1] - t[0]) * 1e-9) == pytest.approx(100.0, rel=0.05)
    assert v[-1, 1] == pytest.approx(float(block.raw[-1, 1]) * 2.0**-32)  # energy in joules from 2^-32 J
    assert block.stats["read_errors"] == 0 and block.stats["ticks"] == len(t)


def test_only_pmu_channels_and_only_offered_ids(tmp_path: Path) -> None:
    client, _ = _client(tmp_path)
    with client:
        file_channel = Channel("rapl:package-0", "x", "W", "/sys/x", 1.0, 10.0, "counter", "x", True, None)
        with pytest.raises(ValueError, match="PMU channels"):
            HelperPmuSampler(client, [file_channel], 10)
        # a channel of another machine's PMU: the helper offers only what its own discovery found
        other = tmp_path / "other"
        trees.glk(other)
        foreign = next(c for c in intel_pmu_channels(other) if c.id.endswith("/vcs0/busy"))
        with pytest.raises(HelperRefused, match="not offered"):
            HelperPmuSampler(client, [foreign], 10).start()
