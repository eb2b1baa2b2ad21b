"""The privacy filter: every identifying value becomes a stable HMAC token, in every artifact of a bundle."""

from __future__ import annotations

import gzip
import hashlib
import json as jsonlib
import os
import re
import secrets
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from hwinspector.report import privacy_rules as R
from hwinspector.report.privacy_context import PrivacyContext, gather_context
from hwinspector.report.privacy_rules import CATEGORIES
from hwinspector.report.privacy_text import PrivacyRefused, TextMasker, forbidden_path, token

__all__ = [
    "CATEGORIES",
    "PrivacyContext",
    "PrivacyFilter",
    "PrivacyRefused",
    "forbidden_path",
    "gather_context",
    "key_fingerprint",
    "load_or_create_key",
    "token",
]

KEY_BYTES = 32
MAX_RECORDING_BYTES = 1 << 30  # decompressed; the same cap as probes/recording.py
_VERSIONISH_KEY = re.compile(r"(?i)version|firmware|\bfw|_rev|revision|bios|\bver")


def default_key_path() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local/share")
    return Path(base) / "hwinspector" / "privacy.key"


def load_or_create_key(path: Path | None = None) -> bytes:
    """This installation's secret (hex in a mode-0600 file, created on first use): tokens stay stable
    across captures of one machine, and nobody without the file can brute-force a short serial."""
    p = path or default_key_path()
    try:
        fd = os.open(p, os.O_RDONLY | os.O_NOFOLLOW)
    except FileNotFoundError:
        p.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        key = secrets.token_bytes(KEY_BYTES)
        try:
            fd = os.open(p, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        except FileExistsError:  # another capture created it a moment ago: use that one
            return load_or_create_key(p)
        with os.fdopen(fd, "w") as f:
            f.write(key.hex() + "\n")
            f.flush()
            os.fsync(f.fileno())
        return key
    with os.fdopen(fd, "r") as f:
        if os.fstat(f.fileno()).st_mode & 0o077:
            os.fchmod(f.fileno(), 0o600)  # a key others can read protects nothing
        text = f.read(4096).strip()
    try:
        key = bytes.fromhex(text)
    except ValueError:
        raise ValueError(f"{p}: privacy key is not hex; delete it to create a new one") from None
    if len(key) < 16:
        raise ValueError(f"{p}: privacy key is too short; delete it to create a new one")
    return key


def key_fingerprint(key: bytes) -> str:
    """What the manifest says about the key: enough to tell two keys apart, nothing to recover it."""
    return hashlib.sha256(key).hexdigest()[:16]


class PrivacyFilter(TextMasker):
    """Masks identifiers consistently: one value, one token, in every artifact filtered by this object
    (and by any filter with the same key). A value known in two categories takes the token prefix of
    the first of them in ``CATEGORIES``."""

    def __init__(self, key: bytes, relaxed: Iterable[str] = (), context: PrivacyContext | None = None) -> None:
        super().__init__(key, relaxed)
        order = {c: i for i, c in enumerate(CATEGORIES)}
        for cat, value in sorted(context.known if context else (), key=lambda cv: order.get(cv[0], len(order))):
            self.learn(cat, value)

    def learn_json(self, obj: Any, *, where: str = "") -> None:
        """Harvest what a structure names under serial-like keys (see ``learn_text``)."""
        self._learn_json(obj, where, None)

    def findings(self) -> dict[str, list[tuple[str, str]]]:
        """category -> [(original, token)]: for the GUI's preview only, never for a bundle."""
        return {c: list(m.items()) for c, m in self._masked.items()}

    def counts(self) -> dict[str, int]:
        """How many distinct values of each category were found (relaxed ones were left as they are)."""
        return {c: len(m) for c, m in self._masked.items()}

    # --- structured data, binaries, recordings ----------------------------------------------------

    def json(self, obj: Any, *, where: str = "") -> Any:
        """Mask a JSON-ready structure: keys and values; serial-like keys mask their whole value."""
        if forbidden_path(where):
            raise PrivacyRefused(f"{where}: the MSDM table is never exported")
        self._learn_json(obj, where, None)
        return self._json(obj, where, None)

    def _learn_json(self, obj: Any, hint: str, key: str | None) -> None:
        """Learn keyed values first: ID_SERIAL comes before ID_SERIAL_SHORT in a device's properties."""
        if isinstance(obj, dict):
            path = obj.get("path") or obj.get("devpath")
            if isinstance(path, str) and path.startswith("/devices/"):
                hint = f"{hint} {path} {obj.get('subsystem') or ''}"
            for k, v in obj.items():
                if isinstance(k, str):
                    self._learn_json(v, f"{hint} {k}" if _nested(v) else hint, k)
        elif isinstance(obj, list | tuple):
            for v in obj:
                self._learn_json(v, hint, key)
        elif isinstance(obj, str | int) and not isinstance(obj, bool) and key is not None:
            cat = R.key_category(key, hint, "json")
            if cat is not None and R.whole_value_identifies(key, str(obj)) and str(obj) not in ("", "0"):
                self.learn(cat, str(obj))
        elif isinstance(obj, str) and "/home/" in obj:
            for m in R.HOME.finditer(obj):
                self.learn("home", m["v"])

    def _json(self, obj: Any, hint: str, key: str | None) -> Any:
        if isinstance(obj, dict):
            path = obj.get("path") or obj.get("devpath")
            if isinstance(path, str) and path.startswith("/devices/"):
                hint = f"{hint} {path} {obj.get('subsystem') or ''}"
            out: dict[Any, Any] = {}
            for k, v in obj.items():
                if isinstance(k, str):
                    out[self.text(k, where=hint)] = self._json(v, f"{hint} {k}" if _nested(v) else hint, k)
                else:
                    out[k] = self._json(v, hint, None)
            return out
        if isinstance(obj, list | tuple):
            return [self._json(v, hint, key) for v in obj]
        cat = R.key_category(key, hint, "json") if key is not None else None
        if isinstance(obj, str):
            if R.EDID_HEX.fullmatch(obj):
                return self.edid(bytes.fromhex(obj)).hex()
            if cat is not None and obj.strip():
                return self._keyed_value(key or "", cat, obj)
            return self.text(obj, where=hint, versionish=bool(key and _VERSIONISH_KEY.search(key)))
        if isinstance(obj, int) and not isinstance(obj, bool) and cat is not None and obj != 0:
            masked = self._mask(cat, str(obj))
            return obj if masked == str(obj) else masked
        return obj

    def raw(self, data: bytes, *, where: str) -> bytes:
        """Any artifact as bytes: recordings, EDID binaries, text; other binaries keep their length
        where a value is masked only if it is text (the bytes of a length-sensitive format are not)."""
        if forbidden_path(where):
            raise PrivacyRefused(f"{where}: the MSDM table is never exported")
        if where.endswith(".jsonl.gz"):
            return self.recording(data)
        if data[:8] == bytes.fromhex("00ffffffffffff00") and len(data) % 128 == 0:
            return self.edid(data)
        if data[:2] == b"\x1f\x8b":
            return gzip.compress(self.raw(_gunzip(data, where), where=where.removesuffix(".gz")), mtime=0)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return self.text(data.decode("utf-8", "surrogateescape"), where=where).encode("utf-8", "surrogateescape")
        return self.text(text, where=where).encode("utf-8")

    def recording(self, raw: bytes) -> bytes:
        """A telemetry recording (.jsonl.gz): channel labels, metadata, markers and events masked;
        sample rows kept as they are (numbers only). A cut-off recording stays cut off."""
        text = _gunzip(raw, "recording")
        lines = text.split(b"\n")
        out: list[bytes] = []
        for line in lines:
            if not line or line.startswith(b'{"type": "rows"'):
                out.append(line)
                continue
            try:
                doc = jsonlib.loads(line)
            except ValueError:
                out.append(self.text(line.decode("utf-8", "replace"), where="recording").encode())
                continue
            out.append(jsonlib.dumps(self.json(doc, where="recording")).encode())
        return gzip.compress(b"\n".join(out), mtime=0)


def _gunzip(raw: bytes, where: str) -> bytes:
    """Decompress as far as the stream goes (a killed recorder leaves no trailer), within a budget."""
    d = zlib.decompressobj(47)
    try:
        out = d.decompress(raw, MAX_RECORDING_BYTES + 1)
    except zlib.error as exc:
        raise ValueError(f"{where}: not gzip data ({exc})") from None
    if len(out) > MAX_RECORDING_BYTES:
        raise ValueError(f"{where}: decompresses to more than {MAX_RECORDING_BYTES >> 20} MiB")
    return out


def _nested(v: Any) -> bool:
    return isinstance(v, dict | list | tuple)
