"""The libdrm binding: struct layouts against the C compiler, graceful failure on nodes that are not KMS."""

from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from hwinspector.probes.graphics.kms import (
    STRUCTS,
    DrmModeModeInfo,
    get_resources,
    load_libdrm,
    mode_from_struct,
    read_kms,
)

needs_libdrm = pytest.mark.skipif(load_libdrm() is None, reason="libdrm.so.2 is not installed (Debian: libdrm2)")


def _c_layout(tmp_path: Path) -> dict[str, int]:
    """sizeof and offsetof of every field we declare, as gcc computes them from xf86drmMode.h."""
    lines = ["#include <stdio.h>", "#include <stddef.h>", "#include <xf86drmMode.h>", "int main(void) {"]
    for cname, struct in STRUCTS.items():
        lines.append(f'printf("{cname} %zu\\n", sizeof({cname}));')
        for fname, *_ in struct._fields_:
            lines.append(f'printf("{cname}.{fname} %zu\\n", offsetof({cname}, {fname}));')
    lines += ["return 0;", "}"]
    src = tmp_path / "layout.c"
    src.write_text("\n".join(lines))
    flags: list[str] = ["-I/usr/include/libdrm"]
    if shutil.which("pkg-config"):
        pc = subprocess.run(["pkg-config", "--cflags", "libdrm"], capture_output=True, text=True, check=False)
        if pc.returncode == 0:
            flags = pc.stdout.split()
    exe = tmp_path / "layout"
    cc = subprocess.run(["gcc", *flags, str(src), "-o", str(exe)], capture_output=True, text=True, check=False)
    if cc.returncode != 0 and "xf86drmMode.h" in cc.stderr and "No such file" in cc.stderr:
        pytest.skip("libdrm headers absent (Debian: libdrm-dev); they are the oracle for the struct layouts")
    assert cc.returncode == 0, cc.stderr
    out = subprocess.run([str(exe)], capture_output=True, text=True, check=True).stdout
    return {k: int(v) for k, v in (line.split() for line in out.splitlines())}


@pytest.mark.skipif(shutil.which("gcc") is None, reason="needs gcc to compute the C layout")
def test_struct_layouts_match_the_c_compiler(tmp_path: Path) -> None:
    c = _c_layout(tmp_path)
    for cname, struct in STRUCTS.items():
        assert ctypes.sizeof(struct) == c[cname], cname
        for fname, *_ in struct._fields_:
            assert getattr(struct, fname).offset == c[f"{cname}.{fname}"], f"{cname}.{fname}"


def test_mode_info_is_the_kernel_uapi_size() -> None:
    # struct drm_mode_modeinfo is fixed ABI: 4 + 10*2 + 3*4 + 32 bytes.
    assert ctypes.sizeof(DrmModeModeInfo) == 68


def _mode(clock: int, h: tuple[int, int], v: tuple[int, int], flags: int = 0, name: bytes = b"") -> DrmModeModeInfo:
    m = DrmModeModeInfo()
    m.clock, (m.hdisplay, m.htotal), (m.vdisplay, m.vtotal), m.flags, m.name = clock, h, v, flags, name
    m.vrefresh = 60
    return m


def test_refresh_rate_from_the_timing() -> None:
    # CTA-861 VIC 16 (1080p60: 148.5 MHz, 2200x1125 total) and VIC 5 (1080i60: 74.25 MHz, fields twice per frame),
    # and the 59.94 Hz variant of VIC 16 (148.5/1.001 MHz): the integer vrefresh field would say 60 for all.
    p = mode_from_struct(_mode(148500, (1920, 2200), (1080, 1125), name=b"1920x1080"))
    assert (p.width, p.height, p.refresh_hz, p.interlaced, p.name) == (1920, 1080, 60.0, False, "1920x1080")
    i = mode_from_struct(_mode(74250, (1920, 2200), (1080, 1125), flags=1 << 4))
    assert (i.refresh_hz, i.interlaced) == (60.0, True)
    assert str(i) == "1920x1080i @ 60.00 Hz"
    ntsc = mode_from_struct(_mode(148352, (1920, 2200), (1080, 1125)))
    assert ntsc.refresh_hz == pytest.approx(59.94, abs=0.001)


@needs_libdrm
def test_get_resources_on_a_non_drm_fd_is_none() -> None:
    lib = load_libdrm()
    assert lib is not None
    fd = os.open("/dev/null", os.O_RDWR)
    try:
        assert get_resources(lib, fd) is None
    finally:
        os.close(fd)


@needs_libdrm
def test_read_kms_on_a_regular_file_says_not_kms(tmp_path: Path) -> None:
    node = tmp_path / "card0"
    node.write_bytes(b"")
    reading = read_kms(node)
    assert reading.connectors == {}
    assert reading.error == f"{node} is not a KMS device: ENOTTY"


def test_read_kms_without_the_node_says_no_access() -> None:
    node = Path("/dev/dri/card0")
    if node.exists():
        pytest.skip("this machine has /dev/dri/card0; the test is for machines without DRM")
    reading = read_kms(node)
    if load_libdrm() is None:
        assert reading.error == "libdrm.so.2 is not installed"
    else:
        assert reading.error == "no access to /dev/dri/card0: ENOENT"
