"""switcheroo-control over the system bus: the GPUs, which one is the default, how to launch on each."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from hwinspector.probes.services.core import BusCallError, SystemBus, unavailable_reason

SWITCHEROO = "net.hadess.SwitcherooControl"
SWITCHEROO_PATH = "/net/hadess/SwitcherooControl"


@dataclass(frozen=True, slots=True)
class SwitcherooGpu:
    name: str  # "NVIDIA Corporation TU117M [GeForce GTX 1650 Mobile / Max-Q]"
    default: bool  # what applications get without asking
    discrete: bool | None  # switcheroo-control 2.6+; None from older daemons
    environment: tuple[tuple[str, str], ...]  # what a launcher sets to run a program on this GPU

    @property
    def environment_text(self) -> str:
        return " ".join(f"{k}={v}" for k, v in self.environment)


@dataclass(frozen=True, slots=True)
class SwitcherooInfo:
    available: bool
    reason: str
    has_dual_gpu: bool | None = None
    gpus: tuple[SwitcherooGpu, ...] = ()

    @classmethod
    def unavailable(cls, reason: str) -> SwitcherooInfo:
        return cls(available=False, reason=reason)

    @property
    def default_gpu(self) -> SwitcherooGpu | None:
        return next((g for g in self.gpus if g.default), None)


def _pairs(flat: Any) -> tuple[tuple[str, str], ...]:
    """Environment is a flat string array: key, value, key, value (switcheroo-control's GPUs property)."""
    items = [str(x) for x in flat] if isinstance(flat, list) else []
    return tuple(zip(items[0::2], items[1::2], strict=False))


def decode_switcheroo(props: Mapping[str, Any]) -> SwitcherooInfo:
    gpus = tuple(
        SwitcherooGpu(
            name=str(g.get("Name", "")),
            default=bool(g.get("Default", False)),
            discrete=g["Discrete"] if isinstance(g.get("Discrete"), bool) else None,
            environment=_pairs(g.get("Environment")),
        )
        for g in props.get("GPUs", [])
        if isinstance(g, dict)
    )
    dual = props.get("HasDualGpu")
    return SwitcherooInfo(True, "", dual if isinstance(dual, bool) else None, gpus)


async def fetch_switcheroo(bus: SystemBus) -> dict[str, Any]:
    return await bus.get_all(SWITCHEROO, SWITCHEROO_PATH, SWITCHEROO)


async def read_switcheroo(bus: SystemBus) -> SwitcherooInfo:
    try:
        return decode_switcheroo(await fetch_switcheroo(bus))
    except BusCallError as err:
        return SwitcherooInfo.unavailable(unavailable_reason("switcheroo-control", err))
