"""Root-only GPU dumps for a bug report, through the privileged helper's gpu_dump op (pkexec asks first)."""

from __future__ import annotations

import re
import time

from hwinspector.probes.privileged.gpu_dumps import decode
from hwinspector.report.raw_collectors import BINARY, RawResult, RawSpec

# helper id → the artifact path the bug report attaches (the names live_extra.root_files gives as root)
_PATHS = (
    (re.compile(r"^error-state:(card\d+)$"), "raw/drm/{0}-error-state.txt"),
    (re.compile(r"^devcoredump:(devcd\d+)$"), "raw/drm/{0}-devcoredump.txt"),
    (re.compile(r"^vbt:(dri\d+)$"), "raw/drm/{0}-i915_vbt.bin"),
    (re.compile(r"^amdgpu-firmware:(dri\d+)$"), "raw/drm/{0}-amdgpu_firmware_info.txt"),
)


def artifact_path(ident: str) -> str | None:
    for rx, pattern in _PATHS:
        m = rx.match(ident)
        if m:
            return pattern.format(m[1])
    return None


def read_gpu_dumps(client: object | None = None) -> tuple[list[RawResult], str | None]:
    """(what the helper read, why nothing could be read); never raises."""
    from hwinspector.probes.privileged.client import HelperClient, HelperRefused, HelperUnavailable

    try:
        helper = client if client is not None else HelperClient()
    except HelperUnavailable as exc:
        return [], str(exc)
    assert isinstance(helper, HelperClient)
    out: list[RawResult] = []
    try:
        listed = helper.request("list").get("gpu_dumps") or []
        for entry in listed:
            ident = str(entry.get("id", "")) if isinstance(entry, dict) else ""
            path = artifact_path(ident)
            if path is None:
                continue
            started = time.time()
            try:
                answer = helper.request("gpu_dump", dump=ident, timeout_s=60.0)
                data = decode(answer)
            except (HelperRefused, ValueError) as exc:
                out.append(RawResult(RawSpec(path, "drm", ident), "skipped", error=str(exc)))
                continue
            media = BINARY if path.endswith(".bin") else "text/plain; charset=utf-8"
            spec = RawSpec(path, "drm", ident, media_type=media, probe=f"hwinspector-helper gpu_dump {ident}")
            note = "cut at the helper's cap" if answer.get("truncated") else None
            out.append(
                RawResult(
                    spec,
                    "ok",
                    data,
                    {"helper_op": "gpu_dump", "id": ident},
                    None,
                    started,
                    time.time(),
                    bool(answer.get("truncated")),
                    note,
                )
            )
    except HelperUnavailable as exc:
        return out, str(exc)
    finally:
        if client is None:
            helper.close()
    kept = [r for r in out if r.status == "ok"]
    return kept, None if kept or not out else "; ".join(r.error or "" for r in out)
