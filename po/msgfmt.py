"""Compile gettext .po catalogues to .mo without GNU gettext: the wheel, the .deb and the snap build with it.

GNU msgfmt is the reference (tests/test_translations.py compares the two); this one writes the same
catalogue (untranslated and fuzzy entries left out, no hash table, which readers do not need).
Usage: python3 po/msgfmt.py [PO_DIR] [OUT_DIR] -> OUT_DIR/<lang>/LC_MESSAGES/hwinspector.mo
"""

from __future__ import annotations

import ast
import struct
import sys
from pathlib import Path

DOMAIN = "hwinspector"


class PoError(ValueError):
    """A .po file this compiler cannot read (the line says where)."""


def read_po(text: str, name: str = "<po>") -> dict[str, tuple[str, bool]]:
    """Every entry: msgid (msgctxt + "\\x04" before it, "\\0" + msgid_plural after it) -> (msgstr, fuzzy); plural
    forms joined by "\\0"; untranslated entries have an empty msgstr; obsolete (#~) entries are left out."""
    entries: dict[str, tuple[str, bool]] = {}
    cur: dict[str, str] = {}
    forms: dict[int, str] = {}
    fuzzy = False
    key = ""

    def flush() -> None:
        nonlocal cur, forms, fuzzy
        if "msgid" in cur:
            msgid = cur["msgid"]
            if "msgid_plural" in cur:
                msgid += "\0" + cur["msgid_plural"]
                msgstr = "\0".join(forms[i] for i in sorted(forms))
            else:
                msgstr = cur.get("msgstr", "")
            if "msgctxt" in cur:
                msgid = cur["msgctxt"] + "\x04" + msgid
            entries[msgid] = (msgstr, fuzzy)
        cur, forms, fuzzy = {}, {}, False

    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if line.startswith("#,") and "fuzzy" in line:
            if key.startswith("msgstr"):
                flush()
                key = ""
            fuzzy = True
            continue
        if not line or line.startswith("#"):
            continue
        word, _sep, rest = line.partition(" ")
        if word.startswith("msg"):
            if word in ("msgctxt", "msgid") and key.startswith("msgstr"):
                flush()
            key = word
            line = rest.strip()
        try:
            value = ast.literal_eval(line)
        except (ValueError, SyntaxError) as exc:
            raise PoError(f"{name}:{lineno}: not a quoted string: {raw!r}") from exc
        if not isinstance(value, str):
            raise PoError(f"{name}:{lineno}: not a quoted string: {raw!r}")
        if key.startswith("msgstr["):
            n = int(key[7:-1])
            forms[n] = forms.get(n, "") + value
        elif key:
            cur[key] = cur.get(key, "") + value
        else:
            raise PoError(f"{name}:{lineno}: text before any keyword")
    flush()
    return entries


def parse_po(text: str, name: str = "<po>") -> dict[str, str]:
    """What goes into the .mo: translated entries that are not fuzzy (the header even when it is)."""
    return {
        msgid: msgstr
        for msgid, (msgstr, fuzzy) in read_po(text, name).items()
        if msgstr.replace("\0", "") and (not fuzzy or msgid == "")
    }


def mo_bytes(entries: dict[str, str]) -> bytes:
    """The GNU .mo layout (little endian, revision 0), keys sorted as gettext's binary search needs."""
    keys = sorted(entries, key=lambda k: k.encode())
    ids = [k.encode() for k in keys]
    strs = [entries[k].encode() for k in keys]
    n = len(keys)
    start = 7 * 4 + 16 * n
    offsets: list[tuple[int, int]] = []
    blob = b""
    for s in ids:
        offsets.append((len(s), start + len(blob)))
        blob += s + b"\0"
    for s in strs:
        offsets.append((len(s), start + len(blob)))
        blob += s + b"\0"
    header = struct.pack("<7I", 0x950412DE, 0, n, 7 * 4, 7 * 4 + 8 * n, 0, 0)
    table = b"".join(struct.pack("<2I", length, off) for length, off in offsets)
    return header + table + blob


def compile_dir(po_dir: Path, out_dir: Path) -> list[Path]:
    """Every <lang>.po in po_dir to out_dir/<lang>/LC_MESSAGES/hwinspector.mo; returns what it wrote."""
    written = []
    for po in sorted(po_dir.glob("*.po")):
        target = out_dir / po.stem / "LC_MESSAGES" / f"{DOMAIN}.mo"
        target.parent.mkdir(parents=True, exist_ok=True)
        data = mo_bytes(parse_po(po.read_text(encoding="utf-8"), str(po)))
        if not target.exists() or target.read_bytes() != data:
            target.write_bytes(data)
        written.append(target)
    return written


if __name__ == "__main__":
    here = Path(__file__).resolve().parent
    src = Path(sys.argv[1]) if len(sys.argv) > 1 else here
    dst = Path(sys.argv[2]) if len(sys.argv) > 2 else here.parent / "resources" / "locale"
    for path in compile_dir(src, dst):
        print(path)
