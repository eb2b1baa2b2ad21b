"""CLI: ``gpu`` prints each GPU's state, its own counters and who uses it; ``--decode-metrics`` decodes a blob."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from hwinspector.i18n import _
from hwinspector.probes.errors import InputFormatError

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2
# A gpu_metrics dump is one page; a pasted hex dump of it is a few KiB.
MAX_METRICS_FILE = 1 << 20


def register(sub: Any) -> None:
    p = sub.add_parser(
        "gpu",
        help="every GPU: runtime PM state, temperatures, clocks, power, voltages, fan, memory and who uses it",
        description="Read each GPU's own counters without root: amdgpu's gpu_metrics, hwmon and pp_dpm_*, i915/xe "
        "frequencies and RC6, NVIDIA through NVML (nvidia-smi where NVML cannot load), and the processes using "
        "it from DRM fdinfo. A GPU that is runtime-suspended is shown asleep and nothing else of it is read.",
    )
    p.add_argument("--json", action="store_true", help="machine-readable output (gpus and clients)")
    p.add_argument(
        "--from",
        dest="source",
        metavar="SOURCE",
        help="read an evidence bundle or a umockdev recording instead of this machine",
    )
    p.add_argument(
        "--decode-metrics",
        metavar="FILE",
        help="decode an amdgpu gpu_metrics blob: the binary file, or a hex dump of it (xxd, hexdump -C, od -x)",
    )
    p.add_argument(
        "--interval",
        type=float,
        default=0.25,
        metavar="S",
        help="seconds between the two looks that give busy %% per process, RC6 shares and power from energy",
    )


def run(args: argparse.Namespace) -> int | None:
    if args.command != "gpu":
        return None
    if args.decode_metrics:
        return _decode(Path(args.decode_metrics), args.json)
    report = _report(args)
    from hwinspector.probes.gpu.model import report_json

    if args.json:
        json.dump(report_json(report), sys.stdout, indent=1, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(report_text(report))
    return EXIT_OK


def _report(args: argparse.Namespace) -> Any:
    from hwinspector.probes.gpu.read import read_gpu_report

    sysfs, procfs = Path(args.sysfs), Path(args.procfs)
    if args.interval < 0:
        raise InputFormatError("--interval", "must be 0 or more seconds")
    if not args.source:
        return read_gpu_report(sysfs, procfs, args.interval)
    src = Path(args.source)
    if not src.is_file():
        raise InputFormatError(str(src), "no such file")
    from hwinspector.probes.bundle.reader import is_bundle

    if is_bundle(src):
        from hwinspector.probes.bundle.reader import read_bundle_sections
        from hwinspector.probes.gpu.model import report_from_json

        sec = read_bundle_sections(src).get("gpu")
        if sec is None or not sec.available or not isinstance(sec.data, dict):
            why = (
                sec.reason if sec is not None and sec.reason else "the bundle has no GPU section (structured/gpu.json)"
            )
            raise InputFormatError(str(src), why)
        try:
            return report_from_json(sec.data, f"bundle {src.name}")
        except (KeyError, TypeError, ValueError) as exc:
            raise InputFormatError(str(src), f"structured/gpu.json is malformed ({exc})") from None
    from dataclasses import replace

    from hwinspector.probes.gpu.umockdev_tree import MAX_RECORDING_BYTES, materialize

    data = src.read_bytes()[:MAX_RECORDING_BYTES]
    text = data.decode("utf-8", "replace")
    if not text.startswith("P: "):
        raise InputFormatError(str(src), "neither an evidence bundle nor a umockdev recording (P: lines)")
    with tempfile.TemporaryDirectory(prefix="hwinspector-gpu-") as tmp:
        root = materialize(text, Path(tmp), str(src))
        # A recording holds no processes: clients come from nowhere, and one look is all there is.
        report = read_gpu_report(root, Path(tmp) / "no-proc", 0.0)
    return replace(report, source=f"umockdev {src.name}")


def _decode(path: Path, as_json: bool) -> int:
    from hwinspector.probes.gpu.hexdump import looks_like_text, parse_hex_dump
    from hwinspector.probes.gpu.metrics import decode, raw_fields_json
    from hwinspector.probes.gpu.units import format_value

    try:
        with open(path, "rb") as f:
            data = f.read(MAX_METRICS_FILE + 1)
    except OSError as exc:
        raise InputFormatError(str(path), exc.strerror or str(exc)) from None
    if len(data) > MAX_METRICS_FILE:
        raise InputFormatError(str(path), "larger than any gpu_metrics blob or dump of it")
    blob = parse_hex_dump(data.decode("ascii"), str(path)) if looks_like_text(data) else data
    d = decode(blob, str(path))
    if as_json:
        doc = {
            "revision": d.name,
            "structure_size": d.structure_size,
            "readings": {r.key: r.value for r in d.readings},
            "throttle_reasons": list(d.throttle_reasons),
            "unsupported": list(d.unsupported),
            "fields": raw_fields_json(d),
        }
        json.dump(doc, sys.stdout, indent=1)
        sys.stdout.write("\n")
        return EXIT_OK
    out = [_("gpu_metrics {revision}, {size} bytes").format(revision=d.name, size=d.structure_size)]
    width = max((len(r.key) for r in d.readings), default=10)
    out += [f"  {r.key:<{width}}  {format_value(r.key, r.value)}" for r in d.readings]
    if d.throttle_reasons:
        out.append(_("Throttled by: {reasons}").format(reasons=", ".join(d.throttle_reasons)))
    if d.unsupported:
        out.append(_("Not supported by this firmware: {fields}").format(fields=", ".join(d.unsupported)))
    sys.stdout.write("\n".join(out) + "\n")
    return EXIT_OK


def report_text(report: Any) -> str:
    """The human table: one block per GPU, readings grouped by quantity with units, then the clients."""
    from hwinspector.probes.gpu.units import QUANTITIES, format_value, split_key

    out: list[str] = []
    if report.source != "live":
        out.append(_("Source: {source}").format(source=report.source))
    for g in report.gpus:
        ident = f"{g.card or '-'}  {g.pci_address}  {g.driver or _('no driver')}"
        if g.asleep:
            out.append(
                _("{gpu}: asleep ({status}); nothing read, to keep it asleep").format(
                    gpu=ident, status=g.runtime.status
                )
            )
            if g.runtime.suspended_ms is not None:
                out.append(
                    "  "
                    + _("suspended {s:.0f} s, active {a:.0f} s since boot").format(
                        s=g.runtime.suspended_ms / 1000, a=(g.runtime.active_ms or 0) / 1000
                    )
                )
            continue
        state = g.runtime.status or _("no runtime PM")
        extra = f", gpu_metrics {g.metrics_revision}" if g.metrics_revision else ""
        out.append(_("{gpu}: awake ({state}){extra}").format(gpu=ident, state=state, extra=extra))
        domains = g.by_domain()
        for quantity, readings in domains.items():
            if quantity == "residency_ms" and "residency_percent" in domains:
                continue  # the running total behind the share shown
            base = split_key(readings[0].key)[0]
            title = _(QUANTITIES[base]) if base in QUANTITIES else base
            cells = [f"{split_key(r.key)[2] or '-'} {format_value(r.key, r.value)}" for r in readings]
            out.append(f"  {title:<12} " + "  ".join(cells))
        if g.performance_level:
            out.append("  " + _("Performance level: {level}").format(level=g.performance_level))
        if g.throttle_reasons:
            out.append("  " + _("Throttled by: {reasons}").format(reasons=", ".join(g.throttle_reasons)))
        for a in g.absent:
            out.append("  " + _("{key}: not available ({reason})").format(key=a.key, reason=a.reason))
        out += ["  " + n for n in g.notes]
    if not report.gpus:
        out.append(_("No GPU found."))
    out += list(report.notes)
    if report.clients:
        out.append("")
        out.append(f"{_('PID'):>7}  {_('Command'):<16} {_('GPU'):<13} {_('Node'):<11} {_('Busy'):>6}  {_('Memory')}")
        for c in report.clients:
            busy = "-" if c.busy_percent is None else f"{c.busy_percent:.0f} %"
            mem = ", ".join(
                f"{k} {v // 1024} MiB"
                for k, v in sorted(c.memory_kib.items())
                if not k.startswith(("total-", "shared-"))
            )
            out.append(f"{c.pid:>7}  {c.command[:16]:<16} {c.pci_address:<13} {c.node or '-':<11} {busy:>6}  {mem}")
    return "\n".join(out) + "\n"
