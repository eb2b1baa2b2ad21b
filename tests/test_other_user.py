"""tests/other_user.py: a folder closed to others is opened for a real unprivileged user, in a namespace only."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

OTHER_USER = Path(__file__).with_name("other_user.py")
AS_NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all", "--bounding-set=-all"]
pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("setpriv") is None,
    reason="needs root (to become an ordinary user and mount in a namespace) and util-linux setpriv",
)


def test_a_closed_folder_is_opened_with_its_contents_and_only_in_the_namespace(tmp_path: Path) -> None:
    closed = tmp_path / "closed"
    (closed / "p").mkdir(parents=True)
    (closed / "p" / "data.txt").write_text("reached\n")
    (closed / "sibling.txt").write_text("kept\n")
    (closed / "link").symlink_to("p/data.txt")
    closed.chmod(0o700)
    target = str(closed / "p" / "data.txt")

    direct = subprocess.run([*AS_NOBODY, "cat", target], capture_output=True, text=True, check=False)
    assert direct.returncode != 0 and "Permission denied" in direct.stderr  # the failure the helper removes

    reached = subprocess.run(
        [sys.executable, str(OTHER_USER), "--reach", target.rsplit("/", 1)[0], "--", *AS_NOBODY, "cat", target],
        capture_output=True,
        text=True,
        check=False,
    )
    assert reached.returncode == 0, reached.stderr
    assert reached.stdout == "reached\n"
    # Every entry of the opened folder is still there, by the same names, for root too.
    listing = subprocess.run(
        [
            sys.executable,
            str(OTHER_USER),
            "--reach",
            str(closed / "p"),
            "--",
            "sh",
            "-c",
            f"ls -A {closed}; cat {closed}/link",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert listing.stdout.split() == ["link", "p", "sibling.txt", "reached"]
    # The machine's view is untouched: the folder is still closed, and nothing is mounted on it.
    assert closed.stat().st_mode & 0o777 == 0o700
    assert str(closed) not in Path("/proc/self/mountinfo").read_text()


def test_usage_errors_say_how_to_call_it() -> None:
    got = subprocess.run([sys.executable, str(OTHER_USER), "--reach"], capture_output=True, text=True, check=False)
    assert got.returncode == 2 and "usage: other_user.py" in got.stderr
