"""Telemetry for the protocol from the full probes: the native sampler runs here, batches cross the link."""

from __future__ import annotations

import math
from typing import Any

from hwinspector.probes.telemetry.channels import read_catalogue
from hwinspector.probes.telemetry.session import (
    TelemetrySession,
    default_selection,
    effective_rate,
    select_channels,
)


class SessionSource:
    def __init__(self, globs: list[str] | None, rate: float | None) -> None:
        readable = [c for c in read_catalogue().channels if c.readable]
        chosen = select_channels(readable, globs) if globs else default_selection(readable)
        self.error: str | None = None
        self.session: TelemetrySession | None = None
        if not chosen:
            self.error = "no readable telemetry channel" + (f" matches {globs}" if globs else "")
            return
        self.rate = rate
        self.session = TelemetrySession(chosen, rate, history_s=2.0)

    def meta(self) -> dict[str, Any]:
        assert self.session is not None
        s = self.session
        return {
            "channels": [
                {
                    "id": c.id,
                    "label": c.label,
                    "unit": c.unit,
                    "kind": c.kind,
                    "rate_hz": effective_rate(c, self.rate),
                    "device": c.device,
                }
                for c in s.channels
            ],
            "backend": s.backend,
            "notice": s.notice,
        }

    def start(self) -> None:
        assert self.session is not None
        self.session.start()

    def poll(self) -> list[dict[str, Any]]:
        assert self.session is not None
        out = []
        for chans, t, v in self.session.poll():
            out.append(
                {
                    "ids": [c.id for c in chans],
                    "t": [int(x) for x in t],
                    "v": [[None if math.isnan(x) else float(x) for x in row] for row in v.tolist()],
                }
            )
        return out

    def stop(self) -> None:
        if self.session is not None:
            self.session.stop()

    def cost(self, final: bool = True) -> dict[str, float]:
        assert self.session is not None
        cost = self.session.cost()
        if final:
            self.session.close()
        return {k: float(v) for k, v in cost.items()}


def catalogue_json() -> dict[str, Any]:
    cat = read_catalogue()
    return {
        "channels": [
            {
                "id": c.id,
                "label": c.label,
                "unit": c.unit,
                "kind": c.kind,
                "max_rate_hz": c.max_rate_hz,
                "device": c.device,
                "readable": c.readable,
                "reason": c.reason,
            }
            for c in cat.channels
        ],
        "unavailable": dict(cat.unavailable),
    }
