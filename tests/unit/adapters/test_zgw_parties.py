"""PairwisePseudonyms: a rol's betrokkene as the subject its person or company logs in with."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

import pytest

from chalicelib.adapters.zgw_parties import PairwisePseudonyms, pairwise_subject, passes_elfproef
from chalicelib.domain.identity import is_valid_subject
from chalicelib.domain.zgw import ZgwRol

KEY = b"pairwise-key-for-tests-only"
SECTOR = "provincie-utrecht.nl"
BSN = "999993653"  # a test BSN
OTHER_BSN = "111222333"


def rol(kind: str, identificatie: dict[str, Any] | None = None) -> ZgwRol:
    return ZgwRol(
        url="https://zaken.example.nl/zaken/api/v1/rollen/1",
        omschrijving_generiek="initiator",
        betrokkene_type=kind,
        indicatie_machtiging=None,
        identificatie=identificatie or {},
    )


def pseudonyms(**options: Any) -> PairwisePseudonyms:
    return PairwisePseudonyms(lambda: KEY, SECTOR, **options)


def test_a_person_gets_the_pairwise_subject_of_the_bsn_in_the_sector() -> None:
    subject = pseudonyms().subject_for(rol("natuurlijk_persoon", {"inpBsn": BSN, "geslachtsnaam": "Visser"}))

    expected = "pu-" + hmac.new(KEY, f"{SECTOR}|{BSN}".encode(), hashlib.sha256).hexdigest()[:24]
    assert subject == expected
    assert subject is not None
    assert is_valid_subject(subject)
    assert BSN not in subject


def test_the_subject_is_stable_and_differs_per_person_sector_and_key() -> None:
    one = pairwise_subject(BSN, key=KEY, sector=SECTOR)

    assert pairwise_subject(BSN, key=KEY, sector=SECTOR) == one
    assert pairwise_subject(OTHER_BSN, key=KEY, sector=SECTOR) != one
    assert pairwise_subject(BSN, key=KEY, sector="other-sector") != one
    assert pairwise_subject(BSN, key=b"another key", sector=SECTOR) != one
    assert len(one) == 3 + 24
    assert one[3:] == one[3:].lower()


def test_a_key_given_as_text_is_the_same_key() -> None:
    as_text = PairwisePseudonyms(KEY.decode, SECTOR).subject_for(rol("natuurlijk_persoon", {"inpBsn": BSN}))

    assert as_text == pairwise_subject(BSN, key=KEY, sector=SECTOR)


def test_a_bsn_without_its_leading_zero_is_the_same_person() -> None:
    bsn = "012345672"  # passes the eleven test
    assert passes_elfproef(bsn)

    short = pseudonyms().subject_for(rol("natuurlijk_persoon", {"inpBsn": bsn[1:]}))

    assert short == pairwise_subject(bsn, key=KEY, sector=SECTOR)


@pytest.mark.parametrize(
    "identificatie", [{}, {"inpBsn": ""}, {"inpBsn": "123456789"}, {"inpBsn": "12345"}, {"inpBsn": 999993653}]
)
def test_a_person_without_a_valid_bsn_is_not_reached(identificatie: dict[str, Any]) -> None:
    assert pseudonyms().subject_for(rol("natuurlijk_persoon", identificatie)) is None


def test_a_local_persona_is_found_by_its_test_bsn_before_the_pairwise_function() -> None:
    local = pseudonyms(local_personas={BSN: "pu-mark-3f9a1c"})

    assert local.subject_for(rol("natuurlijk_persoon", {"inpBsn": BSN})) == "pu-mark-3f9a1c"
    assert local.subject_for(rol("natuurlijk_persoon", {"inpBsn": "012345672"})) == pairwise_subject(
        "012345672", key=KEY, sector=SECTOR
    )


def test_the_key_is_not_read_for_a_party_that_needs_none() -> None:
    def no_key() -> bytes:
        raise AssertionError("the key was read")

    parties = PairwisePseudonyms(no_key, SECTOR)

    assert parties.subject_for(rol("niet_natuurlijk_persoon", {"kvkNummer": "12345678"})) == "kvk:12345678"
    assert parties.subject_for(rol("natuurlijk_persoon", {"inpBsn": "123456789"})) is None  # fails the eleven test


@pytest.mark.parametrize(
    ("kind", "identificatie", "subject"),
    [
        ("niet_natuurlijk_persoon", {"kvkNummer": "12345678", "innNnpId": "002220647"}, "kvk:12345678"),
        ("niet_natuurlijk_persoon", {"innNnpId": "002220647"}, "rsin:002220647"),
        ("niet_natuurlijk_persoon", {"innNnpId": "12345678"}, "kvk:12345678"),
        ("niet_natuurlijk_persoon", {"innNnpId": "123456789"}, None),  # nine digits failing the eleven test
        ("niet_natuurlijk_persoon", {"statutaireNaam": "Stichting"}, None),
        ("vestiging", {"kvkNummer": "87654321", "vestigingsNummer": "000012345678"}, "kvk:87654321"),
        ("vestiging", {"vestigingsNummer": "000012345678"}, None),
        ("medewerker", {"identificatie": "anna"}, None),
        ("organisatorische_eenheid", {"identificatie": "SUB"}, None),
        ("onbekend", {"inpBsn": BSN}, None),
    ],
)
def test_companies_are_named_as_the_login_names_them_and_others_are_not_reached(
    kind: str, identificatie: dict[str, Any], subject: str | None
) -> None:
    assert pseudonyms().subject_for(rol(kind, identificatie)) == subject


def test_a_sector_is_required() -> None:
    with pytest.raises(ValueError, match="sector"):
        PairwisePseudonyms(lambda: KEY, "")
