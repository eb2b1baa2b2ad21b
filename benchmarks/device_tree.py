"""Benchmark: build the device tree of the largest corpus dump, against a bare record split as baseline.

Prints JSON (and a short table on stderr). Target (PERFORMANCE.md): a 1,500-device tree in <= 300 ms.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("HWINSPECTOR_CORPUS", REPO.parent / "shared" / "corpus"))


def _median_ms(fn, runs: int = 7) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return round(statistics.median(times), 2)


def main() -> int:
    dumps = sorted((CORPUS / "udev/checkbox-udevadm_data").glob("*.txt"), key=lambda p: p.stat().st_size)
    if not dumps:
        # Without the real-machine corpus there is nothing of realistic size to build: skip, say why,
        # and let `make bench` go on with the benchmarks that need no corpus.
        reason = f"no corpus at {CORPUS} (set HWINSPECTOR_CORPUS to the real-hardware corpus)"
        print(json.dumps({"benchmark": "device_tree", "skipped": reason}))
        return 0
    from PySide6.QtWidgets import QApplication, QTreeView

    from hwinspector.models.device_tree import DeviceTreeModel
    from hwinspector.probes.devices.udevdump import read_dump
    from hwinspector.probes.machine.snapshot import load_snapshot

    app = QApplication.instance() or QApplication([])
    largest = dumps[-1]
    text = largest.read_text(errors="replace")

    def baseline() -> None:
        # the least any reader must do: split records and key/value lines
        for rec in text.split("\n\n"):
            for line in rec.splitlines():
                line.partition("=")

    snap = load_snapshot(largest)
    n = len(snap.devices)

    def build_models() -> None:
        for mode in ("topology", "kind"):
            m = DeviceTreeModel(mode)
            m.set_devices(snap.devices)

    view = QTreeView()
    model = DeviceTreeModel("kind")
    view.setModel(model)
    view.resize(1000, 700)

    def view_reset() -> None:
        model.set_devices(snap.devices)
        view.expandAll()
        app.processEvents()

    result = {
        "benchmark": "device_tree",
        "input": largest.name,
        "devices": n,
        "baseline_split_ms": _median_ms(baseline),
        "parse_dump_ms": _median_ms(lambda: read_dump(largest)),
        "snapshot_with_problems_ms": _median_ms(lambda: load_snapshot(largest)),
        "build_both_models_ms": _median_ms(build_models),
        "model_reset_in_view_ms": _median_ms(view_reset),
        "live_sysfs_snapshot_ms": _median_ms(lambda: load_snapshot(None), runs=3),
    }
    total = result["snapshot_with_problems_ms"] + result["build_both_models_ms"]
    result["total_ms"] = round(total, 2)
    result["total_per_1500_devices_ms"] = round(total * 1500 / n, 2)
    result["target_ms_per_1500"] = 300
    result["ratio_parse_vs_baseline"] = round(result["parse_dump_ms"] / max(result["baseline_split_ms"], 0.01), 1)
    print(json.dumps(result, indent=1))
    for k, v in result.items():
        print(f"{k:32} {v}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
