"""hwinspector_* metrics: scorecard verdicts, telemetry channels, idle results, and each source's state.

Enumerations are one series per value (``hwinspector_check_status{check,status}`` is 1 for the current
status and 0 for the others), so an alert is ``hwinspector_check_status{status="fail"} == 1``. What cannot
be read is never a 0 reading: it is ``hwinspector_channel_readable{channel,reason} 0`` and no value.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from hwinspector.probes.checks.base import SEVERITY, Status, Verdict, worst
from hwinspector.probes.export.cache import Status as SourceStatus
from hwinspector.probes.telemetry.channels import Catalogue, ChannelReading

STATUSES = tuple(s.value for s in sorted(Status, key=SEVERITY.__getitem__))
# Bounded label sets: a busy machine has thousands of processes and hundreds of interrupt lines.
IDLE_TOP = 10


def scorecard_families(verdicts: Sequence[Verdict]) -> list[Metric]:
    status = GaugeMetricFamily(
        "hwinspector_check_status",
        "Enablement scorecard: 1 for the check's current status, 0 for the others",
        labels=["check", "status"],
    )
    titles = GaugeMetricFamily("hwinspector_check_info", "What each scorecard check judges", labels=["check", "title"])
    counts = dict.fromkeys(STATUSES, 0)
    for v in verdicts:
        titles.add_metric([v.check, v.title], 1)
        counts[v.status.value] += 1
        for s in STATUSES:
            status.add_metric([v.check, s], float(v.status.value == s))
    total = GaugeMetricFamily("hwinspector_checks", "Scorecard checks per status", labels=["status"])
    for s, n in counts.items():
        total.add_metric([s], n)
    overall = worst(v.status for v in verdicts).value
    result = GaugeMetricFamily(
        "hwinspector_scorecard_result",
        "Overall scorecard result (fail when any check fails): 1 for the current one",
        labels=["status"],
    )
    for s in STATUSES:
        result.add_metric([s], float(s == overall))
    return [status, titles, total, result]


def channel_families(catalogue: Catalogue, readings: Sequence[ChannelReading]) -> list[Metric]:
    by_id = {r.id: r for r in readings}
    readable = GaugeMetricFamily(
        "hwinspector_channel_readable",
        "1 when the telemetry channel gave a value, else 0 with the reason (never a made-up 0 reading)",
        labels=["channel", "reason"],
    )
    gauges = GaugeMetricFamily(
        "hwinspector_channel_value", "Latest reading of a gauge channel, in its unit", labels=["channel", "unit"]
    )
    totals = CounterMetricFamily(
        "hwinspector_channel",
        "Running total of a counter channel; its rate is in rate_unit (RAPL: joules, rate in watts)",
        labels=["channel", "rate_unit"],
    )
    for ch in catalogue.channels:
        reading = by_id.get(ch.id)
        value = reading.value if reading is not None else None
        if value is None or not math.isfinite(value):
            reason = (reading.reason if reading is not None else None) or ch.reason or "not read"
            readable.add_metric([ch.id, reason], 0)
            continue
        readable.add_metric([ch.id, ""], 1)
        if ch.kind == "counter":
            totals.add_metric([ch.id, ch.unit], value)
        else:
            gauges.add_metric([ch.id, ch.unit], value)
    providers = GaugeMetricFamily(
        "hwinspector_channel_provider_available",
        "0 with the reason for each source of telemetry channels that has none on this machine",
        labels=["provider", "reason"],
    )
    for name, why in sorted(catalogue.unavailable.items()):
        providers.add_metric([name, why], 0)
    return [readable, gauges, totals, providers]


def idle_families(doc: Mapping[str, Any]) -> list[Metric]:
    """From the document ``hwinspector idle --json`` writes: the top processes and interrupts, our own cost."""
    out: list[Metric] = []
    window = _number(doc.get("duration_s", doc.get("duration")))
    if window is not None:
        fam = GaugeMetricFamily("hwinspector_idle_window_seconds", "Length of the idle measurement window")
        fam.add_metric([], window)
        out.append(fam)
    procs = [p for p in _records(doc.get("processes")) if _number(p.get("wakeups_per_s")) is not None]
    procs.sort(key=lambda p: -(_number(p.get("wakeups_per_s")) or 0.0))
    wake = GaugeMetricFamily(
        "hwinspector_idle_process_wakeups_per_second",
        f"Voluntary context switches per second over the idle window, top {IDLE_TOP} processes",
        labels=["pid", "name"],
    )
    cpu = GaugeMetricFamily(
        "hwinspector_idle_process_cpu_ratio",
        f"CPU time over the idle window as a fraction of one core, top {IDLE_TOP} processes by wakeups",
        labels=["pid", "name"],
    )
    for p in procs[:IDLE_TOP]:
        labels = [str(p.get("pid", "")), str(p.get("name", ""))]
        wake.add_metric(labels, _number(p.get("wakeups_per_s")) or 0.0)
        percent = _number(p.get("cpu_percent"))
        if percent is not None:
            cpu.add_metric(labels, percent / 100.0)
    out += [wake, cpu]
    irqs = [i for i in _records(doc.get("interrupts")) if _number(i.get("per_s")) is not None]
    irqs.sort(key=lambda i: -(_number(i.get("per_s")) or 0.0))
    irq = GaugeMetricFamily(
        "hwinspector_idle_interrupts_per_second",
        f"Interrupts per second over the idle window, top {IDLE_TOP} sources",
        labels=["irq", "name"],
    )
    for i in irqs[:IDLE_TOP]:
        irq.add_metric([str(i.get("irq", "")), str(i.get("name", ""))], _number(i.get("per_s")) or 0.0)
    out.append(irq)
    own = doc.get("self")
    if isinstance(own, Mapping):
        for key, name, scale, doc_text in (
            ("wakeups_per_s", "hwinspector_idle_self_wakeups_per_second", 1.0, "The inspector's own wakeups/s"),
            ("cpu_percent", "hwinspector_idle_self_cpu_ratio", 0.01, "The inspector's own CPU, fraction of a core"),
        ):
            value = _number(own.get(key))
            if value is not None:
                fam = GaugeMetricFamily(name, doc_text + " during the idle window")
                fam.add_metric([], value * scale)
                out.append(fam)
    verdict = doc.get("verdict")
    status = verdict.get("status") if isinstance(verdict, Mapping) else verdict
    if isinstance(status, str) and status in STATUSES:
        fam = GaugeMetricFamily("hwinspector_idle_verdict", "Idle verdict: 1 for the current one", labels=["status"])
        for s in STATUSES:
            fam.add_metric([s], float(s == status))
        out.append(fam)
    return out


def _records(value: Any) -> list[Mapping[str, Any]]:
    return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list) else []


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) else None


def source_families(statuses: Sequence[SourceStatus[Any]], extra_reasons: Mapping[str, str]) -> list[Metric]:
    """Whether each source has a current result, how old it is and how long collecting it took."""
    ready = GaugeMetricFamily(
        "hwinspector_source_ready",
        "1 when the source's last collection succeeded, else 0 with the reason",
        labels=["source", "reason"],
    )
    age = GaugeMetricFamily(
        "hwinspector_source_age_seconds", "Seconds since the source was last collected", labels=["source"]
    )
    took = GaugeMetricFamily(
        "hwinspector_source_duration_seconds", "How long the source's last collection took", labels=["source"]
    )
    for st in statuses:
        ready.add_metric([st.name, st.reason], float(st.ready))
        if st.outcome is not None and st.age_s is not None:
            age.add_metric([st.name], st.age_s)
            took.add_metric([st.name], st.outcome.duration_s)
    for name, why in sorted(extra_reasons.items()):
        ready.add_metric([name, why], 0)
    return [ready, age, took]
