"""The app never needs root: as an ordinary user every command and the GUI run and say what they miss."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

SYSTEM_PYTHON = Path("/usr/bin/python3")
OTHER_USER = Path(__file__).with_name("other_user.py")
pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("setpriv") is None or not SYSTEM_PYTHON.exists(),
    reason="needs root (to become an ordinary user), util-linux setpriv and /usr/bin/python3",
)


def as_nobody(*args: str, tmp: Path) -> subprocess.CompletedProcess[str]:
    """Run the CLI as uid/gid 65534 with no supplementary groups and no capabilities.

    The test venv's interpreter lives under /root (not readable by nobody): the system Python of the
    same version loads the venv's packages through site.addsitedir instead. A checkout under a folder
    nobody cannot enter is made reachable first, in a private mount namespace (tests/other_user.py).
    """
    site_dir = sysconfig.get_paths()["purelib"]
    code = (
        f"import site, sys; site.addsitedir({site_dir!r}); from hwinspector.cli import main; "
        f"sys.exit(main({list(args)!r}))"
    )
    return subprocess.run(
        [
            sys.executable,
            str(OTHER_USER),
            "--",
            "setpriv",
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "--inh-caps=-all",
            "--bounding-set=-all",
            str(SYSTEM_PYTHON),
            "-c",
            code,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp,
        check=False,
        env={"HOME": str(tmp), "PATH": "/usr/bin:/bin", "QT_QPA_PLATFORM": "offscreen", "LC_ALL": "C.UTF-8"},
    )


@pytest.fixture
def shared_tmp() -> Iterator[Path]:
    """A directory the unprivileged user can enter and write (pytest's own temp root is 0700)."""
    if sys.version_info[:2] != tuple(
        int(x)
        for x in subprocess.run(
            [str(SYSTEM_PYTHON), "-c", "import sys; print(sys.version_info[0], sys.version_info[1])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
    ):
        pytest.skip("the system Python is another minor version than the test venv's")
    d = Path(tempfile.mkdtemp(prefix="hwinspector-nobody-"))
    d.chmod(0o777)
    yield d
    shutil.rmtree(d, ignore_errors=True)


def test_devices_and_drivers_as_an_ordinary_user(shared_tmp: Path) -> None:
    proc = as_nobody("devices", "--json", tmp=shared_tmp)
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["devices"]
    notes = " ".join(doc["source"]["notes"])
    # what an ordinary user misses is said, not silently dropped
    assert "kernel log not readable" in notes and "run as root" in notes
    assert "running as root" not in notes
    assert as_nobody("drivers", "--problems", tmp=shared_tmp).returncode in (0, 1)


def test_gui_renders_as_an_ordinary_user(shared_tmp: Path) -> None:
    out = shared_tmp / "devices.png"
    proc = as_nobody("--page", "devices", "--screenshot", str(out), tmp=shared_tmp)
    assert proc.returncode == 0, proc.stderr
    assert out.stat().st_size > 10_000


def test_root_reads_more_and_says_so() -> None:
    from hwinspector.probes.machine.snapshot import read_live_snapshot

    notes = " ".join(read_live_snapshot().source.notes)
    assert "running as root" in notes
    assert "kernel log not readable" not in notes
