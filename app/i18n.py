"""Translations: gettext catalogues for the window and the CLI's human text (JSON, metrics and files stay as they are).

Usage everywhere (probes, widgets, app): ``from hwinspector.i18n import _, N_, ngettext``.
``_("text")`` translates now; ``N_("text")`` only marks a module-level constant for extraction, and the
code that shows it calls ``_(CONSTANT)``; ``ngettext(singular, plural, n)`` picks the plural form of the
language. Standard library only: probes and the CLI use it without Qt.
"""

from __future__ import annotations

import gettext
import os
from importlib import resources
from pathlib import Path

DOMAIN = "hwinspector"

_translation: gettext.NullTranslations | None = None


def locale_dir() -> Path:
    """Where the compiled catalogues live (``<lang>/LC_MESSAGES/hwinspector.mo``), inside the package."""
    override = os.environ.get("HWINSPECTOR_LOCALEDIR")
    if override:
        return Path(override)
    return Path(str(resources.files("hwinspector.resources") / "locale"))


def _catalogue() -> gettext.NullTranslations:
    global _translation
    if _translation is None:
        # gettext reads LANGUAGE, LC_ALL, LC_MESSAGES and LANG, in that order, as every GNU program does.
        _translation = gettext.translation(DOMAIN, localedir=str(locale_dir()), fallback=True)
    return _translation


def set_languages(languages: list[str] | None) -> None:
    """Use these languages (None: the environment's again); for tests and the window's language switch."""
    global _translation
    _translation = (
        None if languages is None else gettext.translation(DOMAIN, str(locale_dir()), languages, fallback=True)
    )


def _(message: str) -> str:
    return _catalogue().gettext(message)


def N_(message: str) -> str:
    """Mark for extraction only; translate where the text is shown."""
    return message


def ngettext(singular: str, plural: str, n: int) -> str:
    return _catalogue().ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """A message whose translation depends on where it stands (a column title vs a verb)."""
    return _catalogue().pgettext(context, message)
