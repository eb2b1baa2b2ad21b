"""The helper refuses what it must refuse, keeps answering, and reads only what it listed."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from hwinspector.probes.privileged.protocol import MAX_REQUEST_BYTES, RAPL_MAX_RATE_HZ
from hwinspector.probes.privileged.server import Helper
from tests.probes.privileged.helper_tree import build_roots, spawn_helper

HELPER_FILES = [
    "probes/privileged/server.py",
    "probes/privileged/sources.py",
    "probes/privileged/stream.py",
    "probes/privileged/protocol.py",
    "probes/power/msr.py",
    "probes/power/pmc.py",
    "probes/graphics/pmu.py",  # perf.py and perf_set.py say O_CLOEXEC: the import contract covers them
]
REPO = Path(__file__).resolve().parents[3]


class Pipe:
    def __init__(self, proc: subprocess.Popen[bytes]) -> None:
        self.proc = proc

    def send_raw(self, data: bytes) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def answer(self) -> dict[str, object]:
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        assert line, "the helper stopped answering"
        doc = json.loads(line)
        assert isinstance(doc, dict)
        return doc

    def ask(self, req: object) -> dict[str, object]:
        self.send_raw(json.dumps(req).encode() + b"\n")
        return self.answer()


@pytest.fixture
def helper(tmp_path: Path) -> Iterator[Pipe]:
    proc = spawn_helper(build_roots(tmp_path))
    pipe = Pipe(proc)
    yield pipe
    if proc.stdin is not None:
        proc.stdin.close()
    try:
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for f in (proc.stdout, proc.stderr):
            if f is not None:
                f.close()


def test_list_and_read_by_id(helper: Pipe) -> None:
    listed = helper.ask({"op": "list", "id": 7})
    assert listed["ok"] is True and listed["id"] == 7
    ids = {s["id"] for s in listed["sources"]}  # type: ignore[attr-defined]
    assert {"msr:pkg0:pkg_c6_residency", "rapl:package-0", "pmc:intel:slp_s0_residency_usec"} <= ids
    assert listed["suspend"] is True
    got = helper.ask(
        {"op": "read", "ids": ["rapl:package-0", "pmc:intel:slp_s0_residency_usec", "msr:pkg0:rapl_power_unit"]}
    )
    assert got["ok"] is True
    assert got["values"] == {
        "rapl:package-0": 123456789,
        "pmc:intel:slp_s0_residency_usec": 81234567,
        "msr:pkg0:rapl_power_unit": 0xA1003,
    }


HOSTILE: list[tuple[bytes, str]] = [
    (b'{"op": "read", "ids": ["/dev/cpu/0/msr"]}\n', "not offered"),
    (b'{"op": "read", "ids": ["../../../etc/shadow"]}\n', "not offered"),
    (b'{"op": "read", "ids": ["msr:pkg0:../../etc/shadow"]}\n', "not offered"),
    (b'{"op": "read", "path": "/etc/shadow"}\n', "unexpected field"),
    (b'{"op": "read", "ids": ["rapl:package-0"], "path": "/etc/shadow"}\n', "unexpected field"),
    (b'{"op": "write", "id": "msr:pkg0:rapl_power_unit", "value": 0}\n', "unknown op"),
    (b'{"op": "wrmsr", "ids": ["msr:pkg0:rapl_power_unit"]}\n', "unknown op"),
    (b'{"op": "exec", "argv": ["/bin/sh", "-c", "id"]}\n', "unknown op"),
    (b"{\"op\": \"__import__('os').system('id')\"}\n", "unknown op"),
    (b'{"op": "_op_list"}\n', "unknown op"),
    (b'{"op": "__init__"}\n', "unknown op"),
    (b'{"op": ["list"]}\n', "unknown op"),
    (b'{"op": "suspend_cycle", "seconds": 1}\n', "seconds must be"),
    (b'{"op": "suspend_cycle", "seconds": "10; reboot"}\n', "seconds must be"),
    (b'{"op": "suspend_cycle", "seconds": true}\n', "seconds must be"),
    (b'{"op": "stream_start", "ids": ["rapl:package-0"], "rate_hz": "fast"}\n', "rate_hz"),
    (b'{"op": "stream_start", "ids": ["rapl:package-0"], "rate_hz": NaN}\n', "rate_hz"),
    (b'{"op": "stream_read"}\n', "no stream"),
    (b'{"op": "read", "ids": "rapl:package-0"}\n', "ids must be"),
    (b'{"op": "read", "ids": []}\n', "ids must be"),
    (b"[1, 2, 3]\n", "JSON object"),
    (b"\xff\xfe garbage \x00\n", "not a JSON"),
    (b"rm -rf /\n", "not a JSON"),
    (b'{"op": "list"\n', "not a JSON"),
    (b"[" * 3000 + b"\n", "not a JSON"),
]


def test_hostile_requests_refused_and_it_keeps_answering(helper: Pipe) -> None:
    for raw, why in HOSTILE:
        got = helper.answer() if helper.send_raw(raw) is None else {}
        assert got["ok"] is False, raw
        assert why in str(got["error"]), (raw, got)
        assert helper.ask({"op": "hello"})["ok"] is True, f"stopped answering after {raw!r}"
    assert helper.proc.poll() is None


def test_huge_lines_refused_whole(helper: Pipe) -> None:
    ids = json.dumps(["rapl:package-0"] * 2000)
    helper.send_raw(b'{"op": "read", "ids": ' + ids.encode() + b"}\n")
    assert helper.answer() == {"ok": False, "error": f"request over {MAX_REQUEST_BYTES} bytes"}
    helper.send_raw(b"x" * (10 * 1024 * 1024) + b"\n")  # 10 MiB: not buffered whole, skipped
    assert helper.answer()["ok"] is False
    assert helper.ask({"op": "hello"})["ok"] is True
    # exactly at the limit is still a request
    pad = MAX_REQUEST_BYTES - len(b'{"op":"hello","id":""}\n')
    assert helper.ask({"op": "hello", "id": "x" * min(pad, 64)})["ok"] is True


def test_nothing_written_by_reads_and_no_file_created(helper: Pipe, tmp_path: Path) -> None:
    before = {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*") if p.is_file()}
    for raw, _ in HOSTILE:
        helper.send_raw(raw)
        helper.answer()
    helper.ask({"op": "read", "ids": ["msr:cpu0:tsc"]})
    after = {p: p.stat().st_mtime_ns for p in tmp_path.rglob("*") if p.is_file()}
    assert after == before


def test_suspend_cycle_writes_only_the_alarm_and_state(tmp_path: Path) -> None:
    roots = build_roots(tmp_path)
    h = Helper(roots)
    got = h.handle({"op": "suspend_cycle", "seconds": 15})
    assert got["ok"] is True and got["requested_s"] == 15
    assert (roots.sysfs / "class/rtc/rtc0/wakealarm").read_text() == "+15"
    assert (roots.sysfs / "power/state").read_text() == "mem"
    assert 0 <= float(got["suspended_s"]) < 1  # a regular file does not suspend the machine


def test_suspend_refused_where_there_is_no_rtc(tmp_path: Path) -> None:
    roots = build_roots(tmp_path)
    (roots.sysfs / "class/rtc/rtc0/wakealarm").unlink()
    h = Helper(roots)
    assert h.handle({"op": "list"})["suspend"] is False
    got = h.handle({"op": "suspend_cycle", "seconds": 15})
    assert got == {"ok": False, "error": "suspend_cycle: this machine has no RTC wake alarm or no /sys/power/state"}


def test_rapl_stream_is_capped_and_streams_batches(helper: Pipe) -> None:
    got = helper.ask({"op": "stream_start", "ids": ["rapl:package-0"], "rate_hz": 1000})
    assert got["ok"] is True and got["capped"] is True and got["rate_hz"] == RAPL_MAX_RATE_HZ
    assert got["backend"] in ("native", "python")
    time.sleep(0.5)
    rows = helper.ask({"op": "stream_read"})["rows"]
    assert isinstance(rows, list) and 3 <= len(rows) <= RAPL_MAX_RATE_HZ * 0.5 + 3
    assert all(r[1] == 123456789 for r in rows)
    ts = [r[0] for r in rows]
    assert ts == sorted(ts)
    assert helper.ask({"op": "stream_stop"})["ok"] is True


def test_msr_stream_and_mixed_kinds_refused(helper: Pipe) -> None:
    got = helper.ask({"op": "stream_start", "ids": ["msr:cpu0:tsc", "msr:pkg0core1:core_c7_residency"], "rate_hz": 50})
    assert got["ok"] is True and got["capped"] is False
    assert got["backend"] == "native"  # the C sampler reads the registers, not a Python thread
    time.sleep(0.3)
    rows = helper.ask({"op": "stream_read"})["rows"]
    assert rows and all(r[1] == 0x2000000000 for r in rows)  # type: ignore[index,union-attr]
    mixed = helper.ask({"op": "stream_start", "ids": ["msr:cpu0:tsc", "rapl:package-0"]})
    assert mixed["ok"] is False and "not both" in str(mixed["error"])


def test_a_vanished_source_reads_as_an_error_not_a_crash(helper: Pipe, tmp_path: Path) -> None:
    assert helper.ask({"op": "hello"})["ok"] is True  # the table is built before the first answer
    (tmp_path / "sys/class/powercap/intel-rapl:0/energy_uj").unlink()
    got = helper.ask({"op": "read", "ids": ["rapl:package-0", "msr:cpu0:tsc"]})
    assert got["ok"] is True
    assert got["values"] == {"rapl:package-0": None, "msr:cpu0:tsc": 0x2000000000}
    assert got["errors"] == {"rapl:package-0": "ENOENT"}


def test_leaves_at_end_of_input(helper: Pipe) -> None:
    assert helper.proc.stdin is not None
    helper.proc.stdin.close()
    assert helper.proc.wait(timeout=10) == 0


def test_leaves_when_its_parent_dies(tmp_path: Path) -> None:
    # The parent starts the installed helper and dies. The helper's stdin stays open (this test keeps
    # the pipe's write end), so only the parent-death signal can end it.
    helper = Path(sys.executable).with_name("hwinspector-helper")
    read_end, write_end = os.pipe()
    code = (
        "import subprocess, sys, time; "
        f"p = subprocess.Popen([{str(helper)!r}], stdin={read_end}, stdout=subprocess.DEVNULL); "
        "print(p.pid, flush=True); time.sleep(120)"
    )
    parent = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, pass_fds=(read_end,))
    os.close(read_end)
    try:
        assert parent.stdout is not None
        pid = int(parent.stdout.readline())
        time.sleep(1.0)  # let it start and ask for the signal
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        parent.stdout.close()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                state = Path(f"/proc/{pid}/status").read_text().split("State:")[1].split()[0]
            except (OSError, IndexError):
                break  # gone and reaped
            if state == "Z":
                break  # exited; a container without an init may never reap it
            time.sleep(0.05)
        else:
            os.kill(pid, signal.SIGKILL)
            pytest.fail("the helper outlived its parent")
    finally:
        os.close(write_end)


def test_main_takes_no_arguments() -> None:
    helper = Path(sys.executable).with_name("hwinspector-helper")
    got = subprocess.run([str(helper), "--sysfs", "/tmp"], capture_output=True, text=True, timeout=30, check=False)
    assert got.returncode == 2 and "takes no arguments" in got.stderr


@pytest.mark.parametrize("name", HELPER_FILES)
def test_helper_code_has_no_way_to_run_programs(name: str) -> None:
    text = (REPO / name).read_text()
    assert not re.search(r"subprocess|os\.system|eval|exec|popen|spawn|fork", text, re.IGNORECASE), name
