"""The Power and Thermal pages' sources for a machine behind File → Connect to machine…: one request over
the ssh link per reading, on the page's poller thread, at the same cadence as for this machine."""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Any

from hwinspector.collectors.sensors import PowerReading, RaplReading, ThermalSource
from hwinspector.probes.power.powercap import RaplDomain, power_watts
from hwinspector.probes.remote.client import RemoteError, RemoteLink
from hwinspector.probes.remote.sensors import SensorLists, fetch_sensor_lists

Fetch = Callable[[Collection[str]], SensorLists]


def link_fetch(link: RemoteLink) -> Fetch:
    return lambda names: fetch_sensor_lists(link, names)


class RemotePowerSource:
    """Power supplies and RAPL there; watts from two energy readings, as RaplMeter does here."""

    def __init__(self, fetch: Fetch, host: str) -> None:
        self._fetch = fetch
        self._host = host
        self._last: dict[str, tuple[float, int]] = {}  # domain id -> (their monotonic s, energy µJ)

    def open(self) -> None:
        self._last = {}

    def close(self) -> None:
        self._last = {}

    def read(self) -> PowerReading:
        try:
            got = self._fetch(("supplies", "rapl"))
        except RemoteError as exc:
            why = f"{self._host}: {exc.message}"
            return PowerReading(0.0, supplies_error=why, rapl_error=why)
        rapl = tuple(self._rapl(got.t_s, d) for d in got.lists.get("rapl", ()))
        return PowerReading(
            got.t_s,
            tuple(got.lists.get("supplies", ())),
            got.errors.get("supplies"),
            rapl,
            got.errors.get("rapl"),
        )

    def _rapl(self, t_s: float, d: RaplDomain) -> RaplReading:
        if d.energy_uj is None:
            return RaplReading(d, None, d.reason or "not readable")
        previous = self._last.get(d.id)
        self._last[d.id] = (t_s, d.energy_uj)
        if previous is None:
            return RaplReading(d, None, "first sample: power needs two readings")
        watts = power_watts(previous[1], d.energy_uj, t_s - previous[0], d.max_energy_range_uj)
        return RaplReading(d, watts, None if watts is not None else "counter reset or no time elapsed")


class RemoteThermalSource(ThermalSource):
    """hwmon, thermal zones and CPU states there; idle residency over the target's own clock."""

    def __init__(self, fetch: Fetch, host: str) -> None:
        self._t_s = 0.0
        super().__init__(clock=lambda: self._t_s)
        self._fetch = fetch
        self._host = host

    def read_lists(self, names: frozenset[str]) -> dict[str, tuple[list[Any], str | None]]:
        try:
            got = self._fetch(names)
        except RemoteError as exc:
            return {name: ([], f"{self._host}: {exc.message}") for name in names}
        self._t_s = got.t_s
        return {name: (list(got.lists.get(name, ())), got.errors.get(name)) for name in names}
