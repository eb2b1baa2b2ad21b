"""Fuzzing of every parser that reads files from other people, for a fixed time budget (not in make test).

Engines: "mutation" (always: seeded byte mutations of corpus files and random bytes; the property-based
hypothesis tests of the same parsers run in make test) and atheris (coverage-guided libFuzzer, where
`pip install atheris` works: `make fuzz` installs it). A target "fails" when anything but the parser's documented error
escapes. Prints JSON: per target, inputs tried and findings (each saved under --findings DIR so it can
become a regression test).

    python benchmarks/fuzz.py [--seconds 30] [--engine mutation|atheris|both] [--target NAME]
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import json
import os
import random
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("HWINSPECTOR_CORPUS", REPO.parent / "shared" / "corpus"))


def _targets() -> dict[str, tuple[Callable[[bytes], object], tuple[type[BaseException], ...], list[Path]]]:
    """name -> (parse function over bytes, the exceptions it may raise by contract, seed files)."""
    import tempfile

    from hwinspector.probes.devices.udevdump import parse_dump
    from hwinspector.probes.errors import InputFormatError
    from hwinspector.probes.graphics.edid.decode import decode_edid, edid_bytes
    from hwinspector.probes.graphics.gl.text import parse_eglinfo, parse_glxinfo
    from hwinspector.probes.graphics.vulkan.probe import parse_vulkaninfo_summary
    from hwinspector.probes.kernel_log import parse_dmesg_text, parse_kmsg_record
    from hwinspector.probes.telemetry.recording import read_recording

    tmp = Path(tempfile.mkdtemp(prefix="hwinspector-fuzz-"))

    def recording(data: bytes) -> object:
        p = tmp / "r.jsonl.gz"
        p.write_bytes(data)
        return read_recording(p)

    def recording_inner(data: bytes) -> object:
        # mutate the JSON lines inside, not only the gzip container
        return recording(gzip.compress(data))

    def edid(data: bytes) -> object:
        try:
            raw = edid_bytes(data)
        except InputFormatError:
            raw = data
        return decode_edid(raw).to_json()

    def text(fn: Callable[[str], object]) -> Callable[[bytes], object]:
        return lambda data: fn(data.decode("utf-8", "replace"))

    seeds_udev = sorted((CORPUS / "udev").rglob("*.txt"))[:4] + sorted((CORPUS / "udev").rglob("*.umockdev"))[:4]
    seeds_edid = sorted((CORPUS / "edid").rglob("*.bin"))[:40] + sorted((REPO / "tests/data/edid").glob("*"))
    seeds_gl = sorted((CORPUS / "drm").rglob("*glxinfo*"))[:10] + sorted((REPO / "tests/data/gl").glob("*"))
    targets: dict[str, tuple[Callable[[bytes], object], tuple[type[BaseException], ...], list[Path]]] = {
        "udevadm-dump": (text(parse_dump), (InputFormatError,), seeds_udev),
        "edid": (edid, (), seeds_edid),
        "recording": (recording, (InputFormatError,), []),
        "recording-lines": (recording_inner, (InputFormatError,), []),
        "glxinfo": (text(parse_glxinfo), (InputFormatError,), seeds_gl),
        "eglinfo": (text(parse_eglinfo), (InputFormatError,), seeds_gl),
        "vulkaninfo": (
            text(parse_vulkaninfo_summary),
            (InputFormatError,),
            sorted((REPO / "tests/data/gl").glob("*vulkan*")),
        ),
        "dmesg": (text(parse_dmesg_text), (), sorted((CORPUS / "other").rglob("*dmesg*"))[:5]),
        "kmsg-record": (text(parse_kmsg_record), (), []),
    }
    try:  # bundles, where the bundle reader exists
        from hwinspector.report.open_bundle import open_bundle  # type: ignore[import-not-found]

        def bundle(data: bytes) -> object:
            p = tmp / "b.tar.xz"
            p.write_bytes(data)
            return open_bundle(p)

        targets["bundle"] = (bundle, (InputFormatError,), [])
    except ImportError:
        pass
    return targets


def _seed_bytes(paths: list[Path], limit: int = 256 * 1024) -> list[bytes]:
    out = []
    for p in paths:
        try:
            if p.is_file():
                out.append(p.read_bytes()[:limit])
        except OSError:
            continue
    return out or [b""]


def _mutate(rng: random.Random, data: bytes) -> bytes:
    b = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        op = rng.randrange(6)
        pos = rng.randrange(len(b) + 1)
        if op == 0 and b:
            b[min(pos, len(b) - 1)] = rng.randrange(256)
        elif op == 1:
            b[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
        elif op == 2 and b:
            del b[pos : pos + rng.randint(1, 64)]
        elif op == 3 and b:
            start = rng.randrange(len(b))
            b[pos:pos] = b[start : start + rng.randint(1, 128)]
        elif op == 4:
            b = b[: rng.randrange(len(b) + 1)]
        else:
            b[pos:pos] = rng.choice([b"\x00", b"\n\n", b"=", b"P: /devices/", b"E: ", b"\xff" * 8, b"{", b'"'])
    return bytes(b)


def run_mutation(name: str, seconds: float, findings: Path) -> dict[str, object]:
    """Seeded mutation fuzzing: reproducible, no instrumentation."""
    fn, allowed, seeds = _targets()[name]
    rng = random.Random(1234)
    pool = _seed_bytes(seeds)
    tried = 0
    found: list[str] = []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        base = rng.choice(pool) if rng.random() < 0.9 else bytes(rng.randrange(256) for _ in range(rng.randrange(512)))
        data = _mutate(rng, base)
        tried += 1
        try:
            fn(data)
        except allowed:
            pass
        except Exception as exc:
            key = f"{type(exc).__name__}: {str(exc)[:80]}"
            if key not in found:
                found.append(key)
                findings.mkdir(parents=True, exist_ok=True)
                (findings / f"{name}-{len(found)}.bin").write_bytes(data)
                (findings / f"{name}-{len(found)}.txt").write_text(traceback.format_exc())
    return {"engine": "mutation", "inputs": tried, "findings": found}


def run_atheris(name: str, seconds: float, findings: Path) -> dict[str, object]:
    findings.mkdir(parents=True, exist_ok=True)
    # the corpus as seeds: libFuzzer reads (and adds to) this directory
    seeds = findings / f"seeds-{name}"
    seeds.mkdir(exist_ok=True)
    for i, data in enumerate(_seed_bytes(_targets()[name][2])):
        (seeds / f"seed-{i}").write_bytes(data)
    proc = subprocess.run(
        [
            sys.executable,
            __file__,
            "--atheris-child",
            name,
            "--findings",
            str(findings),
            f"-max_total_time={int(seconds)}",
            "-rss_limit_mb=2048",
            f"-artifact_prefix={findings}/{name}-",
            str(seeds),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode == 3:
        return {"engine": "atheris", "unavailable": proc.stderr.strip().splitlines()[-1]}
    runs = [ln for ln in proc.stderr.splitlines() if "Done" in ln and "runs" in ln]
    crashed = proc.returncode != 0
    return {
        "engine": "atheris",
        "summary": runs[-1] if runs else "",
        "findings": ([proc.stderr.strip().splitlines()[-1]] if crashed else []),
    }


def atheris_child(name: str) -> int:
    try:
        import atheris
    except ImportError:
        print("atheris is not installed (pip install atheris)", file=sys.stderr)
        return 3
    with atheris.instrument_imports():
        targets = _targets()
    fn, allowed, _seeds = targets[name]

    def one(data: bytes) -> None:
        with contextlib.suppress(*allowed):
            fn(data)

    libfuzzer_args = [a for a in sys.argv[3:] if (a.startswith("-") and "=" in a) or Path(a).is_dir()]
    atheris.Setup([sys.argv[0], *libfuzzer_args], one)
    atheris.Fuzz()
    return 0


def main() -> int:
    if len(sys.argv) > 2 and sys.argv[1] == "--atheris-child":
        return atheris_child(sys.argv[2])
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=20.0, help="budget per target and engine")
    ap.add_argument("--engine", choices=("mutation", "atheris", "both"), default="both")
    ap.add_argument("--target", action="append", help="only these targets")
    ap.add_argument("--findings", default="/tmp/hwinspector-fuzz-findings")
    args = ap.parse_args()
    findings = Path(args.findings)
    names = args.target or list(_targets())
    results: dict[str, list[dict[str, object]]] = {}
    for name in names:
        results[name] = []
        if args.engine in ("mutation", "both"):
            results[name].append(run_mutation(name, args.seconds, findings))
        if args.engine in ("atheris", "both"):
            results[name].append(run_atheris(name, args.seconds, findings))
    total = sum(len(r.get("findings", [])) for rs in results.values() for r in rs)  # type: ignore[arg-type]
    print(
        json.dumps(
            {
                "benchmark": "fuzz",
                "seconds_per_target": args.seconds,
                "targets": results,
                "findings": total,
                "findings_dir": str(findings),
            },
            indent=1,
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
