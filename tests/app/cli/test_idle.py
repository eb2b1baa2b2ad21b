"""``hwinspector idle``: the JSON contract, its own cost, progress on stderr, and the helper's absence explained."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

HWINSPECTOR = str(Path(sys.executable).with_name("hwinspector"))


def _run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [HWINSPECTOR, *args],
        capture_output=True,
        text=True,
        timeout=100,
        check=False,
        env={**os.environ, **(env or {})},
    )


def test_json_contract_and_self_cost() -> None:
    got = _run("idle", "--duration", "4", "--json")
    assert got.returncode in (0, 1), got.stderr
    doc = json.loads(got.stdout)
    for key in ("processes", "interrupts", "devices", "cpuidle", "self", "verdict", "tunables", "softirqs"):
        assert key in doc
    for p in doc["processes"]:
        assert set(p) == {"pid", "name", "cpu_percent", "wakeups_per_s"}
    for i in doc["interrupts"]:
        assert {"irq", "name", "per_s"} <= set(i)
    me = doc["self"]
    assert set(me) >= {"cpu_percent", "wakeups_per_s"}
    assert me["wakeups_per_s"] <= 2.0, me  # the budget: it sleeps in one-second steps
    # it lists itself honestly among the processes whenever it did anything in the window
    if me["wakeups_per_s"] > 0 or me["cpu_percent"] > 0:
        assert me["pid"] in {p["pid"] for p in doc["processes"]}
    assert (got.returncode == 1) == (not doc["verdict"]["quiet"])
    assert "idle: measuring" in got.stderr
    assert doc["privileged"] is None
    for st in (s for c in doc["cpuidle"] for s in c["states"]):
        assert 0 <= st["residency_percent"] <= 100


def test_table_output_and_bad_duration() -> None:
    got = _run("idle", "--duration", "1")
    assert got.returncode in (0, 1), got.stderr
    assert "Verdict:" in got.stdout and "wakeups = voluntary context switches/s" in got.stdout
    bad = _run("idle", "--duration", "0")
    assert bad.returncode == 2 and "--duration must be" in bad.stderr and "Traceback" not in bad.stderr


def test_privileged_denied_is_explained_and_the_rest_works() -> None:
    got = _run("idle", "--duration", "1", "--json", "--privileged", env={"HWINSPECTOR_HELPER_LAUNCHER": "false"})
    assert got.returncode in (0, 1), got.stderr
    doc = json.loads(got.stdout)
    assert doc["privileged"] == {"available": False, "reason": "the privileged helper is not running: exit status 1"}
    assert "root-only counters unavailable" in got.stderr
    assert doc["processes"]


def test_privileged_through_a_launcher_reaches_the_helper() -> None:
    got = _run("idle", "--duration", "1", "--json", "--privileged", env={"HWINSPECTOR_HELPER_LAUNCHER": "env"})
    assert got.returncode in (0, 1), got.stderr
    doc = json.loads(got.stdout)
    priv = doc["privileged"]
    # this machine's helper: what it has is measured, what it lacks is explained
    assert isinstance(priv, dict) and priv.get("available") is not False
    measured = {k.split(":")[0] for t in ("package_cstates", "core_cstates", "rapl_watts", "pmc") for k in priv[t]}
    measured = {"msr" if m.startswith("pkg") else m for m in measured}
    assert {"msr", "rapl", "pmc"} <= set(priv["absent"]) | measured
