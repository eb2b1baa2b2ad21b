"""auto: the tracker from the failing checks and chains, with the reason said."""

from __future__ import annotations

from typing import Any

from hwinspector.probes.checks.base import Status, Verdict
from hwinspector.report.bugreport.facts import Facts, Gpu
from hwinspector.report.bugreport.trackers import pick_tracker

MESA_HINT = "OpenGL falls back to the CPU although a GPU driver is bound: check that Mesa has a driver"


def _sections(driver: str, problems: list[dict[str, Any]] | None = None, fwupd: dict[str, Any] | None = None):  # type: ignore[no-untyped-def]
    gpu = {"devpath": "/devices/pci0000:00/0000:00:02.0", "driver": driver, "problems": problems or []}
    return {
        "graphics": {"available": True, "data": {"gpus": [gpu], "default_gpu": gpu["devpath"]}},
        "services": {"available": True, "data": {"fwupd": fwupd or {}}},
    }


def _facts(driver: str, **kw: Any) -> Facts:
    return Facts(gpus=(Gpu("GPU", "8086:46a6", None, "0000:00:02.0", driver),), **kw)


def _fail(check: str, summary: str, hint: str = "") -> Verdict:
    return Verdict(check, check.title(), Status.FAIL, summary, (), hint)


def test_a_display_problem_goes_to_the_driver_of_its_gpu() -> None:
    for driver, tracker in (("amdgpu", "drm-amd"), ("i915", "drm-i915"), ("xe", "drm-xe")):
        display = _fail("display", "a connected monitor has no mode")
        tid, why = pick_tracker(_facts(driver), [display], _sections(driver))
        assert tid == tracker
        assert driver in why and "a connected monitor has no mode" in why


def test_a_gpu_crash_dump_goes_to_its_driver_even_without_a_failing_check() -> None:
    tid, why = pick_tracker(_facts("xe", gpu_dumps=("raw/drm/devcd1-devcoredump.txt",)), [], _sections("xe"))
    assert tid == "drm-xe" and "devcd1-devcoredump" in why


def test_software_rendering_with_a_bound_driver_is_a_mesa_problem() -> None:
    v = _fail("graphics", "not accelerated", MESA_HINT)
    tid, why = pick_tracker(_facts("i915"), [v], _sections("i915"))
    assert tid == "mesa" and "userspace" in why


def test_a_failed_firmware_update_goes_to_fwupd() -> None:
    fw = {"devices": [{"name": "System Firmware", "update_state": "failed", "update_error": "failed to run update"}]}
    display = _fail("display", "no mode")
    tid, why = pick_tracker(_facts("amdgpu"), [display], _sections("amdgpu", fwupd=fw))
    assert tid == "fwupd" and "System Firmware: failed to run update" in why


def test_an_ubuntu_machines_package_problem_goes_to_launchpad() -> None:
    v = _fail("drivers", "2 devices without a driver")
    facts = _facts("nouveau", distro="Ubuntu 24.04.1 LTS", kernel_kind="distribution")
    tid, why = pick_tracker(facts, [v], _sections("nouveau"))
    assert tid == "launchpad" and "Ubuntu 24.04.1 LTS" in why


def test_otherwise_the_kernel_with_the_reason() -> None:
    v = _fail("suspend", "the last suspend failed")
    tid, why = pick_tracker(_facts("nouveau", distro="Fedora Linux 40"), [v], _sections("nouveau"))
    assert tid == "kernel" and "the last suspend failed" in why
    tid, why = pick_tracker(_facts("nouveau"), [], _sections("nouveau"))
    assert tid == "kernel" and "no check failed" in why
