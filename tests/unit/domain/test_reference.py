"""Reference data: the 26 gemeenten of the province and the topics people can follow."""

from __future__ import annotations

import pytest

from chalicelib import wiring
from chalicelib.domain.errors import CatalogueError
from chalicelib.domain.reference import ReferenceData
from tests.unit.domain.builders import gemeente_data, topic_data


def test_the_real_data_holds_the_26_gemeenten_of_the_province():
    assert len(list(wiring.reference_data().gemeenten())) == 26


def test_the_real_gemeente_codes_are_unique_cbs_codes():
    codes = [g.code for g in wiring.reference_data().gemeenten()]

    assert len(set(codes)) == 26
    assert all(code.startswith("GM") and len(code) == 6 and code[2:].isdigit() for code in codes)


def test_a_gemeente_is_found_by_its_cbs_code():
    heuvelrug = wiring.reference_data().gemeente("GM1581")

    assert heuvelrug is not None
    assert heuvelrug.naam == "Utrechtse Heuvelrug"


def test_a_gemeente_outside_the_province_is_not_found():
    assert wiring.reference_data().gemeente("GM0363") is None  # Amsterdam


def test_every_topic_a_zaaktype_names_exists_in_the_real_data():
    reference = wiring.reference_data()

    assert all(reference.topic(z.onderwerp) is not None for z in wiring.catalogue_data())


def test_valid_reference_data_loads():
    reference = ReferenceData.from_data(
        {"gemeenten": [gemeente_data("GM0344", "Utrecht")]}, {"topics": [topic_data("wegen-en-werkzaamheden")]}
    )

    gemeente = reference.gemeente("GM0344")
    assert gemeente is not None
    assert (gemeente.naam, gemeente.centre.lat, gemeente.population) == ("Utrecht", 52.0907, 370000)
    assert reference.topic("wegen-en-werkzaamheden") is not None


@pytest.mark.parametrize("code", ["GM344", "gm0344", "0344", "GM03444", "PV26", "", None])
def test_a_gemeente_code_that_is_not_a_cbs_code_is_rejected(code):
    with pytest.raises(CatalogueError):
        ReferenceData.from_data({"gemeenten": [gemeente_data(code)]}, {"topics": [topic_data()]})


@pytest.mark.parametrize("slug", ["Subsidies", "a", "-subsidies", "1subsidies", "sub sidies", "sub_sidies", "x" * 42, None])
def test_a_topic_slug_that_is_not_lowercase_letters_digits_and_dashes_is_rejected(slug):
    with pytest.raises(CatalogueError):
        ReferenceData.from_data({"gemeenten": [gemeente_data()]}, {"topics": [topic_data(slug)]})


def test_a_gemeente_code_listed_twice_is_rejected():
    with pytest.raises(CatalogueError):
        ReferenceData.from_data({"gemeenten": [gemeente_data("GM0344"), gemeente_data("GM0344")]}, {"topics": [topic_data()]})


def test_a_topic_slug_listed_twice_is_rejected():
    with pytest.raises(CatalogueError):
        ReferenceData.from_data({"gemeenten": [gemeente_data()]}, {"topics": [topic_data("wegen"), topic_data("wegen")]})


@pytest.mark.parametrize("missing", ["naam", "centre", "population"])
def test_a_gemeente_without_naam_centre_or_population_is_rejected(missing):
    item = gemeente_data()
    del item[missing]

    with pytest.raises(CatalogueError):
        ReferenceData.from_data({"gemeenten": [item]}, {"topics": [topic_data()]})
