"""Held e-mails: a daily or weekly digest, and quiet nights, hold e-mail (never the berichtenbox) until 07:00 in
Utrecht; then one held item goes out alone and several go out as one digest, once however often the run
runs. What asks the reader to act goes at once, day or night.

In 2026 the clocks go forward on Sunday 29 March (02:00 → 03:00) and back on Sunday 25 October (03:00 → 02:00):
07:00 in Utrecht is 05:00 UTC in summer and 06:00 UTC in winter.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.cases import Case
from chalicelib.domain.events import EventKind, Place
from chalicelib.domain.notifications import Notification, NotificationStatus
from chalicelib.domain.reference import Point
from chalicelib.domain.subscriptions import Channel, Frequency, Scope
from chalicelib.services.announcements import Draft
from chalicelib.services.case_commands import NewCase, NewDocumentRequest
from chalicelib.services.digests import DigestResult
from chalicelib.services.ports import OutgoingEmail
from tests.factories import FATIMA, MARK, SUBSIDIE, subscriber
from tests.unit.services.conftest import ANNA_PRINCIPAL, MARK_PRINCIPAL, PIETER, World

ADDRESSES = {MARK: "mark@example.org", FATIMA: "fatima@example.org"}
TUESDAY_SEVEN = datetime(2026, 10, 6, 5, 0, tzinfo=UTC)  # 07:00 summer time, the morning after T0
MONDAY_ELEVEN_PM = datetime(2026, 10, 5, 21, 0, tzinfo=UTC)  # 23:00 summer time, the evening of T0


def _reads_email(world: World, *people: str, frequency: Frequency = Frequency.IMMEDIATELY, quiet_hours: bool = False) -> None:
    for person in people or (MARK,):
        world.subscribers.put(replace(subscriber(person, ADDRESSES[person]), frequency=frequency, quiet_hours=quiet_hours))


def _case(world: World, *co_initiators: str) -> Case:
    """A case of Mark's (and of ``co_initiators``), registered now; its first status is told at once."""
    case = world.commands.create(ANNA_PRINCIPAL, NewCase(SUBSIDIE, "Duurzame recreatie", MARK, co_initiators, ("GM1581",)))
    world.propagate()
    return case


def _emails(world: World, person: str = MARK) -> list[Notification]:
    return [n for n in world.outbox.items.values() if n.subscriber_id == person and n.channel is Channel.EMAIL]


def _held(world: World, person: str = MARK) -> list[Notification]:
    return [n for n in _emails(world, person) if n.status is NotificationStatus.HELD]


def _mail_to(world: World, person: str = MARK) -> list[OutgoingEmail]:
    return [m for m in world.email.sent if m.to == ADDRESSES[person]]


def _items(mail: OutgoingEmail) -> list[str]:
    """The lines of a digest that each name one item."""
    return [line for line in mail.text.splitlines() if line.startswith("- ")]


def _run_at(world: World, moment: datetime) -> DigestResult:
    world.clock.current = moment
    result = world.digests.run()
    world.deliver_all()
    return result


def _three_items_for_mark(world: World, *co_initiators: str) -> Case:
    """Mark's case is registered, taken into handling and gets a message: three things to tell."""
    case = _case(world, *co_initiators)
    world.commands.set_status(ANNA_PRINCIPAL, case.id, "in-behandeling", None)
    world.propagate()
    world.commands.post_message(ANNA_PRINCIPAL, case.id, "Wij bellen u volgende week.", None)
    world.propagate()
    return case


# The daily digest --------------------------------------------------------------------------------------------


def test_a_daily_digest_readers_email_waits_for_seven_and_the_berichtenbox_does_not(world: World):
    _reads_email(world, frequency=Frequency.DAILY)

    _case(world)

    (held,) = _emails(world)
    assert (held.status, held.hold_until) == (NotificationStatus.HELD, TUESDAY_SEVEN)
    assert world.email.sent == []
    assert world.berichtenbox_store.unread_count(MARK) == 1


def test_at_seven_several_held_items_go_out_as_one_digest_that_lists_each(world: World):
    _reads_email(world, frequency=Frequency.DAILY)
    case = _three_items_for_mark(world)
    held = _held(world)
    assert len(held) == 3

    result = _run_at(world, TUESDAY_SEVEN)

    assert result == DigestResult(released=0, digests=1, bundled=3)
    (digest,) = _mail_to(world)
    assert digest.subject == "Uw overzicht van de provincie: 3 berichten"
    about = f"Zaak {case.case_number} (Subsidie duurzame recreatie)"
    assert sorted(_items(digest)) == sorted(
        [f"- {about}: nieuwe status", f"- {about}: nieuwe status", f"- {about}: nieuw bericht"]
    )
    # the items went out with it
    assert {world.outbox.items[n.id].status for n in held} == {NotificationStatus.DELIVERED}


def test_held_items_of_different_people_are_never_bundled_together(world: World):
    _reads_email(world, MARK, FATIMA, frequency=Frequency.DAILY)
    _three_items_for_mark(world, FATIMA)

    result = _run_at(world, TUESDAY_SEVEN)

    assert result == DigestResult(released=0, digests=2, bundled=6)
    for person in (MARK, FATIMA):
        (digest,) = _mail_to(world, person)
        assert len(_items(digest)) == 3
    digests = [n for n in world.outbox.items.values() if n.event_kind is EventKind.DIGEST]
    for digest_notification in digests:
        bundled = {world.outbox.items[i].subscriber_id for i in digest_notification.digest_items}
        assert bundled == {digest_notification.subscriber_id}


def test_a_digest_lists_news_of_a_followed_topic_by_its_title(world: World):
    _reads_email(world, frequency=Frequency.DAILY)
    world.subscription_service.follow(MARK_PRINCIPAL, Scope(topics=frozenset({"grondbeheer"})))
    case = _case(world)
    draft = Draft("Grond vrij aan de Eem", "Er komt grond vrij.", "grondbeheer", Place(("GM0307",), Point(52.1561, 5.3878)))
    announcement = world.announcements.draft(ANNA_PRINCIPAL, draft)
    world.announcements.submit(ANNA_PRINCIPAL, announcement.id)
    world.announcements.approve(PIETER, announcement.id)
    world.fan_out_announcements()

    _run_at(world, TUESDAY_SEVEN)

    (digest,) = _mail_to(world)
    assert sorted(_items(digest)) == [
        "- Grond vrij aan de Eem",
        f"- Zaak {case.case_number} (Subsidie duurzame recreatie): nieuwe status",
    ]


def test_a_single_held_item_goes_out_on_its_own(world: World):
    _reads_email(world, frequency=Frequency.DAILY)
    case = _case(world)
    (held,) = _held(world)

    result = _run_at(world, TUESDAY_SEVEN)

    assert result == DigestResult(released=1, digests=0, bundled=0)
    (mail,) = _mail_to(world)
    assert mail.subject == f"Nieuwe informatie over uw zaak {case.case_number}"
    assert mail.reference == held.id
    assert world.outbox.items[held.id].status is NotificationStatus.DELIVERED


def test_before_seven_nothing_is_released(world: World):
    _reads_email(world, frequency=Frequency.DAILY)
    _three_items_for_mark(world)

    result = _run_at(world, TUESDAY_SEVEN - timedelta(seconds=1))

    assert result == DigestResult()
    assert world.email.sent == []
    assert len(_held(world)) == 3


def test_running_the_digest_twice_sends_one_digest(world: World):
    _reads_email(world, frequency=Frequency.DAILY)
    _three_items_for_mark(world)

    world.clock.current = TUESDAY_SEVEN
    first, second = world.digests.run(), world.digests.run()
    assert (first.digests, second) == (1, DigestResult())
    # the second run queues the same digest again (the first might have died before queueing it)
    assert len(set(world.queue.messages)) == 1
    world.deliver_all()
    later = _run_at(world, TUESDAY_SEVEN + timedelta(minutes=15))

    assert later == DigestResult()
    assert len(_mail_to(world)) == 1


def test_a_digest_that_went_out_before_its_items_were_marked_is_not_sent_again(world: World):
    _reads_email(world, frequency=Frequency.DAILY)
    _three_items_for_mark(world)
    world.clock.current = TUESDAY_SEVEN
    world.digests.run()
    # GIVEN the digest was sent, but the worker died before marking what it carried
    (digest_id,) = world.queue.drain()
    queued = world.outbox.items[digest_id]
    sending = queued.moved_to(NotificationStatus.SENDING, TUESDAY_SEVEN, attempts=1)
    assert world.outbox.transition(queued, sending)
    assert world.outbox.transition(sending, sending.moved_to(NotificationStatus.DELIVERED, TUESDAY_SEVEN))

    # WHEN the next run finds the same items still held
    result = _run_at(world, TUESDAY_SEVEN + timedelta(minutes=15))

    # THEN it sends nothing and marks them as delivered with that digest
    assert result == DigestResult()
    assert world.email.sent == []
    assert {(n.status, n.reason) for n in _emails(world) if n.id != digest_id} == {
        (NotificationStatus.DELIVERED, f"digest:{digest_id}")
    }


def test_a_weekly_digest_waits_for_monday_seven(world: World):
    _reads_email(world, frequency=Frequency.WEEKLY)
    _case(world)  # on Monday 5 October, 11:00
    next_monday = datetime(2026, 10, 12, 5, 0, tzinfo=UTC)
    assert [n.hold_until for n in _held(world)] == [next_monday]

    assert _run_at(world, TUESDAY_SEVEN) == DigestResult()
    assert _run_at(world, next_monday).released == 1
    assert len(_mail_to(world)) == 1


# Quiet hours ------------------------------------------------------------------------------------------------


def test_quiet_hours_hold_an_email_of_23_00_until_07_00(world: World):
    _reads_email(world, quiet_hours=True)
    case = _case(world)
    assert len(_mail_to(world)) == 1  # by day it goes at once
    world.clock.current = MONDAY_ELEVEN_PM

    world.commands.set_status(ANNA_PRINCIPAL, case.id, "in-behandeling", None)
    world.propagate()

    (held,) = _held(world)
    assert held.hold_until == TUESDAY_SEVEN
    assert len(_mail_to(world)) == 1
    assert world.berichtenbox_store.unread_count(MARK) == 2  # the berichtenbox keeps no hours
    assert _run_at(world, TUESDAY_SEVEN - timedelta(minutes=1)) == DigestResult()
    assert _run_at(world, TUESDAY_SEVEN) == DigestResult(released=1)
    assert len(_mail_to(world)) == 2


def test_without_quiet_hours_an_email_of_23_00_goes_at_once(world: World):
    _reads_email(world, quiet_hours=False)
    world.clock.current = MONDAY_ELEVEN_PM

    _case(world)

    assert _held(world) == []
    assert len(_mail_to(world)) == 1


@pytest.mark.parametrize(
    ("frequency", "quiet_hours"),
    [(Frequency.IMMEDIATELY, True), (Frequency.DAILY, False), (Frequency.WEEKLY, True)],
    ids=["quiet-hours", "daily-digest", "weekly-digest"],
)
def test_a_request_for_documents_goes_at_once_even_at_23_00(world: World, frequency: Frequency, quiet_hours: bool):
    _reads_email(world, frequency=frequency, quiet_hours=quiet_hours)
    case = _case(world)
    world.clock.current = MONDAY_ELEVEN_PM
    world.email.sent.clear()

    world.commands.request_documents(ANNA_PRINCIPAL, case.id, (NewDocumentRequest("Begroting"),))
    world.propagate()

    mail = _mail_to(world)[-1]
    assert mail.subject == f"Wij hebben iets van u nodig voor zaak {case.case_number}"
    requested = [n for n in _emails(world) if n.event_kind is EventKind.DOCUMENTS_REQUESTED]
    assert [(n.status, n.hold_until) for n in requested] == [(NotificationStatus.DELIVERED, None)]


def test_e_mail_waiting_for_the_digest_goes_just_before_a_later_one_about_the_same_case_that_cannot_wait(world: World):
    _reads_email(world, frequency=Frequency.DAILY)
    case = _case(world)
    other = _case(world)
    # GIVEN Mark's daily digest waits with news of two cases
    world.commands.set_status(ANNA_PRINCIPAL, case.id, "in-behandeling", None)
    world.propagate()
    assert len(_held(world)) == 3
    assert _mail_to(world) == []

    # WHEN documents are asked for about one of them, which cannot wait
    world.commands.request_documents(ANNA_PRINCIPAL, case.id, (NewDocumentRequest("Begroting"),))
    world.propagate()

    # THEN what waited about that case goes first, in order, then the request; the other case still waits
    sent = [world.outbox.items[m.reference] for m in _mail_to(world)]
    assert [(n.case_id, n.event_kind) for n in sent] == [
        (case.id, EventKind.STATUS_CHANGED),
        (case.id, EventKind.STATUS_CHANGED),
        (case.id, EventKind.DOCUMENTS_REQUESTED),
    ]
    assert [n.created_at for n in sent] == sorted(n.created_at for n in sent)
    assert {n.case_id for n in _held(world)} == {other.id}


# Daylight saving time ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("evening", "seven_next_morning"),
    [
        # Saturday 24 October, 23:00 summer time; on Sunday 07:00 is winter time
        (datetime(2026, 10, 24, 21, 0, tzinfo=UTC), datetime(2026, 10, 25, 6, 0, tzinfo=UTC)),
        # Saturday 28 March, 23:00 winter time; on Sunday 07:00 is summer time
        (datetime(2026, 3, 28, 22, 0, tzinfo=UTC), datetime(2026, 3, 29, 5, 0, tzinfo=UTC)),
    ],
    ids=["clocks-go-back", "clocks-go-forward"],
)
@pytest.mark.parametrize(
    ("frequency", "quiet_hours"), [(Frequency.IMMEDIATELY, True), (Frequency.DAILY, False)], ids=["quiet-hours", "daily-digest"]
)
def test_on_the_night_the_clocks_change_held_email_still_goes_at_seven_in_utrecht(
    world: World, evening: datetime, seven_next_morning: datetime, frequency: Frequency, quiet_hours: bool
):
    _reads_email(world, frequency=frequency, quiet_hours=quiet_hours)
    world.clock.current = evening

    _case(world)

    assert [n.hold_until for n in _held(world)] == [seven_next_morning]
    assert _run_at(world, seven_next_morning - timedelta(seconds=1)) == DigestResult()
    assert _run_at(world, seven_next_morning) == DigestResult(released=1)
    assert len(_mail_to(world)) == 1


# When something goes wrong, or someone changes their mind ----------------------------------------------------


def test_a_digest_written_by_a_run_that_died_before_queueing_is_queued_by_the_next_run(world: World, monkeypatch):
    _reads_email(world, frequency=Frequency.DAILY)
    _three_items_for_mark(world)
    # GIVEN the run at 07:00 wrote Mark's digest, then died before it could queue it
    world.clock.current = TUESDAY_SEVEN
    monkeypatch.setattr(world.queue, "enqueue", lambda notifications: (_ for _ in ()).throw(TimeoutError("queue")))
    with pytest.raises(TimeoutError):
        world.digests.run()
    monkeypatch.undo()
    assert _mail_to(world) == []

    # WHEN the next run comes, a quarter of an hour later
    _run_at(world, TUESDAY_SEVEN + timedelta(minutes=15))

    # THEN the digest goes out, once, and what it carried is closed
    assert len(_mail_to(world)) == 1
    assert _held(world) == []


def test_held_e_mail_is_not_sent_to_someone_who_stopped_all_e_mail_in_the_meantime(world: World):
    _reads_email(world, frequency=Frequency.DAILY)
    _three_items_for_mark(world)
    # GIVEN Mark stops e-mail in the evening, with three items waiting for tomorrow's digest
    mark = world.subscribers.get(MARK)
    assert mark is not None
    world.subscribers.put(replace(mark, channels=frozenset({Channel.PORTAL})))

    _run_at(world, TUESDAY_SEVEN)

    # THEN nothing is sent, and nothing is left waiting
    assert _mail_to(world) == []
    assert _held(world) == []
    assert {n.reason for n in _emails(world) if n.event_kind is EventKind.DIGEST} == {"opted_out"}


def test_items_of_a_digest_still_waiting_to_be_sent_go_in_no_second_digest_and_nothing_overtakes_it(world: World):
    _reads_email(world, frequency=Frequency.DAILY)
    case = _three_items_for_mark(world)
    # GIVEN the 07:00 run wrote and queued Mark's digest, and SES has not taken it yet
    world.clock.current = TUESDAY_SEVEN
    assert world.digests.run().digests == 1
    (digest_id,) = world.queue.drain()
    # AND something new to tell arrives, due now
    world.commands.post_message(ANNA_PRINCIPAL, case.id, "Nog een vraag.", None)
    world.propagate()
    (newest,) = [n for n in _held(world) if n.bundled_in is None]
    world.outbox.items[newest.id] = replace(newest, hold_until=TUESDAY_SEVEN)

    # WHEN the runs of 07:15 and 07:30 come before the digest is sent
    world.clock.current = TUESDAY_SEVEN + timedelta(minutes=15)
    first = world.digests.run()
    world.clock.current = TUESDAY_SEVEN + timedelta(minutes=30)
    second = world.digests.run()

    # THEN the three items stay with their digest, nothing is bundled twice, and the new one waits for it
    assert (first, second) == (DigestResult(), DigestResult())
    assert [n.id for n in world.outbox.items.values() if n.event_kind is EventKind.DIGEST] == [digest_id]
    assert {n.bundled_in for n in _held(world)} == {digest_id, None}
    # AND once the digest is out, the next run sends the new one: each thing told once, in order
    world.deliver_all()
    assert _run_at(world, TUESDAY_SEVEN + timedelta(minutes=45)).released == 1
    assert _held(world) == []
    sent = [world.outbox.items[m.reference] for m in _mail_to(world)]
    assert [n.event_kind for n in sent] == [EventKind.DIGEST, EventKind.MESSAGE_POSTED]


def test_items_taken_by_a_run_that_died_before_writing_its_digest_go_in_the_next_runs_digest(world: World, monkeypatch):
    _reads_email(world, frequency=Frequency.DAILY)
    _three_items_for_mark(world)
    # GIVEN the run at 07:00 took Mark's items for a digest, then died before writing it
    world.clock.current = TUESDAY_SEVEN
    monkeypatch.setattr(world.outbox, "add_if_absent", lambda notification: (_ for _ in ()).throw(TimeoutError("outbox")))
    with pytest.raises(TimeoutError):
        world.digests.run()
    monkeypatch.undo()
    assert all(n.bundled_in for n in _held(world))

    # WHEN the next run comes, a quarter of an hour later
    result = _run_at(world, TUESDAY_SEVEN + timedelta(minutes=15))

    # THEN one digest carries all three, once
    assert (result.digests, result.bundled) == (1, 3)
    (mail,) = _mail_to(world)
    assert len(_items(mail)) == 3
    assert _held(world) == []


def test_a_request_for_documents_waits_for_a_digest_on_its_way_with_news_of_the_same_case(world: World):
    _reads_email(world, frequency=Frequency.DAILY)
    case = _three_items_for_mark(world)
    # GIVEN Mark's digest with news of his case is written and queued at 07:00, and not yet sent
    world.clock.current = TUESDAY_SEVEN
    world.digests.run()
    (digest_id,) = world.queue.drain()

    # WHEN documents are asked for about that case
    world.commands.request_documents(ANNA_PRINCIPAL, case.id, (NewDocumentRequest("Begroting"),))
    world.fan_out()

    # THEN the request waits, due at once, instead of overtaking the digest
    (request,) = [n for n in _emails(world) if n.event_kind is EventKind.DOCUMENTS_REQUESTED]
    assert (request.status, request.hold_until) == (NotificationStatus.HELD, world.clock.now())
    # AND once the digest is out, the next run sends the request: the digest first, then the request
    world.queue.messages.append(digest_id)
    world.deliver_all()
    _run_at(world, world.clock.now() + timedelta(minutes=15))
    sent = [world.outbox.items[m.reference].event_kind for m in _mail_to(world)]
    assert sent == [EventKind.DIGEST, EventKind.DOCUMENTS_REQUESTED]


def test_an_e_mail_released_in_the_morning_but_never_queued_goes_before_a_later_one_about_the_same_case(
    world: World, monkeypatch
):
    _reads_email(world, quiet_hours=True)
    case = _case(world)
    world.clock.current = MONDAY_ELEVEN_PM
    world.commands.set_status(ANNA_PRINCIPAL, case.id, "in-behandeling", None)
    world.propagate()
    (waiting,) = _held(world)
    # GIVEN the 07:00 run released the night's e-mail, and failed before it could queue it
    world.clock.current = TUESDAY_SEVEN
    monkeypatch.setattr(world.queue, "enqueue", lambda notifications: (_ for _ in ()).throw(TimeoutError("queue")))
    with pytest.raises(TimeoutError):
        world.digests.run()
    monkeypatch.undo()
    assert world.outbox.items[waiting.id].status is NotificationStatus.CREATED

    # WHEN a message about the same case goes out at 07:05
    world.clock.current = TUESDAY_SEVEN + timedelta(minutes=5)
    world.commands.post_message(ANNA_PRINCIPAL, case.id, "Wij bellen u.", None)
    world.propagate()

    # THEN the night's e-mail went first, then the message
    sent = [world.outbox.items[m.reference].event_kind for m in _mail_to(world)][-2:]
    assert sent == [EventKind.STATUS_CHANGED, EventKind.MESSAGE_POSTED]
