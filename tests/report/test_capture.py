"""Capture: every collector failure is recorded and none is fatal; the privacy filter reaches every artifact."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from hwinspector.probes.graphics.edid.decode import decode_edid
from hwinspector.probes.telemetry.recording import read_recording
from hwinspector.report import raw_collectors as rc
from hwinspector.report.assemble import redact
from hwinspector.report.bundle import read_members
from hwinspector.report.capture import CaptureControl, RecordingOptions, Step, capture, collect
from hwinspector.report.raw_collectors import RawSpec, default_plan, run_command
from tests.report.fixtures_capture import (
    BATTERY_SERIAL,
    DISK_SERIAL,
    HOSTNAME,
    KEY,
    MAC,
    edid_with_serial,
    fake_tools,
    fixed_options,
    fixed_privacy,
)


def _manifest_entry(members: dict[str, bytes], path: str) -> dict[str, object]:
    manifest = json.loads(members["manifest.json"])
    return next(a for a in manifest["artifacts"] if a["path"] == path)


def test_run_command_timeout_kills_the_whole_process_group(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bin_dir = fake_tools(tmp_path / "bin")
    pid_file = tmp_path / "child.pid"
    monkeypatch.setenv("HWI_CHILD_PID", str(pid_file))
    t0 = time.monotonic()
    out = run_command([str(bin_dir / "hwi-hang")], timeout_s=1.0)
    assert time.monotonic() - t0 < 5
    assert out.timed_out and out.truncated and out.exit_code is None
    assert out.stdout == b"started\n"  # what came before the deadline is kept
    child = int(pid_file.read_text())
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{child}/stat").read_text().split()[2]
        except FileNotFoundError:
            break
        if state == "Z":
            break
        time.sleep(0.05)
    else:
        pytest.fail(f"the hanging tool's child {child} survived the timeout")


def test_run_command_caps_output_and_sets_c_locale(tmp_path: Path) -> None:
    bin_dir = fake_tools(tmp_path / "bin")
    big = run_command([str(bin_dir / "hwi-big")], timeout_s=20, cap_bytes=100_000)
    assert big.truncated and not big.timed_out and len(big.stdout) == 100_000
    ok = run_command([str(bin_dir / "hwi-ok")], timeout_s=20)
    assert b"LC_ALL=C\n" in ok.stdout and ok.exit_code == 0 and not ok.truncated


def test_failing_collectors_are_recorded_never_fatal(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HWI_CHILD_PID", str(tmp_path / "child.pid"))
    steps: list[Step] = []
    opts = fixed_options(tmp_path, with_failures=True, command_timeout_s=1.0)
    t0 = time.monotonic()
    path, _, _ = capture(opts, tmp_path / "out.tar.xz", privacy=None, progress=steps.append)
    assert time.monotonic() - t0 < 15
    _, members = read_members(path)
    manifest = json.loads(members["manifest.json"])
    hang = _manifest_entry(members, "raw/test/hang.txt")
    assert hang["truncated"] is True and hang["exit_code"] is None and "timed out after 1 s" in str(hang["error"])
    assert members["raw/test/hang.txt"] == b"started\n"
    fail = _manifest_entry(members, "raw/test/fail.txt")
    assert fail["exit_code"] == 3 and "Permission denied" in str(fail["error"]) and fail["truncated"] is False
    assert members["raw/test/fail.txt"] == b"partial\n"
    garbage = _manifest_entry(members, "raw/test/garbage.txt")
    assert garbage["media_type"] == "application/octet-stream" and garbage["exit_code"] == 0
    assert members["raw/test/garbage.txt"] == b"\xff\xfe\x00\x01garbage\x1b[31m\x80\n"  # byte for byte
    skipped = {e["step"]: e for e in manifest["not_collected"]}
    assert skipped["hwi-missing"]["reason"] == "hwi-not-installed-anywhere is not installed"
    assert skipped["hwi-missing"]["producer"] == {"argv": ["hwi-not-installed-anywhere"]}
    assert "RuntimeError: a probe bug" in skipped["broken probe"]["reason"]
    assert "raw/test/missing.txt" not in members and "raw/test/broken-probe.txt" not in members
    ok = _manifest_entry(members, "raw/test/ok.txt")
    assert ok["exit_code"] == 0 and ok["error"] is None and ok["producer"] == {"argv": [str(tmp_path / "bin/hwi-ok")]}
    # the progress showed every step finishing, each with its own state
    final = {s.name: s.state for s in steps if s.state != "running"}
    assert final["hwi-hang"] == "timeout" and final["hwi-fail"] == "failed" and final["hwi-missing"] == "skipped"
    assert final["hwi-ok"] == "ok" and final["structured sections"] == "ok"
    assert steps[-1].done == steps[-1].total


def test_fallback_used_when_the_tool_fails(tmp_path: Path) -> None:
    bin_dir = fake_tools(tmp_path / "bin")
    spec = RawSpec(
        "raw/kernel/dmesg.txt",
        "kernel",
        "dmesg",
        argv=(str(bin_dir / "hwi-fail"),),
        fallback=RawSpec(
            "raw/kernel/dmesg.txt",
            "kernel",
            "/dev/kmsg",
            read=lambda: b"[    0.000000] hello\n",
            probe="/dev/kmsg records as dmesg text",
        ),
    )
    res = rc.collect(spec)
    assert res.status == "ok" and res.data == b"[    0.000000] hello\n"
    assert res.producer == {"probe": "/dev/kmsg records as dmesg text"}
    assert res.error is not None and "exit code 3" in res.error and "used /dev/kmsg" in res.error


def test_eglinfo_brief_flag_is_detected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    egl = bin_dir / "eglinfo"
    monkeypatch.setenv("PATH", f"{bin_dir}:{os.environ['PATH']}")
    # mesa-demos 9: a usage text with -B
    egl.write_text(
        '#!/bin/sh\n[ "$1" = -h ] && { echo "Usage: eglinfo [-h] [-B] [-s] [-v] [-l]"; exit 0; }\necho "args:$*"\n'
    )
    egl.chmod(0o755)
    assert rc._eglinfo_argv(5.0) == ("eglinfo", "-B")
    spec = next(s for s in default_plan(tmp_path, tmp_path, tmp_path, root=False) if s.step == "eglinfo")
    res = rc.collect(spec)
    assert res.data == b"args:-B\n" and res.producer == {"argv": ["eglinfo", "-B"]}
    # mesa-demos 8.5 (Debian 12): ignores every argument and prints everything
    egl.write_text('#!/bin/sh\necho "EGL client extensions string:"\n')
    assert rc._eglinfo_argv(5.0) == ("eglinfo",)


def test_default_plan_reads_the_tree_it_is_given(tmp_path: Path) -> None:
    dmi = tmp_path / "class/dmi/id"
    dmi.mkdir(parents=True)
    for name, value in {"sys_vendor": "ACME", "product_name": "Laptop 9000", "uevent": "MODALIAS=dmi:x"}.items():
        (dmi / name).write_text(value + "\n")
    (dmi / "power").mkdir()
    for conn, data in {"card0-eDP-1": edid_with_serial(), "card0-HDMI-A-1": b""}.items():
        (tmp_path / "class/drm" / conn).mkdir(parents=True)
        (tmp_path / "class/drm" / conn / "edid").write_bytes(data)
    plan = {s.path: s for s in default_plan(tmp_path, tmp_path / "proc", tmp_path / "dev", root=False)}
    assert plan["raw/dmi/id/sys_vendor"].file == dmi / "sys_vendor"
    assert "raw/dmi/id/uevent" not in plan and "raw/dmi/id/power" not in plan
    assert plan["raw/drm/card0-eDP-1.edid.bin"].privacy == "edid"
    assert plan["raw/kernel/cmdline"].file == tmp_path / "proc/cmdline"
    assert plan["raw/pci/lspci-vvnnk.txt"].argv == ("lspci", "-vvnnk")
    assert "raw/dmi/dmidecode.txt" not in plan
    assert "raw/dmi/dmidecode.txt" in {s.path for s in default_plan(tmp_path, root=True)}


def test_empty_edid_is_not_an_artifact(tmp_path: Path) -> None:
    (tmp_path / "class/drm/card0-DP-1").mkdir(parents=True)
    (tmp_path / "class/drm/card0-DP-1/edid").write_bytes(b"")
    opts = fixed_options(tmp_path, plan=[s for s in default_plan(tmp_path, root=False) if s.subsystem == "drm"])
    got = collect(opts)
    assert not [r for r in got.raw if r.spec.privacy == "edid"]
    assert {
        "step": "EDID of card0-DP-1",
        "producer": {"file": str(tmp_path / "class/drm/card0-DP-1/edid")},
        "reason": "empty: no monitor on this connector",
    } in got.not_collected


def test_privacy_filter_reaches_every_artifact(tmp_path: Path) -> None:
    opts = fixed_options(tmp_path, notes=f"tested on {HOSTNAME} by qa@example.com", steps=(f"ping {HOSTNAME}",))
    path, _, red = capture(opts, tmp_path / "out.tar.xz", privacy=fixed_privacy())
    _, members = read_members(path)
    everything = b"\n".join(members.values())
    for secret in (HOSTNAME, MAC, DISK_SERIAL, BATTERY_SERIAL, "qa@example.com", "SN12345"):
        assert secret.encode() not in everything, secret
    raw = members["raw/test/ok.txt"].decode()
    assert "HWaddr MAC-" in raw and "tool output on HOSTNAME-" in raw
    edid = decode_edid(members["raw/drm/card1-eDP-1.edid.bin"])
    assert edid.checksum_ok and edid.base is not None and not edid.base.serial_number and not edid.base.serial_string
    assert edid.base.name == "HWI TEST 27"  # only the serial goes
    manifest = json.loads(members["manifest.json"])
    priv = manifest["privacy"]
    assert priv["redacted"] is True and priv["key_fingerprint"] == fixed_privacy().fingerprint
    assert len(priv["key_fingerprint"]) == 16 and KEY.hex() not in members["manifest.json"].decode()
    cats = priv["categories"]
    assert cats["mac"]["count"] >= 1 and cats["hostname"]["count"] == 1 and cats["edid_serial"]["count"] >= 1
    assert all(set(c) == {"count", "relaxed"} for c in cats.values())  # counts only, never values
    assert "HOSTNAME-" in manifest["notes"] and "EMAIL-" in manifest["notes"]
    # the preview knows what it replaced; the bundle does not
    assert (MAC, next(t for o, t in red.findings["mac"] if o == MAC)) in red.findings["mac"]


def test_relaxed_category_is_kept_and_marked(tmp_path: Path) -> None:
    opts = fixed_options(tmp_path)
    path, _, _ = capture(opts, tmp_path / "out.tar.xz", privacy=fixed_privacy(), relaxed=["mac"])
    _, members = read_members(path)
    assert MAC.encode() in members["raw/test/ok.txt"] and HOSTNAME.encode() not in members["raw/test/ok.txt"]
    cats = json.loads(members["manifest.json"])["privacy"]["categories"]
    assert cats["mac"]["relaxed"] is True and cats["hostname"]["relaxed"] is False


def test_no_redact_is_explicit_in_the_manifest(tmp_path: Path) -> None:
    path, _, _ = capture(fixed_options(tmp_path), tmp_path / "out.tar.xz", privacy=None)
    _, members = read_members(path)
    priv = json.loads(members["manifest.json"])["privacy"]
    assert priv["redacted"] is False and priv["key_fingerprint"] is None and "--no-redact" in priv["note"]
    assert MAC.encode() in members["raw/test/ok.txt"] and DISK_SERIAL.encode() in members["structured/devices.json"]


def test_filter_failure_leaves_the_artifact_out(tmp_path: Path) -> None:
    opts = fixed_options(tmp_path)
    collected = collect(opts)
    collected.recording = b"this is not gzip"  # the filter cannot read it: it must not be kept as is
    red = redact(collected, fixed_privacy())
    assert not [a for a in red.artifacts if a.kind == "recording"]
    assert any(e["step"] == "telemetry recording" and "privacy filter failed" in e["reason"] for e in red.not_collected)


def test_recording_with_markers_and_filtered_labels(tmp_path: Path) -> None:
    zone = tmp_path / "sys/class/thermal/thermal_zone0"
    zone.mkdir(parents=True)
    (zone / "type").write_text("x86_pkg_temp\n")
    (zone / "temp").write_text("45000\n")
    control = CaptureControl()
    control.add_marker(f"step 1 on {HOSTNAME}")
    opts = fixed_options(tmp_path, recording=RecordingOptions(1.0, 20.0), markers=("start: qa@example.com",))
    path, collected, _ = capture(opts, tmp_path / "out.tar.xz", privacy=fixed_privacy(), control=control)
    assert collected.recording_info["channels"] == ["thermal:thermal_zone0"]
    _, members = read_members(path)
    rec_file = tmp_path / "rec.jsonl.gz"
    rec_file.write_bytes(members["recordings/telemetry.jsonl.gz"])
    rec = read_recording(rec_file)
    assert rec.complete and [c.id for c in rec.channels] == ["thermal:thermal_zone0"]
    t, v = rec.series["thermal:thermal_zone0"]
    assert len(t) >= 10 and set(v.tolist()) == {45.0}
    notes = [m.note for m in rec.markers]
    assert any(n.startswith("start: EMAIL-") for n in notes) and any(n.startswith("step 1 on HOSTNAME-") for n in notes)
    entry = _manifest_entry(members, "recordings/telemetry.jsonl.gz")
    assert entry["kind"] == "recording" and entry["media_type"] == "application/gzip"


def test_recording_without_channels_is_skipped_not_fatal(tmp_path: Path) -> None:
    opts = fixed_options(tmp_path, recording=RecordingOptions(0.5))
    collected = collect(opts)
    assert collected.recording is None
    assert any(
        e["step"] == "telemetry recording" and "no readable telemetry channel" in e["reason"]
        for e in collected.not_collected
    )
    assert collected.raw  # the rest was collected
