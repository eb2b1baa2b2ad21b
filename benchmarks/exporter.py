"""Benchmark: what one Prometheus scrape of `hwinspector exporter` costs, against node_exporter on the same tree.

Both serve the same sysfs tree (node_exporter's own fixture from the corpus, or --sysfs) on 127.0.0.1
and are scraped alternately, so the machine's load hits both alike. "hwinspector" reads every file on every
scrape (as node_exporter does); "hwinspector_cached" is the default, where scrapes within a second share
one reading (channels: five seconds). Ours serves node_exporter's hwmon,
power_supply, thermal, cpufreq and RAPL families plus the hwinspector_* ones (channels, sources; the
scorecard is left out: it is cached and refreshed in the background, never on a scrape). The baseline is
node_exporter with the same five collectors. Prints JSON: median and p95 scrape latency of each, bytes,
series, and the ratio.
    python benchmarks/exporter.py [--scrapes 200] [--sysfs DIR]
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(url: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            urllib.request.urlopen(url, timeout=5).read()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"{proc.args!r} did not answer on {url}")


def _scrape(url: str) -> tuple[float, bytes]:
    started = time.perf_counter()
    body = urllib.request.urlopen(url, timeout=10).read()
    return time.perf_counter() - started, body


def _series(body: bytes) -> int:
    return sum(1 for line in body.splitlines() if line and not line.startswith(b"#"))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--scrapes", type=int, default=200)
    ap.add_argument("--sysfs", type=Path, help="default: node_exporter's sysfs fixture from the corpus")
    args = ap.parse_args()
    node_exporter = shutil.which("prometheus-node-exporter")
    if node_exporter is None:
        print("prometheus-node-exporter is not installed (make sysdeps)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        sysfs = args.sysfs
        if sysfs is None:
            sys.path.insert(0, str(REPO))
            from tests.probes.sysfs_builder import extract_ttar

            archive = REPO.parent / "shared/corpus/other/prometheus-node_exporter/sys.ttar"
            if not archive.exists():
                print(f"{archive} not found: give --sysfs", file=sys.stderr)
                return 2
            extract_ttar(archive, Path(tmp), "sys")
            sysfs = Path(tmp) / "sys"
        ours_port, cached_port, theirs_port = _port(), _port(), _port()
        base = [sys.executable, "-m", "hwinspector", "exporter", "--sysfs", str(sysfs), "--no-scorecard"]
        ours = subprocess.Popen([*base, "--listen", f"127.0.0.1:{ours_port}", "--fresh"], stdout=subprocess.DEVNULL)
        cached = subprocess.Popen([*base, "--listen", f"127.0.0.1:{cached_port}"], stdout=subprocess.DEVNULL)
        theirs = subprocess.Popen(
            [node_exporter, "--collector.disable-defaults", "--collector.hwmon", "--collector.powersupplyclass",
             "--collector.thermal_zone", "--collector.cpufreq", "--collector.rapl", f"--path.sysfs={sysfs}",
             f"--web.listen-address=127.0.0.1:{theirs_port}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            urls = {
                "hwinspector": f"http://127.0.0.1:{ours_port}/metrics",
                "hwinspector_cached": f"http://127.0.0.1:{cached_port}/metrics",
                "node_exporter": f"http://127.0.0.1:{theirs_port}/metrics",
            }
            _wait(urls["hwinspector"], ours)
            _wait(urls["hwinspector_cached"], cached)
            _wait(urls["node_exporter"], theirs)
            times: dict[str, list[float]] = {k: [] for k in urls}
            bodies: dict[str, bytes] = {}
            for _ in range(args.scrapes):
                for name, url in urls.items():
                    took, bodies[name] = _scrape(url)
                    times[name].append(took)
        finally:
            for proc in (ours, cached, theirs):
                proc.terminate()
                proc.wait(10)
    result = {"benchmark": "exporter_scrape", "scrapes": args.scrapes, "sysfs": str(args.sysfs or "corpus fixture")}
    for name, values in times.items():
        ordered = sorted(values)
        result[name] = {
            "median_ms": round(statistics.median(values) * 1000, 2),
            "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1] * 1000, 2),
            "bytes": len(bodies[name]),
            "series": _series(bodies[name]),
        }
    result["median_ratio_hwinspector_to_node_exporter"] = round(
        result["hwinspector"]["median_ms"] / result["node_exporter"]["median_ms"],
        2,  # type: ignore[index]
    )
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
