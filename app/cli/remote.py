"""CLI: ``--host HOST`` runs a command on another machine over ssh; its files are written here.

A command gains ``--host`` by being named in REMOTE_COMMANDS. Views run on the target's agent and
print what it prints (control characters removed); ``record`` streams the target's sampler into a
local recording; ``report`` builds the bundle there and writes it here. A target with only python3
gets a temporary agent: devices, drivers and check then read its udev database, telemetry and record
its Python sampler.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import os
import re
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from hwinspector.i18n import _
from hwinspector.probes.remote.client import Channel, RemoteError, RemoteLink
from hwinspector.probes.remote.transport import classify, printable

REMOTE_COMMANDS = (
    "devices",
    "drivers",
    "graphics",
    "edid",
    "power",
    "firmware",
    "telemetry",
    "record",
    "check",
    "idle",
    "report",
)
# What the temporary agent (python3 only on the target) can serve.
FROM_UDEV_DB = ("devices", "drivers", "check")
EXIT_USAGE = 2
MAX_BUNDLE_BYTES = 1024 * 1024 * 1024
_BUNDLE_NAME = re.compile(r"hwreport-[A-Za-z0-9._:-]{1,80}\.tar\.xz")


def add_host_options(sub: Any) -> None:
    for name in REMOTE_COMMANDS:
        p = sub.choices.get(name)
        if p is not None:
            p.add_argument(
                "--host",
                metavar="HOST",
                help=_(
                    "inspect HOST over ssh (your ssh config, keys and known_hosts; "
                    "HWINSPECTOR_SSH replaces the ssh command); files are written here"
                ),
            )


def strip_host(argv: Sequence[str]) -> list[str]:
    out: list[str] = []
    skip = False
    for a in argv:
        if skip:
            skip = False
        elif a == "--host":
            skip = True
        elif not a.startswith("--host="):
            out.append(a)
    return out


def _fail(host: str, message: str) -> int:
    print(_("hwinspector: {host}: {message}").format(host=host, message=message), file=sys.stderr)
    return EXIT_USAGE


def run(args: argparse.Namespace, argv: Sequence[str], main: Callable[[Sequence[str]], int]) -> int | None:
    host = getattr(args, "host", None)
    if not host:
        return None
    if getattr(args, "source", None):
        print(_("hwinspector: --host and --from exclude each other"), file=sys.stderr)
        return EXIT_USAGE
    if args.command == "report" and (args.verify or args.apport or args.key or args.screenshots):
        print(_("hwinspector: report --host takes no --verify, --apport, --key or --screenshots"), file=sys.stderr)
        return EXIT_USAGE
    try:
        with RemoteLink(host, batch=True) as link:
            if args.command == "record":
                from hwinspector.cli.remote_record import record

                return record(link, args)
            if args.command == "report":
                return _report(link, args)
            if "cli" in link.capabilities:
                return _cli(link, strip_host(argv))
            return _zero_install(link, args, argv, main)
    except RemoteError as exc:
        return _fail(host, exc.message)


def _closed_problem(ch: Channel) -> str | None:
    c = ch.closed
    if c is None or c.problem is None:
        return None
    return c.message or c.problem


def _cli(link: RemoteLink, argv: list[str]) -> int:
    ch = link.open("cli", argv=argv, budget_bytes=256 * 1024 * 1024)
    for m in ch.messages():
        for key, stream in (("out", sys.stdout), ("err", sys.stderr)):
            text = m.get(key)
            if isinstance(text, str):
                stream.write(printable(text))
                stream.flush()
    if (why := _closed_problem(ch)) is not None:
        return _fail(link.host, why)
    status = ch.closed.fields.get("exit-status") if ch.closed else None
    if not (isinstance(status, int) and 0 <= status < 256):
        return _fail(link.host, _("the agent ended the command without an exit status"))
    return status


def _zero_install(link: RemoteLink, args: argparse.Namespace, argv: Sequence[str], main: Callable[..., int]) -> int:
    host = link.host
    if args.command == "telemetry":
        return _telemetry_readings(link, getattr(args, "json", False))
    if args.command not in FROM_UDEV_DB:
        _unused, how = classify("hwinspector-agent: no-python", 127)
        return _fail(
            host,
            _(
                "`{command}` needs hwinspector on that machine (its python3 alone serves devices, drivers, "
                "check, telemetry and record); {split}"
            ).format(command=args.command, split=how.split("; ", 1)[1]),
        )
    ch = link.open("udev-db", budget_bytes=512 * 1024 * 1024)
    parts: list[str] = []
    origin = "?"
    for m in ch.messages():
        if isinstance(m.get("text"), str):
            parts.append(m["text"])
        elif isinstance(m.get("origin"), str):
            origin = printable(m["origin"])[:80]
    if (why := _closed_problem(ch)) is not None:
        return _fail(host, why)
    print(
        _(
            "note: {host} has no hwinspector; read its udev database ({origin}) through a temporary "
            "agent. Install hwinspector there for the full view."
        ).format(host=host, origin=origin),
        file=sys.stderr,
    )
    with tempfile.TemporaryDirectory(prefix="hwinspector-remote-") as tmp:
        dump = Path(tmp) / f"{re.sub(r'[^A-Za-z0-9._-]', '_', host)}-udev-db.txt"
        fd = os.open(dump, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write("".join(parts))
        return main([*strip_host(argv), "--from", str(dump)])


def _telemetry_readings(link: RemoteLink, as_json: bool) -> int:
    """One reading per channel from the target's sampler (about a second of samples)."""
    import json

    ch = link.open("telemetry", rate=20)
    meta: dict[str, Any] = {}
    last: dict[str, float | None] = {}
    started = time.monotonic()
    for m in ch.messages(timeout_s=60):
        if m.get("type") == "meta" and isinstance(m.get("channels"), list):
            meta = m
        elif m.get("type") == "data" and isinstance(m.get("ids"), list) and isinstance(m.get("v"), list) and m["v"]:
            row = m["v"][-1]
            if isinstance(row, list):
                for cid, v in zip(m["ids"], row, strict=False):
                    if isinstance(cid, str) and (v is None or isinstance(v, (int, float))):
                        last[cid] = v
        if time.monotonic() - started > 1.2:
            ch.close()
    if (why := _closed_problem(ch)) is not None:
        return _fail(link.host, why)
    rows: list[dict[str, Any]] = [
        {
            "id": printable(str(c.get("id"))),
            "label": printable(str(c.get("label"))),
            "unit": printable(str(c.get("unit"))),
            "value": last.get(str(c.get("id"))),
        }
        for c in meta.get("channels", [])
        if isinstance(c, dict)
    ]
    if as_json:
        json.dump(
            {"source": {"kind": "remote", "host": link.host, "agent": "python"}, "channels": rows}, sys.stdout, indent=1
        )
        sys.stdout.write("\n")
        return 0
    if meta.get("notice"):
        print(f"note: {printable(str(meta['notice']))}", file=sys.stderr)
    for r in rows:
        shown = _("no reading") if r["value"] is None else f"{r['value']:.6g} {r['unit']}"
        print(f"{r['id'][:40]:40} {r['label'][:40]:40} {shown}")
    return 0


def _report(link: RemoteLink, args: argparse.Namespace) -> int:
    if "report" not in link.capabilities:
        _unused, how = classify("hwinspector-agent: no-python", 127)
        return _fail(
            link.host, _("a bundle needs hwinspector on that machine; {split}").format(split=how.split("; ", 1)[1])
        )
    fwd: list[str] = []
    for n in args.note:
        fwd += ["--note", n]
    for s in args.step:
        fwd += ["--step", s]
    for r in args.relax:
        fwd += ["--relax", r]
    if args.duration is not None:
        fwd += ["--duration", str(args.duration)]
    if args.rate is not None:
        fwd += ["--rate", str(args.rate)]
    if args.channels:
        fwd += ["--channels", *args.channels]
    fwd += [f for f, on in (("--no-redact", args.no_redact), ("--no-gl", args.no_gl), ("-q", args.quiet)) if on]
    fwd += ["--command-timeout", str(args.command_timeout)]
    ch = link.open("report", argv=fwd, budget_bytes=MAX_BUNDLE_BYTES * 2)
    out = None
    tmp_fd = -1
    tmp_path = ""
    written = 0
    announced = -1
    try:
        for m in ch.messages():
            if isinstance(m.get("err"), str) and not args.quiet:
                sys.stderr.write(printable(m["err"]))
            elif isinstance(m.get("file"), str) and isinstance(m.get("size"), int) and out is None:
                out = _bundle_path(args.output, m["file"])
                announced = m["size"]
                if not 0 < announced <= MAX_BUNDLE_BYTES:
                    return _fail(
                        link.host, _("the agent announced a bundle of {announced} bytes").format(announced=announced)
                    )
                tmp_fd, tmp_path = tempfile.mkstemp(prefix=".hwreport-", suffix=".part", dir=out.parent)
            elif isinstance(m.get("chunk"), str) and tmp_fd >= 0:
                try:
                    data = base64.b64decode(m["chunk"], validate=True)
                except (binascii.Error, ValueError):
                    return _fail(link.host, _("the agent sent a damaged file chunk"))
                written += len(data)
                if written > announced:
                    return _fail(link.host, _("the agent sent more bytes than it announced"))
                os.write(tmp_fd, data)
        if (why := _closed_problem(ch)) is not None:
            return _fail(link.host, why)
        status = ch.closed.fields.get("exit-status") if ch.closed else None
        if out is None or written != announced:
            return _fail(
                link.host, _("no bundle came back (the report there ended with status {status})").format(status=status)
            )
        os.fsync(tmp_fd)
        os.close(tmp_fd)
        tmp_fd = -1
        os.replace(tmp_path, out)
        tmp_path = ""
        print(_("wrote {out} ({written} bytes, captured on {host})").format(out=out, written=written, host=link.host))
        return 0
    except OSError as exc:
        return _fail(link.host, _("cannot write the bundle: {strerror}").format(strerror=exc.strerror or exc))
    finally:
        if tmp_fd >= 0:
            os.close(tmp_fd)
        if tmp_path:
            Path(tmp_path).unlink(missing_ok=True)


def _bundle_path(output: str | None, remote_name: str) -> Path:
    name = remote_name if _BUNDLE_NAME.fullmatch(remote_name) else f"hwreport-remote-{int(time.time())}.tar.xz"
    if output is None:
        return Path.cwd() / name
    p = Path(output)
    return p / name if p.is_dir() else p
