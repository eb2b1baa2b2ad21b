"""``--host`` against a real OpenSSH server on 127.0.0.1 and the real ssh client (tests/sshd.py).

The target is this same machine, so the local run is the oracle: the same devices, the same scorecard.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from hwinspector.probes.telemetry.recording import read_recording
from tests.sshd import Sshd

CPUIDLE = Path("/sys/devices/system/cpu/cpu0/cpuidle")
needs_cpuidle = pytest.mark.skipif(
    not CPUIDLE.is_dir(), reason="no cpuidle states on this machine: no channel to record"
)


def hwi(*args: str, env: dict[str, str] | None = None, timeout: float = 100) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hwinspector", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
    )


def _devices(doc: dict[str, object]) -> list[dict[str, object]]:
    devs = doc["devices"]
    assert isinstance(devs, list)
    return devs


STABLE = ("path", "parent", "subsystem", "devtype", "driver", "module", "name", "kind", "properties")


def _stable(doc: dict[str, object]) -> list[tuple[object, ...]]:
    """The devices without their attribute values, some of which change by the second (meminfo, counters)."""
    return [tuple(d.get(k) for k in STABLE) for d in _devices(doc)]


def test_devices_over_ssh_match_the_local_run(sshd: Sshd) -> None:
    remote = hwi("devices", "--json", "--host", "target", env=sshd.env)
    local = hwi("devices", "--json")
    assert remote.returncode == 0, remote.stderr
    assert _stable(json.loads(remote.stdout)) == _stable(json.loads(local.stdout))
    assert len(_devices(json.loads(remote.stdout))) > 10


def test_scorecard_over_ssh_matches_the_local_run(sshd: Sshd) -> None:
    remote = hwi("check", "--json", "--no-gl", "--host", "target", env=sshd.env)
    local = hwi("check", "--json", "--no-gl")
    assert remote.returncode == local.returncode, remote.stderr
    r, loc = json.loads(remote.stdout), json.loads(local.stdout)
    assert [(v["check"], v["status"], v["summary"]) for v in r["verdicts"]] == [
        (v["check"], v["status"], v["summary"]) for v in loc["verdicts"]
    ]
    assert len(r["verdicts"]) >= 5
    assert r["result"] == loc["result"]


def test_table_output_is_the_remote_commands_output(sshd: Sshd) -> None:
    remote = hwi("drivers", "--host", "target", env=sshd.env)
    local = hwi("drivers")
    assert remote.returncode == local.returncode == 0, remote.stderr
    assert remote.stdout == local.stdout


@needs_cpuidle
def test_record_over_ssh_writes_a_local_recording_from_the_targets_sampler(sshd: Sshd, tmp_path: Path) -> None:
    out = tmp_path / "remote.jsonl.gz"
    done = hwi(
        "record", "--host", "target", "--channels", "cpuidle:*", "--rate", "200", "--duration", "2",
        "--note", "over ssh", "-o", str(out), env=sshd.env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "sampled on target" in done.stdout
    rec = read_recording(out)
    assert rec.complete
    local = json.loads(hwi("telemetry", "--json").stdout)
    assert {c.id for c in rec.channels} == {c["id"] for c in local["channels"] if c["id"].startswith("cpuidle:")}
    t, _ = rec.series[rec.channels[0].id]
    assert len(t) >= 200  # two seconds at 200 Hz, less what the batches in flight at the stop held
    assert [m.note for m in rec.markers] == ["over ssh"]


def test_bundle_over_ssh_is_written_locally_and_verifies(sshd: Sshd, tmp_path: Path) -> None:
    done = hwi("report", "--host", "target", "--no-gl", "-q", "-o", str(tmp_path), env=sshd.env, timeout=110)
    assert done.returncode == 0, done.stderr
    bundles = list(tmp_path.glob("hwreport-*.tar.xz"))
    assert len(bundles) == 1
    assert bundles[0].stat().st_mode & 0o077 == 0
    verify = hwi("report", "--verify", str(bundles[0]))
    assert verify.returncode == 0, verify.stdout + verify.stderr
    opened = hwi("devices", "--json", "--from", str(bundles[0]))
    assert opened.returncode == 0, opened.stderr
    assert len(_devices(json.loads(opened.stdout))) > 10
    assert not list(tmp_path.glob(".hwreport-*"))  # no partial file left


@needs_cpuidle
def test_server_killed_mid_recording_keeps_the_file_readable_to_the_cut(sshd: Sshd, tmp_path: Path) -> None:
    out = tmp_path / "cut.jsonl.gz"
    proc = subprocess.Popen(
        [sys.executable, "-m", "hwinspector", "record", "--host", "target", "--channels", "cpuidle:*",
         "--rate", "100", "--duration", "60", "-o", str(out)],
        env=sshd.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and (not out.exists() or out.stat().st_size < 300):
            time.sleep(0.1)
        time.sleep(1.0)
        assert sshd.connections(), "no ssh session to drop"
        sshd.stop()  # the listener and its connection: the machine went away
        _, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 2
    assert "Traceback" not in stderr
    assert stderr.startswith("hwinspector: target: ")
    assert "up to the cut" in stderr
    rec = read_recording(out)
    t, _ = rec.series[rec.channels[0].id]
    assert len(t) >= 50


def test_target_without_hwinspector_gets_a_temporary_agent(sshd: Sshd, tmp_path: Path) -> None:
    udevadm = shutil.which("udevadm")
    if udevadm is None:
        pytest.skip("udevadm not installed: no oracle for the udev database")
    dump = tmp_path / "local.txt"
    dump.write_bytes(subprocess.run([udevadm, "info", "--export-db"], capture_output=True, check=True).stdout)
    remote = hwi("devices", "--json", "--host", "target", env=sshd.zero_install_env())
    assert remote.returncode == 0, remote.stderr
    assert "has no hwinspector" in remote.stderr
    oracle = hwi("devices", "--json", "--from", str(dump))
    assert _stable(json.loads(remote.stdout)) == _stable(json.loads(oracle.stdout))


@needs_cpuidle
def test_zero_install_records_with_the_python_sampler(sshd: Sshd, tmp_path: Path) -> None:
    out = tmp_path / "lite.csv"
    done = hwi(
        "record", "--host", "target", "--channels", "cpuidle:*", "--duration", "2", "-o", str(out),
        env=sshd.zero_install_env(),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Python sampling" in done.stderr
    lines = out.read_text().splitlines()
    assert lines[0].startswith("time_s,cpu0 ")
    assert len(lines) > 50


def test_zero_install_refuses_commands_it_cannot_serve(sshd: Sshd) -> None:
    done = hwi("power", "--host", "target", env=sshd.zero_install_env())
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert "apt install hwinspector" in done.stderr


def test_no_python_on_the_target_says_how_to_install(sshd: Sshd) -> None:
    env = dict(sshd.zero_install_env(), HWINSPECTOR_REMOTE_PYTHON="/nonexistent/python3")
    done = hwi("devices", "--host", "target", env=env)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    for how in ("apt install hwinspector", "snap install hwinspector", "pip install hwinspector"):
        assert how in done.stderr


def test_unknown_host_key_is_refused_and_not_recorded(sshd: Sshd) -> None:
    sshd.known_hosts.write_text("")
    done = hwi("devices", "--host", "target", env=sshd.env)
    assert done.returncode == 2
    assert "not in known_hosts" in done.stderr and "CHANGED" not in done.stderr
    assert done.stderr.count("\n") == 1
    # what ssh's own prompt shows (type and fingerprint), and how to check it on the machine
    assert f"target offers the ED25519 key {sshd.fingerprint()}" in done.stderr
    assert "`ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub` run on that machine" in done.stderr
    assert "accept it once with `ssh target` in a terminal" in done.stderr
    assert sshd.known_hosts.read_text() == ""  # never accepted silently


def test_changed_host_key_is_refused_and_told_apart(sshd: Sshd, tmp_path: Path) -> None:
    other = tmp_path / "other"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(other)], check=True)
    recorded = f"[127.0.0.1]:{sshd.port} {other.with_suffix('.pub').read_text()}"
    sshd.known_hosts.write_text(recorded)
    done = hwi("devices", "--host", "target", env=sshd.env)
    assert done.returncode == 2
    assert "CHANGED" in done.stderr and "not in known_hosts" not in done.stderr
    assert done.stderr.count("\n") == 1
    assert sshd.known_hosts.read_text() == recorded


def test_a_key_the_server_does_not_know_is_an_authentication_failure(sshd: Sshd, tmp_path: Path) -> None:
    (sshd.dir / "authorized_keys").write_text("")
    done = hwi("devices", "--host", "target", env=sshd.env)
    assert done.returncode == 2
    assert "could not log in" in done.stderr
    assert done.stderr.count("\n") == 1


def test_nothing_listening_is_a_one_line_error(sshd: Sshd) -> None:
    sshd.stop()
    done = hwi("devices", "--host", "target", env=sshd.env)
    assert done.returncode == 2
    assert done.stderr.startswith("hwinspector: target: ") and "Connection refused" in done.stderr
    assert done.stderr.count("\n") == 1


def test_host_and_from_exclude_each_other() -> None:
    done = hwi("devices", "--host", "target", "--from", "x.txt")
    assert done.returncode == 2
    assert "exclude" in done.stderr


def test_a_concurrent_pair_of_links_to_one_target(sshd: Sshd) -> None:
    """Two commands at once on the same target each get their own agent."""
    results: list[subprocess.CompletedProcess[str]] = []

    def one() -> None:
        results.append(hwi("drivers", "--json", "--host", "target", env=sshd.env))

    threads = [threading.Thread(target=one) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [r.returncode for r in results] == [0, 0]
    docs = [json.loads(r.stdout) for r in results]
    assert docs[0]["bindings"] == docs[1]["bindings"]


OLD_PYTHONS = Path("/root/.pyenv/versions")


@pytest.mark.parametrize(("version", "works"), [("3.9", True), ("3.8", False)])
def test_zero_install_on_the_oldest_python_it_supports(sshd: Sshd, tmp_path: Path, version: str, works: bool) -> None:
    found = sorted(OLD_PYTHONS.glob(f"{version}.*/bin/python3"))
    if not found:
        pytest.skip(f"no Python {version} installed under {OLD_PYTHONS} to play the target's python3")
    env = dict(sshd.zero_install_env(), HWINSPECTOR_REMOTE_PYTHON=str(found[-1]))
    done = hwi("drivers", "--json", "--host", "target", env=env)
    if works:
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["bindings"]
    else:
        assert done.returncode == 2
        assert "3.9 or later" in done.stderr and done.stderr.count("\n") == 1
