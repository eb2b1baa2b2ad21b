"""The exporter's prometheus_client collector: every source behind a cache, collected in one pass per scrape.

Sources and what a scrape may cost (PERFORMANCE.md: a sysfs read is ~1 µs, open/read/close ~5 µs):
- ``node``: node_exporter-named hwmon, power_supply, thermal, cpufreq and RAPL values, read on the
  scrape (a few hundred attribute files, milliseconds), waiting at most ``fast_wait_s`` for a read that
  blocks (an embedded controller behind acpitz);
- ``channels``: the telemetry catalogue and one reading of each channel (nvidia-smi for NVIDIA GPUs);
- ``scorecard``: every enablement check over a full live collection (seconds; GL probes start children),
  refreshed in the background at most every ``scorecard_max_age_s``; a scrape never waits for it;
- ``idle`` (optional): a windowed measurement, from a file the lab's timer writes or a periodic run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from hwinspector.probes.export.cache import CachedSource
from hwinspector.probes.export.gpu import gpu_families
from hwinspector.probes.export.node import NodeMetrics, read_node_metrics
from hwinspector.probes.export.own import channel_families, idle_families, scorecard_families, source_families
from hwinspector.probes.telemetry.channels import Catalogue, ChannelReading, read_catalogue, read_channel_values

# One idle document is a few kilobytes; a file much larger than this is not one.
MAX_IDLE_JSON_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class ExporterConfig:
    sysfs: Path = Path("/sys")
    procfs: Path = Path("/proc")
    node_metrics: bool = True  # off beside node_exporter's textfile collector: it has these itself
    scorecard: bool = True
    include_gl: bool = True
    scorecard_max_age_s: float = 300.0
    node_max_age_s: float = 1.0  # two scrapers within a second share one reading
    channels_max_age_s: float = 5.0
    gpu_max_age_s: float = 2.0  # one look per 2 s at most: fdinfo busy % is taken between looks
    fast_wait_s: float = 3.0
    idle_json: Path | None = None  # a document `hwinspector idle --json` wrote
    idle_every_s: float | None = None  # or run `hwinspector idle --json` this often
    idle_duration_s: float = 20.0


def _read_channels(sysfs: Path) -> tuple[Catalogue, list[ChannelReading]]:
    catalogue = read_catalogue(sysfs)
    return catalogue, read_channel_values(catalogue.channels)


def _run_scorecard(sysfs: Path, procfs: Path, include_gl: bool) -> list[Any]:
    from hwinspector.probes.checks.scorecard import run_scorecard
    from hwinspector.probes.machine.sections import collect_live

    return run_scorecard(collect_live(sysfs, procfs, include_gl=include_gl))


def read_idle_json(path: Path) -> dict[str, Any]:
    """The idle document, with the time it was written; a clear error for anything else."""
    with open(path, "rb") as f:
        mtime = os.fstat(f.fileno()).st_mtime
        data = f.read(MAX_IDLE_JSON_BYTES + 1)
    if len(data) > MAX_IDLE_JSON_BYTES:
        raise ValueError(f"{path}: larger than {MAX_IDLE_JSON_BYTES} bytes, not an idle result")
    try:
        doc = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: not JSON ({exc})") from None
    if not isinstance(doc, dict):
        raise ValueError(f"{path}: not an idle result (a JSON object is expected)")
    doc["_written_unix"] = mtime
    return doc


def run_idle(duration_s: float, argv0: Sequence[str] | None = None) -> dict[str, Any]:
    """One ``hwinspector idle --json`` run in a child process (the idle window is its own business)."""
    argv = [*(argv0 or [sys.executable, "-m", "hwinspector"]), "idle", "--json", "--duration", f"{duration_s:g}"]
    proc = subprocess.run(argv, capture_output=True, timeout=duration_s + 60, check=False)
    if proc.returncode not in (0, 1):
        tail = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no message"]
        raise RuntimeError(f"hwinspector idle exited {proc.returncode}: {tail[0]}")
    try:
        doc = json.loads(proc.stdout[: MAX_IDLE_JSON_BYTES + 1])
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"hwinspector idle --json printed no JSON ({exc})") from None
    if not isinstance(doc, dict):
        raise ValueError("hwinspector idle --json did not print an object")
    doc["_written_unix"] = time.time()
    return doc


class HardwareCollector(Collector):
    """Registered in a prometheus_client registry; ``collect()`` is what a scrape (or a textfile write) runs."""

    def __init__(self, config: ExporterConfig, version: str = "") -> None:
        self.config = config
        self.version = version
        c = config
        self.node: CachedSource[NodeMetrics] | None = (
            CachedSource("node", lambda: read_node_metrics(c.sysfs), max_age_s=c.node_max_age_s, wait_s=c.fast_wait_s)
            if c.node_metrics
            else None
        )
        self.channels = CachedSource(
            "channels", lambda: _read_channels(c.sysfs), max_age_s=c.channels_max_age_s, wait_s=c.fast_wait_s
        )
        from hwinspector.probes.gpu.read import GpuReader

        self.gpu_reader = GpuReader(c.sysfs, c.procfs)
        self.gpu = CachedSource("gpu", self.gpu_reader.read, max_age_s=c.gpu_max_age_s, wait_s=c.fast_wait_s)
        self.scorecard: CachedSource[list[Any]] | None = (
            CachedSource(
                "scorecard",
                lambda: _run_scorecard(c.sysfs, c.procfs, c.include_gl),
                max_age_s=c.scorecard_max_age_s,
                wait_s=0.0,
            )
            if c.scorecard
            else None
        )
        self.idle: CachedSource[dict[str, Any]] | None = None
        if c.idle_json is not None:
            path = c.idle_json
            self.idle = CachedSource("idle", lambda: read_idle_json(path), max_age_s=0.0, wait_s=c.fast_wait_s)
        elif c.idle_every_s is not None:
            duration = c.idle_duration_s
            self.idle = CachedSource("idle", lambda: run_idle(duration), max_age_s=c.idle_every_s, wait_s=0.0)

    def sources(self) -> list[CachedSource[Any]]:
        found: list[CachedSource[Any] | None] = [self.node, self.channels, self.gpu, self.scorecard, self.idle]
        return [s for s in found if s is not None]

    def collect(self, wait_all: bool = False) -> Iterator[Metric]:
        """Every family; with ``wait_all`` (one-shot textfile runs) slow sources are waited for too."""
        wait: float | None = None if wait_all else -1.0
        statuses = {s.name: s.status(wait) for s in self.sources()}
        unavailable: dict[str, str] = {}
        node = statuses.get("node")
        if node is not None and node.outcome is not None and node.outcome.value is not None:
            yield from node.outcome.value.families
            unavailable.update({f"node:{sub}": why for sub, why in node.outcome.value.unavailable})
        channels = statuses["channels"]
        if channels.outcome is not None and channels.outcome.value is not None:
            yield from channel_families(*channels.outcome.value)
        gpu = statuses.get("gpu")
        if gpu is not None and gpu.outcome is not None and gpu.outcome.value is not None:
            yield from gpu_families(gpu.outcome.value)
        scorecard = statuses.get("scorecard")
        if scorecard is not None and scorecard.outcome is not None and scorecard.outcome.value is not None:
            yield from scorecard_families(scorecard.outcome.value)
            yield _timestamp("hwinspector_scorecard_timestamp_seconds", "When the scorecard was judged", scorecard)
        idle = statuses.get("idle")
        if idle is not None and idle.outcome is not None and idle.outcome.value is not None:
            doc = idle.outcome.value
            yield from idle_families(doc)
            written = doc.get("_written_unix")
            if isinstance(written, float | int):
                fam = GaugeMetricFamily("hwinspector_idle_timestamp_seconds", "When the idle result was written")
                fam.add_metric([], float(written))
                yield fam
        yield from source_families(list(statuses.values()), unavailable)
        info = GaugeMetricFamily("hwinspector_exporter_build_info", "The exporter's version", labels=["version"])
        info.add_metric([self.version], 1)
        yield info


def _timestamp(name: str, doc: str, status: Any) -> Metric:
    fam = GaugeMetricFamily(name, doc)
    fam.add_metric([], status.outcome.finished_unix)
    return fam
