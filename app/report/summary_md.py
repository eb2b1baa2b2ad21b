"""summary.md: the bundle's facts condensed for pasting into a GitLab, GitHub or Launchpad issue.

Also the fact extractors summary.html shares. Values come from other machines and can be hostile:
Markdown control characters are escaped, so a device name cannot become a link or a remote image.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hwinspector.report.bundle import Artifact

# What can start emphasis, code, a link or image, inline HTML or a table cell in CommonMark/GFM.
# An underscore inside a word starts no emphasis (CommonMark 6.2): "mem_sleep" stays readable as plain text.
_MD_SPECIAL = re.compile(r"([\\`*\[\]<>!|~]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9]))")
SEVERITY_ORDER = {"error": 0, "fail": 0, "warning": 1, "info": 2}


@dataclass(frozen=True, slots=True)
class Problem:
    severity: str  # error | warning | info
    area: str  # drivers | graphics | gl | vulkan | kernel | scorecard
    subject: str
    detail: str


def md(value: object) -> str:
    """One-line Markdown-inert text."""
    text = " ".join(str(value).split())
    return _MD_SPECIAL.sub(r"\\\1", text)


def data(sections: Mapping[str, Mapping[str, Any]], name: str) -> Any:
    sec = sections.get(name) or {}
    return sec.get("data") if sec.get("available") else None


def _list(x: Any) -> list[Any]:
    return x if isinstance(x, list) else []


def _dict(x: Any) -> dict[str, Any]:
    return x if isinstance(x, dict) else {}


def problems(sections: Mapping[str, Mapping[str, Any]]) -> list[Problem]:
    """Enablement problems, worst first: driver problems, the graphics chain, GL and Vulkan, kernel taint."""
    out: list[Problem] = []
    for p in _list(_dict(data(sections, "drivers")).get("problems")):
        p = _dict(p)
        detail = str(p.get("detail") or "")
        if cands := _list(p.get("candidates")):
            detail += f" (modules that could bind it: {', '.join(map(str, cands))})"
        out.append(
            Problem(
                str(p.get("severity") or "warning"),
                f"drivers: {p.get('kind') or ''}",
                str(p.get("name") or p.get("path") or ""),
                detail,
            )
        )
    g = _dict(data(sections, "graphics"))
    items = [*_list(g.get("problems"))]
    for gpu in _list(g.get("gpus")) + _list(g.get("connectors")):
        items += _list(_dict(gpu).get("problems"))
    for p in items:
        p = _dict(p)
        out.append(
            Problem(
                str(p.get("severity") or "warning"), "graphics", str(p.get("subject") or ""), str(p.get("detail") or "")
            )
        )
    for name in ("gl", "vulkan"):
        for p in _list(_dict(data(sections, name)).get("problems")):
            out.append(Problem("warning", name, "", p if isinstance(p, str) else str(_dict(p).get("detail") or p)))
    from hwinspector.report.summary_av import av_problems

    out += [Problem(*p) for p in av_problems(sections)]
    taint = _dict(_dict(data(sections, "drivers")).get("taint"))
    if taint.get("value"):
        flags = ", ".join(str(f[1] if isinstance(f, list) and len(f) > 1 else f) for f in _list(taint.get("flags")))
        sev = "error" if taint.get("crash") else "warning"
        out.append(Problem(sev, "kernel", "taint", f"kernel tainted ({taint.get('value')}): {flags}"))
    return sorted(out, key=lambda p: SEVERITY_ORDER.get(p.severity, 3))


def scorecard(artifacts: Sequence[Artifact]) -> list[dict[str, Any]]:
    """The verdicts of structured/scorecard.json when the capture had a scorecard module."""
    import json

    doc = next((a.data for a in artifacts if a.path == "structured/scorecard.json"), None)
    if doc is None:
        return []
    try:
        parsed = json.loads(doc)
    except ValueError:
        return []
    verdicts = parsed.get("verdicts") if isinstance(parsed, dict) else parsed
    return [v for v in _list(verdicts) if isinstance(v, dict)]


def gpu_lines(sections: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """One line per GPU and connector: the chain card → device → driver → connectors → monitor."""
    g = _dict(data(sections, "graphics"))
    lines: list[str] = []
    for gpu in map(_dict, _list(g.get("gpus"))):
        cards = ", ".join(str(_dict(c).get("name")) for c in _list(gpu.get("cards"))) or "no DRM card"
        default = " (default)" if gpu.get("devpath") == g.get("default_gpu") else ""
        name = f"{gpu.get('address') or ''} {gpu.get('name') or ''}{default}"
        lines.append(f"GPU {name}: driver {gpu.get('driver') or 'none'}, {cards}")
    for c in map(_dict, _list(g.get("connectors"))):
        mon = f" — {c.get('monitor')}" if c.get("monitor") else ""
        mode = f", {c['current_mode']}" if c.get("current_mode") else ""
        lines.append(f"connector {c.get('name')}: {c.get('status') or 'unknown'}{mode}{mon}")
    return lines


def gl_lines(sections: Mapping[str, Mapping[str, Any]]) -> list[str]:
    lines = []
    gl = _dict(data(sections, "gl"))
    for d in map(_dict, _list(gl.get("displays"))):
        ctx = next((_dict(c) for c in _list(d.get("contexts"))), {})
        if ctx:
            api = f"{str(d.get('api') or '').upper()} {d.get('platform') or ''}"
            lines.append(f"{api}: {ctx.get('renderer')} — {ctx.get('version')}")
        elif d.get("error"):
            lines.append(
                f"{str(d.get('api') or '').upper()} {d.get('platform') or d.get('name') or ''}: {d.get('error')}"
            )
    vk = _dict(data(sections, "vulkan"))
    for d in map(_dict, _list(vk.get("devices"))):
        driver = d.get("driver_info") or d.get("driver_name")
        lines.append(f"Vulkan {d.get('api_version')}: {d.get('device_name')} ({d.get('device_type')}), {driver}")
    return lines


def power_lines(sections: Mapping[str, Mapping[str, Any]]) -> list[str]:
    p = _dict(data(sections, "power"))
    lines = []
    for s in map(_dict, _list(p.get("supplies"))):
        facts = [str(s.get("type") or "")]
        if s.get("capacity_percent") is not None:
            facts.append(f"{s['capacity_percent']:g} %")
        for key, fmt in (
            ("status", "{}"),
            ("power_watts", "{:.2f} W"),
            ("health_percent", "health {:g} %"),
            ("cycle_count", "{} cycles"),
        ):
            if s.get(key) is not None:
                facts.append(fmt.format(s[key]))
        if s.get("online") is not None:
            facts.append("online" if s["online"] else "offline")
        lines.append(f"{s.get('name')}: " + ", ".join(x for x in facts if x))
    for r in map(_dict, _list(p.get("rapl"))):
        state = "readable" if r.get("readable") else f"not readable ({r.get('reason')})"
        lines.append(f"RAPL {r.get('id')}: {state}")
    sleep = _dict(data(sections, "sleep"))
    if sleep and (sleep.get("state") or sleep.get("mem_sleep_current")):
        states = " ".join(map(str, _list(sleep.get("state"))))
        lines.append(f"sleep states: {states}; mem_sleep {sleep.get('mem_sleep_current') or '-'}")
    return lines


def thermal_rows(sections: Mapping[str, Mapping[str, Any]]) -> list[tuple[str, str, str]]:
    """(sensor, reading, note) for thermal zones and hwmon temperature inputs."""
    t = _dict(data(sections, "thermal"))
    rows = []
    for z in map(_dict, _list(t.get("zones"))):
        temp = z.get("temp_celsius")
        rows.append(
            (
                f"{z.get('id')} ({z.get('type')})",
                f"{temp:g} °C" if isinstance(temp, int | float) else "-",
                str(z.get("error") or z.get("policy") or ""),
            )
        )
    for chip in map(_dict, _list(t.get("hwmon"))):
        for i in map(_dict, _list(chip.get("inputs"))):
            v = i.get("value")
            shown = f"{v:g} {i.get('unit') or ''}".strip() if isinstance(v, int | float) else "-"
            crit = _dict(i.get("limits")).get("crit")
            rows.append(
                (
                    f"{chip.get('name')} {i.get('label') or i.get('id')}",
                    shown,
                    str(i.get("error") or (f"crit {crit:g}" if isinstance(crit, int | float) else "")),
                )
            )
    return rows


def artifact_status(a: Artifact) -> str:
    if a.error and a.exit_code not in (None, 0):
        return "failed"
    if a.truncated:
        return "truncated"
    return "error" if a.error else "ok"


def _bullets(items: Iterable[str]) -> list[str]:
    return [f"- {md(x)}" for x in items]


def render(
    manifest: Mapping[str, Any], sections: Mapping[str, Mapping[str, Any]], artifacts: Sequence[Artifact]
) -> str:
    sysinfo = _dict(manifest.get("system"))
    privacy = _dict(manifest.get("privacy"))
    masked = sum(int(_dict(c).get("count") or 0) for c in _dict(privacy.get("categories")).values())
    out = [f"## Hardware evidence: {md(sysinfo.get('title') or 'unknown machine')}", ""]
    out.append(
        f"- Report: `{md(manifest.get('report_id'))}` ({md(_dict(manifest.get('generator')).get('name'))} "
        f"{md(_dict(manifest.get('generator')).get('version'))}, {md(manifest.get('created'))})"
    )
    out.append(
        "- Privacy: "
        + (
            f"redacted ({masked} values replaced by tokens)"
            if privacy.get("redacted")
            else "**not redacted** (captured with --no-redact)"
        )
    )
    for label, key in (("BIOS", "bios_version"), ("CPU", "cpu_model"), ("OS", "os_name"), ("Kernel", "kernel")):
        if sysinfo.get(key):
            extra = f" ({md(sysinfo.get('bios_date'))})" if key == "bios_version" and sysinfo.get("bios_date") else ""
            out.append(f"- {label}: {md(sysinfo[key])}{extra}")
    probs = problems(sections)
    verdicts = sorted(
        (v for v in scorecard(artifacts) if v.get("status") in ("fail", "warning")),
        key=lambda v: v.get("status") != "fail",
    )
    out += ["", f"### Problems ({len(probs) + len(verdicts)})", ""]
    out += [f"- **{md(v.get('status'))}** {md(v.get('title'))}: {md(v.get('summary'))}" for v in verdicts]
    out += [
        f"- **{md(p.severity)}** {md(' '.join(x for x in (p.area, p.subject) if x))}: {md(p.detail)}" for p in probs
    ]
    if not probs and not verdicts:
        out.append("- none found")
    from hwinspector.report.summary_av import audio_lines, camera_lines

    for title, lines in (
        ("Graphics", gpu_lines(sections) + gl_lines(sections)),
        ("Audio", audio_lines(sections)),
        ("Camera", camera_lines(sections)),
        ("Power", power_lines(sections)),
    ):
        if lines:
            out += ["", f"### {title}", "", *_bullets(lines)]
    temps = thermal_rows(sections)
    if temps:
        out += [
            "",
            "### Thermal",
            "",
            *_bullets(f"{n}: {v}" + (f" ({note})" if note else "") for n, v, note in temps[:20]),
        ]
        if len(temps) > 20:
            out.append(f"- … {len(temps) - 20} more in summary.html")
    notes, steps = str(manifest.get("notes") or "").strip(), _list(manifest.get("steps"))
    if notes or steps:
        out += ["", "### QA notes", ""]
        out += [f"> {md(line)}" if line.strip() else ">" for line in notes.splitlines()]
        out += [f"{i}. {md(s)}" for i, s in enumerate(steps, 1)]
    raw = [a for a in artifacts if a.kind == "raw"]
    bad = [a for a in raw if artifact_status(a) != "ok"]
    out += [
        "",
        "### Attached in the bundle",
        "",
        f"- {len(raw)} raw outputs: " + md(", ".join(a.path.removeprefix("raw/") for a in raw)),
    ]
    out += [f"- {md(a.path)}: {md(artifact_status(a))} — {md(a.error or '')}" for a in bad]
    skipped = [_dict(s) for s in _list(manifest.get("not_collected"))]
    if skipped:
        out.append("- not collected:")
        out += [f"  - {md(s.get('step'))}: {md(s.get('reason'))}" for s in skipped]
    out += [
        "",
        "_Open the bundle with `hwinspector open FILE.tar.xz`; check it with `sha256sum -c SHA256SUMS` inside._",
        "",
    ]
    return "\n".join(out)
