"""The catalogue from the Catalogi API with Baken's own settings laid over it: what the zaaksysteem says wins where
it has a field for it, Baken's own catalogue supplies the rest and the English while it still translates the Dutch,
and nothing the zaaksysteem gets wrong makes the catalogue invalid."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from chalicelib.domain.catalogi import CatalogiProblem, current_versions, fingerprint, merge_catalogi, slug
from chalicelib.domain.catalogue import Catalogue
from chalicelib.domain.durations import Duration
from chalicelib.domain.language import Language
from chalicelib.domain.zgw import ZgwStatustype
from tests.factories import KLACHT, SUBSIDIE, catalogue, reference
from tests.zgw_builders import CATALOGI, zgw_zaaktype

OWN = json.loads((Path(__file__).resolve().parents[3] / "chalicelib" / "data" / "zaaktypen.json").read_text(encoding="utf-8"))
TOPICS = [t.slug for t in reference().topics()]
TODAY = date(2026, 12, 6)


def _notes(merge, problem):
    return [(n.zaaktype, n.detail) for n in merge.notes if n.problem is problem]


def _with_step(volgnummer: int, **changes):
    ours = zgw_zaaktype()
    steps = tuple(replace(s, **changes) if s.volgnummer == volgnummer else s for s in ours.statustypen)
    return replace(ours, statustypen=steps)


def test_the_same_texts_in_the_catalogi_api_give_back_bakens_own_catalogue():
    merge = merge_catalogi([zgw_zaaktype()], OWN, TOPICS, TODAY)
    assert merge.from_catalogi == (SUBSIDIE,)
    assert merge.catalogue.get(SUBSIDIE) == catalogue().get(SUBSIDIE)
    assert not _notes(merge, CatalogiProblem.TRANSLATION_OUTDATED)
    # the zaaktypen only Baken has stay, for the cases Baken holds itself
    assert {z.identificatie for z in merge.catalogue} == {z.identificatie for z in catalogue()}
    assert (KLACHT, "") in _notes(merge, CatalogiProblem.NOT_IN_CATALOGI)


def test_what_the_catalogi_api_has_a_field_for_comes_from_there():
    changed = replace(
        _with_step(3, statustekst="Wij missen nog een stuk. Stuur het ons binnen twee weken.", informeren=False),
        doorlooptijd=Duration(weeks=10),
        servicenorm=Duration(weeks=6),
        opschorting_mogelijk=False,
    )
    merged = merge_catalogi([changed], OWN, TOPICS, TODAY).catalogue.get(SUBSIDIE)
    own = catalogue().get(SUBSIDIE)
    assert (merged.doorlooptijd, merged.servicenorm) == (Duration(weeks=10), Duration(weeks=6))
    assert merged.opschorting_mogelijk is False
    step = merged.statustypen[2]
    assert step.statustekst is not None
    assert step.identificatie == own.statustypen[2].identificatie
    assert (step.informeren, step.statustekst.nl) == (False, "Wij missen nog een stuk. Stuur het ons binnen twee weken.")
    # what the Catalogi API has no field for is Baken's
    assert (merged.product, merged.case_number_prefix, merged.onderwerp, merged.voorwaarden, merged.informatie_url) == (
        own.product,
        own.case_number_prefix,
        own.onderwerp,
        own.voorwaarden,
        own.informatie_url,
    )


def test_a_changed_dutch_text_is_shown_in_english_too_until_its_translation_is_brought_up_to_date():
    merge = merge_catalogi([_with_step(2, statustekst="Een behandelaar kijkt nu naar uw plan.")], OWN, TOPICS, TODAY)
    step = merge.catalogue.get(SUBSIDIE).statustypen[1]
    assert step.statustekst is not None
    assert step.statustekst.in_(Language.EN) == step.statustekst.in_(Language.NL) == "Een behandelaar kijkt nu naar uw plan."
    assert _notes(merge, CatalogiProblem.TRANSLATION_OUTDATED) == [(SUBSIDIE, "statustypen[2].statustekst")]
    # the texts that did not change keep their translation
    assert merge.catalogue.get(SUBSIDIE).statustypen[0].statustekst == catalogue().get(SUBSIDIE).statustypen[0].statustekst


def test_a_step_baken_does_not_know_gets_an_identificatie_from_its_omschrijving():
    ours = zgw_zaaktype()
    last = ours.statustypen[-1]
    extra = ZgwStatustype(f"{CATALOGI}/statustypen/new", "Advies van de Commissie Ruimte", last.volgnummer, False, False)
    moved = replace(last, volgnummer=last.volgnummer + 1)
    merge = merge_catalogi([replace(ours, statustypen=(*ours.statustypen[:-1], extra, moved))], OWN, TOPICS, TODAY)
    steps = merge.catalogue.get(SUBSIDIE).statustypen
    assert steps[-2].identificatie == "advies-van-de-commissie-ruimte"
    assert steps[-2].omschrijving.en == "Advies van de Commissie Ruimte"
    assert (SUBSIDIE, f"statustypen[{last.volgnummer}].omschrijving") in _notes(merge, CatalogiProblem.NO_TRANSLATION)
    assert steps[-1].is_eindstatus


def test_informeren_without_a_statustekst_uses_bakens_text_and_says_so():
    merge = merge_catalogi([_with_step(2, statustekst=None)], OWN, TOPICS, TODAY)
    assert merge.catalogue.get(SUBSIDIE).statustypen[1].statustekst == catalogue().get(SUBSIDIE).statustypen[1].statustekst
    assert _notes(merge, CatalogiProblem.NO_STATUSTEKST) == [(SUBSIDIE, "statustypen[2]")]


def test_a_zaaktype_the_merge_cannot_make_valid_keeps_bakens_version():
    ours = zgw_zaaktype()
    unknown = ZgwStatustype(f"{CATALOGI}/statustypen/x", "Nieuwe stap", 99, True, True, statustekst=None)
    broken = replace(ours, statustypen=(*ours.statustypen, unknown))  # informeren, no statustekst anywhere
    merge = merge_catalogi([broken], OWN, TOPICS, TODAY)
    assert merge.catalogue.get(SUBSIDIE) == catalogue().get(SUBSIDIE)
    assert merge.from_catalogi == ()
    [(zaaktype, detail)] = _notes(merge, CatalogiProblem.INVALID)
    assert zaaktype == SUBSIDIE
    assert "statustekst" in detail


def test_a_zaaktype_only_the_catalogi_api_has_is_left_out_and_named():
    other = replace(zgw_zaaktype(), identificatie="vergunning-evenement", url=f"{CATALOGI}/zaaktypen/other")
    merge = merge_catalogi([zgw_zaaktype(), other], OWN, TOPICS, TODAY, elsewhere=("melding-houtopstand",))
    assert "vergunning-evenement" not in {z.identificatie for z in merge.catalogue}
    assert _notes(merge, CatalogiProblem.NO_BAKEN_SETTINGS) == [("melding-houtopstand", ""), ("vergunning-evenement", "")]


def test_the_version_valid_today_is_taken():
    ours = zgw_zaaktype()
    old = replace(ours, url="old", begin_geldigheid=date(2024, 1, 1), einde_geldigheid=date(2025, 12, 31))
    current = replace(ours, url="current", begin_geldigheid=date(2026, 1, 1), versiedatum=date(2026, 1, 1))
    newer_same_day = replace(current, url="newer", versiedatum=date(2026, 6, 1), doorlooptijd=Duration(weeks=12))
    future = replace(ours, url="future", begin_geldigheid=date(2027, 1, 1))
    concept = replace(ours, url="concept", concept=True)
    assert [z.url for z in current_versions([old, current, newer_same_day, future, concept], TODAY)] == ["newer"]
    assert current_versions([future, concept], TODAY) == []
    merge = merge_catalogi([old, newer_same_day, future], OWN, TOPICS, TODAY)
    assert merge.catalogue.get(SUBSIDIE).doorlooptijd == Duration(weeks=12)


def test_the_merge_is_stored_in_the_data_files_form_and_its_fingerprint_follows_its_content():
    merge = merge_catalogi([zgw_zaaktype()], OWN, TOPICS, TODAY)
    again = Catalogue.from_data(json.loads(json.dumps(merge.data)), TOPICS)
    assert list(again) == list(merge.catalogue)
    assert merge.fingerprint == fingerprint(json.loads(json.dumps(merge.data)))
    assert merge_catalogi([_with_step(2, statustekst="Anders.")], OWN, TOPICS, TODAY).fingerprint != merge.fingerprint
    assert Catalogue.from_data(catalogue().to_data(), TOPICS).get(SUBSIDIE) == catalogue().get(SUBSIDIE)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Aanvullende informatie nodig", "aanvullende-informatie-nodig"),
        ("Besluit ge\u00efnd!", "besluit-geind"),
        ("???", "status"),
    ],
)
def test_slug(text, expected):
    assert slug(text) == expected
