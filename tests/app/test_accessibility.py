"""What a screen reader finds, asked through a real accessibility client: AT-SPI on a session bus under Xvfb.

tests/app/atspi_walker.py (Debian's python3 with pyatspi) starts Xvfb, the AT-SPI bus and the window, shows every
page and walks every SHOWING object of the application. Three windows: this machine in English and in German, and
the recorded laptop (umockdev) in English, which has a battery, a graphics chain, sensors and live plots.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
WALKER = REPO / "tests" / "app" / "atspi_walker.py"
APP = REPO / "tests" / "app" / "atspi_app.py"
LAPTOP = REPO / "tests" / "data" / "umockdev" / "laptop.umockdev"
SYSTEM_PYTHON = "/usr/bin/python3"  # pyatspi is a system package (python3-pyatspi)
LAUNCHER = "/usr/libexec/at-spi-bus-launcher"  # at-spi2-core


def _missing() -> str:
    if not Path(LAUNCHER).exists():
        return "at-spi2-core is not installed (no /usr/libexec/at-spi-bus-launcher): apt-get install at-spi2-core"
    for tool, package in (("Xvfb", "xvfb"), ("dbus-run-session", "dbus-daemon")):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (Debian: {package})"
    probe = subprocess.run([SYSTEM_PYTHON, "-c", "import pyatspi"], capture_output=True, check=False)
    if probe.returncode != 0:
        return "pyatspi is not installed for /usr/bin/python3: apt-get install python3-pyatspi"
    return ""


MISSING = _missing()
pytestmark = pytest.mark.skipif(bool(MISSING), reason=MISSING or "ok")


def walk(env: dict[str, str], *, laptop: bool = False) -> dict[str, Any]:
    """Run the walker over every page of a window; its JSON by page."""
    app = [sys.executable, str(APP)]
    if laptop:
        app = ["umockdev-run", "-d", str(LAPTOP), "--", *app]
    full = dict(os.environ, **env)
    full.pop("QT_QPA_PLATFORM", None)  # the window runs on Xvfb; offscreen has no accessibility bridge
    full.setdefault("TMPDIR", "/dev/shm")  # umockdev's testbed directory
    proc = subprocess.run(
        ["timeout", "600", "dbus-run-session", "--", SYSTEM_PYTHON, str(WALKER), "--", *app],
        capture_output=True,
        text=True,
        env=full,
        check=False,
    )
    assert proc.returncode == 0, f"walker failed ({proc.returncode}): {proc.stderr[-3000:]}"
    result: dict[str, Any] = json.loads(proc.stdout)
    return result["pages"]  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
def live_en() -> dict[str, Any]:
    return walk({"LANGUAGE": "en", "LANG": "C.UTF-8"})


@pytest.fixture(scope="module")
def live_de() -> dict[str, Any]:
    # LANGUAGE picks the catalogue, LANG the locale Qt formats numbers in (and loads its own catalogue for)
    return walk({"LANGUAGE": "de", "LANG": "de_DE.UTF-8"})


@pytest.fixture(scope="module")
def laptop_en() -> dict[str, Any]:
    if shutil.which("umockdev-run") is None:
        pytest.skip("umockdev-run is not installed (Debian: umockdev)")
    return walk({"LANGUAGE": "en", "LANG": "C.UTF-8"}, laptop=True)


def unnamed(pages: dict[str, Any]) -> dict[str, list[str]]:
    return {
        page: [f"{o['role']} {o['id'] or o['path']}" for o in r["objects"] if o["focusable"] and not o["name"].strip()]
        for page, r in pages.items()
    }


def of_role(objects: list[dict[str, Any]], role: str) -> list[dict[str, Any]]:
    return [o for o in objects if o["role"] == role]


EVERY_PAGE = {
    "overview", "devices", "drivers", "graphics", "audio", "camera", "usbc", "wireless", "power", "idle", "thermal",
    "telemetry", "firmware", "compare",
}  # fmt: skip


@pytest.mark.parametrize("which", ["live_en", "laptop_en", "live_de"])
def test_no_focusable_object_without_a_name_on_any_page(which: str, request: pytest.FixtureRequest) -> None:
    pages = request.getfixturevalue(which)
    assert set(pages) == EVERY_PAGE, "the walker saw other pages than the window has"
    for page, r in pages.items():
        focusable = [o for o in r["objects"] if o["focusable"]]
        assert len(focusable) >= 10, f"{page}: only {len(focusable)} focusable objects: the walk saw nothing"
    assert unnamed(pages) == {page: [] for page in pages}


def test_the_page_list_and_the_search_field_have_names(live_en: dict[str, Any]) -> None:
    objects = live_en["overview"]["objects"]
    assert any(o["role"] == "list" and o["name"] == "Pages" and o["focusable"] for o in objects)
    assert any(o["role"] == "text" and o["name"] == "Search this page" for o in objects)
    items = [o["name"] for o in of_role(objects, "list item")]
    assert items[:4] == ["Overview", "Devices", "Drivers", "Graphics"]


def test_names_in_german(live_de: dict[str, Any]) -> None:
    objects = live_de["overview"]["objects"]
    assert any(o["role"] == "list" and o["name"] == "Seiten" for o in objects)
    assert any(o["role"] == "text" and o["name"] == "Diese Seite durchsuchen" for o in objects)
    assert [o["name"] for o in of_role(objects, "list item")][:4] == ["Übersicht", "Geräte", "Treiber", "Grafik"]
    english = {"Pages", "Search this page", "Properties", "Filter properties", "Channels", "Find channels"}
    for page, r in live_de.items():
        named = {o["name"] for o in r["objects"]}
        assert not named & english, f"{page}: English names left: {named & english}"
    assert any(o["name"] == "Eigenschaften filtern" for o in live_de["devices"]["objects"])
    assert any(o["name"] == "Kanäle" and o["role"] == "tree" for o in live_de["telemetry"]["objects"])


def test_scorecard_cards_say_their_status_in_words(laptop_en: dict[str, Any], live_de: dict[str, Any]) -> None:
    cards = [o for o in laptop_en["overview"]["objects"] if re.match(r".+: (PASS|WARNING|FAIL|N/A)\. ", o["name"])]
    assert len(cards) >= 10, [o["name"] for o in laptop_en["overview"]["objects"] if o["role"] == "panel"]
    assert {o["role"] for o in cards} == {"panel"} and all(o["focusable"] for o in cards)
    assert any(o["name"].startswith("Battery: PASS. ") for o in cards)
    assert any("Next: " in o["description"] for o in cards), "the hint is the card's description"
    german = [o for o in live_de["overview"]["objects"] if o["role"] == "panel" and o["focusable"]]
    words = {re.sub(r"^.+?: ([^.]+)\. .*$", r"\1", o["name"], flags=re.S) for o in german}
    assert words and words <= {"OK", "WARNUNG", "FEHLER", "ENTFÄLLT"}, words


def test_plots_describe_their_channels_with_numbers(laptop_en: dict[str, Any]) -> None:
    objects = laptop_en["telemetry"]["objects"]
    charts = of_role(objects, "chart")
    assert len(charts) == 1 and charts[0]["name"] == "Live plot" and charts[0]["focusable"]
    text = charts[0]["description"]
    # the default channels of the recorded laptop, each with its last reading, the lowest and the highest
    for channel in ("BAT0 power", "coretemp Package id 0", "cpu0 frequency"):
        assert re.search(rf"{re.escape(channel)}: last [\d.,]+ \S+, lowest [\d.,]+ \S+, highest [\d.,]+ \S+", text), (
            text
        )
    stats = next(o for o in objects if o["role"] == "table" and o["name"] == "Channel statistics")
    assert stats["focusable"]


def test_chain_boxes_are_items_with_their_status(laptop_en: dict[str, Any]) -> None:
    objects = laptop_en["graphics"]["objects"]
    chain = [o for o in objects if o["role"] == "list" and o["name"] == "Graphics: chain of linked boxes"]
    assert len(chain) == 1 and "Arrow keys" in chain[0]["description"]
    boxes = [o for o in of_role(objects, "list item") if "chain of linked boxes" in o["path"]]
    names = [o["name"] for o in boxes]
    assert "PCI device: UHD Graphics 620, OK" in names
    assert any(n.startswith("Kernel driver: i915, ") for n in names)
    assert any(n.startswith("Connector: HDMI-A-1") and n.endswith("(inactive)") for n in names)
    assert all(o["focusable"] and o["description"] for o in boxes)
    assert any("in Intel Corporation UHD Graphics 620" in o["description"] for o in boxes)


def test_battery_card_and_tables_say_what_they_show(laptop_en: dict[str, Any]) -> None:
    objects = laptop_en["power"]["objects"]
    battery = [o for o in objects if o["role"] == "panel" and o["name"].startswith("BAT0")]
    assert battery and "74 %" in battery[0]["name"] and battery[0]["focusable"], battery
    tables = {o["name"] for o in objects if o["role"] == "table"}
    assert {"Power supplies", "Processor power (RAPL)"} <= tables
    cells = [o["name"] for o in of_role(objects, "table cell")]
    assert "empty" in cells  # the AC adapter has no charge: said, not silent
