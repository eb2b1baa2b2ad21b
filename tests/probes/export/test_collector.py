"""The exporter's collector over fake trees: unreadable counters are explicit with their reason, the
scorecard and idle results come out as hwinspector_* metrics, and every exposition passes promtool."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry, generate_latest

from hwinspector.probes.checks.base import Status, Verdict
from hwinspector.probes.export.collector import MAX_IDLE_JSON_BYTES, ExporterConfig, HardwareCollector
from hwinspector.probes.export.own import idle_families, scorecard_families
from hwinspector.probes.power.powercap import RAPL_ROOT_ONLY_REASON
from tests.probes.export.test_node import exposition
from tests.probes.sysfs_builder import call_unprivileged, hwmon, make_eio, platform_device, rapl_zone, shared_tmp
from tests.prometheus_servers import promtool_check, samples


def scrape(config: ExporterConfig, wait_all: bool = True) -> str:
    collector = HardwareCollector(config, "0.test")

    class Once:
        def collect(self):  # type: ignore[no-untyped-def]
            return collector.collect(wait_all=wait_all)

    reg = CollectorRegistry(auto_describe=False)
    reg.register(Once())
    return generate_latest(reg).decode("utf-8")


def laptop(sysfs: Path) -> None:
    core = platform_device(sysfs, "coretemp.0")
    d = hwmon(sysfs, 0, core, {"name": "coretemp", "temp1_input": 48000, "temp2_input": 49000})
    make_eio(d / "temp2_input")
    rapl_zone(sysfs, "intel-rapl:0", "package-0", 5_000_000)
    rapl_zone(sysfs, "intel-rapl:0:0", "core", 2_000_000)


def _unprivileged_scrape(sysfs: Path) -> str:
    return scrape(ExporterConfig(sysfs=sysfs, scorecard=False))


def test_root_only_rapl_is_an_explicit_metric_with_the_reason_never_a_zero() -> None:
    with shared_tmp() as sysfs:
        laptop(sysfs)
        for zone in ("intel-rapl:0", "intel-rapl:0:0"):
            (sysfs / "class/powercap" / zone / "energy_uj").chmod(0o400)
        text = call_unprivileged(_unprivileged_scrape, sysfs)
    assert promtool_check(text).returncode == 0
    got = samples(text)
    readable = {
        dict(k[1])["channel"]: (v, dict(k[1])["reason"])
        for k, v in got.items()
        if k[0] == "hwinspector_channel_readable"
    }
    assert readable["rapl:package-0"] == (0.0, RAPL_ROOT_ONLY_REASON)
    assert readable["rapl:package-0/core"] == (0.0, RAPL_ROOT_ONLY_REASON)
    assert readable["hwmon:coretemp/temp1"] == (1.0, "")
    # No value of any kind for what could not be read.
    assert not [k for k in got if k[0].startswith("node_rapl_")]
    valued = {
        dict(k[1]).get("channel") for k in got if k[0] in ("hwinspector_channel_value", "hwinspector_channel_total")
    }
    assert "rapl:package-0" not in valued and "rapl:package-0/core" not in valued


def test_as_root_the_same_tree_gives_values(tmp_path: Path) -> None:
    laptop(tmp_path)
    got = samples(scrape(ExporterConfig(sysfs=tmp_path, scorecard=False)))
    assert (
        got[
            (
                "node_rapl_package_joules_total",
                frozenset({("index", "0"), ("path", str(tmp_path / "class/powercap/intel-rapl:0"))}),
            )
        ]
        == 5.0
    )
    assert got[("hwinspector_channel_total", frozenset({("channel", "rapl:package-0"), ("rate_unit", "W")}))] == 5.0
    readable = {
        dict(k[1])["channel"]: (v, dict(k[1])["reason"])
        for k, v in got.items()
        if k[0] == "hwinspector_channel_readable"
    }
    assert readable["hwmon:coretemp/temp2"] == (0.0, "EIO")
    assert not [
        k for k in got if dict(k[1]).get("channel") == "hwmon:coretemp/temp2" and k[0] != "hwinspector_channel_readable"
    ]
    ready = {dict(k[1])["source"]: v for k, v in got.items() if k[0] == "hwinspector_source_ready"}
    assert ready["node"] == 1.0 and ready["channels"] == 1.0
    # Subsystems the tree lacks are named with their reason.
    assert ready["node:power_supply"] == 0.0


def test_scorecard_verdicts_are_one_series_per_status() -> None:
    verdicts = [
        Verdict("graphics", "Graphics acceleration", Status.PASS, "ok"),
        Verdict("battery", "Battery", Status.FAIL, "no battery reported"),
        Verdict("camera", "Camera", Status.NA, "none"),
    ]
    got = samples(exposition(scorecard_families(verdicts)))
    status = {
        (dict(k[1])["check"], dict(k[1])["status"]): v for k, v in got.items() if k[0] == "hwinspector_check_status"
    }
    assert status[("battery", "fail")] == 1.0 and status[("battery", "pass")] == 0.0
    assert status[("graphics", "pass")] == 1.0
    assert sum(status.values()) == 3  # exactly one current status per check
    result = {dict(k[1])["status"]: v for k, v in got.items() if k[0] == "hwinspector_scorecard_result"}
    assert result == {"fail": 1.0, "warning": 0.0, "pass": 0.0, "n/a": 0.0}
    counts = {dict(k[1])["status"]: v for k, v in got.items() if k[0] == "hwinspector_checks"}
    assert counts == {"fail": 1.0, "warning": 0.0, "pass": 1.0, "n/a": 1.0}


def test_the_live_scorecard_of_a_fake_tree_is_exported_with_its_age(tmp_path: Path) -> None:
    laptop(tmp_path)
    text = scrape(ExporterConfig(sysfs=tmp_path, procfs=tmp_path / "proc", include_gl=False))
    assert promtool_check(text).returncode == 0
    got = samples(text)
    checks = {dict(k[1])["check"] for k in got if k[0] == "hwinspector_check_status"}
    assert {"graphics", "battery", "thermal", "cpu"} <= checks
    assert got[("hwinspector_source_ready", frozenset({("source", "scorecard"), ("reason", "")}))] == 1.0
    assert ("hwinspector_source_age_seconds", frozenset({("source", "scorecard")})) in got
    assert ("hwinspector_scorecard_timestamp_seconds", frozenset()) in got


def test_a_scrape_does_not_wait_for_the_first_scorecard(tmp_path: Path) -> None:
    laptop(tmp_path)
    collector = HardwareCollector(ExporterConfig(sysfs=tmp_path, procfs=tmp_path / "proc", include_gl=False))
    assert collector.scorecard is not None
    gate_open = []

    def slow() -> list[Verdict]:
        import time

        time.sleep(2)
        gate_open.append(1)
        return []

    collector.scorecard._produce = slow  # the real scorecard takes seconds on a real machine
    names = {m.name: m for m in collector.collect()}
    assert "hwinspector_check_status" not in names
    ready = {s.labels["source"]: (s.value, s.labels["reason"]) for s in names["hwinspector_source_ready"].samples}
    assert ready["scorecard"] == (0.0, "first collection still running")
    assert gate_open == []


IDLE_DOC = {
    "duration_s": 20,
    "processes": [
        {"pid": 1, "name": "systemd", "cpu_percent": 0.1, "wakeups_per_s": 2.0},
        {"pid": 812, "name": "busy", "cpu_percent": 97.5, "wakeups_per_s": 1000.0},
        {"pid": "x", "name": None, "cpu_percent": "garbage", "wakeups_per_s": float("nan")},
        "not a record",
    ],
    "interrupts": [{"irq": "142", "name": "i915", "per_s": 800.0}, {"irq": 9, "name": "acpi", "per_s": "?"}],
    "self": {"cpu_percent": 0.4, "wakeups_per_s": 1.5},
    "verdict": {"status": "warning"},
}


def test_idle_results_from_the_documented_json(tmp_path: Path) -> None:
    got = samples(exposition(idle_families(IDLE_DOC)))
    wake = {dict(k[1])["name"]: v for k, v in got.items() if k[0] == "hwinspector_idle_process_wakeups_per_second"}
    assert wake == {"busy": 1000.0, "systemd": 2.0}  # the malformed record is left out, not a 0
    cpu = {dict(k[1])["name"]: v for k, v in got.items() if k[0] == "hwinspector_idle_process_cpu_ratio"}
    assert cpu == {"busy": 0.975, "systemd": 0.001}
    irqs = {dict(k[1])["irq"]: v for k, v in got.items() if k[0] == "hwinspector_idle_interrupts_per_second"}
    assert irqs == {"142": 800.0}
    assert got[("hwinspector_idle_self_wakeups_per_second", frozenset())] == 1.5
    assert got[("hwinspector_idle_window_seconds", frozenset())] == 20.0
    assert got[("hwinspector_idle_verdict", frozenset({("status", "warning")}))] == 1.0


def test_idle_json_file_and_its_failures(tmp_path: Path) -> None:
    path = tmp_path / "idle.json"
    path.write_text(json.dumps(IDLE_DOC))
    config = ExporterConfig(sysfs=tmp_path, scorecard=False, node_metrics=False, idle_json=path)
    text = scrape(config)
    assert promtool_check(text).returncode == 0
    got = samples(text)
    assert got[("hwinspector_source_ready", frozenset({("source", "idle"), ("reason", "")}))] == 1.0
    assert ("hwinspector_idle_timestamp_seconds", frozenset()) in got
    for content, reason in (
        (b"{not json", "not JSON"),
        (b"[1, 2]", "a JSON object is expected"),
        (b"\xff\xfe", "not JSON"),
        (b" " * (MAX_IDLE_JSON_BYTES + 1), "larger than"),
    ):
        path.write_bytes(content)
        got = samples(scrape(config))
        ready = {
            dict(k[1])["source"]: (v, dict(k[1])["reason"])
            for k, v in got.items()
            if k[0] == "hwinspector_source_ready"
        }
        assert ready["idle"][0] == 0.0 and reason in ready["idle"][1]
        assert not [k for k in got if k[0].startswith("hwinspector_idle_")]
    path.unlink()
    ready_missing = {
        dict(k[1])["source"]: dict(k[1])["reason"]
        for k in samples(scrape(config))
        if k[0] == "hwinspector_source_ready"
    }
    assert "No such file" in ready_missing["idle"]


def test_periodic_idle_runs_use_the_documented_json(tmp_path: Path) -> None:
    from hwinspector.probes.export.collector import run_idle

    (tmp_path / "doc.json").write_text(json.dumps(IDLE_DOC))
    fake = tmp_path / "idle.py"
    fake.write_text(
        "import sys\n"
        "assert sys.argv[1:] == ['idle', '--json', '--duration', '0.5'], sys.argv\n"
        f"print(open({str(tmp_path / 'doc.json')!r}).read())\n"
        "sys.exit(1)  # a verdict that found culprits is still a result\n"
    )
    doc = run_idle(0.5, [sys.executable, str(fake)])
    assert doc["processes"][1]["name"] == "busy" and isinstance(doc["_written_unix"], float)
    fake.write_text("import sys\nprint('usage: no such command', file=sys.stderr)\nsys.exit(2)\n")
    with pytest.raises(RuntimeError, match="hwinspector idle exited 2: usage: no such command"):
        run_idle(0.5, [sys.executable, str(fake)])
    fake.write_text("print('Traceback (most recent call last):')\n")
    with pytest.raises(ValueError, match="printed no JSON"):
        run_idle(0.5, [sys.executable, str(fake)])
