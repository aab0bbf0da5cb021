"""The zaaktypen catalogue: the real data file loads, and a broken file is refused before it reaches a citizen."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib import wiring
from chalicelib.domain.catalogue import Catalogue, Product, Vertrouwelijkheid
from chalicelib.domain.durations import Duration
from chalicelib.domain.errors import CatalogueError, UnknownStatustypeError, UnknownZaaktypeError
from tests.factories import KLACHT, MELDING, SUBSIDIE, VERGUNNING, zaaktype
from tests.unit.domain.builders import KNOWN_TOPICS, catalogue_data, statustype_data, zaaktype_data


def _load(*zaaktypen: dict[str, Any]) -> Catalogue:
    return Catalogue.from_data(catalogue_data(*zaaktypen), KNOWN_TOPICS)


def test_the_real_zaaktypen_file_loads_with_its_four_zaaktypen():
    catalogue = wiring.catalogue_data()

    assert {z.identificatie for z in catalogue} == {SUBSIDIE, VERGUNNING, MELDING, KLACHT}
    assert len(catalogue) == 4


def test_the_subsidy_zaaktype_is_read_with_its_periods_and_steps_in_order():
    subsidie = wiring.catalogue_data().get(SUBSIDIE)

    assert subsidie.product is Product.SUBSIDIE
    assert subsidie.case_number_prefix == "SUB"
    assert subsidie.doorlooptijd == Duration(weeks=13)
    assert subsidie.servicenorm == Duration(weeks=8)
    assert subsidie.verlengingstermijn == Duration(weeks=6)
    assert subsidie.vertrouwelijkheidaanduiding is Vertrouwelijkheid.ZAAKVERTROUWELIJK
    assert [s.identificatie for s in subsidie.statustypen] == [
        "ontvangen",
        "in-behandeling",
        "aanvullende-informatie-nodig",
        "advies-gevraagd",
        "besluit-genomen",
    ]
    assert subsidie.statustype("advies-gevraagd").informeren is False
    assert subsidie.statustype("advies-gevraagd").statustekst is None


def test_an_unknown_zaaktype_is_reported_by_its_own_error():
    with pytest.raises(UnknownZaaktypeError):
        wiring.catalogue_data().get("bestaat-niet")


def test_a_valid_minimal_file_loads():
    catalogue = _load(zaaktype_data("a", caseNumberPrefix="A"), zaaktype_data("b", caseNumberPrefix="B"))

    assert [z.identificatie for z in catalogue] == ["a", "b"]
    assert catalogue.get("b").case_number_prefix == "B"


def test_a_zaaktype_without_verlenging_needs_no_verlengingstermijn():
    data = zaaktype_data(verlengingMogelijk=False)
    del data["verlengingstermijn"]

    assert _load(data).get("test-subsidie").verlengingstermijn is None


def test_statustypen_are_put_in_the_order_of_their_volgnummer():
    data = zaaktype_data(
        statustypen=[
            statustype_data("afgehandeld", 30, eindstatus=True),
            statustype_data("ontvangen", 10),
            statustype_data("in-behandeling", 20),
        ]
    )

    zaaktype_ = _load(data).get("test-subsidie")

    assert [s.identificatie for s in zaaktype_.statustypen] == ["ontvangen", "in-behandeling", "afgehandeld"]
    assert zaaktype_.first_statustype.identificatie == "ontvangen"


def _rejected(data: dict[str, Any]) -> str:
    with pytest.raises(CatalogueError) as raised:
        Catalogue.from_data(data, KNOWN_TOPICS)
    return str(raised.value.params["problem"])


def test_a_zaaktype_id_defined_twice_is_rejected():
    problem = _rejected(
        catalogue_data(zaaktype_data("dubbel", caseNumberPrefix="A"), zaaktype_data("dubbel", caseNumberPrefix="B"))
    )

    assert "defined twice" in problem


def test_a_case_number_prefix_used_twice_is_rejected():
    problem = _rejected(catalogue_data(zaaktype_data("a", caseNumberPrefix="SUB"), zaaktype_data("b", caseNumberPrefix="SUB")))

    assert "prefix SUB is used twice" in problem


def test_a_statustype_that_informs_needs_a_statustekst():
    statustypen = [
        statustype_data("ontvangen", 1, informeren=True, statustekst=None),
        statustype_data("afgehandeld", 2, eindstatus=True),
    ]

    assert "needs a statustekst" in _rejected(catalogue_data(zaaktype_data(statustypen=statustypen)))


def test_a_statustype_that_does_not_inform_needs_no_statustekst():
    statustypen = [statustype_data("ontvangen", 1, informeren=False), statustype_data("afgehandeld", 2, eindstatus=True)]

    assert _load(zaaktype_data(statustypen=statustypen)).get("test-subsidie").first_statustype.statustekst is None


@pytest.mark.parametrize(
    "statustypen",
    [
        pytest.param(
            [statustype_data("ontvangen", 1, eindstatus=True), statustype_data("in-behandeling", 2)],
            id="eindstatus-not-last",
        ),
        pytest.param(
            [statustype_data("ontvangen", 1), statustype_data("in-behandeling", 2)],
            id="no-eindstatus",
        ),
        pytest.param(
            [
                statustype_data("ontvangen", 1),
                statustype_data("afgewezen", 2, eindstatus=True),
                statustype_data("toegekend", 3, eindstatus=True),
            ],
            id="two-eindstatussen",
        ),
    ],
)
def test_the_last_statustype_and_only_that_one_is_the_eindstatus(statustypen):
    assert "eindstatus" in _rejected(catalogue_data(zaaktype_data(statustypen=statustypen)))


def test_a_zaaktype_without_statustypen_is_rejected():
    assert "at least one statustype" in _rejected(catalogue_data(zaaktype_data(statustypen=[])))


def test_an_onderwerp_that_is_not_a_known_topic_is_rejected():
    assert "not a known topic" in _rejected(catalogue_data(zaaktype_data(onderwerp="vogels-kijken")))


@pytest.mark.parametrize("prefix", ["sub", "Sub", "SUB1", "SU-B", "SUBSIDY", "", 12])
def test_a_case_number_prefix_must_be_one_to_six_capital_letters(prefix):
    _rejected(catalogue_data(zaaktype_data(caseNumberPrefix=prefix)))


@pytest.mark.parametrize("prefix", ["S", "SUBSID"])
def test_a_case_number_prefix_of_one_to_six_capital_letters_is_accepted(prefix):
    assert _load(zaaktype_data(caseNumberPrefix=prefix)).get("test-subsidie").case_number_prefix == prefix


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("doorlooptijd", "8 weken"),
        ("doorlooptijd", "PT8H"),
        ("doorlooptijd", None),
        ("servicenorm", "P6"),
        ("verlengingstermijn", "six weeks"),
    ],
)
def test_a_period_that_is_not_an_iso_duration_is_rejected(key, value):
    problem = _rejected(catalogue_data(zaaktype_data(**{key: value})))

    assert key in problem


def test_verlenging_without_a_verlengingstermijn_is_rejected():
    data = zaaktype_data(verlengingMogelijk=True)
    del data["verlengingstermijn"]

    assert "'verlengingstermijn' is required" in _rejected(catalogue_data(data))


def test_volgnummers_must_be_unique_within_a_zaaktype():
    statustypen = [
        statustype_data("ontvangen", 1),
        statustype_data("in-behandeling", 1),
        statustype_data("afgehandeld", 2, eindstatus=True),
    ]

    assert "volgnummers must be unique" in _rejected(catalogue_data(zaaktype_data(statustypen=statustypen)))


def test_statustype_identificaties_must_be_unique_within_a_zaaktype():
    statustypen = [statustype_data("ontvangen", 1), statustype_data("ontvangen", 2, eindstatus=True)]

    assert "identificaties must be unique" in _rejected(catalogue_data(zaaktype_data(statustypen=statustypen)))


@pytest.mark.parametrize(("key", "value"), [("product", "lening"), ("vertrouwelijkheidaanduiding", "topgeheim")])
def test_an_unknown_product_or_vertrouwelijkheid_is_rejected(key, value):
    _rejected(catalogue_data(zaaktype_data(**{key: value})))


def test_an_omschrijving_of_a_statustype_longer_than_80_characters_is_rejected():
    long = {"nl": "x" * 81, "en": "x"}
    statustypen = [statustype_data("ontvangen", 1, omschrijving=long), statustype_data("afgehandeld", 2, eindstatus=True)]

    assert "longer than 80" in _rejected(catalogue_data(zaaktype_data(statustypen=statustypen)))


@pytest.mark.parametrize("data", [None, [], {"zaaktypen": {}}, {"zaaktype": []}])
def test_a_file_without_a_zaaktypen_list_is_rejected(data):
    with pytest.raises(CatalogueError):
        Catalogue.from_data(data, KNOWN_TOPICS)


def test_an_unknown_statustype_of_a_zaaktype_raises_its_own_error():
    with pytest.raises(UnknownStatustypeError) as raised:
        zaaktype(SUBSIDIE).statustype("gearchiveerd")

    assert raised.value.params == {"zaaktype": SUBSIDIE, "statustype": "gearchiveerd"}


def test_following_gives_the_later_steps_in_process_order():
    following = zaaktype(SUBSIDIE).following("in-behandeling")

    assert [s.identificatie for s in following] == ["aanvullende-informatie-nodig", "advies-gevraagd", "besluit-genomen"]


def test_nothing_follows_the_eindstatus():
    assert zaaktype(SUBSIDIE).following("besluit-genomen") == ()


def test_following_an_unknown_step_raises():
    with pytest.raises(UnknownStatustypeError):
        zaaktype(SUBSIDIE).following("gearchiveerd")
