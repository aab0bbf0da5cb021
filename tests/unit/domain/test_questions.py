"""Questions about a case: the text as kept (required, at most 2,000 characters, no control characters), the
answer term in working days, one id per form (a form sent twice is one question), one message id per answer,
and the question as the contact moment the timeline shows."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from chalicelib.domain.cases import Medewerker
from chalicelib.domain.errors import ValidationError
from chalicelib.domain.questions import (
    ANSWER_TERM_WORKING_DAYS,
    KANAAL,
    MAX_QUESTION_LENGTH,
    Answer,
    Question,
    answer_due,
    answer_message_id,
    clean_text,
    question_id,
)
from chalicelib.domain.workdays import add_working_days

KEY = "0123456789abcdef0123456789abcdef"


def _refused(text: str | None) -> tuple[str, str]:
    with pytest.raises(ValidationError) as refused:
        clean_text(text)
    (issue,) = refused.value.issues
    return issue.field, issue.code


def test_a_question_is_kept_without_whitespace_around_it_and_with_its_line_breaks():
    assert clean_text("  Wanneer beslist u?\r\nIk wacht al lang.  ") == "Wanneer beslist u?\nIk wacht al lang."


@pytest.mark.parametrize("text", [None, "", "   \n\t "])
def test_an_empty_question_is_refused_naming_the_field(text):
    assert _refused(text) == ("text", "required")


def test_a_question_of_exactly_the_maximum_is_kept_and_one_character_more_is_refused():
    assert len(clean_text("a" * MAX_QUESTION_LENGTH)) == MAX_QUESTION_LENGTH
    assert _refused("a" * (MAX_QUESTION_LENGTH + 1)) == ("text", "too_long")


def test_control_characters_are_refused():
    assert _refused("vraag\x00") == ("text", "control_characters")


def test_the_same_form_gives_the_same_question_and_another_form_or_person_another():
    same = question_id("case-1", "pu-mark", KEY)
    assert same == question_id("case-1", "pu-mark", KEY)
    assert same != question_id("case-1", "pu-fatima", KEY)
    assert same != question_id("case-2", "pu-mark", KEY)
    assert same != question_id("case-1", "pu-mark", "f" * 32)


@pytest.mark.parametrize("key", ["", "nope", KEY.upper(), KEY + "0", "../" + KEY[3:]])
def test_a_form_key_that_no_form_gives_is_refused(key):
    with pytest.raises(ValidationError) as refused:
        question_id("case-1", "pu-mark", key)
    assert refused.value.issues[0].field == "key"


def test_an_answer_has_one_message_id_of_its_own():
    asked = question_id("case-1", "pu-mark", KEY)
    assert answer_message_id(asked) == answer_message_id(asked)
    assert answer_message_id(asked) != asked


@pytest.mark.parametrize(
    ("asked", "due"),
    [
        (date(2026, 10, 5), date(2026, 10, 12)),  # Monday: the next Monday
        (date(2026, 10, 9), date(2026, 10, 16)),  # Friday: the next Friday
        (date(2026, 10, 10), date(2026, 10, 16)),  # Saturday: counted from Monday on
        (date(2026, 12, 23), date(2026, 12, 31)),  # Christmas Day is not a working day (Boxing Day is a Saturday)
        (date(2026, 12, 28), date(2027, 1, 5)),  # nor is New Year's Day
        (date(2027, 4, 23), date(2027, 5, 3)),  # King's Day (27 April) is not one
    ],
)
def test_the_answer_is_due_five_working_days_after_the_day_it_was_asked(asked, due):
    assert ANSWER_TERM_WORKING_DAYS == 5
    assert add_working_days(asked, ANSWER_TERM_WORKING_DAYS) == due


def test_the_day_a_question_is_asked_is_the_dutch_calendar_day():
    # 23:30 UTC on Sunday 4 October is Monday 5 October in the Netherlands
    assert answer_due(datetime(2026, 10, 4, 23, 30, tzinfo=UTC)) == date(2026, 10, 12)


def test_no_working_days_is_the_same_day():
    assert add_working_days(date(2026, 10, 10), 0) == date(2026, 10, 10)


def test_a_question_is_overdue_after_its_day_until_it_is_answered():
    asked = datetime(2026, 10, 5, 9, tzinfo=UTC)
    question = Question("q", "case-1", "Vraag?", asked, "pu-mark", "pu-mark", answer_due(asked))
    assert not question.overdue(date(2026, 10, 12))
    assert question.overdue(date(2026, 10, 13))
    answer = Answer("Antwoord.", asked, Medewerker("mdw-anna", "Anna Bakker"), answer_message_id("q"))
    answered = Question("q", "case-1", "Vraag?", asked, "pu-mark", "pu-mark", answer_due(asked), answer)
    assert answered.answered
    assert not answered.overdue(date(2026, 10, 13))


def test_a_question_is_a_contact_moment_whose_text_the_applicant_sees_as_theirs():
    asked = datetime(2026, 10, 5, 9, tzinfo=UTC)
    moment = Question("q", "case-1", "Vraag?", asked, "pu-mark", "pu-mark", answer_due(asked)).as_contact_moment()
    assert (moment.kanaal, moment.inhoud, moment.plaatsgevonden_op, moment.vertrouwelijk) == (KANAAL, "Vraag?", asked, False)
    seen = moment.as_applicant_sees_it()
    assert seen is not None
    assert seen.inhoud == "Vraag?"
