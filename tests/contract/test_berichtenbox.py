"""BerichtenboxStore (the berichtenbox): the in-memory berichtenbox and DynamoDB's berichtenbox table keep the same promises."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from chalicelib.domain.berichtenbox import BerichtenboxMessage, berichtenbox_message_id
from chalicelib.domain.cases import Link
from chalicelib.domain.errors import BerichtenboxMessageNotFoundError
from chalicelib.domain.events import EventKind
from chalicelib.services.ports import BerichtenboxStore
from tests.factories import FATIMA, MARK, T0


def a_message(subscriber_id: str = MARK, created_at: datetime = T0, **changes) -> BerichtenboxMessage:
    notification_id = uuid.uuid4().hex
    message = BerichtenboxMessage(
        id=berichtenbox_message_id(created_at, notification_id),
        subscriber_id=subscriber_id,
        notification_id=notification_id,
        case_id="case-contract",
        kind=EventKind.MESSAGE_POSTED,
        title="Nieuw bericht over uw zaak",
        body="Er staat een bericht voor u klaar – één stap.",
        link=Link("https://mijn.example.test/zaken/1", "Bekijk uw zaak"),
        created_at=created_at,
    )
    return replace(message, **changes)


def messages_at(berichtenbox: BerichtenboxStore, minutes: list[int], subscriber_id: str = MARK) -> list[BerichtenboxMessage]:
    stored = [a_message(subscriber_id, T0 + timedelta(minutes=m)) for m in minutes]
    for message in stored:
        berichtenbox.put(message)
    return stored


def test_a_stored_message_reads_back_the_same(berichtenbox: BerichtenboxStore):
    message = a_message()
    assert berichtenbox.put(message)
    assert berichtenbox.list(MARK, limit=10) == [message]


def test_a_message_without_a_link_reads_back_without_one(berichtenbox: BerichtenboxStore):
    message = a_message(link=None)
    berichtenbox.put(message)
    assert berichtenbox.list(MARK, limit=10) == [message]


def test_a_second_put_of_the_same_message_is_refused_and_keeps_the_first(berichtenbox: BerichtenboxStore):
    first = a_message()
    assert berichtenbox.put(first)
    assert not berichtenbox.put(replace(first, title="Anders"))
    assert berichtenbox.list(MARK, limit=10) == [first]


def test_messages_come_newest_first_up_to_the_limit_and_only_the_subscribers_own(berichtenbox: BerichtenboxStore):
    mine = messages_at(berichtenbox, [1, 5, 3, 4, 2])
    messages_at(berichtenbox, [6], subscriber_id=FATIMA)
    newest = berichtenbox.list(MARK, limit=3)
    assert newest == sorted(mine, key=lambda m: m.id, reverse=True)[:3]
    assert berichtenbox.list("pu-nobody", limit=3) == []


def test_the_next_page_starts_after_the_last_message_of_the_previous_one(berichtenbox: BerichtenboxStore):
    # GIVEN five messages
    mine = sorted(messages_at(berichtenbox, [1, 2, 3, 4, 5]), key=lambda m: m.id, reverse=True)
    # WHEN they are read two at a time
    first = berichtenbox.list(MARK, limit=2)
    second = berichtenbox.list(MARK, limit=2, after=first[-1].id)
    last = berichtenbox.list(MARK, limit=2, after=second[-1].id)
    # THEN the pages follow on from each other, and the last one is short
    assert [*first, *second, *last] == mine
    assert berichtenbox.list(MARK, limit=2, after=last[-1].id) == []


def test_only_unread_messages_are_counted(berichtenbox: BerichtenboxStore):
    read, *_ = messages_at(berichtenbox, [1, 2, 3])
    berichtenbox.mark_read(MARK, read.id, T0 + timedelta(hours=1))
    messages_at(berichtenbox, [4], subscriber_id=FATIMA)
    assert berichtenbox.unread_count(MARK) == 2
    assert berichtenbox.unread_count("pu-nobody") == 0


def test_a_message_stored_as_read_is_not_counted(berichtenbox: BerichtenboxStore):
    berichtenbox.put(a_message(read_at=T0))
    assert berichtenbox.unread_count(MARK) == 0


def test_marking_read_twice_keeps_the_first_moment(berichtenbox: BerichtenboxStore):
    [message] = messages_at(berichtenbox, [1])
    first = berichtenbox.mark_read(MARK, message.id, T0 + timedelta(hours=1))
    again = berichtenbox.mark_read(MARK, message.id, T0 + timedelta(hours=2))
    assert first == again == replace(message, read_at=T0 + timedelta(hours=1))
    assert berichtenbox.list(MARK, limit=1) == [first]


def test_marking_someone_elses_message_read_is_not_found_and_leaves_it_unread(berichtenbox: BerichtenboxStore):
    [theirs] = messages_at(berichtenbox, [1], subscriber_id=FATIMA)
    with pytest.raises(BerichtenboxMessageNotFoundError):
        berichtenbox.mark_read(MARK, theirs.id, T0)
    assert berichtenbox.unread_count(FATIMA) == 1


def test_marking_an_unknown_message_read_is_not_found(berichtenbox: BerichtenboxStore):
    with pytest.raises(BerichtenboxMessageNotFoundError):
        berichtenbox.mark_read(MARK, berichtenbox_message_id(T0, "f" * 32), T0)


def test_the_messages_about_one_case_come_newest_first_only_that_persons_and_page_by_page(berichtenbox: BerichtenboxStore):
    case_id = f"case-{uuid.uuid4().hex[:8]}"
    mine = [a_message(MARK, T0 + timedelta(minutes=m), case_id=case_id) for m in (1, 3, 2)]
    other_case = a_message(MARK, T0 + timedelta(minutes=4), case_id="case-other")
    fatimas = a_message(FATIMA, T0 + timedelta(minutes=5), case_id=case_id)
    for message in (*mine, other_case, fatimas):
        berichtenbox.put(message)

    newest = berichtenbox.list(MARK, limit=2, case_id=case_id)
    assert newest == sorted(mine, key=lambda m: m.id, reverse=True)[:2]
    rest = berichtenbox.list(MARK, limit=2, after=newest[-1].id, case_id=case_id)
    assert rest == [min(mine, key=lambda m: m.id)]
    assert berichtenbox.list(FATIMA, limit=10, case_id=case_id) == [fatimas]


def test_a_message_read_stays_in_the_list_of_its_case(berichtenbox: BerichtenboxStore):
    case_id = f"case-{uuid.uuid4().hex[:8]}"
    message = a_message(MARK, case_id=case_id)
    berichtenbox.put(message)
    read = berichtenbox.mark_read(MARK, message.id, T0 + timedelta(hours=1))
    assert berichtenbox.list(MARK, limit=10, case_id=case_id) == [read]
