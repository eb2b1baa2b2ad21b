"""The masking engine: known identifiers, serial-like keys and identifier patterns in any text."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Callable, Iterable

from hwinspector.probes.graphics.edid.decode import serial_masked
from hwinspector.report import privacy_rules as R
from hwinspector.report.privacy_context import edid_identifiers
from hwinspector.report.privacy_rules import CATEGORIES, is_placeholder

# Shorter values are masked only where a key names them ("serial_number=8179"): a four-digit battery
# serial matched everywhere would also eat PCI ids and timestamps.
_GLOBAL_MIN = {"hostname": 3, "user": 3, "home": 3}
_GLOBAL_MIN_DEFAULT = 6
# Long enough to be masked even inside a word: SCSI ids glue the serial to the model
# ("SATA_Hitachi_HTS7232110115E3830063G3TKTA").
_UNBOUNDED_MIN = 10
# Lines holding any of these (lower case) are the only ones the keyed rules need to look at.
_KEY_STEMS: tuple[str, ...] = ("serial", "uuid", "label", "wwn", "wwid", "ssid", "hostname", "asset", "nguid")
_KEY_STEMS += ("eui", "machine", "boot_id", "nodename", "by-", "enx", "wlx", "gpt,")
_MSDM = re.compile(r"msdm", re.I)
_EDID_MAGIC = "00ffffffffffff00"


class PrivacyRefused(ValueError):
    """An artifact that must never leave the machine (the MSDM table holds the Windows product key)."""


def forbidden_path(path: str) -> bool:
    """The ACPI MSDM table (Microsoft Data Management: the OEM Windows licence key) is never exported."""
    return bool(_MSDM.search(path))


def token(key: bytes, category: str, value: str) -> str:
    """``<CAT>-`` + base32(HMAC-SHA256(key, value))[:12]."""
    digest = hmac.new(key, value.encode("utf-8", "surrogateescape"), hashlib.sha256).digest()
    return f"{category.upper()}-{base64.b32encode(digest).decode('ascii')[:12]}"


def _line_spans(low: str, stems: Iterable[str]) -> list[tuple[int, int]]:
    """(start, end) of every line that contains one of ``stems``, in order, without duplicates."""
    starts: set[int] = set()
    for stem in stems:
        i = low.find(stem)
        while i >= 0:
            starts.add(low.rfind("\n", 0, i) + 1)
            i = low.find(stem, i + len(stem))
    spans = []
    for a in sorted(starts):
        b = low.find("\n", a)
        spans.append((a, len(low) if b < 0 else b))
    return spans


def _value_of(m: re.Match[str]) -> str | None:
    return next((m[n] for n in ("v", "q", "sq", "n") if n in m.re.groupindex and m[n]), None)


def _replace_value(m: re.Match[str], fn: Callable[[str], str]) -> str:
    """The match with its value group (whichever of v, q, sq, n took part) passed through fn."""
    for name in ("v", "q", "sq", "n"):
        if name in m.re.groupindex and m[name] is not None:
            value = m[name]
            # quotes (ESSID:"home") and umockdev's escaped newline (serial=1234\n) are not the value
            inner = value.strip('"').removesuffix("\\n")
            if not inner:
                return m[0]
            a = m.start(name) + value.index(inner) - m.start()
            return m[0][:a] + fn(inner) + m[0][a + len(inner) :]
    return m[0]


class TextMasker:
    """One value, one token: every spelling of an identifier is replaced by the same token."""

    def __init__(self, key: bytes, relaxed: Iterable[str] = ()) -> None:
        self._key = key
        self.relaxed = frozenset(relaxed)
        unknown = self.relaxed - set(CATEGORIES)
        if unknown:
            raise ValueError(f"unknown privacy categories: {', '.join(sorted(unknown))}")
        self._known: dict[str, tuple[str, str]] = {}  # any spelling, lower case -> (category, canonical)
        self._global: set[str] = set()  # spellings masked wherever they appear
        self._regexes: tuple[re.Pattern[str], re.Pattern[str]] | None = None
        self._masked: dict[str, dict[str, str]] = {c: {} for c in CATEGORIES}  # canonical -> token

    # --- what is known ----------------------------------------------------------------------------

    def learn(self, category: str, value: str) -> None:
        """Add an identifier: from now on every spelling of it is masked (the first category wins)."""
        if category not in self._masked:
            raise ValueError(f"unknown privacy category {category!r}")
        v = value.strip().strip('"').removesuffix("\\n").strip()
        if is_placeholder(v):
            return
        canonical = R.normalise(category, v)
        if canonical.lower() in self._known:
            return
        for spelling in (*R.spellings(category, canonical), v):
            low = spelling.lower()
            self._known.setdefault(low, (category, canonical))
            if len(spelling) >= _GLOBAL_MIN.get(category, _GLOBAL_MIN_DEFAULT) and low not in self._global:
                self._global.add(low)
                self._regexes = None

    def learn_text(self, s: str, *, where: str = "") -> None:
        """Harvest what a text names under serial-like keys, without changing it. Call it on every
        artifact before masking any, so a serial seen only in a late artifact is masked in early ones."""
        low = s.lower()
        for a, b in _line_spans(low, _KEY_STEMS):
            line, hint = s[a:b], self._hint(s, a, where)
            for rx, form in ((R.RECORD_LINE, "="), (R.JSON_PAIR, "json"), (R.ASSIGN, "="), (R.COLON, ":")):
                for m in rx.finditer(line):
                    cat = R.key_category(m["key"], hint, form)
                    value = _value_of(m)
                    if cat is not None and value and R.whole_value_identifies(m["key"], value):
                        self.learn(cat, value)
            for m in R.LSUSB_ISERIAL.finditer(line):
                self.learn("usb_serial", m["v"])
            for m in R.IW_SSID.finditer(line):
                self.learn("ssid", m["v"])
        if "/home/" in s:
            for m in R.HOME.finditer(s):
                self.learn("home", m["v"])

    # --- masking one value ------------------------------------------------------------------------

    def _mask(self, category: str, value: str) -> str:
        v = value.strip()
        if is_placeholder(v):
            return value
        canonical = R.normalise(category, v)
        hit = self._known.get(canonical.lower()) or self._known.get(v.lower())
        if hit is None:
            self.learn(category, v)
            hit = self._known.get(canonical.lower(), (category, canonical))
        cat, canonical = hit
        tok = self._masked[cat].get(canonical)
        if tok is None:
            tok = token(self._key, cat, canonical)
            self._masked[cat][canonical] = tok
        if cat in self.relaxed:
            return value
        return value.replace(v, tok, 1)

    def _keyed_value(self, key: str, category: str, value: str) -> str:
        """A value under a serial-like key: all of it, or of Vendor_Model_SERIAL the serial part."""
        if R.whole_value_identifies(key, value):
            return self._mask(category, value)
        head, sep, tail = value.rpartition("_")
        if sep and tail.lower() in self._known:
            return head + sep + self._mask(category, tail)
        return self._known_values(value)

    @staticmethod
    def _hint(s: str, pos: int, where: str) -> str:
        """What a position is about: the file, the device record of a udev dump ("P: …"), the heading of
        an indented block (dmidecode's "Memory Device", upower's "Device: …/battery_BAT0") and its line."""
        line_start = s.rfind("\n", 0, pos) + 1
        line_end = s.find("\n", pos)
        line = s[line_start : line_end if line_end >= 0 else len(s)]
        parts = [where]
        record = s.rfind("\nP: ", 0, pos + 1)
        if record >= 0 or s.startswith("P: "):
            end = s.find("\n", record + 1)
            parts.append(s[record + 1 : end if end > 0 else len(s)])
        elif line[:1] in (" ", "\t"):
            head_end = line_start - 1
            for _ in range(400):  # a heading further up than this is not this block's
                if head_end <= 0:
                    break
                head_start = s.rfind("\n", 0, head_end) + 1
                if s[head_start : head_start + 1] not in (" ", "\t", "\n", ""):
                    parts.append(s[head_start:head_end])
                    break
                head_end = head_start - 1
        parts.append(line)
        return " ".join(parts)

    # --- text ---------------------------------------------------------------------------------------

    def text(self, s: str, *, where: str = "", versionish: bool = False) -> str:
        """Mask a text artifact (command output, a log, a file copy). ``versionish``: the text is a
        version ("1.2.3.4" there is not an IP address)."""
        if forbidden_path(where):
            raise PrivacyRefused(f"{where}: the MSDM table is never exported")
        if not s:
            return s
        self.learn_text(s, where=where)
        # a copy of one sysfs attribute (raw/dmi/id/product_serial) is its value and nothing else
        cat = R.key_category(where.rsplit("/", 1)[-1], where, "=") if where else None
        if cat is not None and s.strip() and "\n" not in s.strip():
            return self._mask(cat, s)
        low = s.lower()
        if _EDID_MAGIC in low:
            s = R.EDID_HEX.sub(lambda m: self.edid(bytes.fromhex(m[0])).hex(), s)
            if "EDID:" in s:
                s = R.EDID_ROWS.sub(self._edid_rows, s)
        s = self._keyed(s, where)
        s = self._known_values(s)
        if "/home/" in s:
            s = R.HOME.sub(lambda m: "/home/" + self._mask("home", m["v"]), s)
        if "@" in s:
            s = R.EMAIL.sub(lambda m: self._mask("email", m["v"]), s)
        if ":" in s:
            s = R.IPV6_CANDIDATE.sub(self._ipv6, s)
        if ":" in s or "-" in s:
            s = R.MAC.sub(self._mac, s)
        if not versionish and "." in s:
            s = R.IPV4.sub(self._ipv4, s)
        return s

    def _keyed(self, s: str, where: str) -> str:
        spans = _line_spans(s.lower(), _KEY_STEMS)
        if not spans:
            return s
        out: list[str] = []
        pos = 0
        for a, b in spans:
            out.append(s[pos:a])
            out.append(self._keyed_line(s[a:b], self._hint(s, a, where)))
            pos = b
        out.append(s[pos:])
        return "".join(out)

    def _keyed_line(self, line: str, hint: str) -> str:
        def record(m: re.Match[str]) -> str:
            cat = R.key_category(m["key"], hint, "=")
            if cat is None or not m["v"]:
                return m[0]
            return f"{m['pre']}{m['key']}={self._keyed_value(m['key'], cat, m['v'])}{m['esc']}"

        def keyed(form: str) -> Callable[[re.Match[str]], str]:
            def sub(m: re.Match[str]) -> str:
                cat = R.key_category(m["key"], hint, form)
                if cat is None:
                    return m[0]
                return _replace_value(m, lambda v: self._keyed_value(m["key"], cat, v))

            return sub

        line = R.RECORD_LINE.sub(record, line)
        line = R.JSON_PAIR.sub(keyed("json"), line)
        line = R.ASSIGN.sub(keyed("="), line)
        line = R.COLON.sub(keyed(":"), line)
        line = R.LSUSB_ISERIAL.sub(lambda m: _replace_value(m, lambda v: self._mask("usb_serial", v)), line)
        line = R.IW_SSID.sub(lambda m: _replace_value(m, lambda v: self._mask("ssid", v)), line)
        line = R.PCIE_DSN.sub(lambda m: _replace_value(m, lambda v: self._mask("pci_serial", v)), line)
        line = R.EFI_GPT_PARTITION.sub(lambda m: m["pre"] + self._mask("fs_uuid", m["v"]), line)
        line = R.DISK_LINK.sub(lambda m: f"{m['kind']}/{self._mask(R.DISK_LINK_CATEGORY[m['kind']], m['v'])}", line)
        return R.ENX_NAME.sub(lambda m: _replace_value(m, lambda v: self._mask("mac", v)), line)

    def _known_values(self, s: str) -> str:
        if not self._global:
            return s
        if self._regexes is None:
            long = sorted(w for w in self._global if len(w) >= _UNBOUNDED_MIN)
            short = sorted(w for w in self._global if len(w) < _UNBOUNDED_MIN)
            never = "(?!x)x"
            self._regexes = (
                re.compile(R.trie_pattern(long) if long else never),
                re.compile(rf"(?<![a-z0-9])(?:{R.trie_pattern(short)})(?![a-z0-9])" if short else never),
            )
        for rx in self._regexes:
            low = s.lower()
            if len(low) != len(s):  # a character whose lower case is longer: positions would not line up
                rx = re.compile(rx.pattern.replace("a-z0-9", "A-Za-z0-9"), re.IGNORECASE)
                low = s
            out: list[str] = []
            pos = 0
            for m in rx.finditer(low):
                out.append(s[pos : m.start()])
                out.append(self._mask(self._known[m[0].lower()][0], s[m.start() : m.end()]))
                pos = m.end()
            if out:
                out.append(s[pos:])
                s = "".join(out)
        return s

    def _ipv6(self, m: re.Match[str]) -> str:
        v = m["v"]
        if not R.valid_ipv6(v) or not R.ip_is_identifying(v):
            return v
        return self._mask("ip", v)

    def _mac(self, m: re.Match[str]) -> str:
        v = m["v"]
        if is_placeholder(v) or v.lower() == "ff:ff:ff:ff:ff:ff":
            return v
        known = self._known.get(R.normalise("mac", v))
        if known is None:
            line_start = m.string.rfind("\n", 0, m.start()) + 1
            line_end = m.string.find("\n", m.end())
            line = m.string[line_start : line_end if line_end >= 0 else len(m.string)]
            return self._mask("bluetooth" if R.BLUETOOTH_CONTEXT.search(line) else "mac", v)
        return self._mask(known[0], v)

    def _ipv4(self, m: re.Match[str]) -> str:
        v = m["v"]
        before = m.string[max(0, m.start() - 24) : m.start()]
        if not R.ip_is_identifying(v) or R.VERSION_CONTEXT.search(before.rsplit("\n", 1)[-1]):
            return v
        return self._mask("ip", v)

    def _edid_rows(self, m: re.Match[str]) -> str:
        rows = m["rows"].splitlines(keepends=True)
        masked = self.edid(bytes.fromhex("".join(r.strip() for r in rows))).hex()
        out = [m["head"]]
        for i, r in enumerate(rows):
            indent = r[: len(r) - len(r.lstrip())]
            out.append(f"{indent}{masked[i * 32 : (i + 1) * 32]}\n")
        return "".join(out)

    def edid(self, data: bytes) -> bytes:
        """The EDID with its serial number and serial string zeroed, every touched checksum fixed."""
        for cat, value in edid_identifiers(data) if len(data) >= 128 else ():
            self._mask(cat, value)  # counted; their decoded forms elsewhere get the same token
        if "edid_serial" in self.relaxed:
            return data
        return serial_masked(data)
