"""CLI: ``agent`` serves the remote protocol on stdin/stdout; ``--host`` starts it over ssh."""

from __future__ import annotations

import argparse
from typing import Any

from hwinspector.i18n import _


def register(sub: Any) -> None:
    sub.add_parser(
        "agent",
        help=_("serve the remote protocol on stdin/stdout (what --host HOST starts over ssh)"),
        description=_(
            "Speak hwinspector's framed protocol on standard input and output, for a client that "
            "reached this machine over ssh (hwinspector --host). Probes and the sampler run here; only "
            "results and telemetry batches cross the link. Not for interactive use."
        ),
    )


def run(args: argparse.Namespace) -> int | None:
    if args.command != "agent":
        return None
    from hwinspector.probes.remote.agent import serve_stdio

    return serve_stdio(full=True)
