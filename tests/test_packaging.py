"""Packaging: wheel and sdist contents, man page against the CLI, desktop file, AppStream, icon, .deb, snap."""

from __future__ import annotations

import argparse
import configparser
import importlib.machinery
import importlib.metadata
import importlib.util
import re
import shutil
import struct
import subprocess
import sys
import tarfile
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from hwinspector import __version__
from hwinspector.cli import build_parser

REPO = Path(__file__).resolve().parent.parent
PACKAGING = REPO / "packaging"
LINUX = PACKAGING / "linux"
DEBIAN = PACKAGING / "debian"
APP_ID = "io.github.hwinspector.HwInspector"
SCREENSHOT_URL = "https://github.com/hwinspector/hwinspector/raw/main/packaging/screenshots/"
# Debian's names for the Python requirements (PySide6 is split per Qt module, checked separately).
DEBIAN_NAMES = {
    "pyqtgraph": "python3-pyqtgraph",
    "pyudev": "python3-pyudev",
    "dbus-next": "python3-dbus-next",
    "psutil": "python3-psutil",
    "numpy": "python3-numpy",
    "prometheus-client": "python3-prometheus-client",
    # Not packaged in Debian (NVML is NVIDIA's, non-free): the deb goes without it and NVIDIA readings fall
    # back to nvidia-smi, as they do wherever NVML cannot load.
    "nvidia-ml-py": None,
}


def _load_script(name: str) -> ModuleType:
    """A packaging script without a .py suffix, imported as a module."""
    path = PACKAGING / name
    loader = importlib.machinery.SourceFileLoader(name.replace("-", "_"), str(path))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def _requirements() -> set[str]:
    """Names of the runtime requirements, from the installed metadata (pyproject.toml's dependencies)."""
    reqs = importlib.metadata.requires("hwinspector") or []
    return {re.split(r"[<>=!;\[ ]", r, maxsplit=1)[0] for r in reqs if "extra ==" not in r}


# --- sdist and wheel -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dists(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """sdist, and the wheel built from that sdist (python -m build's default), in a fresh folder."""
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", str(out), str(REPO)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (sdist,) = out.glob("hwinspector-*.tar.gz")
    (wheel,) = out.glob("hwinspector-*.whl")
    return {"sdist": sdist, "wheel": wheel}


def test_wheel_has_the_extension_and_only_the_package(dists: dict[str, Path]) -> None:
    names = zipfile.ZipFile(dists["wheel"]).namelist()
    assert any(re.fullmatch(r"hwinspector/probes/telemetry/_sampler\.cpython-\d+.*\.so", n) for n in names), names
    assert "hwinspector/cli/main.py" in names
    assert "hwinspector/probes/telemetry/_sampler.pyi" in names
    dist_info = f"hwinspector-{__version__}.dist-info/"
    strays = [n for n in names if not (n.startswith("hwinspector/") or n.startswith(dist_info))]
    assert strays == [], "files outside the hwinspector package"
    leftovers = [n for n in names if re.search(r"(^|/)(tests?|build|__pycache__)/|\.(pyc|o|c|h)$", n)]
    assert leftovers == [], "tests or build leftovers in the wheel"
    # Nothing may land as a plain top-level `app`, `probes` or `widgets` (the folders are renamed).
    assert {n.split("/")[0] for n in names} == {"hwinspector", dist_info.rstrip("/")}


def test_wheel_metadata(dists: dict[str, Path]) -> None:
    whl = zipfile.ZipFile(dists["wheel"])
    prefix = f"hwinspector-{__version__}.dist-info/"
    entry_points = whl.read(prefix + "entry_points.txt").decode()
    assert "hwinspector = hwinspector.cli:main" in entry_points
    metadata = whl.read(prefix + "METADATA").decode()
    assert f"Version: {__version__}" in metadata
    for requirement in ("PySide6-Essentials", *DEBIAN_NAMES):
        assert f"Requires-Dist: {requirement}" in metadata


def test_sdist_builds_from_scratch(dists: dict[str, Path]) -> None:
    """The sdist carries the C sources and the packaging, and no tests, binaries or caches."""
    with tarfile.open(dists["sdist"]) as tar:
        names = tar.getnames()
    top = f"hwinspector-{__version__}/"
    for needed in (
        "setup.py",
        "pyproject.toml",
        "MANIFEST.in",
        "probes/telemetry/native/sampler.c",
        "probes/telemetry/native/sampler_core.c",
        "probes/telemetry/native/sampler_core.h",
        f"packaging/linux/{APP_ID}.desktop",
        f"packaging/linux/{APP_ID}.metainfo.xml",
        f"packaging/linux/{APP_ID}.svg",
        "packaging/linux/hwinspector.1",
        "packaging/debian/control",
        "packaging/debian/rules",
        "packaging/snap/snapcraft.yaml",
        "packaging/udev/60-hwinspector-rapl.rules",
    ):
        assert top + needed in names, needed
    junk = [n for n in names if re.search(r"/(tests|benchmarks|__pycache__|\.venv|build)/|\.(so|pyc|o)$", n)]
    assert junk == []


# --- man page --------------------------------------------------------------------------------------


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _flags(parser: argparse.ArgumentParser) -> list[str]:
    return [
        s
        for a in parser._actions
        if not isinstance(a, (argparse._HelpAction, argparse._SubParsersAction)) and a.help != argparse.SUPPRESS
        for s in a.option_strings
    ]


def _roff(flag: str) -> str:
    return flag.replace("-", "\\-")


def test_manpage_is_generated_from_the_current_cli() -> None:
    fresh = subprocess.run(
        [sys.executable, str(PACKAGING / "make-manpage"), "-o", "-"], check=True, capture_output=True, text=True
    ).stdout
    committed = (LINUX / "hwinspector.1").read_text(encoding="ascii")
    assert fresh == committed, "packaging/linux/hwinspector.1 is stale: run .venv/bin/python packaging/make-manpage"


def test_manpage_documents_every_subcommand_and_option() -> None:
    page = (LINUX / "hwinspector.1").read_text(encoding="ascii")
    sections = re.split(r"^\.S[HS] ", page, flags=re.M)
    by_title = {s.split("\n", 1)[0].strip().strip('"'): s for s in sections}
    parser = build_parser()
    for flag in _flags(parser):
        assert f"\\fB{_roff(flag)}\\fR" in by_title["OPTIONS"], flag
    subs = _subcommands(parser)
    assert subs, "the CLI has subcommands"
    for name, sub in subs.items():
        assert name in by_title, f"no section for {name}"
        assert f".B hwinspector {_roff(name)}" in page, f"{name} is missing from SYNOPSIS"
        for flag in _flags(sub):
            assert f"\\fB{_roff(flag)}\\fR" in by_title[name], f"{name} {flag}"
    assert "EXIT STATUS" in by_title
    for code in ("0", "1", "2"):
        assert f"\\fB{code}\\fR" in by_title["EXIT STATUS"]


def test_manpage_renders_without_groff_warnings() -> None:
    if shutil.which("man") is None:
        pytest.skip("man (man-db) is not installed")
    proc = subprocess.run(
        ["man", "--warnings", "-E", "UTF-8", "-l", "-Tutf8", str(LINUX / "hwinspector.1")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "warning" not in proc.stderr
    assert "hwinspector devices" in re.sub(".\x08", "", proc.stdout)  # man overstrikes bold when piped


# --- desktop file, AppStream, icon -----------------------------------------------------------------


def test_one_application_id_everywhere() -> None:
    assert f'setDesktopFileName("{APP_ID}")' in (REPO / "app" / "gui.py").read_text(encoding="utf-8")
    assert {p.name for p in LINUX.iterdir()} >= {f"{APP_ID}.desktop", f"{APP_ID}.metainfo.xml", f"{APP_ID}.svg"}
    snap = (PACKAGING / "snap" / "snapcraft.yaml").read_text(encoding="utf-8")
    assert f"common-id: {APP_ID}" in snap
    assert APP_ID in (DEBIAN / "hwinspector.install").read_text(encoding="utf-8")


def test_desktop_file() -> None:
    cp = configparser.ConfigParser(interpolation=None)
    cp.optionxform = str  # type: ignore[assignment,method-assign]
    cp.read(LINUX / f"{APP_ID}.desktop", encoding="utf-8")
    entry = cp["Desktop Entry"]
    scripts = {
        ep.name
        for ep in importlib.metadata.entry_points(group="console_scripts")
        if ep.value.startswith("hwinspector.")
    }
    assert entry["Exec"].split()[0] in scripts
    assert entry["Icon"] == APP_ID
    assert {"System", "Monitor"} <= set(filter(None, entry["Categories"].split(";")))
    assert len(entry["Keywords"].split(";")) > 5


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n" and head[12:16] == b"IHDR", path
    width, height = struct.unpack(">II", head[16:24])
    return width, height


def test_metainfo() -> None:
    root = ET.parse(LINUX / f"{APP_ID}.metainfo.xml").getroot()
    assert root.get("type") == "desktop-application"
    assert root.findtext("id") == APP_ID
    assert root.findtext("launchable") == f"{APP_ID}.desktop"
    assert root.findtext("provides/binary") == "hwinspector"
    assert root.find("content_rating").get("type", "").startswith("oars-")  # type: ignore[union-attr]
    assert root.findtext("project_license") == "GPL-3.0-or-later"
    releases = root.findall("releases/release")
    assert releases and releases[0].get("version") == __version__, "the newest release is the package's version"
    shots = root.findall("screenshots/screenshot")
    assert len(shots) >= 3 and [s.get("type") for s in shots].count("default") == 1
    for shot in shots:
        assert shot.findtext("caption")
        image = shot.find("image")
        assert image is not None and image.text is not None
        assert image.text.startswith(SCREENSHOT_URL), image.text
        png = PACKAGING / "screenshots" / image.text.removeprefix(SCREENSHOT_URL)
        assert png.is_file(), f"{png.name} is not in packaging/screenshots"
        assert _png_size(png) == (int(image.get("width", 0)), int(image.get("height", 0))), png.name


@pytest.mark.parametrize("size", [16, 256])
def test_icon_reads_at_small_and_large_sizes(qapp: Any, size: int) -> None:
    """The icon renders with Qt's SVG renderer; at 16 px the dark chip and the blue lens both survive."""
    from PySide6.QtCore import QRectF, Qt
    from PySide6.QtGui import QColor, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(LINUX / f"{APP_ID}.svg"))
    assert renderer.isValid()
    view = renderer.viewBoxF()
    assert view.width() == view.height(), "a square icon"
    img = QImage(size, size, QImage.Format.Format_ARGB32)
    img.fill(Qt.GlobalColor.transparent)
    painter = QPainter(img)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    pixels: list[QColor] = [img.pixelColor(x, y) for y in range(size) for x in range(size)]
    opaque = [c for c in pixels if c.alpha() > 200]
    assert 0.3 < len(opaque) / len(pixels) < 0.9
    blue = [c for c in opaque if c.blue() > 150 and c.red() < 100]
    dark = [c for c in opaque if max(c.red(), c.green(), c.blue()) < 90]
    assert len(blue) >= size * size * 0.04 and len(dark) >= size * size * 0.04


# --- Debian package --------------------------------------------------------------------------------


def _control_field(paragraph: str, field: str) -> list[str]:
    m = re.search(rf"^{field}:(.*(?:\n[ \t].*|\n#.*)*)", paragraph, flags=re.M)
    assert m, field
    text = "\n".join(ln for ln in m.group(1).splitlines() if not ln.lstrip().startswith("#"))
    return [re.sub(r"\s*[(<\[].*", "", d.strip()) for d in text.split(",") if d.strip()]


def test_debian_dependencies_match_the_imports() -> None:
    source, binary = (DEBIAN / "control").read_text(encoding="utf-8").split("\n\n", 1)
    assert re.search(r"^Architecture: linux-any$", binary, flags=re.M)
    build_deps = _control_field(source, "Build-Depends")
    assert {"dh-sequence-python3", "pybuild-plugin-pyproject", "python3-all-dev"} <= set(build_deps)
    depends = set(_control_field(binary, "Depends"))
    imported = set()
    for folder in ("app", "widgets", "probes"):
        for py in (REPO / folder).rglob("*.py"):
            imported |= set(re.findall(r"^\s*from PySide6\.(Qt\w+) import", py.read_text(encoding="utf-8"), re.M))
    assert imported, "the application imports PySide6 modules"
    pyside = {d for d in depends if d.startswith("python3-pyside6.")}
    assert pyside == {f"python3-pyside6.{m.lower()}" for m in imported}
    for req in _requirements() - {"PySide6-Essentials"}:
        name = DEBIAN_NAMES[req]
        if name is None:
            overrides = (DEBIAN / "py3dist-overrides").read_text(encoding="utf-8")
            assert re.search(rf"^{req.replace('-', '_')}\s*$", overrides, re.M), f"{req}: say in py3dist-overrides"
            continue
        assert name in depends, req


def test_debian_version_and_installed_files() -> None:
    first = (DEBIAN / "changelog").read_text(encoding="utf-8").splitlines()[0]
    m = re.match(r"hwinspector \(([^)-]+)-\d+\)", first)
    assert m and m.group(1) == __version__
    targets = {
        "desktop": "usr/share/applications",
        "metainfo.xml": "usr/share/metainfo",
        "svg": "usr/share/icons/hicolor/scalable/apps",
        "policy": "usr/share/polkit-1/actions",
        "apport/hwinspector.py": "usr/share/apport/package-hooks",
    }
    for line in (DEBIAN / "hwinspector.install").read_text(encoding="utf-8").splitlines():
        src, dest = line.split()
        assert (REPO / src).is_file(), src
        assert dest == next(t for suffix, t in targets.items() if src.endswith(suffix))
    for listed in ("hwinspector.manpages", "hwinspector.examples"):
        for src in (DEBIAN / listed).read_text(encoding="utf-8").split():
            assert (REPO / src).is_file(), src
    policy = (PACKAGING / "polkit" / "io.github.hwinspector.helper.policy").read_text(encoding="utf-8")
    assert "<allow_active>auth_admin_keep</allow_active>" in policy
    assert "/usr/bin/hwinspector-helper" in policy
    assert "udev/rules.d" not in "".join(p.read_text(encoding="utf-8") for p in DEBIAN.glob("hwinspector.*")), (
        "the RAPL rule is opt-in: shipped as an example, never installed"
    )


# --- snap ------------------------------------------------------------------------------------------


def test_snapcraft_yaml_passes_the_offline_check() -> None:
    checker = _load_script("check-snapcraft")
    text = (PACKAGING / "snap" / "snapcraft.yaml").read_text(encoding="utf-8")
    doc = checker.yaml.safe_load(text)
    assert checker.check(doc, text) == []
    assert doc["base"] == "core24" and doc["confinement"] == "strict"
    plugs = set(doc["apps"]["hwinspector"]["plugs"])
    assert {"hardware-observe", "upower-observe", "opengl", "wayland", "x11"} <= plugs


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (("base: core24", "base: core25"), "base 'core25'"),
        (("      - upower-observe", "      - upower-observer"), "'upower-observer' is neither"),
        (("grade: stable", "grade: stable\nsummery: typo"), "unknown key 'summery'"),
        (("    plugin: python", "    plugin: pyhton"), "not a snapcraft plugin"),
        (("NOT auto-connected: needs a store request (or `snap connect`).", "Sysfs."), "'hardware-observe' is not"),
        (("      - wayland", "      - mount-observe"), "'mount-observe' is not auto-connected"),
        (("icon: packaging/linux/", "icon: packaging/linux/missing-"), "no such file"),
    ],
)
def test_snapcraft_check_catches_mistakes(change: tuple[str, str], problem: str) -> None:
    checker = _load_script("check-snapcraft")
    text = (PACKAGING / "snap" / "snapcraft.yaml").read_text(encoding="utf-8")
    assert change[0] in text
    broken = text.replace(change[0], change[1], 1)
    problems = checker.check(checker.yaml.safe_load(broken), broken)
    assert any(problem in p for p in problems), problems


# --- make install ----------------------------------------------------------------------------------


def test_make_install_honours_destdir_and_prefix(tmp_path: Path) -> None:
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    subprocess.run(["make", "-s", "-C", str(REPO), "install", f"DESTDIR={tmp_path}", "PREFIX=/opt/hw"], check=True)
    share = tmp_path / "opt" / "hw" / "share"
    installed = sorted(str(p.relative_to(share)) for p in share.rglob("*") if p.is_file())
    assert installed == [
        f"applications/{APP_ID}.desktop",
        f"icons/hicolor/scalable/apps/{APP_ID}.svg",
        "man/man1/hwinspector.1",
        f"metainfo/{APP_ID}.metainfo.xml",
    ]
    subprocess.run(["make", "-s", "-C", str(REPO), "uninstall", f"DESTDIR={tmp_path}", "PREFIX=/opt/hw"], check=True)
    assert not [p for p in share.rglob("*") if p.is_file()]


# --- packaging/validate ----------------------------------------------------------------------------


def test_validate_says_which_checks_were_skipped(capsys: pytest.CaptureFixture[str]) -> None:
    validate = _load_script("validate")

    def missing_tool(_: Path) -> str:
        return str(validate.need("hwinspector-no-such-tool", "no-such-package"))

    def passing(_: Path) -> str:
        return "fine"

    validate.CHECKS = [("absent tool", missing_tool), ("present", passing)]
    assert validate.main([]) == 0
    out = capsys.readouterr().out
    assert "SKIPPED  absent tool: hwinspector-no-such-tool not installed (Debian package no-such-package)" in out
    assert "ok       present: fine" in out
    assert "1 ok, 0 failed, 1 skipped" in out
    assert validate.main(["--strict"]) == 1, "--strict fails on a skipped check"
