"""CLI: ``graphics`` prints the graphics chain (with session, OpenGL, Vulkan); ``edid`` decodes EDIDs."""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hwinspector.i18n import _
from hwinspector.probes.errors import InputFormatError

if TYPE_CHECKING:
    from hwinspector.probes.graphics.edid.decode import Edid

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2
_CONNECTOR_DIR = re.compile(r"^card\d+-.+$")


def register(sub: Any) -> None:
    gfx = sub.add_parser(
        "graphics",
        help=_("the graphics chain: GPU, driver, DRM, connectors, monitors, OpenGL, Vulkan, session"),
        description=_(
            "Print each GPU's chain. Exit 1 when the chain has problems (a GPU without a driver, "
            "software rendering on a machine with a GPU, a connected output that is disabled, EDID errors)."
        ),
    )
    gfx.add_argument(
        "--from",
        dest="source",
        metavar="PATH",
        help=_("read a udevadm --export-db dump or a umockdev recording instead of the live machine"),
    )
    gfx.add_argument("--json", action="store_true", help=_("machine-readable output"))
    edid = sub.add_parser(
        "edid",
        help=_("decode EDID files (binary or hex dumps); without FILE, the EDIDs of this machine's connectors"),
        description=_(
            "Decode EDIDs: sysfs edid files, .bin files, or text with a hex dump (edid-decode, xrandr "
            "--props, Xorg logs). Exit 2 when a file cannot be read or holds no EDID."
        ),
    )
    edid.add_argument("files", nargs="*", metavar="FILE")
    edid.add_argument("--json", action="store_true", help=_("machine-readable output"))
    edid.add_argument("--sysfs", default="/sys", help=argparse.SUPPRESS)  # tests point it at a fake tree


def run(args: argparse.Namespace) -> int | None:
    if args.command == "graphics":
        return cmd_graphics(args.source, args.json, Path(args.sysfs), Path(args.procfs))
    if args.command == "edid":
        return cmd_edid(args.files, args.json, Path(args.sysfs))
    return None


def cmd_graphics(source: str | None, as_json: bool, sysfs: Path = Path("/sys"), procfs: Path = Path("/proc")) -> int:
    # Imported here: the graphics modules bring Qt's core library, which the other commands never need.
    from hwinspector.models.graphics_lanes import chain_text
    from hwinspector.probes.graphics.stack import read_live_stack, stack_from_devices
    from hwinspector.probes.machine.snapshot import load_snapshot

    if source:
        snap = load_snapshot(source)  # InputFormatError: exit 2, with its one-line reason
        stack = stack_from_devices(snap.devices, snap.source.kind, snap.source.label)
    else:
        stack = read_live_stack(sysfs, procfs=procfs)
    if as_json:
        json.dump(stack.to_json(), sys.stdout, indent=1, ensure_ascii=False)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(chain_text(stack))
    return EXIT_PROBLEMS if stack.all_problems else EXIT_OK


def live_edid_files(sysfs: Path = Path("/sys")) -> list[Path]:
    """The non-empty ``edid`` attributes of every connector under /sys/class/drm, in name order."""
    drm = sysfs / "class" / "drm"
    try:
        names = sorted(n for n in os.listdir(drm) if _CONNECTOR_DIR.match(n))
    except OSError:
        return []
    out = []
    for name in names:
        path = drm / name / "edid"
        try:
            if path.stat().st_size > 0 or path.read_bytes():  # sysfs reports size 0 for every attribute
                out.append(path)
        except OSError:
            continue
    return out


def _load(path: Path) -> tuple[Edid | None, str | None]:
    """(the decoded EDID, None) or (None, why this file is not one)."""
    from hwinspector.probes.graphics.edid.decode import decode_edid, edid_bytes

    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, _("cannot read: {strerror}").format(strerror=exc.strerror or exc)
    try:
        data = edid_bytes(raw, str(path))
    except InputFormatError as exc:
        return None, exc.reason
    edid = decode_edid(data)
    if edid.base is None:
        return None, _("not an EDID: ") + "; ".join(edid.errors)
    return edid, None


def cmd_edid(files: list[str], as_json: bool, sysfs: Path) -> int:
    from hwinspector.models.graphics_detail import edid_rows

    paths = [Path(f) for f in files] if files else live_edid_files(sysfs)
    if not files and not paths:
        print(
            _("hwinspector: no connector under {sysfs} has an EDID").format(sysfs=sysfs / "class" / "drm"),
            file=sys.stderr,
        )
    failed = 0
    docs: list[dict[str, Any]] = []
    blocks: list[str] = []
    for path in paths:
        edid, error = _load(path)
        if edid is None:
            failed += 1
            print(_("hwinspector: {path}: {error}").format(path=path, error=error), file=sys.stderr)
            docs.append({"file": str(path), "error": error})
            continue
        docs.append({"file": str(path), **edid.to_json()})
        rows = edid_rows(edid)
        width = max(len(k) for k, _unused in rows) + 1
        blocks.append("\n".join([str(path), *(f"  {k + ':':<{width}} {v}" for k, v in rows)]))
    if as_json:
        json.dump(docs, sys.stdout, indent=1, ensure_ascii=False)
        sys.stdout.write("\n")
    elif blocks:
        print("\n\n".join(blocks))
    return EXIT_USAGE if failed else EXIT_OK
