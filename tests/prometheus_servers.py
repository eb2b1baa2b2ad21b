"""Real Prometheus programs for the exporter tests: loopback only, bounded, and always stopped."""

from __future__ import annotations

import contextlib
import json
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

NODE_EXPORTER = "prometheus-node-exporter"  # Debian's name for node_exporter


def need(program: str, package: str) -> str:
    path = shutil.which(program)
    if path is None:
        pytest.skip(f"{program} is not installed (Debian package {package}; make sysdeps installs it)")
    return path


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def http_get(url: str, timeout: float = 5.0) -> bytes:
    with urllib.request.urlopen(url, timeout=timeout) as r:
        data: bytes = r.read()
        return data


def wait_http(url: str, proc: subprocess.Popen[bytes], seconds: float = 20.0) -> bytes:
    """The body of ``url`` once it answers; fails with the program's output when it exits or never answers."""
    deadline = time.monotonic() + seconds
    while True:
        if proc.poll() is not None:
            out = proc.stdout.read().decode("utf-8", "replace") if proc.stdout else ""
            pytest.fail(f"{proc.args!r} exited {proc.returncode} before answering:\n{out[-2000:]}")
        try:
            return http_get(url)
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            if time.monotonic() > deadline:
                pytest.fail(f"{url} did not answer within {seconds} s")
            time.sleep(0.1)


@contextlib.contextmanager
def running(argv: Sequence[str], cwd: Path | None = None) -> Iterator[subprocess.Popen[bytes]]:
    """Start a program and stop it (TERM, then KILL) however the test ends."""
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=cwd)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)
        if proc.stdout:
            proc.stdout.close()


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of an exposition, keyed by name and label set (parsed by the client library's parser)."""
    out: dict[tuple[str, frozenset[tuple[str, str]]], float] = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, frozenset(s.labels.items()))] = s.value
    return out


def promtool_check(text: str) -> subprocess.CompletedProcess[str]:
    promtool = need("promtool", "prometheus")
    return subprocess.run(
        [promtool, "check", "metrics"], input=text, capture_output=True, text=True, timeout=30, check=False
    )


def query(base: str, promql: str) -> list[dict[str, Any]]:
    """Instant query against a Prometheus server's HTTP API: the result vector."""
    url = f"{base}/api/v1/query?" + urllib.parse.urlencode({"query": promql})
    doc = json.loads(http_get(url))
    assert doc["status"] == "success", doc
    result: list[dict[str, Any]] = doc["data"]["result"]
    return result
