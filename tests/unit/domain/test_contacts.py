"""Tags of a contact moment: short labels staff give a contact, kept trimmed, in lower case and once each."""

from __future__ import annotations

import pytest

from chalicelib.domain.contacts import MAX_TAG_LENGTH, MAX_TAGS, clean_tags
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
