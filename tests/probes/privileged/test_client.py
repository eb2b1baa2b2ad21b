"""The client starts the helper through the launcher the environment names and reports failures as sentences."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from hwinspector.probes.privileged.client import HelperClient, HelperRefused, HelperUnavailable, launcher_argv
from tests.probes.privileged.helper_tree import build_roots

HELPER = str(Path(sys.executable).with_name("hwinspector-helper"))


def test_launcher_default_and_override() -> None:
    assert launcher_argv({}) == ["pkexec"]
    assert launcher_argv({"HWINSPECTOR_HELPER_LAUNCHER": "sudo -n"}) == ["sudo", "-n"]
    assert launcher_argv({"HWINSPECTOR_HELPER_LAUNCHER": ""}) == []


def test_env_launcher_reaches_the_real_helper(monkeypatch: pytest.MonkeyPatch) -> None:
    # "env" stands in for a launcher that needs no password (as "sudo -n" does in a lab)
    monkeypatch.setenv("HWINSPECTOR_HELPER_LAUNCHER", "env")
    with HelperClient() as client:
        listed = client.request("list")
        # this machine's real answer: whatever it lacks is explained, never an empty success
        for kind in ("msr", "rapl", "pmc"):
            assert kind in listed["absent"] or any(s["kind"] == kind for s in listed["sources"])
        with pytest.raises(HelperRefused, match="unknown op"):
            client.request("write")
        assert client.request("hello")["ok"] is True


def test_client_against_fake_machine(tmp_path: Path) -> None:
    roots = build_roots(tmp_path)
    code = (
        "import sys; from pathlib import Path; from hwinspector.probes.privileged.server import serve; "
        "from hwinspector.probes.privileged.sources import Roots; "
        f"sys.exit(serve(sys.stdin.buffer, sys.stdout.buffer, Roots(Path({str(roots.sysfs)!r}), "
        f"Path({str(roots.devfs)!r}), Path({str(roots.procfs)!r}), Path({str(roots.debugfs)!r}))))"
    )
    with HelperClient([sys.executable, "-c", code]) as client:
        got = client.request("read", ids=["msr:pkg0:rapl_power_unit"])
        assert got["values"] == {"msr:pkg0:rapl_power_unit": 0xA1003}
        with pytest.raises(HelperRefused, match="request too long"):
            client.request("read", ids=["x" * 5000])


def test_failures_become_sentences(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HWINSPECTOR_HELPER_LAUNCHER", "false")
    with pytest.raises(HelperUnavailable, match="not running: exit status 1"):
        HelperClient()
    monkeypatch.setenv("HWINSPECTOR_HELPER_LAUNCHER", "no-such-launcher-here")
    with pytest.raises(HelperUnavailable, match="no-such-launcher-here not found"):
        HelperClient()
    with pytest.raises(HelperUnavailable, match="not running"):
        HelperClient([sys.executable, "-c", "import sys; sys.stderr.write('boom\\n'); sys.exit(3)"])


def test_suspend_cycle_end_to_end_on_a_fake_machine(tmp_path: Path) -> None:
    from hwinspector.probes.power.suspend import cycle_report, read_suspend

    roots = build_roots(tmp_path)
    (roots.sysfs / "power" / "suspend_stats").mkdir()
    (roots.sysfs / "power" / "suspend_stats" / "success").write_text("3\n")
    before = read_suspend(roots.sysfs, roots.procfs, devkmsg=tmp_path / "none")
    code = (
        "import sys; from pathlib import Path; from hwinspector.probes.privileged.server import serve; "
        "from hwinspector.probes.privileged.sources import Roots; "
        f"sys.exit(serve(sys.stdin.buffer, sys.stdout.buffer, Roots(Path({str(roots.sysfs)!r}), "
        f"Path({str(roots.devfs)!r}), Path({str(roots.procfs)!r}), Path({str(roots.debugfs)!r}))))"
    )
    with HelperClient([sys.executable, "-c", code]) as client:
        result = client.request("suspend_cycle", seconds=30)
    after = read_suspend(roots.sysfs, roots.procfs, devkmsg=tmp_path / "none")
    report = cycle_report(before, after, result)
    # a regular file for /sys/power/state returns at once: the cycle "woke" immediately and did not count
    assert report["succeeded"] is False
    assert report["flags"][0].startswith("spurious wakeup: woke after 0.0 s of the 30 s asked")
    assert (roots.sysfs / "class/rtc/rtc0/wakealarm").read_text() == "+30"
