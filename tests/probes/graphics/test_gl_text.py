"""glxinfo and eglinfo captures: every real glxinfo in the corpus, our own captures, failures."""

from __future__ import annotations

from pathlib import Path

import pytest

from hwinspector.probes.errors import InputFormatError
from hwinspector.probes.graphics.gl.probe import GlInfo
from hwinspector.probes.graphics.gl.text import parse_eglinfo, parse_glxinfo

DATA = Path(__file__).resolve().parents[2] / "data" / "gl"

# Read off each file by hand (grep of its "name of display", "OpenGL ... string" and renderer-info
# lines): display name, GL vendor, renderer, core / compat / ES version strings, Mesa version,
# software rendering, PCI ids from GLX_MESA_query_renderer (None: no such block, or ~0 for llvmpipe).
NV_GT750M = ("GeForce GT 750M/PCIe/SSE2", "4.6.0 NVIDIA 418.43")
LLVMPIPE_6 = ("llvmpipe (LLVM 6.0, 128 bits)", "3.3 (Core Profile) Mesa 18.0.0-rc5", "3.0 Mesa 18.0.0-rc5")
NV98 = ("NV98", "3.3 (Core Profile) Mesa 18.2.2", "3.1 Mesa 18.2.2", "OpenGL ES 3.0 Mesa 18.2.2")
INTEL = "Intel Open Source Technology Center"
VMW = "VMware, Inc."
EXPECTED: dict[str, tuple[object, ...]] = {
    "peracotta/2014-castes-mbp/glxinfo.txt": (
        ":1", "NVIDIA Corporation", NV_GT750M[0], NV_GT750M[1], NV_GT750M[1], "OpenGL ES 3.2 NVIDIA 418.43",
        None, False, None,
    ),
    "peracotta/2018-castes-mbp/glxinfo.txt": (
        ":0", "X.Org", "AMD POLARIS11 (DRM 3.27.0, 4.19.28-1-MANJARO, LLVM 7.0.1)",
        "4.5 (Core Profile) Mesa 18.3.4", "4.5 (Compatibility Profile) Mesa 18.3.4", "OpenGL ES 3.2 Mesa 18.3.4",
        "18.3.4", False, (0x1002, 0x67EF),
    ),
    "peracotta/77-no-disks/glxinfo.txt": (
        ":0.0", VMW, *LLVMPIPE_6, "OpenGL ES 3.0 Mesa 18.0.0-rc5", "18.0.0-rc5", True, (None, None),
    ),
    "peracotta/77/glxinfo.txt": (
        ":0.0", VMW, *LLVMPIPE_6, "OpenGL ES 3.0 Mesa 18.0.0-rc5", "18.0.0-rc5", True, (None, None),
    ),
    "peracotta/Thinkpad-R500/glxinfo.txt": (
        ":0.0", INTEL, "Mesa DRI Mobile Intel® GM45 Express Chipset x86/MMX/SSE2",
        None, "2.1 Mesa 18.2.2", "OpenGL ES 2.0 Mesa 18.2.2", "18.2.2", False, (0x8086, 0x2A42),
    ),
    "peracotta/alecase/glxinfo.txt": (
        ":0.0", "nouveau", "NVC3", "4.3 (Core Profile) Mesa 18.3.6", "4.3 (Compatibility Profile) Mesa 18.3.6",
        "OpenGL ES 3.1 Mesa 18.3.6", "18.3.6", False, (0x10DE, 0xDC4),
    ),
    "peracotta/asdpc/glxinfo.txt": (
        ":0", "X.Org", "AMD TAHITI (DRM 2.50.0, 4.20.13-arch1-1-ARCH, LLVM 7.0.1)",
        "4.5 (Core Profile) Mesa 18.3.4", "4.5 (Compatibility Profile) Mesa 18.3.4", "OpenGL ES 3.2 Mesa 18.3.4",
        "18.3.4", False, (0x1002, 0x679A),
    ),
    "peracotta/asdpc2/glxinfo.txt": (
        ":0", INTEL, "Mesa DRI Intel(R) HD Graphics 515 (Skylake GT2)", "4.5 (Core Profile) Mesa 19.0.1",
        "3.0 Mesa 19.0.1", "OpenGL ES 3.2 Mesa 19.0.1", "19.0.1", False, (0x8086, 0x191E),
    ),
    # A SiS board whose desktop ran on llvmpipe: the enablement failure the flag exists for.
    "peracotta/cassone/glxinfo.txt": (
        ":0.0", VMW, "Gallium 0.4 on llvmpipe (LLVM 4.0, 128 bits)", "3.3 (Core Profile) Mesa 17.0.7",
        "3.0 Mesa 17.0.7", "OpenGL ES 3.0 Mesa 17.0.7", "17.0.7", True, (None, None),
    ),
    "peracotta/castes-HP-dc7600/82945G/glxinfo.txt": (
        ":0.0", INTEL, "Mesa DRI Intel(R) 945G x86/MMX/SSE2", None, "1.4 Mesa 18.2.2",
        "OpenGL ES 2.0 Mesa 18.2.2", "18.2.2", False, (0x8086, 0x2772),
    ),
    "peracotta/castes-HP-dc7600/NVIDIA-G100/glxinfo.txt": (
        ":0.0", "nouveau", *NV98, "18.2.2", False, (0x10DE, 0x6E6),
    ),
    "peracotta/castes-HP-dc7600/glxinfo.txt": (":0.0", "nouveau", *NV98, "18.2.2", False, (0x10DE, 0x6E6)),
    "peracotta/castes-pc/glxinfo.txt": (
        ":1", "NVIDIA Corporation", "GeForce GTX 1060 6GB/PCIe/SSE2", "4.6.0 NVIDIA 418.43", "4.6.0 NVIDIA 418.43",
        "OpenGL ES 3.2 NVIDIA 418.43", None, False, None,
    ),
    "peracotta/glxinfo+lspci/dedicated/NVIDIA6200/glxinfo.txt": (
        ":0.0", "nouveau", "NV44", None, "2.1 Mesa 19.0.2", "OpenGL ES 2.0 Mesa 19.0.2", "19.0.2", False,
        (0x10DE, 0x162),
    ),
    "peracotta/glxinfo+lspci/dedicated/glxinfo-9400GT.txt": (
        ":0.0", "nouveau", "NV96", "3.3 (Core Profile) Mesa 18.2.8", "3.1 Mesa 18.2.8", "OpenGL ES 3.0 Mesa 18.2.8",
        "18.2.8", False, (0x10DE, 0x641),
    ),
    "peracotta/glxinfo+lspci/dedicated/glxinfo-gtx-970.txt": (
        ":0", "NVIDIA Corporation", "GeForce GTX 970/PCIe/SSE2", "4.6.0 NVIDIA 390.116", "4.6.0 NVIDIA 390.116",
        "OpenGL ES 3.2 NVIDIA 390.116", None, False, None,
    ),
    "peracotta/glxinfo+lspci/integrated/on-cpu/Acer Swift 3/glxinfo.txt": (
        ":0", INTEL, "Mesa DRI Intel(R) HD Graphics 520 (Skylake GT2)", "4.5 (Core Profile) Mesa 18.2.8",
        "3.0 Mesa 18.2.8", "OpenGL ES 3.2 Mesa 18.2.8", "18.2.8", False, (0x8086, 0x1916),
    ),
    "peracotta/glxinfo+lspci/integrated/on-cpu/HP EliteBook 2540p (i5 M540)/glxinfo.txt": (
        ":0.0", INTEL, "Mesa DRI Intel(R) Ironlake Mobile", None, "2.1 Mesa 13.0.6", "OpenGL ES 2.0 Mesa 13.0.6",
        "13.0.6", False, (0x8086, 0x46),
    ),
    "peracotta/glxinfo+lspci/integrated/on-cpu/Xeon/glxinfo.txt": (
        ":0", INTEL, "Mesa DRI Intel(R) Haswell Desktop", "4.5 (Core Profile) Mesa 18.2.8", "3.0 Mesa 18.2.8",
        "OpenGL ES 3.1 Mesa 18.2.8", "18.2.8", False, (0x8086, 0x402),
    ),
    "peracotta/glxinfo+lspci/integrated/on-mobo/glxinfo-82865G.txt": (
        ":0.0", INTEL, "Mesa DRI Intel(R) 865G x86/MMX/SSE2", None, "1.3 Mesa 13.0.6", None, "13.0.6", False,
        (0x8086, 0x2572),
    ),
    "peracotta/glxinfo+lspci/integrated/on-mobo/glxinfo-8300GT.txt": (
        ":0.0", "nouveau", "NVAA", "3.3 (Core Profile) Mesa 18.2.8", "3.1 Mesa 18.2.8", "OpenGL ES 3.0 Mesa 18.2.8",
        "18.2.8", False, (0x10DE, 0x848),
    ),
    "peracotta/glxinfo+lspci/integrated/on-mobo/glxinfo-ES1000.txt": (
        ":0.0", VMW, "Gallium 0.4 on llvmpipe (LLVM 3.9, 128 bits)", "3.3 (Core Profile) Mesa 13.0.6",
        "3.0 Mesa 13.0.6", "OpenGL ES 3.0 Mesa 13.0.6", "13.0.6", True, (None, None),
    ),
    "peracotta/viabork/glxinfo.txt": (
        ":0.0", VMW, "Gallium 0.4 on llvmpipe (LLVM 4.0, 128 bits)", "3.3 (Core Profile) Mesa 17.0.7",
        "3.0 Mesa 17.0.7", "OpenGL ES 3.0 Mesa 17.0.7", "17.0.7", True, (None, None),
    ),
    "peracotta/viavai/glxinfo.txt": (
        ":0.0", VMW, "Gallium 0.4 on llvmpipe (LLVM 3.9, 128 bits)", "3.3 (Core Profile) Mesa 13.0.6",
        "3.0 Mesa 13.0.6", "OpenGL ES 3.0 Mesa 13.0.6", "13.0.6", True, (None, None),
    ),
}  # fmt: skip


def test_every_glxinfo_in_the_corpus(corpus: Path) -> None:
    files = sorted((corpus / "drm").rglob("glxinfo*.txt"))
    assert files, "the corpus has no glxinfo captures"
    empty = 0
    for f in files:
        rel = f.relative_to(corpus / "drm").as_posix()
        text = f.read_text(encoding="utf-8")
        if not text.strip():
            # peracotta keeps empty placeholders for machines it could not run glxinfo on
            with pytest.raises(InputFormatError):
                parse_glxinfo(text, rel)
            empty += 1
            continue
        assert rel in EXPECTED, f"{rel}: a capture this test has not been told about"
        name, vendor, renderer, core, compat, es, mesa, software, pci = EXPECTED[rel]
        info = parse_glxinfo(text, rel)
        (d,) = info.displays
        assert (d.api, d.platform, d.name, d.direct_rendering, d.version) == ("glx", "x11", name, True, "1.4"), rel
        assert {c.vendor for c in d.contexts} == {vendor}, rel
        assert {c.renderer for c in d.contexts} == {renderer}, rel
        assert (getattr(d.core, "version", None), getattr(d.compat, "version", None)) == (core, compat), rel
        assert getattr(d.es, "version", None) == es, rel
        assert (d.mesa_version, d.is_software, info.is_software, info.available) == (mesa, software, software, True), (
            rel
        )
        rq = d.renderer_query
        assert (None if rq is None else (rq.pci_vendor_id, rq.pci_device_id)) == pci, rel
        if rq is not None:
            assert rq.accelerated is (not software), rel
    assert len(files) - empty == len(EXPECTED)
    assert empty == 8


def test_glxinfo_renderer_block_and_shading_versions(corpus: Path) -> None:
    f = corpus / "drm/peracotta/glxinfo+lspci/integrated/on-cpu/HP EliteBook 2540p (i5 M540)/glxinfo.txt"
    d = parse_glxinfo(f.read_text(encoding="utf-8")).displays[0]
    rq = d.renderer_query
    assert rq is not None
    # "Device: Mesa DRI Intel(R) Ironlake Mobile  (0x46)": the driver's trailing space goes with the id
    assert (rq.vendor, rq.device, rq.mesa_version) == (INTEL, "Mesa DRI Intel(R) Ironlake Mobile", "13.0.6")
    assert (rq.video_memory_mb, rq.unified_memory, rq.max_core_version, rq.max_compat_version) == (
        1536,
        True,
        "0.0",
        "2.1",
    )
    assert (d.vendor, d.client_vendor) == ("SGI", "Mesa Project and SGI")
    assert d.compat is not None and d.compat.shading_language_version == "1.20"
    assert d.es is not None and d.es.shading_language_version == "OpenGL ES GLSL ES 1.0.16"
    assert d.es.version_number == "2.0" and d.compat.version_number == "2.1"


def test_glxinfo_b_of_mesa_22_under_xvfb() -> None:
    d = parse_glxinfo((DATA / "glxinfo-B-xvfb-llvmpipe.txt").read_text()).displays[0]
    assert d.name == ":77" and d.renderer == "llvmpipe (LLVM 15.0.6, 256 bits)"
    assert [c.profile for c in d.contexts] == ["core", "compat", "es"]
    assert d.core is not None and d.core.version == "4.5 (Core Profile) Mesa 22.3.6"
    assert d.renderer_query is not None and d.renderer_query.video_memory_mb == 24105
    assert d.renderer_query.accelerated is False and d.is_software


def test_glxinfo_failure_and_foreign_text() -> None:
    info = parse_glxinfo("Error: unable to open display \n")
    assert info.displays == () and not info.available
    assert info.unavailable_reason == "glxinfo: Error: unable to open display"
    with pytest.raises(InputFormatError, match="not glxinfo output"):
        parse_glxinfo("P: /devices/pci0000:00\nE: SUBSYSTEM=pci\n", "UdevDb.txt")


def test_eglinfo_of_mesa_demos_8_without_gl_strings() -> None:
    info = parse_eglinfo((DATA / "eglinfo-mesa-demos-8.5-xvfb.txt").read_text())
    assert [(d.platform, d.name, d.error) for d in info.displays] == [
        ("gbm", "gbm", "eglInitialize failed"),
        ("wayland", "wayland", "eglInitialize failed"),
        ("x11", "x11", None),
        ("surfaceless", "surfaceless", None),
        ("device", "EGL device #0", None),
    ]
    dev = info.displays[4]
    assert (dev.vendor, dev.version, dev.client_apis, dev.driver_name) == (
        "Mesa Project",
        "1.5",
        ("OpenGL", "OpenGL_ES"),
        "swrast",
    )
    assert dev.device_extensions == ("EGL_MESA_device_software", "EGL_EXT_device_drm_render_node")
    assert "EGL_KHR_surfaceless_context" in dev.extensions and "EGL_ANGLE_sync_control_rate" not in dev.extensions
    assert "EGL_ANGLE_sync_control_rate" in info.displays[2].extensions  # X11 only
    assert dev.contexts == () and dev.usable and dev.is_software
    assert info.available and info.primary is info.displays[2] and info.is_software


def test_eglinfo_b_of_mesa_demos_9_hybrid() -> None:
    info = parse_eglinfo((DATA / "eglinfo-B-mesa-demos-9-constructed.txt").read_text())
    names = [d.name for d in info.displays]
    assert names == ["gbm", "wayland", "x11", "surfaceless", "EGL device #0", "EGL device #1"]
    wl = info.displays[1]
    assert wl.core is not None and wl.core.version == "4.6 (Core Profile) Mesa 24.0.5-1ubuntu1"
    assert wl.es is not None and wl.es.shading_language_version == "OpenGL ES GLSL ES 3.20"
    assert wl.mesa_version == "24.0.5-1ubuntu1" and not wl.is_software
    soft = info.displays[5]
    assert soft.renderer == "llvmpipe (LLVM 17.0.6, 256 bits)" and soft.is_software
    assert info.primary is wl and not info.is_software
    assert [d.name for d in info.hardware_displays] == ["wayland", "surfaceless", "EGL device #0"]


def test_eglinfo_foreign_text() -> None:
    with pytest.raises(InputFormatError, match="not eglinfo output"):
        parse_eglinfo("OpenGL vendor string: Mesa\n")


def test_json_round_trip() -> None:
    for info in (
        parse_eglinfo((DATA / "eglinfo-B-mesa-demos-9-constructed.txt").read_text()),
        parse_glxinfo((DATA / "glxinfo-B-xvfb-llvmpipe.txt").read_text()),
    ):
        j = info.to_json()
        assert GlInfo.from_json(j) == info
        assert j["is_software"] == info.is_software and j["primary"] is not None
