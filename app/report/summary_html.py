"""summary.html: one self-contained, offline page of the bundle; no JavaScript, a strict CSP, all text escaped.

Everything is inline (CSS, SVG charts); links point only at members of the extracted bundle. Device
names, notes and log lines come from other machines: every value goes through ``html.escape``.
"""

from __future__ import annotations

import html
import os
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

import numpy as np

from hwinspector.report.bundle import Artifact
from hwinspector.report.summary_md import (
    artifact_status,
    data,
    gl_lines,
    gpu_lines,
    power_lines,
    problems,
    scorecard,
    thermal_rows,
)

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
MAX_CHARTS = 12
CHART_W, CHART_H, PAD_L, PAD_B = 640, 120, 56, 18
_CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#1d2327;background:#f6f7f7}
header{background:#1d2327;color:#fff;padding:16px 24px}header h1{margin:0 0 4px;font-size:22px}
header p{margin:0;color:#c3c4c7}main{padding:8px 24px 32px;max-width:1200px}
nav{padding:8px 24px;background:#fff;border-bottom:1px solid #dcdcde}nav a{margin-right:14px;color:#2271b1}
section{background:#fff;border:1px solid #dcdcde;border-radius:6px;padding:12px 16px;margin:16px 0}
h2{font-size:17px;margin:4px 0 10px}table{border-collapse:collapse;width:100%}
td,th{text-align:left;padding:3px 8px;border-bottom:1px solid #f0f0f1;vertical-align:top}
th{font-weight:600;color:#50575e}code{font-size:12px}.muted{color:#646970}
.sev{display:inline-block;min-width:64px;padding:0 6px;border-radius:3px;font-weight:600;text-align:center}
.sev-error,.sev-fail{background:#fcf0f1;color:#b32d2e}.sev-warning{background:#fcf9e8;color:#8a6d00}
.sev-pass,.sev-ok{background:#edfaef;color:#007017}.sev-info,.sev-n\\/a{background:#f0f6fc;color:#2271b1}
.cards{display:flex;flex-wrap:wrap;gap:8px}.card{border:1px solid #dcdcde;border-radius:6px;padding:8px;width:270px}
svg{background:#fbfbfc;border:1px solid #f0f0f1}.chart{margin:6px 0 12px}
pre{white-space:pre-wrap;background:#f6f7f7;padding:8px;border-radius:4px}
"""


def e(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _table(headers: Sequence[str], rows: Iterable[Sequence[str]], raw_cols: frozenset[int] = frozenset()) -> str:
    """A table; every cell escaped except columns listed in ``raw_cols`` (already-built markup)."""
    body = "".join(
        "<tr>" + "".join(f"<td>{c if i in raw_cols else e(c)}</td>" for i, c in enumerate(r)) + "</tr>" for r in rows
    )
    head = "".join(f"<th>{e(h)}</th>" for h in headers)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>" if body else ""


def _sev(s: str) -> str:
    return f'<span class="sev sev-{e(s)}">{e(s)}</span>'


def _section(anchor: str, title: str, body: str) -> str:
    return f'<section id="{anchor}"><h2>{e(title)}</h2>{body}</section>'


def _list(lines: Iterable[str]) -> str:
    items = "".join(f"<li>{e(x)}</li>" for x in lines)
    return f"<ul>{items}</ul>" if items else ""


def _size(n: int) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n = n / 1024  # type: ignore[assignment]
    return f"{n} B"


def _problems(sections: Mapping[str, Mapping[str, Any]], artifacts: Sequence[Artifact]) -> str:
    parts = []
    verdicts = sorted(
        scorecard(artifacts), key=lambda v: {"fail": 0, "warning": 1, "pass": 2}.get(str(v.get("status")), 3)
    )
    if verdicts:
        cards = "".join(
            f'<div class="card">{_sev(str(v.get("status")))} <b>{e(v.get("title"))}</b><br>{e(v.get("summary"))}'
            + (f'<br><span class="muted">{e(v.get("hint"))}</span>' if v.get("hint") else "")
            + "</div>"
            for v in verdicts
        )
        parts.append(f'<h3>Scorecard</h3><div class="cards">{cards}</div>')
    probs = problems(sections)
    if probs:
        parts.append(
            _table(
                ["Severity", "Area", "Device", "Detail"],
                [(_sev(p.severity), p.area, p.subject, p.detail) for p in probs],
                frozenset({0}),
            )
        )
    else:
        parts.append("<p>No driver, firmware or graphics problems found.</p>")
    return _section("problems", f"Enablement problems ({len(probs)})", "".join(parts))


def _identity(manifest: Mapping[str, Any], sections: Mapping[str, Mapping[str, Any]]) -> str:
    ident = data(sections, "identity") or {}
    labels = {
        "vendor": "Vendor",
        "product": "Product",
        "family": "Family",
        "board_name": "Board",
        "bios_vendor": "BIOS vendor",
        "bios_version": "BIOS version",
        "bios_date": "BIOS date",
        "firmware_type": "Firmware",
        "secure_boot": "Secure Boot",
        "cpu_model": "CPU",
        "cpu_threads": "CPU threads",
        "memory_bytes": "Memory",
        "os_name": "OS",
        "kernel": "Kernel",
        "architecture": "Architecture",
    }
    rows = []
    for key, label in labels.items():
        v = ident.get(key) if isinstance(ident, dict) else None
        if v is not None:
            rows.append((label, f"{v / 2**30:.1f} GiB" if key == "memory_bytes" and isinstance(v, int) else str(v)))
    unavailable = [(n, str(s.get("reason"))) for n, s in sorted(sections.items()) if not s.get("available")]
    body = _table(["", ""], rows)
    if unavailable:
        body += "<h3>Not available in this capture</h3>" + _table(["Section", "Why"], unavailable)
    return _section("machine", "Machine", body)


def _devices(sections: Mapping[str, Mapping[str, Any]]) -> str:
    devs = (data(sections, "devices") or {}).get("devices") or []
    kinds: dict[str, int] = {}
    for d in devs:
        kinds[str(d.get("kind"))] = kinds.get(str(d.get("kind")), 0) + 1
    bindings = [b for b in (data(sections, "drivers") or {}).get("bindings") or [] if b.get("devices")]
    names = {d.get("path"): d.get("name") for d in devs}
    rows = [
        (
            b.get("driver"),
            b.get("module") or "(built-in)",
            b.get("bus") or "",
            "; ".join(str(names.get(p) or p) for p in b.get("devices")[:6])
            + (" …" if len(b.get("devices")) > 6 else ""),
        )
        for b in sorted(bindings, key=lambda b: str(b.get("driver")))
    ]
    body = f"<p>{len(devs)} devices: " + e(", ".join(f"{k} {n}" for k, n in sorted(kinds.items()))) + "</p>"
    body += "<h3>Drivers in use</h3>" + (_table(["Driver", "Module", "Bus", "Devices"], rows) or "<p>none</p>")
    return _section("devices", "Devices and drivers", body)


def _graphics(sections: Mapping[str, Mapping[str, Any]]) -> str:
    g = sections.get("graphics") or {}
    body = _list(gpu_lines(sections)) or f'<p class="muted">{e(g.get("reason") or "no graphics data")}</p>'
    notes = (data(sections, "graphics") or {}).get("notes") or []
    body += _list(notes) + "<h3>OpenGL and Vulkan</h3>" + (_list(gl_lines(sections)) or "<p>none found</p>")
    session = data(sections, "session") or {}
    if session:
        body += (
            f"<p>Session: {e(session.get('type'))}"
            + (f", compositor {e(session.get('compositor'))}" if session.get("compositor") else "")
            + "</p>"
        )
    return _section("graphics", "Graphics chain", body)


def _audio_camera(sections: Mapping[str, Mapping[str, Any]]) -> str:
    from hwinspector.report.summary_av import audio_lines, camera_lines

    body = "<h3>Audio</h3>" + (_list(audio_lines(sections)) or "<p>no sound card in this report</p>")
    body += "<h3>Camera</h3>" + (_list(camera_lines(sections)) or "<p>no camera in this report</p>")
    return _section("av", "Audio and camera", body)


def _power_thermal(sections: Mapping[str, Mapping[str, Any]]) -> str:
    body = "<h3>Power</h3>" + (_list(power_lines(sections)) or "<p>no power supplies or RAPL domains</p>")
    rows = thermal_rows(sections)
    body += "<h3>Thermal</h3>" + (_table(["Sensor", "Reading", "Note"], rows) or "<p>no thermal sensors</p>")
    return _section("power", "Power and thermal", body)


def _envelope(t: np.ndarray, v: np.ndarray, columns: int) -> tuple[np.ndarray, np.ndarray]:
    """At most two points (min, max) per pixel column: the shape survives, the file stays small."""
    ok = ~np.isnan(v)
    t, v = t[ok], v[ok]
    if len(t) <= 2 * columns:
        return t, v
    col = ((t - t[0]) / max(t[-1] - t[0], 1) * (columns - 1)).astype(np.int64)
    starts = np.flatnonzero(np.r_[True, col[1:] != col[:-1]])
    mins = np.minimum.reduceat(v, starts)
    maxs = np.maximum.reduceat(v, starts)
    return np.repeat(t[starts], 2), np.column_stack((mins, maxs)).ravel()


def _chart(
    label: str, unit: str, t: np.ndarray, v: np.ndarray, t0: int, t1: int, marks: Sequence[tuple[int, str]]
) -> str:
    pw, ph = CHART_W - PAD_L - 8, CHART_H - PAD_B - 8
    tt, vv = _envelope(t, v, pw)
    if not len(vv):
        return f'<p class="muted">{e(label)}: no readings</p>'
    lo, hi = float(vv.min()), float(vv.max())
    if hi - lo < 1e-9:
        lo, hi = lo - 1, hi + 1
    span = max(t1 - t0, 1)
    xs = PAD_L + (tt - t0) / span * pw
    ys = 8 + (hi - vv) / (hi - lo) * ph
    pts = " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs.tolist(), ys.tolist(), strict=True))
    lines = []
    for i, (tm, note) in enumerate(marks, 1):
        x = PAD_L + (tm - t0) / span * pw
        if PAD_L <= x <= PAD_L + pw:
            lines.append(
                f'<g><title>{e(note)}</title><line x1="{x:.1f}" y1="8" x2="{x:.1f}" y2="{8 + ph}" stroke="#d63638" '
                f'stroke-dasharray="3,3"/><text x="{x + 2:.1f}" y="18" font-size="10" fill="#d63638">{i}</text></g>'
            )
    return (
        f'<div class="chart"><b>{e(label)}</b> <span class="muted">[{e(unit)}]</span><br>'
        f'<svg width="{CHART_W}" height="{CHART_H}" role="img" aria-label="{e(label)}">'
        f'<text x="2" y="14" font-size="10">{e(f"{hi:.4g}")}</text>'
        f'<text x="2" y="{8 + ph}" font-size="10">{e(f"{lo:.4g}")}</text>'
        f'<text x="{PAD_L}" y="{CHART_H - 4}" font-size="10">0 s</text>'
        f'<text x="{CHART_W - 60}" y="{CHART_H - 4}" font-size="10">{e(f"{span / 1e9:.1f} s")}</text>'
        f'<polyline fill="none" stroke="#2271b1" stroke-width="1" points="{pts}"/>{"".join(lines)}</svg></div>'
    )


def _telemetry(recording: bytes | None) -> str:
    if recording is None:
        return ""
    from hwinspector.probes.errors import InputFormatError
    from hwinspector.probes.telemetry.recording import read_recording

    fd, name = tempfile.mkstemp(suffix=".jsonl.gz")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(recording)
        rec = read_recording(Path(name))
    except InputFormatError as exc:
        return _section("telemetry", "Telemetry recording", f"<p>unreadable: {e(exc.reason)}</p>")
    finally:
        os.unlink(name)
    marks = [(m.t_ns, m.note) for m in rec.markers]
    # The axis runs from the start of the recording (its clock anchor) to the last sample or marker.
    t0 = rec.anchor_monotonic_ns
    t1 = max([int(t[-1]) for t, _ in rec.series.values() if len(t)] + [t for t, _ in marks] + [t0 + 1])
    counts = f"{len(rec.channels)} channels, {rec.duration_s:.1f} s, {len(rec.markers)} markers"
    body = f"<p>{counts}, {len(rec.events)} kernel events.</p>"
    body += "".join(f"<p class=muted>{e(w)}</p>" for w in rec.warnings)
    for ch in rec.channels[:MAX_CHARTS]:
        t, v = rec.series[ch.id]
        body += _chart(f"{ch.label} ({ch.id}, {ch.rate_hz:g} Hz)", ch.unit, t, v, t0, t1, marks)
    if len(rec.channels) > MAX_CHARTS:
        body += f"<p>{len(rec.channels) - MAX_CHARTS} more channels are in recordings/telemetry.jsonl.gz.</p>"
    if marks:
        body += (
            "<h3>Markers</h3><ol>"
            + "".join(f"<li>{e(f'{(tm - t0) / 1e9:.1f} s')}: {e(n)}</li>" for tm, n in marks)
            + "</ol>"
        )
    if rec.events:
        rows = [(f"{(ev.t_ns - t0) / 1e9:.1f} s", ev.kind, ev.text) for ev in rec.events[:200]]
        body += "<h3>Events</h3>" + _table(["Time", "Kind", "Text"], rows)
    return _section("telemetry", "Telemetry recording", body)


def _artifacts(manifest: Mapping[str, Any], artifacts: Sequence[Artifact]) -> str:
    rows = []
    for a in sorted(artifacts, key=lambda a: (a.kind != "raw", a.path)):
        prod = a.producer.get("argv") or a.producer.get("file") or a.producer.get("probe") or ""
        prod = " ".join(map(str, prod)) if isinstance(prod, list) else str(prod)
        link = f'<a href="{e(quote(a.path))}"><code>{e(a.path)}</code></a>'
        status = artifact_status(a)
        rows.append(
            (
                link,
                a.kind,
                _size(len(a.data)),
                prod,
                "" if a.exit_code is None else str(a.exit_code),
                _sev("ok" if status == "ok" else "warning") + (f" {e(a.error)}" if a.error else ""),
            )
        )
    body = "<p>Paths are relative to the extracted bundle; <code>sha256sum -c SHA256SUMS</code> there checks them.</p>"
    body += _table(["File", "Kind", "Size", "Producer", "Exit", "Status"], rows, frozenset({0, 5}))
    skipped = manifest.get("not_collected") or []
    if skipped:
        body += "<h3>Not collected</h3>" + _table(
            ["Step", "Why"], [(str(s.get("step")), str(s.get("reason"))) for s in skipped]
        )
    return _section("artifacts", "Raw artifacts", body)


def render(
    manifest: Mapping[str, Any],
    sections: Mapping[str, Mapping[str, Any]],
    artifacts: Sequence[Artifact],
    recording: bytes | None = None,
) -> str:
    sysinfo = manifest.get("system") or {}
    title = str(sysinfo.get("title") or "Unknown machine")
    privacy = manifest.get("privacy") or {}
    masked = sum(int(c.get("count") or 0) for c in (privacy.get("categories") or {}).values())
    priv = (
        f"redacted: {masked} identifying values replaced by tokens"
        if privacy.get("redacted")
        else "NOT redacted (--no-redact)"
    )
    gen = manifest.get("generator") or {}
    notes, steps = str(manifest.get("notes") or "").strip(), manifest.get("steps") or []
    notes_html = ""
    if notes or steps:
        notes_html = _section(
            "notes",
            "QA notes",
            (f"<pre>{e(notes)}</pre>" if notes else "")
            + ("<ol>" + "".join(f"<li>{e(s)}</li>" for s in steps) + "</ol>" if steps else ""),
        )
    nav = "".join(
        f'<a href="#{a}">{e(t)}</a>'
        for a, t in (
            ("problems", "Problems"),
            ("machine", "Machine"),
            ("devices", "Devices"),
            ("graphics", "Graphics"),
            ("av", "Audio and camera"),
            ("power", "Power and thermal"),
            ("telemetry", "Telemetry"),
            ("artifacts", "Raw artifacts"),
        )
    )
    body = (
        _problems(sections, artifacts)
        + notes_html
        + _identity(manifest, sections)
        + _devices(sections)
        + _graphics(sections)
        + _audio_camera(sections)
        + _power_thermal(sections)
        + _telemetry(recording)
        + _artifacts(manifest, artifacts)
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="referrer" content="no-referrer">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>Hardware evidence: {e(title)}</title>\n<style>{_CSS}</style></head>\n<body>\n"
        f"<header><h1>{e(title)}</h1><p>Report {e(manifest.get('report_id'))} · {e(manifest.get('created'))} · "
        f"{e(gen.get('name'))} {e(gen.get('version'))} · {e(priv)}</p></header>\n"
        f"<nav>{nav}</nav>\n<main>{body}</main>\n"
        "</body></html>\n"
    )
