"""Contact moments: tags (short labels staff give a contact, kept trimmed, in lower case and once each), and the
internal note apart from the optional sentence for the applicant, the only part the applicant sees."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from chalicelib.domain.cases import Medewerker
from chalicelib.domain.contacts import MAX_TAG_LENGTH, MAX_TAGS, ContactMoment, clean_for_applicant, clean_tags
from chalicelib.domain.errors import ValidationError


def _refused(tags: list[str]) -> dict[str, str]:
    with pytest.raises(ValidationError) as refused:
        clean_tags(tags)
    return {issue.field: issue.code for issue in refused.value.issues}


def test_tags_are_trimmed_lower_cased_and_kept_once_in_the_order_given():
    given = [" DSO", "vergunning-waterschap ", "termijn", "dso", "Termijn", "2026"]
    assert clean_tags(given) == ("dso", "vergunning-waterschap", "termijn", "2026")


def test_no_tags_is_no_tags():
    assert clean_tags([]) == ()


def test_a_tag_may_be_as_long_as_the_limit_and_no_longer():
    longest = "a" * MAX_TAG_LENGTH
    assert clean_tags([longest]) == (longest,)
    assert _refused([longest + "b"]) == {"tags.0": "invalid_tag"}


@pytest.mark.parametrize(
    "tag",
    [
        "",
        "   ",
        "vergunning waterschap",
        "-dso",
        "dso-",
        "dso,termijn",
        "co\u00f6rdinatie",
        "\u212a",  # the Kelvin sign, which lower-cases to an ASCII "k"
        "dso\x00",
        "dso\nBcc: x",
        "<b>dso</b>",
    ],
    ids=repr,
)
def test_a_tag_is_letters_digits_and_hyphens_only_and_each_wrong_one_is_named(tag):
    assert _refused(["dso", tag]) == {"tags.1": "invalid_tag"}


def test_more_than_the_maximum_number_of_tags_is_refused_even_if_some_repeat():
    assert _refused(["dso"] * (MAX_TAGS + 1)) == {"tags": "too_many_items"}
    assert len(clean_tags([f"tag-{n}" for n in range(MAX_TAGS)])) == MAX_TAGS


# The two texts of a contact moment ------------------------------------------------------------------------


def _moment(**changes: object) -> ContactMoment:
    base = ContactMoment(
        "c1",
        "case-1",
        "telefoon",
        "Vergunning waterschap",
        "Uitgelegd hoe hij de vergunning aanvraagt.",
        datetime(2026, 3, 2, 10, tzinfo=UTC),
        Medewerker("sanne", "Sanne de Boer"),
        tags=("dso",),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def test_the_applicant_sees_only_the_sentence_written_for_them():
    seen = _moment(for_applicant="U belde ons over de vergunning.").as_applicant_sees_it()
    assert seen is not None
    assert (seen.inhoud, seen.onderwerp, seen.tags) == ("U belde ons over de vergunning.", "", ())


def test_a_moment_without_a_sentence_for_the_applicant_is_not_shown_to_them_as_stored_before_it_existed():
    assert _moment().as_applicant_sees_it() is None
    assert _moment(for_applicant="").as_applicant_sees_it() is None


def test_a_confidential_moment_is_never_shown_to_the_applicant():
    assert _moment(vertrouwelijk=True, for_applicant="U belde ons.").as_applicant_sees_it() is None


def test_the_sentence_is_trimmed_empty_is_none_and_a_confidential_contact_has_none():
    assert clean_for_applicant("  U belde ons.  ", vertrouwelijk=False) == "U belde ons."
    assert clean_for_applicant(" \n ", vertrouwelijk=True) is None
    assert clean_for_applicant(None, vertrouwelijk=False) is None
    with pytest.raises(ValidationError) as refused:
        clean_for_applicant("U belde ons.", vertrouwelijk=True)
    assert [(i.field, i.code) for i in refused.value.issues] == [("for_applicant", "not_with_vertrouwelijk")]
