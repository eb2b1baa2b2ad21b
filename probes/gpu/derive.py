"""Rates from two reads of a GPU: power from energy counters, RC6/gtidle residency as a share of time."""

from __future__ import annotations

from dataclasses import replace

from hwinspector.probes.gpu.model import Gpu, Reading, merge

# Below this, counters with 1 ms (RC6) or ~1 ms (energy) updates give noise, not a rate.
MIN_INTERVAL_S = 0.02


def derive(before: Gpu | None, after: Gpu, dt_s: float) -> Gpu:
    """``after`` with rates added: ``power_w.<dom>`` from ``energy_j.<dom>`` and ``residency_percent.<x>``
    from ``residency_ms.<x>``, by the same 0-100 % rule as the Telemetry residencies (share_of_time)."""
    if before is None or dt_s < MIN_INTERVAL_S or after.asleep or before.asleep:
        return after
    prev = {r.key: r.value for r in before.readings}
    added: list[Reading] = []
    for r in after.readings:
        quantity, _, dom = r.key.partition(".")
        old = prev.get(r.key)
        if old is None or r.value < old:
            continue  # new, or the counter wrapped / the driver reloaded
        if quantity == "energy_j":
            key = "power_w.average" if dom == "total" and after.value("power_w.average") is None else f"power_w.{dom}"
            added.append(Reading(key, (r.value - old) / dt_s, f"Δ{r.source}"))
        elif quantity == "residency_ms":
            # imported here: the telemetry session brings numpy, which a one-look reader never needs
            from hwinspector.probes.telemetry.session import share_of_time

            share = float(share_of_time((r.value - old) / 1000.0, dt_s, 1.0)) * 100.0
            added.append(Reading(f"residency_percent.{dom}", share, f"Δ{r.source}"))
    readings, absent = merge((*after.readings, *added), after.absent)
    return replace(after, readings=readings, absent=absent)
