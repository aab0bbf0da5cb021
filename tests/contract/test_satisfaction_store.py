"""SatisfactionStore: the in-memory twin and the case-index table keep the answers alike — one per person per case,
the month counts changed with each answer in the same write, a change moving one count and replacing its comment,
an answer written by someone else meanwhile refused, and a month's comments newest first a page at a time; and a
month written whole (the demo data) reads back the same."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib import wiring
from chalicelib.adapters.dynamodb.satisfaction import DynamoDBSatisfaction
from chalicelib.adapters.memory import InMemorySatisfaction
from chalicelib.domain.errors import ConcurrentUpdateError
from chalicelib.domain.satisfaction import Answer, Comment, MonthScores, tally
from chalicelib.services.ports import SatisfactionStore
from tests.contract.conftest import twins
from tests.factories import T0

SUBSIDIE = "subsidie-duurzame-recreatie"
MONTH = "2026-10"
MARK = "0123456789abcdef0123456789abcdef"
FATIMA = "fedcba9876543210fedcba9876543210"


def _real(_: object) -> SatisfactionStore:
    return DynamoDBSatisfaction(lambda: wiring.aws_client("dynamodb"), wiring.adapters().settings.tables.case_index)


stores = twins(InMemorySatisfaction, _real)


def _answer(score: int, comment: str | None = None, minutes: int = 0, month: str = MONTH) -> Answer:
    return Answer(SUBSIDIE, month, score, comment, T0 + timedelta(minutes=minutes))


def test_nothing_is_kept_before_the_first_answer(stores: SatisfactionStore):
    assert stores.answer("case-1", MARK) is None
    assert stores.months(SUBSIDIE, "2026-01", "2026-12") == []
    assert stores.comments(SUBSIDIE, MONTH, limit=20).comments == ()


def test_an_answer_is_kept_with_its_month_counts_and_comment(stores: SatisfactionStore):
    saved = stores.save("case-1", MARK, None, _answer(4, "Vlot geholpen."))

    assert stores.answer("case-1", MARK) == saved
    assert (saved.version, saved.answer) == (1, _answer(4, "Vlot geholpen."))
    assert stores.months(SUBSIDIE, "2026-01", "2026-12") == [MonthScores(SUBSIDIE, MONTH, {4: 1}, 1)]
    assert stores.comments(SUBSIDIE, MONTH, limit=20).comments == (Comment(4, "Vlot geholpen."),)
    assert stores.answer("case-1", FATIMA) is None


def test_a_change_moves_one_count_and_replaces_the_comment(stores: SatisfactionStore):
    first = stores.save("case-1", MARK, None, _answer(2, "Traag."))
    stores.save("case-1", FATIMA, None, _answer(5))

    changed = stores.save("case-1", MARK, first, _answer(4, "Toch goed.", minutes=5))

    assert changed.version == 2
    assert stores.months(SUBSIDIE, MONTH, MONTH) == [MonthScores(SUBSIDIE, MONTH, {4: 1, 5: 1}, 1)]
    assert stores.comments(SUBSIDIE, MONTH, limit=20).comments == (Comment(4, "Toch goed."),)
    # and without a comment, the comment is gone
    stores.save("case-1", MARK, changed, _answer(4, None, minutes=9))
    assert stores.comments(SUBSIDIE, MONTH, limit=20).comments == ()
    assert stores.months(SUBSIDIE, MONTH, MONTH) == [MonthScores(SUBSIDIE, MONTH, {4: 1, 5: 1}, 0)]


def test_an_answer_moved_to_another_month_leaves_the_old_one(stores: SatisfactionStore):
    first = stores.save("case-1", MARK, None, _answer(3, "Ok."))
    stores.save("case-1", MARK, first, _answer(3, "Ok.", minutes=1, month="2026-11"))

    assert stores.months(SUBSIDIE, "2026-01", "2026-12") == [MonthScores(SUBSIDIE, "2026-11", {3: 1}, 1)]
    assert stores.comments(SUBSIDIE, MONTH, limit=20).comments == ()


def test_an_answer_changed_by_someone_else_meanwhile_is_refused_and_changes_nothing(stores: SatisfactionStore):
    first = stores.save("case-1", MARK, None, _answer(2))
    stores.save("case-1", MARK, first, _answer(3, minutes=1))

    with pytest.raises(ConcurrentUpdateError):
        stores.save("case-1", MARK, first, _answer(5, "Super", minutes=2))
    with pytest.raises(ConcurrentUpdateError):
        stores.save("case-1", MARK, None, _answer(1, minutes=3))

    assert stores.months(SUBSIDIE, MONTH, MONTH) == [MonthScores(SUBSIDIE, MONTH, {3: 1}, 0)]
    stored = stores.answer("case-1", MARK)
    assert stored is not None
    assert (stored.version, stored.answer.score) == (2, 3)


def test_a_months_comments_come_newest_first_a_page_at_a_time(stores: SatisfactionStore):
    for n in range(5):
        stores.save(f"case-{n}", MARK, None, _answer(1 + n % 5, f"Opmerking {n}", minutes=n))

    first = stores.comments(SUBSIDIE, MONTH, limit=2)
    second = stores.comments(SUBSIDIE, MONTH, limit=2, after=first.next)
    third = stores.comments(SUBSIDIE, MONTH, limit=2, after=second.next)

    assert [c.text for c in (*first.comments, *second.comments, *third.comments)] == [f"Opmerking {n}" for n in (4, 3, 2, 1, 0)]
    assert first.next is not None
    assert third.next is None


def test_a_month_written_whole_reads_back_as_answers_counts_and_comments(stores: SatisfactionStore):
    answers = {
        ("case-1", MARK): _answer(5, "Prima.", minutes=1),
        ("case-2", FATIMA): _answer(2, None, minutes=2),
        ("case-3", MARK): _answer(4, "Snel.", minutes=3),
    }
    stores.replace_month(tally(SUBSIDIE, MONTH, answers.values()), answers)

    assert stores.months(SUBSIDIE, MONTH, MONTH) == [MonthScores(SUBSIDIE, MONTH, {2: 1, 4: 1, 5: 1}, 2)]
    assert stores.comments(SUBSIDIE, MONTH, limit=20).comments == (Comment(4, "Snel."), Comment(5, "Prima."))
    kept = stores.answer("case-2", FATIMA)
    assert kept is not None
    assert (kept.version, kept.answer) == (1, answers[("case-2", FATIMA)])
    # and a change later is an ordinary change
    stores.save("case-1", MARK, stores.answer("case-1", MARK), _answer(3, None, minutes=9))
    assert stores.months(SUBSIDIE, MONTH, MONTH) == [MonthScores(SUBSIDIE, MONTH, {2: 1, 3: 1, 4: 1}, 1)]
