"""The catalogues: complete against the template, fields kept, plurals right, compiled the way GNU msgfmt does; the
CLI speaks German under LANGUAGE=de while its JSON stays byte for byte the same under every locale."""

from __future__ import annotations

import gettext
import importlib.util
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from hwinspector import i18n
from hwinspector.probes.checks.base import Status, Verdict

REPO = Path(__file__).resolve().parent.parent
PO = REPO / "po"
LANGS = {"de": "nplurals=2; plural=(n != 1);", "zh_TW": "nplurals=1; plural=0;"}
LAPTOP = REPO / "tests" / "data" / "umockdev" / "laptop.umockdev"
FIELD = re.compile(r"\{([A-Za-z_]\w*)[^{}]*\}")
PERCENT = re.compile(r"%(?:\(\w+\))?[-#0 +]*\d*(?:\.\d+)?[sdrifgx]")


def _msgfmt_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("po_msgfmt", PO / "msgfmt.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


MSGFMT = _msgfmt_module()


def _all_entries(text: str) -> dict[str, tuple[str, bool]]:
    """msgid -> (msgstr, fuzzy) for every entry but the header, translated or not."""
    return {k: v for k, v in MSGFMT.read_po(text).items() if k}


@pytest.fixture
def language() -> Iterator[None]:
    yield
    i18n.set_languages(None)


@pytest.mark.parametrize("lang", sorted(LANGS))
def test_catalogue_is_complete_against_the_template(lang: str) -> None:
    template = _all_entries((PO / "hwinspector.pot").read_text(encoding="utf-8"))
    catalogue = _all_entries((PO / f"{lang}.po").read_text(encoding="utf-8"))
    missing = sorted(k for k in template if k not in catalogue)
    untranslated = sorted(k for k, (s, _f) in catalogue.items() if k in template and not s.replace("\0", ""))
    fuzzy = sorted(k for k, (_s, f) in catalogue.items() if k in template and f)
    assert len(template) > 1500
    assert not missing, f"{lang}.po lacks {len(missing)} msgids of the template (run make pot): {missing[:5]}"
    assert not untranslated, f"{lang}.po: {len(untranslated)} untranslated: {untranslated[:5]}"
    assert not fuzzy, f"{lang}.po: {len(fuzzy)} fuzzy: {fuzzy[:5]}"


@pytest.mark.parametrize("lang", sorted(LANGS))
def test_every_field_of_a_msgid_is_in_its_translation(lang: str) -> None:
    entries = MSGFMT.parse_po((PO / f"{lang}.po").read_text(encoding="utf-8"))
    bad = []
    for key, msgstr in entries.items():
        if not key:
            continue
        msgid = key.split("\x04")[-1]
        singular, _sep, plural = msgid.partition("\0")
        wanted = set(FIELD.findall(singular)) | set(FIELD.findall(plural))
        for form in msgstr.split("\0"):
            # a singular form may leave out the count ("1 device" -> "ein Gerät"); every other field stays
            if not (set(FIELD.findall(form)) >= wanted - {"n"} and set(FIELD.findall(form)) <= wanted):
                bad.append((msgid, form))
            if sorted(PERCENT.findall(form)) != sorted(PERCENT.findall(singular)) and "%(" in singular:
                bad.append((msgid, form))
    assert not bad, f"{lang}: {len(bad)} translations lose or add a field: {bad[:5]}"


@pytest.mark.parametrize(("lang", "forms"), sorted(LANGS.items()))
def test_plural_forms_header(lang: str, forms: str) -> None:
    header = MSGFMT.parse_po((PO / f"{lang}.po").read_text(encoding="utf-8"))[""]
    assert f"Plural-Forms: {forms}" in header
    assert f"Language: {lang}" in header


def test_template_is_current() -> None:
    """The guard after a merge: the template holds every marked text of the code (else: make pot)."""
    if shutil.which("xgettext") is None:
        pytest.skip("xgettext not installed (Debian package gettext)")
    sources = sorted(str(p.relative_to(REPO)) for d in ("app", "widgets", "probes") for p in (REPO / d).rglob("*.py"))
    keywords = ["--keyword=_", "--keyword=N_", "--keyword=ngettext:1,2", "--keyword=pgettext:1c,2"]
    fresh = subprocess.run(
        ["xgettext", "--language=Python", "--from-code=UTF-8", *keywords, "-o", "-", *sources],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    current = set(_all_entries(fresh))
    committed = set(_all_entries((PO / "hwinspector.pot").read_text(encoding="utf-8")))
    assert current - committed == set(), (
        f"texts not in po/hwinspector.pot (run make pot): {sorted(current - committed)[:5]}"
    )
    assert committed - current == set(), (
        f"stale texts in po/hwinspector.pot (run make pot): {sorted(committed - current)[:5]}"
    )


@pytest.mark.parametrize("lang", sorted(LANGS))
def test_our_compiler_agrees_with_gnu_msgfmt(lang: str, tmp_path: Path) -> None:
    """po/msgfmt.py (the build uses it: no gettext needed) against GNU msgfmt, the reference."""
    if shutil.which("msgfmt") is None:
        pytest.skip("msgfmt not installed (Debian package gettext)")
    ours = tmp_path / "ours.mo"
    ours.write_bytes(MSGFMT.mo_bytes(MSGFMT.parse_po((PO / f"{lang}.po").read_text(encoding="utf-8"))))
    gnu = tmp_path / "gnu.mo"
    stats = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", str(gnu), str(PO / f"{lang}.po")],
        capture_output=True,
        text=True,
        check=True,
    ).stderr
    assert "untranslated" not in stats and "fuzzy" not in stats, stats
    with ours.open("rb") as a, gnu.open("rb") as b:
        mine, theirs = gettext.GNUTranslations(a), gettext.GNUTranslations(b)
    # the header GNU msgfmt rewrites a little (it drops fields it fills itself); what a reader uses of it agrees
    assert mine.info()["plural-forms"] == theirs.info()["plural-forms"]
    assert mine.charset() == theirs.charset() == "UTF-8"
    mine_catalog, theirs_catalog = dict(mine._catalog), dict(theirs._catalog)  # type: ignore[attr-defined]
    del mine_catalog[""], theirs_catalog[""]
    assert mine_catalog == theirs_catalog
    assert len(mine_catalog) > 1500
    assert mine.plural(1) == theirs.plural(1) and mine.plural(5) == theirs.plural(5)  # type: ignore[attr-defined]


def test_plurals_in_german_and_chinese(language: None) -> None:
    i18n.set_languages(["de"])
    assert i18n.ngettext("{n} device", "{n} devices", 1).format(n=1) == "1 Gerät"
    assert i18n.ngettext("{n} device", "{n} devices", 3).format(n=3) == "3 Geräte"
    assert i18n.ngettext("{n} device", "{n} devices", 0).format(n=0) == "0 Geräte"
    i18n.set_languages(["zh_TW"])
    assert i18n.ngettext("{n} device", "{n} devices", 1).format(n=1) == "1 個裝置"
    assert i18n.ngettext("{n} device", "{n} devices", 3).format(n=3) == "3 個裝置"


def test_probe_texts_stay_english_and_localize_at_display(language: None) -> None:
    """The rule: a probe's JSON is English; the human path fills the translated template with the same values."""
    i18n.set_languages(["de"])
    verdict = Verdict("battery", "Battery", Status.WARNING, "battery slot empty", ("BAT0 (DELL 1VX1H): not present",))
    assert verdict.to_json()["evidence"] == ["BAT0 (DELL 1VX1H): not present"]
    assert i18n.localize(verdict.title) == "Akku"
    assert i18n.localize(verdict.evidence[0]) == "BAT0 (DELL 1VX1H): nicht vorhanden"
    # nested: the field is itself a text of the catalogue
    assert i18n.localize("not applicable: power supplies are not in this source") == (
        "entfällt: Stromversorgungen sind nicht in dieser Quelle"
    )
    # a list joined by the probe, item by item; and something no catalogue knows stays as it is
    assert i18n.localize("3 passed, 1 failed") == "3 bestanden, 1 fehlgeschlagen"
    assert i18n.localize("eth0 (virtio_net)") == "eth0 (virtio_net)"
    i18n.set_languages(["zh_TW"])
    assert i18n.localize("not applicable: no display connectors (no KMS driver, or a headless machine)") == (
        "不適用：沒有顯示器連接埠（沒有 KMS 驅動程式，或是無螢幕的電腦）"
    )


def test_english_is_untouched(language: None) -> None:
    i18n.set_languages([])
    text = "BAT0: not present"
    assert i18n.localize(text) is text or i18n.localize(text) == text
    assert i18n._("Refresh") == "Refresh"


def test_pseudo_locale_is_longer_accented_and_keeps_fields() -> None:
    text = "Captured machine, read from {label}: not the live machine"
    p = i18n.pseudo(text)
    assert p.startswith("[") and p.endswith("]")
    assert "{label}" in p
    assert len(p) >= len(text) * 1.35
    assert "Çåpţûŕéd måçĥîñé" in p
    assert p.format(label="x.tar.xz").count("x.tar.xz") == 1
    assert i18n.pseudo("%(prog)s: error: %(message)s\n").count("%(prog)s") == 1


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[bytes]:
    base = {k: v for k, v in os.environ.items() if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")}
    return subprocess.run(
        [sys.executable, "-m", "hwinspector", *args], env={**base, **env}, capture_output=True, timeout=120, check=False
    )


def test_cli_speaks_german_under_language_de() -> None:
    out = _cli("drivers", "--from", str(LAPTOP), env={"LANGUAGE": "de", "LANG": "C.UTF-8"})
    text = out.stdout.decode()
    assert out.returncode in (0, 1), out.stderr.decode()
    assert "Verwendete Treiber auf laptop.umockdev" in text
    assert "TREIBER" in text and "GERÄTE" in text
    assert "Drivers in use" not in text
    helped = _cli("check", "--help", env={"LANGUAGE": "de"}).stdout.decode()
    assert "Aufruf: hwinspector check" in helped  # argparse's own text, from our catalogue
    assert "diese Hilfe anzeigen und beenden" in helped
    assert "maschinenlesbare Ausgabe" in helped
    scored = _cli("check", "--from", str(LAPTOP), env={"LANGUAGE": "de"}).stdout.decode()
    assert "Ergebnis:" in scored and "Akku" in scored
    chinese = _cli("check", "--from", str(LAPTOP), env={"LANGUAGE": "zh_TW"}).stdout.decode()
    assert "結果：" in chinese and "電池" in chinese


@pytest.mark.parametrize("command", [["check", "--json"], ["devices", "--json"], ["drivers", "--json"]])
def test_json_is_the_same_bytes_under_every_locale(command: list[str]) -> None:
    locales = [
        {"LANG": "C"},
        {"LANGUAGE": "de", "LANG": "de_DE.UTF-8", "LC_ALL": "de_DE.UTF-8"},
        {"LANGUAGE": "zh_TW", "LANG": "zh_TW.UTF-8", "LC_ALL": "zh_TW.UTF-8"},
    ]
    outputs = [_cli(*command, "--from", str(LAPTOP), env=env) for env in locales]
    for out in outputs:
        assert out.returncode in (0, 1), out.stderr.decode()
    assert len(outputs[0].stdout) > 1000
    assert outputs[1].stdout == outputs[0].stdout
    assert outputs[2].stdout == outputs[0].stdout
