"""The language to speak to somebody, from their browser's Accept-Language header; Dutch by default."""

from __future__ import annotations

import pytest

from chalicelib.domain.errors import CatalogueError
from chalicelib.domain.language import Language, Localized


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("en-GB,en;q=0.9", Language.EN),
        ("de, fr", Language.NL),
        ("nl;q=0.1, en;q=0.8", Language.EN),
        (None, Language.NL),
        ("", Language.NL),
        ("nl-NL,nl;q=0.9,en-US;q=0.8,en;q=0.7", Language.NL),
        ("de-DE, en-US;q=0.5, nl;q=0.4", Language.EN),
        ("EN-us", Language.EN),
        ("fr, en; q=0.3, nl; q=0.6", Language.NL),
        ("en;q=0.5, nl;q=0.5", Language.EN),  # equal quality: the first listed wins
        ("en;q=abc, nl;q=0.2", Language.NL),  # an unreadable quality counts as the lowest
        ("*", Language.NL),
    ],
)
def test_the_supported_language_with_the_highest_quality_is_chosen(header, expected):
    assert Language.from_accept_language(header) is expected


def test_a_language_with_quality_zero_is_never_chosen():
    assert Language.from_accept_language("de, en;q=0") is Language.NL


def test_a_localized_text_is_read_in_the_language_asked_for():
    text = Localized(nl="Ontvangen", en="Received")

    assert (text.in_(Language.NL), text.in_(Language.EN)) == ("Ontvangen", "Received")


@pytest.mark.parametrize("data", [None, "Ontvangen", {"nl": "Ontvangen"}, {"nl": "Ontvangen", "en": None}])
def test_a_localized_text_needs_both_dutch_and_english(data):
    with pytest.raises(CatalogueError):
        Localized.from_data(data, "statustype.omschrijving")
