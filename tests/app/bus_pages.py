"""Shared by the Power page's service tests: a live page fed by its own bridge, and a refusing daemon."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from hwinspector.bus_bridge import BusBridge
from hwinspector.pages.base import Page
from hwinspector.pages.power import PowerPage
from hwinspector.probes.machine.snapshot import Snapshot, Source

LIVE = Snapshot(Source("live", "live machine"), ())
P = TypeVar("P", bound=Page)
WAIT_MS = 8000
REFUSAL = "Not Authorized: org.freedesktop.UPower.PowerProfiles.switch-profile"


def power_tree(root: Path, **files: str) -> Path:
    (root / "power").mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (root / "power" / name).write_text(text)
    return root


def bus_page_maker(
    tmp_path: Path, new_page: Callable[[], P], size: tuple[int, int]
) -> Iterator[Callable[..., tuple[P, BusBridge]]]:
    """Fixture body: live pages of one kind, each with its own bridge on the test's private bus."""
    made: list[tuple[P, BusBridge]] = []

    def make(**kwargs: Any) -> tuple[P, BusBridge]:
        bridge = BusBridge(sysfs=kwargs.pop("sysfs", tmp_path), **kwargs)
        # not qtbot.addWidget: pytest-qt deletes those before qtmodeltester lets go of the page's models
        page = new_page()
        page.set_bus(bridge)  # type: ignore[attr-defined]
        page.set_snapshot(LIVE)
        page.resize(*size)
        page.show()
        bridge.start()
        made.append((page, bridge))
        return page, bridge

    yield make
    for page, bridge in made:
        bridge.stop()
        page.shutdown()
        page.close()
        page.deleteLater()


def make_page(qtbot: Any, tmp_path: Path) -> Iterator[Callable[..., tuple[PowerPage, BusBridge]]]:
    """Fixture body (``make_page = pytest.fixture(bus_pages.make_page)``): a live Power page with its own bridge."""
    yield from bus_page_maker(tmp_path, lambda: PowerPage(sysfs=tmp_path), (1300, 850))


def refuse_switching(mock: Any, delay_s: float = 0.0) -> None:
    """Properties.Set answers as power-profiles-daemon does when polkit says no (after a delay: a prompt)."""
    code = f"raise dbus.exceptions.DBusException({REFUSAL!r}, name='org.freedesktop.DBus.Error.AccessDenied')"
    if delay_s:
        code = f"time.sleep({delay_s})\n{code}"
    mock.obj.AddMethod(
        "org.freedesktop.DBus.Properties", "Set", "ssv", "", code, dbus_interface="org.freedesktop.DBus.Mock"
    )
