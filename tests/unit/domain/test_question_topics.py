"""Questions counted by onderwerp: the managed list, ISO weeks, the trend, the figures per onderwerp, the texts of a
veelgestelde vraag and the windows that measure its effect."""

from __future__ import annotations

from datetime import date

import pytest

from chalicelib.domain.errors import CatalogueError, ValidationError
from chalicelib.domain.language import Localized
from chalicelib.domain.question_topics import (
    COMMON_TOPICS,
    OTHER,
    WINDOW_WEEKS,
    QuestionTopic,
    Trend,
    WeekCount,
    all_topics,
    clean_faq,
    effect,
    effect_windows,
    figures,
    monday_of,
    topic_in,
    topics_from_data,
    trend,
    week_of,
    weeks_back,
)

OWN = (QuestionTopic("begroting", Localized("Begroting", "Budget")),)


def test_a_products_list_is_its_own_onderwerpen_then_the_shared_ones_with_something_else_last():
    topics = all_topics(OWN)
    assert [t.code for t in topics] == ["begroting", "stand-van-zaken", "termijn", "documenten", OTHER]
    assert topic_in(topics, "begroting") is OWN[0]
    assert topic_in(topics, None).code == OTHER
    assert topic_in(topics, "  ").code == OTHER
    with pytest.raises(ValidationError) as refused:
        topic_in(topics, "zonnepanelen")
    assert [(i.field, i.code) for i in refused.value.issues] == [("vraagonderwerp", "unknown_question_topic")]


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        ({"code": "begroting"}, "must be a list"),
        ([{"code": "begroting"}], "naam"),
        ([{"code": "Begroting", "naam": {"nl": "B", "en": "B"}}], "code must be"),
        ([{"code": "termijn", "naam": {"nl": "T", "en": "T"}}], "used twice"),
        ([{"code": "a", "naam": {"nl": "A", "en": "A"}}, {"code": "a", "naam": {"nl": "A", "en": "A"}}], "used twice"),
    ],
)
def test_a_broken_list_in_the_catalogue_fails_with_what_is_wrong(data, problem):
    with pytest.raises(CatalogueError, match=problem):
        topics_from_data(data, "zaaktype x")


def test_no_list_is_no_own_onderwerpen():
    assert topics_from_data(None, "zaaktype x") == ()
    assert [t.code for t in all_topics(())] == [t.code for t in COMMON_TOPICS]


def test_weeks_are_iso_weeks_that_sort_in_time_order_across_years():
    assert week_of(date(2026, 10, 5)) == "2026-W41"
    assert week_of(date(2027, 1, 1)) == "2026-W53"  # a Friday: still the last week of 2026
    assert week_of(date(2027, 1, 4)) == "2027-W01"
    assert sorted(["2027-W01", "2026-W53", "2026-W09"]) == ["2026-W09", "2026-W53", "2027-W01"]
    assert monday_of("2026-W41") == date(2026, 10, 5)
    # the full weeks before the week of a Wednesday, oldest first; the current week is not among them
    assert weeks_back(date(2026, 10, 7), 3) == ["2026-W38", "2026-W39", "2026-W40"]


@pytest.mark.parametrize(
    ("per_week", "expected"),
    [
        ([0] * 8, Trend.NONE),
        ([2, 2, 2, 2, 2, 2, 2, 3], Trend.SAME),  # 8 against 9: less than a fifth
        ([1, 1, 1, 1, 3, 3, 3, 3], Trend.UP),
        ([5, 5, 5, 5, 1, 1, 1, 1], Trend.DOWN),
        ([0, 0, 0, 0, 0, 0, 0, 1], Trend.SAME),  # one question is no trend
        ([0, 0, 0, 0, 0, 0, 1, 1], Trend.UP),
    ],
)
def test_the_trend_compares_the_last_four_weeks_with_the_four_before(per_week, expected):
    assert trend(per_week) is expected


def test_figures_add_up_per_onderwerp_most_asked_first_and_keep_a_code_taken_off_the_list():
    weeks = ["2026-W40", "2026-W41"]
    counts = [
        WeekCount("2026-W40", "termijn", 2, 2),
        WeekCount("2026-W41", "termijn", 1, 0),
        WeekCount("2026-W41", "begroting", 1, 1),
        WeekCount("2026-W41", "oud-onderwerp", 5, 5),
        WeekCount("2026-W39", "termijn", 9, 9),  # outside the weeks asked: not counted
    ]
    found = figures(all_topics(OWN), weeks, counts)
    assert [(f.topic.code, f.questions, f.per_week) for f in found[:3]] == [
        ("oud-onderwerp", 5, (0, 5)),
        ("termijn", 3, (2, 1)),
        ("begroting", 1, (0, 1)),
    ]
    termijn = found[1]
    assert termijn.answered == 2
    assert termijn.answered_share == pytest.approx(2 / 3)
    # onderwerpen without questions follow in the list's order, with no share
    assert [f.topic.code for f in found[3:]] == ["stand-van-zaken", "documenten", OTHER]
    assert found[3].answered_share is None


def test_a_veelgestelde_vraag_needs_dutch_and_english_is_both_or_neither():
    text = clean_faq(" Vraag? ", "Antwoord.\r\n\r\nMeer.", "", "")
    assert (text.vraag.nl, text.antwoord.nl, text.has_english) == ("Vraag?", "Antwoord.\n\nMeer.", False)
    assert text.vraag.en == "Vraag?"  # without English the Dutch is shown
    english = clean_faq("Vraag?", "Antwoord.", "Question?", "Answer.")
    assert english.has_english
    assert english.antwoord.en == "Answer."
    with pytest.raises(ValidationError) as refused:
        clean_faq("", "x" * 2001, "", "")
    assert [(i.field, i.code) for i in refused.value.issues] == [("vraag_nl", "required"), ("antwoord_nl", "too_long")]
    with pytest.raises(ValidationError) as half:
        clean_faq("Vraag?", "Antwoord.", "Question?", " ")
    assert [(i.field, i.code) for i in half.value.issues] == [("antwoord_en", "required_with_english")]
    with pytest.raises(ValidationError):
        clean_faq("Vraag\x00?", "Antwoord.", "", "")


def test_the_effect_is_measured_in_full_weeks_around_the_week_of_publication():
    published = date(2026, 10, 7)  # a Wednesday in 2026-W41
    before, after = effect_windows(published, date(2026, 10, 9))
    assert len(before) == WINDOW_WEEKS
    assert before[0] == "2026-W33"
    assert before[-1] == "2026-W40"
    assert after == []  # the week of publication has not ended
    _, after = effect_windows(published, date(2026, 10, 19))  # Monday of W43: W42 is over
    assert after == ["2026-W42"]
    _, after = effect_windows(published, date(2027, 6, 1))
    assert len(after) == WINDOW_WEEKS
    assert after[-1] == "2026-W49"

    per_week = {"2026-W40": 8, "2026-W39": 8, "2026-W41": 100, "2026-W42": 1, "2026-W43": 2}
    measured = effect(published, date(2026, 10, 26), per_week)
    assert (measured.weeks_before, measured.before) == (8, 2.0)
    assert (measured.weeks_after, measured.after) == (2, 1.5)  # the week of publication itself is in neither
    assert effect(published, date(2026, 10, 8), per_week).after is None
