"""A hostile agent: HWINSPECTOR_SSH runs a fake program that speaks garbage, floods or lies.

The client must end each case with a named problem and one readable line, never a traceback, a hang
or an escape sequence on the terminal, and never write outside the folder it was given.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from hwinspector.probes.remote.client import RemoteError, RemoteLink

FAKE = textwrap.dedent(
    r"""
    import base64, json, os, sys, time
    out = sys.stdout.buffer
    mode = os.environ["FAKE_MODE"]

    def frame(channel, msg):
        body = channel.encode() + b"\n" + json.dumps(msg).encode()
        out.write(str(len(body)).encode() + b"\n" + body)
        out.flush()

    def init(caps=("cli", "report", "telemetry", "udev-db")):
        frame("", {"command": "init", "version": 1, "capabilities": list(caps), "agent": "hwinspector"})

    def wait_open():
        while True:
            n = int(sys.stdin.buffer.readline())
            body = sys.stdin.buffer.read(n)
            msg = json.loads(body.split(b"\n", 1)[1])
            if msg.get("command") == "open":
                return msg

    if mode == "banner":
        out.write(b"Welcome to Ubuntu 24.04 LTS (GNU/Linux)\n"); out.flush(); init()
    elif mode == "silent":
        time.sleep(60)
    elif mode == "traceback":
        sys.stderr.write("Traceback (most recent call last):\n  boom\nImportError: no module\n"); sys.exit(1)
    elif mode == "version":
        frame("", {"command": "init", "version": 99})
    elif mode == "digits":
        init(); wait_open(); out.write(b"1" * 1_000_000); out.flush(); time.sleep(30)
    elif mode == "huge":
        init(); wait_open(); out.write(b"900000000\n\n"); out.write(b"x" * 1_000_000); out.flush(); time.sleep(30)
    elif mode == "flood":
        init(); m = wait_open()
        while True:
            frame(m["channel"], {"out": "y" * 60000})
    elif mode == "escapes":
        init(); m = wait_open()
        frame(m["channel"], {"out": "<b>bold</b> \x1b[31mred\x1b[0m \x1b]0;title\x07 \x1b[2J\n", "err": 5})
        frame("", {"command": "close", "channel": m["channel"], "exit-status": 0})
        time.sleep(5)
    elif mode == "strange-close":
        init(); m = wait_open()
        frame("", {"command": "close", "channel": m["channel"], "problem": "<script>alert(1)</script>",
                   "message": "\x1b[31mboom\x1b[0m", "exit-status": "rm -rf /"})
        time.sleep(5)
    elif mode == "traversal":
        init(); m = wait_open()
        frame(m["channel"], {"file": "../../evil.tar.xz", "size": 5})
        frame(m["channel"], {"chunk": base64.b64encode(b"abcde").decode()})
        frame("", {"command": "close", "channel": m["channel"], "exit-status": 0})
        time.sleep(5)
    elif mode == "liar":
        init(); m = wait_open()
        frame(m["channel"], {"file": "hwreport-x.tar.xz", "size": 5})
        frame(m["channel"], {"chunk": base64.b64encode(b"abcdefghij").decode()})
        frame("", {"command": "close", "channel": m["channel"], "exit-status": 0})
        time.sleep(5)
    elif mode == "cut":
        init(); m = wait_open(); out.write(b"100\n" + m["channel"].encode() + b"\n{\"out\""); out.flush()
    elif mode == "bad-telemetry":
        init(); m = wait_open()
        ch = m["channel"]
        frame(ch, {"type": "meta", "channels": [{"id": "a", "label": "\x1b[2Ja", "unit": "W", "kind": "gauge",
               "rate_hz": 10}, "junk", {"id": 5}], "clock": {"monotonic_ns": 0, "realtime_ns": 0}})
        frame(ch, {"type": "data", "ids": ["a"], "t": [1, 2], "v": [[1.0]]})
        frame(ch, {"type": "data", "ids": ["nope"], "t": [1], "v": [[1.0]]})
        frame(ch, {"type": "data", "ids": ["a"], "t": ["x"], "v": [["y"]]})
        frame(ch, {"type": "data", "ids": ["a"], "t": [100, 200], "v": [[1.5], [None]]})
        frame("", {"command": "close", "channel": ch})
        time.sleep(5)
    """
)


@pytest.fixture
def fake(tmp_path: Path) -> Path:
    p = tmp_path / "fake_ssh.py"
    p.write_text(FAKE)
    return p


def env_for(fake: Path, mode: str) -> dict[str, str]:
    return dict(os.environ, HWINSPECTOR_SSH=f"{sys.executable} {fake}", FAKE_MODE=mode)


def cli(fake: Path, mode: str, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hwinspector", *args, "--host", "board"],
        capture_output=True,
        text=True,
        timeout=100,
        env=env_for(fake, mode),
        cwd=cwd,
        check=False,
    )


def one_line_error(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.startswith("hwinspector: board: ")
    assert done.stderr.count("\n") == 1, done.stderr
    assert "\x1b" not in done.stderr
    return done.stderr


@pytest.mark.parametrize(
    ("mode", "says"),
    [
        ("banner", "expected a frame length, got 'Welcome to Ubuntu"),
        ("banner", "printing on login"),
        ("traceback", "ImportError: no module"),
        ("version", "protocol version 99"),
        ("digits", "more than 10 digits"),
        ("huge", "a frame of 900000000 bytes"),
        ("cut", "inside a frame"),
    ],
)
def test_garbage_from_the_agent_is_a_one_line_error(fake: Path, mode: str, says: str) -> None:
    assert says in one_line_error(cli(fake, mode, "devices"))


def test_silence_is_a_timeout(fake: Path) -> None:
    with pytest.raises(RemoteError) as caught:
        RemoteLink("board", env=env_for(fake, "silent"), handshake_timeout_s=1.5)
    assert caught.value.problem == "timeout"


def test_an_endless_channel_stops_at_its_budget(fake: Path) -> None:
    with RemoteLink("board", env=env_for(fake, "flood")) as link:
        ch = link.open("cli", argv=["devices"], budget_bytes=2_000_000)
        received = sum(len(m["out"]) for m in ch.messages())
        assert ch.closed is not None and ch.closed.problem == "too-large"
        assert received <= 2_000_000


def test_escape_sequences_and_markup_reach_the_terminal_as_plain_text(fake: Path) -> None:
    done = cli(fake, "escapes", "devices")
    assert done.returncode == 0
    assert done.stdout == "<b>bold</b> red 0;title \n"


def test_a_strange_close_is_not_trusted(fake: Path) -> None:
    err = one_line_error(cli(fake, "strange-close", "devices"))
    assert "<script>" not in err  # an unknown problem code is not shown as if it meant something


def test_a_bundle_name_cannot_leave_the_output_folder(fake: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    done = cli(fake, "traversal", "report", "-o", str(out), cwd=out)
    assert done.returncode == 0, done.stderr
    written = list(out.iterdir())
    assert len(written) == 1 and written[0].name.startswith("hwreport-remote-")
    assert written[0].read_bytes() == b"abcde"
    assert not (tmp_path / "evil.tar.xz").exists() and not (tmp_path.parent / "evil.tar.xz").exists()


def test_more_bytes_than_announced_is_refused_and_leaves_nothing(fake: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    assert "more bytes than it announced" in one_line_error(cli(fake, "liar", "report", "-o", str(out)))
    assert list(out.iterdir()) == []


def test_damaged_telemetry_batches_are_left_out(fake: Path, tmp_path: Path) -> None:
    from hwinspector.probes.telemetry.recording import read_recording

    out = tmp_path / "r.jsonl.gz"
    done = cli(fake, "bad-telemetry", "record", "--duration", "30", "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert "3 damaged batches" in done.stderr
    rec = read_recording(out)
    assert [c.id for c in rec.channels] == ["a"]
    assert "\x1b" not in rec.channels[0].label
    t, v = rec.series["a"]
    assert len(t) == 2 and v[0] == 1.5
