"""Overview page: identity and scorecard from collected sections, hotplug settling, summary, presentation mode."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QLabel

from hwinspector.gui import apply_theme
from hwinspector.pages.overview import OverviewPage, cards_of
from hwinspector.presentation import PresentationWindow, TileSource, contrast_palette
from hwinspector.probes.checks.base import Status
from hwinspector.probes.checks.scorecard import run_scorecard
from hwinspector.probes.machine.sections import Section
from hwinspector.probes.machine.snapshot import Snapshot, Source, load_snapshot
from hwinspector.widgets.scorecard import CardData, ScorecardView, VerdictCard
from tests.probes.checks.scorecard_sections import LAPTOP_IDENTITY, gl, gpu, make, supply
from tests.probes.sysfs_builder import acpi_battery, hwmon, platform_device, rapl_zone

LIVE = Snapshot(Source("live", "live machine"), ())
DUMPS = "udev/checkbox-udevadm_data"


def laptop_sections() -> dict[str, Section]:
    """A laptop whose GL falls back to llvmpipe (fail), no AC adapter (fail), no touchpad (warning), a good battery."""
    bat = supply("BAT0", "Battery", present=True, status="Discharging", capacity_percent=74.0, power_watts=8.4,
                 serial_number="SERIAL-8179")  # fmt: skip
    identity = {**LAPTOP_IDENTITY, "os_name": "Ubuntu 24.04 LTS", "kernel": "Linux 6.8.0", "cpu_model": "ACME CPU"}
    graphics = {"gpus": [gpu("0000:00:02.0", "i915", "Intel UHD Graphics 620")], "connectors": [], "problems": []}
    return make(identity=identity, power={"supplies": [bat]}, graphics=graphics, gl=gl("llvmpipe (LLVM 15)", True))


class Collector:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> dict[str, Section]:
        self.calls += 1
        return laptop_sections()


@pytest.fixture
def collector() -> Collector:
    return Collector()


@pytest.fixture
def page(qtbot, collector: Collector, tmp_path: Path):  # type: ignore[no-untyped-def]
    p = OverviewPage(collect=collector, settle_ms=50, sysfs=tmp_path)
    qtbot.addWidget(p)
    p.resize(1600, 1000)
    yield p
    p.shutdown()


def shown(page: OverviewPage, qtbot, snapshot: Snapshot = LIVE) -> None:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(page.sections_shown, timeout=20000):
        page.set_snapshot(snapshot)
        page.show()


def test_identity_and_scorecard_from_a_live_collection(page: OverviewPage, qtbot, collector: Collector) -> None:  # type: ignore[no-untyped-def]
    shown(page, qtbot)
    assert collector.calls == 1
    assert page.heading.text() == "ACME Book 14"
    labels = [w.text() for w in page.identity_box.findChildren(QLabel)]
    assert "Ubuntu 24.04 LTS" in labels and "Notebook (10)" in labels
    assert page.status_text.text().startswith("Scorecard: FAIL — 2 failed, 1 warning")
    statuses = [c.card.status for c in page.scorecard.cards]
    assert statuses == sorted(statuses, key=["fail", "warning", "pass", "n/a"].index)  # most severe first
    assert page.scorecard.cards[0].card.check == "graphics"
    assert len(page.scorecard.cards) == 22


def test_hidden_page_collects_only_when_shown(page: OverviewPage, qtbot, collector: Collector) -> None:  # type: ignore[no-untyped-def]
    page.set_snapshot(LIVE)
    qtbot.wait(100)
    assert collector.calls == 0  # no GL child, no sysfs walk for a page nobody looks at
    with qtbot.waitSignal(page.sections_shown, timeout=20000):
        page.show()
    assert collector.calls == 1


def test_a_burst_of_hotplug_events_is_one_collection(page: OverviewPage, qtbot, collector: Collector) -> None:  # type: ignore[no-untyped-def]
    shown(page, qtbot)
    with qtbot.waitSignal(page.sections_shown, timeout=20000):
        for _ in range(20):
            page.apply_hotplug([], LIVE)
    qtbot.wait(200)
    assert collector.calls == 2


def test_foreign_dump_is_judged_from_its_own_devices(
    page: OverviewPage, qtbot, collector: Collector, corpus: Path
) -> None:  # type: ignore[no-untyped-def]
    snap = load_snapshot(corpus / DUMPS / "TOSHIBA_NVME.txt")
    shown(page, qtbot, snap)
    assert collector.calls == 0  # never the live machine
    assert "Captured machine" in page.subheading.text()
    by = {c.card.check: c.card.status for c in page.scorecard.cards}
    assert by["drivers"] == "fail" and by["thermal"] == "n/a"


def test_copy_summary(page: OverviewPage, qtbot) -> None:  # type: ignore[no-untyped-def]
    shown(page, qtbot)
    page.copy_button.click()
    text = QGuiApplication.clipboard().text()
    assert text == page.summary()
    assert "Scorecard: FAIL (2 failed, 1 warning" in text and "SERIAL-8179" not in text
    assert page.copy_button.text() == "Copied ✓"


def test_cards_keep_their_text_unclipped_at_every_width(qtbot) -> None:  # type: ignore[no-untyped-def]
    verdicts = run_scorecard(laptop_sections())
    # the page at 1920 and 1280 pixels wide, and presentation mode at 1920x1080 (22 px type, 5 columns)
    for compact, width in ((False, 1400), (False, 700), (True, 1840)):
        view = ScorecardView(compact=compact)
        qtbot.addWidget(view)
        view.resize(width, 1200)
        view.set_cards(cards_of(verdicts))
        if compact:
            view.max_columns, view.min_card_width = 5, 22 * 16
            view.set_scale(22)
        view.show()
        qtbot.wait(20)
        for card in view.cards:
            for label in card.findChildren(QLabel):
                if label.isVisible() and label.wordWrap():
                    assert label.height() >= label.heightForWidth(label.width()), (card.card.title, label.text())


def test_scorecard_columns_follow_the_width(qtbot) -> None:  # type: ignore[no-untyped-def]
    view = ScorecardView(min_card_width=300)
    qtbot.addWidget(view)
    assert [view.columns_for(w) for w in (200, 650, 1000, 5000)] == [1, 2, 3, 4]
    view.compact = True
    view.set_cards(
        [CardData("a", "pass", "A", "ok"), CardData("b", "n/a", "B", "none"), CardData("c", "n/a", "C", "-")]
    )
    assert len(view.cards) == 1 and view.na_line.text() == "Not applicable here: B, C"


def test_card_accessible_name_says_the_status(qtbot) -> None:  # type: ignore[no-untyped-def]
    card = VerdictCard(CardData("battery", "warning", "Battery", "battery slot empty", ("x",), "Insert it"))
    qtbot.addWidget(card)
    assert card.accessibleName() == "Battery: WARNING. battery slot empty"
    assert card.hint.text() == "Next: Insert it"


# --- presentation ----------------------------------------------------------------------------------


def test_presentation_scales_type_with_the_screen(page: OverviewPage, qtbot) -> None:  # type: ignore[no-untyped-def]
    shown(page, qtbot)
    p = page.open_presentation((1920, 1080))
    qtbot.waitExposed(p)
    assert p.scale_px == 22
    assert p.title.text() == "ACME Book 14" and p.badge.text() == "FAILING"
    assert "Ubuntu 24.04 LTS" in p.subtitle.text()
    assert all(c.card.status != "n/a" for c in p.scorecard.cards)
    assert p.scorecard.na_line.text().startswith("Not applicable here: ")
    p.resize(3840, 2160)
    qtbot.waitUntil(lambda: p.scale_px == 44)
    assert p.title.font().pixelSize() == round(44 * 2.4)
    qtbot.keyClick(p, Qt.Key.Key_Escape)
    assert not p.isVisible()


def test_f11_toggles_presentation(page: OverviewPage, qtbot) -> None:  # type: ignore[no-untyped-def]
    shown(page, qtbot)
    page.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is page)  # shortcuts go to the active window
    qtbot.keyClick(page, Qt.Key.Key_F11)
    assert page.presentation is not None and page.presentation.isVisible()
    assert page.presentation.isFullScreen()
    qtbot.keyClick(page.presentation, Qt.Key.Key_F11)
    assert not page.presentation.isVisible()


def test_presentation_of_a_dump_shows_no_live_tiles(page: OverviewPage, qtbot, corpus: Path) -> None:  # type: ignore[no-untyped-def]
    shown(page, qtbot, load_snapshot(corpus / DUMPS / "QEMU_KVM.txt"))
    p = page.open_presentation((1280, 720))
    assert not p.live and not p.poller.polling
    assert p.tiles["power"].detail.text() == "captured machine: no live readings"


def test_high_contrast_follows_the_scheme(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    dark, light = contrast_palette(True), contrast_palette(False)
    assert dark.window().color().name() == "#000000" and dark.windowText().color().name() == "#ffffff"
    assert light.window().color().name() == "#ffffff" and light.windowText().color().name() == "#000000"
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    saved = app.palette()
    try:
        apply_theme(app, "dark")  # --theme dark; the offscreen platform has no colour scheme: the palette tells
        w = PresentationWindow(sysfs=tmp_path)
        qtbot.addWidget(w)
        assert w.dark and w.palette().window().color().name() == "#000000"
    finally:
        app.setPalette(saved)
    w2 = PresentationWindow(sysfs=tmp_path)
    qtbot.addWidget(w2)
    assert not w2.dark and w2.palette().window().color().name() == "#ffffff"


def fake_laptop(sysfs: Path) -> None:
    acpi_battery(sysfs, "BAT0", status="Discharging", present=1, capacity=74, power_now=8372000, energy_now=38420000)
    rapl_zone(sysfs, "intel-rapl:0", "package-0", 1_000_000)
    hwmon(sysfs, 3, platform_device(sysfs, "coretemp.0"), {"name": "coretemp", "temp1_input": 53000,
                                                             "temp1_label": "Package id 0"})  # fmt: skip


def test_tile_source_reads_the_headline_numbers(tmp_path: Path) -> None:
    fake_laptop(tmp_path)
    src = TileSource(tmp_path)
    src.open()
    try:
        src.read()
        energy = tmp_path / "devices/virtual/powercap/intel-rapl/intel-rapl:0/energy_uj"
        with open(energy, "r+") as f:  # same inode, as sysfs: the meter keeps the file open
            f.truncate(0)
            f.write("3000000\n")
        values = {v.key: v for v in src.read().values}
    finally:
        src.close()
    assert values["battery"].value == "8.37 W" and values["battery"].detail == "BAT0: 74 %, discharging"
    assert values["cpu"].value == "53 °C" and values["cpu"].level == "pass"
    assert values["power"].detail == "RAPL package-0" and values["power"].value.endswith(" W")
    assert float(values["power"].value.split()[0]) > 0
    assert values["gpu"].value == "—" and values["gpu"].detail == "no GPU sensor"


def test_live_tiles_update_in_the_window(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    fake_laptop(tmp_path)
    w = PresentationWindow(sysfs=tmp_path)
    qtbot.addWidget(w)
    verdicts = run_scorecard(laptop_sections())
    w.set_content("ACME Book 14", "Ubuntu", "fail", "1 failed", cards_of(verdicts), True, "Live machine")
    w.resize(1920, 1080)
    w.show()
    qtbot.waitUntil(lambda: w.readings_shown >= 1, timeout=10000)
    assert w.tiles["battery"].value.text() == "8.37 W"
    assert w.tiles["cpu"].value.text() == "53 °C"
    w.close()
    assert not w.poller.polling
    w.shutdown()


def test_verdict_statuses_map_onto_cards() -> None:
    verdicts = run_scorecard(laptop_sections())
    cards = cards_of(verdicts)
    assert {c.status for c in cards} <= {s.value for s in Status}
    assert cards[0].status == "fail" and cards[-1].status == "n/a"


def test_this_machine_is_shown_first_without_the_slow_sources_then_complete(qtbot) -> None:  # type: ignore[no-untyped-def]
    """Identity and the quick checks first (PARTIAL), OpenGL, Vulkan, D-Bus, sound and cameras after (COMPLETE)."""
    from hwinspector.pages.base import DataState

    page = OverviewPage()  # the real collection of this machine
    qtbot.addWidget(page)
    page.resize(1600, 1000)
    seen: list[tuple[bool, list[str], str]] = []
    page.data_shown.connect(
        lambda complete: seen.append((complete, [c.card.status for c in page.scorecard.cards], page.heading.text()))
    )
    page.set_snapshot(load_snapshot(None))
    page.show()
    qtbot.waitUntil(lambda: page.data_state is DataState.COMPLETE, timeout=90_000)
    page.shutdown()
    (first, first_cards, heading), (last, last_cards, _) = seen[0], seen[-1]
    assert (first, last) == (False, True) and len(seen) == 2
    assert heading not in ("…", "")  # the machine is named in the first part already
    assert "checking" in first_cards and len(first_cards) == 22  # profiles, audio, camera ask slow sources
    assert "checking" not in last_cards and len(last_cards) == 22
    assert "(checking" not in page.status_text.text()
