"""What assistive technology is handed for the views we paint ourselves, read through Qt's own interfaces; and
icons drawn sharp at any pixel ratio, told apart by shape as well as colour."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAccessible, QColor, QIcon, QImage, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QApplication

from hwinspector.resources import RESOURCES_DIR, icon_path
from hwinspector.widgets import accessible
from hwinspector.widgets.chain_view import ChainRole, ChainView
from hwinspector.widgets.live_plot import CurveSpec, LivePlot
from hwinspector.widgets.scorecard import CardData, VerdictCard
from hwinspector.widgets.status_icons import status_icon, status_of


@pytest.fixture(autouse=True)
def _app(qapp: QApplication) -> QApplication:
    return qapp


def _gray(img: QImage) -> np.ndarray:
    img = img.convertToFormat(QImage.Format.Format_Grayscale8)
    buf = np.frombuffer(img.constBits(), np.uint8, img.bytesPerLine() * img.height())
    return buf.reshape(img.height(), img.bytesPerLine())[:, : img.width()].astype(int)


def test_status_icons_are_drawn_at_the_pixel_ratio_asked_for() -> None:
    icon = status_icon("warning")
    sharp = icon.pixmap(QSize(14, 14), 2.0)
    assert (sharp.width(), sharp.height(), sharp.devicePixelRatio()) == (28, 28, 2.0)
    upscaled = icon.pixmap(QSize(14, 14), 1.0).scaled(28, 28, mode=Qt.TransformationMode.SmoothTransformation)
    assert sharp.toImage().convertToFormat(QImage.Format.Format_ARGB32) != upscaled.toImage().convertToFormat(
        QImage.Format.Format_ARGB32
    ), "the 2x icon is the 1x bitmap scaled up"
    big = icon.pixmap(QSize(90, 90), 2.0)  # presentation type on a 4K projector: no 48 px ceiling
    assert big.width() == 180
    assert status_of(icon) == "warning" and status_of(status_icon("ok")) == "ok" and status_of(None) is None


def test_status_icons_differ_in_shape_not_only_colour() -> None:
    """A reader who sees no colour tells ok, warning, error, info and n/a apart by the symbol."""
    shapes = {
        s: _gray(status_icon(s).pixmap(QSize(32, 32), 1.0).toImage()) for s in ("ok", "warning", "error", "info", "na")
    }
    names = list(shapes)
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            # compare where each icon is light (its symbol) against where the other one is
            diff = np.abs((shapes[a] > 200).astype(int) - (shapes[b] > 200).astype(int)).sum()
            assert diff > 20, f"{a} and {b} have the same shape in gray"


def test_shipped_icons_are_vectors() -> None:
    bitmaps = [p for p in (RESOURCES_DIR / "icons").rglob("*") if p.suffix.lower() in (".png", ".jpg", ".xpm", ".bmp")]
    assert bitmaps == []
    window_icon = QIcon(str(icon_path("hwinspector")))
    assert window_icon.pixmap(QSize(64, 64), 2.0).width() == 128  # the SVG engine renders at the size asked


def test_cell_text_is_never_empty_and_says_the_status() -> None:
    assert accessible.cell_text("") == "empty" and accessible.cell_text(None) == "empty"
    assert accessible.cell_text("—") == "no value"
    assert accessible.cell_text("i915", status_icon("warning")) == "i915, warning"
    assert accessible.cell_text("i915", status_icon("ok")) == "i915"
    assert accessible.cell_text("15 %", None, "error") == "15 %, error"
    item = accessible.status_item("error", "no firmware")
    assert item.data(Qt.ItemDataRole.AccessibleTextRole) == "error: no firmware"


def _chain_model() -> QStandardItemModel:
    model = QStandardItemModel()
    lane = QStandardItem("GPU 0")
    for i, (key, caption, title, status, links) in enumerate(
        (
            ("gpu", "PCI device", "UHD 620", "ok", ["drv"]),
            ("drv", "Kernel driver", "i915", "warning", ["conn"]),
            ("conn", "Connector", "HDMI-A-1", "ok", []),
        )
    ):
        box = QStandardItem(title)
        box.setData(key, ChainRole.KEY)
        box.setData(caption, ChainRole.CAPTION)
        box.setData(["line one"], ChainRole.LINES)
        box.setData(status, ChainRole.STATUS)
        box.setData([("warning", "GuC firmware missing")] if status == "warning" else [], ChainRole.PROBLEMS)
        box.setData(i, ChainRole.COLUMN)
        box.setData(links, ChainRole.LINKS)
        box.setData(key != "conn", ChainRole.ACTIVE)
        lane.appendRow(box)
    model.appendRow(lane)
    return model


def test_chain_boxes_are_accessible_items_that_follow_the_keyboard(qtbot) -> None:  # type: ignore[no-untyped-def]
    view = ChainView()
    qtbot.addWidget(view)
    view.setAccessibleName("Graphics chain")
    model = _chain_model()
    view.setModel(model)
    view.resize(800, 400)
    view.show()
    qtbot.waitExposed(view)
    iface = QAccessible.queryAccessibleInterface(view)
    assert iface.role() == QAccessible.Role.List and iface.text(QAccessible.Text.Name) == "Graphics chain"
    assert iface.childCount() == 3
    names = [iface.child(i).text(QAccessible.Text.Name) for i in range(3)]
    assert names == ["PCI device: UHD 620, OK", "Kernel driver: i915, warning", "Connector: HDMI-A-1, OK (inactive)"]
    driver = iface.child(1)
    assert driver.role() == QAccessible.Role.ListItem and iface.indexOfChild(driver) == 1
    assert driver.text(QAccessible.Text.Description) == "line one; warning: GuC firmware missing; in GPU 0"
    assert driver.rect().width() > 0 and iface.childAt(driver.rect().center().x(), driver.rect().center().y())
    view.setFocus()
    qtbot.waitUntil(view.hasFocus)
    qtbot.keyClick(view, Qt.Key.Key_Right)
    focused = iface.focusChild()
    assert focused is not None and focused.text(QAccessible.Text.Name).startswith("Kernel driver")
    assert focused.state().focused and focused.state().selected
    # the model loses a box: its item leaves Qt's cache, the others stay readable
    model.item(0).removeRow(2)
    view.relayout()
    assert iface.childCount() == 2 and iface.child(1).text(QAccessible.Text.Name).startswith("Kernel driver")
    for _ in range(50):  # relayouts while a reader holds the items: nothing dangles
        view.relayout()
        assert [iface.child(i).text(QAccessible.Text.Name) for i in range(2)] == names[:2]


def test_chain_focus_ring_is_drawn_only_with_the_focus(qtbot) -> None:  # type: ignore[no-untyped-def]
    view = ChainView()
    qtbot.addWidget(view)
    view.setModel(_chain_model())
    view.resize(800, 400)
    view.show()
    qtbot.waitExposed(view)
    view.select_key("gpu")
    without = view.viewport().grab().toImage()
    view.setFocus()
    qtbot.waitUntil(view.hasFocus)
    qtbot.wait(20)
    assert view.viewport().grab().toImage() != without


def test_live_plot_describes_each_channel_with_numbers(qtbot) -> None:  # type: ignore[no-untyped-def]
    plot = LivePlot()
    qtbot.addWidget(plot)
    plot.resize(600, 300)
    plot.set_curves([CurveSpec("pkg", "Package power", "W"), CurveSpec("t", "CPU temperature", "°C")])
    iface = QAccessible.queryAccessibleInterface(plot)
    assert iface.role() == QAccessible.Role.Chart and iface.childCount() == 0
    assert plot.accessibleDescription() == "Package power: no reading yet; CPU temperature: no reading yet"
    t = (np.arange(10) * 100_000_000).astype(np.int64)
    series = {"pkg": (t, np.linspace(2.0, 9.87, 10)), "t": (t, np.full(10, 53.0))}
    plot._describer._at = -1e9  # a second has passed since set_curves described it
    plot.update_data(series, 0, 1.0)
    said = plot.accessibleDescription()
    assert said == (
        "Package power: last 9.87 W, lowest 2.00 W, highest 9.87 W; CPU temperature: last 53.0 °C, lowest 53.0 °C, "
        "highest 53.0 °C"
    ), said
    series["pkg"] = (t, np.full(10, 1.0))
    plot.update_data(series, 0, 1.0)  # the same second: a screen reader is not handed a stream of numbers
    assert plot.accessibleDescription() == said
    assert iface.text(QAccessible.Text.Description) == said


def test_scorecard_card_says_its_status_and_shows_its_focus(qtbot) -> None:  # type: ignore[no-untyped-def]
    card = VerdictCard(CardData("battery", "fail", "Battery", "no battery found", ("BAT0 absent",), "Insert it"))
    qtbot.addWidget(card)
    card.resize(360, 160)
    card.show()
    qtbot.waitExposed(card)
    iface = QAccessible.queryAccessibleInterface(card)
    assert iface.role() == QAccessible.Role.Grouping
    assert iface.text(QAccessible.Text.Name) == "Battery: FAIL. no battery found"
    assert iface.text(QAccessible.Text.Description) == "BAT0 absent\nNext: Insert it"
    assert iface.state().focusable
    without = card.grab().toImage()
    card.setFocus()
    qtbot.waitUntil(card.hasFocus)
    assert card.grab().toImage() != without
    word = card.word.palette().color(card.word.foregroundRole())
    assert _contrast(word, card.palette().color(card.backgroundRole())) >= 4.5


def _luminance(c: QColor) -> float:
    def ch(v: float) -> float:
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * ch(c.redF()) + 0.7152 * ch(c.greenF()) + 0.0722 * ch(c.blueF())


def _contrast(a: QColor, b: QColor) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)
