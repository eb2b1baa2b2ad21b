"""The enablement scorecard: every check over the machine's sections, the identity rows, and a plain-text summary.

A check is a small function from the sections (``collect_live()``, ``sections_from_snapshot()``, later a
bundle) to a Verdict, so the same verdicts come out live, from a capture, and from another machine's dump.
"""

from __future__ import annotations

import dataclasses
import time
from collections import Counter
from collections.abc import Callable, Collection, Sequence
from typing import Any

from hwinspector.i18n import N_
from hwinspector.probes.checks.base import (
    CHASSIS_NAMES,
    SEVERITY,
    Sections,
    Status,
    Verdict,
    as_dict,
    as_list,
    data,
    source_lacks,
    worst,
)
from hwinspector.probes.checks.devices import (
    check_audio,
    check_bluetooth,
    check_camera,
    check_fingerprint,
    check_network,
    check_touch,
)
from hwinspector.probes.checks.idle import check_deep_idle, check_hw_sleep, check_spurious_wakeups
from hwinspector.probes.checks.links import check_thunderbolt, check_usbc
from hwinspector.probes.checks.platform import (
    check_display,
    check_drivers,
    check_firmware,
    check_graphics,
    check_kernel,
)
from hwinspector.probes.checks.power import (
    check_ac,
    check_battery,
    check_cpu,
    check_power_profiles,
    check_suspend,
    check_thermal,
)
from hwinspector.probes.graphics.gl.probe import mesa_version_of
from hwinspector.probes.machine.identity import Identity

__all__ = ["CHECKS", "Status", "Verdict", "identity_rows", "machine_title", "run_scorecard", "summary_text"]

Check = Callable[[Sections], Verdict]

# The order a partner walks through: the picture first, then power, then the devices people touch.
CHECKS: tuple[tuple[str, Check], ...] = (
    ("graphics", check_graphics),
    ("display", check_display),
    ("drivers", check_drivers),
    ("firmware", check_firmware),
    ("kernel", check_kernel),
    ("battery", check_battery),
    ("ac", check_ac),
    ("thermal", check_thermal),
    ("cpu", check_cpu),
    ("suspend", check_suspend),
    ("deep-idle", check_deep_idle),
    ("hw-sleep", check_hw_sleep),
    ("spurious-wakeups", check_spurious_wakeups),
    ("profiles", check_power_profiles),
    ("audio", check_audio),
    ("network", check_network),
    ("bluetooth", check_bluetooth),
    ("usbc", check_usbc),
    ("thunderbolt", check_thunderbolt),
    ("camera", check_camera),
    ("fingerprint", check_fingerprint),
    ("touch", check_touch),
)
STATUS_WORDS = {Status.PASS: N_("PASS"), Status.WARNING: N_("WARN"), Status.FAIL: N_("FAIL"), Status.NA: N_("N/A")}


def run_scorecard(sections: Sections) -> list[Verdict]:
    """Every check, in CHECKS order; a check that breaks on odd data becomes a warning that says so."""
    out = []
    for cid, check in CHECKS:
        try:
            out.append(check(sections))
        except Exception as exc:  # one odd section must not cost the whole scorecard (or a lab's gate)
            out.append(
                Verdict(
                    cid,
                    cid,
                    Status.WARNING,
                    N_("the check itself failed: {name__}: {exc}").format(name__=type(exc).__name__, exc=exc),
                )
            )
    return out


class _Asked(dict[str, Any]):
    """Sections that remember which of them a check asked for (every check reads through ``get``)."""

    def __init__(self, sections: Sections) -> None:
        super().__init__(sections)
        self.asked: set[str] = set()

    def get(self, key: str, default: Any = None) -> Any:
        self.asked.add(key)
        return super().get(key, default)

    def __getitem__(self, key: str) -> Any:
        self.asked.add(key)
        return super().__getitem__(key)


def run_scorecard_partial(sections: Sections, pending: Collection[str]) -> tuple[list[Verdict], list[Verdict]]:
    """The checks that can be judged before the ``pending`` sections arrive, and those that cannot yet.

    The second list holds each waiting check's verdict on what is there so far (its title is what a
    "still checking" card shows); run_scorecard on the complete sections replaces both.
    """
    ready: list[Verdict] = []
    waiting: list[Verdict] = []
    wanted = set(pending)
    for cid, check in CHECKS:
        seen = _Asked(sections)
        try:
            verdict = check(seen)
        except Exception as exc:
            verdict = Verdict(cid, cid, Status.WARNING, f"the check itself failed: {type(exc).__name__}: {exc}")
        (waiting if seen.asked & wanted else ready).append(verdict)
    return ready, waiting


def overall(verdicts: Sequence[Verdict]) -> Status:
    """Fail when anything fails, else warning, else pass (n/a when nothing applies)."""
    return worst(v.status for v in verdicts)


def counts(verdicts: Sequence[Verdict]) -> dict[str, int]:
    c = Counter(v.status for v in verdicts)
    return {s.value: c.get(s, 0) for s in sorted(Status, key=SEVERITY.__getitem__)}


def counts_text(verdicts: Sequence[Verdict]) -> str:
    c = counts(verdicts)
    # One template per count (the window and the CLI localize the joined text part by part).
    words = {
        "fail": N_("{n} failed"),
        "warning": N_("{n} warnings") if c.get("warning", 0) > 1 else N_("{n} warning"),
        "pass": N_("{n} passed"),
        "n/a": N_("{n} not applicable"),
    }
    return ", ".join(words[k].format(n=n) for k, n in c.items() if n)


# --- identity --------------------------------------------------------------------------------------


def _identity(sections: Sections) -> Identity:
    doc = as_dict(data(sections, "identity"))
    names = {f.name for f in dataclasses.fields(Identity)}
    return Identity(**{k: v for k, v in doc.items() if k in names})


def machine_title(sections: Sections) -> str:
    ident = _identity(sections)
    title = ident.title
    if title == "Unknown machine" and not source_lacks(sections, "identity"):
        src = _source(sections)
        if src.get("host"):
            return str(src["host"])  # a remote machine without DMI names: the name it was reached by
        return N_("This machine") if src.get("kind") == "live" else title
    return title


def _source(sections: Sections) -> dict[str, Any]:
    return as_dict(as_dict(data(sections, "devices")).get("source"))


def source_label(sections: Sections) -> str:
    src = _source(sections)
    if src.get("host"):
        return N_("{host} (remote machine, over ssh)").format(host=src["host"])
    return str(src.get("label") or (N_("live machine") if src.get("kind") == "live" else N_("unknown source")))


def _size(n: int | None) -> str | None:
    if not n:
        return None
    gib = n / 2**30
    return f"{gib:.1f} GiB" if gib < 100 else f"{gib:.0f} GiB"


def _mesa(sections: Sections) -> str | None:
    gl = as_dict(data(sections, "gl"))
    versions = [
        str(c.get("version"))
        for d in as_list(gl.get("displays"))
        for c in as_list(as_dict(d).get("contexts"))
        if as_dict(c).get("version")
    ]
    versions += [
        str(as_dict(d).get("driver_info") or "") for d in as_list(as_dict(data(sections, "vulkan")).get("devices"))
    ]
    found = next((v for v in map(mesa_version_of, versions) if v), None)
    if found:
        return found
    if versions:
        return N_("not in use (OpenGL {versions})").format(versions=versions[0])
    return None


def _session(sections: Sections) -> str | None:
    s = as_dict(data(sections, "session"))
    if not s:
        return None
    kind = str(s.get("type") or "unknown")
    if kind == "none":
        return N_("none (no graphical session)")
    extra = [x for x in (", ".join(str(d) for d in as_list(s.get("desktop"))), s.get("compositor")) if x]
    return f"{kind} ({', '.join(str(x) for x in extra)})" if extra else kind


def _fwupd(sections: Sections) -> str | None:
    fw = as_dict(as_dict(data(sections, "services")).get("fwupd"))
    if not fw:
        return None
    if not fw.get("available"):
        return N_("fwupd not available: {reason}").format(reason=fw.get("reason") or "not running")
    hsi = f", {fw['host_security_id']}" if fw.get("host_security_id") else ""
    return f"fwupd {fw.get('daemon_version') or '?'}{hsi}"


def identity_rows(sections: Sections) -> list[tuple[str, str]]:
    """(label, value) rows of what the machine is and runs; never a serial number (Identity has none)."""
    i = _identity(sections)
    src = _source(sections)
    # a remote machine's identity was read there, live: what it lacks is unknown, not "not in this source"
    lacking = N_("unknown") if src.get("kind") == "live" or src.get("host") else N_("not in this source")

    def join(*parts: object, sep: str = " ") -> str | None:
        return sep.join(str(p) for p in parts if p) or None

    cpu = None
    if i.cpu_model:
        counts_ = join(f"{i.cpu_cores} cores" if i.cpu_cores else None, f"{i.cpu_threads} threads", sep=", ")
        cpu = join(i.cpu_model, f"({counts_})" if i.cpu_threads else None)
        cpu = join(cpu, f"microcode {i.microcode}" if i.microcode else None, sep=", ")
    firmware = join(i.bios_vendor, i.bios_version, f"({i.bios_date})" if i.bios_date else None)
    chassis = f"{CHASSIS_NAMES.get(i.chassis_type, 'type')} ({i.chassis_type})" if i.chassis_type else None
    rows: list[tuple[str, str | None, bool]] = [
        (N_("Vendor"), i.vendor, True),
        (N_("Product"), i.product or i.devicetree_model, True),
        (N_("Version"), i.version, False),
        (N_("Family"), i.family, False),
        (N_("Chassis"), chassis, False),
        (N_("Board"), join(i.board_vendor, i.board_name), False),
        (N_("Firmware"), join(firmware, f"[{i.firmware_type}]" if i.firmware_type else None), True),
        (N_("Secure Boot"), i.secure_boot, False),
        (N_("Processor"), cpu, True),
        (N_("Memory"), _size(i.memory_bytes), True),
        (N_("Operating system"), i.os_name, True),
        (N_("Kernel"), join(i.kernel, f"({i.architecture})" if i.architecture else None), True),
        (N_("Mesa"), _mesa(sections), True),
        (N_("Firmware updates"), _fwupd(sections), False),
        (N_("Session"), _session(sections), True),
        (N_("Source"), source_label(sections), True),
    ]
    return [(label, value or lacking) for label, value, always in rows if value or always]


# --- outputs ---------------------------------------------------------------------------------------


def scorecard_json(sections: Sections, verdicts: Sequence[Verdict]) -> dict[str, Any]:
    return {
        "machine": machine_title(sections),
        "source": _source(sections) or {"label": source_label(sections)},
        "identity": dict(identity_rows(sections)),
        "result": overall(verdicts).value,
        "counts": counts(verdicts),
        "verdicts": [v.to_json() for v in verdicts],
    }


def summary_text(sections: Sections, verdicts: Sequence[Verdict], now: float | None = None) -> str:
    """Identity and scorecard as plain text for a chat or an e-mail: problems in full, passes in one line each."""
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(time.time() if now is None else now))
    lines = [
        N_("{machine_title}: hardware enablement summary ({when})").format(
            machine_title=machine_title(sections), when=when
        ),
        "",
    ]
    rows = identity_rows(sections)
    width = max(len(label) for label, _ in rows)
    lines += [f"  {label + ':':<{width + 1}} {value}" for label, value in rows]
    lines += [
        "",
        N_("Scorecard: {upper} ({counts_text})").format(
            upper=overall(verdicts).value.upper(), counts_text=counts_text(verdicts)
        ),
    ]
    ordered = sorted(verdicts, key=lambda v: SEVERITY[v.status])
    for v in ordered:
        if v.status is Status.NA:
            continue
        lines.append(f"  [{STATUS_WORDS[v.status]}] {v.title}: {v.summary}")
        if v.status in (Status.FAIL, Status.WARNING):
            lines += [f"         - {e}" for e in v.evidence]
            if v.hint:
                lines.append(f"         next: {v.hint}")
    na = [v.title for v in ordered if v.status is Status.NA]
    if na:
        lines.append(f"  [N/A]  {', '.join(na)}")
    lines += ["", N_("Collected with hwinspector (hwinspector check).")]
    return "\n".join(lines) + "\n"
