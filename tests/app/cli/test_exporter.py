"""`hwinspector exporter`: scraped by a real Prometheus and read by a real node_exporter, on loopback only.

Every server here listens on 127.0.0.1, is started by the test and stopped by it (tests/prometheus_servers).
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from hwinspector.cli import main
from hwinspector.cli.exporter import is_loopback, parse_listen
from tests.probes.export.test_collector import laptop
from tests.prometheus_servers import (
    NODE_EXPORTER,
    free_port,
    need,
    promtool_check,
    query,
    running,
    samples,
    wait_http,
)

EXPORTER = [sys.executable, "-m", "hwinspector", "exporter"]


def exporter_argv(sysfs: Path, *extra: str) -> list[str]:
    return [*EXPORTER, "--sysfs", str(sysfs), "--procfs", str(sysfs / "proc"), "--no-gl", *extra]


def test_a_real_prometheus_scrapes_the_exporter(tmp_path: Path) -> None:
    prometheus = need("prometheus", "prometheus")
    sysfs = tmp_path / "sys"
    laptop(sysfs)
    port, prom_port = free_port(), free_port()
    config = tmp_path / "prometheus.yml"
    config.write_text(
        "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"
        "scrape_configs:\n"
        "  - job_name: hwinspector\n"
        f"    static_configs:\n      - targets: ['127.0.0.1:{port}']\n"
    )
    base = f"http://127.0.0.1:{prom_port}"
    with running(exporter_argv(sysfs, "--listen", f"127.0.0.1:{port}")) as exporter:
        body = wait_http(f"http://127.0.0.1:{port}/metrics", exporter).decode("utf-8")
        lint = promtool_check(body)
        assert lint.returncode == 0, lint.stdout + lint.stderr
        argv = [
            prometheus,
            f"--config.file={config}",
            f"--storage.tsdb.path={tmp_path / 'tsdb'}",
            f"--web.listen-address=127.0.0.1:{prom_port}",
        ]
        with running(argv, cwd=tmp_path) as server:
            wait_http(f"{base}/-/ready", server, seconds=60)
            deadline = time.monotonic() + 60
            while not query(base, 'up{job="hwinspector"} == 1') or not query(base, "hwinspector_check_status"):
                assert time.monotonic() < deadline, "Prometheus never scraped the exporter and its scorecard"
                time.sleep(0.5)
            temp = query(base, 'node_hwmon_temp_celsius{chip="platform_coretemp_0",sensor="temp1"}')
            assert [float(r["value"][1]) for r in temp] == [48.0]
            unreadable = query(base, 'hwinspector_channel_readable{channel="hwmon:coretemp/temp2"}')
            assert [(r["metric"]["reason"], r["value"][1]) for r in unreadable] == [("EIO", "0")]
            assert query(base, 'hwinspector_channel_value{channel="hwmon:coretemp/temp2"}') == []
            assert query(base, 'hwinspector_source_ready{source="scorecard"} == 1')
            # Prometheus found nothing to complain about in what it scraped.
            targets = query(base, "scrape_samples_scraped")
            assert targets and float(targets[0]["value"][1]) > 20
        exporter.send_signal(signal.SIGTERM)
        assert exporter.wait(10) == 0


def test_textfile_for_a_real_node_exporter(tmp_path: Path) -> None:
    binary = need(NODE_EXPORTER, "prometheus-node-exporter")
    sysfs = tmp_path / "sys"
    laptop(sysfs)
    textdir = tmp_path / "textfile"
    textdir.mkdir()
    done = subprocess.run(
        exporter_argv(sysfs, "--textfile", str(textdir), "--once"), capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"wrote {textdir / 'hwinspector.prom'}"
    text = (textdir / "hwinspector.prom").read_text()
    assert promtool_check(text).returncode == 0
    # Beside node_exporter the node_* series are its own: ours would make it refuse the whole scrape.
    assert "node_hwmon" not in text and "hwinspector_check_status" in text
    port = free_port()
    argv = [
        binary,
        "--collector.disable-defaults",
        "--collector.textfile",
        "--collector.hwmon",
        f"--collector.textfile.directory={textdir}",
        f"--path.sysfs={sysfs}",
        f"--web.listen-address=127.0.0.1:{port}",
    ]
    with running(argv) as proc:
        got = samples(wait_http(f"http://127.0.0.1:{port}/metrics", proc).decode("utf-8"))
    assert got[("node_textfile_scrape_error", frozenset())] == 0.0
    assert got[("node_hwmon_temp_celsius", frozenset({("chip", "platform_coretemp_0"), ("sensor", "temp1")}))] == 48.0
    readable = {k for k in got if k[0] == "hwinspector_channel_readable"}
    assert frozenset({("channel", "hwmon:coretemp/temp2"), ("reason", "EIO")}) in {k[1] for k in readable}


def test_listen_addresses() -> None:
    assert parse_listen("127.0.0.1:9877") == ("127.0.0.1", 9877)
    assert parse_listen("[::1]:9877") == ("::1", 9877)
    assert parse_listen("localhost:0") == ("localhost", 0)
    for bad in ("9877", ":9877", "127.0.0.1:http", "127.0.0.1:70000"):
        with pytest.raises(ValueError):
            parse_listen(bad)
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.10") and not is_loopback("::")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--listen", "nonsense"], "--listen 'nonsense': expected ADDR:PORT"),
        (["--listen", "127.0.0.1:1", "--textfile", "/tmp"], "choose one"),
        (["--textfile", "/nonexistent/dir"], "/nonexistent/dir is not a folder"),
        (["--textfile", "/tmp", "--interval", "0"], "--interval must be more than 0"),
        (["--idle-json", "x.json", "--idle-every", "60"], "choose one"),
    ],
)
def test_bad_usage_is_one_line_and_exit_2(argv: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["exporter", *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_a_taken_port_is_a_clear_error(tmp_path: Path) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            exporter_argv(tmp_path, "--listen", f"127.0.0.1:{port}"), capture_output=True, text=True, timeout=60
        )
    assert done.returncode == 2
    assert done.stderr.strip() == f"hwinspector: cannot listen on 127.0.0.1:{port}: Address already in use"
