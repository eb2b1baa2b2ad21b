"""Graphics page on fake graphics stacks: every element present and linked, problems in place, detail pane,
keyboard, copy, a corpus dump, this VM without DRM, and the umockdev laptop through real libudev."""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from hwinspector.models.graphics import ElementRole, GraphicsChainModel, build_picture
from hwinspector.pages.graphics import GraphicsPage
from hwinspector.probes.devices.hotplug import HotplugEvent
from hwinspector.probes.graphics.gl.probe import PROFILE_COMPAT, PROFILE_CORE, GlContext, GlDisplay, GlInfo
from hwinspector.probes.graphics.gl.text import parse_glxinfo
from hwinspector.probes.graphics.stack import GraphicsStack, read_live_stack
from hwinspector.probes.graphics.vulkan.probe import VulkanDevice, VulkanInfo, parse_vulkaninfo_summary
from hwinspector.probes.machine.snapshot import Snapshot, Source, read_file_snapshot
from hwinspector.widgets.chain_view import ChainRole
from tests.probes.graphics import drm_trees as trees

DATA = Path(__file__).resolve().parent.parent / "data"
LAPTOP = DATA / "umockdev" / "laptop.umockdev"
LIVE = Snapshot(Source("live", "live machine"), ())
IGPU, DGPU = trees.ROOT + "/0000:00:02.0", trees.ROOT + "/0000:00:1c.0/0000:01:00.0"
WAYLAND = {
    "XDG_SESSION_TYPE": "wayland",
    "WAYLAND_DISPLAY": "wayland-0",
    "XDG_RUNTIME_DIR": "/run/user/1000",
    "XDG_CURRENT_DESKTOP": "ubuntu:GNOME",
}


def _ctx(renderer: str, version: str, vendor: str = "Intel") -> tuple[GlContext, ...]:
    return (
        GlContext(PROFILE_CORE, vendor, renderer, f"4.6 (Core Profile) {version}", "4.60"),
        GlContext(PROFILE_COMPAT, vendor, renderer, f"4.6 (Compatibility Profile) {version}", "4.60"),
    )


INTEL_GL = "Mesa Intel(R) UHD Graphics 620 (KBL GT2)"
AMD_GL = "AMD Radeon R7 M260 (iceland, LLVM 15.0.7, DRM 3.54, 6.5.0)"
LLVMPIPE = "llvmpipe (LLVM 15.0.7, 256 bits)"


def egl_device(n: int, renderer: str, driver: str, card: str | None, render: str | None) -> GlDisplay:
    exts = ("EGL_MESA_device_software",) if driver == "swrast" else ("EGL_EXT_device_drm",)
    return GlDisplay(
        "egl", "device", f"EGL device #{n}", "1.5", "Mesa Project", driver_name=driver, drm_device=card,
        drm_render_node=render, device_extensions=exts, contexts=_ctx(renderer, "Mesa 23.2.1"),
    )  # fmt: skip


def hybrid_gl() -> GlInfo:
    """EGL sees both GPUs and llvmpipe; the session's Wayland display is on the Intel GPU."""
    return GlInfo(
        (
            egl_device(0, INTEL_GL, "iris", "/dev/dri/card0", "/dev/dri/renderD128"),
            egl_device(1, AMD_GL, "radeonsi", "/dev/dri/card1", "/dev/dri/renderD129"),
            egl_device(2, LLVMPIPE, "swrast", None, None),
            GlDisplay("egl", "wayland", "wayland-0", "1.5", "Mesa Project", driver_name="iris",
                      contexts=_ctx(INTEL_GL, "Mesa 23.2.1")),
        )
    )  # fmt: skip


def software_gl() -> GlInfo:
    """A real capture: glxinfo -B under Xvfb, Mesa llvmpipe."""
    return parse_glxinfo((DATA / "gl" / "glxinfo-B-xvfb-llvmpipe.txt").read_text())


def vk_device(i: int, name: str, kind: str, ids: tuple[int, int], driver: str, pci: str | None) -> VulkanDevice:
    return VulkanDevice(
        i, name, kind, ids[0], ids[1], "1.3.255", "23.2.1", None, driver_name=driver,
        driver_info="Mesa 23.2.1", pci_address=pci,
    )  # fmt: skip


def hybrid_vulkan() -> VulkanInfo:
    return VulkanInfo(
        "1.3.255",
        (
            vk_device(0, "Intel(R) UHD Graphics 620 (KBL GT2)", "integrated", (0x8086, 0x5917), "ANV", "0000:00:02.0"),
            vk_device(1, "AMD Radeon R7 M260 (RADV ICELAND)", "discrete", (0x1002, 0x6900), "radv", "0000:01:00.0"),
            vk_device(2, "llvmpipe (LLVM 15.0.7, 256 bits)", "cpu", (0x10005, 0), "llvmpipe", None),
        ),
    )


@pytest.fixture
def roots(tmp_path: Path) -> tuple[Path, Path, Path]:
    sysfs, devfs, procfs = tmp_path / "sys", tmp_path / "dev", tmp_path / "proc"
    for d in (sysfs, devfs, procfs):
        d.mkdir()
    # a Wayland desktop: gnome-shell and Xwayland, found by their process names
    trees.write(procfs, {"2100/comm": "gnome-shell\n", "2200/comm": "Xwayland\n"})
    return sysfs, devfs, procfs


def reader(
    roots: tuple[Path, Path, Path], gl: GlInfo | None, vk: VulkanInfo | None, env: dict[str, str] | None = None
) -> Callable[[], GraphicsStack]:
    sysfs, devfs, procfs = roots
    return functools.partial(
        read_live_stack, sysfs, devfs, procfs, WAYLAND if env is None else env,
        gl_reader=lambda: gl, vulkan_reader=lambda: vk, testbed=False,
    )  # fmt: skip


def open_page(qtbot, read: Callable[[], GraphicsStack], snapshot: Snapshot = LIVE) -> GraphicsPage:  # type: ignore[no-untyped-def]
    page = GraphicsPage(reader=read)
    qtbot.addWidget(page, before_close_func=lambda w: w.shutdown())
    page.resize(1200, 800)
    page.set_snapshot(snapshot)
    with qtbot.waitSignal(page.collector.stack_ready, timeout=20000):
        page.show()
    qtbot.waitUntil(lambda: page.stack is not None and not page.collector.busy, timeout=5000)
    return page


def kinds(page: GraphicsPage, lane: int) -> list[tuple[str, str]]:
    return [(e.kind, e.title) for e in page.model.lanes()[lane].elements]


def test_hybrid_laptop_every_element_present_and_linked(qtbot, roots, qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    trees.hybrid_laptop(roots[0])
    page = open_page(qtbot, reader(roots, hybrid_gl(), hybrid_vulkan()))
    pic = page.model.picture
    standalone = GraphicsChainModel()  # the page's model dies with the page, before the tester's cleanup
    standalone.set_picture(pic)
    qtmodeltester.check(standalone, force_py=True)
    assert [lane.key for lane in pic.lanes] == [f"lane:{IGPU}", f"lane:{DGPU}", "lane:software"]
    intel = {e.key: e for e in pic.lanes[0].elements}
    card0 = f"{IGPU}/drm/card0"
    edp, hdmi2, dp1 = (f"{card0}/card0-{n}" for n in ("eDP-1", "HDMI-A-2", "DP-1"))
    # PCI device → kernel driver (module, firmware) → DRM card and render node
    gpu = intel[f"gpu:{IGPU}"]
    assert (gpu.caption, gpu.title) == ("PCI device", "UHD Graphics 620")
    assert "[8086:5917] 0000:00:02.0" in gpu.lines
    assert gpu.links == (f"driver:{IGPU}",)
    drv = intel[f"driver:{IGPU}"]
    assert drv.title == "i915" and drv.lines == ("module i915", "GuC 70.1.1 · HuC 4.0.0 · DMC 1.4")
    assert drv.links == (f"drm:{card0}",)
    card = intel[f"drm:{card0}"]
    assert card.lines == ("/dev/dri/card0", "render node /dev/dri/renderD128")
    # → every connector (connected ones first) → the monitors their EDIDs describe
    assert card.links[:4] == tuple(f"conn:{p}" for p in (hdmi2, edp, dp1, f"{card0}/card0-HDMI-A-1"))
    assert intel[f"conn:{edp}"].lines[0] == "connected · enabled · DPMS On"
    assert intel[f"conn:{edp}"].links == (f"mon:{edp}",)
    assert intel[f"conn:{dp1}"].active is False and intel[f"conn:{dp1}"].links == ()
    monitor = intel[f"mon:{edp}"]
    assert (monitor.title, monitor.lines) == ("HWI TEST 27", ("HWI", "53x30 cm · 1920x1080@60", "EDID 1.4"))
    assert intel[f"mon:{hdmi2}"].lines[-1] == "EDID 1.3 + CTA-861 (HDMI) HDR"
    # → the userspace drivers of this GPU → the session, which this GPU renders
    assert card.links[4:] == (f"gl:{IGPU}", f"vk:{IGPU}")
    gl = intel[f"gl:{IGPU}"]
    assert (gl.caption, gl.title) == ("OpenGL · EGL", INTEL_GL)
    assert gl.lines == ("OpenGL 4.6 core, 4.6 compatibility", "Mesa 23.2.1 · iris", "default for applications")
    assert intel[f"vk:{IGPU}"].title == "Intel(R) UHD Graphics 620 (KBL GT2)"
    assert gl.links == ("session",) and intel[f"vk:{IGPU}"].links == ("session",)
    session = intel["session"]
    assert session.title == "Wayland · gnome-shell"
    assert session.lines == ("Xwayland running", "ubuntu, GNOME", "default GPU 0000:00:02.0 (i915)")
    # the AMD GPU renders too, with its own OpenGL and Vulkan drivers
    assert kinds(page, 1) == [
        ("gpu", "Topaz XT [Radeon R7 M260/M265 / M340/M360 / M440/M445 / 530/535 / 620/625 Mobile]"),
        ("driver", "amdgpu"),
        ("drm", "card1"),
        ("opengl", AMD_GL),
        ("vulkan", "AMD Radeon R7 M260 (RADV ICELAND)"),
    ]
    assert kinds(page, 2) == [("cpu", "CPU (software)"), ("opengl", LLVMPIPE), ("vulkan", LLVMPIPE)]
    # no problem anywhere; the hybrid setup is a note
    assert page.stack is not None and page.stack.all_problems == ()
    assert [(i.severity, i.text) for i in pic.issues] == [
        ("info", "hybrid graphics: 0000:00:02.0 (i915) renders by default; also 0000:01:00.0 (amdgpu)")
    ]
    # the view draws every element and every link left to right
    view = page.view
    assert set(view.keys()) == {e.key for e in pic.elements()}
    for key in set(view.keys()):
        for target in view.links(key):
            assert view.box_rect(target).left() > view.box_rect(key).right(), (key, target)
    assert view.box_rect(f"mon:{edp}").top() == view.box_rect(f"conn:{edp}").top()
    assert "renders by default" in page.model.index(0, 0).data(ChainRole.LINES)[0]


def test_detail_pane_shows_everything_about_the_selected_element(qtbot, roots) -> None:  # type: ignore[no-untyped-def]
    trees.hybrid_laptop(roots[0])
    page = open_page(qtbot, reader(roots, hybrid_gl(), hybrid_vulkan()))
    assert page.view.current_key() == f"gpu:{IGPU}"  # the start of the first chain
    assert ("Device", "Boot VGA", "yes") in page.details.rows()
    edp = f"{IGPU}/drm/card0/card0-eDP-1"
    page.view.select_key(f"mon:{edp}")
    rows = {(s, k): v for s, k, v in page.details.rows()}
    assert page.details.title() == "Monitor: HWI TEST 27"
    assert rows[("Monitor (EDID)", "Manufacturer")] == "HWI"
    assert rows[("Monitor (EDID)", "Product code")] == "0x1234 (4660)"
    assert rows[("Monitor (EDID)", "Preferred mode")] == "1920x1080 @ 60.000 Hz, 148.500 MHz"
    assert rows[("Monitor (EDID)", "Checksums")] == "ok"
    assert rows[("Raw EDID", "hex")] == trees.edid("base-1.4-dp").hex()
    page.view.select_key(f"conn:{edp}")
    rows = {(s, k): v for s, k, v in page.details.rows()}
    assert rows[("Connector", "KMS connector id")] == "95"
    assert rows[("Connector", "Current mode")].startswith("current mode unknown (no access to ")
    assert rows[("Modes", "1")] == "1920x1080"
    page.view.select_key(f"driver:{DGPU}")
    rows = {(s, k): v for s, k, v in page.details.rows()}
    assert rows[("Firmware", "VBIOS")] == "113-C87301-U01"
    page.view.select_key("session")
    rows = {(s, k): v for s, k, v in page.details.rows()}
    assert rows[("Session", "Xwayland")].startswith("Xwayland (pid 2200")
    assert rows[("Rendering", "Why")] == "boot VGA device: the firmware initialised it"


def test_problems_are_flagged_on_their_element_and_listed_at_the_top(qtbot, roots) -> None:  # type: ignore[no-untyped-def]
    # Vostro 270: HDMI-A-2 connected but disabled, HDMI-A-1's EDID has a broken checksum; and
    # applications get llvmpipe although two GPUs have drivers.
    paths = trees.intel_nouveau_desktop(roots[0])
    page = open_page(qtbot, reader(roots, software_gl(), parse_vulkaninfo_summary(_lavapipe())))
    pic = page.model.picture
    disabled = f"conn:{paths['card1']}/card1-HDMI-A-2"
    bad_edid = f"mon:{paths['card0']}/card0-HDMI-A-1"
    software = "gl:lane:software"
    flagged = {e.key: [(p.severity, p.detail) for p in e.problems] for e in pic.elements() if e.problems}
    assert flagged[disabled] == [("warning", "monitor connected but the output is disabled")]
    assert [s for s, _ in flagged[bad_edid]] == ["warning"] and "EDID checksum error" in flagged[bad_edid][0][1]
    assert flagged[software][0][0] == "error" and flagged[software][0][1].startswith("software rendering")
    assert "0000:00:02.0 (i915), 0000:01:00.0 (nouveau) can render" in flagged[software][0][1]
    # the view draws each problem in its box, and colours the box
    idx = page.model.index_of(disabled)
    assert idx.data(ChainRole.STATUS) == "warning"
    assert idx.data(ChainRole.PROBLEMS) == [("warning", "monitor connected but the output is disabled")]
    assert page.model.index_of(software).data(ChainRole.STATUS) == "error"
    assert page.model.index_of(f"conn:{paths['card0']}/card0-DVI-I-1").data(ChainRole.STATUS) == "ok"
    # the list at the top: errors first, each leading to its element
    listed = [page.issues.item(i) for i in range(page.issues.count())]
    assert listed[0].text().startswith("software rendering")
    by_text = {item.text(): item for item in listed}
    item = by_text["card1-HDMI-A-2: monitor connected but the output is disabled"]
    page.panel._issue_clicked(item)
    assert page.view.current_key() == disabled
    assert page.details.rows()[0] == ("Problems", "warning", "monitor connected but the output is disabled")


def test_gpu_without_driver_and_firmware_framebuffer(qtbot, roots) -> None:  # type: ignore[no-untyped-def]
    paths = trees.firmware_framebuffer_only(roots[0])
    page = open_page(qtbot, reader(roots, software_gl(), None))
    pic = page.model.picture
    driver = pic.element(f"driver:{paths['gpu']}")
    assert driver is not None and driver.title == "No driver" and driver.status == "error"
    assert [p.detail for p in driver.problems] == ["no driver bound: no acceleration, no display outputs"]
    fb = pic.element(f"gpu:{paths['fb']}")
    assert fb is not None and fb.status == "error" and fb.problems[0].detail.startswith("only a firmware framebuffer")
    # without a GPU driver llvmpipe is what is left: said, as a warning
    gl = pic.element("gl:lane:software")
    assert gl is not None and [p.severity for p in gl.problems] == ["warning"]
    assert "because no GPU has a driver" in gl.problems[0].detail
    assert page.model.lanes()[0].status == "error"


def test_nvidia_proprietary_linked_by_ids_and_glx(qtbot, roots) -> None:  # type: ignore[no-untyped-def]
    from hwinspector.probes.graphics.gl.probe import RendererQuery

    paths = trees.nvidia_desktop(roots[0], roots[2])
    # GLX on the NVIDIA driver says nothing about DRM nodes; GLX_MESA_query_renderer is Mesa's: the
    # Intel display is matched by its PCI ids, vulkaninfo --summary's NVIDIA device by vendor:device.
    rq = RendererQuery("Intel", INTEL_GL, 0x8086, 0x0412, "23.2.1", True, 1536, True, "4.6", "4.6")
    glx = GlDisplay("glx", "x11", ":0", "1.4", "SGI", renderer_query=rq, contexts=_ctx(INTEL_GL, "Mesa 23.2.1"))
    nv = vk_device(0, "NVS 310", "discrete", (0x10DE, 0x107D), "NVIDIA", None)
    page = open_page(qtbot, reader(roots, GlInfo((glx,)), VulkanInfo("1.3.255", (nv,))))
    pic = page.model.picture
    nvidia = pic.element(f"driver:{paths['dgpu']}")
    assert nvidia is not None and nvidia.title == "nvidia"
    assert nvidia.lines == ("module nvidia", "NVRM 390.157 · VBIOS 75.19.55.00.02")
    vk = pic.element(f"vk:{paths['dgpu']}")
    assert vk is not None and vk.title == "NVS 310" and vk.status == "ok"
    gl = pic.element(f"gl:{paths['igpu']}")
    assert gl is not None and gl.caption == "OpenGL · GLX" and "default for applications" in gl.lines
    # no EGL device list to compare with: no claim that the NVIDIA GPU lacks an OpenGL driver
    nv_gl = pic.element(f"gl:{paths['dgpu']}")
    assert nv_gl is not None and nv_gl.title == "No OpenGL driver" and nv_gl.problems == ()
    assert pic.element("session") in page.model.lanes()[0].elements


def _lavapipe() -> str:
    return (DATA / "gl" / "vulkaninfo-summary-lavapipe.txt").read_text()


def test_this_vm_without_drm_says_so_and_still_shows_gl_and_vulkan(qtbot, roots) -> None:  # type: ignore[no-untyped-def]
    page = open_page(qtbot, reader(roots, software_gl(), parse_vulkaninfo_summary(_lavapipe()), env={}))
    lanes = page.model.lanes()
    assert [lane.title for lane in lanes] == ["No GPU"]
    assert [(e.kind, e.caption, e.title) for e in lanes[0].elements] == [
        ("none", "Graphics device", "No DRM device"),
        ("opengl", "OpenGL · GLX · software", "llvmpipe (LLVM 15.0.6, 256 bits)"),
        ("vulkan", "Vulkan · software", "llvmpipe (LLVM 15.0.6, 256 bits)"),
        ("session", "Session", "No graphical session"),
    ]
    head = lanes[0].elements[0]
    assert head.lines[0].startswith("no DRM devices: ") and head.lines[0].endswith(
        "lists no card and no display-class PCI device exists (no GPU, or a virtual machine without a virtual display)"
    )
    # software rendering without a GPU is what such a machine is meant to do: no problem, only notes
    assert page.stack is not None and page.stack.all_problems == ()
    assert page.issues.item(0).text().startswith("no DRM devices: ")
    assert page.summary.text().startswith("No GPU · OpenGL: llvmpipe (LLVM 15.0.6, 256 bits) (software)")
    assert head.links == ("gl:lane:no-gpu", "vk:lane:no-gpu")


def test_corpus_udev_dump_through_the_page(qtbot, corpus: Path) -> None:  # type: ignore[no-untyped-def]
    def never() -> GraphicsStack:
        raise AssertionError("a dump must not read the live machine")

    snap = read_file_snapshot(corpus / "udev/checkbox-udevadm_data/TOSHIBA_NVME.txt")
    page = open_page(qtbot, never, snap)
    lanes = page.model.lanes()
    assert [lane.title for lane in lanes] == [
        "Intel Corporation HD Graphics 630",
        "NVIDIA Corporation GM107 [GeForce 940MX]",
        "Firmware framebuffer (efi-framebuffer.0)",
    ]
    intel = [(e.kind, e.title, e.lines[:1]) for e in lanes[0].elements if e.kind == "connector"]
    assert [t for _, t, _ in intel] == ["DP-1", "DP-2", "HDMI-A-1", "HDMI-A-2", "HDMI-A-3", "eDP-1"]
    assert all(lines == ("status not recorded",) for *_, lines in intel)
    assert not [e for e in page.model.picture.elements() if e.kind in ("opengl", "vulkan", "session")]
    nvidia = page.model.picture.element("driver:/devices/pci0000:00/0000:00:01.0/0000:01:00.0")
    assert nvidia is not None and nvidia.status == "error"
    assert page.state.text() == "OpenGL, Vulkan and the session: not in a dump"
    notes = [page.issues.item(i).text() for i in range(page.issues.count())]
    assert "OpenGL, Vulkan and the session are not part of a udevadm dump" in notes[-1]
    assert not page.refresh_button.isEnabled()
    assert page.summary.text() == "2 GPUs · 6 connectors · from TOSHIBA_NVME.txt"


def test_a_reading_that_a_newer_source_replaced_is_dropped(qtbot, roots, corpus: Path) -> None:  # type: ignore[no-untyped-def]
    trees.hybrid_laptop(roots[0])
    gate = threading.Event()
    live = reader(roots, hybrid_gl(), hybrid_vulkan())

    def slow() -> GraphicsStack:
        gate.wait(10)
        return live()

    page = GraphicsPage(reader=slow)
    qtbot.addWidget(page, before_close_func=lambda w: w.shutdown())
    page.set_snapshot(LIVE)
    page.show()
    assert page.collector.busy
    page.set_snapshot(read_file_snapshot(corpus / "udev/checkbox-udevadm_data/LENOVO_T420.txt"))
    gate.set()
    qtbot.waitUntil(lambda: page.stack is not None and not page.collector.busy, timeout=10000)
    qtbot.wait(50)
    assert page.stack is not None and page.stack.source_label == "LENOVO_T420.txt"
    assert page.stacks_shown == 1


def test_keyboard_moves_along_the_chain(qtbot, roots) -> None:  # type: ignore[no-untyped-def]
    trees.hybrid_laptop(roots[0])
    page = open_page(qtbot, reader(roots, hybrid_gl(), hybrid_vulkan()))
    view = page.view
    view.setFocus()
    card0 = f"{IGPU}/drm/card0"
    hdmi2 = f"{card0}/card0-HDMI-A-2"
    view.select_key(f"gpu:{IGPU}")
    walk = []
    for _ in range(4):
        qtbot.keyClick(view, Qt.Key.Key_Right)
        walk.append(view.current_key())
    assert walk == [f"driver:{IGPU}", f"drm:{card0}", f"conn:{hdmi2}", f"mon:{hdmi2}"]
    assert page.details.title() == "Monitor: HWI TEST 27"
    qtbot.keyClick(view, Qt.Key.Key_Left)
    assert view.current_key() == f"conn:{hdmi2}"
    qtbot.keyClick(view, Qt.Key.Key_Down)
    assert view.current_key() == f"conn:{card0}/card0-eDP-1"
    qtbot.keyClick(view, Qt.Key.Key_End)
    assert view.current_key() == view.keys()[-1]
    qtbot.keyClick(view, Qt.Key.Key_Home)
    assert view.current_key() == f"gpu:{IGPU}"
    qtbot.keyClick(view, Qt.Key.Key_Down)  # no more boxes in the first column of this lane: the next lane
    assert view.current_key() == f"gpu:{DGPU}"
    # a click selects too, and the arrow keys go on from there
    session = view.mapFromScene(view.box_rect("session").center())
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=session)
    assert view.current_key() == "session" and page.details.title() == "Session: Wayland · gnome-shell"
    qtbot.keyClick(view, Qt.Key.Key_Left)
    assert view.current_key() == f"gl:{IGPU}"


def test_copy_chain_filter_and_select_path(qtbot, roots) -> None:  # type: ignore[no-untyped-def]
    trees.hybrid_laptop(roots[0])
    page = open_page(qtbot, reader(roots, hybrid_gl(), hybrid_vulkan()))
    qtbot.mouseClick(page.copy_button, Qt.MouseButton.LeftButton)
    text = QGuiApplication.clipboard().text()
    assert text.startswith("Graphics chain of live machine")
    for needle in ("PCI device: UHD Graphics 620", "Kernel driver: i915 — module i915", "Connector: eDP-1",
                   "└ Monitor: HWI TEST 27", INTEL_GL, "Session: Wayland · gnome-shell"):  # fmt: skip
        assert needle in text
    # the monitors' serial numbers identify them: never in a text meant for a bug report
    assert "SN12345" not in text and "16909060" not in text
    page.set_filter("hdmi")
    shown = page.view.matching_keys()
    assert shown and all("hdmi" in (page.model.element(k).search_text()) for k in shown)  # type: ignore[union-attr]
    assert f"gpu:{DGPU}" not in shown
    page.select_path(f"{IGPU}/drm/card0/card0-eDP-1")
    assert page.view.current_key() == f"conn:{IGPU}/drm/card0/card0-eDP-1"


def test_drm_hotplug_reads_again_when_shown(qtbot, roots) -> None:  # type: ignore[no-untyped-def]
    trees.hybrid_laptop(roots[0])
    calls = []
    live = reader(roots, hybrid_gl(), hybrid_vulkan())

    def counting() -> GraphicsStack:
        calls.append(1)
        return live()

    page = open_page(qtbot, counting)
    assert len(calls) == 1
    usb = HotplugEvent("add", "/devices/pci0000:00/0000:00:14.0/usb1/1-5", None, 0)
    page.apply_hotplug([usb], LIVE)
    qtbot.wait(100)
    assert len(calls) == 1  # nothing graphical changed
    monitor = HotplugEvent("change", f"{IGPU}/drm/card0", None, 0)
    with qtbot.waitSignal(page.collector.stack_ready, timeout=20000):
        page.apply_hotplug([monitor], LIVE)
    assert len(calls) == 2


def test_model_updates_in_place_when_the_shape_is_the_same(qtmodeltester, roots) -> None:  # type: ignore[no-untyped-def]
    trees.hybrid_laptop(roots[0])
    stack = reader(roots, hybrid_gl(), hybrid_vulkan())()
    model = GraphicsChainModel()
    resets = []
    model.modelReset.connect(lambda: resets.append(1))
    model.set_stack(stack)
    qtmodeltester.check(model, force_py=True)
    changed = []
    model.dataChanged.connect(lambda a, b: changed.append(a))
    model.set_stack(stack)
    assert len(resets) == 1 and changed
    lane = model.index(0, 0)
    assert model.data(model.index(0, 0, lane), ElementRole).kind == "gpu"
    model.set_picture(build_picture(reader(roots, None, None)()))
    assert len(resets) == 2
    qtmodeltester.check(model, force_py=True)


# --- the recorded laptop through real libudev (second pytest pass, under umockdev-wrapper) ----------------


@pytest.fixture
def testbed():  # type: ignore[no-untyped-def]
    if "umockdev" not in os.environ.get("LD_PRELOAD", ""):
        pytest.skip("needs umockdev-wrapper around the test process (the umockdev pass of make test)")
    import gi

    gi.require_version("UMockdev", "1.0")
    from gi.repository import UMockdev

    tb = UMockdev.Testbed.new()
    tb.add_from_file(str(LAPTOP))
    yield tb
    del tb


@pytest.mark.umockdev
def test_umockdev_laptop_live(qtbot, testbed) -> None:  # type: ignore[no-untyped-def]
    page = open_page(qtbot, read_live_stack)
    lanes = page.model.lanes()
    assert [lane.title for lane in lanes] == [
        "Intel Corporation UHD Graphics 620",
        "Advanced Micro Devices, Inc. [AMD/ATI] Topaz XT [Radeon R7 M260/M265 / M340/M360 / M440/M445 / 530/535 "
        "/ 620/625 Mobile]",
    ]
    edp = page.model.picture.element("conn:/devices/pci0000:00/0000:00:02.0/drm/card1/card1-eDP-1")
    assert edp is not None and edp.lines[0] == "connected · enabled · DPMS On"
    monitor = page.model.picture.element(f"mon:{edp.devpath}")
    assert monitor is not None and monitor.title == "LP156WF6-SPK4" and monitor.lines[0] == "LG Display"
    # the testbed's devices are a recording: OpenGL and Vulkan of this host would not describe them
    assert page.stack is not None and page.stack.gl is None and page.stack.vulkan is None
    notes = [page.issues.item(i).text() for i in range(page.issues.count())]
    assert any(n.startswith("umockdev testbed: the devices are a recording") for n in notes)
