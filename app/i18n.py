"""Translations: gettext catalogues for the window and the CLI's human text (JSON, metrics and files stay as they are).

Usage everywhere (probes, widgets, app): ``from hwinspector.i18n import _, N_, ngettext``.
``_("text")`` translates now; ``N_("text")`` only marks a module-level constant for extraction, and the
code that shows it calls ``_(CONSTANT)``; ``ngettext(singular, plural, n)`` picks the plural form of the
language. Standard library only: probes and the CLI use it without Qt.

Texts a probe writes into JSON *and* shows (scorecard cards, problems, idle verdicts, chain problems) stay
English in the probe: it marks its templates with ``N_("{label}: not present").format(label=…)``, and the
window or the CLI's human path calls ``localize(text)`` on the English text, which finds the template in
the catalogue, translates it and fills in the same fields (README, "Layout and architecture").
"""

from __future__ import annotations

import functools
import gettext
import os
import re
import string
from collections.abc import Callable, Mapping, Sequence
from importlib import resources
from pathlib import Path
from typing import Any

DOMAIN = "hwinspector"
PSEUDO_ENV = "HWINSPECTOR_PSEUDO_LOCALE"

_translation: gettext.NullTranslations | None = None
# The window installs a QLocale-based formatter (numbers follow LANG/LC_ALL there); the CLI keeps Python's.
_PYTHON_FORMAT = string.Formatter()
_formatter: string.Formatter = _PYTHON_FORMAT


class Text(str):
    """A translated text whose ``format`` writes numbers the way the window's locale does."""

    __slots__ = ()

    def format(self, *args: Any, **kwargs: Any) -> str:
        if _formatter is _PYTHON_FORMAT:
            return str.format(self, *args, **kwargs)  # C speed where no locale formatter is installed
        return _formatter.vformat(self, args, kwargs)


def set_formatter(formatter: string.Formatter | None) -> None:
    """Format fields of translated texts with this formatter (None: Python's own, the C locale's)."""
    global _formatter
    _formatter = formatter or _PYTHON_FORMAT


def locale_dir() -> Path:
    """Where the compiled catalogues live (``<lang>/LC_MESSAGES/hwinspector.mo``), inside the package."""
    override = os.environ.get("HWINSPECTOR_LOCALEDIR")
    if override:
        return Path(override)
    return Path(str(resources.files("hwinspector.resources") / "locale"))


def _catalogue() -> gettext.NullTranslations:
    global _translation
    if _translation is None:
        if os.environ.get(PSEUDO_ENV, "") not in ("", "0"):
            _translation = PseudoTranslations()
        else:
            # gettext reads LANGUAGE, LC_ALL, LC_MESSAGES and LANG, in that order, as every GNU program does.
            _translation = gettext.translation(DOMAIN, localedir=str(locale_dir()), fallback=True)
    return _translation


def set_languages(languages: Sequence[str] | None) -> None:
    """Use these languages (None: the environment's again; ["pseudo"]: the pseudo-locale); for tests and the
    window's language switch."""
    global _translation
    if languages is None:
        _translation = None
    elif list(languages) == ["pseudo"]:
        _translation = PseudoTranslations()
    else:
        _translation = gettext.translation(DOMAIN, str(locale_dir()), list(languages), fallback=True)
    _templates.cache_clear()
    _localized.cache_clear()


def language() -> str:
    """The catalogue's language ("de", "zh_TW"), "pseudo" for the pseudo-locale, "" for English."""
    cat = _catalogue()
    if isinstance(cat, PseudoTranslations):
        return "pseudo"
    if isinstance(cat, gettext.GNUTranslations):
        return str(cat.info().get("language", ""))
    return ""


def bind_default_domain() -> None:
    """argparse translates its usage, headings and errors with gettext.gettext, in the default text domain:
    make that ours (app/cli/argparse_texts.py puts argparse's texts in the catalogue)."""
    gettext.bindtextdomain(DOMAIN, str(locale_dir()))
    gettext.textdomain(DOMAIN)


def _(message: str) -> str:
    return Text(_catalogue().gettext(message))


def N_(message: str) -> str:
    """Mark for extraction only; translate where the text is shown."""
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    return Text(_catalogue().ngettext(singular, plural, n))


def pgettext(context: str, message: str) -> str:
    """A message whose translation depends on where it stands (a column title vs a verb)."""
    return Text(_catalogue().pgettext(context, message))


# --- display-time translation of the English texts probes write ------------------------------------

_FIELD = re.compile(r"\{([A-Za-z_]\w*)(![rsa])?(:[^{}]*)?\}")


@functools.cache
def _templates() -> tuple[tuple[re.Pattern[str], str, tuple[str, ...], bool], ...]:
    """Every msgid with named fields as a pattern matching its English text, most literal text first; the flag
    says whether the template has words of its own ("{label}: not present"), not only fields and punctuation."""
    catalogue = getattr(_catalogue(), "_catalog", None)
    if not isinstance(catalogue, Mapping):
        return ()
    found = []
    for msgid in catalogue:
        if not isinstance(msgid, str) or "{" not in msgid or "\x04" in msgid or not _FIELD.search(msgid):
            continue
        pattern, names, pos = [], [], 0
        for m in _FIELD.finditer(msgid):
            pattern.append(re.escape(msgid[pos : m.start()].replace("{{", "{").replace("}}", "}")))
            name = m.group(1)
            pattern.append(f"(?P={name})" if name in names else f"(?P<{name}>.+?)")
            names.append(name)
            pos = m.end()
        pattern.append(re.escape(msgid[pos:].replace("{{", "{").replace("}}", "}")))
        literal = _FIELD.sub("", msgid)
        worded = len(re.findall(r"[^\W\d_]", literal)) >= 3
        rx = re.compile("".join(pattern) + r"\Z", re.DOTALL)
        found.append((len(literal), rx, msgid, tuple(dict.fromkeys(names)), worded))
    found.sort(key=lambda t: -t[0])
    return tuple((rx, msgid, names, worded) for _n, rx, msgid, names, worded in found)


@functools.lru_cache(maxsize=8192)
def _localized(text: str, depth: int) -> tuple[str, bool]:
    """(the text in the user's language, whether anything of it was found in the catalogue)."""
    direct = _catalogue().gettext(text)
    if direct != text:
        return direct, True
    if depth > 3:
        return text, False
    # Several templates can match ("not applicable: {why}" and "not applicable: {what} {where}"): the one
    # whose fields are themselves texts of the catalogue wins; among equals, the one with most literal text.
    best: tuple[float, str, dict[str, str]] | None = None
    for rx, msgid, names, worded in _templates():
        m = rx.match(text)
        if m is None:
            continue
        fields = {n: _localized(m.group(n), depth + 1) for n in names}
        score = sum(1 for v in fields.values() if v[1]) / len(names)
        if not worded and score == 0:
            continue  # "{what} {where}" with nothing known in it translates nothing
        if best is None or score > best[0]:
            best = (score, msgid, {n: v[0] for n, v in fields.items()})
        if score == 1:
            break
    if best is not None:
        try:
            return _fill(best[1], _catalogue().gettext(best[1]), best[2]), True
        except (KeyError, IndexError, ValueError):
            return text, False  # a translation with a broken field: English beats a traceback
    for sep in ("; ", ", "):
        if sep in text:
            done = [_localized(p, depth + 1) for p in text.split(sep)]
            if any(ok for _t, ok in done):
                return sep.join(t for t, _ok in done), True
    return text, False


def _fill(msgid: str, translated: str, values: dict[str, str]) -> str:
    """The translated template filled with values the English text already rendered: a number under a numeric
    format spec ("{temp:.1f}") is read back and formatted again (the window's locale writes it), anything else
    goes in as it was written (its spec and conversion dropped: "{share:.0%}" already says "42%")."""
    specs = {m.group(1): (m.group(3) or "")[1:] for m in _FIELD.finditer(msgid)}
    args: dict[str, Any] = {}
    for name, value in values.items():
        spec = specs.get(name, "")
        number: float | None = None
        if spec and spec[-1:] in ("f", "d", "g", "") and re.fullmatch(r"-?\d+(\.\d+)?", value):
            number = int(value) if spec.endswith("d") or "." not in value else float(value)
        args[name] = value if number is None else number
    kept = {n for n, v in args.items() if not isinstance(v, str)}
    template = _FIELD.sub(lambda m: m.group(0) if m.group(1) in kept else "{" + m.group(1) + "}", translated)
    return str(Text(template).format(**args))


def localize(text: str) -> str:
    """An English text a probe wrote (scorecard, problems, verdicts) in the user's language.

    A text that is a msgid is translated; one that a marked template produced is matched against the
    template, translated, and filled with the same values (themselves localized where they are texts);
    a list joined with ", " or "; " is localized item by item. Anything else stays as it is.
    """
    catalogue = _catalogue()
    if isinstance(catalogue, PseudoTranslations) and text.startswith("[") and text.endswith("]"):
        return text  # already pseudo-translated by the page (ExplainedView localizes what it is handed)
    if not text or not isinstance(catalogue, gettext.GNUTranslations):
        return _(text) if text else text
    return _localized(text, 0)[0]


def localize_all(texts: Sequence[str]) -> tuple[str, ...]:
    return tuple(localize(t) for t in texts)


# --- the pseudo-locale: every text ~40 % longer and accented, to find clipped layouts -----------------

_ACCENTED = str.maketrans(
    "AaCcDEeGgHhIiJjKkLlNnOoRrSsTtUuWwYyZz",
    "ÅåÇçÐÉéĜĝĤĥÎîĴĵĶķĻļÑñÖöŔŕŠšŢţÛûŴŵÝýŽž",
)
_KEEP = re.compile(r"(\{[^{}]*\}|%\(\w+\)[a-z]|%[a-z%]|&&|<[^>]*>|&\w+;|\n)")


def pseudo(message: str) -> str:
    """The pseudo-locale's form: fields, markup and mnemonics kept, letters accented, padded ~40 %."""
    if not message.strip():
        return message
    parts = _KEEP.split(message)
    out = "".join(p if i % 2 else p.translate(_ACCENTED) for i, p in enumerate(parts))
    visible = sum(len(p) for i, p in enumerate(parts) if not i % 2)
    pad = max(1, round(visible * 0.4))
    return "[" + out + " " + "·" * max(0, pad - 3) + "]"


class PseudoTranslations(gettext.NullTranslations):
    """HWINSPECTOR_PSEUDO_LOCALE=1: no catalogue, every text through pseudo()."""

    def gettext(self, message: str) -> str:
        return pseudo(message)

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        return pseudo(msgid1 if n == 1 else msgid2)

    def pgettext(self, context: str, message: str) -> str:
        return pseudo(message)


def formatter_from(number: Callable[[float, str], str]) -> string.Formatter:
    """A formatter whose int/float fields with a format spec go through number(value, spec)."""

    class _Locale(string.Formatter):
        def format_field(self, value: Any, format_spec: str) -> Any:
            if format_spec and isinstance(value, int | float) and not isinstance(value, bool):
                return number(value, format_spec)
            return super().format_field(value, format_spec)

    return _Locale()
