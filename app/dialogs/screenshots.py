"""Screenshots of the pages for an evidence bundle, rendered offscreen from its redacted sections."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QBuffer, QIODevice, Qt
from PySide6.QtWidgets import QApplication

from hwinspector.i18n import _
from hwinspector.pages.base import wait_for_data
from hwinspector.probes.machine.snapshot import Snapshot, Source, SystemInfo
from hwinspector.report.assemble import Redacted
from hwinspector.report.bundle import Artifact

SCREENSHOT_PAGES = ("overview", "devices", "drivers", "graphics")
SHOW_TIMEOUT_S = 30.0  # a page that has not shown its data by then is taken as it is


def snapshot_from_sections(sections: Mapping[str, Mapping[str, Any]], label: str) -> Snapshot:
    """A snapshot of the redacted devices and drivers sections: what the screenshots may show."""
    from hwinspector.probes.devices import drivers as drv
    from hwinspector.probes.devices.tree import Device

    devs = (sections.get("devices") or {}).get("data") or {}
    dr = (sections.get("drivers") or {}).get("data") or {}
    devices = tuple(
        Device(
            d["path"],
            d.get("parent"),
            d.get("subsystem"),
            d.get("devtype"),
            d.get("driver"),
            d.get("name") or "",
            d.get("kind") or _("Other"),
            d.get("properties") or {},
            d.get("attributes") or {},
            d.get("binary_attributes") or {},
            d.get("module"),
            tuple(d.get("errors") or ()),
        )
        for d in devs.get("devices") or []
    )
    bindings = tuple(
        drv.Binding(
            b["driver"],
            b.get("module"),
            b.get("bus"),
            tuple(b.get("devices") or ()),
            b.get("module_version"),
            b.get("srcversion"),
            tuple((b.get("parameters") or {}).items()),
        )
        for b in dr.get("bindings") or []
    )
    problems = tuple(
        drv.Problem(
            p.get("path"),
            p.get("kind", ""),
            p.get("severity", "warning"),
            p.get("subsystem"),
            p.get("modalias"),
            p.get("detail", ""),
            tuple(p.get("candidates") or ()),
            p.get("name", ""),
        )
        for p in dr.get("problems") or []
    )
    ident = (sections.get("identity") or {}).get("data") or {}
    system = SystemInfo(ident.get("kernel"), ident.get("os_name"), True, ident.get("vendor"), ident.get("product"))
    return Snapshot(Source("bundle", label, None, (_("redacted capture"),)), devices, bindings, problems, None, system)


def render_screenshots(red: Redacted, size: tuple[int, int] = (1280, 800)) -> list[Artifact]:
    """The main pages rendered offscreen from the redacted sections (GUI thread; makes a QApplication if needed)."""
    from hwinspector.main_window import MainWindow

    if QApplication.instance() is None:
        QApplication(["hwinspector"])  # the CLI's --screenshots: offscreen, set up by the caller
    window = MainWindow(live_updates=False)
    window.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen, True)
    out = []
    try:
        window.resize(*size)
        window.show_snapshot(snapshot_from_sections(red.sections, _("this capture")))
        window.banner.hide()  # "not the live machine": true, but noise on the capture's own pictures
        window.show()
        for page in SCREENSHOT_PAGES:
            if not window.show_page(page):
                continue
            # the page's data, not "Reading the machine…" (issue 18): its sections are read on a worker
            wait_for_data(window.current_page(), SHOW_TIMEOUT_S)
            for _unused in range(5):
                QApplication.processEvents()
            buf = QBuffer()
            buf.open(QIODevice.OpenModeFlag.WriteOnly)
            window.grab().save(buf, "PNG")
            out.append(
                Artifact(
                    f"attachments/screenshot-{page}.png",
                    bytes(buf.data().data()),
                    "attachment",
                    "image/png",
                    "screenshots",
                    {"probe": _("hwinspector main window, page {page}, offscreen").format(page=page)},
                )
            )
    finally:
        window.shutdown()
        window.close()
        window.deleteLater()
    return out
