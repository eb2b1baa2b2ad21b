"""The window's locale: Qt's catalogues for its dialogs and buttons; numbers and times as QLocale writes them."""

from __future__ import annotations

import re
import time

from PySide6.QtCore import QCoreApplication, QDateTime, QLibraryInfo, QLocale, QTranslator

from hwinspector import i18n
from hwinspector.i18n import _

# A Python format spec: [[fill]align][sign][width][,][.precision][type]
_SPEC = re.compile(
    r"(?P<align>.?[<>=^])?(?P<sign>[+ ]?)(?P<width>\d*)(?P<group>[,_]?)(?:\.(?P<prec>\d+))?(?P<kind>[dfFn]?)\Z"
)
# qtbase: standard buttons, QFileDialog, QMessageBox, QLineEdit's context menu; qt_ is the meta catalogue
# that older Qt versions load the others through.
QT_CATALOGUES = ("qtbase",)


def number(value: float, spec: str = "") -> str:
    """value as the locale writes it (decimal comma in German), for a Python format spec like ".2f" or ",d"."""
    m = _SPEC.match(spec)
    if m is None or (m.group("kind") in ("d", "") and not isinstance(value, int) and m.group("prec") is None):
        return format(value, spec)
    loc = QLocale()
    if not m.group("group"):
        loc.setNumberOptions(loc.numberOptions() | QLocale.NumberOption.OmitGroupSeparator)
    if m.group("kind") in ("f", "F", "n") or m.group("prec") is not None:
        prec = int(m.group("prec") or 6)
        text = loc.toString(float(value), "f", prec)
    else:
        text = loc.toString(int(value))
    if m.group("sign") == "+" and value >= 0:
        text = loc.positiveSign() + text
    width = int(m.group("width") or 0)
    align = (m.group("align") or ">")[-1]
    fill = m.group("align")[0] if m.group("align") and len(m.group("align")) == 2 else " "
    if m.group("width").startswith("0") and not m.group("align"):
        fill = "0"
    if len(text) < width:
        text = text.ljust(width, fill) if align == "<" else text.rjust(width, fill)
    return text


def clock_time(unix: float, *, seconds: bool = True) -> str:
    """A time of day in the locale's short form (14:05:09, 下午2:05:09)."""
    loc = QLocale()
    fmt = loc.timeFormat(QLocale.FormatType.ShortFormat)
    if seconds and "s" not in fmt:
        fmt = fmt.replace("mm", "mm:ss", 1)
    return loc.toString(QDateTime.fromMSecsSinceEpoch(int(unix * 1000)).time(), fmt)


def date_time(unix: float | None = None) -> str:
    """A date and a time of day with seconds in the locale's short forms (14.11.23 22:13:20); now when unix is
    None. The C locale (no LANG) keeps ISO 8601, which its own short form ("14 11 2023") is worse than."""
    unix = time.time() if unix is None else unix
    loc = QLocale()
    if loc.language() == QLocale.Language.C:
        return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(unix))
    stamp = QDateTime.fromMSecsSinceEpoch(int(unix * 1000))
    return loc.toString(stamp.date(), QLocale.FormatType.ShortFormat) + " " + clock_time(unix)


def duration(seconds: float) -> str:
    """A battery or suspend duration in words: "3 h 05 min", "under a minute"."""
    minutes = round(seconds / 60)
    if minutes < 1:
        return _("under a minute")
    hours, minutes = divmod(minutes, 60)
    if hours:
        return _("{hours} h {minutes:02d} min").format(hours=hours, minutes=minutes)
    return _("{minutes} min").format(minutes=minutes)


def install(app: QCoreApplication) -> list[QTranslator]:
    """Qt's catalogues for the gettext language, and locale numbers in every translated text; call once."""
    i18n.set_formatter(i18n.formatter_from(number))
    lang = i18n.language()
    if not lang or lang == "pseudo":
        return []
    path = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    installed = []
    for name in QT_CATALOGUES:
        translator = QTranslator(app)
        # "zh_TW" first, then "zh": QTranslator.load tries the shorter names itself.
        if translator.load(f"{name}_{lang}", path):
            app.installTranslator(translator)
            installed.append(translator)
    return installed
