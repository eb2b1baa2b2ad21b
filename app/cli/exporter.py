"""CLI: ``exporter`` serves Prometheus metrics on loopback, or writes them for node_exporter's textfile collector."""

from __future__ import annotations

import argparse
import ipaddress
import signal
import socket
import sys
import threading
from pathlib import Path
from socketserver import ThreadingMixIn
from types import FrameType
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer
from wsgiref.simple_server import make_server as wsgi_make_server

from hwinspector.i18n import _

EXIT_OK, EXIT_USAGE = 0, 2
DEFAULT_LISTEN = "127.0.0.1:9877"


def register(sub: Any) -> None:
    p = sub.add_parser(
        "exporter",
        help=_(
            "Prometheus metrics: serve them (loopback by default) or write them for node_exporter's textfile collector"
        ),
        description=_(
            "Sensors, power supplies, thermal zones, CPU frequencies and RAPL under node_exporter's names; "
            "the scorecard, telemetry channels (with the reason where one is unreadable) and idle results as "
            "hwinspector_* metrics. Slow parts are cached with their age, so a scrape never waits for them."
        ),
    )
    p.add_argument(
        "--listen",
        metavar="ADDR:PORT",
        help=_(
            "serve /metrics here (default {DEFAULT_LISTEN}; another address only when given: anyone "
            "who can reach it can read this machine's hardware metrics)"
        ).format(DEFAULT_LISTEN=DEFAULT_LISTEN),
    )
    p.add_argument(
        "--textfile",
        metavar="DIR",
        help=_(
            "write DIR/hwinspector.prom atomically (node_exporter --collector.textfile.directory) instead of serving"
        ),
    )
    p.add_argument(
        "--interval",
        type=float,
        default=60.0,
        metavar="S",
        help=_("with --textfile: rewrite every S seconds (default 60)"),
    )
    p.add_argument("--once", action="store_true", help=_("with --textfile: write once and exit (cron, systemd timers)"))
    p.add_argument(
        "--node-metrics",
        choices=("auto", "yes", "no"),
        default="auto",
        help=_(
            "node_exporter-named metrics (auto: with --listen yes, with --textfile no: node_exporter has them "
            "itself and refuses a scrape in which a series comes twice)"
        ),
    )
    p.add_argument("--no-scorecard", action="store_true", help=_("leave out the enablement scorecard"))
    p.add_argument("--no-gl", action="store_true", help=_("scorecard without the OpenGL and Vulkan probes"))
    p.add_argument(
        "--scorecard-every",
        type=float,
        default=300.0,
        metavar="S",
        help=_("re-judge the scorecard at most every S seconds (default 300)"),
    )
    p.add_argument(
        "--idle-json", metavar="FILE", help=_("export the idle result a timer wrote (hwinspector idle --json)")
    )
    p.add_argument("--idle-every", type=float, metavar="S", help=_("measure idle (hwinspector idle) every S seconds"))
    p.add_argument("--idle-duration", type=float, default=20.0, metavar="S", help=_("idle window (default 20 s)"))
    p.add_argument("--sysfs", default="/sys", help=argparse.SUPPRESS)  # tests point it at a fake tree
    p.add_argument("--procfs", default="/proc", help=argparse.SUPPRESS)
    p.add_argument("--fresh", action="store_true", help=argparse.SUPPRESS)  # benchmarks: no cache for fast sources


def parse_listen(text: str) -> tuple[str, int]:
    """ "127.0.0.1:9877", "[::1]:9877", "localhost:9877" -> (host, port); ValueError with the reason."""
    host, sep, port_text = text.rpartition(":")
    if not sep or not host:
        raise ValueError(
            _("{text!r}: expected ADDR:PORT, e.g. {DEFAULT_LISTEN}").format(text=text, DEFAULT_LISTEN=DEFAULT_LISTEN)
        )
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    try:
        port = int(port_text)
    except ValueError:
        raise ValueError(_("{text!r}: the port must be a number").format(text=text)) from None
    if not 0 <= port <= 65535:
        raise ValueError(_("{text!r}: the port must be between 0 and 65535").format(text=text))
    return host, port


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def run(args: argparse.Namespace) -> int | None:
    if args.command != "exporter":
        return None
    if args.listen and args.textfile:
        print(_("hwinspector: --listen and --textfile are two ways to export: choose one"), file=sys.stderr)
        return EXIT_USAGE
    for flag, value in (("--interval", args.interval), ("--scorecard-every", args.scorecard_every)):
        if not value > 0:
            print(_("hwinspector: {flag} must be more than 0 seconds").format(flag=flag), file=sys.stderr)
            return EXIT_USAGE
    if args.idle_json and args.idle_every is not None:
        print(
            _("hwinspector: --idle-json and --idle-every are two sources of idle results: choose one"), file=sys.stderr
        )
        return EXIT_USAGE
    if args.textfile:
        directory = Path(args.textfile)
        if not directory.is_dir():
            print(_("hwinspector: {directory} is not a folder").format(directory=directory), file=sys.stderr)
            return EXIT_USAGE
    try:
        listen = parse_listen(args.listen or DEFAULT_LISTEN)
    except ValueError as exc:
        print(_("hwinspector: --listen {exc}").format(exc=exc), file=sys.stderr)
        return EXIT_USAGE

    from prometheus_client import CollectorRegistry

    from hwinspector import __version__
    from hwinspector.probes.export.collector import ExporterConfig, HardwareCollector

    node = args.node_metrics == "yes" or (args.node_metrics == "auto" and not args.textfile)
    config = ExporterConfig(
        sysfs=Path(args.sysfs),
        procfs=Path(args.procfs),
        node_metrics=node,
        scorecard=not args.no_scorecard,
        include_gl=not args.no_gl,
        scorecard_max_age_s=args.scorecard_every,
        **({"node_max_age_s": 0.0, "channels_max_age_s": 0.0} if args.fresh else {}),
        idle_json=Path(args.idle_json) if args.idle_json else None,
        idle_every_s=args.idle_every,
        idle_duration_s=args.idle_duration,
    )
    collector = HardwareCollector(config, __version__)
    registry = CollectorRegistry(auto_describe=False)
    registry.register(collector)
    stop = _stop_on_signals()
    if args.textfile:
        return _textfile_loop(collector, Path(args.textfile), args.interval, args.once, stop)
    return _serve(registry, collector, listen, stop)


def _stop_on_signals() -> threading.Event:
    stop = threading.Event()

    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)
    return stop


def _serve(registry: Any, collector: Any, listen: tuple[str, int], stop: threading.Event) -> int:
    host, port = listen
    if not is_loopback(host):
        print(
            _(
                "hwinspector: listening on {host}, not on loopback: anyone who can reach this address can "
                "read this machine's hardware metrics"
            ).format(host=host),
            file=sys.stderr,
        )
    try:
        server = make_server(host, port, registry)
    except OSError as exc:
        print(
            _("hwinspector: cannot listen on {host}:{port}: {strerror}").format(
                host=host, port=port, strerror=exc.strerror or exc
            ),
            file=sys.stderr,
        )
        return EXIT_USAGE
    thread = threading.Thread(target=server.serve_forever, name="exporter-http", daemon=True)
    thread.start()
    bound_host, bound_port = str(server.server_address[0]), int(server.server_address[1])
    shown = f"[{bound_host}]" if ":" in bound_host else bound_host
    print(_("serving metrics on {url}").format(url=f"http://{shown}:{bound_port}/metrics"), flush=True)
    for source in collector.sources():  # the first scorecard takes seconds: start it before the first scrape
        source.status(0.0)
    stop.wait()
    server.shutdown()
    server.server_close()
    thread.join(5)
    return EXIT_OK


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """No line per scrape on stderr."""


def make_server(host: str, port: int, registry: Any) -> WSGIServer:
    """prometheus_client's WSGI app on a threading server bound to exactly ``host`` (IPv4 or IPv6)."""
    from prometheus_client import make_wsgi_app

    family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]

    class Server(ThreadingMixIn, WSGIServer):
        daemon_threads = True
        address_family = family

    return wsgi_make_server(host, port, make_wsgi_app(registry), Server, handler_class=_QuietHandler)


def _textfile_loop(collector: Any, directory: Path, interval: float, once: bool, stop: threading.Event) -> int:
    from prometheus_client.exposition import generate_latest

    from hwinspector.probes.export.textfile import write_atomic

    class _Once:
        def collect(self) -> Any:
            return collector.collect(wait_all=True)

    from prometheus_client import CollectorRegistry

    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Once())
    while True:
        text = generate_latest(registry).decode("utf-8")
        try:
            target = write_atomic(directory, text)
        except OSError as exc:
            print(
                _("hwinspector: cannot write {directory}: {strerror}").format(
                    directory=directory, strerror=exc.strerror or exc
                ),
                file=sys.stderr,
            )
            return EXIT_USAGE
        if once:
            print(_("wrote {target}").format(target=target), flush=True)
            return EXIT_OK
        if stop.wait(interval):
            return EXIT_OK
