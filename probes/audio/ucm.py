"""Which UCM profile (alsa-ucm-conf) a card gets, found the way alsa-lib finds it.

alsa-lib (src/ucm/parser.c, ``parse_toplevel_path``) reads ``ucm2/ucm.conf`` and tries its
``UseCasePath`` entries in order; the first ``Directory/File`` that is readable wins. The stock
ucm.conf (alsa-ucm-conf 1.2.6+) enables, for a hardware card:

    conf.d/<Driver>/<CardLongName>.conf       (Driver: ALSA's driver name, or the kernel driver's
    conf.d/<Driver>/<Driver>.conf              name when ALSA gives none)
    module/<KernelModule>.conf                (only with Define.V2Module non-empty)
    <CardDriver>/<CardLongName>.conf          (only with Define.V2Name non-empty)
    <CardDriver>/<CardDriver>.conf
    ../ucm/<CardLongName>/<CardLongName>.conf (UCM v1, only with Define.V1 non-empty)
    ../ucm/<CardName>/<CardName>.conf

``ALSA_CONFIG_UCM2`` replaces the ucm2 directory, as in alsa-lib.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

UCM2_ROOT = Path("/usr/share/alsa/ucm2")
_DEFINE = re.compile(r'^\s*Define\.(V1|V2ConfD|V2Module|V2Name)\s+(?:"([^"]*)"|(\S+))', re.MULTILINE)
# ucm.conf's own defaults, for a ucm.conf that does not define a flag
_DEFAULT_FLAGS = {"V1": "", "V2ConfD": "yes", "V2Module": "", "V2Name": ""}


@dataclass(frozen=True, slots=True)
class UcmMatch:
    status: str  # "found" | "none" | "unknown" (the source cannot tell) | "absent" (no alsa-ucm-conf)
    path: str | None  # the profile file alsa-lib opens
    tried: tuple[str, ...]  # what was looked for, in alsa-lib's order
    note: str = ""


def ucm_root(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    return Path(env.get("ALSA_CONFIG_UCM2") or UCM2_ROOT)


def read_flags(root: Path) -> dict[str, str] | None:
    """The Define.V* switches of ucm.conf; None when there is no (readable) ucm.conf."""
    try:
        text = (root / "ucm.conf").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    flags = dict(_DEFAULT_FLAGS)
    for m in _DEFINE.finditer(text):
        value = m[2] if m[2] is not None else m[3]
        flags[m[1]] = "" if value.startswith("#") else value
    return flags


def candidates(
    card_driver: str, long_name: str, card_name: str, kernel_driver: str | None, kernel_module: str | None,
    flags: Mapping[str, str],
) -> list[str]:  # fmt: skip
    """The paths alsa-lib tries, relative to the ucm2 directory (v1 paths start with ../ucm/)."""
    out: list[str] = []
    driver = card_driver or (kernel_driver or "")
    if flags.get("V2ConfD") and driver:
        out += [f"conf.d/{driver}/{long_name}.conf", f"conf.d/{driver}/{driver}.conf"]
    if flags.get("V2Module") and kernel_module:
        out.append(f"module/{kernel_module}.conf")
    if flags.get("V2Name") and card_driver:
        out += [f"{card_driver}/{long_name}.conf", f"{card_driver}/{card_driver}.conf"]
    if flags.get("V1"):
        out += [f"../ucm/{long_name}/{long_name}.conf", f"../ucm/{card_name}/{card_name}.conf"]
    return out


def _safe(rel: str) -> bool:
    # A long name comes from the card (or a foreign bundle): never let it climb out of the tree.
    parts = rel.split("/")
    body = parts[2:] if parts[:2] == ["..", "ucm"] else parts
    return all(p not in ("", ".", "..") for p in body)


def find_ucm(
    card_driver: str,
    long_name: str,
    card_name: str,
    kernel_driver: str | None,
    kernel_module: str | None,
    root: Path = UCM2_ROOT,
) -> UcmMatch:
    flags = read_flags(root)
    if flags is None:
        return UcmMatch("absent", None, (), f"no {root / 'ucm.conf'}: alsa-ucm-conf is not installed")
    tried = candidates(card_driver, long_name, card_name, kernel_driver, kernel_module, flags)
    for rel in tried:
        if not _safe(rel):
            continue
        path = root / rel
        if os.access(path, os.R_OK) and path.is_file():
            return UcmMatch("found", str(path), tuple(tried), _conditional_note(path))
    return UcmMatch("none", None, tuple(tried))


def _conditional_note(path: Path) -> str:
    """Profiles that switch themselves off (HDA-Intel.conf serves AMD ACP and dual-codec machines only)."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")[:20000]
    except OSError:
        return ""
    if re.search(r'^\s*Define\.Use\s+""', text, re.MULTILINE):
        return (
            "used only on some machines (the profile checks the card first); "
            "elsewhere the sound server's own profiles apply"
        )
    return ""
