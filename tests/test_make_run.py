"""`make run` on a machine that has not got everything: the exact apt-get line for a user, no test extra,
and an install without a C compiler that the window then reports. (packaging/check-fresh-machine does
the whole of it on a fresh Debian; this is the quick part.)"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SYSTEM_PACKAGES = REPO / "packaging" / "system-packages"
OTHER_USER = Path(__file__).with_name("other_user.py")
AS_NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all", "--bounding-set=-all"]
NO_SUCH = "hwinspector-no-such-package"
needs_make = pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
needs_dpkg = pytest.mark.skipif(shutil.which("dpkg-query") is None, reason="not a Debian or Ubuntu system (dpkg-query)")


def as_a_user(argv: list[str]) -> subprocess.CompletedProcess[str]:
    """``argv`` as an ordinary user: nobody where the tests run as root (through tests/other_user.py, which
    opens the way to a checkout under a closed folder), else the user running the tests."""
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("needs util-linux setpriv to become an ordinary user")
        argv = [sys.executable, str(OTHER_USER), "--", *AS_NOBODY, *argv]
    env = {"PATH": "/usr/bin:/bin", "HOME": "/nonexistent", "LC_ALL": "C.UTF-8"}
    return subprocess.run(argv, capture_output=True, text=True, timeout=60, cwd=REPO, env=env, check=False)


def make(*args: str) -> str:
    """make's output for ``args`` in this checkout, as from a shell (not as a sub-make of `make pytest`)."""
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL", "MFLAGS")}
    return subprocess.run(["make", *args], capture_output=True, text=True, cwd=REPO, env=env, check=True).stdout


def make_lists() -> dict[str, list[str]]:
    out = make("-s", "list-packages")
    return {k: v.split() for k, v in (line.split(": ", 1) for line in out.splitlines())}


@needs_make
def test_make_run_never_installs_the_test_extra() -> None:
    # -B: every recipe, as on a fresh checkout without .venv.
    run = make("-n", "-B", "run")
    assert "pip install -q -e . " in run
    for test_only in ("[test]", "pytest", "PyGObject", "dbus-python", "checkbox"):
        assert test_only not in run
    assert "packaging/system-packages" in run.split("pip install")[0]  # system packages are checked first
    # The same check finds the test extra where it is installed: make test.
    assert "'.[test]'" in make("-n", "-B", "dev")


@needs_make
def test_the_lists_split_runtime_build_and_test_and_make_test_has_them_all() -> None:
    lists = make_lists()
    assert {"libgl1", "libegl1", "libxcb-cursor0", "fonts-dejavu-core", "libudev1"} <= set(lists["runtime"])
    assert lists["build"] == ["gcc", "libc6-dev", "python3-dev"]
    # What only the tests need is not asked of someone who wants the window.
    for test_only in ("libcairo2-dev", "libgirepository1.0-dev", "libdbus-1-dev", "xvfb", "umockdev", "chromium"):
        assert test_only in lists["test"] and test_only not in lists["runtime"] + lists["build"]
    assert not set(lists["runtime"]) & set(lists["test"])
    sysdeps = make("-n", "sysdeps")
    assert sysdeps.split() == ["packaging/system-packages", *lists["runtime"], *lists["build"], *lists["test"]]


@needs_make
@needs_dpkg
def test_a_user_missing_a_runtime_package_gets_the_exact_line_and_make_run_stops() -> None:
    got = as_a_user(["make", "run", f"RUNTIME_PACKAGES=libc6 {NO_SUCH}", f"BUILD_PACKAGES=libc6 {NO_SUCH}-cc"])
    assert got.returncode == 2, got.stdout + got.stderr  # make's status for a failed recipe
    assert got.stdout.splitlines() == [
        "missing system packages; run as root:",
        f"  sudo apt-get install -y --no-install-recommends {NO_SUCH} {NO_SUCH}-cc",
    ]
    assert "rundeps" in got.stderr and "pip" not in got.stdout + got.stderr  # stopped before any install


@needs_dpkg
def test_a_user_without_the_build_packages_is_told_what_they_add_and_goes_on() -> None:
    got = as_a_user([str(SYSTEM_PACKAGES), "--want", f"libc6 {NO_SUCH}-cc", "--want-for", "no native sampler", "libc6"])
    assert got.returncode == 0, got.stderr
    assert got.stdout.splitlines() == [
        f"note: without {NO_SUCH}-cc no native sampler; to add them, run as root:",
        f"  sudo apt-get install -y --no-install-recommends {NO_SUCH}-cc",
    ]


@needs_dpkg
def test_check_mode_is_quiet_and_says_by_its_status() -> None:
    ok = subprocess.run([str(SYSTEM_PACKAGES), "--check", "libc6"], capture_output=True, text=True, check=False)
    assert ok.returncode == 0 and ok.stdout == ok.stderr == ""
    no = subprocess.run(
        [str(SYSTEM_PACKAGES), "--check", "libc6", NO_SUCH], capture_output=True, text=True, check=False
    )
    assert no.returncode == 1 and no.stdout == no.stderr == ""
    # A name an installed package provides counts (Debian 13's libglib2.0-0t64 provides libglib2.0-0):
    # awk is no package of its own on Debian, mawk or gawk provides it.
    awk = subprocess.run(["dpkg-query", "-W", "-f=${db:Status-Abbrev}", "awk"], capture_output=True, text=True)
    assert not awk.stdout.startswith("ii")
    assert subprocess.run([str(SYSTEM_PACKAGES), "--check", "awk"], check=False).returncode == 0
    bad = subprocess.run([str(SYSTEM_PACKAGES), "--bogus"], capture_output=True, text=True, check=False)
    assert bad.returncode == 2 and "unknown option --bogus" in bad.stderr


def _copy_sources(dest: Path) -> Path:
    src = dest / "src"
    for name in ("app", "probes", "widgets", "resources"):
        shutil.copytree(REPO / name, src / name, ignore=shutil.ignore_patterns("*.so", "__pycache__"))
    for name in ("pyproject.toml", "setup.py", "README.md", "MANIFEST.in", "COPYING"):
        shutil.copy(REPO / name, src / name)
    return src


def _build_editable(src: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """setuptools' PEP 660 hook as pip calls it for `make run` (strict editable mode); nothing is installed."""
    code = (
        "import sys; from setuptools import build_meta as b; b.build_editable(sys.argv[1], {'editable_mode': 'strict'})"
    )
    return subprocess.run(
        [sys.executable, "-c", code, str(src / "dist")],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=src,
        env={**os.environ, **env},
        check=False,
    )


def test_without_a_compiler_make_runs_install_goes_on_and_the_app_says_not_built(tmp_path: Path) -> None:
    src = _copy_sources(tmp_path)
    no_cc = {"CC": str(tmp_path / "no-such-cc")}
    # make dev's and the packages' builds fail loudly without a compiler...
    strict = _build_editable(src, no_cc)
    assert strict.returncode != 0 and "no-such-cc" in strict.stdout + strict.stderr
    # ...make run's (HWINSPECTOR_NATIVE=optional) builds everything but the sampler.
    got = _build_editable(src, {**no_cc, "HWINSPECTOR_NATIVE": "optional"})
    assert got.returncode == 0, got.stderr[-2000:]
    assert list((src / "dist").glob("hwinspector-*.whl"))
    assert not list(src.rglob("_sampler*.so"))
    # The built link tree, not this checkout's install: first on the path, the venv's packages (numpy) after,
    # without site (-S), so that this checkout's own editable .pth is not read.
    (tree,) = (src / "build").glob("__editable__.hwinspector-*")
    code = "from hwinspector.probes.telemetry.sampler import python_fallback_reason as r; print(r())"
    said = subprocess.run(
        [sys.executable, "-S", "-c", code],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(tree), sysconfig.get_paths()["purelib"]])},
        check=True,
    )
    assert said.stdout.strip() == (
        "the native sampler was not built when hwinspector was installed (no C compiler or Python headers)"
    )
