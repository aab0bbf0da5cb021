"""The satisfaction question's rules: a score of 1 to 5 and a comment of at most 1,000 characters, open until 30
days after the case closed; answers counted per product and month, a change moving one count, the same answer
again nothing; small numbers never shown; and nothing in a report that names a case or a person."""

from __future__ import annotations

import dataclasses
import random
from datetime import UTC, date, datetime, timedelta

import pytest

from chalicelib.domain.errors import ValidationError
from chalicelib.domain.satisfaction import (
    ANSWER_WINDOW_DAYS,
    COMMENT_KEY,
    MAX_COMMENT_LENGTH,
    Answer,
    MonthScores,
    PublishedScores,
    SatisfactionReport,
    clean_comment,
    clean_score,
    cleaned,
    comment_key,
    counted_change,
    is_open,
    link_expires,
    link_subject,
    open_until,
    parse_link_subject,
    published_scores,
    respondent_key,
    satisfaction_report,
    tally,
)
from chalicelib.domain.servicenorms import SMALL_NUMBER
from chalicelib.domain.tokens import KeyRing
from chalicelib.domain.workdays import AMSTERDAM

AT = datetime(2026, 11, 3, 10, 0, tzinfo=UTC)
SUBSIDIE = "subsidie-duurzame-recreatie"


def _answer(score: int, comment: str | None = None, month: str = "2026-11", zaaktype: str = SUBSIDIE) -> Answer:
    return Answer(zaaktype, month, score, comment, AT)


# --- the answer ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("given", ["1", "3", "5", " 4 ", 2])
def test_a_score_of_one_to_five_is_taken(given):
    assert clean_score(given) == int(str(given).strip())


@pytest.mark.parametrize(
    ("given", "code"),
    [("", "required"), (None, "required"), ("0", "not_a_choice"), ("6", "not_a_choice"), ("vijf", "not_a_choice"),
     ("4.5", "not_a_choice"), ("-1", "not_a_choice")],
)  # fmt: skip
def test_anything_else_is_refused_at_the_score_field(given, code):
    with pytest.raises(ValidationError) as refused:
        clean_score(given)
    assert [(i.field, i.code) for i in refused.value.issues] == [("score", code)]


def test_a_comment_is_kept_without_whitespace_around_it_and_an_empty_one_is_none():
    assert clean_comment("  Snel en vriendelijk.\r\nDank!  ") == "Snel en vriendelijk.\nDank!"
    assert clean_comment("   ") is None
    assert clean_comment(None) is None


def test_a_comment_of_more_than_1000_characters_or_with_control_characters_is_refused():
    assert clean_comment("a" * MAX_COMMENT_LENGTH) == "a" * MAX_COMMENT_LENGTH
    with pytest.raises(ValidationError) as too_long:
        clean_comment("a" * (MAX_COMMENT_LENGTH + 1))
    assert [(i.field, i.code, i.params) for i in too_long.value.issues] == [("comment", "too_long", {"max": 1000})]
    with pytest.raises(ValidationError) as control:
        clean_comment("hallo\x00")
    assert control.value.issues[0].code == "control_characters"


def test_every_problem_of_an_answer_is_named_at_once():
    with pytest.raises(ValidationError) as refused:
        cleaned("7", "x" * 1001)
    assert {i.field for i in refused.value.issues} == {"score", "comment"}
    assert cleaned("4", " Prima ") == (4, "Prima")


# --- the 30 days ---------------------------------------------------------------------------------------------------


def test_the_question_is_open_until_30_days_after_the_day_the_case_closed():
    closed = date(2026, 11, 2)
    assert ANSWER_WINDOW_DAYS == 30
    assert open_until(closed) == date(2026, 12, 2)
    assert is_open(closed, closed)
    assert is_open(closed, date(2026, 12, 2))
    assert not is_open(closed, date(2026, 12, 3))
    assert not is_open(None, closed)  # a case that is not closed has no question


def test_a_link_works_until_the_end_of_the_last_day_in_the_netherlands():
    expires = link_expires(date(2026, 11, 2))
    assert expires == datetime(2026, 12, 3, 0, 0, tzinfo=AMSTERDAM)
    assert expires.astimezone(UTC) == datetime(2026, 12, 2, 23, 0, tzinfo=UTC)  # CET is UTC+1


# --- who answered ------------------------------------------------------------------------------------------------


def test_a_person_is_kept_as_a_keyed_hash_that_differs_per_case_and_per_key():
    secret = KeyRing(b"k" * 32, fingerprint_key=b"f" * 32)
    key = respondent_key("case-1", "pu-mark-3f9a1c", secret)
    assert key == respondent_key("case-1", "pu-mark-3f9a1c", secret)
    assert len(key) == 32
    assert "mark" not in key
    assert key != respondent_key("case-2", "pu-mark-3f9a1c", secret)
    assert key != respondent_key("case-1", "pu-fatima-8d21e4", secret)
    # the fingerprint key, which never rotates: a new signing key keeps the same respondent
    rotated = KeyRing(b"n" * 32, [b"k" * 32], fingerprint_key=b"f" * 32)
    assert respondent_key("case-1", "pu-mark-3f9a1c", rotated) == key


def test_a_link_names_the_case_and_the_respondent_key_and_nothing_else():
    key = "0123456789abcdef0123456789abcdef"
    assert parse_link_subject(link_subject("case-1", key)) == ("case-1", key)
    for wrong in ("case-1", "case-1/short", "/" + key, "case-1/" + key.upper(), "subscriber:pu-mark"):
        with pytest.raises(ValueError, match="not a satisfaction link"):
            parse_link_subject(wrong)


# --- counting ------------------------------------------------------------------------------------------------------


def test_a_first_answer_counts_once():
    assert counted_change(None, _answer(4)) == [(_answer(4), 1)]


def test_a_change_takes_the_old_score_out_and_puts_the_new_one_in():
    before, after = _answer(2), _answer(5, "Toch goed")
    figures = MonthScores(SUBSIDIE, "2026-11").plus(before)
    for answer, sign in counted_change(before, after):
        figures = figures.plus(answer, sign)
    assert (dict(figures.counts), figures.answers, figures.comments) == ({5: 1}, 1, 1)


def test_the_same_answer_again_changes_nothing_whenever_it_is_given():
    later = dataclasses.replace(_answer(3, "Ok"), answered_at=AT + timedelta(days=2))
    assert counted_change(_answer(3, "Ok"), later) == []


def test_counting_answer_by_answer_gives_what_a_recount_gives():
    # GIVEN people answering and changing their answers in any order
    chooser = random.Random(5)  # noqa: S311 - test data, not security
    kept: dict[str, Answer] = {}
    figures: dict[str, MonthScores] = {}
    for _ in range(300):
        person = f"p{chooser.randrange(40)}"
        # a person's answer counts for the month their case closed, whatever they change
        month = kept[person].month if person in kept else chooser.choice(["2026-10", "2026-11"])
        after = _answer(chooser.randint(1, 5), chooser.choice([None, "tekst"]), month=month)
        for answer, sign in counted_change(kept.get(person), after):
            figures[answer.month] = figures.get(answer.month, MonthScores(SUBSIDIE, answer.month)).plus(answer, sign)
        kept[person] = after
    # THEN each month's counts are those of the answers as they stand
    for month in ("2026-10", "2026-11"):
        assert figures.get(month, MonthScores(SUBSIDIE, month)) == tally(SUBSIDIE, month, kept.values())


# --- what is shown -------------------------------------------------------------------------------------------------


def _month(*scores: int, comments: int = 0, month: str = "2026-11") -> MonthScores:
    figures = MonthScores(SUBSIDIE, month)
    for score in scores:
        figures = figures.plus(_answer(score, month=month))
    return dataclasses.replace(figures, comments=comments)


def test_a_month_shows_the_answers_the_mean_the_share_of_four_and_five_and_each_score():
    shown = published_scores(_month(5, 5, 4, 3, 1, 4, comments=2), "2026-11")
    assert shown == PublishedScores("2026-11", 6, 3.7, 0.667, (1, 0, 1, 2, 2), 2, too_few=False)


def test_a_month_with_fewer_than_five_answers_shows_nothing_at_all():
    assert SMALL_NUMBER == 5
    shown = published_scores(_month(5, 5, 5, 5, comments=4), "2026-11")
    assert shown == PublishedScores("2026-11", None, None, None, None, None, too_few=True)
    assert published_scores(_month(), "2026-11").too_few


def test_a_report_has_twelve_months_and_a_total_that_counts_when_the_months_alone_do_not():
    months = [f"2026-{m:02d}" for m in range(1, 13)]
    report = satisfaction_report(SUBSIDIE, [_month(4, 4, month="2026-03"), _month(5, 2, 3, month="2026-07")], months)
    assert isinstance(report, SatisfactionReport)
    assert len(report.months) == 12
    assert all(month.too_few for month in report.months)
    assert (report.total.period, report.total.answers, report.total.too_few) == ("2026-01/2026-12", 5, False)
    assert report.month("2026-07") == report.months[6]


def test_nothing_in_a_report_names_a_case_a_person_or_a_moment():
    report = satisfaction_report(SUBSIDIE, [_month(4, 4, 5, 5, 1)], ["2026-11"])
    fields = {f.name for f in dataclasses.fields(PublishedScores)}
    assert fields == {"period", "answers", "mean", "share_satisfied", "per_score", "comments", "too_few"}
    assert "case" not in repr(report)
    assert "answered_at" not in repr(report)


def test_a_comment_sorts_by_when_it_was_written_and_its_key_has_one_shape():
    earlier = comment_key(AT, "a" * 32)
    later = comment_key(AT + timedelta(seconds=1), "0" * 32)
    assert earlier < later
    assert COMMENT_KEY.fullmatch(earlier)
    assert COMMENT_KEY.fullmatch(later)
    assert not COMMENT_KEY.fullmatch("satisfaction-answer#case-1")
