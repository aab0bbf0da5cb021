"""The gettext catalogues: every text the code and the templates use is in the Dutch and the English catalogue,
translated (not empty, not fuzzy), with the same placeholders; no catalogue keeps a text nobody uses; and the
compiled ``.mo`` files the runtime reads are those of the ``.po`` files as they are now."""

from __future__ import annotations

import io
import re
from typing import TYPE_CHECKING

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from chalicelib import i18n
from chalicelib.domain.language import Language
from chalicelib.i18n import N_, NP_, CatalogueMissingError, catalogue_path, translate, translator
from devstack.translations import SOURCE_LANGUAGE, catalogue, extracted

if TYPE_CHECKING:
    from babel.messages.catalog import Catalog, Message

# A printf-style conversion as Python's % operator reads it: %(name)s, %(min_m).0f, %s, or %% (a percent sign).
CONVERSION = re.compile(r"%(?:\((?P<name>\w+)\))?[#0\- +]*(?:\d+|\*)?(?:\.(?:\d+|\*))?(?P<type>[diouxXeEfFgGcrsa%])")
LANGUAGES = [language.value for language in Language]


def _forms(value: str | tuple[str, ...] | list[str] | None) -> tuple[str, ...]:
    """A message's id or translation as its forms: one, or singular and plural."""
    if value is None:
        return ()
    return (value,) if isinstance(value, str) else tuple(value)


def _key(message: Message) -> tuple[str | None, str]:
    return message.context, _forms(message.id)[0]


def placeholders(text: str) -> set[str]:
    """The named placeholders of ``text`` with their conversion (``case_number:s``); an unnamed one as ``?``."""
    return {f"{m['name'] or '?'}:{m['type']}" for m in CONVERSION.finditer(text) if m["type"] != "%"}


@pytest.fixture(scope="module")
def used() -> Catalog:
    return extracted()


@pytest.fixture(scope="module", params=LANGUAGES)
def language(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def po(language: str) -> Catalog:
    with catalogue(language).open("rb") as file:
        return read_po(file)


def test_the_code_and_the_templates_use_texts(used):
    ids = {_key(message)[1] for message in used}
    assert len(ids) > 300
    assert "Provincie Utrecht" in ids  # a template's _()
    assert "De gegevens kloppen niet." in ids  # N_ in chalicelib/web/texts.py
    assert ("topic", "Onderwerp") in {_key(message) for message in used}  # NP_ and pgettext


def test_every_text_used_is_in_the_catalogue_and_translated(used, po, language):
    missing = [_key(m) for m in used if m.id and _key(m) not in {_key(p) for p in po if p.id}]
    assert missing == [], f"not in the {language} catalogue (make translations): {missing}"
    untranslated = [_key(p) for p in po if p.id and (not _forms(p.string) or not all(_forms(p.string)))]
    assert untranslated == [], f"not translated in {catalogue(language)}: {untranslated}"


def test_no_catalogue_has_fuzzy_obsolete_or_unused_entries(used, po, language):
    fuzzy = [_key(p) for p in po if p.id and p.fuzzy]
    assert fuzzy == [], f"fuzzy in the {language} catalogue: check each translation and remove its fuzzy flag"
    assert list(po.obsolete) == [], f"obsolete entries in the {language} catalogue"
    unused = [_key(p) for p in po if p.id and _key(p) not in {_key(m) for m in used}]
    assert unused == [], f"in the {language} catalogue, but no code or template uses it (make translations): {unused}"


def test_each_translation_has_the_placeholders_of_its_text(po, language):
    wrong = []
    for message in po:
        if not message.id:
            continue
        expected = set().union(*(placeholders(text) for text in _forms(message.id)))
        for form in _forms(message.string):
            if placeholders(form) != expected:
                wrong.append((_key(message), form))
    assert wrong == []
    unnamed = [_key(m) for m in po if m.id and any("?" in p.split(":")[0] for t in _forms(m.id) for p in placeholders(t))]
    assert unnamed == [], "placeholders are named: %(name)s"


def test_the_dutch_catalogue_is_the_dutch_source_text():
    with catalogue(SOURCE_LANGUAGE).open("rb") as file:
        dutch = read_po(file)
    changed = [_key(m) for m in dutch if m.id and _forms(m.string) != _forms(m.id)]
    assert changed == [], "change a Dutch text where the code or template has it, then make translations"


def test_the_compiled_catalogue_is_the_one_of_the_po_file(po, language):
    path = catalogue_path(language)
    assert path.exists(), f"{path} is missing: make setup compiles it"
    compiled = io.BytesIO()
    write_mo(compiled, po)
    assert path.read_bytes() == compiled.getvalue(), f"{path} is older than its .po file: run make setup"


def test_texts_are_given_in_the_readers_language_with_their_placeholders_filled():
    assert translate(Language.NL, N_("Deze tekst is te lang (maximaal %(max)s tekens)."), max=200) == (
        "Deze tekst is te lang (maximaal 200 tekens)."
    )
    assert translate(Language.EN, N_("Deze tekst is te lang (maximaal %(max)s tekens)."), max=200) == (
        "This text is too long (at most 200 characters)."
    )
    assert translate(Language.EN, NP_("topic", "Onderwerp")) == "Topic"
    assert translate(Language.EN, N_("Onderwerp")) == "Topic"
    assert translator(Language.EN) is translator("en")  # read once per language


def test_a_missing_catalogue_says_how_to_build_it(monkeypatch, tmp_path):
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    i18n._read.cache_clear()
    try:
        with pytest.raises(CatalogueMissingError, match="make setup"):
            translator("en")
    finally:
        i18n._read.cache_clear()
