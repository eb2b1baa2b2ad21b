"""Power and thermal readings of another machine: read there by the agent, decoded here into the probes' dataclasses.

The agent answers one ``sensors`` request with one document: the lists the Power and Thermal pages
show (power supplies, RAPL domains with their energy counters; hwmon chips, thermal zones, cooling
devices, cpufreq and cpuidle states), or why a list is missing, and the target's CLOCK_MONOTONIC time
of the read. Watts and idle residency need two readings: the client keeps the previous one and works
them out as it does for this machine. Everything from the other side is checked against the
dataclasses' types before use (a hostile agent gets a protocol error, never a crash).
"""

from __future__ import annotations

import dataclasses
import enum
import time
import types
import typing
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from hwinspector.i18n import _
from hwinspector.probes.errors import ProbeUnavailable
from hwinspector.probes.power.cpu import CpuFreq, IdleState, list_cpufreq, list_cpuidle
from hwinspector.probes.power.hwmon import HwmonChip, list_hwmon_chips
from hwinspector.probes.power.powercap import RaplDomain, list_rapl_domains
from hwinspector.probes.power.supply import PowerSupply, list_power_supplies
from hwinspector.probes.power.thermal import CoolingDevice, ThermalZone, list_cooling_devices, list_thermal_zones
from hwinspector.probes.remote.client import RemoteError, RemoteLink
from hwinspector.probes.remote.transport import printable

T = TypeVar("T")
MAX_SENSORS_BYTES = 16 * 1024 * 1024  # a machine with hundreds of CPUs: every idle state of every CPU
ANSWER_TIMEOUT_S = 20.0

# list name -> (the dataclass of its items, the reader there)
LISTS: dict[str, tuple[type[Any], Callable[[Path], list[Any]]]] = {
    "supplies": (PowerSupply, list_power_supplies),
    "rapl": (RaplDomain, list_rapl_domains),
    "chips": (HwmonChip, list_hwmon_chips),
    "zones": (ThermalZone, list_thermal_zones),
    "cooling": (CoolingDevice, list_cooling_devices),
    "cpufreq": (CpuFreq, list_cpufreq),
    "idle": (IdleState, list_cpuidle),
}


@dataclass(frozen=True, slots=True)
class SensorLists:
    """One reading there: each asked-for list, or why it is missing, at the target's monotonic time."""

    t_s: float
    lists: Mapping[str, tuple[Any, ...]]
    errors: Mapping[str, str]


# --- there: the agent's side ------------------------------------------------------------------------


def read_sensor_lists(names: Collection[str], sysfs: Path = Path("/sys")) -> dict[str, Any]:
    """The agent's answer to a ``sensors`` request (JSON-ready)."""
    from hwinspector.probes.machine.sections import jsonable

    lists: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name in names:
        entry = LISTS.get(name)
        if entry is None:
            continue
        try:
            lists[name] = jsonable(entry[1](sysfs))
        except ProbeUnavailable as exc:
            errors[name] = exc.reason
        except OSError as exc:
            errors[name] = f"{exc.strerror or exc}"
    return {"t_s": time.monotonic(), "lists": lists, "errors": errors}


# --- here: asking, and checking what came back ------------------------------------------------------


def fetch_sensor_lists(link: RemoteLink, names: Collection[str]) -> SensorLists:
    """One reading of ``names`` on the other machine; raises RemoteError (link down, no such channel, garbage)."""
    if "sensors" not in link.capabilities:
        raise RemoteError(
            "not-supported", _("live power and thermal readings need hwinspector on {host}").format(host=link.host)
        )
    ch = link.open("sensors", budget_bytes=MAX_SENSORS_BYTES, lists=sorted(names))
    doc: Any = None
    for m in ch.messages(timeout_s=ANSWER_TIMEOUT_S):
        doc = m
    if ch.closed is not None and ch.closed.problem:
        raise RemoteError(ch.closed.problem, ch.closed.message or ch.closed.problem)
    return decode_sensor_lists(doc)


def decode_sensor_lists(doc: Any) -> SensorLists:
    if not isinstance(doc, dict) or not isinstance(doc.get("t_s"), int | float):
        raise RemoteError("protocol-error", "the agent sent no sensor reading")
    lists_doc, errors_doc = doc.get("lists"), doc.get("errors")
    if not isinstance(lists_doc, dict) or not isinstance(errors_doc, dict):
        raise RemoteError("protocol-error", "the agent sent a malformed sensor reading")
    lists: dict[str, tuple[Any, ...]] = {}
    try:
        for name, items in lists_doc.items():
            cls = LISTS.get(name, (None, None))[0]
            if cls is None or not isinstance(items, list):
                raise ValueError(f"unexpected list {printable(str(name))[:40]!r}")
            lists[name] = tuple(from_json(cls, x) for x in items)
    except (ValueError, TypeError) as exc:
        raise RemoteError("protocol-error", f"the agent sent a malformed sensor reading: {exc}") from None
    errors = {str(k): printable(str(v))[:400] for k, v in errors_doc.items() if k in LISTS}
    return SensorLists(float(doc["t_s"]), lists, errors)


def from_json(tp: Any, doc: Any) -> Any:
    """``doc`` (plain JSON) as a value of type ``tp``: frozen dataclasses, ``X | None``, tuples, mappings,
    enums and plain scalars. Anything else raises ValueError."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = typing.get_args(tp)
        if doc is None and type(None) in args:
            return None
        for arg in args:
            if arg is type(None):
                continue
            try:
                return from_json(arg, doc)
            except (ValueError, TypeError):
                continue
        raise ValueError(f"{doc!r:.60} is not {tp}")
    if origin is tuple or origin is typing.Tuple:  # noqa: UP006 (typing.Tuple is what older hints give)
        args = typing.get_args(tp)
        if not isinstance(doc, list):
            raise ValueError(f"expected a list for {tp}")
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(from_json(args[0], x) for x in doc)
        if len(args) != len(doc):
            raise ValueError(f"expected {len(args)} items for {tp}")
        return tuple(from_json(a, x) for a, x in zip(args, doc, strict=True))
    if origin in (frozenset, set):
        if not isinstance(doc, list):
            raise ValueError(f"expected a list for {tp}")
        return frozenset(from_json(typing.get_args(tp)[0], x) for x in doc)
    if origin in (dict, Mapping) or origin is typing.get_origin(Mapping[str, int]):
        key_t, value_t = typing.get_args(tp)
        if not isinstance(doc, dict):
            raise ValueError(f"expected an object for {tp}")
        return {from_json(key_t, k): from_json(value_t, v) for k, v in doc.items()}
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return _dataclass(tp, doc)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return tp(doc)
    if tp is float:
        if isinstance(doc, bool) or not isinstance(doc, int | float):
            raise ValueError(f"{doc!r:.60} is not a number")
        return float(doc)
    if tp is int:
        if isinstance(doc, bool) or not isinstance(doc, int):
            raise ValueError(f"{doc!r:.60} is not an integer")
        return doc
    if tp is bool:
        if not isinstance(doc, bool):
            raise ValueError(f"{doc!r:.60} is not true or false")
        return doc
    if tp is str:
        if not isinstance(doc, str):
            raise ValueError(f"{doc!r:.60} is not text")
        return printable(doc)
    raise ValueError(f"cannot read a {tp} from the other machine")


def _dataclass(cls: type[T], doc: Any) -> T:
    if not isinstance(doc, dict):
        raise ValueError(f"expected an object for {cls.__name__}")
    hints = typing.get_type_hints(cls)
    values: dict[str, Any] = {}
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        if f.name in doc:
            values[f.name] = from_json(hints[f.name], doc[f.name])
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            raise ValueError(f"{cls.__name__} without {f.name}")
    return cls(**values)
