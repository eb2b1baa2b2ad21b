"""The Prometheus files in packaging/prometheus: promtool accepts them and the alerts fire when they should."""

from __future__ import annotations

import subprocess
from pathlib import Path

import yaml

from tests.prometheus_servers import need

REPO = Path(__file__).resolve().parents[2]
FILES = REPO / "packaging" / "prometheus"

# promtool's rule unit tests: input series as the exporter writes them, the alerts expected.


def series(name: str, **labels: str) -> str:
    return name + "{" + ",".join(f'{k}="{v}"' for k, v in {"instance": "lab1", **labels}.items()) + "}"


TEMP1 = "hwmon:coretemp/temp1"
RULE_TESTS = {
    "rule_files": [str(FILES / "hwinspector-rules.yml")],
    "evaluation_interval": "1m",
    "tests": [
        {
            "interval": "1m",
            "input_series": [
                # battery fails from minute 20 on; graphics passes throughout
                {"series": series("hwinspector_check_status", check="battery", status="fail"), "values": "0x19 1x40"},
                {"series": series("hwinspector_check_status", check="graphics", status="fail"), "values": "0x60"},
                # coretemp/temp1 readable for 80 minutes, then EIO; RAPL root-only all along
                {"series": series("hwinspector_channel_readable", channel=TEMP1, reason=""), "values": "1x80"},
                {"series": series("hwinspector_channel_readable", channel=TEMP1, reason="EIO"), "values": "_x80 0x30"},
                {
                    "series": series("hwinspector_channel_readable", channel="rapl:package-0", reason="root only"),
                    "values": "0x110",
                },
                {"series": series("hwinspector_source_age_seconds", source="scorecard"), "values": "10+60x110"},
            ],
            "alert_rule_test": [
                {"eval_time": "25m", "alertname": "HwinspectorCheckFails", "exp_alerts": []},
                {
                    "eval_time": "35m",
                    "alertname": "HwinspectorCheckFails",
                    "exp_alerts": [
                        {
                            "exp_labels": {
                                "severity": "warning",
                                "instance": "lab1",
                                "check": "battery",
                                "status": "fail",
                            },
                            "exp_annotations": {"summary": "Enablement check battery fails on lab1"},
                        }
                    ],
                },
                {"eval_time": "70m", "alertname": "HwinspectorChannelBecameUnreadable", "exp_alerts": []},
                {
                    "eval_time": "90m",
                    "alertname": "HwinspectorChannelBecameUnreadable",
                    "exp_alerts": [
                        {
                            "exp_labels": {
                                "severity": "warning",
                                "instance": "lab1",
                                "channel": "hwmon:coretemp/temp1",
                                "reason": "EIO",
                            },
                            "exp_annotations": {
                                "summary": "Telemetry channel hwmon:coretemp/temp1 became unreadable: EIO"
                            },
                        }
                    ],
                },
                {"eval_time": "50m", "alertname": "HwinspectorScorecardStale", "exp_alerts": []},
                {
                    "eval_time": "80m",
                    "alertname": "HwinspectorScorecardStale",
                    "exp_alerts": [
                        {
                            "exp_labels": {"severity": "info", "instance": "lab1", "source": "scorecard"},
                            "exp_annotations": {"summary": "The scorecard of lab1 is 1h 20m 10s old"},
                        }
                    ],
                },
            ],
        }
    ],
}


def test_promtool_accepts_the_config_and_the_rules() -> None:
    promtool = need("promtool", "prometheus")
    for what, name in (("config", "scrape-hwinspector.yml"), ("rules", "hwinspector-rules.yml")):
        done = subprocess.run(
            [promtool, "check", what, str(FILES / name)], capture_output=True, text=True, timeout=60, check=False
        )
        assert done.returncode == 0, done.stdout + done.stderr


def test_the_alerts_fire_when_they_should(tmp_path: Path) -> None:
    promtool = need("promtool", "prometheus")
    tests = tmp_path / "tests.yml"
    tests.write_text(yaml.safe_dump(RULE_TESTS))
    done = subprocess.run(
        [promtool, "test", "rules", str(tests)], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SUCCESS" in done.stdout
