"""The helper through the real pkexec and polkitd: granted by a rule it runs as root; without one it
is refused, and the client says why in a sentence."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
POLKITD = Path("/usr/lib/polkit-1/polkitd")


def _cannot_start() -> str | None:
    if os.geteuid() != 0:
        return "needs root: polkitd, a system bus and bind mounts over /usr/share/polkit-1 and /run/dbus"
    for tool in ("unshare", "setpriv", "pkexec", "dbus-daemon", "mount"):
        if shutil.which(tool) is None:
            return f"{tool} not installed (make sysdeps installs polkitd, pkexec, dbus-daemon, util-linux)"
    if not POLKITD.exists():
        return f"{POLKITD} not installed (Debian package polkitd)"
    probe = subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "true"], capture_output=True, text=True, check=False
    )
    if probe.returncode != 0:
        return f"cannot make a private mount namespace here: {probe.stderr.strip()}"
    return None


def test_real_pkexec_and_polkitd(tmp_path: Path) -> None:
    why = _cannot_start()
    if why is not None:
        print(f"SKIP reason: {why}")
        pytest.skip(why)
    helper = Path(sys.executable).with_name("hwinspector-helper")
    policy = REPO / "packaging" / "polkit" / "io.github.hwinspector.helper.policy"
    world = tmp_path / "world"
    world.mkdir()
    os.chmod(world, 0o755)
    got = subprocess.run(
        [
            "timeout",
            "100",
            "unshare",
            "--mount",
            "--propagation",
            "private",
            "--fork",
            sys.executable,
            str(Path(__file__).with_name("polkit_world.py")),
            str(world),
            str(policy),
            str(helper),
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert got.returncode == 0, got.stderr[-3000:]
    out = json.loads(got.stdout.strip().splitlines()[-1])
    assert out["allowed_uid"] == 0  # started by pkexec as root for the ordinary user "nobody"
    assert "suspend_cycle" in out["listed_ops"]
    assert str(out["path_read"]).startswith("refused: read: not offered here")
    assert out["after_refusal"] is True
    assert str(out["denied"]).startswith("the privileged helper is not running: not authorized by polkit")
