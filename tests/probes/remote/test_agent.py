"""``hwinspector agent`` on pipes (no ssh): what it says first, what it refuses, how it ends."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import pytest

from hwinspector.probes.remote.lite import list_lite_channels
from hwinspector.probes.remote.protocol import VERSION, Frame, control, read_frame
from hwinspector.probes.telemetry.channels import list_channels
from tests.probes.telemetry.test_channels import laptop


@pytest.fixture
def agent() -> Iterator[subprocess.Popen[bytes]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "hwinspector", "agent"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)
        for pipe in (proc.stdin, proc.stdout, proc.stderr):
            if pipe:
                pipe.close()


def send(proc: subprocess.Popen[bytes], data: bytes) -> None:
    assert proc.stdin
    proc.stdin.write(data)
    proc.stdin.flush()


def frame(proc: subprocess.Popen[bytes]) -> Frame:
    out: IO[bytes] | None = proc.stdout
    assert out
    f = read_frame(out)
    assert f is not None
    return f


def until_close(proc: subprocess.Popen[bytes], channel: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    got = []
    while True:
        f = frame(proc)
        if f.channel == "" and f.command == "close" and f.message.get("channel") == channel:
            return got, f.message
        if f.channel == channel:
            got.append(f.message)


def test_init_comes_first_with_version_and_capabilities(agent: subprocess.Popen[bytes]) -> None:
    f = frame(agent)
    assert f.channel == "" and f.command == "init"
    assert f.message["version"] == VERSION
    assert set(f.message["capabilities"]) >= {"cli", "report", "telemetry", "udev-db"}
    assert f.message["agent"] == "hwinspector"


def test_ping_is_answered_and_eof_ends_the_agent(agent: subprocess.Popen[bytes]) -> None:
    frame(agent)
    send(agent, control("init", version=VERSION) + control("ping"))
    assert frame(agent).command == "pong"
    assert agent.stdin
    agent.stdin.close()
    assert agent.wait(timeout=10) == 0


def test_commands_outside_the_read_only_set_are_refused(agent: subprocess.Popen[bytes]) -> None:
    frame(agent)
    for i, argv in enumerate((["report", "-o", "/tmp"], ["agent"], ["open", "x"], ["diff", "a", "b"])):
        send(agent, control("open", channel=str(i + 1), payload="cli", argv=argv))
        _, closed = until_close(agent, str(i + 1))
        assert closed["problem"] == "not-supported"
    send(agent, control("open", channel="9", payload="shell", cmd="id"))
    _, closed = until_close(agent, "9")
    assert closed["problem"] == "not-supported"


def test_a_command_streams_its_output_and_exit_status(agent: subprocess.Popen[bytes]) -> None:
    frame(agent)
    send(agent, control("open", channel="1", payload="cli", argv=["drivers", "--json"]))
    got, closed = until_close(agent, "1")
    assert closed["exit-status"] == 0
    assert '"bindings"' in "".join(m.get("out", "") for m in got)


def test_bad_argv_is_a_protocol_error_on_that_channel(agent: subprocess.Popen[bytes]) -> None:
    frame(agent)
    send(agent, control("open", channel="1", payload="cli", argv="devices; rm -rf /"))
    _, closed = until_close(agent, "1")
    assert closed["problem"] == "protocol-error"
    send(agent, control("ping"))
    assert frame(agent).command == "pong"  # the agent keeps serving


def test_garbage_from_the_client_ends_the_agent_with_a_problem(agent: subprocess.Popen[bytes]) -> None:
    frame(agent)
    send(agent, b"GET / HTTP/1.1\r\n\r\n")
    f = frame(agent)
    assert f.command == "close" and f.message["problem"] == "protocol-error"
    assert agent.wait(timeout=10) == 1


def test_telemetry_is_one_meta_then_batches(agent: subprocess.Popen[bytes]) -> None:
    if not list(Path("/sys/devices/system/cpu/cpu0").glob("cpuidle/state*/time")):
        pytest.skip("no cpuidle states on this machine: nothing to sample")
    frame(agent)
    send(agent, control("open", channel="t", payload="telemetry", channels=["cpuidle:*"], rate=200))
    first = frame(agent)
    assert first.channel == "t" and first.message["type"] == "meta"
    assert first.message["clock"]["monotonic_ns"] > 0
    ids = [c["id"] for c in first.message["channels"]]
    batches = [frame(agent).message for _ in range(3)]
    assert all(b["type"] == "data" and b["ids"] == ids for b in batches)
    assert all(len(b["t"]) == len(b["v"]) > 0 for b in batches)
    send(agent, control("close", channel="t"))
    got, closed = until_close(agent, "t")
    assert "problem" not in closed
    assert got[-1]["type"] == "cost"


def test_the_stdlib_channels_carry_the_catalogues_ids(tmp_path: Path) -> None:
    """The zero-install sampler names channels as the full catalogue does, so plots and recordings match."""
    laptop(tmp_path)
    full = {c.id: c for c in list_channels(tmp_path) if c.readable}
    lite = {c.id: c for c in list_lite_channels(str(tmp_path))}
    assert lite
    assert set(lite) <= set(full)
    for cid, c in lite.items():
        assert (c.unit, c.kind) == (full[cid].unit, full[cid].kind), cid
        assert c.scale == pytest.approx(full[cid].scale), cid
    assert {cid.split(":")[0] for cid in lite} >= {"cpuidle", "cpufreq", "rapl", "thermal", "hwmon"}
