"""ContactMomentStore: the in-memory contact moments and DynamoDB's case-index table keep the same promises."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from chalicelib.domain.cases import Medewerker
from chalicelib.domain.contacts import ContactMoment
from chalicelib.domain.errors import ConcurrentUpdateError
from chalicelib.domain.questions import Answer, Question, answer_due, question_id
from chalicelib.services.ports import ContactMomentStore
from tests.factories import T0

SANNE = Medewerker("mdw-sanne-deboer", "Sanne de Boer")


def a_contact(case_id: str = "case-contract", at: datetime = T0, **changes) -> ContactMoment:
    moment = ContactMoment(
        id=f"contact-{uuid.uuid4().hex[:12]}",
        case_id=case_id,
        kanaal="telefoon",
        onderwerp="Vraag over de termijn",
        inhoud="Mevrouw belde over de beslistermijn; uitgelegd dat het zes weken is.",
        plaatsgevonden_op=at,
        medewerker=SANNE,
    )
    return replace(moment, **changes)


def test_a_contact_moment_reads_back_the_same(contacts: ContactMomentStore):
    moment = a_contact(taal="eng", vertrouwelijk=True, contact_gelukt=False, tags=("dso", "termijn"))
    contacts.add(moment)
    assert contacts.for_case(moment.case_id) == [moment]


def test_the_contact_moments_of_a_case_come_oldest_first_and_only_that_case(contacts: ContactMomentStore):
    moments = [a_contact(at=T0 + timedelta(minutes=m)) for m in (3, 1, 2)]
    for moment in [*moments, a_contact(case_id="case-other")]:
        contacts.add(moment)
    assert contacts.for_case("case-contract") == sorted(moments, key=lambda m: m.plaatsgevonden_op)
    assert contacts.for_case("case-none") == []


def test_contact_moments_at_the_same_moment_come_in_id_order(contacts: ContactMomentStore):
    moments = [a_contact() for _ in range(3)]
    for moment in moments:
        contacts.add(moment)
    assert contacts.for_case("case-contract") == sorted(moments, key=lambda m: m.id)


def test_a_second_add_of_the_same_contact_moment_is_refused_and_keeps_one(contacts: ContactMomentStore):
    moment = a_contact()
    contacts.add(moment)
    with pytest.raises(ConcurrentUpdateError):
        contacts.add(replace(moment, inhoud="Nog eens"))
    assert contacts.for_case(moment.case_id) == [moment]


def test_the_contact_moments_of_a_time_are_read_for_a_page_of_the_timeline(contacts: ContactMomentStore):
    # GIVEN contact moments at minutes 0 to 5, one at a fraction of a second
    moments = [a_contact(at=T0 + timedelta(minutes=m)) for m in range(6)]
    moments.append(a_contact(at=T0 + timedelta(minutes=2, microseconds=500_000)))
    for moment in moments:
        contacts.add(moment)
    # WHEN those of minute 2 (inclusive) to minute 4 (exclusive) are read
    between = contacts.for_case("case-contract", since=T0 + timedelta(minutes=2), until=T0 + timedelta(minutes=4))
    # THEN they are the three of that time, oldest first; either bound alone reads from or up to it
    assert [m.plaatsgevonden_op - T0 for m in between] == [
        timedelta(minutes=2),
        timedelta(minutes=2, microseconds=500_000),
        timedelta(minutes=3),
    ]
    assert len(contacts.for_case("case-contract", since=T0 + timedelta(minutes=4))) == 2
    assert len(contacts.for_case("case-contract", until=T0 + timedelta(minutes=1))) == 1


def a_question(case_id: str = "case-contract", at: datetime = T0, text: str = "Wanneer beslist u?") -> Question:
    asked = question_id(case_id, "pu-mark-3f9a1c", uuid.uuid4().hex)
    return Question(asked, case_id, text, at, "pu-mark-3f9a1c", "pu-mark-3f9a1c", answer_due(at))


def test_a_question_reads_back_the_same_and_is_a_contact_moment_on_its_case(contacts: ContactMomentStore):
    question = a_question(case_id=f"case-{uuid.uuid4().hex[:8]}")
    assert contacts.add_question(question) == question
    assert contacts.question(question.case_id, question.id) == question
    assert contacts.questions(question.case_id, limit=10) == [question]
    assert contacts.for_case(question.case_id) == [question.as_contact_moment()]


def test_the_same_question_twice_is_kept_once_and_the_first_is_given_back(contacts: ContactMomentStore):
    question = a_question(case_id=f"case-{uuid.uuid4().hex[:8]}")
    contacts.add_question(question)
    later = replace(question, asked_at=question.asked_at + timedelta(seconds=2), text="Anders")
    assert contacts.add_question(later) == question
    assert contacts.questions(question.case_id, limit=10) == [question]
    assert len(contacts.for_case(question.case_id)) == 1


def test_the_questions_of_a_case_come_newest_first_at_most_the_limit(contacts: ContactMomentStore):
    case_id = f"case-{uuid.uuid4().hex[:8]}"
    asked = [a_question(case_id, T0 + timedelta(minutes=m)) for m in (2, 3, 1)]
    for question in asked:
        contacts.add_question(question)
    contacts.add_question(a_question(f"case-{uuid.uuid4().hex[:8]}"))
    newest = [q.asked_at for q in contacts.questions(case_id, limit=2)]
    assert newest == [T0 + timedelta(minutes=3), T0 + timedelta(minutes=2)]


def test_a_question_is_answered_once(contacts: ContactMomentStore):
    question = a_question(case_id=f"case-{uuid.uuid4().hex[:8]}")
    contacts.add_question(question)
    answer = Answer("Binnen zes weken.", T0 + timedelta(days=1), Medewerker("mdw-anna-bakker", "Anna Bakker"), "m-1")
    assert contacts.mark_answered(replace(question, answer=answer))
    other = replace(answer, text="Iets anders")
    assert not contacts.mark_answered(replace(question, answer=other))
    assert contacts.question(question.case_id, question.id) == replace(question, answer=answer)
    assert contacts.question(question.case_id, "no-such-question") is None
    missing = a_question(case_id=question.case_id)
    assert not contacts.mark_answered(replace(missing, answer=answer))
