"""The live GL probe under Xvfb and Mesa llvmpipe, against glxinfo, eglinfo and es2_info; child isolation."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from hwinspector.probes.graphics.gl.probe import GlDisplay, GlInfo, read_gl_info
from hwinspector.probes.isolated import run_child

GLXINFO = shutil.which("glxinfo")
EGLINFO = shutil.which("eglinfo")
ES2_INFO = shutil.which("es2_info")


def _base_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["LC_ALL"] = "C"
    return env


@pytest.fixture(scope="module")
def xvfb() -> Iterator[dict[str, str]]:
    """An Xvfb on a free display number; yields the environment that points at it."""
    xvfb_bin = shutil.which("Xvfb")
    if xvfb_bin is None:
        pytest.skip("Xvfb is not installed (Debian: xvfb)")
    for n in range(90, 140):
        if Path(f"/tmp/.X11-unix/X{n}").exists() or Path(f"/tmp/.X{n}-lock").exists():
            continue
        # -noreset: by default the server resets when its last client leaves and refuses connections
        # meanwhile; every probe and oracle here is such a last client.
        proc = subprocess.Popen(
            [xvfb_bin, f":{n}", "-screen", "0", "1280x800x24", "-nolisten", "tcp", "-noreset"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and proc.poll() is None:
            if Path(f"/tmp/.X11-unix/X{n}").exists():
                try:
                    yield {**_base_env(), "DISPLAY": f":{n}"}
                finally:
                    proc.terminate()
                    proc.wait(10)
                return
            time.sleep(0.05)
        proc.kill()
        proc.wait(10)  # lost a race for :n, or Xvfb failed; try the next number
    pytest.skip("Xvfb did not start on any display :90-:139")


@pytest.fixture(scope="module")
def live(xvfb: dict[str, str]) -> GlInfo:
    return read_gl_info(timeout_s=30, env=xvfb)


def _tool(argv: list[str], env: dict[str, str]) -> str:
    if shutil.which(argv[0]) is None:
        pytest.skip(f"{argv[0]} is not installed (Debian: mesa-utils, mesa-utils-bin)")
    # eglinfo's exit status counts the platforms that failed (GBM and Wayland do here); not an error.
    proc = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=60)
    assert proc.stdout, f"{argv[0]} printed nothing: {proc.stderr[-500:]}"
    return proc.stdout


def _keyed(text: str) -> dict[str, str]:
    """Top-level "key: value" lines of a tool's output, read the plainest way."""
    out: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition(": ")
        if sep and not line.startswith((" ", "\t")):
            out.setdefault(key, value.strip())
    return out


def _one(info: GlInfo, api: str, platform: str) -> GlDisplay:
    found = [d for d in info.displays if d.api == api and d.platform == platform]
    assert len(found) == 1, [(d.api, d.platform, d.name) for d in info.displays]
    return found[0]


def _named(info: GlInfo, name: str) -> GlDisplay:
    found = [d for d in info.displays if d.name == name]
    assert len(found) == 1, [d.name for d in info.displays]
    return found[0]


def _software_device(info: GlInfo) -> GlDisplay:
    """Mesa's swrast EGL device, which Mesa lists on every machine."""
    found = [d for d in info.displays if "EGL_MESA_device_software" in d.device_extensions]
    assert len(found) == 1, [(d.name, d.device_extensions) for d in info.displays]
    return found[0]


def test_glx_equals_glxinfo(xvfb: dict[str, str], live: GlInfo) -> None:
    brief = _keyed(_tool(["glxinfo", "-B"], xvfb))
    full = _keyed(_tool(["glxinfo"], xvfb))
    glx = _one(live, "glx", "x11")
    assert glx.error is None
    assert glx.name == brief["name of display"] == xvfb["DISPLAY"]
    assert glx.direct_rendering is (brief["direct rendering"] == "Yes")
    assert (glx.version, glx.vendor, glx.client_vendor) == (
        full["GLX version"],
        full["server glx vendor string"],
        full["client glx vendor string"],
    )
    assert glx.core is not None and glx.compat is not None and glx.es is not None
    for ctx in glx.contexts:
        assert (ctx.vendor, ctx.renderer) == (brief["OpenGL vendor string"], brief["OpenGL renderer string"])
    assert glx.core.version == brief["OpenGL core profile version string"]
    assert glx.core.shading_language_version == brief["OpenGL core profile shading language version string"]
    assert glx.compat.version == brief["OpenGL version string"]
    assert glx.compat.shading_language_version == brief["OpenGL shading language version string"]
    assert glx.es.version == brief["OpenGL ES profile version string"]
    assert glx.es.shading_language_version == brief["OpenGL ES profile shading language version string"]
    m = re.search(r"Mesa (\S+)", brief["OpenGL version string"])
    assert m is not None and glx.mesa_version == m.group(1)


def test_glx_renderer_query_equals_glxinfo(xvfb: dict[str, str], live: GlInfo) -> None:
    text = _tool(["glxinfo", "-B"], xvfb)
    block = {k.strip(): v for k, _, v in (ln.partition(": ") for ln in text.splitlines() if ln.startswith("    "))}
    rq = _one(live, "glx", "x11").renderer_query
    assert rq is not None
    assert f"{rq.vendor} (0xffffffff)" == block["Vendor"]  # llvmpipe has no PCI id
    assert f"{rq.device} (0xffffffff)" == block["Device"]
    assert rq.mesa_version == block["Version"]
    assert ("yes" if rq.accelerated else "no") == block["Accelerated"] == "no"
    assert f"{rq.video_memory_mb}MB" == block["Video memory"]
    assert ("yes" if rq.unified_memory else "no") == block["Unified memory"]
    assert (rq.max_core_version, rq.max_compat_version) == (
        block["Max core profile version"],
        block["Max compat profile version"],
    )


def _eglinfo_section(text: str, header: str) -> tuple[dict[str, str], set[str]]:
    """eglinfo's lines from ``header`` to its configuration table: the facts and the extension list."""
    lines = text.splitlines()
    start = lines.index(header)
    facts: dict[str, str] = {}
    exts: set[str] = set()
    in_exts = False
    for line in lines[start + 1 :]:
        if line.startswith("Configurations:") or not line.strip():
            break
        if line.startswith("    "):
            if in_exts:
                exts.update(line.split())
            continue
        in_exts = line == "EGL extensions string:"
        key, _, value = line.partition(": ")
        facts[key] = value.strip()
    return facts, exts


def test_egl_equals_eglinfo(xvfb: dict[str, str], live: GlInfo) -> None:
    text = _tool(["eglinfo"], xvfb)
    # mesa-demos 8.x heads a device's display "Platform Device:", 9.x "Platform Device platform:"
    device_header = "Platform Device:" if "Platform Device:" in text.splitlines() else "Platform Device platform:"
    for header, display in (
        ("X11 platform:", _one(live, "egl", "x11")),
        (device_header, _named(live, "EGL device #0")),
    ):
        facts, exts = _eglinfo_section(text, header)
        assert display.error is None, display.error
        assert display.vendor == facts["EGL vendor string"]
        assert display.version == facts["EGL version string"]
        assert " ".join(display.client_apis) == facts["EGL client APIs"].strip()
        assert display.driver_name == facts["EGL driver name"]
        assert set(display.extensions) == exts
        # mesa-demos 9.x also prints each context's strings
        for profile, ctx in (("core", display.core), ("compatibility", display.compat), ("ES", display.es)):
            if f"OpenGL {profile} profile renderer" in facts:
                assert ctx is not None
                assert ctx.renderer == facts[f"OpenGL {profile} profile renderer"]
                assert ctx.version == facts[f"OpenGL {profile} profile version"]
    dev_block = text.split("Device #0:", 1)[1].split("Platform Device", 1)[0]
    assert set(_named(live, "EGL device #0").device_extensions) == set(dev_block.split()[4:])


def test_egl_gl_strings_equal_glxinfo_and_es2_info(xvfb: dict[str, str], live: GlInfo) -> None:
    # eglinfo of mesa-demos 8.x prints no GL strings: the same Mesa driver answers glxinfo, and
    # es2_info makes an OpenGL ES context through EGL on X11.
    brief = _keyed(_tool(["glxinfo", "-B"], xvfb))
    es2 = _keyed(_tool(["es2_info"], xvfb))
    # Xvfb's GLX is llvmpipe whatever GPU the machine has: compare with Mesa's software EGL device.
    for egl in (_one(live, "egl", "x11"), _software_device(live)):
        assert egl.core is not None and egl.compat is not None and egl.es is not None
        assert egl.core.version == brief["OpenGL core profile version string"]
        assert egl.compat.version == brief["OpenGL version string"]
        assert egl.renderer == brief["OpenGL renderer string"]
        assert (egl.es.vendor, egl.es.renderer, egl.es.version, egl.es.shading_language_version) == (
            es2["GL_VENDOR"],
            es2["GL_RENDERER"],
            es2["GL_VERSION"],
            es2["GL_SHADING_LANGUAGE_VERSION"],
        )


def test_software_rendering_is_flagged(live: GlInfo) -> None:
    assert live.available and live.unavailable_reason is None and live.error is None
    primary = live.primary
    assert primary is not None and (primary.api, primary.platform) == ("glx", "x11")
    assert live.is_software and primary.is_software and _one(live, "egl", "x11").is_software
    assert _software_device(live).is_software
    # Without a GPU (CI), nothing is hardware; with one, its EGL device is the only exception.
    assert all(d.platform == "device" for d in live.hardware_displays)
    j = live.to_json()
    assert j["is_software"] is True and GlInfo.from_json(j) == live


def test_without_a_display_egl_devices_still_answer() -> None:
    info = read_gl_info(timeout_s=30, env=_base_env())
    assert info.problems == ("GLX: DISPLAY is not set (no X server to ask)",)
    assert {d.platform for d in info.displays} == {"device"} and info.available
    assert _software_device(info).is_software
    # Without a session the first hardware device is what applications get; with none, llvmpipe.
    assert info.is_software == (not info.hardware_displays)


def test_unloadable_egl_and_no_display_give_a_reason() -> None:
    # glvnd with no vendor library: no client extensions, and the default display is refused; eglinfo
    # says "Default display: eglInitialize failed" in the same environment.
    env = {**_base_env(), "__EGL_VENDOR_LIBRARY_FILENAMES": "/nonexistent.json"}
    if EGLINFO:
        out = subprocess.run([EGLINFO], env=env, capture_output=True, text=True, timeout=60).stdout
        assert "Default display:\neglinfo: eglInitialize failed" in out
    info = read_gl_info(timeout_s=30, env=env)
    assert not info.available and info.error is None and not info.is_software
    assert [(d.api, d.platform, d.contexts) for d in info.displays] == [("egl", "default", ())]
    assert info.unavailable_reason == (
        "GLX: DISPLAY is not set (no X server to ask); EGL default display: no EGL display: EGL_BAD_PARAMETER"
    )


def test_timeout_is_a_reason_not_an_exception() -> None:
    info = read_gl_info(timeout_s=0.001, env=_base_env())
    assert info.displays == () and not info.available
    assert info.error is not None and info.error.startswith("timed out after 0.001 s")
    assert info.unavailable_reason == info.error


def test_a_crashing_child_keeps_what_it_reported(tmp_path: Path) -> None:
    (tmp_path / "crashing_probe.py").write_text(
        "import ctypes, sys\n"
        'sys.stdout.write(\'{"kind": "display", "api": "egl"}\\n\'); sys.stdout.flush()\n'
        'sys.stderr.write("driver: about to dereference NULL\\n"); sys.stderr.flush()\n'
        "ctypes.string_at(0)\n"
    )
    result = run_child("crashing_probe", 30, {**_base_env(), "PYTHONPATH": str(tmp_path)})
    assert result.records == ({"kind": "display", "api": "egl"},)
    assert result.failure == "the probe crashed (SIGSEGV): driver: about to dereference NULL"


def test_a_hanging_child_and_its_helpers_are_killed(tmp_path: Path) -> None:
    (tmp_path / "hanging_probe.py").write_text(
        "import subprocess, sys, time\n"
        'helper = subprocess.Popen(["sleep", "60"])\n'
        'sys.stdout.write(\'{"kind": "helper", "pid": %d}\\n\' % helper.pid); sys.stdout.flush()\n'
        "time.sleep(60)\n"
    )
    t0 = time.monotonic()
    result = run_child("hanging_probe", 1.0, {**_base_env(), "PYTHONPATH": str(tmp_path)})
    assert time.monotonic() - t0 < 10
    assert result.failure is not None and result.failure.startswith("timed out after 1 s")
    (rec,) = result.records
    pid = int(rec["pid"])
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and _alive(pid):
        time.sleep(0.05)
    assert not _alive(pid), "the driver's helper outlived the timeout"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (already killed, not yet reaped by init) counts as dead.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0] != "Z"
    except (OSError, IndexError):
        return False


def test_a_child_that_exits_early_says_so(tmp_path: Path) -> None:
    (tmp_path / "failing_probe.py").write_text("import sys\nsys.exit('libEGL is broken')\n")
    result = run_child("failing_probe", 30, {**_base_env(), "PYTHONPATH": str(tmp_path)})
    assert result.records == ()
    assert result.failure == "the probe exited with status 1: libEGL is broken"


def test_signal_names_in_reasons(tmp_path: Path) -> None:
    (tmp_path / "aborting_probe.py").write_text("import os, signal\nos.kill(os.getpid(), signal.SIGABRT)\n")
    result = run_child("aborting_probe", 30, {**_base_env(), "PYTHONPATH": str(tmp_path)})
    assert result.failure == f"the probe crashed ({signal.SIGABRT.name})"


def test_driver_output_on_stdout_cannot_split_a_record(tmp_path: Path) -> None:
    # Drivers print debug text to stdout, without a newline at times; the child's records must not
    # end up on the same line as that text.
    (tmp_path / "noisy_probe.py").write_text(
        "import os\n"
        "from hwinspector.probes.isolated import child_main\n"
        "def probe(emit):\n"
        "    os.write(1, b'libfoo: debug text without a newline')\n"
        "    emit({'kind': 'display', 'api': 'egl'})\n"
        "child_main(probe)\n"
    )
    result = run_child("noisy_probe", 30, {**_base_env(), "PYTHONPATH": str(tmp_path)})
    assert (result.failure, result.records) == (None, ({"kind": "display", "api": "egl"},))
