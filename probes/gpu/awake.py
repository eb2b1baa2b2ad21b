"""What keeps a discrete GPU awake: its runtime PM state and the processes holding its DRM nodes open."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hwinspector.i18n import _
from hwinspector.probes.gpu.cards import GpuDevice, list_gpu_devices
from hwinspector.probes.gpu.fdinfo import drm_holders
from hwinspector.probes.gpu.runtime import read_runtime_pm
from hwinspector.probes.sysfs_attr import optional_text


@dataclass(frozen=True, slots=True)
class AwakeGpu:
    pci_address: str
    driver: str | None
    status: str | None
    control: str | None
    holders: tuple[tuple[int, str, str], ...]  # (pid, command, node)
    finding: str | None  # one line for the idle verdict, None when the GPU sleeps as it should


def is_discrete(dev: GpuDevice) -> bool:
    """A GPU that can power off on its own: not the boot display (boot_vga 0), with runtime PM. Captures
    without boot_vga count as discrete when runtime PM is there to say so."""
    boot = optional_text(dev.device_dir / "boot_vga")
    has_rpm = optional_text(dev.device_dir / "power" / "runtime_status") is not None
    return has_rpm and boot != "1"


def read_awake_gpus(sysfs: Path = Path("/sys"), procfs: Path = Path("/proc")) -> list[AwakeGpu]:
    """Each discrete GPU with who holds it: from fd links only (no fdinfo, no driver attribute is read)."""
    holders = drm_holders(procfs)
    out = []
    for dev in list_gpu_devices(sysfs):
        if not is_discrete(dev):
            continue
        rt = read_runtime_pm(dev.device_dir)
        nodes = {n for n in (dev.card, dev.render_node) if n}
        held = tuple(sorted({(pid, cmd, node) for pid, cmd, _fd, node in holders if node in nodes}))
        finding = None
        if not rt.asleep:
            who = ", ".join(
                _("{command} (pid {pid}) holding {node}").format(command=c, pid=p, node=n) for p, c, n in held[:3]
            )
            if rt.control == "on":
                finding = _("dGPU {gpu} never sleeps: runtime PM is off (power/control is 'on')").format(
                    gpu=dev.pci_address
                )
            elif held:
                finding = _("dGPU {gpu} kept awake by {who}").format(gpu=dev.pci_address, who=who)
            else:
                finding = _("dGPU {gpu} is awake ({status}) with no process holding it open").format(
                    gpu=dev.pci_address, status=rt.status
                )
        out.append(AwakeGpu(dev.pci_address, dev.driver, rt.status, rt.control, held, finding))
    return out
